""" "Make it trainable" at depth L: Deep Kernel Shaping's affine transform of any element-wise
activation (Martens et al. 2021, "Rapid training of deep neural networks without skip connections
or normalization layers using Deep Kernel Shaping", arXiv 2110.01765), for a vanilla network of
L layers with weights of variance 1/fan_in (LeCun normal or orthogonal) and zero biases.

The transformed activation is φ̂(x) = γ·(f(α·x + β) + δ), as google-deepmind/dks writes it
(dks/base/activation_transform.py, `_transform_activation`: output_scale · (f(input_scale · x +
input_shift) + output_shift)). With x ~ N(0, 1) its maps satisfy, as DKS's code solves them:

- Q(1) = E[φ̂(x)²] = 1: the squared length of a unit input is kept, γ in closed form;
- C(0) = E[φ̂(x)]² = 0: orthogonal inputs stay orthogonal, δ = −E f(αx + β) in closed form;
- Q′(1) = E[φ̂(x)·φ̂′(x)·x] = 1: lengths near 1 are neither pulled in nor pushed out;
- C′(1) = E[φ̂′(x)²] = ζ^(1/L): the correlation map's slope over the whole L-layer chain is ζ
  (default 1.5, DKS's `c_slope_1_target`); the code finds the per-layer slope by bisection of
  its "maximal slope function", which for a chain of L layers is s ↦ s^L, so s = ζ^(1/L).

α and β are solved with `scipy.optimize.root` (Powell's hybrid method), from DKS's own starting
points (α ∈ {1, 0.1} × β ∈ {0, 1, −1}) then 50 seeded random ones (α in [0, 2], β in [−3, 3]), as
DKS does. A positively homogeneous f (relu, leaky_relu: f(c·z) = c·f(z)) has one degree of
freedom fewer (α only scales it) and cannot meet both slope conditions; DKS fixes its input shift
at ±1 and drops the Q′ condition, and so does this module. Other piecewise-linear f (relu6,
hard_tanh) get the two-condition solve from DKS's starting points, then that rule. An f that
jumps (hard_shrink) is refused: its true C′(1) is infinite, which autodiff does not see.

Expectations are over z = αx + β ~ N(β, α²) by core.study.selfnorm's Gauss–Legendre rule split
at z = 0 (where relu-like kinks are), of the activation's own TensorFlow function and its
autodiff derivative in float64. No Streamlit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy.optimize import brentq, root

from activations.expression import FUNCTIONS
from core.study.selfnorm import _rule
from core.study.signal_settings import ZETA

TOLERANCE = 1e-8  # |residual| accepted for each condition
RANDOM_TRIES = 50
STARTS = tuple(itertools.product((1.0, 0.1), (0.0, 1.0, -1.0)))  # DKS's _ALWAYS_TRY_VALUES


@dataclass(frozen=True)
class Transform:
    """φ̂(x) = output_scale · (f(input_scale · x + input_shift) + output_shift) at `depth` with
    whole-network slope `zeta`, and the maps it reaches (`q_slope` may be off target for a
    piecewise-linear f, which is said in `note`). `problem` says why there is none."""

    depth: int
    zeta: float
    input_scale: float = math.nan
    input_shift: float = 0.0
    output_shift: float = 0.0
    output_scale: float = math.nan
    c_slope: float = math.nan  # C′(1) per layer
    q_slope: float = math.nan  # Q′(1)
    note: str = ""
    problem: str = ""

    @property
    def found(self) -> bool:
        return not self.problem

    @property
    def target(self) -> float:
        """The per-layer C′(1) DKS asks for: ζ^(1/L)."""
        return self.zeta ** (1.0 / self.depth)

    def expression(self, inner: str) -> str:
        """The transformed activation as expression text, `inner` being f's text in x."""
        shifted = f"({_num(self.input_scale)} * x{_plus(self.input_shift)})"
        body = substitute_x(inner, shifted)
        return f"{_num(self.output_scale)} * ({body}{_plus(self.output_shift)})"


def _num(value: float) -> str:
    # 10 significant digits: the conditions hold to ~1e-9 at these values (tested), and the
    # expression stays readable.
    return f"{value:.10g}"


