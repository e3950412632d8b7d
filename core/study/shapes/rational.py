"""Rational activations (Padé activation units, Molina et al. 2019, arXiv 1907.06732): f(x) =
P(x) / Q(x) with P of order m, and PAU's safe denominator Q(x) = 1 + |b_1 x + … + b_n x^n|, which
has no pole. A rational activation is written as an expression of the safe grammar, so it is a
custom like any typed one: it trains (its coefficients learnable per layer or per unit), exports
and travels in links and runs with nothing new.

Its coefficients start where PAU starts them: fitted by least squares to a known activation
on a range. The fit is done in two steps: the linear problem P(x) − f(x)·B(x) = f(x) (that is
P/(1 + B) = f with the absolute value left out) gives a start, then SciPy's least_squares fits
the true P/(1 + |B|) to f from there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

# PAU's default orders and the range its coefficients are fitted on.
ORDERS = (5, 4)
RANGE = (-3.0, 3.0)
MAX_ORDER = 6  # numerator; a denominator order is at most this − 1 (the grammar's 12 parameters)
POINTS = 2001


def names(m: int, n: int) -> tuple[list[str], list[str]]:
    return [f"a{i}" for i in range(m + 1)], [f"b{i}" for i in range(1, n + 1)]


def _power(i: int) -> str:
    return "" if i == 0 else ("*x" if i == 1 else f"*x**{i}")


def text(m: int, n: int) -> str:
    """The expression of a rational activation of orders (m, n) in the safe grammar."""
    a, b = names(m, n)
    numerator = " + ".join(f"{c}{_power(i)}" for i, c in enumerate(a))
    if n == 0:
        return numerator
    denominator = " + ".join(f"{c}{_power(i + 1)}" for i, c in enumerate(b))
    return f"({numerator}) / (1 + abs({denominator}))"


def value(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(x) / (1 + |B(x)|) in float64 (coefficients lowest order first)."""
    numerator = np.polynomial.polynomial.polyval(x, a)
    denominator = np.polynomial.polynomial.polyval(x, np.concatenate([[0.0], b]))
    return numerator / (1.0 + np.abs(denominator))


def settings_around(params: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    """Each fitted parameter as a custom's (default, low, high): its slider spans at least ± 3
    around the value (± twice it when that is larger), its ends whole numbers."""
    out = {}
    for k, v in params.items():
        span = max(3.0, 2 * abs(v))
        out[k] = (v, float(math.floor(v - span)), float(math.ceil(v + span)))
    return out


@dataclass(frozen=True)
class Fit:
    """A rational fitted to a target on [low, high]: its coefficients and its errors there."""

    m: int
    n: int
    a: tuple[float, ...]
    b: tuple[float, ...]
    low: float
    high: float
    max_error: float
    rms_error: float

    @property
    def text(self) -> str:
        return text(self.m, self.n)

    def params(self) -> dict[str, float]:
        a, b = names(self.m, self.n)
        return dict(zip(a + b, self.a + self.b, strict=True))

    def settings(self) -> dict[str, tuple[float, float, float]]:
        return settings_around(self.params())


def check_orders(m: int, n: int) -> None:
    if not (0 <= m <= MAX_ORDER and 0 <= n <= MAX_ORDER - 1):
        raise ValueError(
            f"Orders must be 0 ≤ m ≤ {MAX_ORDER} and 0 ≤ n ≤ {MAX_ORDER - 1}; they are ({m}, {n})."
        )


def fit(
    target: Callable[[np.ndarray], np.ndarray],
    m: int = ORDERS[0],
    n: int = ORDERS[1],
    low: float = RANGE[0],
    high: float = RANGE[1],
) -> Fit:
    """The rational of orders (m, n) closest to `target` (a float64 NumPy function) in least
    squares on POINTS evenly spaced points of [low, high]. ValueError for bad orders or a range,
    or a target that is not finite there."""
    check_orders(m, n)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(
            f"The range must have its low end below its high end; it is [{low}, {high}]."
        )
    x = np.linspace(low, high, POINTS)
    y = np.asarray(target(x), np.float64)
    if y.shape != x.shape or not np.all(np.isfinite(y)):
        raise ValueError(f"The target is not a finite number everywhere on [{low:g}, {high:g}].")
    # Linear start: [x^0 … x^m, −y·x^1 … −y·x^n] · [a; b] = y.
    columns = [x**i for i in range(m + 1)] + [-y * x**i for i in range(1, n + 1)]
    start, *_ = np.linalg.lstsq(np.stack(columns, axis=1), y, rcond=None)

    def residual(theta: np.ndarray) -> np.ndarray:
        return value(x, theta[: m + 1], theta[m + 1 :]) - y

    # The linear start can sit where 1 + B changes sign; least_squares then fits the safe form.
    theta = least_squares(residual, start, method="trf", x_scale="jac", max_nfev=4000).x
    if np.max(np.abs(residual(start))) < np.max(np.abs(residual(theta))):
        theta = start
    error = residual(theta)
    return Fit(
        m,
        n,
        tuple(float(v) for v in theta[: m + 1]),
        tuple(float(v) for v in theta[m + 1 :]),
        float(low),
        float(high),
        float(np.max(np.abs(error))),
        float(np.sqrt(np.mean(error**2))),
    )


def fit_activation(act, m: int = ORDERS[0], n: int = ORDERS[1], low=RANGE[0], high=RANGE[1]) -> Fit:
    """`fit` to a catalogue activation (its parameters at their defaults), evaluated in float64
    by its own TensorFlow function."""
    import tensorflow as tf

    return fit(
        lambda x: np.asarray(act.curve(tf.constant(x, tf.float64)), np.float64), m, n, low, high
    )
