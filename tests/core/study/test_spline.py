"""Spline activations (KAN's φ): the grammar's cubic B-spline against SciPy's, the least-squares
start, refusals, and a network learning a spline per unit against the same network written in
plain Keras (its own B-splines by the Cox–de Boor recursion) and trained with model.fit."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy.interpolate import BSpline

from activations import shared_catalogue
from activations.expression import ExpressionError, bspline, compile_expression, custom_activation
from core.study.shapes import spline
from tests.core.study.learning_twin import fused_and_plain
from tests.core.train.test_training import _assert_same


def _scipy_spline(c, g, low, high, x):
    """Σ c_i B_i(x) from SciPy's basis elements on KAN's extended uniform knots (0 outside each
    element's support): the reference the grammar's closed form must equal."""
    h = (high - low) / g
    t = low + (np.arange(g + 7) - 3) * h
    return sum(
        c[i] * np.nan_to_num(BSpline.basis_element(t[i : i + 5], extrapolate=False)(x))
        for i in range(g + 3)
    )


@pytest.mark.parametrize(
    "g, low, high", [(1, -1.0, 1.0), (3, -2.0, 2.0), (5, -3.0, 3.0), (7, 0.5, 4.0)]
)
def test_the_spline_is_scipys_b_spline_on_and_beyond_its_range(g, low, high):
    # Fails if a basis function is off by a knot, scaled, or not 0 beyond the extended grid:
    # both float64, so 1e-12 (measured 7e-16).
    c = np.random.default_rng(g).normal(size=g + 3)
    h = (high - low) / g
    x = np.linspace(low - 4 * h, high + 4 * h, 1201)
    ours = np.asarray(bspline(tf.constant(x, tf.float64), low, high, *c))
    np.testing.assert_allclose(ours, _scipy_spline(c, g, low, high, x), atol=1e-12)
    assert np.all(ours[(x < low - 3 * h) | (x > high + 3 * h)] == 0)
    np.testing.assert_allclose(spline.basis(x, g, low, high) @ c, ours, atol=1e-12)


def test_the_grammar_checks_a_splines_range_and_coefficients():
    with pytest.raises(ExpressionError, match="lo < hi"):
        compile_expression("bspline(x, 2, -2, a, b, c, d)")
    with pytest.raises(ExpressionError, match="lo < hi"):
        compile_expression("bspline(x, x, 2, a, b, c, d)")
    with pytest.raises(ExpressionError, match="takes"):
        compile_expression("bspline(x, -1, 1, a, b, c)")  # 3 coefficients: no cubic


def test_kans_start_is_silu_and_a_fit_to_gelu_shrinks_with_the_grid():
    # Fails if KAN's start is not φ = silu, or if the least-squares start does not follow its
    # target better on a finer grid (errors measured on [−3, 3]: G = 3: 0.031, G = 7: 0.0041).
    start = spline.silu_start()
    act = custom_activation("kan", start.text, start.settings())
    x = np.linspace(-6, 6, 101)
    np.testing.assert_allclose(
        np.asarray(act.curve(tf.constant(x, tf.float64))), x / (1 + np.exp(-x)), atol=1e-7
    )
    gelu = shared_catalogue().get("gelu")
    coarse, fine = (spline.fitted_activation(gelu, g) for g in (3, 7))
    assert fine.max_error < 0.5 * coarse.max_error
    assert fine.max_error < 0.01


def test_bad_grids_and_ranges_are_refused_in_words():
    with pytest.raises(ValueError, match="1 to 7 intervals"):
        spline.silu_start(8)
    with pytest.raises(ValueError, match="low end below"):
        spline.silu_start(5, 1.0, -1.0)


class PlainKanSpline(keras.layers.Layer):
    """KAN's φ per unit as a Keras user writes it, no app code: wb·silu(x) + ws·Σ c_i B_i(x), the
    B_i by the Cox–de Boor recursion on the extended knots, every coefficient a weight per unit
    (add_weight), starting at `start` (a dict of per-layer values)."""

    def __init__(self, start, g, low, high, **kwargs):
        super().__init__(**kwargs)
        self.start, self.g = dict(start), g
        h = (high - low) / g
        self.knots = [low + (j - 3) * h for j in range(g + 7)]

    def build(self, input_shape):
        units = input_shape[-1]
        self.w = {
            k: self.add_weight(shape=(units,), initializer=keras.initializers.Constant(v), name=k)
            for k, v in self.start.items()
        }

    def call(self, x):
        t = self.knots
        basis = [keras.ops.cast((t[i] <= x) & (x < t[i + 1]), x.dtype) for i in range(len(t) - 1)]
        for k in range(1, 4):
            basis = [
                (x - t[i]) / (t[i + k] - t[i]) * basis[i]
                + (t[i + k + 1] - x) / (t[i + k + 1] - t[i + 1]) * basis[i + 1]
                for i in range(len(basis) - 1)
            ]
        spline_value = sum(self.w[f"c{i}"] * b for i, b in enumerate(basis))
        return self.w["wb"] * keras.ops.silu(x) + self.w["ws"] * spline_value


@pytest.mark.slow
def test_a_network_learning_a_spline_per_unit_trains_like_plain_keras():
    # Fails if the fused engine does not learn every spline coefficient per unit as Keras's
    # add_weight layer does (one missing, shared between units or layers, another gradient), or
    # if the closed form and Cox–de Boor disagree where the pre-activations fall. float32
    # networks, sums in another order: 2e-4 relative, as every twin test.
    fit = spline.fitted_activation(shared_catalogue().get("tanh"), 3, -2.0, 2.0)
    act = custom_activation("tanh_kan", fit.text, fit.settings())
    plain = lambda: PlainKanSpline(fit.params(), 3, -2.0, 2.0)  # noqa: E731
    branch, alone, _ = fused_and_plain(act, "unit", 8, plain)
    _assert_same(branch, alone, rtol=2e-4)
    c0 = branch.learned["c0"][-1][0]
    assert c0[1] > 0  # the units' c0 moved apart: learned per unit
