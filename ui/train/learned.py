"""The "Learned activation parameters" section of a comparison: each parameter over epochs, and
each layer's learned activation over its input distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from activations.expression import ExpressionError, custom_activation
from charts.figures import png_config
from charts.learned_figures import parameter_figure, shape_figure
from core.study.learned import (
    BAND_RULE,
    EPOCHS_RULE,
    THEORY_RULE,
    learned_curves,
    learned_parameter_values,
    learned_series,
    theory_at,
)
from core.train.network.diagnostics import HISTOGRAM_RULE
from core.train.rates import Shown
from ui.catalogue import session_catalogue
from ui.customs import add_custom


def learned_figures(shown: Shown, colours: dict) -> list:
    """The section's charts for a report: none when nothing was learned; the parameter chart
    alone when the activation's definition is not in this session."""
    series = learned_series(shown)
    if not series:
        return []
    figures = [parameter_figure(series, colours, "Learned activation parameters")]
    try:
        curves = learned_curves(shown, session_catalogue())
    except ValueError:
        return figures
    return figures + [shape_figure(curves, colours, "Learned activation shapes")]


def shapes_caption(curves) -> str:
    """What the learned-shape chart draws and by which rules, for what this run recorded."""
    entries = [e for layers in curves.values() for e in layers]
    units = any("units" in e for e in entries)
    histograms = any((e.get("histograms") or {}).get("final") is not None for e in entries)
    quantiles = any(e.get("quantiles") is not None for e in entries)
    shape = (
        "Each layer's activation with its final parameters (solid: the median over units and "
        f"seeds; shaded: {BAND_RULE}) and its initial ones (dashed); {EPOCHS_RULE}. "
        if units
        else "Each layer's activation with its final parameters (solid) and its initial ones "
        f"(dashed); {EPOCHS_RULE}. This run kept only the mean of a per-unit parameter, so "
        "the final shape is drawn there too. "
    )
    if histograms:
        under = (
            "Underneath, that layer's pre-activations on the probe batch (first seed's network) "
            f"after the last epoch (bars) and at initialisation (dashed): {HISTOGRAM_RULE}."
        )
    elif quantiles:
        under = (
            "Underneath, that layer's pre-activations on the probe batch after the last epoch, "
            "as a density between their 5/25/50/75/95 % quantiles (this run recorded no "
            "histogram)."
        )
    else:
        under = "This run recorded no pre-activations to draw under the shapes."
    return shape + under


def learned_ui(shown: Shown, colours: dict, key: str | None) -> None:
    """The section, when the comparison learns activation parameters. `key` keeps the charts'
    zoom across reruns (None for live charts)."""
    series = learned_series(shown)
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
    theory_ui(shown)
    try:
        curves = learned_curves(shown, session_catalogue())
    except ValueError as error:  # a custom of another session: its function is not here
        st.caption(f"The learned shapes need the activation's definition: {error}")
        return
    st.caption(shapes_caption(curves))
    st.plotly_chart(
        shape_figure(curves, colours),
        config=png_config("learned-shapes"),
        key=None if key is None else f"{key}.shapes",
    )
    if key is not None:  # not while the run trains: its shapes still change every epoch
        formula_ui(curves, key)


def _formulas(x: np.ndarray, y: np.ndarray) -> list:
    """The closest formulas, kept in this session (a user's learned shape is theirs, not the
    shared cache's) under a digest of the curve."""
    import hashlib

    from core.study.shapes.formula import closest_formulas  # TensorFlow and SciPy: once needed

    kept = st.session_state.setdefault("learned.formulas", {})
    key = hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()
    if key not in kept:
        if len(kept) >= 32:
            kept.pop(next(iter(kept)))
        kept[key] = closest_formulas(x, y)
    return kept[key]


def _turn_on(flag: str) -> None:
    st.session_state[flag] = True


def _add_formula(name: str, text: str, where: str) -> None:
    try:
        add_custom(custom_activation(name, text))
        st.session_state[where] = f"Added {name} to this session's activations."
    except (ExpressionError, ValueError) as exc:
        st.session_state[where] = f"{name} could not be added: {exc}"


