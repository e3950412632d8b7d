"""The mean-field theory of gated units f(u)·v (core/study/gated.py) against wide random
networks of such layers, built here in NumPy from the definition (u = W_u x + b_u, v = W_v x
+ b_v, x′ = f(u)·v; W ~ N(0, σ_w²/N), b ~ N(0, σ_b²)), width 2048.

Catches a length map, χ1 or correlation map derived wrongly for gates (for instance E f(u)² for
E[(f(u)·v)²], forgetting that v carries the length q, or χ1 without the f(u)·δv term: each is
off by tens of per cent here). Two checks:

- every layer's maps: the network's next length and correlation, χ1 and the cross-term growth,
  against the theory's maps at that layer's own measured length and correlation, averaged over
  inputs, pairs and layers: within 1 % (measured: 0.3 % at most);
- the fixed points the stack settles to (layers 26–45): q*, χ1, c* and ξ_c within 2 % in the
  ordered phase (measured ≤ 0.6 %); in the chaotic phase q*, χ1 and c* within 5 % and ξ_c within
  10 %, because one network of width 2048 wanders: over 4 seeds its settled q strayed up to
  ±2.1 %, its c ±1.7 % and its ξ_c ±3.8 % from the theory, on both sides, and ξ_c = −1/log χ_c
  triples χ_c's error at χ_c ≈ 0.7 (the maps above are what decides the theory).

The network's χ1 is measured, not the theory's expectation: random directions δ are pushed
through each layer by the chain rule (its own weights and units), and χ1 is the growth
‖J δ‖²/‖δ‖², averaged over directions and inputs; the cross-term growth is (J_a δ)·(J_b δ)/‖δ‖²
for two inputs, averaged over the pairs; ξ_c = −1/log χ_c."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import special

from core.study.gated import GATES, GatedPropagation

# One worker runs them all: each case's network (a module fixture) is built once, not on both.
pytestmark = pytest.mark.xdist_group("gated")
WIDTH, DEPTH, SETTLED, INPUTS = 2048, 45, 25, 24
DIRECTIONS = 32
CASES = [
    # (gate, σ_w², σ_b², chaotic): GLU and SwiGLU in the ordered phase; tanh and erf gates in
    # the chaotic one (finite q*, c* < 1). Each settles within a few layers (theory's ξ_q, ξ_c
    # < 6), so layers 26–45 sit at the fixed point.
    ("GLU", 2.0, 0.05, False),
    ("SwiGLU", 2.0, 0.05, False),
    ("tanh", 1.2, 0.7, True),
    ("erf", 1.0, 0.9, True),
]


def _gate(name):
    return {"tanh": tf.math.tanh, "erf": tf.math.erf}.get(name) or GATES[name]


def _numpy(name):
    """The gate and its derivative in NumPy, written from their definitions."""
    sigmoid = lambda u: 1 / (1 + np.exp(-u))  # noqa: E731
    return {
        "GLU": (sigmoid, lambda u: sigmoid(u) * (1 - sigmoid(u))),
        "SwiGLU": (lambda u: u * sigmoid(u), lambda u: sigmoid(u) * (1 + u * (1 - sigmoid(u)))),
        "tanh": (np.tanh, lambda u: 1 - np.tanh(u) ** 2),
        "erf": (special.erf, lambda u: 2 / np.sqrt(np.pi) * np.exp(-(u**2))),
    }[name]


def _network(name, sw, sb, seed=0) -> list[dict]:
    """Every layer's measured lengths (per input), correlations and both growths (per pair)."""
    f, df = _numpy(name)
    rng = np.random.default_rng(seed)
    # Random directions, scaled so the first pre-activations have length 1, where the theory's
    # iteration starts: a gated stack's length map has two fixed points, and the start decides
    # which one (or none) it reaches.
    x = rng.standard_normal((INPUTS, WIDTH)) * np.sqrt((1 - sb) / sw)
    i, j = np.triu_indices(INPUTS, 1)
    layers = []
    for _ in range(DEPTH):
        wu, wv = (rng.standard_normal((WIDTH, WIDTH)) * np.sqrt(sw / WIDTH) for _ in "uv")
        bu, bv = (rng.standard_normal(WIDTH) * np.sqrt(sb) for _ in "uv")

        u, v = x @ wu.T + bu, x @ wv.T + bv
        out = f(u) * v
        # DIRECTIONS random directions δ (each the same for every input) pushed through the
        # layer by the chain rule on its definition, with its own weights and units:
        # J δ = f′(u)·v ⊙ W_u δ + f(u) ⊙ W_v δ. One direction is not enough: a gate's
        # (f′(u)·v)² is heavy-tailed over units, and one δ's growth strays by ~10 % a layer.
        delta = rng.standard_normal((DIRECTIONS, WIDTH))
        du, dv = delta @ wu.T, delta @ wv.T  # direction × unit
        moved = (df(u) * v)[None] * du[:, None] + f(u)[None] * dv[:, None]  # dir × input × unit
        norm = np.sum(delta**2, axis=-1)[:, None]  # direction × 1
        q = np.mean(u**2, axis=1)
        layers.append(
            {
                "q": q,
                "chi1": np.mean(np.sum(moved**2, axis=-1) / norm, axis=0),
                "c": np.mean(u[i] * u[j], axis=1) / np.sqrt(q[i] * q[j]),
                "q_pair": np.sqrt(q[i] * q[j]),
                "chi_c": np.mean(np.sum(moved[:, i] * moved[:, j], axis=-1) / norm, axis=0),
            }
        )
        x = out
    return layers


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def case(request):
    name, sw, sb, chaotic = request.param
    return name, sw, sb, chaotic, _network(name, sw, sb), GatedPropagation(_gate(name))


