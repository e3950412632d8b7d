"""Plotly figure builders: data in, `go.Figure` out. They never call streamlit."""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.palette import Style, as_style
from core.train.rates import Shown, sensitivity


class Curves(Protocol):
    """An activation's curves on a grid of x (activations/analysis.py computes them)."""

    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray


FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=13)
DERIVATIVE_DASH = {"f": "solid", "df": "dash", "d2f": "dot"}
DERIVATIVE_LABEL = {"f": "f", "df": "f′", "d2f": "f″"}


def png_config(filename: str) -> dict:
    """Plotly config whose camera button saves a 2× PNG under a meaningful file name."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "chart"
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": safe, "scale": 2},
    }


def _base_layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    fig.update_layout(
        font=FONT,
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        margin=dict(l=50, r=20, t=60 if title else 30, b=45),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        height=height,
    )
    return fig


def gallery_grid(
    items: Sequence[tuple[str, Curves, str]], columns: int = 6, panel_height: int = 170
) -> go.Figure:
    """Small multiples: one panel per activation, f solid and f′ dashed in its colour, each
    panel with its own tick labels (the activations' ranges differ, so one scale would not do).

    `items` are (name, curves, colour); curves has x, f, df.
    """
    rows = max(1, math.ceil(len(items) / columns))
    # The gaps hold a panel's y tick labels (left) and x tick labels plus the next title (below).
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[n for n, _, _ in items],
        horizontal_spacing=0.055,
        vertical_spacing=min(0.3, 62 / (rows * panel_height)),
    )
    for i, (name, c, colour) in enumerate(items):
        row, col = divmod(i, columns)
        for key in ("f", "df"):
            fig.add_trace(
                go.Scatter(
                    x=c.x,
                    y=getattr(c, key),
                    mode="lines",
                    name=f"{name} {DERIVATIVE_LABEL[key]}",
                    line=dict(
                        color=colour, dash=DERIVATIVE_DASH[key], width=2 if key == "f" else 1.4
                    ),
                    showlegend=False,
                    hovertemplate=(
                        f"{name} {DERIVATIVE_LABEL[key]}(%{{x:.2f}}) = %{{y:.3f}}<extra></extra>"
                    ),
                ),
                row=row + 1,
                col=col + 1,
            )
    ticks = dict(size=10, color="#777")
    fig.update_xaxes(
        tickvals=_grid_x_ticks(items), tickfont=ticks, zeroline=True, zerolinecolor="#bbb"
    )
    fig.update_yaxes(nticks=4, tickfont=ticks, zeroline=True, zerolinecolor="#bbb")
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(showgrid=True, gridcolor="rgba(128,128,128,0.15)")
    fig.update_annotations(font=dict(size=12))
    _base_layout(fig, height=rows * panel_height + 50)
    fig.update_layout(margin=dict(l=35, r=10, t=30, b=25), hovermode="closest")
    return fig


def _grid_x_ticks(items: Sequence[tuple[str, Curves, str]]) -> list[float]:
    """Both ends and 0 of the panels' common x range: three labels fit a narrow panel."""
    if not items:
        return []
    x = items[0][1].x
    return sorted({float(x[0]), 0.0, float(x[-1])})


# Characters of a bold chart title that fit on one line of a chart as wide as the Gallery's
# comparison, and of one of the Train page's two charts side by side (about 400 px at 1280 px).
TITLE_LINE = 60
HALF_TITLE_LINE = 46
TITLE_ROW_PX = 22  # each further line of a title


def gated_chart(name: str, u, v, z, colour: str) -> go.Figure:
    """A gated unit f(u)·v as a heatmap over (u, v), with its diagonal u = v (the 1-D curve the
    Gallery plots, f(x)·x) drawn in the entry's colour."""
    limit = float(np.nanmax(np.abs(z))) or 1.0
    u, v, z = (np.asarray(a, float).tolist() for a in (u, v, z))  # readable in the page's JSON
    fig = go.Figure(
        go.Heatmap(
            x=u, y=v, z=z, zmin=-limit, zmax=limit, colorscale="RdBu_r",
            colorbar=dict(title=dict(text="f(u)·v", side="right"), thickness=12),
            hovertemplate="u = %{x:.2f}<br>v = %{y:.2f}<br>f(u)·v = %{z:.3f}<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=u, y=v, mode="lines", line=dict(color=colour, width=2, dash="dash"),
            name="u = v: the curve above, f(x)·x", hoverinfo="skip", showlegend=True,
        )
    )  # fmt: skip
    _base_layout(fig, f"{name}: f(u)·v over two projections u and v", height=460)
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title="u (the gate's input)", constrain="domain")
    fig.update_yaxes(title="v", scaleanchor="x", constrain="domain")
    return fig