def _plus(value: float) -> str:
    """' + 0.5', ' - 0.5', or nothing for 0."""
    if value == 0:
        return ""
    return f" {'-' if value < 0 else '+'} {_num(abs(value))}"


def substitute_x(text: str, replacement: str) -> str:
    """`text` (an expression in x that the safe compiler accepted) with every variable x
    replaced by `replacement`. Only whole names: a parameter or function never is `x`
    (activations/expression.py reserves it), and an attribute after a dot is not a variable."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch.isalpha() or ch == "_":
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            after_dot = i > 0 and text[i - 1] == "."
            after_digit = i > 0 and (text[i - 1].isdigit() and word[0] in "eE")
            out.append(replacement if word == "x" and not after_dot and not after_digit else word)
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _kinks(fn: Callable) -> tuple[float, ...]:
    """Where f′ jumps on [−20, 20] (relu6 at 0 and 6, soft_shrink at ±0.5), located to ~1e-12 by
    bisection; () when there are none or too many to split at (more than 16)."""
    z = np.linspace(-20.0, 20.0, 40001)
    _, dy = _values(fn, z)
    at = np.flatnonzero(np.abs(np.diff(dy)) > 1e-3)
    if at.size == 0 or at.size > 16:
        return ()
    left, right, slope = z[at], z[at + 1], dy[at]
    for _ in range(45):
        mid = (left + right) / 2
        _, d_mid = _values(fn, mid)
        same = np.abs(d_mid - slope) < 1e-9  # still the left piece's slope
        left, right = np.where(same, mid, left), np.where(same, right, mid)
    return tuple(sorted({round(float(k), 12) for k in (left + right) / 2}))


class _Moments:
    """E over x ~ N(0, 1) of what the conditions need, for φ(z) = f(z) at z = αx + β."""

    def __init__(self, fn: Callable):
        self.fn = fn
        self.kinks = _kinks(fn)

    def __call__(self, scale: float, shift: float) -> dict[str, float]:
        z, w = _rule(shift, scale * scale, self.kinks)
        zt = tf.constant(z, tf.float64)
        with tf.GradientTape(persistent=True) as outer:
            outer.watch(zt)
            with tf.GradientTape() as inner:
                inner.watch(zt)
                y = tf.cast(self.fn(zt), tf.float64)
            dy = inner.gradient(y, zt)
        try:
            d2y = outer.gradient(dy, zt) if dy is not None else None
        except LookupError:  # an op with no second derivative (softsign): curvature unknown
            d2y = tf.fill(tf.shape(zt), tf.constant(np.nan, tf.float64))
        y = np.asarray(y, np.float64)
        dy = np.zeros_like(y) if dy is None else np.asarray(dy, np.float64)
        d2y = np.zeros_like(y) if d2y is None else np.asarray(d2y, np.float64)
        mean = float(w @ y)
        centred = y - mean
        x = (z - shift) / scale
        return {
            "mean": mean,
            "var": float(w @ centred**2),
            "d2": float(w @ dy**2),  # E f′(z)²
            "cross": float(w @ (centred * dy * x)),  # E (f(z) + δ)·f′(z)·x
            "curv": float(w @ d2y**2),
        }


def _maps(m: dict[str, float], scale: float) -> tuple[float, float, float]:
    """(γ, C′(1), Q′(1)) at z = αx + β from its moments, with δ = −E f(z) so that C(0) = 0."""
    gamma2 = 1.0 / m["var"]
    return math.sqrt(gamma2), gamma2 * scale * scale * m["d2"], gamma2 * scale * m["cross"]


def dks(fn: Callable, depth: int, zeta: float = ZETA) -> Transform:
    """DKS's transform of the element-wise `fn` (a float64 tensor in, the same shape out) for a
    chain of `depth` layers, the whole network's C′(1) = `zeta`."""
    if not (isinstance(depth, int) and depth >= 1):
        return Transform(max(int(depth), 1), zeta, problem="The depth must be a whole number ≥ 1.")
    if not (math.isfinite(zeta) and zeta > 1.0):
        return Transform(depth, zeta, problem="ζ must be above 1 (DKS's own condition).")
    moments = _Moments(fn)
    target = zeta ** (1.0 / depth)

    def at(scale: float, shift: float):
        m = moments(scale, shift)
        needed = ("mean", "var", "d2", "cross")  # the curvature only tells kinds of f apart
        if not (m["var"] > 1e-12 and all(math.isfinite(m[k]) for k in needed)):
            return None
        return m

    try:
        probe = at(1.0, 0.3)
    except (tf.errors.OpError, ValueError, TypeError) as exc:
        return Transform(depth, zeta, problem=f"f cannot be differentiated here: {exc}"[:300])
    if probe is None:
        return Transform(
            depth, zeta, problem="f(z) is constant or not finite under a unit Gaussian input."
        )
    jump = _jump(fn)
    if jump is not None:
        where, size = jump
        return Transform(
            depth,
            zeta,
            problem=f"f jumps (by {size:.3g} near z = {where:.3g}): its true C′(1) is infinite, "
            "which autodiff does not see, so no transform keeps a deep network's correlations. "
            "Pick a continuous activation.",
        )
    linear_pieces = probe["curv"] == 0.0 and moments(0.7, -0.4)["curv"] == 0.0
    if linear_pieces and _homogeneous(fn):
        # f(c·z) = c·f(z) (relu, leaky_relu): α only scales f, one degree of freedom fewer,
        # which is why DKS fixes β for relu.
        return _piecewise_linear(at, depth, zeta, target)

    def residual(v: np.ndarray) -> np.ndarray:
        scale, shift = float(v[0]), float(v[1])
        m = at(scale, shift) if abs(scale) > 1e-9 else None
        if m is None:
            return np.array([1e6, 1e6])
        _, c_slope, q_slope = _maps(m, scale)
        return np.array([q_slope - 1.0, c_slope - target])

    rng = np.random.default_rng(123)  # DKS's _RANDOM_SEED
    randoms = [(rng.uniform(0, 2), rng.uniform(-3, 3)) for _ in range(RANDOM_TRIES)]
    # Linear pieces with kinks away from 0 (relu6, hard_tanh): DKS's own starting points, then
    # its relu rule if they find no root.
    for start in STARTS if linear_pieces else [*STARTS, *randoms]:
        sol = root(residual, np.asarray(start), method="hybr")
        if sol.success and np.all(np.abs(residual(sol.x)) < TOLERANCE):
            scale, shift = float(sol.x[0]), float(sol.x[1])
            m = at(scale, shift)
            assert m is not None  # residual() was finite there
            gamma, c_slope, q_slope = _maps(m, scale)
            return Transform(depth, zeta, scale, shift, -m["mean"], gamma, c_slope, q_slope)
    if linear_pieces:
        return _piecewise_linear(at, depth, zeta, target)
    return Transform(
        depth,
        zeta,
        problem=f"No input scale and shift make Q′(1) = 1 and C′(1) = {target:.6g} "
        f"(ζ = {zeta:g} over {depth} layers) from {len(STARTS) + RANDOM_TRIES} starting points.",
    )


