"""Charts of what happens inside the networks of a comparison (measured by
core/train/network/diagnostics.py): every activation in the same charts, in the view's colours,
with an epoch slider.

Plain data in, `go.Figure` out; no Streamlit and no TensorFlow. The slider restyles the traces in
the browser, so moving it needs no rerun and works in the downloaded HTML report too.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout, _hex_to_rgba
from charts.palette import as_style
from core.train.rates import Shown

MEASURES = ("pre_quantiles", "act_quantiles", "dead", "saturated", "grad_norm")


def per_activation(shown: Shown) -> dict[str, dict[str, np.ndarray]]:
    """Each activation's measures, the mean over its seeds: {name: {measure: (epochs, layers[, Q])
    array}}, NaN where a measure does not apply. An epoch counts while any seed has it (a seed
    that diverged drops out of the mean). A learning-rate sweep: each activation at its best
    rate, as the training charts show it."""
    out = {}
    for name, seeds in shown.chosen.by_activation().items():
        epochs = max((len(b.grad_norm) for b in seeds), default=0)
        if not epochs:
            continue
        means = {}
        for measure in MEASURES:
            stacked = []
            for b in seeds:
                rows = getattr(b, measure)
                padded = [rows[e] if e < len(rows) else None for e in range(epochs)]
                stacked.append(_array(padded, _shape(rows)))
            with warnings.catch_warnings():  # an all-NaN cell: a measure that does not apply
                warnings.simplefilter("ignore", category=RuntimeWarning)
                means[measure] = np.nanmean(np.stack(stacked), axis=0)
        out[name] = means
    return out


def _shape(rows) -> tuple:
    first = np.asarray(_nan(rows[0]), dtype=float) if rows else np.zeros(0)
    return first.shape


def _nan(value):
    if value is None:
        return math.nan
    if isinstance(value, list):
        return [_nan(v) for v in value]
    return value


def _array(rows, shape) -> np.ndarray:
    filled = [_nan(r) if r is not None else np.full(shape, np.nan) for r in rows]
    return np.asarray(filled, dtype=float)


def _epochs(series, measure: str) -> int:
    """Entries to slide over: the most any activation has (one that diverged has fewer)."""
    return max(len(m[measure]) for m in series.values())


def _at(values: np.ndarray, epoch: int) -> np.ndarray:
    """Entry `epoch` of one activation's measure; NaN (not drawn) past its last entry."""
    return values[epoch] if epoch < len(values) else np.full(values.shape[1:], np.nan)


def _values(a: np.ndarray) -> list:
    """A Plotly-ready list: NaN becomes a gap."""
    return [None if not np.isfinite(v) else float(v) for v in a]


def _slider(epochs: int, steps_args: list[dict], prefix: str = "after epoch ") -> dict:
    return dict(
        active=epochs - 1,
        currentvalue=dict(prefix=prefix, font=dict(size=13)),
        pad=dict(t=50, b=0),
        steps=[
            dict(
                method="restyle",
                label="init" if e == 0 else str(e),
                args=[steps_args[e]],
            )
            for e in range(epochs)
        ],
    )


def gradient_flow_figure(series, colours: dict[str, str], title: str = "") -> go.Figure:
    """Per layer: the gradient norm of its kernel (log), and its dead and saturated units; one
    line per activation; an epoch slider (0 = at initialisation)."""
    fig = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.44, 0.28, 0.28],
        horizontal_spacing=0.07,
        subplot_titles=(
            "‖∂loss/∂kernel‖ per layer (log)",
            "dead units (share)",
            "saturated units (share)",
        ),
    )
    epochs = _epochs(series, "grad_norm")
    args: list[dict] = [{"y": []} for _ in range(epochs)]
    for name, m in series.items():
        style = as_style(colours.get(name))
        colour, dash, symbol = style.colour, style.dash, style.symbol
        kernels = m["grad_norm"].shape[1]
        layers = m["dead"].shape[1]
        x_grad = [str(i + 1) for i in range(kernels - 1)] + ["out"]
        x_units = [str(i + 1) for i in range(layers)]
        for col, (measure, xs) in enumerate(
            (("grad_norm", x_grad), ("dead", x_units), ("saturated", x_units)), start=1
        ):
            values = m[measure]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=_values(_at(values, epochs - 1)),
                    name=name,
                    legendgroup=name,
                    showlegend=col == 1,
                    mode="lines+markers",
                    line=dict(color=colour, width=2.2, dash=dash),
                    marker=dict(size=6, color=colour, symbol=symbol),
                    hovertemplate=f"{name}, layer %{{x}}: %{{y:.3g}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
            for e in range(epochs):
                args[e]["y"].append(_values(_at(values, e)))
    fig.update_yaxes(type="log", exponentformat="power", dtick=1, row=1, col=1)
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%", row=1, col=2)
    fig.update_yaxes(range=[-0.03, 1.03], tickformat=".0%", row=1, col=3)
    fig.update_xaxes(title_text="layer", type="category")
    return _finish(fig, title, epochs, args, height=430, legend_y=1.12, top=80)


def distributions_figure(series, colours: dict[str, str], title: str = "") -> go.Figure:
    """Per layer, each activation's distribution of pre-activations z and of activations f(z)
    on the probe: box from the 25th to the 75th percentile, line at the median, whiskers from
    the 5th to the 95th; an epoch slider."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.09,
        subplot_titles=("pre-activations z", "activations f(z)"),
    )
    epochs = _epochs(series, "act_quantiles")
    keys = ("lowerfence", "q1", "median", "q3", "upperfence")  # in QUANTILES' order
    args: list[dict] = [{k: [] for k in keys} for _ in range(epochs)]
    for name, m in series.items():
        colour = as_style(colours.get(name)).colour  # a box has no dash: the legend order tells
        for row, measure in enumerate(("pre_quantiles", "act_quantiles"), start=1):
            q = m[measure]  # (epochs, layers, 5)
            xs = [str(i + 1) for i in range(q.shape[1])]
            last = _at(q, epochs - 1)
            fig.add_trace(
                go.Box(
                    x=xs,
                    name=name,
                    legendgroup=name,
                    showlegend=row == 1,
                    marker=dict(color=colour),
                    line=dict(color=colour, width=1.6),
                    fillcolor=_hex_to_rgba(colour, 0.25),
                    boxpoints=False,
                    **{k: _values(last[:, i]) for i, k in enumerate(keys)},
                ),
                row=row,
                col=1,
            )
            for e in range(epochs):
                for i, k in enumerate(keys):
                    args[e][k].append(_values(_at(q, e)[:, i]))
    fig.update_layout(boxmode="group", boxgroupgap=0.25, boxgap=0.15)
    fig.update_xaxes(type="category")
    fig.update_xaxes(title_text="layer", row=2, col=1)
    return _finish(fig, title, epochs, args, height=560, legend_y=1.06, top=70)


def _finish(fig, title: str, epochs: int, args, height: int, legend_y: float, top: int):
    """The common layout: legend on top, the epoch slider (and room for it) below."""
    slider = epochs > 1
    _base_layout(fig, title=title, height=height + (80 if slider else 0))
    fig.update_layout(
        hovermode="closest",
        sliders=[_slider(epochs, args)] if slider else [],
        legend=dict(orientation="h", yanchor="bottom", y=legend_y, xanchor="left", x=0),
        margin=dict(t=top + (30 if title else 0), b=120 if slider else 40),
    )
    return fig
