"""The Sweep page's trainability heatmap: architecture × activation, each cell the activation's
final validation metric at its best learning rate. Cells in, `go.Figure` out; no streamlit."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from core.figures import METRIC_LABEL, _base_layout
from core.grid import Cell, Grid, architecture_label
from core.palette import CHART_BACKGROUND

ROW_PX, MIN_HEIGHT = 46, 260


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


def trainability_heatmap(
    grid: Grid, cells: Sequence[Cell], metric_name: str, title: str = "", theme: str = "light"
) -> go.Figure:
    """Depth (rows, shallow at the top) × activation (columns), coloured by the final validation
    metric at each activation's best rate; brighter is better for accuracy and for MAE alike."""
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
    fig = go.Figure([tiles, values])
    _base_layout(fig, title or None, height=max(MIN_HEIGHT, 120 + ROW_PX * len(rows)))
    fig.update_layout(hovermode="closest")
    fig.update_yaxes(autorange="reversed", title="hidden layers" + (
        "" if len(grid.widths) == 1 else " × width"
    ), type="category")  # fmt: skip
    fig.update_xaxes(title="activation", side="bottom", type="category", showgrid=False)
    fig.update_yaxes(showgrid=False)
    if theme == "dark":  # the PNG in the page's theme (on the page Streamlit themes it)
        background = CHART_BACKGROUND["dark"]
        fig.update_layout(template="plotly_dark", paper_bgcolor=background, plot_bgcolor=background)
    return fig
