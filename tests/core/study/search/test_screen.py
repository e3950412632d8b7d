"""The screen at initialisation: what it refuses, in words, and what it lets through."""

import numpy as np
import pytest

from core.study.search.screen import SCREEN_X, THUMB_X, screen
from core.study.search.space import Candidate, Space

RELU_LIKE = Candidate("min(x1,x2)", "max(x,0)", "|x|")  # min(max(x, 0), |x|) = relu
SWISH = Candidate("x1·x2", "x", "σ(x)")  # x·σ(x)
SWISH_AGAIN = Candidate("σ(x1)·x2", "x", "x")  # σ(x)·x: the same function written otherwise


def _one(candidate, seen=()):
    [result] = screen([("c0001", candidate)], seen, width=64)
    return result


@pytest.mark.parametrize(
    "candidate, layer",
    [
        (Candidate("x1·x2", "exp(x)", "exp(x)"), 2),  # e^{2x}: finite on [−10, 10] (< 5e8)
        (Candidate("x1·x2", "x³", "x"), 4),  # x⁴: finite on the line, explodes when iterated
    ],
)
def test_a_candidate_that_overflows_through_ten_untrained_layers_is_refused(candidate, layer):
    # Fails if the depth check is skipped or reads the wrong measure: both are finite with a
    # gradient everywhere on [−10, 10], so only the 10-layer network refuses them. The layer is
    # where float32 first overflows in the screen's seeded network (Glorot uniform, width 64).
    result = _one(candidate)
    assert not result.passed
    assert result.reason == (
        f"it overflows at initialisation: not finite by layer {layer} of an untrained "
        "10-layer network"
    )
    assert result.curve == [] and result.props == {}  # nothing described for a refused one


def test_a_candidate_whose_gradient_vanishes_through_ten_layers_is_refused():
    # x³·exp(−x²) is flat at 0 with f′(0) = 0: the signal shrinks towards 0 layer by layer and
    # no gradient is left for the first layer.
    result = _one(Candidate("x1·x2", "x³", "exp(-x²)"))
    assert result.reason.startswith("no gradient reaches the first layer of an untrained 10-layer")


@pytest.mark.parametrize("candidate, swish", [(RELU_LIKE, (0.0222, 4.0)), (SWISH, (0.0, 1.0))])
def test_relu_and_swish_written_as_candidates_pass_and_are_described(candidate, swish):
    # Fails if the screen refuses the functions the search is meant to find (a bound too
    # tight, a kink taken for a NaN), or a passed candidate lacks what the leaderboard shows.
    result = _one(candidate)
    assert result.passed, result.reason
    x = THUMB_X
    expected = np.maximum(x, 0) if candidate is RELU_LIKE else x / (1 + np.exp(-x))
    # The curve is the compiled function in float64: equal to NumPy's to rounding.
    np.testing.assert_allclose(result.curve, expected, rtol=1e-12, atol=1e-15)
    assert result.swish == pytest.approx(swish, abs=1e-4)
    assert result.props["f(0)"] == pytest.approx(0.0) and "monotonic" in result.props


def test_a_constant_candidate_has_no_gradient_and_is_refused():
    result = _one(Candidate("x1−x2", "x", "x"))  # x − x = 0
    assert result.reason == "f′(x) = 0 on all of [−10, 10]: no gradient to learn from"


def test_the_same_function_written_twice_is_refused_the_second_time():
    # Fails if duplicates are found by text only: x·σ(x) and σ(x)·x are different text.
    first, second = screen([("c0001", SWISH), ("c0002", SWISH_AGAIN)], width=64)
    assert first.passed and second.reason.startswith("the same function as a candidate seen")
    # ... and across calls, through the curves a search keeps of what it trained.
    assert _one(SWISH_AGAIN, seen=[SCREEN_X / (1 + np.exp(-SCREEN_X))]).reason.startswith(
        "the same function"
    )


def test_a_candidate_that_is_nan_somewhere_is_refused_where_it_is():
    # √x is NaN for x < 0: the reason names the first point of the grid where f is not finite.
    result = _one(Candidate("x1·x2", "√x", "x"))
    assert result.reason == "f(x) is not finite at x = -10 (checked on [−10, 10])"


def test_an_expression_the_grammar_refuses_is_refused_with_its_reason_not_an_exception():
    result = _one(Candidate("x1+x2", "β", "β"))  # beta + beta: no x
    assert result.reason.startswith("the expression grammar refuses it: the expression does not")


def test_random_candidates_of_the_whole_space_are_passed_or_refused_never_raised():
    # Fails if some corner of the space (a pole, where(), a constant β, overflow in float64
    # autodiff) makes the screen raise instead of refusing: a search would fail mid-batch.
    # 40 seeded draws (bench/search.py's 200-candidate run screened 312 without an exception).
    rng = np.random.default_rng(26)
    space = Space()
    named = [(f"c{i:04d}", space.random(rng)) for i in range(40)]
    results = screen(named, width=64)
    assert [r.name for r in results] == [n for n, _ in named]
    for r in results:
        if r.passed:
            assert len(r.curve) == len(THUMB_X) and np.isfinite(r.curve).all()
            assert np.isfinite(r.swish[0]) and set(r.props) >= {"range", "f(0)"}
        else:
            assert r.reason and r.curve == []
    assert 0 < sum(r.passed for r in results) < len(results)  # both kinds were exercised
