"""Learning rates in a comparison: each activation's best rate in a learning-rate sweep, how the
final validation numbers depend on the rate, and `Shown`, the networks a view draws. Plain data
in and out, no TensorFlow.

The best rate of an activation is the one with the lowest final validation loss, mean over its
seeds; a rate at which any seed diverged is chosen only if every rate diverged.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

from core.train.record import BranchHistory, Comparison

CRITERION = "lowest final validation loss (mean over seeds)"


def is_sweep(comparison: Comparison) -> bool:
    return bool(comparison.config.learning_rates)


def rate_of(branch: BranchHistory, comparison: Comparison) -> float:
    """A network's learning rate; runs stored before sweeps have the configuration's one."""
    rate = branch.learning_rate
    return comparison.config.learning_rate if rate is None else rate


def by_rate(comparison: Comparison, name: str) -> dict[float, list[BranchHistory]]:
    """The networks of activation `name`, grouped by learning rate (in the sweep's order)."""
    out: dict[float, list[BranchHistory]] = {}
    for b in comparison.branches:
        if b.activation == name:
            out.setdefault(rate_of(b, comparison), []).append(b)
    return dict(sorted(out.items()))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _score(seeds: Sequence[BranchHistory]) -> float:
    """The selection score of one rate: mean final validation loss; inf if a seed diverged or
    has no epoch yet."""
    if any(b.status == "diverged" or not b.val_loss for b in seeds):
        return math.inf
    return _mean([b.val_loss[-1] for b in seeds])


def best_rates(comparison: Comparison) -> dict[str, float]:
    """Each activation's best learning rate (see CRITERION); ties go to the smaller rate."""
    out = {}
    for name in comparison.by_activation():
        rates = by_rate(comparison, name)
        out[name] = min(rates, key=lambda r: (_score(rates[r]), r))
    return out


@dataclasses.dataclass(frozen=True)
class Shown:
    """What one view draws of a comparison, selected once where the page draws it and passed to
    every chart and table of the view: the whole record, each activation's best rate, and the
    networks shown (each activation's networks at its best rate). A comparison trained at one
    rate per activation shows every network and has no best rates."""

    record: Comparison  # every network the run trained (the sweep chart and downloads use it)
    best: Mapping[str, float]  # activation -> its best learning rate; empty without a sweep
    chosen: Comparison  # the record with only the networks shown

    @classmethod
    def of(cls, record: Comparison) -> Shown:
        if not is_sweep(record):
            return cls(record, {}, record)
        best = best_rates(record)
        kept = [b for b in record.branches if rate_of(b, record) == best[b.activation]]
        return cls(record, best, dataclasses.replace(record, branches=kept))

    @property
    def sweep(self) -> bool:
        return is_sweep(self.record)

    def rate(self, branch: BranchHistory) -> float:
        """The learning rate `branch` trained at."""
        return rate_of(branch, self.record)


@dataclasses.dataclass(frozen=True)
class RatePoint:
    """One activation at one rate: mean and std over the seeds that did not diverge."""

    rate: float
    val_loss: float
    val_loss_std: float
    val_metric: float
    val_metric_std: float
    diverged: int  # seeds that diverged at this rate


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    if not values:
        return math.nan, math.nan
    m = _mean(values)
    return m, _mean([(v - m) ** 2 for v in values]) ** 0.5


def sensitivity(comparison: Comparison) -> dict[str, list[RatePoint]]:
    """Per activation, its final validation loss and metric at each rate of the sweep."""
    out = {}
    for name in comparison.by_activation():
        points = []
        for rate, seeds in by_rate(comparison, name).items():
            done = [b for b in seeds if b.status != "diverged" and b.val_loss]
            loss = _mean_std([b.val_loss[-1] for b in done])
            metric = _mean_std([b.val_metric[-1] for b in done])
            diverged = sum(b.status == "diverged" for b in seeds)
            points.append(RatePoint(rate, *loss, *metric, diverged))
        out[name] = points
    return out
