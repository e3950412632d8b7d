"""The Playground's pictures: one decision-boundary panel per activation, the losses of all of
them on one chart, and each neuron's thumbnail. Data in, `go.Figure` or PNG bytes out."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from charts.figures import FONT
from charts.palette import CHART_BACKGROUND, Style, as_style
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


def thumbnail_png(values: np.ndarray, size: int = 72, margin: int = 4) -> bytes:
    """A neuron's thumbnail: its output over the plane on [−1, 1], in a transparent margin (a
    layer's thumbnails stand side by side; without it they read as one strip)."""
    from PIL import Image, ImageOps

    field = Image.fromarray(field_rgb(values)).convert("RGBA")
    field = field.resize((size, size), Image.Resampling.NEAREST)
    framed = ImageOps.expand(field, border=margin, fill=(0, 0, 0, 0))
    out = io.BytesIO()
    framed.save(out, format="PNG")
    return out.getvalue()


MAX_POINTS = 400  # per loss line: a long run's chart stays light to send and draw


def thinned(values: Sequence[float]) -> tuple[list[int], list[float]]:
    """(epochs, values) with at most about MAX_POINTS points, the last one always kept."""
    n = len(values)
    stride = max(1, math.ceil(n / MAX_POINTS))
    epochs = list(range(0, n, stride))
    if epochs and epochs[-1] != n - 1:
        epochs.append(n - 1)
    return epochs, [values[e] for e in epochs]


PANEL = 250  # px per panel at 1×; the PNG is drawn at SCALE× for sharp text and points
SCALE = 2
TITLE_HEIGHT = 30
GAP = 18
INK = {"light": ("#31333f", "#6b6f7b"), "dark": ("#fafafa", "#a3a8b8")}  # text, secondary


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def panels_png(
    names: Sequence[str],
    output: np.ndarray,
    data: PlaneData,
    history: Mapping[str, Sequence[Sequence[float]]],
    styles: Mapping[str, Style | str],
    *,
    show_train: bool = False,
    theme: str = "light",
    title: str | None = None,
) -> bytes:
    """The panels as one PNG: each activation's output over the plane, the test points on it
    (and the training points, smaller, when asked), titled with the activation in its colour and
    its latest test loss. An image, not a Plotly figure, because the live view redraws it every
    refresh: Streamlit gives a Plotly chart whose figure changed a new identity, and the browser
    drew it from scratch each time (blank a third of the time, measured while training)."""
    from PIL import Image, ImageDraw

    k = len(names)
    columns = min(PANEL_COLUMNS, k)
    rows = math.ceil(k / columns)
    s, p = SCALE, PANEL * SCALE
    head = (TITLE_HEIGHT + 14) * s if title else 0
    width = columns * p + (columns - 1) * GAP * s
    height = head + rows * (p + TITLE_HEIGHT * s) + (rows - 1) * GAP * s
    background = CHART_BACKGROUND.get(theme, "#ffffff")
    ink, soft = INK.get(theme, INK["light"])
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((0, 4 * s), title, fill=ink, font=_font(17 * s))
    limit = 1.0 if data.task == "classification" else max(1.0, float(np.nanmax(np.abs(output))))
    point_sets = [(data.test_points, data.test_labels, "#ffffff", 3.2)]
    if show_train:
        point_sets.insert(0, (data.train_points, data.train_labels, "#3a3a3a", 2.2))
    title_font, loss_font = _font(15 * s), _font(13 * s)
    for i, name in enumerate(names):
        row, col = divmod(i, columns)
        x0 = col * (p + GAP * s)
        y0 = head + row * (p + TITLE_HEIGHT * s + GAP * s)
        colour = as_style(styles.get(name)).colour
        draw.text((x0, y0 + 4 * s), name, fill=colour, font=title_font)
        test = history.get("test_loss", [])
        if len(test) > i and test[i]:
            shift = draw.textlength(name, font=title_font) + 8 * s
            loss = f"test loss {test[i][-1]:.3f}"
            draw.text((x0 + shift, y0 + 6 * s), loss, fill=soft, font=loss_font)
        top = y0 + TITLE_HEIGHT * s
        field = Image.fromarray(field_rgb(output[i], limit)).resize(
            (p, p), Image.Resampling.BILINEAR
        )
        image.paste(field, (x0, top))
        for points, labels, edge, radius in point_sets:
            r = radius * s
            for (x, y), label in zip(points, labels, strict=True):
                cx = x0 + (x + DOMAIN) / (2 * DOMAIN) * p
                cy = top + (DOMAIN - y) / (2 * DOMAIN) * p
                fill = POSITIVE if label > 0 else NEGATIVE
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill, outline=edge, width=s)
    out = io.BytesIO()
    # Level 1: about 3× faster than the default (0.35 → 0.1 s for six panels), twice the bytes.
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


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