def _values(fn: Callable, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(z) and f′(z) by autodiff, float64."""
    zt = tf.constant(z, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(zt)
        y = tf.cast(fn(zt), tf.float64)
    dy = tape.gradient(y, zt)
    y_np = np.asarray(y, np.float64)
    return y_np, (np.zeros_like(y_np) if dy is None else np.asarray(dy, np.float64))


def _jump(fn: Callable) -> tuple[float, float] | None:
    """(where, by how much) f jumps on [−8, 8], or None: a step between neighbours of a 0.001
    grid more than 10 times what the larger of their derivatives allows (plus 1e-6)."""
    z = np.linspace(-8.0, 8.0, 16001)
    y, dy = _values(fn, z)
    steps = np.abs(np.diff(y))
    slope = np.maximum(np.abs(dy[:-1]), np.abs(dy[1:]))
    allowed = np.where(np.isfinite(slope), 10 * slope * (z[1] - z[0]) + 1e-6, np.inf)
    bad = np.flatnonzero(steps > allowed)
    if bad.size == 0:
        return None
    i = int(bad[0])
    return float((z[i] + z[i + 1]) / 2), float(steps[i])


def _homogeneous(fn: Callable) -> bool:
    """Whether f(2z) = 2·f(z) (to 1e-9 relative) on [−5, 5]: relu-like."""
    z = np.linspace(-5.0, 5.0, 101)
    once, _ = _values(fn, z)
    twice, _ = _values(fn, 2 * z)
    return bool(np.allclose(twice, 2 * once, rtol=1e-9, atol=1e-12))


def _piecewise_linear(at, depth: int, zeta: float, target: float) -> Transform:
    """DKS's rule for relu: the input shift fixed at +1 when the per-layer slope target is below
    1.466942206924260361 (dks/base/activation_transform.py), else −1, the scale solved for C′(1)
    alone; Q′(1) is what it is, and said."""
    shift = 1.0 if target < 1.466942206924260361 else -1.0

    def slope(scale: float) -> float:
        m = at(scale, shift)
        return math.inf if m is None else _maps(m, scale)[1] - target

    grid = np.geomspace(1e-3, 1e3, 61)
    values = [slope(s) for s in grid]
    brackets = [
        (grid[i], grid[i + 1])
        for i in range(len(grid) - 1)
        if np.isfinite(values[i : i + 2]).all() and values[i] * values[i + 1] <= 0
    ]
    if not brackets:
        return Transform(
            depth,
            zeta,
            problem=f"f is piecewise linear, and no input scale with shift {shift:+g} makes "
            f"C′(1) = {target:.6g} (DKS's rule for relu).",
        )
    scale = float(brentq(slope, *brackets[0], xtol=1e-14))
    m = at(scale, shift)
    assert m is not None
    gamma, c_slope, q_slope = _maps(m, scale)
    return Transform(
        depth,
        zeta,
        scale,
        shift,
        -m["mean"],
        gamma,
        c_slope,
        q_slope,
        note="f is piecewise linear (its second derivative is 0 wherever it has one), so only "
        f"C′(1) is solved, with the input shift fixed at {shift:+g} as DKS does for relu; "
        f"Q′(1) = {q_slope:.4g}.",
    )


def of_activation(activation, depth: int, zeta: float = ZETA) -> Transform:
    """The transform of a catalogue activation at its default parameters."""
    if not activation.pointwise:
        return Transform(
            depth, zeta, problem=f"{activation.name} is not one element-wise f(x) per unit."
        )
    values = activation.resolve()
    return dks(lambda x: activation.fn(x, **values), depth, zeta)


# Catalogue activations the expression grammar writes as one call of x at their defaults (the
# grammar's own function of that name, or a formula): the text a transform wraps. A test holds
# each equal to the catalogue's function.
FORMULAS = {
    "mish": "x * tanh(softplus(x))",
    "celu": "maximum(x, 0) + minimum(exp(x) - 1, 0)",  # α = 1
    "exponential": "exp(x)",
    "linear": "x",
    "hard_sigmoid": "relu6(x + 3) / 6",
    "hard_silu": "x * relu6(x + 3) / 6",
    "hard_tanh": "clip(x, -1, 1)",
    "log_sigmoid": "-softplus(-x)",
    "tanh_shrink": "x - tanh(x)",
    "squareplus": "(x + sqrt(x * x + 4)) / 2",  # b = 4
    "hard_shrink": "where(abs(x) > 0.5, x, 0)",  # threshold 0.5
    "soft_shrink": "where(x > 0.5, x - 0.5, where(x < -0.5, x + 0.5, 0))",
    "sparse_plus": "where(x <= -1, 0, where(x >= 1, x, (x + 1) ** 2 / 4))",
    "sparse_sigmoid": "where(x <= -1, 0, where(x >= 1, 1, (x + 1) / 2))",
}


def inner_text(activation) -> str | None:
    """`activation` at its defaults as expression text in x, or None when the grammar has no
    spelling for it (the transform is then shown, not offered as a custom)."""
    if activation.expression is not None:
        return activation.expression
    if activation.source != "keras":
        return None
    if activation.name in FORMULAS:
        return FORMULAS[activation.name]
    if activation.name in FUNCTIONS and FUNCTIONS[activation.name].arity[0] == 1:
        return f"{activation.name}(x)"
    return None