def _wrapped(title: str, width: int = TITLE_LINE) -> tuple[str, int]:
    """`title` broken at spaces into lines of at most `width` characters (Plotly never wraps a
    title, it runs off the chart), and the number of lines."""
    lines = textwrap.wrap(title, width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines), max(1, len(lines))


def detail_chart(
    items: Sequence[tuple[str, Curves, str]],
    show: Iterable[str] = ("f", "df"),
    title: str | None = None,
    x_range: tuple[float, float] | None = None,
) -> go.Figure:
    """f, f′, f″ of the chosen activations overlaid: colour per activation, dash per derivative."""
    fig = go.Figure()
    for name, c, colour in items:
        for key in show:
            fig.add_trace(
                go.Scatter(
                    x=c.x,
                    y=getattr(c, key),
                    mode="lines",
                    name=f"{name} {DERIVATIVE_LABEL[key]}",
                    legendgroup=name,
                    line=dict(
                        color=colour, dash=DERIVATIVE_DASH[key], width=2.6 if key == "f" else 1.8
                    ),
                    hovertemplate="%{y:.4f}",
                )
            )
    fig.update_xaxes(
        title_text="x",
        zeroline=True,
        zerolinecolor="#999",
        range=list(x_range) if x_range else None,
    )
    fig.update_yaxes(title_text="value", zeroline=True, zerolinecolor="#999")
    text, lines = _wrapped(title) if title else (None, 0)
    _base_layout(fig, title=text, height=500 + TITLE_ROW_PX * max(0, lines - 1))
    if lines > 1:  # room above the plot for every line of the title
        fig.update_layout(margin=dict(t=40 + TITLE_ROW_PX * lines))
    # Below the plot, so a long legend never runs into the title.
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0))
    return fig


# --- training charts ---------------------------------------------------------------------

METRIC_LABEL = {"accuracy": "accuracy", "mae": "MAE"}


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """TensorBoard's debiased exponential moving average: no pull towards 0 at the start."""
    if weight <= 0:
        return list(values)
    out, last, debias = [], 0.0, 1.0
    for v in values:
        last = last * weight + (1 - weight) * v
        debias *= weight
        out.append(last / (1 - debias))
    return out


def _mean_std(runs: Sequence[Sequence[float]]):
    """Mean and std over seeds, epoch by epoch, over the seeds that reached that epoch."""
    length = max((len(r) for r in runs), default=0)
    mean, std = [], []
    for i in range(length):
        values = [r[i] for r in runs if len(r) > i]
        m = sum(values) / len(values)
        mean.append(m)
        std.append((sum((v - m) ** 2 for v in values) / len(values)) ** 0.5)
    return mean, std


def _hex_to_rgba(colour: str, alpha: float) -> str:
    c = colour.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# Validation is dashed; an activation past the palette's size has its own train dash, and its
# validation dash must still differ from it.
VALIDATION_DASH = {"solid": "dash", "dot": "dashdot", "longdash": "longdashdot"}
RUN_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
LEGEND_PER_ROW = 4
LEGEND_ROW_PX = 27


