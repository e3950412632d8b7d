"""Depth: what each activation does to a signal in an untrained deep network, layer by layer."""

import math

import pandas as pd
import streamlit as st

from charts.figures import png_config
from charts.study.depth_figures import (
    EXPLODING_ABOVE,
    VANISHING_BELOW,
    signal_figure,
    signal_table,
    unplotted,
)
from charts.study.theory_figures import SIGMA_B2, SIGMA_W2, XI_RANGE, phase_figure, theory_table
from charts.tables import numbers_styled
from core.study.signal import LOSS_TEXT, SAMPLES, VECTOR_REASON, estimate_seconds
from core.study.signal_settings import INIT_SIGMA_W2, INITIALISERS, MAX_DEPTH, MAX_SEED, WIDTHS
from core.train.network.diagnostics import DEAD_RULE
from ui import catalogue as ui_cat
from ui.nav import link_to, setup
from ui.palette import styles_here
from ui.study.signal import signal
from ui.study.spectrum import spectrum_ui
from ui.study.theory import (
    NO_THEORY,
    beyond_text,
    critical_at,
    gated_at,
    measures_at,
    phase,
    predicted_depths,
)
from ui.study.trainable import trainable_ui
from ui.url import default, depth_fields, publish, restore

# (button label, activations, initialiser, depth): the classic pictures, one click away.
PRESETS = (
    ("SELU self-normalises", ["selu", "elu", "tanh"], "lecun_normal", 50),
    ("Sigmoid's gradients vanish", ["sigmoid", "relu", "tanh"], "glorot_uniform", 10),
    ("Deep ReLU nets are born partly dead", ["relu", "leaky_relu", "gelu"], "he_normal", 50),
)


def _preset(acts, init, depth) -> None:
    st.session_state["depth.activations"] = acts
    st.session_state["depth.init"], st.session_state["depth.depth"] = init, depth


def presets_ui(catalogue) -> None:
    cols = st.columns(len(PRESETS))
    for col, (label, acts, init, depth) in zip(cols, PRESETS, strict=True):
        col.button(
            label,
            on_click=_preset,
            args=([a for a in acts if a in catalogue], init, depth),
            key=f"depth.preset.{label}",
            width="stretch",
        )


def choices_ui(catalogue) -> tuple[list[str], str, int, int, int]:
    """The activations, initialiser, depth, width and seed."""
    # The initialiser's longest label ("Glorot uniform (default)") needs ~230 px.
    acts_col, init_col = st.columns([2, 1.1], gap="medium", vertical_alignment="bottom")
    names = acts_col.multiselect(
        "Activations",
        catalogue.names(gated=False),
        key="depth.activations",
        format_func=lambda n: n if catalogue.get(n).pointwise else f"{n} ‡ (vector)",
        **ui_cat.NAME_PICKER,
        help="Each gets its own network with the same kernels.",
    )
    init = init_col.selectbox(
        "Initialiser",
        list(INITIALISERS),
        key="depth.init",
        format_func=lambda i: INITIALISERS[i][0],
        help="Keras's own initializer, seeded; biases start at zero.",
    )
    depth_col, width_col, seed_col = st.columns([2, 2, 1], gap="medium")
    depth = depth_col.slider("Depth (layers)", 1, MAX_DEPTH, key="depth.depth")
    width = width_col.select_slider("Width (units per layer)", WIDTHS, key="depth.width")
    seed = seed_col.number_input("Seed", 0, MAX_SEED, step=1, key="depth.seed")
    return names, init, depth, width, int(seed)


def elementwise_only(catalogue, names) -> list:
    """The element-wise activations among `names`; the others are named with the reason."""
    acts = [catalogue.get(n) for n in names]
    vector = [a.name for a in acts if not a.pointwise]
    if vector:
        st.warning(
            f"Left out: {', '.join(vector)}. These {VECTOR_REASON}. Pick element-wise "
            "activations to see them here."
        )
    return [a for a in acts if a.pointwise]


