"""How a search went: each scored candidate's score in the order it was drawn, the best so far,
and the baselines trained in the same search as level lines."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from charts.figures import FONT
from charts.palette import CHART_BACKGROUND, view_colours
from charts.search.leaderboard import BASELINE_LABEL, mean_std
from core.study.search.search import BASELINES, SearchState

CANDIDATE_GREY = "#8c8c8c"  # the candidates are many and unnamed here: one grey, the baselines
# keep their palette colours


def progress_figure(state: SearchState, theme: str = "light", height: int = 320) -> go.Figure:
    """Score (mean validation accuracy over seeds, %) of every scored candidate against the
    order it was drawn in; the running best as a step line; relu and silu as dashed levels."""
    scored = sorted(state.scored, key=lambda e: e.index)
    order = [e.index for e in scored]
    scores = [100 * mean_std(e.accuracy)[0] for e in scored]
    finite = [s if math.isfinite(s) else -math.inf for s in scores]
    best = list(np.maximum.accumulate(finite)) if finite else []
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=order,
            y=scores,
            mode="markers",
            name="candidate",
            marker=dict(color=CANDIDATE_GREY, size=7),
            text=[f"{e.name}: {e.expression}" for e in scored],
            hovertemplate="%{text}<br>score %{y:.1f} %<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=order,
            y=best,
            mode="lines",
            line=dict(shape="hv", color=CANDIDATE_GREY, width=2),
            name="best so far",
            hoverinfo="skip",
        )
    )
    colours = view_colours(BASELINES, theme)
    for name in BASELINES:
        level = 100 * mean_std(state.baselines.get(name, []))[0]
        if math.isfinite(level):
            fig.add_hline(y=level, line=dict(color=colours[name], dash="dash", width=2))
            fig.add_trace(  # a legend entry for the line (add_hline has none)
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="lines",
                    name=f"{BASELINE_LABEL[name]} {level:.1f} %",
                    line=dict(color=colours[name], dash="dash", width=2),
                )
            )
    fig.update_layout(
        font=FONT,
        height=height,
        margin=dict(l=50, r=20, t=40, b=45),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        plot_bgcolor=CHART_BACKGROUND.get(theme, None),
        xaxis_title="candidate (in the order drawn; refused ones have no point)",
        yaxis_title="score: mean val. accuracy (%)",
    )
    return fig