def test_each_layer_does_what_the_theorys_maps_say(case):
    name, sw, sb, _, layers, theory = case
    ratios = {"q": [], "chi1": [], "c": [], "chi_c": []}
    for now, after in zip(layers[2:-1], layers[3:], strict=True):
        ratios["q"] += list(after["q"] / theory.length_map(now["q"], sw, sb))
        ratios["chi1"] += list(now["chi1"] / theory.slopes(now["q"], sw))
        c_next, growth = theory.correlation_map(now["c"], now["q_pair"], sw, sb)
        ratios["c"] += list(after["c"] / c_next)
        ratios["chi_c"] += list(now["chi_c"] / growth)
    for key, values in ratios.items():
        assert np.mean(values) == pytest.approx(1.0, abs=0.01), key


def test_the_stack_settles_where_the_theory_says(case):
    name, sw, sb, chaotic, layers, theory = case
    settled = layers[SETTLED:]
    q = np.mean([layer["q"] for layer in settled])
    chi1 = np.mean([layer["chi1"] for layer in settled])
    c = np.mean([layer["c"] for layer in settled])
    xi = -1 / np.log(np.mean([layer["chi_c"] for layer in settled]))
    field = theory.measures(sw, sb)
    band = 0.05 if chaotic else 0.02
    assert float(field.q_star) == pytest.approx(q, rel=band)
    assert float(field.chi1) == pytest.approx(chi1, rel=band)
    assert float(field.c_star) == pytest.approx(c, rel=band)
    assert float(field.xi_c) == pytest.approx(xi, rel=2 * band if chaotic else band)
    # The chaotic cases must be chaotic (and the ordered ones ordered), or they test nothing.
    assert (float(field.chi1) > 1 and c < 0.9) == chaotic


def test_closed_forms_bilinear_is_linear_and_reglu_is_quadratic():
    """f = 1 makes the stack linear: q* = σ_b²/(1 − σ_w²), χ1 = σ_w². f = relu: the length map
    σ_w² q²/2 + σ_b², whose smaller root is q* = (1 − √(1 − 2σ_w²σ_b²))/σ_w², and χ1 = σ_w² q*."""
    bilinear = GatedPropagation(GATES["Bilinear"]).measures(0.5, 0.1)
    assert float(bilinear.q_star) == pytest.approx(0.2, rel=1e-9)
    assert float(bilinear.chi1) == pytest.approx(0.5, rel=1e-9)
    reglu = GatedPropagation(GATES["ReGLU"]).measures(0.5, 0.05)
    q = (1 - np.sqrt(1 - 2 * 0.5 * 0.05)) / 0.5
    assert float(reglu.q_star) == pytest.approx(q, rel=1e-9)
    assert float(reglu.chi1) == pytest.approx(0.5 * q, rel=1e-9)
