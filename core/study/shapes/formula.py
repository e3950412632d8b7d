"""The formula a learned shape is closest to: a·f(b·x + c) + d with f one of the expression
grammar's functions, fitted by least squares on the inputs' range the shape saw, ranked by R².

Each candidate f is the grammar's own compiled function, and the R² reported is that of the
formula's text as written (coefficients rounded to 4 significant digits), compiled again: the
custom that one click adds computes exactly the function that was scored. Fitting runs in two
steps: for each (b, c) of a grid, a and d are the linear least-squares solution in closed form
(variable projection), then SciPy's least_squares refines all four from the best grid point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy.optimize import least_squares

from activations.expression import ExpressionError, compile_expression

# The grammar's one-argument functions a learned shape is compared with.
CANDIDATES = (
    "relu",
    "tanh",
    "sigmoid",
    "softplus",
    "silu",
    "gelu",
    "elu",
    "softsign",
    "atan",
    "erf",
    "sin",
    "exp",
    "abs",
    "square",
)
B_GRID = np.concatenate([-np.geomspace(0.1, 10, 15), np.geomspace(0.1, 10, 15)])
C_STEPS = 13
TOP = 5
DIGITS = 4


@dataclass(frozen=True)
class Formula:
    function: str
    text: str
    r2: float


def _number(v: float) -> str:
    return f"{v:.{DIGITS}g}"


def _term(coefficient: float, what: str) -> str:
    """`coefficient*what`, "what" for 1, "-what" for −1."""
    if coefficient == 1:
        return what
    return f"-{what}" if coefficient == -1 else f"{_number(coefficient)}*{what}"


def _plus(v: float) -> str:
    """ " + v" or " - |v|", nothing for 0."""
    if v == 0:
        return ""
    return f" + {_number(v)}" if v > 0 else f" - {_number(-v)}"


def formula_text(name: str, a: float, b: float, c: float, d: float) -> str:
    """a*f(b*x + c) + d in the grammar, signs folded in ("- 0.5", not "+ -0.5"), a 1 or a 0
    left out; each coefficient written to DIGITS significant digits."""
    a, b, c, d = (float(_number(v)) for v in (a, b, c, d))
    return _term(a, f"{name}({_term(b, 'x')}{_plus(c)})") + _plus(d)


def _evaluate(fn, z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(fn(tf.constant(z, tf.float64)), np.float64)


def _r2(y: np.ndarray, fitted: np.ndarray) -> float:
    total = float(np.sum((y - y.mean()) ** 2))
    if not np.all(np.isfinite(fitted)) or total == 0.0:
        return float("nan")
    return 1.0 - float(np.sum((y - fitted) ** 2)) / total


def _fit_one(name: str, x: np.ndarray, y: np.ndarray) -> Formula | None:
    fn = compile_expression(f"{name}(x)")
    span = max(float(np.max(np.abs(x))), 1e-6)
    b, c = np.meshgrid(B_GRID, np.linspace(-span, span, C_STEPS), indexing="ij")
    b, c = b.reshape(-1, 1), c.reshape(-1, 1)
    f = _evaluate(fn, b * x[None, :] + c)  # (grid, points)
    ok = np.all(np.isfinite(f), axis=1) & (np.std(f, axis=1) > 1e-12)
    if not ok.any():
        return None
    f, b, c = f[ok], b[ok, 0], c[ok, 0]
    fc, yc = f - f.mean(axis=1, keepdims=True), y - y.mean()
    a = (fc @ yc) / np.sum(fc**2, axis=1)
    sse = np.sum((yc[None, :] - a[:, None] * fc) ** 2, axis=1)
    best = int(np.argmin(sse))
    d = float(y.mean() - a[best] * f[best].mean())
    start = np.array([a[best], b[best], c[best], d])

    def residual(t: np.ndarray) -> np.ndarray:
        r = t[0] * _evaluate(fn, t[1] * x + t[2]) + t[3] - y
        return np.where(np.isfinite(r), r, 1e6)

    theta = least_squares(residual, start, method="trf", max_nfev=200).x
    if np.sum(residual(theta) ** 2) > np.sum(residual(start) ** 2):
        theta = start
    # A shift far below the curve's scale is rounding, not part of the formula.
    scale = max(float(np.max(np.abs(y))), float(np.max(np.abs(x))), 1.0)
    theta = np.where(np.abs(theta) < 1e-9 * scale, 0.0, theta)
    text = formula_text(name, *(float(v) for v in theta))
    # The score of the text itself, compiled again: what an added custom computes. A fit that
    # ran off (b → 0 with a → ∞ on a near-linear shape) has numbers the grammar refuses: that
    # candidate is left out, not the whole list.
    try:
        compiled = compile_expression(text)
    except ExpressionError:
        return None
    return Formula(name, text, _r2(y, _evaluate(compiled, x)))


def closest_formulas(x: np.ndarray, y: np.ndarray, top: int = TOP) -> list[Formula]:
    """The `top` formulas a·f(b·x + c) + d closest to the curve y(x), best R² first. ValueError
    when the curve is not finite or is constant (no R² can rank anything)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.shape != y.shape or x.size < 8 or not np.all(np.isfinite(y)):
        raise ValueError("The learned shape is not a finite curve on its range: nothing to fit.")
    if np.ptp(y) == 0:
        raise ValueError("The learned shape is constant on its range: every formula fits it.")
    found = [f for name in CANDIDATES if (f := _fit_one(name, x, y)) is not None]
    found = [f for f in found if np.isfinite(f.r2)]
    return sorted(found, key=lambda f: -f.r2)[:top]
