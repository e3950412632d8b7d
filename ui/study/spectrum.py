"""The Depth page's "Jacobian at initialisation": the singular values of each picked activation's
network, orthogonal beside Gaussian weights, at the edge of chaos or at the page's initialiser,
with the free-probability moments beside the measured ones. Cached: every session asking for
the same networks shares one computation."""

from __future__ import annotations

import math

import streamlit as st

from activations import Activation, shared_catalogue
from charts.figures import png_config
from charts.study.spectrum_figures import spectrum_figure, spectrum_table
from charts.tables import numbers_styled
from core.serve.executors import CustomSpec
from core.study.signal_settings import SPECTRUM_SCALES
from ui.palette import styles_here

FLOOR_TEXT = "below 1e-13 × the largest (float64's rounding floor, or a dead unit's exact 0)"


@st.cache_data(show_spinner=False, max_entries=64)
def _spectra(
    names: tuple[str, ...],
    customs: tuple[CustomSpec, ...],
    sigma_w2: tuple[float, ...],
    depth: int,
    width: int,
    seed: int,
) -> list:
    from core.study.spectrum import WEIGHTS, spectrum  # TensorFlow: imported once needed

    catalogue = shared_catalogue().with_customs([c.activation() for c in customs])
    return [
        spectrum(catalogue.get(n), w, s, depth, width, seed)
        for n, s in zip(names, sigma_w2, strict=True)
        for w in WEIGHTS
    ]


def spectrum_ui(
    acts: list[Activation], critical: dict, sigma_w2: float, label: str, depth, width, seed
):
    """The section: the σ_w² choice, the figure, the table and what they mean."""
    from core.study.spectrum import MAX_WIDTH

    st.subheader("Jacobian at initialisation: how close to an isometry?")
    scale = st.radio(
        "σ_w²",
        list(SPECTRUM_SCALES),
        key="spectrum.scale",
        format_func=lambda k: (
            "each activation's edge of chaos (critical σ_w², σ_b² = 0)"
            if k == "edge"
            else f"the initialiser above ({label}, σ_w² = {sigma_w2:g})"
        ),
        horizontal=True,
    )
    if scale == "edge":
        chosen = {a.name: critical.get(a.name, math.nan) for a in acts}
        missing = [n for n, v in chosen.items() if not math.isfinite(v)]
        if missing:
            st.caption(
                f"Left out: {', '.join(missing)}, with no edge of chaos at σ_b² = 0 (χ1 stays "
                "below 1 up to σ_w² = 12); pick the initialiser's σ_w² to see them."
            )
        chosen = {n: v for n, v in chosen.items() if math.isfinite(v)}
    else:
        chosen = {a.name: sigma_w2 for a in acts}
    if not chosen:
        return
    n = min(width, MAX_WIDTH)
    customs = tuple(CustomSpec.of(a) for a in acts if a.source == "session" and a.name in chosen)
    with st.spinner(f"{len(chosen) * 2} Jacobians of {depth} layers of {n} units…"):
        spectra = _spectra(tuple(chosen), customs, tuple(chosen.values()), depth, n, seed)
    colours = styles_here(list(chosen))
    stem = f"jacobian-spectrum-{depth}x{n}-{'-'.join(list(chosen)[:4])}"
    st.plotly_chart(
        spectrum_figure(spectra, colours), config=png_config(stem), key="depth.spectrum"
    )
    cut = (
        f" (the page's {width} cut to {MAX_WIDTH}: the product costs N³ a layer)"
        if width > n
        else ""
    )
    st.caption(
        f"The singular values s of ∂x_L/∂x_0, the input–output Jacobian of one untrained network "
        f"of {depth} square layers of {n} units{cut}, no biases, at one standard-normal input "
        f"(seed {seed}); Keras's Orthogonal(gain = σ_w) or RandomNormal(σ_w/√N) kernels. "
        "Dotted: s = 1. Dynamical isometry (Pennington, Schoenholz & Ganguli 2017) is every s "
        "near 1: gradients then reach every layer undistorted."
    )
    table = spectrum_table(spectra)
    st.dataframe(numbers_styled(table), width="stretch", hide_index=True)
    st.caption(
        "Theory: free probability for wide layers. With μ_k = E φ′(h)^(2k) over each layer's "
        "pre-activation h ~ N(0, q_l) (q_l from the length map), mean s² = Π σ_w² μ_1 and the "
        "spread Var s² / mean² = Σ (μ_2/μ_1² − 1 + s_W), where s_W = 0 for orthogonal and 1 for "
        "Gaussian weights: orthogonal weights remove the second term, and μ_2/μ_1² near 1 (a "
        "near-linear φ where the signal lies, as tanh with small q) removes the first; relu's "
        "is 2 at any q. The theory is the limit of wide layers: one network's mean s² strays "
        "from it by a factor that grows with depth / width (measured for tanh, relu and selu, "
        "seeds 0–1: within 12 % at width 1024 and depth 10, the spread within 2 %; on this "
        "page at width 256 and depth 50, gelu at its edge by × 2.7). “below floor”: singular "
        f"values {FLOOR_TEXT}, left off the figure."
    )
