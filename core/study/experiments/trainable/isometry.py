"""After Pennington, Schoenholz & Ganguli (2017): at depth 100, does tanh with orthogonal weights
at the edge of chaos reach a training-accuracy threshold in fewer steps than relu under He
initialisation?"""

from __future__ import annotations

import dataclasses
import math

from core.study.experiments.experiment import (
    NOT_REPRODUCED,
    REPRODUCED,
    Experiment,
    Verdict,
    quiet,
)
from core.train.settings import TrainConfig

DEPTH = 100
THRESHOLD = 0.40  # 4 × chance on ten classes
TANH = TrainConfig(
    activations=("tanh",),
    dataset="mnist1d",
    samples=0,  # 4,000 training signals, 1,000 to validate
    val_fraction=0.2,
    model="mlp",
    depth=DEPTH,
    width=64,
    # Keras's Orthogonal at gain 1: σ_w² = 1 with zero biases, tanh's edge of chaos at σ_b² = 0
    init="orthogonal",
    optimizer="sgd",
    learning_rate=0.01,
    batch_size=128,
    epochs=30,
    seeds=3,
)
RELU = dataclasses.replace(TANH, activations=("relu",), init="he_normal")  # σ_w² = 2: its edge


def _epochs_to(branch) -> int | None:
    """The first epoch (1-based) whose mean training accuracy reaches THRESHOLD; None if none
    did (a network that diverged counts for the epochs it recorded before)."""
    return next((i + 1 for i, v in enumerate(branch.metric) if v >= THRESHOLD), None)


class OrthogonalTanhIsFaster(Experiment):
    id = "pennington-2017-isometry"
    name = "Isometry"
    title = "At depth 100, orthogonal tanh at the edge of chaos learns faster than He relu"
    claim = (
        "Deep networks whose input–output Jacobian keeps every singular value near 1 (dynamical "
        "isometry) learn much faster. Sigmoidal networks reach it with orthogonal weights at the "
        "edge of chaos; relu networks cannot, whatever the weights, so at large depth orthogonal "
        "tanh beats relu in learning speed."
    )
    citation = (
        "J. Pennington, S. S. Schoenholz, S. Ganguli, “Resurrecting the sigmoid in deep "
        "learning through dynamical isometry: theory and practice”, NeurIPS 2017: Figure 4 "
        "(learning speed at depth 200 on CIFAR-10)."
    )
    schedule = (
        f"MNIST-1D (4,000 training signals of 40 samples, 10 classes); a plain MLP of {DEPTH} "
        f"hidden layers × {TANH.width} units, no normalisation or skips, zero biases; plain SGD "
        f"at {TANH.learning_rate:g}, batch {TANH.batch_size} (32 steps an epoch), "
        f"{TANH.epochs} epochs; seeds 0–{TANH.seeds - 1}. Tanh under Keras's Orthogonal (gain "
        "1: σ_w² = 1, its edge of chaos at σ_b² = 0, χ1 = 1) against relu under He normal "
        "(σ_w² = 2, relu's edge of chaos)."
    )
    criterion = (
        f"For each seed, the training steps until an epoch's mean training accuracy first "
        f"reaches {THRESHOLD:.0%} (4 × chance), at the resolution of an epoch; a network that "
        f"never reaches it counts as never. Reproduced when orthogonal tanh reaches it in fewer "
        f"steps than He relu in 3 of 3 seeds (a seed where neither reaches it counts against); "
        f"otherwise not reproduced. Seeds are compared one by one, so no spread enters."
    )
    short_criterion = (
        f"orthogonal tanh reaches {THRESHOLD:.0%} training accuracy first in 3/3 seeds"
    )
    differs = (
        f"MNIST-1D instead of CIFAR-10, depth {DEPTH} instead of 200, width {TANH.width} instead "
        "of 400, plain SGD at one rate for both (the paper tuned each), an epoch's accuracy "
        "instead of a step's."
    )

    def configs(self):
        return (TANH, RELU)

    def train_links(self):
        return (("Open orthogonal tanh on Train", TANH), ("Open He relu on Train", RELU))

    def measure(self, records, progress=quiet):
        steps = math.ceil(4000 / TANH.batch_size)  # as the schedule says: 4,000 signals
        out = {"threshold": THRESHOLD, "steps_per_epoch": steps}
        for key, record in zip(("tanh", "relu"), records, strict=True):
            branches = sorted(record.by_activation()[key], key=lambda b: b.seed)
            out[key] = {
                "epochs_to": [_epochs_to(b) for b in branches],
                "accuracy": [list(map(float, b.metric)) for b in branches],
            }
        return out

    def verdict(self, measured):
        per_epoch = measured["steps_per_epoch"]
        tanh, relu = measured["tanh"]["epochs_to"], measured["relu"]["epochs_to"]
        wins = [t is not None and (r is None or t < r) for t, r in zip(tanh, relu, strict=True)]
        shown = lambda e: "never" if e is None else f"{e * per_epoch}"  # noqa: E731
        text = (
            f"orthogonal tanh faster in {sum(wins)}/{len(wins)} seeds; steps to "
            f"{measured['threshold']:.0%}: tanh {', '.join(map(shown, tanh))}; relu "
            f"{', '.join(map(shown, relu))}"
        )
        return Verdict(REPRODUCED if len(wins) >= 3 and all(wins) else NOT_REPRODUCED, text)
