"""The Depth page's figure and table: per-layer measures of untrained deep networks, one colour
per activation. Data in, `go.Figure` or DataFrame out; no streamlit."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout
from charts.palette import as_style
from core.train.network.diagnostics import DEAD_RULE

# (measure, panel title, log y); the dead-fraction panel states its criterion in its title.
PANELS = (
    ("mean", "Mean of the activations", False),
    ("variance", "Variance of the activations (log)", True),
    ("dead", f"Dead units — {DEAD_RULE}", False),
    ("grad_norm", "Gradient norm ‖∂loss/∂kernel‖ (log)", True),
)
MEASURE_NAME = {
    "mean": "mean",
    "variance": "variance",
    "dead": "dead fraction",
    "grad_norm": "gradient norm",
}
# A first-layer gradient norm this many times below (or above) the last layer's is called
# vanishing (exploding) in the table; the page states the criterion.
VANISHING_BELOW = 1e-2
PREDICTED_GROUP = "predicted depth"  # the legend entries of the predicted-depth lines
EXPLODING_ABOVE = 1e2


def _drawable(values: np.ndarray, log: bool) -> list[float | None]:
    """Values as Plotly takes them: a gap where a value overflowed (inf, NaN) or, on a log axis,
    is not positive."""
    out = []
    for v in values.tolist():
        ok = math.isfinite(v) and (v > 0 or not log)
        out.append(v if ok else None)
    return out


def signal_figure(signal, colours: Mapping, predicted: Mapping | None = None) -> go.Figure:
    """Four panels, layer on x, one line per activation in its colour: mean, variance, dead
    fraction and gradient norm. `predicted` ({name: layers}, mean-field theory's trainable
    depth 6 ξ_c) adds a dotted vertical line per activation within the plotted depth, named in
    the legend after the activations."""
    fig = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[title for _, title, _ in PANELS],
        horizontal_spacing=0.09,
        vertical_spacing=0.16,
    )
    layers = list(range(1, signal.depth + 1))
    for k, name in enumerate(signal.names):
        style = as_style(colours.get(name))  # past the palette's size, dash and marker differ
        for i, (measure, _, log) in enumerate(PANELS):
            values = getattr(signal, measure)[k]
            fig.add_trace(
                go.Scatter(
                    x=layers,
                    y=_drawable(values, log),
                    mode="lines+markers" if signal.depth <= 12 else "lines",
                    name=name,
                    legendgroup=name,
                    showlegend=i == 0,
                    line=dict(color=style.colour, width=2.2, dash=style.dash),
                    marker=dict(color=style.colour, symbol=style.symbol),
                    hovertemplate=f"{name}: %{{y:.4g}}<extra></extra>",
                ),
                row=i // 2 + 1,
                col=i % 2 + 1,
            )
    for i, (measure, _, log) in enumerate(PANELS):
        row, col = i // 2 + 1, i % 2 + 1
        fig.update_yaxes(
            type="log" if log else "linear",
            exponentformat="power",
            range=[-0.02, 1.02] if measure == "dead" else None,
            row=row,
            col=col,
        )
        fig.update_xaxes(title_text="layer" if row == 2 else None, row=row, col=col)
    fig.update_annotations(font=dict(size=14))
    _predicted_lines(fig, signal, colours, predicted or {})
    _base_layout(fig, height=740)
    # Above the panels' titles, not on them.
    fig.update_layout(margin=dict(t=95), legend=dict(y=1.07))
    return fig


def _predicted_lines(fig: go.Figure, signal, colours: Mapping, predicted: Mapping) -> None:
    shown = [(n, d) for n, d in predicted.items() if n in signal.names and 1 <= d <= signal.depth]
    for name, depth in shown:
        colour = as_style(colours.get(name)).colour
        for i in range(len(PANELS)):
            axis = "" if i == 0 else str(i + 1)
            fig.add_shape(
                type="line",
                x0=depth,
                x1=depth,
                y0=0,
                y1=1,
                xref=f"x{axis}",
                yref=f"y{axis} domain",
                line=dict(color=colour, width=1.6, dash="dot"),
                name=f"{name} predicted depth",
            )
        # Named in the legend, not on the panel, where a label would sit on the curves.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line=dict(color=colour, width=1.6, dash="dot"),
                name=f"{name}: 6ξ<sub>c</sub> ≈ {depth:.3g}",
                legendgroup=PREDICTED_GROUP,
            )
        )


def _layers(indices: np.ndarray) -> str:
    """0-based column indices as the layers a reader counts: "layer 3", "layers 1–22"."""
    first, last = int(indices[0]) + 1, int(indices[-1]) + 1
    if first == last:
        return f"layer {first}"
    if last - first + 1 == len(indices):
        return f"layers {first}–{last}"
    return f"{len(indices)} layers between {first} and {last}"


def unplotted(signal) -> list[str]:
    """What the figure leaves out, one sentence per activation and measure."""
    notes = []
    for k, name in enumerate(signal.names):
        for measure, _, log in PANELS:
            values = getattr(signal, measure)[k]
            overflow = np.flatnonzero(~np.isfinite(values))
            zero = np.flatnonzero(values <= 0) if log else np.array([], dtype=int)
            what = f"{name}'s {MEASURE_NAME[measure]}"
            if overflow.size:
                notes.append(f"{what} overflowed float32 at {_layers(overflow)}; not drawn.")
            if zero.size:
                dead_layer = bool((signal.dead[k] == 1).any())
                why = "a layer has every unit dead" if dead_layer else "it underflowed float32"
                notes.append(
                    f"{what} is exactly 0 at {_layers(zero)} ({why}): a log axis cannot show 0."
                )
    return notes


def _flow(ratio: float) -> str:
    if not math.isfinite(ratio):
        return "—"
    if ratio < VANISHING_BELOW:
        return "vanishing"
    if ratio > EXPLODING_ABOVE:
        return "exploding"
    return "flows"


def signal_table(signal) -> pd.DataFrame:
    """One row per activation: the last layer's measures and how the gradient reaches layer 1."""
    rows = []
    for k, name in enumerate(signal.names):
        grads = signal.grad_norm[k]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = float(grads[0] / grads[-1])
        rows.append(
            {
                "activation": name,
                f"mean at layer {signal.depth}": float(signal.mean[k, -1]),
                f"variance at layer {signal.depth}": float(signal.variance[k, -1]),
                f"dead at layer {signal.depth}": float(signal.dead[k, -1]),
                "max dead": float(np.nanmax(signal.dead[k])),
                "gradient layer 1 / last": ratio,
                "gradient": _flow(ratio),
            }
        )
    return pd.DataFrame(rows).set_index("activation")
