"""Mean-field theory (core/train/theory.py) against figures computed without the app: the papers'
reference points, and a wide random network measured directly."""

import numpy as np
import pytest
import tensorflow as tf

from activations import shared_catalogue
from activations.expression import custom_activation
from core.train.theory import Propagation, phase_diagram


@pytest.mark.parametrize(
    "sigma_b2, critical, q_star",
    [(0.01, 1.424, None), (0.05, 1.761, 0.570), (0.1, 1.986, None)],
)
def test_tanh_edge_of_chaos_matches_the_reference_figures(sigma_b2, critical, q_star):
    """Catches a wrong length map, a derivative that is not φ′, a missing σ_w² or a wrong
    quadrature weight: the reference figures were computed independently (201-point
    Gauss–Hermite with NumPy's own tanh and sech²), rounded to 3 decimals, so the bound is
    half a unit of their last digit."""
    theory = Propagation(tf.math.tanh)
    found = theory.critical_sigma_w2(sigma_b2)
    assert found == pytest.approx(critical, abs=5e-4)
    if q_star is not None:
        assert theory.measures(found, sigma_b2).q_star == pytest.approx(q_star, abs=5e-4)
    assert theory.measures(found, sigma_b2).chi1 == pytest.approx(1.0, abs=1e-6)


def test_relu_is_critical_at_two_and_zero():
    """ReLU's edge is σ_w² = 2 at σ_b² = 0 (He initialisation): below it the signal dies (q* = 0,
    χ1 = σ_w²/2), above it grows without bound. Catches a kink at 0 integrated wrongly (a
    quadrature node at 0, where TensorFlow's relu′ is 0, put χ1 at 0.91 instead of 1)."""
    theory = Propagation(tf.nn.relu)
    assert theory.critical_sigma_w2(0.0) == pytest.approx(2.0, abs=1e-6)
    field = theory.measures(np.array([1.0, 1.5, 2.5]), 0.0)
    assert field.q_star[0] == 0 and field.q_star[1] == 0 and np.isinf(field.q_star[2])
    np.testing.assert_allclose(field.chi1[:2], [0.5, 0.75], rtol=1e-12)


def _random_layer(rng, width, sigma_w2, sigma_b2):
    """One layer of the papers' network in float32, as Keras computes: W ~ N(0, σ_w²/N),
    b ~ N(0, σ_b²) (float32 is also twice as fast to draw as float64)."""
    kernel = rng.standard_normal((width, width), dtype=np.float32)
    kernel *= np.float32(np.sqrt(sigma_w2 / width))
    bias = rng.standard_normal((width, 1), dtype=np.float32) * np.float32(np.sqrt(sigma_b2))
    return kernel, bias


def _network_chi1_and_q(fn, sigma_w2, sigma_b2, width=2048, depth=30, burn_in=12, seed=0):
    """χ1 and q measured on one wide random network, with no app code: the squared length of
    a small input perturbation grows by χ1 a layer (its Jacobian-vector product), and q is the
    mean squared pre-activation, both averaged over the layers after `burn_in` and over a
    batch of 16 inputs (one network's draw is shared by all, so they cost one set of layers)."""
    rng = np.random.default_rng(seed)
    # float32 as a Keras network computes (and twice as fast to draw as float64).
    h = rng.standard_normal((width, 16), dtype=np.float32)  # q = 1 at the input, as q0
    v = rng.standard_normal((width, 16), dtype=np.float32)
    ratios, lengths = [], []
    for layer in range(depth):
        kernel, bias = _random_layer(rng, width, sigma_w2, sigma_b2)
        x = tf.constant(h)
        with tf.autodiff.ForwardAccumulator(x, tf.constant(v)) as acc:
            y = fn(x)
        out, tangent = np.asarray(y), np.asarray(acc.jvp(y))
        h_next, v_next = kernel @ out + bias, kernel @ tangent
        if layer >= burn_in:
            ratios.append(np.sum(v_next**2.0, axis=0) / np.sum(v**2.0, axis=0))
            lengths.append(np.mean(np.float64(h_next) ** 2, axis=0))
        v_next = v_next / np.linalg.norm(v_next, axis=0) * np.sqrt(width)
        h, v = h_next.astype(np.float32), v_next.astype(np.float32)
    return float(np.mean(ratios)), float(np.mean(lengths))


def _expression(text):
    act = custom_activation("typed", text, {})
    return lambda x: act.curve(x)


CASES = {
    "tanh, ordered": (tf.math.tanh, 1.5, 0.05),
    "tanh, chaotic": (tf.math.tanh, 2.5, 0.05),
    "selu": ("selu", 1.0, 0.0),
    "typed x·σ(x)": ("expr:x * tf.sigmoid(x)", 2.0, 0.1),
}


