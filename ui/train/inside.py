"""The "Inside the network" section of a comparison (Train and Runs): per-layer gradient flow,
dead and saturated units and distributions, each with the criterion that measured it."""

from __future__ import annotations

import streamlit as st

from charts.figures import png_config
from charts.inside_figures import distributions_figure, gradient_flow_figure, per_activation
from core.train.network.diagnostics import DEAD_RULE, QUANTILE_VALUES, SATURATED_RULE
from core.train.rates import Shown


def inside_figures(shown: Shown, colours: dict) -> list:
    """The section's charts (none when the run recorded no diagnostics), e.g. for a report."""
    if not shown.record.has_diagnostics:
        return []
    series = per_activation(shown)
    return [gradient_flow_figure(series, colours), distributions_figure(series, colours)]


def criteria_text(comparison) -> str:
    return (
        f"Measured on a fixed probe of the first {comparison.probe_samples} validation samples, "
        f"at initialisation and after every epoch; the mean over seeds. **Gradient**: the L2 "
        f"norm of each layer's kernel gradient of the mean loss on the probe. **Dead**: "
        f"{DEAD_RULE}. **Saturated**: {SATURATED_RULE}. Vector activations (softmax…) have no "
        f"per-unit derivative, so no dead or saturated share. **Distributions**: boxes span the "
        f"25th–75th percentile, whiskers the 5th–95th, over an even subset of at most "
        f"{QUANTILE_VALUES:,} of a layer's values (samples × units)."
    )


def inside_ui(shown: Shown, colours: dict, key: str | None) -> None:
    """The section, or a line saying why there is none. `key` keeps the charts' zoom and slider
    across reruns (None for live charts, redrawn every second)."""
    comparison = shown.record
    if not comparison.config.diagnostics:
        st.caption(
            "Inside the network: switched off for this run (the **Inside the network** toggle)."
        )
        return
    if not comparison.has_diagnostics:
        st.caption("Inside the network: nothing recorded yet for this run.")
        return
    st.markdown("#### Inside the network")
    st.caption(criteria_text(comparison))
    flow, spread = inside_figures(shown, colours)
    flow_tab, spread_tab = st.tabs(["Gradient flow and units", "Distributions per layer"])
    flow_tab.plotly_chart(
        flow,
        config=png_config("gradient-flow"),
        key=None if key is None else f"{key}.flow",
    )
    spread_tab.plotly_chart(
        spread,
        config=png_config("distributions"),
        key=None if key is None else f"{key}.spread",
    )
