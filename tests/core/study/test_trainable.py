"""Deep Kernel Shaping's transform (core/study/trainable.py): the transformed activation meets
DKS's four conditions, checked by SciPy's adaptive quadrature of NumPy formulas written here
(not the module's Gauss–Legendre rule of TensorFlow functions), and the expression it writes is
what was solved for."""

import math

import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate, special

from activations import get
from activations.expression import compile_expression, custom_activation
from core.study import trainable

DENSITY = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731

# f and f′ in NumPy, independent of the app's TensorFlow functions.
NUMPY = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "softplus": (lambda z: np.logaddexp(0, z), special.expit),
    "sigmoid": (special.expit, lambda z: special.expit(z) * (1 - special.expit(z))),
    "relu": (lambda z: max(z, 0.0), lambda z: float(z > 0)),
    "soft_shrink": (
        lambda z: z - 0.5 if z > 0.5 else (z + 0.5 if z < -0.5 else 0.0),
        lambda z: float(abs(z) > 0.5),
    ),
}
KINKS = {"relu": (0.0,), "soft_shrink": (-0.5, 0.5)}


def _expect(g, kinks: tuple[float, ...] = ()) -> float:
    points = [k for k in kinks if -12 < k < 12] or None
    value, _ = integrate.quad(lambda x: g(x) * DENSITY(x), -12, 12, points=points, limit=400)
    return value


def _conditions(name: str, t: trainable.Transform) -> dict[str, float]:
    f, df = NUMPY[name]
    a, b, d, g = t.input_scale, t.input_shift, t.output_shift, t.output_scale
    phi = lambda x: g * (f(a * x + b) + d)  # noqa: E731
    dphi = lambda x: g * a * df(a * x + b)  # noqa: E731
    kink = tuple((k - b) / a for k in KINKS.get(name, ()))  # in x, where αx + β is a kink
    return {
        "Q(1)": _expect(lambda x: phi(x) ** 2, kink),
        "C(0)": _expect(phi, kink) ** 2,
        "Q'(1)": _expect(lambda x: phi(x) * dphi(x) * x, kink),
        "C'(1)": _expect(lambda x: dphi(x) ** 2, kink),
    }


@pytest.mark.parametrize("name", ["tanh", "softplus", "sigmoid"])
@pytest.mark.parametrize("depth", [10, 50, 100])
def test_smooth_activations_meet_all_four_conditions(name, depth):
    # Fails if a condition is mis-derived (Q′(1) without its x, C′(1) without α², δ not the
    # mean so C(0) ≠ 0), if the per-layer slope is not ζ^(1/L), or if the quadrature is off:
    # SciPy's adaptive quadrature of NumPy's f agrees to 1e-7 (both sides converge far
    # below; the solver stops at 1e-8 on its own rule).
    t = trainable.of_activation(get(name), depth)
    assert t.found, t.problem
    got = _conditions(name, t)
    want = {"Q(1)": 1.0, "C(0)": 0.0, "Q'(1)": 1.0, "C'(1)": 1.5 ** (1 / depth)}
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-7), (key, got)


def test_relu_follows_dks_rule_and_says_q_slope_is_not_solved():
    # Fails if relu is sent to the two-condition solver (it cannot meet both and would return
    # "no solution" or a spurious root), or if the shift is not DKS's +1 at a per-layer target
    # below 1.4669, or if Q(1), C(0), C′(1) are not met.
    t = trainable.of_activation(get("relu"), 50)
    assert t.found and t.input_shift == 1.0 and "piecewise linear" in t.note
    got = _conditions("relu", t)
    assert got["Q(1)"] == pytest.approx(1.0, abs=1e-7)
    assert got["C(0)"] == pytest.approx(0.0, abs=1e-7)
    assert got["C'(1)"] == pytest.approx(1.5 ** (1 / 50), abs=1e-7)
    assert t.q_slope == pytest.approx(got["Q'(1)"], abs=1e-7)


