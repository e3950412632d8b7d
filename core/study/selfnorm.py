"""Self-normalising constants for any activation (Klambauer et al. 2017, "Self-Normalizing
Neural Networks"): the scale λ and a shape parameter α (or, for an activation without one, an
output shift) that make a chosen (mean μ, variance ν) a fixed point of the layer's map
(μ, ν) ↦ (E[y], Var[y]), y = λ·f(z), with the pre-activation z ~ N(μω, ντ) for weights of sum
ω and squared sum τ (the paper's notation) — and whether the fixed point attracts: the map's
Jacobian there has a spectral radius below 1.

The paper's Theorem 1 takes ω = 0, τ = 1 (normalised weights, as LeCun-normal initialisation
gives on average); the authors' `getSeluParameters` (bioinf-jku/SNNs, getSELUparameters.ipynb)
takes z ~ N(μ, ν), i.e. ω = τ = 1. At (0, 1) both give SELU's α = 1.6732632423543772 and
λ = 1.0507009873554805; the notebook's other example, (−0.1, 2) with ω = 1, gives
α = 1.9769021954241999, λ = 1.073851239616047.

The expectations are integrals of the activation's own TensorFlow function (float64) against
the normal density, split at x = 0: Gauss–Hermite over the whole line put ELU's α off by 2e-3
at 200 nodes (its derivative jumps at 0, which a rule for smooth functions cannot see), while
Gauss–Legendre on each side of 0, out to 12 standard deviations (the tail beyond weighs
< 1e-32), integrates each smooth piece to float64 precision. A kink elsewhere is integrated
less well: relu6's at 6 to 1e-4 at worst where the density is high there (mean 5.3, variance
4; tests/core/study/test_selfnorm.py measures it against adaptive quadrature). No Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy.optimize import brentq

NODES = 400  # Gauss–Legendre nodes on each side of 0
TAIL = 12.0  # standard deviations integrated on each side
SCAN = 50  # points on a parameter's range where a sign change of the mean is looked for


@dataclass(frozen=True)
class Constants:
    """The answer: `scale` (λ) and either `shape` = (parameter, value) or `shift`, the fixed
    point, and the Jacobian's spectral radius there (`attracting` when it is below 1). `problem`
    says why there is no answer (then the numbers are NaN)."""

    mean: float
    variance: float
    scale: float = float("nan")
    shape: tuple[str, float] | None = None
    shift: float = 0.0
    radius: float = float("nan")
    problem: str = ""

    @property
    def found(self) -> bool:
        return not self.problem

    @property
    def attracting(self) -> bool:
        return self.found and self.radius < 1.0


def _rule(
    mean: float, variance: float, kinks: tuple[float, ...] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes x and weights w with Σ w g(x) ≈ E g(x) for x ~ N(mean, variance), split at 0 and
    at `kinks` (where g's derivative jumps): each smooth piece to float64 precision."""
    sd = float(np.sqrt(variance))
    t, u = np.polynomial.legendre.leggauss(NODES)
    low, high = mean - TAIL * sd, mean + TAIL * sd
    edges = sorted({low, high, *(k for k in (0.0, *kinks) if low < k < high)})
    xs, ws = [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        x = (b - a) / 2 * t + (a + b) / 2
        xs.append(x)
        ws.append((b - a) / 2 * u * np.exp(-((x - mean) ** 2) / (2 * variance)))
    x, w = np.concatenate(xs), np.concatenate(ws)
    return x, w / np.sqrt(2 * np.pi * variance)


def moments(fn: Callable, mean: float, variance: float) -> tuple[float, float]:
    """E f(z) and Var f(z) for z ~ N(mean, variance); `fn` maps a float64 tensor element-wise."""
    x, w = _rule(mean, variance)
    y = np.asarray(tf.cast(fn(tf.constant(x, tf.float64)), tf.float64), np.float64)
    first = float(w @ y)
    return first, float(w @ (y - first) ** 2)


def _radius(layer: Callable[[float, float], tuple[float, float]], mean, variance) -> float:
    """Spectral radius of the Jacobian of (μ, ν) ↦ layer(μ, ν) at the fixed point, by central
    differences (the map is smooth in μ and ν even where f has a kink)."""
    h = 1e-5
    columns = []
    for dm, dv in ((h, 0.0), (0.0, h)):
        up = np.array(layer(mean + dm, variance + dv))
        down = np.array(layer(mean - dm, variance - dv))
        columns.append((up - down) / (2 * h))
    return float(np.max(np.abs(np.linalg.eigvals(np.column_stack(columns)))))


def solve(
    fn: Callable[..., object],
    params: Mapping[str, tuple[float, float, float]] | None = None,
    mean: float = 0.0,
    variance: float = 1.0,
    omega: float = 0.0,
    tau: float = 1.0,
) -> Constants:
    """The constants for `fn(x, **params)` at the fixed point (mean, variance), weights of sum
    `omega` and squared sum `tau`.

    `params`: the activation's parameters as name -> (default, low, high). The first one is
    the shape solved for (the others keep their defaults); with none, an output shift is.
    """
    if not (np.isfinite(mean) and np.isfinite(variance) and variance > 0 and tau > 0):
        return Constants(mean, variance, problem="The variance must be a positive number.")

    def moments_at(f, m, v):  # of f(z), z the pre-activation of inputs with mean m, variance v
        return moments(f, m * omega, v * tau)

    params = dict(params or {})
    fixed = {n: d for n, (d, _, _) in params.items()}
    target = mean / np.sqrt(variance)  # E[y] / sd[y] does not depend on λ > 0
    if not params:
        first, var = moments_at(lambda x: fn(x), mean, variance)
        if not var > 1e-12 or not np.isfinite(var):
            return Constants(mean, variance, problem=_flat(var))
        scale = float(np.sqrt(variance / var))
        shift = mean / scale - first

        def layer(m, v):
            e, s = moments_at(lambda x: fn(x), m, v)
            return scale * (e + shift), scale**2 * s

        return Constants(mean, variance, scale, None, shift, _radius(layer, mean, variance))

    name, (default, low, high) = next(iter(params.items()))

    def ratio(value: float) -> float:
        first, var = moments_at(lambda x: fn(x, **{**fixed, name: value}), mean, variance)
        return (first / np.sqrt(var) if var > 1e-12 else np.nan) - target

    grid = np.linspace(low, high, SCAN)
    values = np.array([ratio(v) for v in grid])
    brackets = [
        (grid[i], grid[i + 1])
        for i in range(SCAN - 1)
        if np.isfinite(values[i : i + 2]).all() and values[i] * values[i + 1] <= 0
    ]
    if not brackets:
        finite = values[np.isfinite(values)]
        seen = f"{finite.min():.3g} to {finite.max():.3g}" if finite.size else "undefined"
        return Constants(
            mean,
            variance,
            problem=f"No {name} in [{low:g}, {high:g}] makes the mean over the standard "
            f"deviation of f(z) equal {target:.3g} (the fixed point's mean/√variance): over "
            f"that range it goes {seen}. Another fixed point, or an activation whose shape "
            f"can shift its mean, may have one.",
        )
    a, b = min(brackets, key=lambda ab: abs((ab[0] + ab[1]) / 2 - default))
    value = float(brentq(ratio, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=200))
    first, var = moments_at(lambda x: fn(x, **{**fixed, name: value}), mean, variance)
    scale = float(np.sqrt(variance / var))

    def shaped(m, v):
        e, s = moments_at(lambda x: fn(x, **{**fixed, name: value}), m, v)
        return scale * e, scale**2 * s

    return Constants(mean, variance, scale, (name, value), 0.0, _radius(shaped, mean, variance))


def _flat(var: float) -> str:
    if not np.isfinite(var):
        return "f(z) has no finite variance at this fixed point (it overflows or is NaN)."
    return "f(z) is constant at this fixed point: no scale can give it a variance."


def of_activation(
    activation, mean: float = 0.0, variance: float = 1.0, omega: float = 0.0, tau: float = 1.0
) -> Constants:
    """The constants of a catalogue activation (its float parameters, the first solved for)."""
    if not activation.pointwise:
        return Constants(
            mean, variance, problem=f"{activation.name} is not one element-wise f(x) per unit."
        )
    params = {
        p.name: (float(p.default), float(p.low), float(p.high))
        for p in activation.params
        if p.kind == "float" and p.default is not None
    }
    others = {p.name: p.default for p in activation.params if p.name not in params}
    return solve(
        lambda x, **kw: activation.fn(x, **others, **kw), params, mean, variance, omega, tau
    )
