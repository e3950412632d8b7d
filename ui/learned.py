"""The "Learned activation parameters" section of a comparison: each parameter over epochs, and
each layer's learned activation over its input distribution."""

from __future__ import annotations

import streamlit as st

from core.figures import png_config
from core.learned import learned_curves, learned_series
from core.learned_figures import parameter_figure, shape_figure
from ui.catalogue import session_catalogue


def learned_figures(comparison, colours: dict) -> list:
    """The section's charts for a report: none when nothing was learned; the parameter chart
    alone when the activation's definition is not in this session."""
    series = learned_series(comparison)
    if not series:
        return []
    figures = [parameter_figure(series, colours, "Learned activation parameters")]
    try:
        curves = learned_curves(comparison, session_catalogue())
    except ValueError:
        return figures
    return figures + [shape_figure(curves, colours, "Learned activation shapes")]


def learned_ui(comparison, colours: dict, key: str | None) -> None:
    """The section, when the comparison learns activation parameters. `key` keeps the charts'
    zoom across reruns (None for live charts)."""
    series = learned_series(comparison)
    if not series:
        return
    st.markdown("#### Learned activation parameters")
    st.caption(
        "Each learned parameter after every epoch (epoch 0: its initial value), per hidden "
        "layer; with one per unit, the line is the mean over units and the band ± one std. "
        "The mean over seeds."
    )
    st.plotly_chart(
        parameter_figure(series, colours),
        config=png_config("learned-parameters"),
        key=None if key is None else f"{key}.params",
    )
    try:
        curves = learned_curves(comparison, session_catalogue())
    except ValueError as error:  # a custom of another session: its function is not here
        st.caption(f"The learned shapes need the activation's definition: {error}")
        return
    has_probe = comparison.has_diagnostics
    st.caption(
        "Each layer's activation with its final parameters (solid) and its initial ones "
        "(dashed); a per-unit parameter is drawn at its mean over units. "
        + (
            "Underneath, that layer's pre-activations on the probe batch after the last epoch, "
            "as a density between their 5/25/50/75/95 % quantiles."
            if has_probe
            else "Switch on **Inside the network** to see each layer's pre-activations under it."
        )
    )
    st.plotly_chart(
        shape_figure(curves, colours),
        config=png_config("learned-shapes"),
        key=None if key is None else f"{key}.shapes",
    )