@pytest.mark.parametrize("case", CASES)
def test_chi1_and_q_star_match_a_wide_random_network(case):
    """Catches theory that disagrees with what a network does (the issue's bar: within 2 % of
    a width-2048 network): a χ1 off by a factor, a q* from the wrong fixed point, an
    activation's parameters or a typed expression not reaching the theory."""
    fn, sigma_w2, sigma_b2 = CASES[case]
    if fn == "selu":
        fn = shared_catalogue().get("selu").curve
    elif isinstance(fn, str):
        fn = _expression(fn.removeprefix("expr:"))
    field = Propagation(fn).measures(sigma_w2, sigma_b2)
    # Three networks: one network's q wanders by ~2 % from the infinite-width value (its
    # finite width), three land within 0.5 % in every case here.
    chi1, q = np.mean([_network_chi1_and_q(fn, sigma_w2, sigma_b2, seed=s) for s in range(3)], 0)
    assert float(field.chi1) == pytest.approx(chi1, rel=0.02)
    assert float(field.q_star) == pytest.approx(q, rel=0.02)


def test_phase_diagram_orders_ordered_below_the_edge_and_chaotic_above():
    """On a grid, every point left of tanh's critical σ_w² is ordered (χ1 < 1, c* = 1) and every
    point right of it chaotic (χ1 > 1, c* < 1), and ξ_c grows toward the edge from both sides.
    Catches rows and columns swapped, or c* computed on the wrong side of the edge."""
    theory = Propagation(tf.math.tanh)
    edge = theory.critical_sigma_w2(0.05)
    sw = np.array([edge - 0.4, edge - 0.1, edge + 0.1, edge + 0.4])
    field = phase_diagram(tf.math.tanh, sw, np.array([0.05]))
    assert field.chi1.shape == (1, 4)
    assert np.all(field.chi1[0, :2] < 1) and np.all(field.chi1[0, 2:] > 1)
    assert np.all(field.c_star[0, :2] == 1) and np.all(field.c_star[0, 2:] < 1)
    xi = field.xi_c[0]
    assert xi[1] > xi[0] and xi[2] > xi[3]


def _network_correlation(fn, sigma_w2, sigma_b2, width=2048, depth=90, burn_in=60, seed=0):
    """The correlation of two inputs' pre-activations in one wide random network (no app code),
    averaged over the layers after `burn_in`: the fixed point c* that the correlation map
    reaches from c = 0.9 (8 input pairs share the network's draw). It closes on c* by a
    factor χ_c a layer (0.92 for tanh at (2.5, 0.05)), so 60 layers leave < 1 % of the gap."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((width, 8), dtype=np.float32)
    b = 0.9 * a + np.sqrt(1 - 0.9**2) * rng.standard_normal((width, 8), dtype=np.float32)
    seen = []
    for layer in range(depth):
        kernel, bias = _random_layer(rng, width, sigma_w2, sigma_b2)
        a = kernel @ np.asarray(fn(tf.constant(a))) + bias
        b = kernel @ np.asarray(fn(tf.constant(b))) + bias
        if layer >= burn_in:
            a64, b64 = np.float64(a), np.float64(b)
            cosine = np.sum(a64 * b64, 0) / np.sqrt(np.sum(a64**2, 0) * np.sum(b64**2, 0))
            seen.append(cosine)
    return float(np.mean(seen))


def test_chaotic_fixed_correlation_matches_a_wide_random_network():
    """In the chaotic phase two inputs' correlation settles at c* < 1, and ξ_c is measured
    there. Catches a root search that stops at c = 1 (it did, for tanh at (2.5, 0.05) on the
    48² rule, when the map was divided by the 1-D rule's q*: ξ_c then came out 8.0, not 11.8).
    Single networks of width 2048 spread by about ±0.02 around it (0.472, 0.433, 0.442 for
    seeds 0-2 against 0.447); the mean of three is held to 0.05, far from 1."""
    field = Propagation(tf.math.tanh).measures(2.5, 0.05)
    measured = np.mean([_network_correlation(tf.math.tanh, 2.5, 0.05, seed=s) for s in range(3)])
    assert float(field.c_star) == pytest.approx(measured, abs=0.05)


@pytest.mark.parametrize("slope", [0.0, 0.3, 0.9])
def test_theory_at_learned_values_uses_them(slope):
    """A learned leaky_relu slope a reaches the theory: with σ_w² = 1, σ_b² = 0 the signal dies
    out (q* → 0) and χ1 is the mean of the two squared slopes, (1 + a²)/2, by hand. Catches the
    catalogue's default slope (0.2) used instead of the learned one."""
    from core.study.learned import theory_at

    leaky = shared_catalogue().get("leaky_relu")
    chi1, depth = theory_at(leaky, {}, {"negative_slope": slope})
    assert chi1 == pytest.approx((1 + slope**2) / 2, rel=1e-9)
    assert depth == pytest.approx(-6 / np.log((1 + slope**2) / 2), rel=1e-6)
