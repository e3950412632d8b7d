"""Mean-field theory's pictures: the phase diagram over (σ_w², σ_b²) coloured by the depth scale
ξ_c with the edge of chaos drawn on it, and the table of one initialiser's measures. MeanField
data in (core/train/theory.py), `go.Figure` or DataFrame out; no streamlit, no TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout
from charts.palette import CHART_BACKGROUND
from core.study.signal_settings import INIT_SIGMA_W2, INITIALISERS

if TYPE_CHECKING:
    from core.train.theory import MeanField

# The colour scale of ξ_c, in layers, log: below 0.1 a signal's correlations are gone in a layer
# anyway, above 1000 it is as good as the edge (where ξ_c is infinite).
XI_RANGE = (0.1, 1000.0)
# The grid the Depth page draws: 40 σ_w² × 41 σ_b² (σ_b² = 0.05, the papers' tanh example, is a
# row) costs ~0.6 s an activation; wide enough for relu's (2, 0), tanh's 1.76 and He's 2.
SIGMA_W2 = tuple(np.round(np.linspace(0.1, 4.0, 40), 6))
SIGMA_B2 = tuple(np.round(np.linspace(0.0, 0.25, 41), 6))
DIVERGES = "signal length diverges (q* = ∞)"
EDGE = "edge of chaos (χ1 = 1)"
GREY = "rgba(140, 140, 140, 0.55)"
INIT_SYMBOLS = ("circle", "diamond", "square")
CHOSEN_COLOUR = "#e8175d"  # no viridis colour is a red, so the chosen point stands out on all


def depth_text(depth: float) -> str:
    """A predicted depth as a reader takes it: '∞' on the edge (ξ_c beyond a million layers)."""
    if not math.isfinite(depth) or depth > 1e6:
        return "∞"
    return f"{depth:.3g}"


def critical_line(field: MeanField) -> tuple[np.ndarray, np.ndarray]:
    """The edge of chaos on a phase-diagram grid: for each σ_b² row, the σ_w² where χ1 first
    reaches 1 (or q* first diverges, the same side of the edge), interpolated linearly in χ1
    between the two columns around it. Rows that never reach it, or start past it, are left
    out."""
    sw = field.sigma_w2[0]
    xs, ys = [], []
    for row in range(field.chi1.shape[0]):
        chi1, q = field.chi1[row], field.q_star[row]
        expanding = np.nonzero((chi1 >= 1) | np.isinf(q))[0]
        if not len(expanding) or expanding[0] == 0:
            continue
        b = expanding[0]
        a = b - 1
        if np.isfinite(chi1[b]):
            slope = chi1[b] - chi1[a]
        elif a > 0:  # q* diverges at b: continue χ1's last step (exact for relu, χ1 ∝ σ_w²)
            slope = chi1[a] - chi1[a - 1]
        else:
            slope = 0.0
        fraction = (1 - chi1[a]) / slope if slope > 0 else 0.5
        xs.append(sw[a] + float(np.clip(fraction, 0.0, 1.0)) * (sw[b] - sw[a]))
        ys.append(field.sigma_b2[row, 0])
    return np.array(xs), np.array(ys)


def _init_groups() -> dict[float, list[str]]:
    """The initialisers by their σ_w², each named as the page's menu names it."""
    groups: dict[float, list[str]] = {}
    for key, sigma_w2 in INIT_SIGMA_W2.items():
        groups.setdefault(sigma_w2, []).append(INITIALISERS[key][0].split(" (")[0])
    return groups


def _panel_traces(field: MeanField, first: bool) -> list:
    """One activation's heatmap of ξ_c, its diverging region, and its edge of chaos."""
    finite = np.isfinite(field.q_star)
    xi = np.where(finite, field.xi_c, np.nan)
    colour = np.log10(np.clip(xi, *XI_RANGE))
    sw, sb = field.sigma_w2[0], field.sigma_b2[:, 0]
    hover = np.stack([xi, 6 * xi, field.q_star, field.chi1], axis=-1)
    heat = go.Heatmap(
        x=sw,
        y=sb,
        z=colour,
        coloraxis="coloraxis",
        customdata=hover,
        hovertemplate="σ_w² %{x:.2f} · σ_b² %{y:.3f}<br>ξ_c %{customdata[0]:.3g} layers, "
        "trainable to ≈ %{customdata[1]:.3g}<br>q* %{customdata[2]:.3g} · "
        "χ1 %{customdata[3]:.3f}<extra></extra>",
        name="ξ_c",
        showlegend=False,
    )
    diverging = go.Heatmap(
        x=sw,
        y=sb,
        z=np.where(finite, np.nan, 1.0),
        colorscale=[[0, GREY], [1, GREY]],
        showscale=False,
        name=DIVERGES,
        legendgroup="diverges",
        showlegend=False,
        hovertemplate=f"σ_w² %{{x:.2f}} · σ_b² %{{y:.3f}}<br>{DIVERGES}<extra></extra>",
    )
    line_sw, line_sb = critical_line(field)
    edge = go.Scatter(
        x=line_sw,
        y=line_sb,
        mode="lines",
        line=dict(color="black", width=2.5, dash="dash"),
        name=EDGE,
        legendgroup="edge",
        showlegend=first,
        hovertemplate="edge of chaos: σ_w² %{x:.3f} at σ_b² %{y:.3f}<extra></extra>",
    )
    return [heat, diverging, edge]


