"""Yu et al. 2024, small: at equal parameters an MLP is at least as accurate as a KAN, except on
a symbolic formula, where the KAN's splines win."""

from __future__ import annotations

import math

import numpy as np

from core.study.experiments.experiment import (
    SPREAD_RULE,
    Experiment,
    Spread,
    Verdict,
    at_least,
    judge,
    quiet,
    two_parts,
)

SEEDS = (0, 1, 2)


class KanOrMlp(Experiment):
    id = "yu-2024-kan-or-mlp"
    name = "KAN or MLP"
    title = "At equal parameters an MLP matches a KAN, except on a symbolic formula"
    kind = "fit"
    claim = (
        "Compared fairly (the same number of parameters, trained the same way), an MLP is at "
        "least as accurate as a KAN on machine-learning tasks; the KAN's advantage is limited "
        "to fitting symbolic formulas."
    )
    citation = (
        "R. Yu, W. Yu, X. Wang, “KAN or MLP: A Fairer Comparison”, arXiv 2407.16674 (2024): "
        "KAN ahead only on symbolic formula representation."
    )
    schedule = (
        "Two tasks, seeds 0, 1, 2 (data order and both networks), one training loop for both "
        "networks (core/study/shapes/kan_vs_mlp.py). MNIST-1D (4,000 training and 1,000 "
        "validation signals, standardised): a KAN [40, 8, 10] of cubic splines at G = 5 (4,000 "
        "parameters) against an MLP 40 → 78 → 10 with silu, the KAN's base function (3,988); "
        "Adam at 1e-3, batches of 128, 30 epochs, cross-entropy; the KAN's grids moved to its "
        "inputs' range before each of the first 5 epochs. Formula f(x, y) = exp(sin(πx) + y²) "
        "(1,000 training and 1,000 test points on [−1, 1]², the KAN page's data): a KAN "
        "[2, 5, 1] at G = 5 (150) against an MLP 2 → 10 → 10 → 1 with silu (151); full-batch "
        "Adam at 1e-2, 3,000 steps, mean squared error; the KAN's grids moved every 50 steps "
        "for the first 500. float32 for MNIST-1D, float64 for the formula."
    )
    criterion = (
        "Part 1: on MNIST-1D the MLP's final validation accuracy minus the KAN's, per seed, is "
        "≥ 0 on average. Part 2: on the formula log10(MLP's test RMSE ÷ KAN's), per seed, is > 0 "
        "on average (the KAN is more accurate). Reproduced when both hold, partly reproduced "
        f"when one does, not reproduced when neither. {SPREAD_RULE}"
    )
    short_criterion = (
        "MNIST-1D: MLP accuracy − KAN accuracy ≥ 0; formula: KAN test RMSE below the MLP's"
    )
    differs = (
        "two tasks instead of the paper's many; one size of each network, no tuning of either; "
        "a KAN of our own (core/study/shapes/kan.py), not pykan or efficient-kan."
    )

    def __init__(self, epochs: int | None = None, steps: int | None = None):
        self.epochs, self.steps = epochs, steps

    def smoke(self) -> KanOrMlp:
        return KanOrMlp(epochs=1, steps=20)

    def measure(self, records=(), progress=quiet):
        from core.study.shapes import kan_vs_mlp as kv
        from core.train import datasets

        data = datasets.load("mnist1d", None, 0.2, 0.0, 0)
        out: dict = {"mnist1d": {"kan": [], "mlp": []}, "formula": {"kan": [], "mlp": []}}
        curves: dict = {"mnist1d": {"kan": [], "mlp": []}, "formula": {"kan": [], "mlp": []}}
        done, total = 0, 4 * len(SEEDS)
        for seed in SEEDS:
            for task, pair in (("mnist1d", kv.mnist_pair), ("formula", kv.formula_pair)):
                for kind, net in zip(("kan", "mlp"), pair(seed), strict=True):
                    progress(done / total, f"seed {seed}: {task}, {kind.upper()}")
                    if task == "mnist1d":
                        fitted = kv.classify(net, data, seed, self.epochs or kv.MNIST_EPOCHS)
                    else:
                        fitted = kv.regress(net, seed, self.steps or kv.FORMULA_STEPS)
                    out[task][kind].append(fitted.score)
                    curves[task][kind].append(fitted.curve)
                    out.setdefault("parameters", {}).setdefault(task, {})[kind] = fitted.parameters
                    done += 1
        return {**out, "curves": curves}

    def verdict(self, measured):
        m, f = measured["mnist1d"], measured["formula"]
        gap = Spread.of(np.subtract(m["mlp"], m["kan"]))
        log_ratio = Spread.of([math.log10(a / b) for a, b in zip(f["mlp"], f["kan"], strict=True)])
        mlp_holds = at_least(gap, 0.0)
        kan_wins = at_least(log_ratio, 0.0, strict=True)
        label = judge(two_parts, a=mlp_holds, b=kan_wins)
        text = (
            f"MNIST-1D validation accuracy MLP {Spread.of(m['mlp']).text(100)} % vs KAN "
            f"{Spread.of(m['kan']).text(100)} % (MLP − KAN {gap.text(100)} points); formula test "
            f"RMSE MLP {Spread.of(f['mlp']).text()} vs KAN {Spread.of(f['kan']).text()} "
            f"(log10 MLP ÷ KAN {log_ratio.text()})"
        )
        return Verdict(label, text)
