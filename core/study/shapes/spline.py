"""Spline activations, as Kolmogorov–Arnold networks put on every edge (Liu et al. 2024, arXiv
2404.19756): φ(x) = wb·silu(x) + ws·spline(x), the spline a cubic B-spline of G intervals on a
range (the grammar's `bspline`, activations/expression.py). It is written as an expression, so
it is a custom like any typed one: its coefficients learn per layer or per unit, and it exports
and travels with nothing new.

It starts as KAN starts it, wb = ws = 1 and the spline at 0 (φ = silu), or with the spline
fitted by least squares so that φ is a chosen activation on the range (linear in the
coefficients: one `lstsq`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from activations.expression import MAX_CONSTANT
from core.study.shapes.rational import settings_around

GRID = 5  # pykan's default grid
RANGE = (-3.0, 3.0)
# wb, ws and G + 3 coefficients within the grammar's 12 parameters.
MAX_GRID = 7
POINTS = 2001


def names(g: int) -> list[str]:
    return ["wb", "ws"] + [f"c{i}" for i in range(g + 3)]


def text(g: int, low: float, high: float) -> str:
    coefficients = ", ".join(names(g)[2:])
    # repr: the text's range is the one fitted, to the last digit.
    return f"wb*silu(x) + ws*bspline(x, {float(low)!r}, {float(high)!r}, {coefficients})"


def basis(x: np.ndarray, g: int, low: float, high: float) -> np.ndarray:
    """The G + 3 cubic B-splines at x, (len(x), G + 3), in NumPy: the closed form bspline uses."""
    u = (np.asarray(x, np.float64)[:, None] - low) / ((high - low) / g)
    r = np.abs(u - (np.arange(g + 3)[None, :] - 1))
    return np.where(r < 1, 2 / 3 - r**2 + r**3 / 2, np.where(r < 2, (2 - r) ** 3 / 6, 0.0))


@dataclass(frozen=True)
class Spline:
    g: int
    low: float
    high: float
    coefficients: tuple[float, ...]
    target: str | None = None
    max_error: float | None = None  # against the target on [low, high]

    @property
    def text(self) -> str:
        return text(self.g, self.low, self.high)

    def params(self) -> dict[str, float]:
        return dict(zip(names(self.g), (1.0, 1.0, *self.coefficients), strict=True))

    def settings(self) -> dict[str, tuple[float, float, float]]:
        return settings_around(self.params())


def check(g: int, low: float, high: float) -> None:
    if not 1 <= g <= MAX_GRID:
        raise ValueError(f"The grid has 1 to {MAX_GRID} intervals (the grammar's 12 parameters).")
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(
            f"The range must have its low end below its high end; it is [{low}, {high}]."
        )
    if max(abs(low), abs(high)) > MAX_CONSTANT:
        raise ValueError(f"The range's ends must be within ±{MAX_CONSTANT:g}.")


def silu_start(g: int = GRID, low: float = RANGE[0], high: float = RANGE[1]) -> Spline:
    """KAN's start: the spline at 0, so φ = silu."""
    check(g, low, high)
    return Spline(g, float(low), float(high), (0.0,) * (g + 3))


def fitted(
    target, name: str, g: int = GRID, low: float = RANGE[0], high: float = RANGE[1]
) -> Spline:
    """The spline's coefficients by least squares so that silu + spline is `target` (a float64
    NumPy function) on POINTS points of [low, high]."""
    check(g, low, high)
    x = np.linspace(low, high, POINTS)
    y = np.asarray(target(x), np.float64)
    if y.shape != x.shape or not np.all(np.isfinite(y)):
        raise ValueError(f"The target is not a finite number everywhere on [{low:g}, {high:g}].")
    silu = x / (1 + np.exp(-x))
    b = basis(x, g, low, high)
    c, *_ = np.linalg.lstsq(b, y - silu, rcond=None)
    error = float(np.max(np.abs(silu + b @ c - y)))
    return Spline(g, float(low), float(high), tuple(float(v) for v in c), name, error)


def fitted_activation(act, g: int = GRID, low: float = RANGE[0], high: float = RANGE[1]) -> Spline:
    """`fitted` to a catalogue activation, evaluated in float64 by its own TensorFlow function."""
    import tensorflow as tf

    def target(x):
        return np.asarray(act.curve(tf.constant(x, tf.float64)), np.float64)

    return fitted(target, act.name, g, low, high)