def _init_traces(chosen: str, first: bool) -> list:
    """The Depth page's initialisers as points at σ_b² = 0 (one legend entry per σ_w²: their
    names would overlap on the panels), the chosen one a red star."""
    traces = []
    for i, (sigma_w2, names) in enumerate(_init_groups().items()):
        symbol = INIT_SYMBOLS[i % len(INIT_SYMBOLS)]
        label = f"{', '.join(names)} (σ_w² = {sigma_w2:g})"
        traces.append(
            go.Scatter(
                x=[sigma_w2],
                y=[0.0],
                mode="markers",
                marker=dict(
                    size=10, symbol=symbol, color="white", line=dict(color="black", width=1.5)
                ),
                name=label,
                legendgroup=label,
                showlegend=first,
                meta=dict(initialisers=names),
                hovertemplate=f"{label}, σ_b² = 0<extra></extra>",
            )
        )
    label = INITIALISERS[chosen][0].split(" (")[0]
    star = go.Scatter(
        x=[INIT_SIGMA_W2[chosen]],
        y=[0.0],
        mode="markers",
        marker=dict(size=17, symbol="star", color=CHOSEN_COLOUR, line=dict(color="white", width=1)),
        name=f"chosen: {label}",
        legendgroup="chosen",
        showlegend=first,
        hovertemplate=f"{label}: σ_w² %{{x:g}}, σ_b² 0<extra></extra>",
    )
    return [*traces, star]


def phase_figure(
    fields: Mapping[str, MeanField], chosen: str, columns: int = 3, theme: str = "light"
) -> go.Figure:
    """Small multiples, one panel per activation: ξ_c over (σ_w², σ_b²) on one shared log colour
    scale, grey where the signal's length diverges, the edge of chaos dashed, and the Depth
    page's initialisers as points (the `chosen` one a star)."""
    names = list(fields)
    cols = max(1, min(columns, len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=names,
        horizontal_spacing=0.06,
        vertical_spacing=0.32 / rows if rows > 1 else 0.1,
        shared_yaxes=True,
    )
    for k, name in enumerate(names):
        row, col = k // cols + 1, k % cols + 1
        for trace in _panel_traces(fields[name], k == 0) + _init_traces(chosen, k == 0):
            fig.add_trace(trace, row=row, col=col)
        sb = fields[name].sigma_b2[:, 0]
        step = (sb[-1] - sb[0]) / max(1, len(sb) - 1)
        fig.update_yaxes(range=[sb[0] - step, sb[-1] + step / 2], row=row, col=col)
        fig.update_yaxes(title_text="σ_b²" if col == 1 else None, row=row, col=col)
        bottom = row == rows or k + cols >= len(names)  # no panel below this one
        fig.update_xaxes(title_text="σ_w²" if bottom else None, row=row, col=col)
    # A legend entry for the grey region (a heatmap's own entry shows no swatch).
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(size=12, symbol="square", color=GREY),
            name=DIVERGES,
            legendgroup="diverges",
        )
    )
    low, high = (math.log10(v) for v in XI_RANGE)
    ticks = list(range(math.ceil(low), math.floor(high) + 1))
    tick_text = [f"{10.0**t:g}" for t in ticks]
    tick_text[-1] = f"≥ {tick_text[-1]}"
    _base_layout(fig, height=150 + 300 * rows)
    fig.update_layout(
        hovermode="closest",
        coloraxis=dict(
            colorscale="Viridis",
            cmin=low,
            cmax=high,
            colorbar=dict(
                title=dict(text="ξ_c (layers)", side="right"),
                tickvals=ticks,
                ticktext=tick_text,
            ),
        ),
        margin=dict(t=90),
        legend=dict(y=1.08),
    )
    if theme == "dark":  # the PNG in the page's theme (on the page Streamlit themes it)
        background = CHART_BACKGROUND["dark"]
        fig.update_layout(template="plotly_dark", paper_bgcolor=background, plot_bgcolor=background)
    return fig


def theory_table(points: Mapping[str, MeanField], critical: Mapping[str, float]) -> pd.DataFrame:
    """One row per activation: its measures at one (σ_w², σ_b²) point, and its critical σ_w² at
    σ_b² = 0 (NaN when χ1 never reaches 1 up to σ_w² = 12)."""
    rows = []
    for name, field in points.items():
        xi_c = float(field.xi_c)
        rows.append(
            {
                "activation": name,
                "q*": float(field.q_star),
                "χ1": float(field.chi1),
                "ξ_q (layers)": float(field.xi_q),
                "ξ_c (layers)": xi_c,
                "6 ξ_c: trainable depth": depth_text(6 * xi_c) if not math.isnan(xi_c) else "—",
                "critical σ_w² at σ_b² = 0": critical[name],
            }
        )
    return pd.DataFrame(rows).set_index("activation")
