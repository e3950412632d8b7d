"""The screen every candidate passes before it trains: at initialisation, as the Depth page
measures it, with nothing trained.

In order, a candidate is refused when
1. the expression grammar refuses it (it cannot be compiled);
2. f or f′ is not finite somewhere on x ∈ [−10, 10] (2,001 points, float64 autodiff);
3. f′ is 0 on all of [−10, 10]: no gradient to learn from;
4. it is the same function as a candidate seen before (its values on that grid agree to 1e-6);
5. in an untrained network of `SCREEN_DEPTH` layers of the search's width (Glorot uniform, the
   Depth page's `signal_at_init`, default parameters), an activation's mean or variance or a
   layer's gradient norm is not finite (it overflows), or no gradient reaches the first layer
   (its norm below 1e-10: it vanishes).
A candidate that passes keeps its measured properties (activations/analysis.py), its curve on
[−5, 5] for the leaderboard's thumbnail and its distance from the Swish family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from activations import Activation
from activations.analysis import derivatives, properties
from activations.expression import ExpressionError, custom_activation
from core.study.search.space import SWISH_X, Candidate, swish_distance
from core.study.signal import signal_at_init

SCREEN_X = np.linspace(-10.0, 10.0, 2001)
THUMB_X = np.linspace(-5.0, 5.0, 41)  # the leaderboard's curve thumbnail
SCREEN_DEPTH = 10
VANISHED = 1e-10  # a first-layer gradient norm below this has vanished
SAME_RTOL, SAME_ATOL = 1e-6, 1e-9  # two curves this close are the same function
# The properties kept with a candidate (the Gallery's table has them all).
KEPT = ("range", "monotonic", "zero-centred", "smoothness", "saturation", "f(0)", "f'(0)")


@dataclass
class Screened:
    """A candidate after the screen: `reason` is empty when it passed."""

    candidate: Candidate
    name: str
    reason: str = ""
    curve: list[float] = field(default_factory=list)  # f on THUMB_X
    swish: tuple[float, float] = (float("inf"), float("nan"))  # distance, β
    props: dict = field(default_factory=dict)
    _grid: np.ndarray | None = None  # f on SCREEN_X, for the duplicate check

    @property
    def passed(self) -> bool:
        return not self.reason


def activation(candidate: Candidate, name: str) -> Activation:
    """The candidate as a session custom (β starts at 1)."""
    return custom_activation(name, candidate.expression)


def screen(
    candidates: Sequence[tuple[str, Candidate]],
    seen: Sequence[np.ndarray] = (),
    width: int = 64,
    depth: int = SCREEN_DEPTH,
) -> list[Screened]:
    """Screen (name, candidate) pairs; `seen` are the SCREEN_X curves of the candidates drawn
    before. A duplicate within this call counts too. The baselines are not in `seen`: a
    candidate equal to silu (x·σ(βx) at β = 1) is trained and ranked, so a search can be seen
    to find Swish itself."""
    known = list(seen)
    out, deep = [], []
    for name, candidate in candidates:
        result = Screened(candidate, name)
        out.append(result)
        try:
            act = activation(candidate, name)
        except ExpressionError as exc:
            result.reason = f"the expression grammar refuses it: {exc}"
            continue
        result.reason = _on_the_line(act, result, known)
        if result._grid is not None:  # set when it passed the line's checks
            known.append(result._grid)
            deep.append((act, result))
    if deep:
        signal = signal_at_init([a for a, _ in deep], "glorot_uniform", depth, width)
        for k, (act, result) in enumerate(deep):
            result.reason = _through_depth(signal, k, depth)
            if not result.reason:
                _describe(act, result)
    return out


def _on_the_line(act: Activation, result: Screened, known: list[np.ndarray]) -> str:
    curves = derivatives(act, SCREEN_X)
    f, df = np.asarray(curves.f, np.float64), np.asarray(curves.df, np.float64)
    for what, values in (("f", f), ("f′", df)):
        bad = ~np.isfinite(values)
        if bad.any():
            where = SCREEN_X[np.argmax(bad)]
            return f"{what}(x) is not finite at x = {where:g} (checked on [−10, 10])"
    if not np.any(df != 0):
        return "f′(x) = 0 on all of [−10, 10]: no gradient to learn from"
    for other in known:
        if np.allclose(f, other, rtol=SAME_RTOL, atol=SAME_ATOL):
            return "the same function as a candidate seen before (its values agree on [−10, 10])"
    result._grid = f
    return ""


def _through_depth(signal, k: int, depth: int) -> str:
    measures = (signal.mean[k], signal.variance[k], signal.grad_norm[k])
    for values in measures:
        bad = ~np.isfinite(values)
        if bad.any():
            layer = int(np.argmax(bad)) + 1
            return (
                f"it overflows at initialisation: not finite by layer {layer} of an untrained "
                f"{depth}-layer network"
            )
    first = float(signal.grad_norm[k][0])
    if first < VANISHED:
        return (
            f"no gradient reaches the first layer of an untrained {depth}-layer network "
            f"(norm {first:.2g} < {VANISHED:g})"
        )
    return ""


def _describe(act: Activation, result: Screened) -> None:
    thumb = derivatives(act, THUMB_X).f
    result.curve = [float(v) for v in thumb]
    result.swish = swish_distance(derivatives(act, SWISH_X).f)
    props = properties(act)
    result.props = {k: _plain(props.get(k)) for k in KEPT}


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
