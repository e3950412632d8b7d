"""Depth: what each activation does to a signal in an untrained deep network, layer by layer."""

import streamlit as st

from core.depth_figures import (
    EXPLODING_ABOVE,
    VANISHING_BELOW,
    signal_figure,
    signal_table,
    unplotted,
)
from core.diagnostics import DEAD_RULE
from core.figures import png_config
from core.signal import LOSS_TEXT, SAMPLES, VECTOR_REASON, estimate_seconds
from core.signal_settings import INITIALISERS, MAX_DEPTH, MAX_SEED, WIDTHS
from core.state import depth_fields
from ui import catalogue as ui_cat
from ui.nav import setup
from ui.palette import styles_here
from ui.signal import signal
from ui.url import default, publish, restore

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
    acts_col, init_col = st.columns([3, 1.2], gap="medium", vertical_alignment="bottom")
    names = acts_col.multiselect(
        "Activations",
        catalogue.names(),
        key="depth.activations",
        format_func=lambda n: n if catalogue.get(n).elementwise else f"{n} ‡ (vector)",
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
    vector = [a.name for a in acts if not a.elementwise]
    if vector:
        st.warning(
            f"Left out: {', '.join(vector)}. These {VECTOR_REASON}. Pick element-wise "
            "activations to see them here."
        )
    return [a for a in acts if a.elementwise]


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
    colours = styles_here(result.names)
    stem = f"depth-{init}-{depth}x{width}-{'-'.join(result.names[:4])}"
    st.plotly_chart(signal_figure(result, colours), config=png_config(stem), key="depth.chart")
    st.caption(
        f"Input: {SAMPLES} standard-normal samples, as wide as the layers (seed {seed}); "
        f"every activation gets the same {INITIALISERS[init][0]} kernels. A unit is dead when "
        f"{DEAD_RULE} ({SAMPLES} samples). {LOSS_TEXT} Computed in {result.seconds:.1f} s; the "
        "same choices are served from a cache."
    )
    for note in unplotted(result):
        st.caption(note)
    table = signal_table(result)
    st.dataframe(table.style.format("{:.3g}", subset=list(table.columns[:-1])), width="stretch")
    st.caption(
        f"Gradient: “vanishing” when layer 1's gradient norm is below {VANISHING_BELOW:g} × the "
        f"last layer's, “exploding” above {EXPLODING_ABOVE:g} ×, otherwise “flows”."
    )


def main() -> None:
    setup("Depth")
    st.title("Depth")
    st.caption(
        "What an activation does to a signal at initialisation: a standard-normal batch "
        "through an untrained network up to 100 layers deep, and, layer by layer, the mean and "
        "variance of the activations, the dead units and the gradients of one backward pass."
    )
    catalogue = ui_cat.session_catalogue()
    fields = depth_fields(catalogue.names())
    for notice in restore("depth", fields):
        st.warning(notice)
    default("depth.activations", ["relu", "tanh", "sigmoid", "selu"])
    default("depth.init", "glorot_uniform")
    default("depth.depth", 50)
    default("depth.width", 256)
    default("depth.seed", 0)
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
    publish("depth", fields)


main()
