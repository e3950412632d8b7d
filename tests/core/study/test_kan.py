"""Kolmogorov–Arnold networks: the edge splines against SciPy's B-splines and the grammar's
spline, grid refinement and grid moves that keep the function, and training that fits."""

import numpy as np
import pytest
import tensorflow as tf
from scipy.interpolate import BSpline

from activations.expression import bspline
from core.study.shapes.kan import KAN, basis, fit_adam, fit_lbfgs, rmse


def test_the_basis_is_scipys_with_a_range_per_input():
    # Fails if an input's grid is read from another input's range, or a basis function is off
    # by a knot: float64 both, 1e-12.
    g, low, high = 4, np.array([-1.0, 0.5]), np.array([1.0, 3.0])
    x = np.stack([np.linspace(-3, 3, 301), np.linspace(-1, 5, 301)], axis=1)
    ours = basis(tf.constant(x), g, low, high).numpy()  # (301, 2, 7)
    for i in range(2):
        h = (high[i] - low[i]) / g
        t = low[i] + (np.arange(g + 7) - 3) * h
        for j in range(g + 3):
            ref = np.nan_to_num(BSpline.basis_element(t[j : j + 5], extrapolate=False)(x[:, i]))
            np.testing.assert_allclose(ours[:, i, j], ref, atol=1e-12)


def test_an_edge_is_the_spline_activation_of_the_same_coefficients():
    # Fails if a KAN edge and the Custom page's spline activation differ: out_j = Σ_i wb silu(x_i)
    # + ws bspline(x_i, …), computed here edge by edge with the grammar's function.
    model = KAN.new([3, 2], 5, seed=0)
    layer = model.layers[0]
    x = np.random.default_rng(1).uniform(-1.5, 1.5, (50, 3))
    ours = layer(tf.constant(x)).numpy()
    theirs = np.zeros((50, 2))
    for i in range(3):
        for j in range(2):
            c = layer.coef.numpy()[i, j]
            spline = bspline(tf.constant(x[:, i]), layer.low[i], layer.high[i], *c).numpy()
            silu = x[:, i] / (1 + np.exp(-x[:, i]))
            theirs[:, j] += (
                layer.scale_base.numpy()[i, j] * silu + layer.scale_sp.numpy()[i, j] * spline
            )
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


@pytest.mark.parametrize("coarse, fine", [(5, 10), (10, 20), (3, 9)])
def test_a_refined_grid_holds_the_coarse_spline_exactly_on_its_range(coarse, fine):
    # Fails if refinement changes the function before training (pykan's refine starts the finer
    # grid from the coarser one). A nested grid (each coarse knot a fine knot) represents the
    # coarse cubic spline exactly on the range, so least squares recovers it to rounding.
    model = KAN.new([2, 3, 1], coarse, seed=2)
    x = np.random.default_rng(3).uniform(-1, 1, (500, 2))
    refined = model.refine(fine)
    np.testing.assert_allclose(refined(tf.constant(x)).numpy(), model(tf.constant(x)).numpy(),
                               atol=1e-10)  # fmt: skip


def test_a_non_nested_refinement_stays_close_and_a_grid_move_keeps_the_function():
    # 3 → 10 is not nested: the least-squares fit is close, not exact (measured 2e-4 here).
    model = KAN.new([2, 1, 1], 3, seed=1)
    x = np.random.default_rng(0).uniform(-1, 1, (400, 2))
    before = model(tf.constant(x)).numpy()
    assert np.max(np.abs(model.refine(10)(tf.constant(x)).numpy() - before)) < 2e-3
    moved = model.update_grid(x)
    assert np.max(np.abs(moved(tf.constant(x)).numpy() - before)) < 2e-3
    hidden = model.layers[0](tf.constant(x)).numpy()
    np.testing.assert_allclose(moved.layers[1].low, hidden.min(axis=0))


@pytest.mark.parametrize("fit", ["lbfgs", "adam"])
def test_training_fits_a_one_dimensional_function(fit):
    # Fails if the optimisers do not reach the variables (the RMSE would stay at its start).
    x = np.linspace(-1, 1, 200)[:, None]
    y = np.sin(np.pi * x)
    model = KAN.new([1, 1], 5, seed=0)
    start = rmse(model, x, y)
    end = fit_lbfgs(model, x, y, 200) if fit == "lbfgs" else fit_adam(model, x, y, 300, 0.05)
    assert end < 0.1 * start