def signal_ui(catalogue, acts, init, depth, width, seed) -> None:
    label = f"Pushing {SAMPLES} samples through {depth} layers of {width} units"
    expected = estimate_seconds(len(acts), init, depth, width)
    # The first time only: the same choices come from the cache at once.
    wait = (
        f" (the first time, about {expected:.0f} s on an idle 2-core machine)"
        if expected > 2
        else ""
    )
    with st.spinner(f"{label} for {len(acts)} activation(s){wait}…"):
        result = signal(acts, init, depth, width, seed)
        predicted = predicted_depths(acts, INIT_SIGMA_W2[init])
    colours = styles_here(result.names)
    stem = f"depth-{init}-{depth}x{width}-{'-'.join(result.names[:4])}"
    figure = signal_figure(result, colours, predicted)
    st.plotly_chart(figure, config=png_config(stem), key="depth.chart")
    st.caption(
        f"Input: {SAMPLES} standard-normal samples, as wide as the layers (seed {seed}); "
        f"every activation gets the same {INITIALISERS[init][0]} kernels. A unit is dead when "
        f"{DEAD_RULE} ({SAMPLES} samples). {LOSS_TEXT} Computed in {result.seconds:.1f} s; the "
        "same choices are served from a cache."
    )
    st.caption(
        "Dotted vertical lines: mean-field theory's predicted trainable depth, 6 ξ_c, for each "
        f"activation at this initialiser (σ_w² = {INIT_SIGMA_W2[init]:g}, σ_b² = 0; see the "
        "phase diagram below): Schoenholz et al. (2017) find networks deeper than that do not "
        "train." + beyond_text(predicted, depth)
    )
    for note in unplotted(result):
        st.caption(note)
    table = signal_table(result)
    st.dataframe(table.style.format("{:.3g}", subset=list(table.columns[:-1])), width="stretch")
    st.caption(
        f"Gradient: “vanishing” when layer 1's gradient norm is below {VANISHING_BELOW:g} × the "
        f"last layer's, “exploding” above {EXPLODING_ABOVE:g} ×, otherwise “flows”."
    )


def edge_links_ui(critical: dict, depth: int) -> None:
    """Each activation with an edge of chaos at σ_b² = 0, one click from training there: Train's
    Gaussian initialisation at that σ_w², at this page's depth."""
    at_edge = {n: v for n, v in critical.items() if math.isfinite(v)}
    if not at_edge:
        return
    st.caption(
        "Train at the edge of chaos (Schoenholz et al. 2017): the Gaussian initialisation at "
        f"the critical σ_w², σ_b² = 0, {depth} layers."
    )
    if len(at_edge) > 1:
        link_to(
            "Train",
            f"All {len(at_edge)} in one run, each at its own edge",
            act=",".join(at_edge),
            init="edge_of_chaos",
            sb2="0",
            depth=str(depth),
        )
    cols = st.columns(min(4, len(at_edge)))
    for i, (name, sigma_w2) in enumerate(at_edge.items()):
        with cols[i % len(cols)]:
            link_to(
                "Train",
                f"{name} at σ_w² {sigma_w2:.4g}",
                act=name,
                init="mean_field",
                sw2=f"{sigma_w2:.6g}",
                sb2="0",
                depth=str(depth),
            )


