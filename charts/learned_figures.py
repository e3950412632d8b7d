"""Charts of learned activation parameters (core/study/learned.py gathers them): each parameter over
epochs per layer, mean ± std over units; and each layer's learned activation, final solid and
initial dashed, over that layer's pre-activation distribution on the probe batch.

Plain data in, `go.Figure` out; no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout, _hex_to_rgba
from charts.palette import as_style
from core.study.learned import MAX_SHAPE_LAYERS
from core.train.network.diagnostics import QUANTILES

LAYER_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def parameter_figure(series, colours: dict[str, str], title: str = "") -> go.Figure:
    """One panel per learned parameter: its mean over units per layer after each epoch (epoch 0
    is the initial value), a band of ± one std over units when there is one per unit."""
    panels = [(name, param, v) for name, params in series.items() for param, v in params.items()]
    columns = min(3, max(1, len(panels)))
    rows = max(1, math.ceil(len(panels) / columns))
    titles = [f"{name} · {param}" for name, param, _ in panels]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.08)
    for i, (name, param, values) in enumerate(panels):
        row, col = i // columns + 1, i % columns + 1
        colour = as_style(colours.get(name)).colour
        epochs = np.arange(values.shape[0])
        for layer in range(values.shape[1]):
            mean, std = values[:, layer, 0], values[:, layer, 1]
            group = f"{name}.{param}.{layer}"
            if np.nanmax(std, initial=0.0) > 0:
                fig.add_trace(_band(epochs, mean, std, colour, group), row=row, col=col)
            fig.add_trace(
                go.Scatter(
                    x=epochs.tolist(),
                    y=_list(mean),
                    mode="lines+markers",
                    name=f"{name} · {param} · layer {layer + 1}",
                    legendgroup=group,
                    line=dict(color=colour, dash=LAYER_DASHES[layer % len(LAYER_DASHES)]),
                    hovertemplate=f"layer {layer + 1}: %{{y:.4g}}<extra>{name}</extra>",
                ),
                row=row,
                col=col,
            )
        fig.update_xaxes(title_text="epoch", row=row, col=col)
        fig.update_yaxes(title_text=param, row=row, col=col)
    _base_layout(fig, title=title, height=320 * rows + 110)
    # One legend entry per layer and parameter can take lines: under the panels, clear of titles.
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.22 / rows, xanchor="left", x=0),
        margin=dict(b=110),
    )
    return fig


def _band(epochs, mean, std, colour: str, group: str) -> go.Scatter:
    x = np.concatenate([epochs, epochs[::-1]])
    y = np.concatenate([mean + std, (mean - std)[::-1]])
    return go.Scatter(
        x=x.tolist(),
        y=_list(y),
        fill="toself",
        fillcolor=_hex_to_rgba(colour, 0.15),
        line=dict(width=0),
        hoverinfo="skip",
        showlegend=False,
        legendgroup=group,
    )


def shape_figure(curves, colours: dict[str, str], title: str = "") -> go.Figure:
    """Per activation and hidden layer, the learned activation (final solid, with a band over its
    units' shapes when they differ; initial dashed; thin lines for epochs in between) and under
    it the layer's pre-activation
    histogram on the probe batch (after the last epoch as bars, at initialisation as a dashed
    outline); runs stored before histograms show a density read from five quantiles."""
    names = list(curves)
    columns = max(1, min(MAX_SHAPE_LAYERS, max((len(v) for v in curves.values()), default=1)))
    rows = 2 * max(1, len(names))
    titles = []
    for name in names:
        titles += [
            f"{name} · layer {i + 1}" if i < len(curves[name]) else "" for i in range(columns)
        ]
        titles += [""] * columns
    heights = [0.68, 0.32] * max(1, len(names))
    height = 380 * len(names) + 90
    fig = make_subplots(
        rows=rows,
        cols=columns,
        row_heights=heights,
        subplot_titles=titles,
        vertical_spacing=60 / height,  # room for the tick labels and the next panel's title
        horizontal_spacing=0.05,
    )
    shown: set[str] = set()  # one legend entry per kind of trace

    def legend(kind: str) -> bool:
        first = kind not in shown
        shown.add(kind)
        return first

    for a, name in enumerate(names):
        colour = as_style(colours.get(name)).colour
        for layer, entry in enumerate(curves[name][:columns]):
            row, col = 2 * a + 1, layer + 1
            if entry.get("band") is not None:
                band = _shape_band(entry, colour, legend("band"))
                fig.add_trace(band, row=row, col=col)
            passed = entry.get("epochs") or []
            for k, (epoch, y) in enumerate(passed):  # early faint, later stronger
                alpha = 0.2 + 0.5 * (k + 1) / len(passed)
                fig.add_trace(
                    go.Scatter(
                        x=_list(entry["x"]),
                        y=_list(y),
                        mode="lines",
                        name="after epochs in between (mean parameters)",
                        legendgroup="epochs",
                        showlegend=legend("epochs"),
                        line=dict(color=_hex_to_rgba(colour, alpha), width=1),
                        hovertemplate=(
                            f"epoch {epoch}: f(%{{x:.2f}}) = %{{y:.3g}}<extra>{name}</extra>"
                        ),
                    ),
                    row=row,
                    col=col,
                )
            for when, dash in (("final", "solid"), ("initial", "dash")):
                fig.add_trace(
                    go.Scatter(
                        x=_list(entry["x"]),
                        y=_list(entry[when]),
                        mode="lines",
                        name=f"{when} shape",
                        legendgroup=when,
                        showlegend=legend(when),
                        line=dict(color=colour, dash=dash, width=2.5 if when == "final" else 1.5),
                        hovertemplate=f"{when}: f(%{{x:.2f}}) = %{{y:.3g}}<extra>{name}</extra>",
                    ),
                    row=row,
                    col=col,
                )
            histograms = entry.get("histograms") or {}
            if histograms.get("final") is not None:
                bars = _histogram_bars(histograms["final"], colour, legend("hist"))
                fig.add_trace(bars, row=row + 1, col=col)
            if histograms.get("initial") is not None:
                outline = _histogram_outline(histograms["initial"], colour, legend("hist0"))
                fig.add_trace(outline, row=row + 1, col=col)
            if histograms.get("final") is None and entry["quantiles"] is not None:
                density = _density(entry["quantiles"], colour, legend("hist"))
                fig.add_trace(density, row=row + 1, col=col)
            fig.update_yaxes(showticklabels=False, row=row + 1, col=col)
            # The histogram sits under its curve on the same z axis, ticks under the pair only.
            curve_axis = fig.get_subplot(row, col).xaxis.plotly_name.replace("axis", "")
            fig.update_xaxes(matches=curve_axis, row=row + 1, col=col)
            fig.update_xaxes(showticklabels=False, row=row, col=col)
    _base_layout(fig, title=title, height=height + 50)
    # The legend below the panels: above them its four entries wrap onto the panels' titles.
    fig.update_layout(
        hovermode="closest",
        bargap=0,
        margin=dict(b=95),
        legend=dict(orientation="h", yanchor="top", y=-30 / height, xanchor="left", x=0),
    )
    return fig


def _shape_band(entry, colour: str, legend: bool) -> go.Scatter:
    """The spread of the units' final shapes (core/study/learned.py BAND_RULE) as a filled band."""
    low, high = entry["band"]
    x = np.concatenate([entry["x"], entry["x"][::-1]])
    return go.Scatter(
        x=_list(x),
        y=_list(np.concatenate([high, low[::-1]])),
        fill="toself",
        fillcolor=_hex_to_rgba(colour, 0.2),
        line=dict(width=0),
        name=f"units' final shapes, 5–95 % ({entry.get('units', 0)} curves)",
        legendgroup="band",
        showlegend=legend,
        hoverinfo="skip",
    )


def _histogram_bars(h, colour: str, legend: bool) -> go.Bar:
    edges = np.asarray(h["edges"], dtype=float)
    return go.Bar(
        x=_list((edges[:-1] + edges[1:]) / 2),
        y=_list(h["density"]),
        width=_list(np.diff(edges)),
        marker=dict(color=_hex_to_rgba(colour, 0.35), line=dict(color=colour, width=0.5)),
        name="pre-activations on the probe, after the last epoch",
        legendgroup="hist",
        showlegend=legend,
        hovertemplate=(
            f"%{{y:.3g}} per unit z<extra>seed {h['seed']}; "
            f"{100 * h['outside']:.1f} % beyond the range</extra>"
        ),
    )


def _histogram_outline(h, colour: str, legend: bool) -> go.Scatter:
    """The initial histogram as a dashed line through its bins' tops (a dashed step outline
    breaks into specks on narrow bins)."""
    edges = np.asarray(h["edges"], dtype=float)
    centres = (edges[:-1] + edges[1:]) / 2
    x = np.concatenate([[edges[0]], centres, [edges[-1]]])
    y = np.concatenate([[0.0], np.asarray(h["density"], dtype=float), [0.0]])
    return go.Scatter(
        x=_list(x),
        y=_list(y),
        mode="lines",
        line=dict(color=colour, dash="dash", width=1.2),
        name="pre-activations on the probe, at initialisation",
        legendgroup="hist0",
        showlegend=legend,
        hoverinfo="skip",
    )


def _density(quantiles, colour: str, legend: bool) -> go.Bar:
    """Bars between consecutive quantiles, each with the share of samples between them over its
    width: the distribution as far as five quantiles tell it."""
    q = np.asarray(quantiles, dtype=float)
    shares = np.diff(QUANTILES)
    widths = np.maximum(np.diff(q), 1e-6)
    return go.Bar(
        x=_list((q[:-1] + q[1:]) / 2),
        y=_list(shares / widths),
        width=_list(widths),
        marker=dict(color=_hex_to_rgba(colour, 0.35), line=dict(color=colour, width=1)),
        name="pre-activations on the probe (from 5 quantiles)",
        legendgroup="hist",
        showlegend=legend,
        hovertemplate="%{y:.3g} per unit z<extra></extra>",
    )


def _list(values) -> list:
    """Plain floats (None for NaN), so the figure's JSON is readable without plotly's binary."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]