def formula_ui(curves: dict, key: str) -> None:
    """The formulas a·f(b·x + c) + d closest to one learned shape, each one click from being a
    custom."""
    from core.study.shapes.formula import CANDIDATES

    shapes = [(name, layer) for name, layers in curves.items() for layer in range(len(layers))]
    with st.expander("The formula it learned", expanded=False):
        st.caption(
            "The closest formulas a·f(b·x + c) + d to a learned shape (its final curve, the "
            "median over units and seeds), f one of "
            f"{', '.join(CANDIDATES)}; fitted by least squares on 400 evenly spaced points of "
            "the range its inputs covered (the chart's x range), ranked by R² = 1 − residual / "
            "total sum of squares, each scored as written (4 significant digits)."
        )
        choice = st.selectbox(
            "Shape",
            range(len(shapes)),
            format_func=lambda i: f"{shapes[i][0]}, layer {shapes[i][1] + 1}",
            key=f"{key}.formula.shape",
        )
        name, layer = shapes[choice]
        entry = curves[name][layer]
        x = np.linspace(float(entry["x"][0]), float(entry["x"][-1]), 400)
        y = np.interp(x, entry["x"], entry["final"])
        where = f"{key}.formula.added"
        if message := st.session_state.pop(where, None):
            st.info(message)
        on = f"{key}.formula.on"
        # Fitted on request (about a second), not on every run of the page.
        if not st.session_state.get(on):
            st.button(
                "Find the closest formulas", key=f"{key}.formula.go", on_click=_turn_on, args=(on,)
            )
            return
        try:
            with st.spinner(f"Fitting {len(CANDIDATES)} formulas…"):
                found = _formulas(x, y)
        except ValueError as exc:
            st.warning(str(exc))
            return
        for rank, formula in enumerate(found, 1):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(f"{rank}. `{formula.text}` — R² = {formula.r2:.6f}")
            custom_name = f"{name}_l{layer + 1}_{formula.function}"[:40]
            right.button(
                "Add as custom",
                key=f"{key}.formula.add.{choice}.{rank}",
                on_click=_add_formula,
                args=(custom_name, formula.text, where),
                help=f"Adds {custom_name}(x) = {formula.text} to this session's activations.",
            )


@st.cache_data(max_entries=512, show_spinner=False)
def _theory(name: str, definition: str, fixed: tuple, values: tuple, _act) -> tuple[float, float]:
    # Shared by every session: keyed by what defines the function (its name and, for a custom,
    # its expression) and the parameter values, never by the live activation (`_act`).
    return theory_at(_act, dict(fixed), dict(values))


def theory_table(shown: Shown) -> pd.DataFrame | None:
    """χ1 and 6 ξ_c of each learned activation per layer at its initial and final values; None
    when an activation's definition is not in this session."""
    catalogue = session_catalogue()
    rows = []
    for name, layer, when, values in learned_parameter_values(shown):
        try:
            act = catalogue.get(name)
        except ValueError:
            return None
        fixed = act.resolve(shown.record.config.params_for(name))
        fixed = {k: v for k, v in fixed.items() if k not in values}
        definition = act.expression or ""
        chi1, depth = _theory(
            name, definition, tuple(sorted(fixed.items())), tuple(sorted(values.items())), act
        )
        params = ", ".join(f"{p} {v:.3g}" for p, v in values.items())
        rows.append(
            {"activation": name, "layer": layer, "parameters": f"{when}: {params}",
             "χ1": chi1, "6 ξ_c (layers)": depth}
        )  # fmt: skip
    return pd.DataFrame(rows)


def theory_ui(shown: Shown) -> None:
    """Where the learned values put each activation relative to the edge of chaos."""
    table = theory_table(shown)
    if table is None or table.empty:
        return
    st.caption(THEORY_RULE)
    st.dataframe(
        table.style.format({"χ1": "{:.3f}", "6 ξ_c (layers)": "{:.3g}"}),
        hide_index=True,
        width="stretch",
        height=35 * len(table) + 40,  # every row: no scrolling inside the table
    )
