"""The Depth page's "Make it trainable at depth L": Deep Kernel Shaping's transform and the
self-normalising constants of the picked activations, computed as a task of the server
(core/serve/trainable_runs.py), each transform one click from being a custom that trains on the
Train page at that depth."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from activations.expression import ExpressionError, custom_activation, custom_definition
from charts.tables import numbers_styled
from core.serve import trainable_runs
from core.serve.store import data_dir
from core.serve.tasks import TaskRunner, runner_for
from core.study.signal_settings import ZETA, ZETA_RANGE
from ui.customs import add_custom
from ui.jobs import session_token, task_progress
from ui.nav import link_to
from ui.serve.store import store
from ui.url import default

# Weights of variance 1/fan_in, zero biases: what DKS's conditions assume (Martens et al. 2021
# use orthogonal "delta" initialisation); Keras's Orthogonal on square layers gives that.
INIT = "orthogonal"


def _runner() -> TaskRunner:
    return runner_for(str(data_dir()), store())


def _request(catalogue, acts, depth: int, zeta: float) -> trainable_runs.Request:
    definitions = {
        a.name: custom_definition(catalogue.get(a.name)) for a in acts if a.expression is not None
    }
    return trainable_runs.Request(tuple(a.name for a in acts), depth, zeta, definitions)


def _dks_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "activation": r["name"],
                "α (input scale)": r["input_scale"],
                "β (input shift)": r["input_shift"],
                "δ (output shift)": r["output_shift"],
                "γ (output scale)": r["output_scale"],
                "C′(1) a layer": r["c_slope"],
                "Q′(1)": r["q_slope"],
                "conditions": _met(r),
            }
            for r in rows
        ]
    ).set_index("activation")


def _met(r: dict) -> str:
    """The table's short word on which conditions hold; the whole story is under the table."""
    if r["problem"]:
        return "no solution (below)"
    return "Q′(1) left free (below)" if r["note"] else "all four met"


# A fixed point attracts when the Jacobian's spectral radius is below 1 by more than its
# central-difference error (about 1e-9 here): a linear map (relu solved to slope 1) sits at 1.
MARGIN = 1e-6


def _attracts(r: dict) -> str:
    if r["snn_problem"]:
        return "—"
    radius = r["snn_radius"]
    if abs(radius - 1) <= MARGIN:
        return "marginal (≈ 1)"
    return "yes" if radius < 1 else "no"


def _tiny(value: float) -> float:
    return 0.0 if abs(value) < 1e-12 else value  # quadrature rounding of an exact 0


def _snn_table(rows: list[dict]) -> pd.DataFrame:
    def shape(r):
        if r["snn_shape"]:
            name, value = r["snn_shape"]
            return f"{name} = {value:.10g}"
        return "—" if r["snn_problem"] else f"output shift {_tiny(r['snn_shift']):.6g}"

    return pd.DataFrame(
        [
            {
                "activation": r["name"],
                "λ (scale)": r["snn_scale"],
                "shape": shape(r),
                "Jacobian radius": r["snn_radius"],
                "(0, 1) attracts": _attracts(r),
            }
            for r in rows
        ]
    ).set_index("activation")


def _add(name: str, expression: str, params: dict) -> None:
    try:
        add_custom(custom_activation(name, expression, {k: tuple(v) for k, v in params.items()}))
    except (ExpressionError, ValueError) as exc:
        st.session_state["trainable.error"] = f"{name} could not be added: {exc}"


def _customs_ui(catalogue, rows: list[dict], depth: int) -> None:
    """Per transform with a spelling: add it as a custom, then train it at this depth."""
    offered = [r for r in rows if r["expression"]]
    unspelled = [r["name"] for r in rows if not r["expression"] and not r["problem"]]
    if error := st.session_state.pop("trainable.error", None):
        st.error(error)
    for r in offered:
        suffix = f"_dks{depth}"  # the base name is shortened, never the suffix: a cut suffix
        name = r["name"][: 40 - len(suffix)] + suffix  # could name the user's own custom
        mine = catalogue.get(name) if name in catalogue else None
        text_col, add_col, link_col = st.columns([4, 1.2, 1.6], vertical_alignment="center")
        text_col.markdown(f"`{name}(x) = {r['expression']}`")
        if mine is not None and mine.expression == r["expression"]:
            add_col.caption("In this session ✓")
            with link_col:
                link_to(
                    "Train",
                    f"Train at depth {depth}",
                    act=f"{r['name']},{name}",
                    depth=str(depth),
                    init=INIT,
                )
            continue
        add_col.button(
            "Add as custom",
            key=f"trainable.add.{name}",
            on_click=_add,
            args=(name, r["expression"], r["params"]),
            disabled=mine is not None and mine.source != "session",  # a shared name
            help=f"Adds {name} to this session's activations: it trains, exports and shares "
            f"like any custom. Train it with orthogonal initialisation at depth {depth}, "
            "the setting the transform was solved for."
            + (f" (replaces your {name})" if mine is not None else ""),
        )
    if unspelled:
        st.caption(
            f"{', '.join(unspelled)}: the expression grammar has no spelling for it, so its "
            "transform is shown but not offered as a custom; type it on Custom and solve again."
        )


