"""f, f′, f″ by TensorFlow autodiff, and properties measured numerically from the function itself.

Everything here runs in float64 so that finite-difference checks and smoothness judgements
are not drowned by float32 round-off; functions that refuse float64 fall back to float32.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf

from activations.activation import Activation
from activations.catalogue import get

PLOT_RANGE = (-6.0, 6.0)
# Far points that stand in for ±∞ when limits and saturation are judged.
FAR = (10.0, 100.0, 1e3, 1e4, 1e5, 1e6)
SATURATION_AT = 100.0  # far enough to be a tail, near enough that exp() has not overflowed


@dataclass(frozen=True)
class Curves:
    x: np.ndarray
    f: np.ndarray
    df: np.ndarray
    d2f: np.ndarray
    d2f_numeric: bool = False  # TensorFlow has no second derivative for some ops (softsign)


def derivatives(act: Activation, x: np.ndarray, params: Mapping[str, Any] | None = None) -> Curves:
    """f, f′ and f″ of `act` at the points `x`, by nested gradient tapes over the training
    function."""
    try:
        return _derivatives(act, x, params, tf.float64)
    except (tf.errors.InvalidArgumentError, TypeError, ValueError):
        return _derivatives(act, x, params, tf.float32)


def _first(act, xt, params, dtype):
    with tf.GradientTape() as tape:
        tape.watch(xt)
        f = tf.convert_to_tensor(act.curve(xt, params))
        f = tf.broadcast_to(tf.cast(f, dtype), tf.shape(xt))  # a constant f still has a curve
    # Points are independent (element-wise, or one row per point for vector views), so the
    # gradient of the sum is the derivative at each point.
    return f, tape.gradient(f, xt, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def _derivatives(act, x, params, dtype) -> Curves:
    xt = tf.constant(np.asarray(x), dtype=dtype)
    as_np = lambda t: np.asarray(t, dtype=np.float64)  # noqa: E731
    with tf.GradientTape() as outer:
        outer.watch(xt)
        f, df = _first(act, xt, params, dtype)
    try:
        d2f, numeric = (
            as_np(outer.gradient(df, xt, unconnected_gradients=tf.UnconnectedGradients.ZERO)),
            False,
        )
    except LookupError:  # "gradient registry has no entry for: SoftsignGrad"
        # A central difference of the autodiff f′, which is exact up to O(h²).
        h = 1e-5 if dtype == tf.float64 else 1e-2
        up, down = _first(act, xt + h, params, dtype)[1], _first(act, xt - h, params, dtype)[1]
        d2f, numeric = (as_np(up) - as_np(down)) / (2 * h), True
    return Curves(as_np(xt), as_np(f), as_np(df), d2f, numeric)


def curves(act: Activation, params=None, x_range=PLOT_RANGE, n: int = 601) -> Curves:
    return derivatives(act, np.linspace(x_range[0], x_range[1], n), params)


def same_curve(
    a: Activation,
    b: Activation,
    a_params: Mapping[str, Any] | None = None,
    b_params: Mapping[str, Any] | None = None,
) -> bool:
    """Whether `a` and `b` give the same f on a grid over [−10, 10] and at the far points that
    stand in for ±∞, within float32 round-off (a typed `x * sigmoid(x)` is Keras's silu)."""
    x = np.concatenate([-np.array(FAR[::-1]), np.linspace(-10.0, 10.0, 2001), np.array(FAR)])
    fa, fb = derivatives(a, x, a_params).f, derivatives(b, x, b_params).f
    return bool(np.allclose(fa, fb, rtol=1e-5, atol=1e-7, equal_nan=True))


# --- properties --------------------------------------------------------------------------


def _limit(values: np.ndarray) -> float:
    """The value f approaches along the far points, ±inf when it grows, nan when it has none."""
    b, c = values[-2:]
    if np.isfinite(c) and np.isfinite(b) and abs(c - b) <= 1e-4 * (1 + abs(b)):
        return float(c)
    # Still moving by a decade's step at 10⁶ and moving one way all along: it runs off (even
    # log-slow growth moves 2.3 per decade; a converging tail like softsign's moves 10⁻⁵).
    with np.errstate(invalid="ignore"):  # inf - inf once f overflows; isposinf below decides then
        steps = np.diff(values)
    if np.isposinf(c) or (np.all(steps > 0) and c - b > 1e-3):
        return float("inf")
    if np.isneginf(c) or (np.all(steps < 0) and b - c > 1e-3):
        return float("-inf")
    return float("nan")


def _bounded(limit_left, limit_right, far_f, plotted_f, below: bool) -> bool:
    """Bounded on that side: no limit runs off to ∞ there, and an oscillating tail stays in
    range."""
    bad = float("-inf") if below else float("inf")
    if bad in (limit_left, limit_right):
        return False
    if np.isnan(limit_left) or np.isnan(limit_right):
        if not plotted_f.size or not np.isfinite(far_f).all():
            return False
        edge = plotted_f.min() if below else plotted_f.max()
        return bool(np.all(far_f >= edge - 1e-6) if below else np.all(far_f <= edge + 1e-6))
    return True


def _has_jump(fine: np.ndarray, coarse: np.ndarray) -> bool:
    """A jump keeps its size when the grid is refined tenfold; a continuous curve's steps shrink."""
    with np.errstate(invalid="ignore"):  # inf - inf where f overflows; judged just below
        step_fine, step_coarse = _max_step(fine), _max_step(coarse)
    if not np.isfinite(step_coarse) or not np.isfinite(step_fine):
        return True
    if step_coarse < 1e-9:
        return False
    return step_fine / step_coarse > 0.5


def _max_step(values: np.ndarray) -> float:
    return (
        float(np.nanmax(np.abs(np.diff(values))))
        if values.size > 1 and not np.isnan(values).all()
        else 0.0
    )


def _format_interval(lo: float, hi: float, open_left: bool, open_right: bool) -> str:
    if open_left and open_right:
        return "everywhere"
    if open_left:
        return f"x ≤ {hi:g}"
    if open_right:
        return f"x ≥ {lo:g}"
    return f"{lo:g} ≤ x ≤ {hi:g}"


def _flat_runs(
    x: np.ndarray, df: np.ndarray, far_left_flat: bool, far_right_flat: bool, min_len=0.1
):
    flat = np.abs(df) <= 1e-12
    runs, start = [], None
    for i, is_flat in enumerate(np.append(flat, False)):
        if is_flat and start is None:
            start = i
        elif not is_flat and start is not None:
            lo, hi = x[start], x[i - 1]
            if hi - lo >= min_len:
                runs.append(
                    _format_interval(
                        round(lo, 2),
                        round(hi, 2),
                        start == 0 and far_left_flat,
                        i - 1 == len(x) - 1 and far_right_flat,
                    )
                )
            start = None
    return runs


def properties(act: Activation, params=None, x_range=PLOT_RANGE) -> dict[str, Any]:
    """Numerically measured properties of `act` with `params`, on `x_range` and towards ±∞."""
    lo, hi = x_range
    coarse = derivatives(act, np.linspace(lo, hi, int(round((hi - lo) / 0.01)) + 1), params)
    # The smoothness grid is shifted off round numbers so it never lands exactly on a kink,
    # where autodiff returns a one-sided or summed subgradient (celu's f'(0) is 2).
    shift = 0.001 * (np.sqrt(2) - 1)
    fine = derivatives(act, np.linspace(lo, hi, int(round((hi - lo) / 0.001)) + 1) + shift, params)
    fine_coarse = derivatives(act, fine.x[::10], params)
    k = len(FAR)
    far_x = np.array([-c for c in FAR[::-1]] + [0.0] + list(FAR))
    far = derivatives(act, far_x, params)
    left_f, right_f = far.f[:k][::-1], far.f[k + 1 :]
    limit_left, limit_right = _limit(left_f), _limit(right_f)
    f0, df0 = float(far.f[k]), float(far.df[k])
    f = fine.f
    finite = np.isfinite(f)

    continuous = not _has_jump(fine.f, fine_coarse.f)
    c1 = continuous and not _has_jump(fine.df, fine_coarse.df)
    c2 = c1 and not _has_jump(fine.d2f, fine_coarse.d2f)
    smoothness = "C∞" if c2 else "C¹" if c1 else "C⁰" if continuous else "discontinuous"

    steps = np.diff(f[finite])
    if steps.size and np.all(steps >= -1e-12) and np.any(steps > 0):
        monotonic = "increasing"
    elif steps.size and np.all(steps <= 1e-12) and np.any(steps < 0):
        monotonic = "decreasing"
    else:
        monotonic = "no"

    # Mean and spread of f(z) for z ~ N(0, 1): what a layer of unit-variance inputs emits.
    z = np.linspace(-8.0, 8.0, 1601)
    zc = derivatives(act, z, params).f
    weight = np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi) * (z[1] - z[0])
    ok = np.isfinite(zc)
    mean = float(np.sum(weight[ok] * zc[ok]))
    spread = float(np.sqrt(max(np.sum(weight[ok] * (zc[ok] - mean) ** 2), 0.0)))

    at_left, at_right = k - 1 - FAR.index(SATURATION_AT), k + 1 + FAR.index(SATURATION_AT)
    sat_left = bool(np.isfinite(far.df[at_left]) and abs(far.df[at_left]) < 1e-3)
    sat_right = bool(np.isfinite(far.df[at_right]) and abs(far.df[at_right]) < 1e-3)
    saturation = {(True, True): "both", (True, False): "left", (False, True): "right"}.get(
        (sat_left, sat_right), "none"
    )
    dead = _flat_runs(
        coarse.x, coarse.df, abs(far.df[at_left]) <= 1e-12, abs(far.df[at_right]) <= 1e-12
    )

    problems = []
    for label, values in (("f", fine.f), ("f′", fine.df), ("f″", fine.d2f)):
        bad = ~np.isfinite(values)
        if bad.any():
            problems.append(
                f"{label} is NaN/inf at {int(bad.sum())} points (first at x = {fine.x[bad][0]:.3g})"
            )

    return {
        "range": (float(np.min(f[finite])), float(np.max(f[finite])))
        if finite.any()
        else (np.nan, np.nan),
        "limit -inf": limit_left,
        "limit +inf": limit_right,
        "bounded below": _bounded(limit_left, limit_right, far.f, f[finite], below=True),
        "bounded above": _bounded(limit_left, limit_right, far.f, f[finite], below=False),
        "monotonic": monotonic,
        "zero-centred": bool(abs(mean) < 0.1 * spread) if spread > 0 else abs(mean) < 1e-12,
        "mean on N(0,1)": mean,
        "smoothness": smoothness,
        "saturation": saturation,
        "dead zone": ", ".join(dead) if dead else "none",
        "f(0)": f0,
        "f'(0)": df0,
        "max |f'|": float(np.nanmax(np.abs(coarse.df)))
        if np.isfinite(coarse.df).any()
        else float("nan"),
        "vanishing share": float(np.mean(np.abs(coarse.df) < 1e-3)),
        "problems": problems,
        "f'' numeric": fine.d2f_numeric,
    }


