"""Plotly figure builders: data in, `go.Figure` out. They never call streamlit."""
from __future__ import annotations

import math
import re
from typing import Iterable, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def gallery_grid(items: Sequence[tuple[str, object, str]], columns: int = 6, panel_height: int = 150) -> go.Figure:
    """Small multiples: one panel per activation, f solid and f′ dashed in its colour.

    `items` are (name, curves, colour); curves has x, f, df.
    """
    rows = max(1, math.ceil(len(items) / columns))
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[n for n, _, _ in items],
                        horizontal_spacing=0.035, vertical_spacing=0.5 / rows if rows > 1 else 0.1)
    for i, (name, c, colour) in enumerate(items):
        row, col = divmod(i, columns)
        for key in ("f", "df"):
            fig.add_trace(
                go.Scatter(x=c.x, y=getattr(c, key), mode="lines", name=f"{name} {DERIVATIVE_LABEL[key]}",
                           line=dict(color=colour, dash=DERIVATIVE_DASH[key], width=2 if key == "f" else 1.4),
                           showlegend=False, hovertemplate=f"{name} {DERIVATIVE_LABEL[key]}(%{{x:.2f}}) = %{{y:.3f}}<extra></extra>"),
                row=row + 1, col=col + 1,
            )
    fig.update_xaxes(showticklabels=False, zeroline=True, zerolinecolor="#bbb", showgrid=False)
    fig.update_yaxes(showticklabels=False, zeroline=True, zerolinecolor="#bbb", showgrid=False)
    fig.update_annotations(font=dict(size=12))
    _base_layout(fig, height=rows * panel_height + 40)
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10), hovermode="closest")
    return fig


def detail_chart(items: Sequence[tuple[str, object, str]], show: Iterable[str] = ("f", "df"),
                 title: str | None = None, x_range: tuple[float, float] | None = None) -> go.Figure:
    """f, f′, f″ of the chosen activations overlaid: colour per activation, dash per derivative."""
    fig = go.Figure()
    for name, c, colour in items:
        for key in show:
            fig.add_trace(go.Scatter(
                x=c.x, y=getattr(c, key), mode="lines", name=f"{name} {DERIVATIVE_LABEL[key]}",
                legendgroup=name, line=dict(color=colour, dash=DERIVATIVE_DASH[key], width=2.6 if key == "f" else 1.8),
                hovertemplate="%{y:.4f}",
            ))
    fig.update_xaxes(title_text="x", zeroline=True, zerolinecolor="#999", range=list(x_range) if x_range else None)
    fig.update_yaxes(title_text="value", zeroline=True, zerolinecolor="#999")
    _base_layout(fig, title=title, height=500)
    # Below the plot, so a long legend never runs into the title.
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0))
    return fig
