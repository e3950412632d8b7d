"""The Sweep page's trainability heatmap: architecture × activation, each cell the activation's
final validation metric at its best learning rate. Cells in, `go.Figure` out; no streamlit."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from charts.figures import METRIC_LABEL, _base_layout
from charts.palette import CHART_BACKGROUND
from charts.study.theory_figures import depth_text
from core.serve.grid import Cell, Grid, architecture_label

# Each row this tall, plus room for the title, the theory's subtitle and the two-line ticks:
# with the defaults' three depths the grid was about 60 px tall under its margins.
ROW_PX, FRAME_PX = 56, 230
PREDICTED_COLOUR = "#e8175d"  # no viridis colour is a red: the line reads on every cell
PREDICTED_NAME = "predicted trainable depth 6ξ_c"
PREDICTED_TITLE = (
    "red: mean-field theory's predicted trainable depth 6ξ<sub>c</sub> "
    "(Schoenholz et al. 2017) at σ_w² = 1, σ_b² = 0"
)


def _value_text(cell: Cell) -> str:
    """What a cell says: its value, or why it has none."""
    if cell.state == "diverged":
        return "diverged"
    if cell.rate is None and cell.state != "training":  # no epoch: queued, stopped, failed, …
        return cell.state
    if math.isnan(cell.val_metric):
        return "training"
    value = f"{cell.val_metric:.3f}"
    return value + ("…" if cell.state == "training" else "")


def _hover(cell: Cell, metric: str, epochs: int) -> str:
    lines = [f"<b>{cell.activation}</b> · depth {cell.depth} × width {cell.width}"]
    if cell.rate is None:
        lines.append(cell.state)
        return "<br>".join(lines)
    seeds = f" over {cell.seeds} seeds" if cell.seeds > 1 else ""
    lines += [
        f"best learning rate {cell.rate:g}",
        f"val {metric} {cell.val_metric:.4f} ± {cell.val_metric_std:.4f}{seeds}",
        f"val loss {cell.val_loss:.4f} ± {cell.val_loss_std:.4f}",
        f"epochs {cell.epochs}/{epochs}" + (" (training)" if cell.state == "training" else ""),
    ]
    if cell.diverged:
        lines.append(f"{cell.diverged} seed(s) diverged at this rate")
    if cell.state == "diverged":
        lines.append("diverged at every rate tried (loss not finite)")
    return "<br>".join(lines)


def row_position(depth: float, archs: Sequence[tuple[int, int]]) -> tuple[float, str]:
    """Where `depth` layers fall on the heatmap's rows (0 = the top row's centre, one per row),
    linear between the depths of the rows, clamped to the grid's top or bottom edge; and
    "" inside the grid, "above" or "below" when clamped."""
    centres: dict[int, list[int]] = {}
    for row, (d, _) in enumerate(archs):
        centres.setdefault(d, []).append(row)
    depths = sorted(centres)
    positions = [sum(centres[d]) / len(centres[d]) for d in depths]
    if not math.isfinite(depth) or depth > depths[-1]:
        return len(archs) - 0.5, "below"
    if depth < depths[0]:
        return -0.5, "above"
    if len(depths) == 1:
        return positions[0], ""
    k = max(i for i, d in enumerate(depths[:-1]) if d <= depth)
    fraction = (depth - depths[k]) / (depths[k + 1] - depths[k])
    return positions[k] + fraction * (positions[k + 1] - positions[k]), ""


def _tick(name: str, predicted: Mapping[str, float]) -> str:
    depth = predicted.get(name)
    if depth is None or math.isnan(depth):
        return name
    shown = depth_text(depth)
    return f"{name}<br><span style='color:{PREDICTED_COLOUR}'>6ξ<sub>c</sub> ≈ {shown}</span>"


def _predicted_traces(names: list[str], archs, predicted: Mapping[str, float]) -> list:
    """Per activation column, a segment at its predicted depth (on axes laid over the heatmap
    with one unit per column and row, so a depth can fall between two rows)."""
    traces: list[go.Scatter] = []
    for col, name in enumerate(names):
        depth = predicted.get(name)
        if depth is None or math.isnan(depth):
            continue
        y, clamped = row_position(depth, archs)
        shown = depth_text(depth)
        where = {"below": " (deeper than the grid)", "above": " (shallower than the grid)"}
        # Two ticks at the column's edges, open in the middle: a line across the whole cell
        # struck through its value when the depth fell on a row.
        traces.append(
            go.Scatter(
                x=[col - 0.46, col - 0.24, None, col + 0.24, col + 0.46],
                y=[y, y, None, y, y],
                xaxis="x2",
                yaxis="y2",
                mode="lines",
                line=dict(color=PREDICTED_COLOUR, width=3, dash="dash" if clamped else "solid"),
                name=PREDICTED_NAME,
                legendgroup="predicted",
                showlegend=not traces,
                meta=dict(activation=name, depth=depth),
                hovertemplate=f"<b>{name}</b>: predicted trainable depth 6ξ_c ≈ {shown} "
                f"layers{where.get(clamped, '')}<extra></extra>",
            )
        )
    return traces


def trainability_heatmap(
    grid: Grid,
    cells: Sequence[Cell],
    metric_name: str,
    title: str = "",
    theme: str = "light",
    predicted: Mapping[str, float] | None = None,
) -> go.Figure:
    """Depth (rows, shallow at the top) × activation (columns), coloured by the final validation
    metric at each activation's best rate; brighter is better for accuracy and for MAE alike.
    `predicted` ({activation: layers}) draws mean-field theory's trainable depth 6 ξ_c as a
    segment across each activation's column, between rows where it falls between depths."""
    metric = METRIC_LABEL.get(metric_name, metric_name)
    names = list(grid.base.activations)
    archs = grid.architectures
    rows = [architecture_label(d, w, grid.widths) for d, w in archs]
    by_key = {(c.depth, c.width, c.activation): c for c in cells}
    z, text, hover = [], [], []
    for depth, width in archs:
        row_z, row_text, row_hover = [], [], []
        for name in names:
            cell = by_key.get((depth, width, name)) or Cell(depth, width, name, "queued", 0)
            shown = cell.state != "diverged" and not math.isnan(cell.val_metric)
            row_z.append(cell.val_metric if shown else None)
            row_text.append(_value_text(cell))
            row_hover.append(_hover(cell, metric, grid.base.epochs))
        z.append(row_z)
        text.append(row_text)
        hover.append(row_hover)
    higher_better = metric_name == "accuracy"
    any_value = any(v is not None for row in z for v in row)
    # Every cell gets a faint tile, so the grid shows before any value exists; Plotly draws
    # no text for a heatmap without a finite value, so the tiles carry it until one comes.
    tiles = go.Heatmap(
        z=[[0] * len(names) for _ in rows],
        x=names,
        y=rows,
        colorscale=[[0, "rgba(128, 128, 128, 0.12)"], [1, "rgba(128, 128, 128, 0.12)"]],
        showscale=False,
        xgap=2,
        ygap=2,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        **({} if any_value else dict(text=text, texttemplate="%{text}")),
    )
    values = go.Heatmap(
        z=z,
        x=names,
        y=rows,
        text=text,
        texttemplate="%{text}",
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale="Viridis",
        reversescale=not higher_better,  # brighter = better either way
        colorbar=dict(title=dict(text=f"val {metric}", side="right")),
        xgap=2,
        ygap=2,
        zmin=0.0 if higher_better else None,
        zmax=1.0 if higher_better else None,
    )
    lines = _predicted_traces(names, archs, predicted or {})
    fig = go.Figure([tiles, values, *lines])
    _base_layout(fig, title or None, height=FRAME_PX + ROW_PX * len(rows))
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(autorange="reversed", title="hidden layers" + (
        "" if len(grid.widths) == 1 else " × width"
    ), type="category")  # fmt: skip
    fig.update_xaxes(title="activation", side="bottom", type="category", showgrid=False)
    fig.update_yaxes(showgrid=False)
    if lines:
        # One unit per column and row, laid exactly over the category axes (set after the
        # category axes' updates above, which would make these categorical too).
        over = dict(
            type="linear", autorange=False, showgrid=False, zeroline=False, showticklabels=False,
            fixedrange=True, title=None,
        )  # fmt: skip
        fig.update_layout(
            xaxis2=dict(over, overlaying="x", range=[-0.5, len(names) - 0.5]),
            yaxis2=dict(over, overlaying="y", range=[len(rows) - 0.5, -0.5]),
            showlegend=False,  # the title says what the red line is, the legend would cover it
            title_text=f"{title}<br><sup>{PREDICTED_TITLE}</sup>" if title else PREDICTED_TITLE,
            margin=dict(t=100 if title else 60),
        )
        # Each column's predicted depth under its name (a label on the cells would be lost on
        # the dark ones and cover the values).
        fig.update_xaxes(tickvals=names, ticktext=[_tick(n, predicted or {}) for n in names])
    if theme == "dark":  # the PNG in the page's theme (on the page Streamlit themes it)
        background = CHART_BACKGROUND["dark"]
        fig.update_layout(template="plotly_dark", paper_bgcolor=background, plot_bgcolor=background)
    return fig
