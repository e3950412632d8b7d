"""Schoenholz et al. 2017: random tanh networks train only up to about 6 ξ_c layers, the
mean-field depth scale that diverges at the edge of chaos."""

from __future__ import annotations

import dataclasses

import numpy as np

from core.study.experiments.experiment import (
    MNIST_CHANCE,
    Experiment,
    Spread,
    Verdict,
    at_least,
    judge,
    negate,
    quiet,
    share_holds,
    two_parts,
)
from core.train.settings import TrainConfig

EOC_SIGMA_W2 = (0.5, 1.0, 1.761, 3.0, 8.0)  # ordered, ordered, critical (at σ_b² 0.05), chaotic ×2
EOC_SIGMA_B2 = 0.05
EOC_DEPTHS = (4, 8, 16, 32, 64)
EOC_BASE = TrainConfig(
    activations=("tanh",),
    dataset="mnist",
    samples=2000,
    val_fraction=0.1,
    model="mlp",
    depth=EOC_DEPTHS[0],
    width=128,
    init="mean_field",
    sigma_w2=EOC_SIGMA_W2[0],
    sigma_b2=EOC_SIGMA_B2,
    optimizer="rmsprop",
    learning_rate=0.001,
    batch_size=64,
    epochs=3,
    seeds=3,
    diagnostics=False,
    data_seed=0,
)
EOC_TRAINS = 0.5  # a network "trains": last-epoch training accuracy ≥ 50 % (chance: 10 %)
EOC_SHARE = 0.8  # each prediction must hold in at least 80 % of its cells
EOC_BEYOND = 2.0  # "well beyond": depth ≥ 2 × 6 ξ_c
EOC_CURVE_POINTS = 61  # ξ_c on a fine σ_w² grid, for the figure's 6 ξ_c line
TRAINABLE_XI = 6.0  # core.train.theory.TRAINABLE_XI (not imported here: it loads TensorFlow)


