"""The search space: every candidate the sets can make is an expression the grammar compiles to
the function its parts name, a mutation changes one part, and the Swish distance measures what
it says."""

import itertools

import numpy as np
import pytest
import tensorflow as tf
from scipy.special import erf

from activations.expression import ExpressionError, compile_expression
from core.study.search.space import (
    BINARY,
    EPSILON,
    SWISH_X,
    UNARY,
    Candidate,
    Space,
    swish_distance,
)

BETA = 1.25  # not 1, so a misplaced β shows; exact in float32 (the compiler makes it a float32
# constant before casting to x's dtype, so 1.3 would differ from float64 1.3 by 3e-8)
EPS = float(np.float32(EPSILON))  # a constant, like β, is made float32 first

# The paper's unary and binary functions written here in NumPy, from their names alone.
UNARY_NUMPY = {
    "x": lambda x: x,
    "-x": lambda x: -x,
    "|x|": np.abs,
    "x²": lambda x: x**2,
    "x³": lambda x: x**3,
    "√x": np.sqrt,
    "βx": lambda x: BETA * x,
    "x+β": lambda x: x + BETA,
    "log(|x|+ε)": lambda x: np.log(np.abs(x) + EPS),
    "exp(x)": np.exp,
    "sin(x)": np.sin,
    "cos(x)": np.cos,
    "sinh(x)": np.sinh,
    "cosh(x)": np.cosh,
    "tanh(x)": np.tanh,
    "asinh(x)": np.arcsinh,
    "atan(x)": np.arctan,
    "sinc(x)": lambda x: np.where(x == 0, 1.0, np.sin(x) / np.where(x == 0, 1.0, x)),
    "max(x,0)": lambda x: np.maximum(x, 0),
    "min(x,0)": lambda x: np.minimum(x, 0),
    "σ(x)": lambda x: 1 / (1 + np.exp(-x)),
    "log(1+eˣ)": lambda x: np.log1p(np.exp(x)),
    "exp(-x²)": lambda x: np.exp(-(x**2)),
    "erf(x)": erf,
    "β": lambda x: np.full_like(x, BETA),
}
BINARY_NUMPY = {
    "x1+x2": lambda a, b: a + b,
    "x1·x2": lambda a, b: a * b,
    "x1−x2": lambda a, b: a - b,
    "x1/(x2+ε)": lambda a, b: a / (b + EPS),
    "max(x1,x2)": np.maximum,
    "min(x1,x2)": np.minimum,
    "σ(x1)·x2": lambda a, b: b / (1 + np.exp(-a)),
    "exp(-β(x1−x2)²)": lambda a, b: np.exp(-BETA * (a - b) ** 2),
    "exp(-β|x1−x2|)": lambda a, b: np.exp(-BETA * np.abs(a - b)),
    "βx1+(1−β)x2": lambda a, b: BETA * a + (1 - BETA) * b,
}
# Points away from 0 and from −ε (where x1/(x2+ε) has its pole), both signs, |x| < 3.
POINTS = np.array([-2.7, -1.1, -0.35, 0.4, 0.9, 2.3])


def test_the_reference_tables_cover_the_sets():
    assert set(UNARY_NUMPY) == set(UNARY) and len(UNARY) == 25
    assert set(BINARY_NUMPY) == set(BINARY) and len(BINARY) == 10


def test_every_candidate_compiles_to_the_function_its_parts_name():
    # Fails if a template's brackets change its meaning (x − x**2 for x1−x2 with x2 = -x, or
    # -x**2 for x² of ... written without them), if a
    # template names a function the grammar lacks, or if β lands in the wrong place. All
    # 10 × 25 × 25 = 6,250 candidates, against NumPy written from the names here. The only
    # refusal allowed is the grammar's "does not use x" for b(β, β) (the screen's first reason).
    xs = tf.constant(POINTS, tf.float64)
    refused = []
    for binary, u1, u2 in itertools.product(BINARY, UNARY, UNARY):
        candidate = Candidate(binary, u1, u2)
        try:
            fn = compile_expression(candidate.expression)
        except ExpressionError as exc:
            refused.append((candidate, str(exc)))
            continue
        got = np.asarray(fn(xs, **({"beta": BETA} if candidate.uses_beta else {})))
        with np.errstate(all="ignore"):
            want = BINARY_NUMPY[binary](UNARY_NUMPY[u1](POINTS), UNARY_NUMPY[u2](POINTS))
        # float64 both sides; rtol covers erf and log1p's last bits and exp(x³)-sized values.
        np.testing.assert_allclose(
            got, want, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=candidate.formula
        )
    assert {(c.u1, c.u2) for c, _ in refused} == {("β", "β")}
    assert all("does not use x" in reason for _, reason in refused)
    assert len(refused) == len(BINARY)


