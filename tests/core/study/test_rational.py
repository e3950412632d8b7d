"""Rational activations (PAU): the least-squares start against each target, the expression the
Custom page loads against the formula, and a network learning its coefficients per layer against
the same network written in plain Keras and trained with model.fit."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from activations import shared_catalogue
from activations.expression import custom_activation
from core.study.shapes import rational
from tests.core.study.learning_twin import fused_and_plain
from tests.core.train.test_training import _assert_same

# The largest error on [−3, 3] of the (5, 4) fit, as measured (2026-12-06) × about 1.5. A smooth
# target is fitted closely; one with a kink at 0 (relu, leaky_relu, selu) cannot be, a rational
# being smooth wherever its denominator's polynomial is not 0.
BOUNDS = {
    "relu": 0.05,  # measured 0.034
    "leaky_relu": 0.04,  # 0.027
    "elu": 6e-3,  # 4.0e-3
    "selu": 0.12,  # 0.076
    "gelu": 1.2e-3,  # 7.7e-4
    "silu": 2e-6,  # 8.8e-7
    "mish": 5e-4,  # 3.0e-4
    "tanh": 5e-6,  # 2.8e-6
    "sigmoid": 1e-8,  # 3.5e-9
    "softplus": 6e-6,  # 3.5e-6
}


def _numpy(act):
    return lambda x: np.asarray(act.curve(tf.constant(x, tf.float64)), np.float64)


@pytest.mark.parametrize("name", list(BOUNDS))
def test_the_fit_to_each_activation_is_within_its_measured_error(name):
    # Fails if the fit loses what PAU's initialisation gives: a wrong basis or order, a linear
    # start never refined into the safe form, or errors misreported (checked here on a finer
    # grid than the fit's, independently of its own numbers).
    act = shared_catalogue().get(name)
    fit = rational.fit(_numpy(act))
    x = np.linspace(-3, 3, 6001)
    error = np.max(np.abs(rational.value(x, np.array(fit.a), np.array(fit.b)) - _numpy(act)(x)))
    assert error <= BOUNDS[name]
    assert fit.max_error <= error + 1e-12  # the fit's own grid is a subset of this one


def test_a_typed_activation_is_fitted_too_and_smooth_ones_beat_kinked_ones():
    # Fails if a custom's function cannot be a target, or if the fit's quality does not follow
    # the target's smoothness (a smooth swish is fitted at least 100 times better than relu's
    # kink; measured: about 400 times).
    swish2 = custom_activation("swish2", "x * tf.sigmoid(2 * x)")
    relu = shared_catalogue().get("relu")
    assert (
        rational.fit(_numpy(swish2)).max_error < 1e-4 * rational.fit(_numpy(relu)).max_error * 1e2
    )


def test_the_expression_is_the_formula():
    # Fails if the text the Custom page loads computes another function than P / (1 + |B|).
    # The compiled expression holds its parameters as float32 (as every custom's), so it is
    # compared with the formula at the float32-rounded coefficients: both then float64, the same
    # sums in another order, 1e-12 relative (measured 5e-14).
    fit = rational.fit(_numpy(shared_catalogue().get("gelu")), 4, 3)
    act = custom_activation("r", fit.text, fit.settings())
    x = np.linspace(-6, 6, 1001)
    ours = np.asarray(act.curve(tf.constant(x, tf.float64)))
    a, b = (np.array(c, np.float32).astype(np.float64) for c in (fit.a, fit.b))
    np.testing.assert_allclose(ours, rational.value(x, a, b), rtol=1e-12)
    assert act.resolve({}) == pytest.approx(fit.params(), abs=0)


def test_bad_orders_and_ranges_are_refused_in_words():
    f = _numpy(shared_catalogue().get("tanh"))
    with pytest.raises(ValueError, match="Orders"):
        rational.fit(f, 7, 2)
    with pytest.raises(ValueError, match="low end below"):
        rational.fit(f, 3, 2, 1.0, -1.0)
    with pytest.raises(ValueError, match="not a finite number"):
        rational.fit(np.log, 3, 2, -1.0, 1.0)


class PlainRational(keras.layers.Layer):
    """PAU written by a Keras user, no app code: P(x) / (1 + |B(x)|), its coefficients weights
    of the layer (one set per layer), starting at `a` and `b`."""

    def __init__(self, a, b, **kwargs):
        super().__init__(**kwargs)
        self.a0, self.b0 = list(a), list(b)

    def build(self, input_shape):
        self.a = [
            self.add_weight(shape=(), initializer=keras.initializers.Constant(v)) for v in self.a0
        ]
        self.b = [
            self.add_weight(shape=(), initializer=keras.initializers.Constant(v)) for v in self.b0
        ]

    def call(self, x):
        numerator = sum(c * keras.ops.power(x, i) for i, c in enumerate(self.a))
        denominator = sum(c * keras.ops.power(x, i + 1) for i, c in enumerate(self.b))
        return numerator / (1 + keras.ops.abs(denominator))


@pytest.mark.slow
def test_a_network_learning_its_rational_per_layer_trains_like_plain_keras():
    # Fails if the fused engine does not learn all of a rational's coefficients like a Keras
    # layer with add_weight does: one missing, shared across layers, or updated from another
    # gradient. float32 networks summed in another order: 2e-4 relative, as every twin test.
    fit = rational.fit(_numpy(shared_catalogue().get("gelu")), 3, 2)
    act = custom_activation("gelu_pau", fit.text, fit.settings())
    branch, alone, model = fused_and_plain(act, "layer", 16, lambda: PlainRational(fit.a, fit.b))
    _assert_same(branch, alone, rtol=2e-4)
    learned_a0 = [float(layer.a[0]) for layer in model.layers if isinstance(layer, PlainRational)]
    np.testing.assert_allclose(
        [mean for mean, _ in branch.learned["a0"][-1]], learned_a0, rtol=1e-4, atol=1e-6
    )
    assert branch.learned["a0"][-1][0][0] != fit.a[0]  # it did learn
