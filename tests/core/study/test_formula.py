"""The formula finder of learned shapes: known curves give back their formula, the R² it states
is that of the text, and curves it cannot rank are refused in words."""

import numpy as np
import pytest
import tensorflow as tf

from activations.expression import compile_expression
from core.study.shapes.formula import closest_formulas, formula_text

X = np.linspace(-4, 4, 400)


def test_a_scaled_shifted_tanh_is_found_with_its_coefficients():
    # Fails if the grid-then-refine fit misses an exact member of the family (a wrong sign
    # convention, c searched on too narrow a range, a and d not solved) or ranks it below others.
    y = 1.7 * np.tanh(0.8 * X - 0.2) + 0.1
    best = closest_formulas(X, y)[0]
    assert best.function in ("tanh", "sigmoid")  # tanh(z) = 2σ(2z) − 1: both are exact
    assert best.r2 >= 1 - 1e-9


def test_the_stated_r2_is_that_of_the_text_computed_independently():
    # Fails if the R² shown is of the unrounded fit, or of anything but the formula one click
    # adds: here recomputed from the text by the grammar's compiler and NumPy sums.
    y = X / (1 + np.exp(-1.3 * X))  # swish with β = 1.3: silu(1.3x) / 1.3
    for formula in closest_formulas(X, y):
        fitted = np.asarray(compile_expression(formula.text)(tf.constant(X, tf.float64)))
        r2 = 1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)
        assert formula.r2 == pytest.approx(r2, abs=1e-12)
    assert closest_formulas(X, y)[0].function == "silu"


def test_ranked_best_first_and_a_mismatch_scores_lower():
    y = np.sin(X)
    found = closest_formulas(X, y)
    assert [f.r2 for f in found] == sorted((f.r2 for f in found), reverse=True)
    assert found[0].function == "sin" and found[1].r2 < 0.9  # no other candidate is a sine


def test_a_straight_line_does_not_lose_every_candidate():
    # Fails if one candidate's fit running off (b → 0, a → ∞ on a near-linear shape: numbers
    # the grammar refuses) takes the whole list down with it.
    found = closest_formulas(X, 2 * X + 0.1)
    assert found and found[0].r2 > 0.999


def test_curves_that_cannot_be_ranked_are_refused_in_words():
    with pytest.raises(ValueError, match="constant"):
        closest_formulas(X, np.ones_like(X))
    with pytest.raises(ValueError, match="not a finite curve"):
        closest_formulas(X, np.where(X > 0, np.inf, 0.0))


def test_the_text_folds_signs_and_drops_ones_and_zeros():
    assert formula_text("tanh", 1.7, 0.8, -0.2, 0.1) == "1.7*tanh(0.8*x - 0.2) + 0.1"
    assert formula_text("silu", 1, 1, 0, 0) == "silu(x)"
    assert formula_text("sin", -1, -1, 0, -0.5) == "-sin(-x) - 0.5"
