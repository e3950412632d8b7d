"""Mean-field theory on the pages, cached: the phase diagram, the measures at an initialiser and
the predicted trainable depth. Every cache is keyed by what defines an activation's function (its
name, and a session custom's expression and parameter defaults), never by a live object, since
caches are shared by every session."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import streamlit as st

from activations import Activation, shared_catalogue
from core.serve.executors import CustomSpec

# Shown instead of a phase diagram for softmax, glu, …
NO_THEORY = (
    "no mean-field theory: the theory follows one unit's pre-activation through the layers, and "
    "a vector activation mixes the units of a layer"
)


def _key(acts: Sequence[Activation]) -> tuple[tuple[str, ...], tuple[CustomSpec, ...]]:
    customs = tuple(CustomSpec.of(a) for a in acts if a.source == "session")
    return tuple(a.name for a in acts), customs


def _functions(names: tuple[str, ...], customs: tuple[CustomSpec, ...]) -> dict:
    """Each activation as a function of a float64 tensor, its parameters at their defaults (the
    values the Depth page's and the Sweep's networks use)."""
    catalogue = shared_catalogue().with_customs([c.activation() for c in customs])
    acts = [catalogue.get(n) for n in names]
    return {a.name: (lambda x, a=a: a.curve(x)) for a in acts}


@st.cache_data(show_spinner=False, max_entries=32)
def _phase(names, customs, sigma_w2: tuple, sigma_b2: tuple) -> dict:
    from core.train.theory import phase_diagram  # TensorFlow: imported once a page needs it

    fns = _functions(names, customs)
    return {n: phase_diagram(fns[n], np.array(sigma_w2), np.array(sigma_b2)) for n in names}


def _theory(gated: bool):
    """The theory of an element-wise unit f(x), or of the gated unit f(u)·v."""
    if gated:
        from core.study.gated import GatedPropagation  # TensorFlow: once a page needs it

        return GatedPropagation
    from core.train.theory import Propagation

    return Propagation


@st.cache_data(show_spinner=False, max_entries=128)
def _point(names, customs, sigma_w2: float, sigma_b2: float, gated: bool = False) -> dict:
    fns, theory = _functions(names, customs), _theory(gated)
    return {n: theory(fns[n]).measures(sigma_w2, sigma_b2) for n in names}


@st.cache_data(show_spinner=False, max_entries=128)
def _critical(names, customs, sigma_b2: float, gated: bool = False) -> dict:
    fns, theory = _functions(names, customs), _theory(gated)
    return {n: theory(fns[n]).critical_sigma_w2(sigma_b2) for n in names}


def gated_name(name: str) -> str:
    """The row of activation `name` used as a gate: "relu(u)·v"."""
    return f"{name}(u)·v"


def gated_at(acts: Sequence[Activation], sigma_w2: float, sigma_b2: float = 0.0):
    """({gated name: MeanField}, {gated name: critical σ_w²}) of each activation as the gate
    f of f(u)·v (core/study/gated.py)."""
    key = _key(acts)
    points = _point(*key, float(sigma_w2), float(sigma_b2), gated=True)
    critical = _critical(*key, float(sigma_b2), gated=True)
    return (
        {gated_name(n): v for n, v in points.items()},
        {gated_name(n): v for n, v in critical.items()},
    )


def phase(acts: Sequence[Activation], sigma_w2: tuple, sigma_b2: tuple) -> dict:
    """{name: MeanField} on the grid σ_w2 × σ_b2 of each element-wise activation."""
    return _phase(*_key(acts), tuple(sigma_w2), tuple(sigma_b2))


def measures_at(acts: Sequence[Activation], sigma_w2: float, sigma_b2: float = 0.0) -> dict:
    """{name: MeanField} at one point."""
    return _point(*_key(acts), float(sigma_w2), float(sigma_b2))


def critical_at(acts: Sequence[Activation], sigma_b2: float = 0.0) -> dict:
    """{name: the critical σ_w² at σ_b²}."""
    return _critical(*_key(acts), float(sigma_b2))


def predicted_depths(acts: Sequence[Activation], sigma_w2: float, sigma_b2: float = 0.0) -> dict:
    """{name: 6 ξ_c} of each element-wise activation in `acts` (NaN where q* diverges)."""
    elementwise = [a for a in acts if a.pointwise]
    if not elementwise:
        return {}
    points = measures_at(elementwise, sigma_w2, sigma_b2)
    return {n: float(f.trainable_depth) for n, f in points.items()}


def beyond_text(predicted: dict, depth: int) -> str:
    """Which predictions fall past `depth` (or are undefined), in words."""
    from charts.study.theory_figures import depth_text

    past = [f"{n} ({depth_text(d)})" for n, d in predicted.items() if d > depth]
    undefined = [n for n, d in predicted.items() if math.isnan(d)]
    out = f" Past the plotted {depth} layers: {', '.join(past)}." if past else ""
    if undefined:
        out += f" None for {', '.join(undefined)}: the signal's length diverges there."
    return out