@pytest.mark.parametrize("name, inner", [("tanh", "tanh(x)"), ("softplus", "softplus(x)")])
def test_the_written_expression_computes_the_transform(name, inner):
    # Fails if the expression text loses a digit that matters, substitutes x wrongly, or drops
    # the output shift: the safe compiler's function of the text must equal γ(f(αx+β)+δ)
    # from NumPy within 1e-6. Not closer: the compiler holds a typed number as a float32
    # constant (relative 6e-8 each; measured 1.4e-7 at most here, γ ≈ 10), while a digit lost
    # at the 6th place moves the result by about 1e-5 and a dropped shift by about 0.5.
    t = trainable.of_activation(get(name), 30)
    text = t.expression(inner)
    compiled = compile_expression(text)
    x = np.linspace(-6, 6, 101)
    f = NUMPY[name][0]
    want = t.output_scale * (f(t.input_scale * x + t.input_shift) + t.output_shift)
    got = np.asarray(compiled(tf.constant(x, tf.float64)))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_substitution_replaces_only_the_variable():
    # Fails if x inside a function name, an attribute or an exponent's e is replaced.
    text = "tf.math.exp(x) * maximum(x, 1e-3) + x**2 + xi"
    assert trainable.substitute_x(text, "(2 * x)") == (
        "tf.math.exp((2 * x)) * maximum((2 * x), 1e-3) + (2 * x)**2 + xi"
    )


def test_a_typed_custom_is_transformed_through_its_own_expression():
    # Fails if a session custom's parameters are not used at their values.
    act = custom_activation("scaled_tanh", "a * tanh(x)", {"a": (2.0, 0.5, 3.0)})
    t = trainable.of_activation(act, 20)
    plain = trainable.of_activation(get("tanh"), 20)
    # γ·(a·tanh(αx+β) + δ): the same α, β as plain tanh, γ divided by a (to 1e-9, both solves
    # converge to 1e-8 residuals on smooth maps).
    assert t.input_scale == pytest.approx(plain.input_scale, rel=1e-6)
    assert t.output_scale * 2.0 == pytest.approx(plain.output_scale, rel=1e-6)


def test_bad_settings_and_a_constant_say_why():
    assert "ζ must be above 1" in trainable.of_activation(get("tanh"), 10, zeta=1.0).problem
    assert "depth" in trainable.dks(np.tanh, 0).problem
    flat = custom_activation("flat", "x * 0 + 1")
    assert "constant" in trainable.of_activation(flat, 10).problem
    assert "element-wise" in trainable.of_activation(get("softmax"), 10).problem


# google-deepmind/dks 0.1.2 (PyPI), dks.base.activation_transform._get_activations_params(
# [name], method="DKS", dks_params={"c_slope_1_target": 1.5, "local_q_slope_target": 1.0},
# subnet_max_func=None, max_slope_func=lambda s: s**50), run on 2026-12-06: DeepMind's own
# solver for a 50-layer chain, (input_scale, input_shift, output_shift, output_scale).
DKS_REFERENCE = {
    "softplus": (0.326625173443443, 0.409373967652163, -0.9312843019625371, 5.094842886884632),
    "elu": (0.138533656095875, -0.20133919781943688, 0.17474112708507236, 8.759869628661543),
    # tanh is odd: DKS's root is the mirror (α, −β, −δ, γ) of this module's; both meet the
    # conditions (test above), so the test compares |β| and |δ|.
    "tanh": (0.12844047873558254, 0.5707795475033656, -0.509807241736997, 10.604447624744472),
}


@pytest.mark.parametrize("name", sorted(DKS_REFERENCE))
def test_agrees_with_deepminds_dks(name):
    # Fails if the module solves another problem than DKS does (a per-layer target other than
    # ζ^(1/L), another Q′ or C′ condition, another parametrisation of the transform). Agreement
    # to 1e-6 relative: DKS integrates with 100,000-point Gauss–Legendre on [−10, 10], this
    # module with 400 points a side split at the kink; both solve to 1e-8 residuals. (Two that
    # differ, not compared here: DKS's gelu is the tanh approximation, Keras's default the
    # erf form; at selu's kink DKS's unsplit rule is 1e-3 off, which the SciPy check above
    # would catch in this module.)
    t = trainable.of_activation(get(name), 50)
    got = (t.input_scale, abs(t.input_shift), abs(t.output_shift), t.output_scale)
    a, b, d, g = DKS_REFERENCE[name]
    assert got == pytest.approx((a, abs(b), abs(d), g), rel=1e-6)