def training_chart(
    shown: Sequence[Shown],
    colours: Mapping[str, Style | str],
    key: str,
    *,
    log_y: bool = False,
    smoothing: float = 0.0,
    x_axis: str = "epoch",
    title: str = "",
    run_labels: Sequence[str] | None = None,
) -> go.Figure:
    """Train (solid) and validation (dashed) curves of `key` ("loss" or "metric"), one colour
    per activation: `colours` is ui.palette's `{name: Style}` (or `{name: colour}`). Each of
    `shown` is one comparison as the view selected it: a sweep's curves are each activation at
    its best rate.

    Several seeds: their mean with a ± std band. Several comparisons (the Runs page overlay):
    one legend group per run, told apart by marker symbols. Past the palette's size an
    activation's own dash and symbol tell it from the one sharing its colour.
    """
    fig = go.Figure()
    overlay = len(shown) > 1
    for r, view in enumerate(shown):
        comp = view.chosen
        label = run_labels[r] if run_labels else ""
        elapsed = [sum(comp.epoch_seconds[: i + 1]) for i in range(len(comp.epoch_seconds))]
        for name, seeds in comp.by_activation().items():
            style = as_style(colours.get(name))
            colour = style.colour
            symbol = RUN_SYMBOLS[r % len(RUN_SYMBOLS)] if overlay else style.symbol
            for split, dash in (("", style.dash), ("val_", VALIDATION_DASH[style.dash])):
                runs = [getattr(b, split + key) for b in seeds]
                mean, std = _mean_std(runs)
                if not mean:
                    continue
                mean = smooth(mean, smoothing)
                xs = list(range(1, len(mean) + 1)) if x_axis == "epoch" else elapsed[: len(mean)]
                rate = f" (lr {view.rate(seeds[0]):g})" if view.sweep else ""
                run = f" · {label}" if label else ""
                trace_name = f"{name}{rate}{run}" + (" validation" if split else "")
                group = f"{label}{name}"
                if len(seeds) > 1:
                    upper = [m + s for m, s in zip(mean, std, strict=True)]
                    lower = [m - s for m, s in zip(mean, std, strict=True)]
                    fig.add_trace(
                        go.Scatter(
                            x=xs + xs[::-1],
                            y=upper + lower[::-1],
                            fill="toself",
                            mode="lines",
                            line=dict(width=0),
                            fillcolor=_hex_to_rgba(colour, 0.12 if split else 0.18),
                            hoverinfo="skip",
                            showlegend=False,
                            legendgroup=group,
                            name=f"{trace_name} ± std",
                        )
                    )
                # One legend entry per activation (and run): its train line; validation shares the
                # entry's group, and the two style keys below say which dash is which.
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=mean,
                        name=trace_name,
                        legendgroup=group,
                        showlegend=not split,
                        mode="lines+markers" if len(mean) < 30 or style.repeated else "lines",
                        line=dict(color=colour, dash=dash, width=2.4 if not split else 2),
                        # On long runs a repeated colour keeps a few markers to be told apart.
                        marker=dict(
                            symbol=symbol, size=6, maxdisplayed=20 if len(mean) >= 30 else 0
                        ),
                        hovertemplate=f"{trace_name}: %{{y:.4f}}<extra></extra>",
                    )
                )
            diverged = [b for b in seeds if b.status == "diverged"]
            for b in diverged:
                fig.add_annotation(
                    x=b.diverged_epoch if x_axis == "epoch" else None,
                    y=0.02,
                    yref="paper",
                    text=f"{name} diverged (epoch {b.diverged_epoch})",
                    showarrow=False,
                    font=dict(color=colour, size=11),
                )
    for dash, text in (("solid", "train"), ("dash", "validation")):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=text,
                legendgroup="_style",
                line=dict(color="#666666", dash=dash, width=2),
                hoverinfo="skip",
            )
        )
    records = [view.record for view in shown]
    metric_name = records[0].metric_name if records else "metric"
    fig.update_xaxes(
        title_text="epoch" if x_axis == "epoch" else "wall time (s)",
        rangemode="tozero" if x_axis != "epoch" else None,
        dtick=1
        if x_axis == "epoch" and records and max(c.epochs_done for c in records) <= 12
        else None,
    )
    chars = bool(records) and records[0].task == "text"
    loss_title = "loss (bits per character)" if chars else "loss"
    metric_title = (
        "next-character accuracy" if chars else METRIC_LABEL.get(metric_name, metric_name)
    )
    y_title = loss_title if key == "loss" else metric_title
    fig.update_yaxes(
        title_text=y_title + (" (log)" if log_y else ""), type="log" if log_y else "linear"
    )
    # The legend sits under the plot and takes its rows from the chart's height: past a row or
    # two of names (about 4 to a row at half a page's width) the chart grows instead.
    entries = sum(1 for t in fig.data if t.showlegend is not False and t.legendgroup != "_style")
    extra_rows = max(0, math.ceil(entries / LEGEND_PER_ROW) - 1)
    # A title longer than a line of a half-page chart (a sweep's says its rates) wraps; the
    # chart grows by its extra lines, the plot keeps its height.
    text, lines = _wrapped(title, HALF_TITLE_LINE) if title else ("", 1)
    extra_px = TITLE_ROW_PX * (lines - 1)
    _base_layout(fig, title=text, height=470 + LEGEND_ROW_PX * extra_rows + extra_px)
    fig.update_layout(
        hovermode="x unified",
        legend=dict(
            orientation="h", yanchor="top", y=-0.24, xanchor="left", x=0, font=dict(size=12)
        ),
        margin=dict(b=40, t=(60 if title else 30) + extra_px),
    )
    return fig


