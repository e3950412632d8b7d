"""Whether a Playground network has learnt, and whether its test loss has stopped moving: plain
arithmetic on the job's history, so the page's words and the benchmark use the same rules."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# "Learnt": a test loss at most this fraction of the loss of a network whose output is stuck at
# 0, ½·mean(label²). For classification (labels ±1) that is 0.05, where the default spiral sits
# at 0.47–0.49 and the settings of PRESETS reach 0.003–0.02 (bench/playground_presets.py).
LEARNT_FRACTION = 0.1

# "Stopped moving": over the last PLATEAU_EPOCHS epochs the best test loss so far improved by
# less than PLATEAU_TOLERANCE of itself. Measured by bench/playground_presets.py (2026-12-06,
# Playground's defaults, seed 0, 800 epochs): on the spiral every network is flagged between
# epoch 206 and 407 and none fell later (the run sat at 0.47–0.49 for 1,953 epochs); on
# the circle and XOR, relu and tanh learnt and were never flagged, linear was flagged at 201 and
# stayed at 0.50; sigmoid was flagged at 201 and fell after all, past epoch 323 (circle) and 458
# (XOR). It had not moved for those epochs, so the page says "has not moved", never "will not".
PLATEAU_EPOCHS = 200
PLATEAU_TOLERANCE = 0.01


def learnt_loss(test_labels: np.ndarray) -> float:
    """The test loss below which a network counts as having learnt this data."""
    labels = np.asarray(test_labels, np.float64)
    return LEARNT_FRACTION * 0.5 * float(np.mean(labels * labels))


def best_so_far(losses: Sequence[float]) -> np.ndarray:
    """The lowest loss up to each epoch; a non-finite loss (a network that diverged) never
    counts as an improvement."""
    values = np.asarray(losses, np.float64)
    return np.minimum.accumulate(np.where(np.isfinite(values), values, math.inf))


def stopped_moving(
    losses: Sequence[float],
    epochs: int = PLATEAU_EPOCHS,
    tolerance: float = PLATEAU_TOLERANCE,
) -> bool:
    """Whether one network's test loss (one entry per epoch, from initialisation) has stopped
    moving: it is at least `epochs` epochs long, and its best improved by less than `tolerance`
    (relative) over the last `epochs` epochs. The best, not the last value: a loss that jumps
    about without getting lower has not moved, one that creeps down has."""
    if len(losses) <= epochs:
        return False
    best = best_so_far(losses)
    now, then = best[-1], best[-1 - epochs]
    if not math.isfinite(then):
        return not math.isfinite(now)  # diverged from the start and still is
    return bool(now >= (1 - tolerance) * then)