def test_each_builtins_spelling_computes_the_builtin():
    # Fails if a built-in's spelling in the expression grammar computes something else at the
    # catalogue's defaults (a custom made from its transform would then transform another
    # function): gelu's erf form against its tanh approximation, leaky_relu's slope, elu's α.
    # Exact up to float64 rounding of the two implementations (1e-12).
    from activations import shared_catalogue

    x = tf.constant(np.linspace(-8, 8, 401), tf.float64)
    spelled = 0
    for act in shared_catalogue().all():
        text = trainable.inner_text(act)
        if text is None or act.source != "keras":
            continue
        spelled += 1
        want = np.asarray(act.fn(x, **act.resolve()))
        got = np.asarray(compile_expression(text)(x))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=act.name)
    assert spelled >= 24  # every element-wise built-in but threshold (no defaults in Keras)


def test_an_activation_without_a_second_derivative_in_tensorflow_is_solved():
    # Fails if TensorFlow's missing gradient of SoftsignGrad (the curvature used only to tell a
    # piecewise-linear f apart) ends the solve with a LookupError, as it did in the bench.
    t = trainable.of_activation(get("softsign"), 50)
    assert t.found and not t.note
    assert t.c_slope == pytest.approx(1.5 ** (1 / 50), abs=1e-8)


def test_a_piecewise_linear_f_that_is_not_relu_like_meets_all_four_conditions():
    # Fails if every piecewise-linear f is sent to DKS's relu rule (soft_shrink, kinks at ±0.5,
    # is not positively homogeneous and meets Q′(1) = 1 too), checked by SciPy's quadrature
    # split at its two kinks.
    t = trainable.of_activation(get("soft_shrink"), 50)
    assert t.found and not t.note
    got = _conditions("soft_shrink", t)
    want = {"Q(1)": 1.0, "C(0)": 0.0, "Q'(1)": 1.0, "C'(1)": 1.5 ** (1 / 50)}
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-6), (key, got)


def test_an_activation_that_jumps_is_refused_with_the_reason():
    # Fails if hard_shrink (a jump of 0.5 at ±0.5) gets a transform: autodiff sees slope 0 or
    # 1 either side and would report C′(1) met, while the true C′(1) is infinite.
    t = trainable.of_activation(get("hard_shrink"), 50)
    assert not t.found and "jumps" in t.problem


@pytest.mark.parametrize("name", ["tanh", "softplus"])
def test_a_random_network_of_depth_l_keeps_the_slope_bound(name):
    # Fails if the transform does not do in a network what its conditions promise: a random
    # vanilla network of L = 10 layers of 1024 units with Keras's Orthogonal kernels (weights of
    # variance 1/fan-in, no biases, the setting DKS assumes), φ̂ after each layer, here in
    # NumPy. Two inputs at correlation c0 = 0.95 must leave it at 1 − c_L ≈ ζ (1 − c0) (the
    # whole network's C′(1) = ζ = 1.5; the second-order term of C at c0 and the finite width's
    # noise, about √(2/N) a layer, keep it within 10 %), and the signal's mean square must stay
    # at its input's 1 (Q(1) = 1), within 3 %. Measured: tanh 1.446 and q 0.985, softplus 1.443
    # and 0.983. Without the transform, plain tanh's mean square falls to 0.05 in the same
    # network (at width 2048), which the Q bound catches.
    import keras

    depth, width, zeta = 10, 1024, 1.5
    t = trainable.of_activation(get(name), depth, zeta)
    f = NUMPY[name][0]
    a, b, d, g = t.input_scale, t.input_shift, t.output_shift, t.output_scale
    rng = np.random.default_rng(0)
    pairs = 16
    x = rng.standard_normal((pairs, width))
    noise = rng.standard_normal((pairs, width))
    c0 = 0.95
    y = c0 * x + math.sqrt(1 - c0**2) * noise
    h = np.concatenate([x, y])
    for layer in range(depth):
        kernel = np.asarray(keras.initializers.Orthogonal(seed=layer)((width, width)), np.float64)
        h = g * (f(a * (h @ kernel) + b) + d)  # tanh and softplus: NumPy ufuncs
    hx, hy = h[:pairs], h[pairs:]
    q = np.mean(hx**2, axis=1)
    c = np.sum(hx * hy, axis=1) / np.sqrt(np.sum(hx**2, axis=1) * np.sum(hy**2, axis=1))
    assert np.mean(q) == pytest.approx(1.0, rel=0.03)
    assert (1 - np.mean(c)) / (1 - c0) == pytest.approx(zeta, rel=0.10)