@dataclass(frozen=True)
class Surface:
    """A gated unit f(u)·v on a grid of u (columns) and v (rows)."""

    u: np.ndarray
    v: np.ndarray
    z: np.ndarray  # (len(v), len(u))


def gated_surface(
    act: Activation, params: Mapping[str, Any] | None = None, extent: float = 3.0, n: int = 81
) -> Surface:
    """f(u)·v of the gated unit `act` over u, v ∈ [−extent, extent]: its gate computed by its
    own TensorFlow function, in float32 as it trains."""
    if not act.gated:
        raise ValueError(f"{act.name} is not a gated unit")
    grid = np.linspace(-extent, extent, n)
    gate = np.asarray(act.fn(tf.constant(grid, tf.float32), **act.resolve(params)), np.float64)
    return Surface(grid, grid, grid[:, None] * gate[None, :])


def relative_costs(acts: list[Activation], n: int = 1 << 18, repeats: int = 3) -> dict[str, float]:
    """Forward+backward time per element of each activation, relative to relu's, measured here."""
    x = tf.random.stateless_normal([n], seed=(1, 2), dtype=tf.float32)

    def seconds(act: Activation) -> float:
        best = float("inf")
        for _ in range(repeats + 1):  # the first call warms kernels up and is not counted
            start = time.perf_counter()
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = act.curve(x)
            g = tape.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            np.asarray(g)  # force the work to finish
            best = min(best, time.perf_counter() - start)
        return best

    base = seconds(get("relu"))
    return {a.name: seconds(a) / base for a in acts}


def warnings_for(props: dict[str, Any]) -> list[str]:
    """What a user should know before training with this activation, from its measured
    properties."""
    notes = list(props["problems"])
    if props["smoothness"] == "discontinuous":
        notes.append(
            "f jumps: at a jump the gradient is zero or undefined, so nothing learns across it."
        )
    elif props["smoothness"] == "C⁰":
        notes.append(
            "f has a kink (f′ jumps there); fine for training, like relu, but f″ is not defined "
            "there."
        )
    big = props["max |f'|"]
    if np.isfinite(big) and big > 5:
        notes.append(
            f"Exploding derivatives: |f′| reaches {big:.3g} on [−6, 6]; deep stacks may blow up."
        )
    if props.get("vanishing share", 0) > 0.5:
        notes.append(f"Vanishing gradients: f′ ≈ 0 on {props['vanishing share']:.0%} of [−6, 6].")
    if not props["zero-centred"]:
        notes.append(
            f"Outputs are not zero-centred: mean {props['mean on N(0,1)']:.3g} for N(0, 1) inputs."
        )
    return notes