def digits_figure(images, labels, columns: int = 12) -> go.Figure:
    """A row of MNIST digits with their labels: what the network is asked to read."""
    n = len(images)
    fig = make_subplots(
        rows=1, cols=n, subplot_titles=[str(int(y)) for y in labels], horizontal_spacing=0.01
    )
    for i, image in enumerate(images):
        fig.add_trace(
            go.Heatmap(
                z=image[::-1, :, 0] if image.ndim == 3 else image[::-1],
                colorscale="Greys",
                showscale=False,
                hoverinfo="skip",
                zmin=0,
                zmax=1,
            ),
            row=1,
            col=i + 1,
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    fig.update_layout(height=130, margin=dict(l=0, r=0, t=24, b=0), font=FONT)
    return fig


def sensitivity_chart(
    shown: Shown, colours: Mapping[str, Style | str], title: str = ""
) -> go.Figure:
    """A learning-rate sweep: final validation loss (left) and accuracy/MAE (right) against the
    learning rate on a log axis, one curve per activation in the view's colours, ± std over
    seeds as a band, and a star at the rate the results table shows (`shown.best`)."""
    comparison = shown.record
    metric = METRIC_LABEL.get(comparison.metric_name, comparison.metric_name)
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("final validation loss", f"final validation {metric}"),
        horizontal_spacing=0.09,
    )
    best = shown.best
    seeds = comparison.config.seeds
    for name, points in sensitivity(comparison).items():
        style = as_style(colours.get(name))
        xs = [p.rate for p in points]
        for col, (key, spread) in enumerate(
            (("val_loss", "val_loss_std"), ("val_metric", "val_metric_std")), start=1
        ):
            mean = [_finite_or_none(getattr(p, key)) for p in points]
            std = [getattr(p, spread) for p in points]
            if seeds > 1:
                finite = [(x, m, s) for x, m, s in zip(xs, mean, std, strict=True) if m is not None]
                upper = [m + s for _, m, s in finite]
                lower = [m - s for _, m, s in finite]
                band_x = [x for x, _, _ in finite]
                fig.add_trace(
                    go.Scatter(
                        x=band_x + band_x[::-1],
                        y=upper + lower[::-1],
                        fill="toself",
                        mode="lines",
                        line=dict(width=0),
                        fillcolor=_hex_to_rgba(style.colour, 0.15),
                        hoverinfo="skip",
                        showlegend=False,
                        legendgroup=name,
                        name=f"{name} ± std",
                    ),
                    row=1,
                    col=col,
                )
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=mean,
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    mode="lines+markers",
                    line=dict(color=style.colour, dash=style.dash, width=2.4),
                    marker=dict(symbol=style.symbol, size=7),
                    hovertemplate=f"{name} at lr %{{x:g}}: %{{y:.4f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
            chosen = [(x, m) for x, m in zip(xs, mean, strict=True) if x == best.get(name)]
            if chosen and chosen[0][1] is not None:
                fig.add_trace(
                    go.Scatter(
                        x=[chosen[0][0]],
                        y=[chosen[0][1]],
                        mode="markers",
                        marker=dict(symbol="star", size=15, color=style.colour, line=dict(width=1)),
                        showlegend=False,
                        legendgroup=name,
                        name=f"{name} best rate",
                        hovertemplate=f"{name}: best rate %{{x:g}}<extra></extra>",
                    ),
                    row=1,
                    col=col,
                )
    fig.update_xaxes(type="log", title_text="learning rate (log)", exponentformat="power")
    fig.update_yaxes(title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text=metric, row=1, col=2)
    _base_layout(fig, title=title, height=440)
    fig.update_layout(
        hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0),
        margin=dict(b=40),
    )
    return fig


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