def test_a_mutation_changes_exactly_one_part_and_draws_only_from_the_space():
    # Fails if a mutation changes two parts (a jump, not a step), none (the search would
    # retrain its parent), or brings in a block the user removed from the space.
    space = Space(unary=("x", "σ(x)", "tanh(x)", "erf(x)"), binary=("x1·x2", "x1+x2", "σ(x1)·x2"))
    rng = np.random.default_rng(7)
    changed_parts = set()
    for _ in range(300):
        parent = space.random(rng)
        child = space.mutate(parent, rng)
        pairs = zip(parent.to_list(), child.to_list(), strict=True)
        diffs = [i for i, (a, b) in enumerate(pairs) if a != b]
        assert len(diffs) == 1, (parent, child)
        changed_parts.add(diffs[0])
        assert child.binary in space.binary and {child.u1, child.u2} <= set(space.unary)
    assert changed_parts == {0, 1, 2}  # b, u1 and u2 are each mutated


def test_a_part_with_one_choice_cannot_mutate_and_the_parent_comes_back():
    space = Space(unary=("x",), binary=("x1·x2",))
    parent = Candidate("x1·x2", "x", "x")
    rng = np.random.default_rng(0)
    assert all(space.mutate(parent, rng) == parent for _ in range(10))


def test_random_draws_are_seeded():
    space = Space()
    a = [space.random(np.random.default_rng([3, 1])) for _ in range(3)]
    b = [space.random(np.random.default_rng([3, 1])) for _ in range(3)]
    assert a == b


def test_a_space_narrowed_to_nothing_or_to_unknown_blocks_is_explained():
    assert "at least one unary" in " ".join(Space(unary=()).problems())
    assert "at least one binary" in " ".join(Space(binary=()).problems())
    assert "Unknown building block 'x⁴'" in " ".join(Space(unary=("x", "x⁴")).problems())
    assert Space().size == 10 * 25 * 25 and Space().problems() == []


def test_a_candidate_round_trips_through_its_list():
    c = Candidate("σ(x1)·x2", "x", "erf(x)")
    assert Candidate.from_list(c.to_list()) == c
    assert c.expression == "sigmoid(x) * erf(x)" and not c.uses_beta
    assert Candidate("x1·x2", "βx", "x").uses_beta


def test_swish_distance_finds_swish_and_is_small_for_relu_at_the_edge_of_beta():
    # Fails if the family, the grid or the β it reports are off: x·σ(x) is exactly the
    # member β = 1 (distance 0 up to float64 rounding of the same formula), and relu is the
    # limit β → ∞, so its nearest member is the largest β on the grid, 4, at RMS 0.0222
    # (computed here from the definition: x·σ(4x) − max(x, 0) on [−5, 5]).
    x = SWISH_X
    distance, beta = swish_distance(x / (1 + np.exp(-x)))
    assert distance < 1e-12 and beta == pytest.approx(1.0, abs=1e-12)
    relu_distance, relu_beta = swish_distance(np.maximum(x, 0))
    expected = np.sqrt(np.mean((x / (1 + np.exp(-4 * x)) - np.maximum(x, 0)) ** 2))
    assert relu_beta == pytest.approx(4.0) and relu_distance == pytest.approx(expected, rel=1e-12)
    assert relu_distance == pytest.approx(0.0222, abs=5e-5)
    # β = −1: x·σ(−x) is found as itself, far from β = 1.
    assert swish_distance(x / (1 + np.exp(x)))[1] == pytest.approx(-1.0)
    # A curve that is not finite everywhere is at distance inf.
    assert swish_distance(np.where(x > 4, np.inf, x))[0] == np.inf
    assert swish_distance(x[:10])[0] == np.inf  # not on SWISH_X
