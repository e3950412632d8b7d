"""The KAN page's figures: test and training RMSE over the grid ladder, and the network drawn as
its edge functions. Data in, `go.Figure` out; no streamlit."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout

COLUMNS = 5
LINE = "#1f77b4"
REFERENCE = "#999999"


def ladder_figure(rows: Sequence[Mapping], reference: Mapping[int, float] | None = None):
    """RMSE (log) against the grid's intervals G (log): training and test, and a reference's
    test RMSE (pykan's) where one is given."""
    fig = go.Figure()
    grids = [r["grid"] for r in rows]
    for key, name, dash in (
        ("test_rmse", "test RMSE", "solid"),
        ("train_rmse", "train RMSE", "dot"),
    ):
        fig.add_trace(
            go.Scatter(x=grids, y=[r[key] for r in rows], mode="lines+markers", name=name,
                       line=dict(color=LINE, dash=dash))
        )  # fmt: skip
    if reference:
        shown = sorted(reference)
        fig.add_trace(
            go.Scatter(x=shown, y=[reference[g] for g in shown], mode="markers",
                       name="pykan's test RMSE (Example 1)",
                       marker=dict(color=REFERENCE, symbol="x", size=10))
        )  # fmt: skip
    fig.update_xaxes(type="log", title_text="grid intervals G", tickvals=grids)
    fig.update_yaxes(type="log", title_text="RMSE", exponentformat="power")
    _base_layout(fig, height=360)
    return fig


def _name(layer: int, i: int, j: int, depth: int) -> str:
    source = f"x{i + 1}" if layer == 0 else f"h{layer}.{i + 1}"
    target = "out" if layer == depth - 1 else f"h{layer + 1}.{j + 1}"
    return f"{source} → {target}"


def edges_figure(edges: Sequence[Sequence[Mapping]]) -> go.Figure:
    """Every edge function φ(x) over the range its inputs took, one panel each, layer after
    layer (a layer's panels start a new row)."""
    panels: list[tuple[int, Mapping] | None] = []
    for layer, block in enumerate(edges):
        start = len(panels) + (-len(panels)) % COLUMNS  # each layer on a fresh row
        panels += [None] * (start - len(panels))
        panels += [(layer, e) for e in block]
    rows = max(1, math.ceil(len(panels) / COLUMNS))
    titles = [_name(p[0], p[1]["i"], p[1]["j"], len(edges)) if p else "" for p in panels]
    titles += [""] * (rows * COLUMNS - len(titles))
    fig = make_subplots(rows=rows, cols=COLUMNS, subplot_titles=titles, horizontal_spacing=0.05,
                        vertical_spacing=0.3 / rows)  # fmt: skip
    for k, panel in enumerate(panels):
        if panel is None:
            continue
        _, edge = panel
        fig.add_trace(
            go.Scatter(x=edge["x"], y=edge["y"], mode="lines", line=dict(color=LINE, width=2),
                       showlegend=False, hovertemplate="φ(%{x:.2f}) = %{y:.3g}<extra></extra>"),
            row=k // COLUMNS + 1, col=k % COLUMNS + 1,
        )  # fmt: skip
    fig.update_annotations(font=dict(size=12))
    _base_layout(fig, height=200 * rows + 40)
    fig.update_layout(hovermode="closest", margin=dict(t=50))
    return fig
