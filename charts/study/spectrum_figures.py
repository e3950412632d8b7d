"""The Depth page's Jacobian spectrum: the singular values of each activation's network at
initialisation, orthogonal weights beside Gaussian ones, and the theory's moments against the
measured ones. Data in, `go.Figure` or DataFrame out; no streamlit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout
from charts.palette import as_style

WEIGHT_TITLES = {"orthogonal": "Orthogonal weights", "gaussian": "Gaussian weights"}
BINS = 60


def _density(values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A histogram of log10 `values` on `edges` as a density over log10 s: each bin's share of
    the N singular values per unit of log10 s."""
    counts, _ = np.histogram(np.log10(values), bins=edges)
    total = max(int(counts.sum()), 1)
    widths = np.diff(edges)
    return (edges[:-1] + edges[1:]) / 2, counts / total / widths


def spectrum_figure(spectra: Sequence, colours: Mapping) -> go.Figure:
    """Two panels, orthogonal and Gaussian weights; in each, the density of log10 of the
    Jacobian's singular values of every activation's network, in its colour, on shared bins."""
    kinds = [k for k in WEIGHT_TITLES if any(s.weights == k for s in spectra)]
    fig = make_subplots(
        rows=1,
        cols=len(kinds) or 1,
        subplot_titles=[WEIGHT_TITLES[k] for k in kinds],
        shared_yaxes=True,
        horizontal_spacing=0.06,
    )
    logs = [np.log10(s.resolved) for s in spectra if s.resolved.size]
    low = min((float(v.min()) for v in logs), default=-1.0)
    high = max((float(v.max()) for v in logs), default=1.0)
    pad = max(0.05 * (high - low), 0.05)
    edges = np.linspace(low - pad, high + pad, BINS + 1)
    for s in spectra:
        if s.weights not in kinds or not s.resolved.size:
            continue
        style = as_style(colours.get(s.name))
        x, y = _density(s.resolved, edges)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line=dict(color=style.colour, width=2.2, dash=style.dash, shape="hvh"),
                name=s.name,
                legendgroup=s.name,
                showlegend=s.weights == kinds[0],
                hovertemplate=f"{s.name}: %{{y:.3g}} at s = 10^%{{x:.2f}}<extra></extra>",
            ),
            row=1,
            col=kinds.index(s.weights) + 1,
        )
    # Isometry is s = 1: mark it on every panel.
    for i in range(len(kinds)):
        fig.add_vline(x=0.0, line=dict(color="#888888", width=1, dash="dot"), row=1, col=i + 1)
        fig.update_xaxes(title_text="log₁₀ singular value", row=1, col=i + 1)
    fig.update_yaxes(title_text="density", row=1, col=1)
    fig.update_annotations(font=dict(size=14))
    _base_layout(fig, height=380)
    fig.update_layout(hovermode="closest", margin=dict(t=80), legend=dict(y=1.1))
    return fig


def spectrum_table(spectra: Sequence) -> pd.DataFrame:
    """Per network: σ_w², the theory's and the measured mean and normalised variance of s², and
    how many singular values fell below the floor."""
    return pd.DataFrame(
        [
            {
                "activation": s.name,
                "weights": WEIGHT_TITLES[s.weights].split()[0],
                "σ_w²": s.sigma_w2,
                "mean s², theory": s.predicted_mean,
                "mean s², measured": s.measured_mean,
                "spread, theory": s.predicted_spread,
                "spread, measured": s.measured_spread,
                "below floor": int(s.singular.size - s.resolved.size),
            }
            for s in spectra
        ]
    )
