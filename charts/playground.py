"""The Playground's pictures: one decision-boundary panel per activation, the losses of all of
them on one chart, and each neuron's thumbnail. Data in, `go.Figure` or PNG bytes out."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures import FONT
from core.palette import CHART_BACKGROUND, Style, as_style
from core.playground.data import DOMAIN, PlaneData

# Playground's colours: orange for −1, blue for +1, a light grey between.
NEGATIVE, MIDDLE, POSITIVE = "#f59322", "#e8eaeb", "#0877bd"
PANEL_COLUMNS = 3


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.float32)


def field_rgb(values: np.ndarray, limit: float = 1.0) -> np.ndarray:
    """Values (R, R) as Playground colours them: −limit orange, 0 grey, +limit blue, clipped."""
    t = np.clip(np.nan_to_num(values / limit), -1.0, 1.0)[..., None]
    neg, mid, pos = _rgb(NEGATIVE), _rgb(MIDDLE), _rgb(POSITIVE)
    rgb = np.where(t < 0, mid + (neg - mid) * -t, mid + (pos - mid) * t)
    return rgb.astype(np.uint8)


def field_png(values: np.ndarray, limit: float = 1.0, size: int | None = None) -> bytes:
    """Values over the plane (R, R), rows from the top, as a PNG coloured as Playground colours
    them on [−limit, limit] (a ReLU unit past 1 shows as full blue); scaled to size × size."""
    from PIL import Image

    image = Image.fromarray(field_rgb(values, limit))
    if size is not None:
        image = image.resize((size, size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def thumbnail_png(values: np.ndarray, size: int = 72) -> bytes:
    """A neuron's thumbnail: its output over the plane on [−1, 1]."""
    return field_png(values, 1.0, size)


MAX_POINTS = 400  # per loss line: a long run's chart stays light to send and draw


def thinned(values: Sequence[float]) -> tuple[list[int], list[float]]:
    """(epochs, values) with at most about MAX_POINTS points, the last one always kept."""
    n = len(values)
    stride = max(1, math.ceil(n / MAX_POINTS))
    epochs = list(range(0, n, stride))
    if epochs and epochs[-1] != n - 1:
        epochs.append(n - 1)
    return epochs, [values[e] for e in epochs]


def panel_title(name: str, history: Mapping[str, Sequence[Sequence[float]]], k: int) -> str:
    test = history.get("test_loss", [])
    loss = test[k][-1] if len(test) > k and test[k] else float("nan")
    return f"<b>{name}</b> · test loss {loss:.3f}" if math.isfinite(loss) else f"<b>{name}</b>"


def boundaries_figure(
    names: Sequence[str],
    output: np.ndarray,
    data: PlaneData,
    history: Mapping[str, Sequence[Sequence[float]]],
    styles: Mapping[str, Style | str],
    *,
    show_train: bool = False,
    theme: str = "light",
    title: str | None = None,
) -> go.Figure:
    """One panel per activation: its output over the plane (the decision boundary is where the
    colour turns) under the test points (and the training points when asked), each panel titled
    with its activation in its colour and its latest test loss."""
    k = len(names)
    columns = min(PANEL_COLUMNS, k)
    rows = math.ceil(k / columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[panel_title(n, history, i) for i, n in enumerate(names)],
        horizontal_spacing=0.04,
        vertical_spacing=0.08 if rows > 1 else 0.0,
    )
    limit = 1.0 if data.task == "classification" else max(1.0, float(np.nanmax(np.abs(output))))
    point_sets = [(data.test_points, data.test_labels, "test", 1.0)]
    if show_train:
        point_sets.append((data.train_points, data.train_labels, "train", 0.45))
    images = []
    for i in range(k):
        row, col = divmod(i, columns)
        # The field as an image under the points: a 100 × 100 PNG is ~10 kB where a heatmap's
        # numbers are ~80 kB a panel, sent every refresh.
        uri = "data:image/png;base64," + base64.b64encode(field_png(output[i], limit)).decode()
        axis = "" if i == 0 else str(i + 1)
        images.append(
            dict(
                source=uri,
                xref=f"x{axis}",
                yref=f"y{axis}",
                x=-DOMAIN,
                y=DOMAIN,
                sizex=2 * DOMAIN,
                sizey=2 * DOMAIN,
                sizing="stretch",
                layer="below",
            )
        )
        for points, labels, which, opacity in point_sets:
            fig.add_trace(
                go.Scattergl(
                    x=points[:, 0],
                    y=points[:, 1],
                    mode="markers",
                    marker=dict(
                        size=5,
                        color=labels,
                        cmin=-1,
                        cmax=1,
                        colorscale=[[0, NEGATIVE], [0.5, "#888888"], [1, POSITIVE]],
                        line=dict(width=0.8, color="white" if which == "test" else "#555555"),
                        opacity=opacity,
                    ),
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=row + 1,
                col=col + 1,
            )
    for annotation, name in zip(fig.layout.annotations, names, strict=True):
        annotation.font = dict(size=13, color=as_style(styles.get(name)).colour)
    fig.update_xaxes(range=[-DOMAIN, DOMAIN], showgrid=False, zeroline=False, tickvals=[-6, 0, 6])
    fig.update_yaxes(range=[-DOMAIN, DOMAIN], showgrid=False, zeroline=False, tickvals=[-6, 0, 6])
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    for i in range(2, k + 1):  # every panel square: its y axis follows its own x axis
        fig.update_layout({f"yaxis{i}": dict(scaleanchor=f"x{i}", scaleratio=1)})
    fig.update_layout(
        images=images,
        font=FONT,
        height=40 + rows * 300 + (40 if title else 0),
        margin=dict(l=30, r=10, t=70 if title else 30, b=20),
        title=dict(text=title, x=0.01) if title else None,
        paper_bgcolor=CHART_BACKGROUND.get(theme, "#ffffff"),
        plot_bgcolor=CHART_BACKGROUND.get(theme, "#ffffff"),
    )
    return fig


def losses_figure(
    names: Sequence[str],
    history: Mapping[str, Sequence[Sequence[float]]],
    styles: Mapping[str, Style | str],
    *,
    height: int = 300,
) -> go.Figure:
    """Train loss (solid) and test loss (dashed) of every activation over epochs, on one chart
    (Playground's loss plot, one colour per activation)."""
    fig = go.Figure()
    for key, dash, label in (("loss", "solid", "train"), ("test_loss", "dash", "test")):
        for k, name in enumerate(names):
            values = history.get(key, [])
            xs, ys = thinned(values[k] if len(values) > k else [])
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=name if key == "loss" else f"{name} (test)",
                    legendgroup=name,
                    showlegend=key == "loss",
                    line=dict(color=as_style(styles.get(name)).colour, dash=dash, width=2),
                    hovertemplate=f"{name} {label}: %{{y:.4f}}<extra></extra>",
                )
            )
    fig.update_layout(
        font=FONT,
        title=dict(text="Loss: train solid, test dashed", x=0.01),
        height=height,
        margin=dict(l=50, r=20, t=60, b=40),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hovermode="x unified",
    )
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(title_text="½(output − label)²", rangemode="tozero")
    return fig