def theory_ui(catalogue, names, init, depth: int) -> dict:
    """The phase diagram of the picked element-wise activations and their measures at `init`;
    returns each one's critical σ_w² at σ_b² = 0."""
    st.subheader("Edge of chaos: which depths train, predicted")
    acts = [catalogue.get(n) for n in names]
    for act in acts:
        if not act.pointwise:
            st.caption(f"{act.name}: {NO_THEORY}.")
    acts = [a for a in acts if a.pointwise]
    if not acts:
        return {}
    sigma_w2 = INIT_SIGMA_W2[init]
    with st.spinner(f"Mean-field theory over a 40 × 41 grid for {len(acts)} activation(s)…"):
        fields = phase(acts, SIGMA_W2, SIGMA_B2)
        points = measures_at(acts, sigma_w2)
        critical = critical_at(acts)
    stem = f"phase-diagram-{'-'.join(a.name for a in acts[:4])}"
    st.plotly_chart(phase_figure(fields, init), config=png_config(stem), key="depth.phase")
    low, high = XI_RANGE
    st.caption(
        "Mean-field theory of a wide random network (Poole et al. 2016; Schoenholz et al. 2017, "
        "arXiv 1611.01232): weights of variance σ_w²/N, biases of variance σ_b². Colour: ξ_c, "
        "the number of layers over which two inputs' correlation is still told apart (log "
        f"scale, capped at {low:g} and {high:g}). Dashed: the edge of chaos, χ1 = 1, where ξ_c "
        "is infinite; left of it gradients vanish (ordered), right of it they explode "
        "(chaotic). Networks train up to about 6 ξ_c layers. Grey: the signal's length "
        "diverges (no finite q*). Points: the initialisers on this page's square layers with "
        "zero biases: Glorot uniform and normal, LeCun normal and orthogonal at σ_w² = 1, He "
        "normal at σ_w² = 2; the star is the one chosen. Expectations by Gauss–Hermite "
        "quadrature of each activation's own TensorFlow function, derivatives by autodiff."
    )
    gated = st.toggle(
        "Also as gates, f(u)·v",
        key="depth.gated",
        help="Each activation as the gate of a gated unit, f(u)·v with u and v two projections "
        "of the layer's input (GLU is sigmoid, ReGLU relu, GEGLU gelu, SwiGLU silu): its "
        "own mean-field theory, in rows beside the element-wise ones.",
    )
    table = theory_table(points, critical)
    if gated:
        with st.spinner("Mean-field theory of the gated units…"):
            gated_points, gated_critical = gated_at(acts, sigma_w2)
        table = pd.concat([table, theory_table(gated_points, gated_critical)])
    label = INITIALISERS[init][0].split(" (")[0]
    st.dataframe(numbers_styled(table), width="stretch")
    if gated:
        st.caption(
            "Rows f(u)·v: a stack of gated layers, u = W_u x + b_u and v = W_v x + b_v with "
            "independent weights (core/study/gated.py derives it): the length map is "
            "q′ = σ_w² q E f(u)² + σ_b², which can have more than one fixed point, so the start "
            "decides where the length ends (every row here starts from pre-activations of "
            "length 1; for relu-like gates it settles below 1 or grows without bound); "
            "χ1 = σ_w² (E f(u)² + q* E f′(u)²). "
            "“Critical σ_w²” is where a unit-length start stops settling or χ1 reaches 1. "
            "Tested against networks of width 2048: each layer's maps within 1 %."
        )
    st.caption(
        f"At {label} (σ_w² = {sigma_w2:g}, σ_b² = 0): the length fixed point q*, the slope "
        "χ1 of the correlation map at c = 1, the depth scales ξ_q and ξ_c, and "
        "the predicted trainable depth; “critical σ_w²” is the edge at σ_b² = 0 (empty when "
        "χ1 stays below 1 up to σ_w² = 12)."
    )
    edge_links_ui(critical, depth)
    return critical


def main() -> None:
    setup("Depth")
    st.title("Depth")
    st.caption(
        "What an activation does to a signal at initialisation: a standard-normal batch "
        "through an untrained network up to 100 layers deep, and, layer by layer, the mean and "
        "variance of the activations, the dead units and the gradients of one backward pass."
    )
    catalogue = ui_cat.session_catalogue()
    fields = depth_fields(catalogue.names(gated=False))
    for notice in restore("depth", fields):
        st.warning(notice)
    default("depth.activations", ["relu", "tanh", "sigmoid", "selu"])
    default("depth.init", "glorot_uniform")
    default("depth.depth", 50)
    default("depth.width", 256)
    default("depth.seed", 0)
    default("spectrum.scale", "edge")
    default("depth.gated", False)
    # A custom removed on the Custom page leaves this page's list.
    picked_now = [n for n in st.session_state["depth.activations"] if n in catalogue]
    st.session_state["depth.activations"] = picked_now

    presets_ui(catalogue)
    names, init, depth, width, seed = choices_ui(catalogue)
    acts = elementwise_only(catalogue, names)
    if acts:
        signal_ui(catalogue, acts, init, depth, width, seed)
    else:
        st.info("Pick one or more element-wise activations above to see them layer by layer.")
    critical = theory_ui(catalogue, names, init, depth) if names else {}
    if acts:
        label = INITIALISERS[init][0].split(" (")[0]
        spectrum_ui(acts, critical, INIT_SIGMA_W2[init], label, depth, width, seed)
        trainable_ui(catalogue, acts, depth)
    publish("depth", fields)


main()
