"""Made-up comparisons for the tests and benchmarks of what is drawn: the charts need numbers, not
a training. In bench/ so that bench/share.py uses them without importing tests/."""

import math
import random

from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig

SIX = ("relu", "tanh", "sigmoid", "gelu", "elu", "SinActivation")


def comparison(names=SIX, seeds=3, epochs=8, status="finished") -> Comparison:
    """A made-up MNIST comparison of `names`, finished, with plausible curves."""
    rng = random.Random(0)
    branches = []
    for i, name in enumerate(names):
        for seed in range(seeds):
            # Each activation a little slower than the one before, each seed a little noisy.
            rate = 3 + i
            loss = [0.9 * math.exp(-e / rate) + 0.05 + 0.01 * rng.random() for e in range(epochs)]
            acc = [1 - value / 1.1 for value in loss]
            branches.append(
                BranchHistory(
                    name, seed, loss, [v * 1.1 for v in loss], acc, [a - 0.02 for a in acc], status
                )
            )
    config = TrainConfig(activations=tuple(names), seeds=seeds, epochs=epochs)
    return Comparison(
        config=config,
        task="classification",
        metric_name="accuracy",
        dataset_source="MNIST, keras.datasets · 54,000 train / 6,000 validation samples",
        branches=branches,
        parameters=101_770,
        epoch_seconds=[1.5] * epochs,
        status=status,
    )
