"""Sweeps: a grid of architectures (depths, and optionally widths) × activations × learning rates
× seeds. Each architecture is one job: one fused run of every activation, rate and seed at that
depth and width (core/serve/jobs.py), saved in the run store like any Train run. The sweep itself is
its grid and the ids of its runs (core/serve/store.py `sweeps`).

Plain data in and out, no TensorFlow: the page, the store and the figures read it.
A cell of the trainability heatmap is one activation at one architecture, at its best learning
rate, chosen by the rule of core/train/rates.py.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from core.train.rates import CRITERION, best_rates, sensitivity  # noqa: F401  (CRITERION: pages)
from core.train.settings import BY_NAME, TrainConfig

DEPTHS = (1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 25)
MAX_JOBS = 40  # architectures in one sweep: each is a job of its own
MAX_NETWORKS = 2000  # every network of every job: a sweep bigger than this is a mistake


@dataclasses.dataclass(frozen=True)
class Grid:
    """What a sweep trains: `base` gives everything but the architecture (its depth and width
    are replaced by each architecture's; its model stays: MLP, residual MLP or Transformer)."""

    base: TrainConfig
    depths: tuple[int, ...]
    widths: tuple[int, ...]

    @property
    def architectures(self) -> list[tuple[int, int]]:
        """(depth, width) of every job, in the order they train: shallow and narrow first."""
        return [(d, w) for d in sorted(self.depths) for w in sorted(self.widths)]

    def config(self, depth: int, width: int) -> TrainConfig:
        return dataclasses.replace(self.base, depth=depth, width=width)

    @property
    def networks(self) -> int:
        return len(self.architectures) * self.base.networks

    def problems(self) -> list[str]:
        """What is wrong with the grid, in words a user can act on; empty when fine."""
        out = []
        if not self.depths:
            out.append("Choose at least one depth.")
        if not self.widths:
            out.append("Choose at least one width.")
        for name, values in (("depth", self.depths), ("width", self.widths)):
            bad = [v for v in values if BY_NAME[name].problem(v)]
            if bad:
                out.append(f"{BY_NAME[name].problem(bad[0])}")
        if len(self.architectures) > MAX_JOBS:
            out.append(
                f"{len(self.architectures)} architectures is more than {MAX_JOBS}; choose fewer "
                f"depths or widths."
            )
        if self.networks > MAX_NETWORKS:
            out.append(
                f"This sweep trains {self.networks} networks, more than {MAX_NETWORKS}; choose "
                f"fewer activations, rates, seeds or architectures."
            )
        if self.base.model == "cnn":
            out.append("A sweep grids depths, which the CNN does not have: choose another model.")
        for depth, width in self.architectures:  # the Transformer limits depth and width
            out += [p for p in self.config(depth, width).problems()]
        return list(dict.fromkeys(out))

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base.to_dict(),
            "depths": list(self.depths),
            "widths": list(self.widths),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Grid:
        return cls(
            TrainConfig.from_dict(d["base"]),
            tuple(int(v) for v in d["depths"]),
            tuple(int(v) for v in d["widths"]),
        )


def architecture_label(depth: int, width: int, widths: Sequence[int]) -> str:
    """How an architecture is named on the heatmap's axis: depth alone when one width."""
    layers = "layer" if depth == 1 else "layers"
    return f"{depth} {layers}" if len(widths) == 1 else f"{depth} × {width}"


@dataclasses.dataclass(frozen=True)
class Cell:
    """One activation at one architecture, at its best learning rate: the heatmap's cell."""

    depth: int
    width: int
    activation: str
    state: str  # queued, training, done, diverged (every rate diverged), or, with no epoch
    # done: stopped, interrupted, cancelled, failed
    epochs: int  # epochs done
    rate: float | None = None  # the best rate, once an epoch is done
    val_metric: float = math.nan  # mean over seeds at the best rate
    val_metric_std: float = math.nan
    val_loss: float = math.nan
    val_loss_std: float = math.nan
    seeds: int = 0
    diverged: int = 0  # seeds that diverged at the best rate


ENDED = ("finished", "stopped", "interrupted", "failed", "cancelled")


def cells_of(depth: int, width: int, comparison) -> list[Cell]:
    """The cells of one architecture's run (a record as the store or a job holds it)."""
    names = list(comparison.config.activations)
    if not comparison.epochs_done:  # ended before its first epoch, or not started yet
        state = {"running": "training", "queued": "queued"}.get(
            comparison.status, comparison.status
        )
        return [Cell(depth, width, n, state, 0) for n in names]
    best = best_rates(comparison)
    points = sensitivity(comparison)
    out = []
    for name in names:
        point = next(p for p in points[name] if p.rate == best[name])
        seeds = comparison.config.seeds
        if point.diverged == seeds:
            state = "diverged"
        elif comparison.status in ENDED:
            state = "done"
        else:
            state = "training"
        out.append(
            Cell(
                depth,
                width,
                name,
                state,
                comparison.epochs_done,
                best[name],
                point.val_metric,
                point.val_metric_std,
                point.val_loss,
                point.val_loss_std,
                seeds,
                point.diverged,
            )  # fmt: skip
        )
    return out


def grid_frame(grid: Grid, records: Mapping[tuple[int, int], Any]) -> pd.DataFrame:
    """The whole grid as a table, one row per architecture × activation × learning rate (the
    CSV download): mean and std over seeds of the final validation loss and metric, seeds that
    diverged, and whether the rate is the activation's best there. Architectures with no
    finished epoch yet have no rows."""
    rows = []
    for depth, width in grid.architectures:
        record = records.get((depth, width))
        if record is None or not record.epochs_done:
            continue
        best = best_rates(record)
        for name, points in sensitivity(record).items():
            for p in points:
                rows.append(
                    {
                        "depth": depth,
                        "width": width,
                        "activation": name,
                        "learning_rate": p.rate,
                        "best_rate": p.rate == best[name],
                        "epochs": record.epochs_done,
                        "val_loss_mean": p.val_loss,
                        "val_loss_std": p.val_loss_std,
                        f"val_{record.metric_name}_mean": p.val_metric,
                        f"val_{record.metric_name}_std": p.val_metric_std,
                        "seeds_diverged": p.diverged,
                        "status": record.status,
                    }
                )
    return pd.DataFrame(rows)


def sweep_status(states: Sequence[str]) -> str:
    """A sweep's state from its runs' statuses: training while any is queued or running."""
    if not states:
        return "empty"
    if any(s in ("queued", "running") for s in states):
        return "training"
    if all(s == "finished" for s in states):
        return "finished"
    return "ended"  # some stopped, interrupted, failed or deleted


def default_name(grid: Grid) -> str:
    depths = ", ".join(map(str, sorted(grid.depths)))
    widths = ", ".join(map(str, sorted(grid.widths)))
    acts = ", ".join(grid.base.activations)
    return f"depths {depths} × width {widths} · {acts}"