class EdgeOfChaos(Experiment):
    id = "schoenholz-2017-edge-of-chaos"
    name = "Edge of chaos"
    title = "Random tanh networks train only up to about 6 ξ_c layers"
    claim = (
        "Mean-field theory gives a depth scale ξ_c over which a random network keeps two inputs "
        "apart (and gradients flowing); it diverges at the edge of chaos (χ1 = 1) and is short "
        "deep in the ordered or the chaotic phase. Networks are trainable only when their depth "
        "is below about 6 ξ_c: deep networks train only near the edge of chaos."
    )
    citation = (
        "S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, “Deep Information "
        "Propagation”, ICLR 2017, arXiv:1611.01232: Figure 5 and Section 5 (training accuracy "
        "over σ_w² × depth on MNIST and CIFAR-10, with 6 ξ_c drawn over it)."
    )
    schedule = (
        f"tanh MLPs of width 128, weights N(0, σ_w²/fan_in) and biases N(0, σ_b²) with σ_b² = "
        f"{EOC_SIGMA_B2:g} (the Train page's Gaussian initialisation) at σ_w² = "
        f"{', '.join(f'{v:g}' for v in EOC_SIGMA_W2)} (critical: 1.761) and depths "
        f"{', '.join(map(str, EOC_DEPTHS))}; 2,000 MNIST digits (1,800 train), RMSProp at "
        "Keras's default rate 0.001 (untuned), batch 64, 3 epochs (about 85 steps), 3 seeds "
        "per cell; ξ_c from the app's mean-field theory (core/train/theory.py) at each σ_w²."
    )
    criterion = (
        f"A cell (σ_w², depth) trains when its training accuracy over the last epoch (mean over "
        f"3 seeds; a diverged seed counts as chance, 10 %) is ≥ {EOC_TRAINS:.0%}. (1) Of the "
        f"cells with depth ≤ 6 ξ_c, at least {EOC_SHARE:.0%} train. (2) Of the cells well "
        f"beyond, depth ≥ {EOC_BEYOND:g} × 6 ξ_c, at least {EOC_SHARE:.0%} do not train. Cells "
        "in between are not judged. Both: reproduced; one: partly reproduced; neither: not "
        "reproduced; a part with no cells fails. A cell whose mean is within one standard "
        "deviation (over its seeds) of the threshold is undecided and counts both ways; a part "
        "that holds one way and fails the other is undecided, and a verdict that depends on an "
        "undecided part is “inconclusive”."
    )
    short_criterion = (
        f"≥ {EOC_SHARE:.0%} of cells with depth ≤ 6 ξ_c reach {EOC_TRAINS:.0%} training accuracy "
        f"and ≥ {EOC_SHARE:.0%} of cells with depth ≥ 12 ξ_c do not"
    )
    differs = (
        "width 128 (paper: 300), 2,000 MNIST digits and 3 epochs of RMSProp, about 85 steps "
        "(paper: full MNIST and CIFAR-10, SGD and RMSProp, thousands of steps), a 5 × 5 grid "
        "(paper: a fine one), 3 seeds per cell."
    )

    def __init__(self, sigma_w2s=EOC_SIGMA_W2, depths=EOC_DEPTHS):
        self.sigma_w2s, self.depths = tuple(sigma_w2s), tuple(depths)

    def smoke(self) -> EdgeOfChaos:
        # An ordered, the critical and a chaotic σ_w² at two depths: 6 networks instead of 25
        # (a smoke run trains every depth at most 8 layers deep, so the deeper three were the
        # same work again). Depth 16 at σ_w² 0.5 (6 ξ_c ≈ 7) is judged "well beyond", so both
        # parts of the verdict's arithmetic run, as in the full grid.
        return EdgeOfChaos(sigma_w2s=(0.5, 1.761, 8.0), depths=(4, 16))

    def configs(self):
        return tuple(
            dataclasses.replace(EOC_BASE, sigma_w2=w, depth=d)
            for w in self.sigma_w2s
            for d in self.depths
        )

    def train_links(self):
        # 25 runs: the deepest net in the ordered phase, at the edge and in the chaotic phase.
        deepest = [c for c in self.configs() if c.depth == self.depths[-1]]
        picked = [c for c in deepest if c.sigma_w2 in (1.0, 1.761, 8.0)]
        return tuple((f"Open σ_w² {c.sigma_w2:g}, {c.depth} layers on Train", c) for c in picked)

    def measure(self, records, progress=quiet):
        import tensorflow as tf

        from core.train.theory import Propagation

        by_cell = iter(records)
        accuracy = []  # σ_w² × depth × seed
        for _ in self.sigma_w2s:
            row = []
            for _ in self.depths:
                branches = next(by_cell).by_activation()["tanh"]
                row.append([_last_or_chance(b) for b in branches])
            accuracy.append(row)
        theory = Propagation(tf.math.tanh)
        fine = np.geomspace(min(self.sigma_w2s), max(self.sigma_w2s), EOC_CURVE_POINTS)
        return {
            "sigma_w2": list(self.sigma_w2s),
            "sigma_b2": EOC_SIGMA_B2,
            "depths": list(self.depths),
            "accuracy": accuracy,
            "xi_c": theory.measures(np.asarray(self.sigma_w2s), EOC_SIGMA_B2).xi_c.tolist(),
            "curve": {
                "sigma_w2": fine.tolist(),
                "xi_c": theory.measures(fine, EOC_SIGMA_B2).xi_c.tolist(),
            },
        }

    def verdict(self, measured):
        inside, beyond = [], []
        for row, xi in zip(measured["accuracy"], measured["xi_c"], strict=True):
            limit = TRAINABLE_XI * float(xi)
            for cell, depth in zip(row, measured["depths"], strict=True):
                trains = at_least(Spread.of(cell), EOC_TRAINS)
                if depth <= limit:
                    inside.append(trains)
                elif depth >= EOC_BEYOND * limit:
                    beyond.append(negate(trains))
        first, second = share_holds(inside, EOC_SHARE), share_holds(beyond, EOC_SHARE)
        label = judge(two_parts, a=first, b=second)

        def count(cells, what):
            sure = sum(c is True for c in cells)
            undecided = sum(c is None for c in cells)
            extra = f" ({undecided} undecided)" if undecided else ""
            return f"{sure}/{len(cells)} {what}{extra}"

        text = (
            f"depth ≤ 6 ξ_c: {count(inside, 'cells train')}; depth ≥ 12 ξ_c: "
            f"{count(beyond, 'cells do not')}"
        )
        return Verdict(label, text)


def _last_or_chance(branch) -> float:
    """A network's last-epoch training accuracy; chance when it diverged (it did not train)."""
    if branch.status == "diverged" or not branch.metric:
        return MNIST_CHANCE
    return float(branch.metric[-1])
