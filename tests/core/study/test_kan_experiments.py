"""The KAN experiments' verdicts (core/study/experiments/kans/) on made-up numbers.

Catches: a per-seed rule that lets a grid outside × 3 of pykan's pass (either way), counts a
missing grid or a NaN as within, or an aggregate over seeds other than the criterion's; and a
KAN-or-MLP verdict that ignores the seeds' spread, compares the wrong way round, or reads an
RMSE ratio as linear."""

import math

from core.study import experiments as ex
from core.study.experiments.kans import example_1


def _rows(*ratios):
    return [
        {"grid": g, "test_rmse": r * example_1.REFERENCE[g]}
        for g, r in zip(example_1.GRIDS, ratios, strict=False)
    ]


def test_example_1_counts_a_seed_only_when_every_grid_is_within_three_times():
    assert example_1.misses(_rows(1, 1, 1, 1)) == []
    assert example_1.misses(_rows(2.99, 1 / 2.99, 1, 1)) == []
    assert example_1.misses(_rows(1, 3.01, 1, 1)) == [10]
    assert example_1.misses(_rows(1, 1, 1, 0.33)) == [50]  # better by more than × 3: a miss
    assert example_1.misses(_rows(1, 1, 1)) == [50]  # a grid not fitted (a stopped run)
    assert example_1.misses(_rows(1, 1, math.nan, 1)) == [20]


def test_example_1_is_reproduced_only_in_every_seed():
    judge = ex.get("liu-2024-kan-example-1").verdict

    def measured(*runs):
        return {"runs": [{"seed": k, "rows": rows} for k, rows in enumerate(runs)]}

    good, bad = _rows(1, 1, 1, 1), _rows(1, 1, 1, 5)
    assert judge(measured(good, good, good)).label == ex.REPRODUCED
    assert judge(measured(good, bad, good)).label == ex.PARTLY
    assert judge(measured(bad, bad, bad)).label == ex.NOT_REPRODUCED
    assert "seed 1 × 1.00, 1.00, 1.00, 5.00" in judge(measured(good, bad, good)).measured


def _kan_or_mlp(mlp_acc, kan_acc, mlp_rmse, kan_rmse):
    return {
        "mnist1d": {"mlp": mlp_acc, "kan": kan_acc},
        "formula": {"mlp": mlp_rmse, "kan": kan_rmse},
    }


def test_kan_or_mlp_needs_the_mlp_level_on_mnist1d_and_the_kan_ahead_on_the_formula():
    judge = ex.get("yu-2024-kan-or-mlp").verdict
    holds = ([0.52, 0.51, 0.52], [0.50, 0.50, 0.51])
    assert judge(_kan_or_mlp(*holds, [0.04] * 3, [0.002] * 3)).label == ex.REPRODUCED
    # The KAN ahead on MNIST-1D by more than the spread: part 1 fails.
    flipped = ([0.50, 0.50, 0.51], [0.52, 0.53, 0.52])
    assert judge(_kan_or_mlp(*flipped, [0.04] * 3, [0.002] * 3)).label == ex.PARTLY
    # The MLP ahead on the formula too: part 2 fails (RMSE lower is better).
    assert judge(_kan_or_mlp(*holds, [0.002] * 3, [0.04] * 3)).label == ex.PARTLY
    # A gap inside its spread that decides the verdict: inconclusive.
    noisy = ([0.55, 0.45, 0.50], [0.51, 0.50, 0.51])
    assert judge(_kan_or_mlp(*noisy, [0.04] * 3, [0.002] * 3)).label == ex.INCONCLUSIVE