def trainable_ui(catalogue, acts, depth: int) -> None:
    """The section, for the picked element-wise activations at the page's depth."""
    st.subheader(f"Make it trainable at depth {depth}")
    st.caption(
        "Deep Kernel Shaping (Martens et al. 2021, arXiv 2110.01765; google-deepmind/dks): the "
        "activation becomes φ̂(x) = γ·(f(α·x + β) + δ), with α, β, δ, γ solved so that a "
        "vanilla network of this depth (weights of variance 1/fan-in, zero biases) keeps "
        "Q(1) = 1, C(0) = 0, Q′(1) = 1, and the whole network's correlation slope C′(1) = ζ, "
        "that is ζ^(1/L) a layer. A relu-like f (f(c·z) = c·f(z)) cannot meet Q′(1) = 1: its "
        "input shift is fixed at ±1 as DKS does, and the table says so."
    )
    zeta_col, button_col = st.columns([1, 3], vertical_alignment="bottom")
    default("trainable.zeta", ZETA)  # a link's zeta= wins (ui/url.py depth_fields)
    zeta = zeta_col.number_input(
        "ζ (whole-network C′(1))",
        min_value=ZETA_RANGE[0],
        max_value=ZETA_RANGE[1],
        step=0.1,
        key="trainable.zeta",
        help="DKS's c_slope_1_target (default 1.5): how much the network may pull two close "
        "inputs apart over all its layers. Closer to 1 is safer and slower to learn.",
    )
    runner = _runner()
    request = _request(catalogue, acts, depth, float(zeta))
    task = trainable_runs.latest(runner, request)
    if task is not None and task.status.active and runner.knows(task.id):
        task_progress(runner, task.id, "Solving")
        return
    finished = task is not None and "rows" in task.state and len(task.state["rows"]) == len(acts)
    button_col.button(
        "Solve again" if finished else f"Solve for {len(acts)} activation(s)",
        key="trainable.solve",
        type="secondary" if finished else "primary",
        on_click=trainable_runs.start,
        args=(runner, request, session_token()),
        help="A few seconds an activation on 2 cores, on the server: the page can be left "
        "meanwhile, the result is kept.",
    )
    if task is None:
        return
    if task.error:
        st.error(f"The last solve failed: {task.error}")
    rows = task.state.get("rows") or []
    if not rows:
        return
    table = _dks_table(rows)
    st.dataframe(numbers_styled(table, "{:.6g}"), width="stretch")
    st.caption(
        f"Target a layer: C′(1) = ζ^(1/L) = {zeta ** (1 / depth):.6g} (ζ = {zeta:g}, L = "
        f"{depth}). SciPy's root finder meets the conditions to 1e-8 from DKS's starting "
        "points, on expectations by Gauss–Legendre quadrature of each activation's own "
        "TensorFlow function, split at 0 and at every kink it has (tests/core/study/"
        "test_trainable.py checks them to 1e-7 against SciPy's adaptive quadrature, and "
        "against DeepMind's dks package). An activation that jumps is refused (its C′(1) is "
        "infinite)."
    )
    for r in rows:
        if r["problem"] or r["note"]:
            st.caption(f"**{r['name']}**: {r['problem'] or r['note']}")
    _customs_ui(catalogue, rows, depth)
    st.markdown("**Self-normalising constants** (Klambauer et al. 2017)")
    snn = _snn_table(rows)
    st.dataframe(numbers_styled(snn, "{:.10g}"), width="stretch")
    st.caption(
        "λ·f(x) with its first parameter (or an output shift, when it has none) solved so that "
        "mean 0 and variance 1 are a fixed point of the layer's map for normalised weights "
        "(LeCun normal); the fixed point attracts when the map's Jacobian there has a spectral "
        f"radius below 1 (by more than {MARGIN:g}; “marginal” within it, as for a linear "
        "map). From ELU this recovers SELU's α = 1.6732632… and λ = 1.0507009…."
    )
    for r in rows:
        if r["snn_problem"]:
            st.caption(f"**{r['name']}**: {r['snn_problem']}")
