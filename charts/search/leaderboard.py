"""An activation search's leaderboard and refusals as DataFrames, and how its score reads in
words. Each scored candidate is one row; the baselines (relu, silu) are summarised apart, since
they are the yardstick and not candidates."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.study.search.search import Entry, SearchState

# What the score is, next to every place it is shown.
SCORE_TEXT = (
    "score = validation accuracy after the last epoch, mean over seeds (± the standard "
    "deviation over seeds); a seed whose loss was not finite (diverged) counts as chance, 1 / "
    "classes"
)
SWISH_TEXT = (
    "Swish distance = the smallest root-mean-square gap on x ∈ [−5, 5] between the candidate "
    "and x·σ(βx) for any β in [−4, 4]; 0 is a member of the Swish family, β* the nearest β"
)
THUMB_CLIP = 5.0  # the thumbnail's y axis is [−5, 5]; steeper curves are clipped to it
BASELINE_LABEL = {"relu": "relu", "silu": "silu (Swish, β = 1)"}


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard deviation (ddof 1; nan with one value) of per-seed accuracies."""
    if not values:
        return math.nan, math.nan
    spread = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
    return float(np.mean(values)), spread


def percent(values: Sequence[float]) -> str:
    """'68.1 ± 0.5 %' (mean ± std over seeds), '68.1 %' with one seed."""
    mean, std = mean_std(values)
    if math.isnan(mean):
        return "—"
    return f"{100 * mean:.1f} %" if math.isnan(std) else f"{100 * mean:.1f} ± {100 * std:.1f} %"


def baselines(state: SearchState) -> dict[str, str]:
    """Each baseline's label and its accuracy as 'mean ± std %' (empty before they trained)."""
    return {
        BASELINE_LABEL.get(n, f"{n} (learned shape)"): percent(state.baselines[n])
        for n in state.settings.baseline_names
        if n in state.baselines
    }


def _clipped(curve: Sequence[float]) -> list[float]:
    return [float(np.clip(v, -THUMB_CLIP, THUMB_CLIP)) for v in curve]


def _range(props: dict) -> str:
    low, high = (props.get("range") or [math.nan, math.nan])[:2]
    return f"[{low:.3g}, {high:.3g}]"


def _row(rank: int, entry: Entry, silu: float, runs_url: str) -> dict:
    mean, std = mean_std(entry.accuracy)
    distance, beta = (list(entry.swish) + [math.inf, math.nan])[:2]
    props = entry.props
    return {
        "rank": rank,
        "name": entry.name,
        "expression": entry.expression,
        "formula": entry.candidate.formula,
        "curve": _clipped(entry.curve),
        "score %": 100 * mean,
        "± std": 100 * std,
        "vs silu (points)": 100 * (mean - silu),
        "diverged seeds": entry.diverged,
        "Swish distance": distance if math.isfinite(distance) else None,
        "β*": beta if math.isfinite(beta) else None,
        "monotonic": props.get("monotonic"),
        "zero-centred": props.get("zero-centred"),
        "range on [−6, 6]": _range(props),
        "smoothness": props.get("smoothness"),
        "f′(0)": props.get("f'(0)"),
        "batch run": f"{runs_url}?runs={entry.run_id}" if entry.run_id else None,
    }


COLUMNS = (
    "rank", "name", "curve", "score %", "± std", "vs silu (points)", "expression", "formula",
    "diverged seeds", "Swish distance", "β*", "monotonic", "zero-centred", "range on [−6, 6]",
    "smoothness", "f′(0)", "batch run",
)  # fmt: skip
# The frame's columns split in two tables, each as wide as a 1280 px window's page: the ranking
# (the leaderboard proper) and what was measured of each candidate. The formula b(u1, u2) is in
# the picked candidate's box.
RANKING = (
    "rank", "name", "curve", "score %", "± std", "vs silu (points)", "expression",
    "Swish distance", "β*", "batch run",
)  # fmt: skip
PROPERTIES = (
    "rank", "name", "diverged seeds", "monotonic", "zero-centred", "range on [−6, 6]",
    "smoothness", "f′(0)",
)  # fmt: skip


def leaderboard_frame(state: SearchState, runs_url: str = "runs") -> pd.DataFrame:
    """One row per scored candidate, best score first (ties: the earlier candidate); `runs_url`
    is the Runs page's address, for each row's link to the batch that trained it."""
    silu = mean_std(state.baselines.get("silu", []))[0]
    rows = [_row(i + 1, e, silu, runs_url) for i, e in enumerate(state.leaderboard())]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def refused_frame(state: SearchState) -> pd.DataFrame:
    """Every candidate the screen refused, in the order drawn, with its reason in words."""
    rows = [
        {"name": e.name, "expression": e.expression, "formula": e.candidate.formula,
         "reason": e.reason}
        for e in state.refused
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["name", "expression", "formula", "reason"])
