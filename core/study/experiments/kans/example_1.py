"""pykan's function-fitting Example 1 (Liu et al. 2024), by the KAN page's own fit: test RMSE
after each grid of the ladder 3 → 10 → 20 → 50 against the notebook's printed values."""

from __future__ import annotations

from core.study.experiments.experiment import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Experiment,
    Verdict,
    quiet,
)

FORMULA = "exp(sin(πx) + y²)"
GRIDS = (3, 10, 20, 50)
# Read with `fetch` from github:KindXiaoming/pykan, docs/Example/Example_1_function_fitting.ipynb
# (HEAD ecde4ec): the test RMSE printed after each grid.
REFERENCE = {3: 1.53e-2, 10: 3.29e-4, 20: 4.04e-5, 50: 1.24e-5}
WITHIN = 3.0
SEEDS = (0, 1, 2)
ITERATIONS = 2000  # L-BFGS iterations per grid: 1,000, the grid moved, 1,000 more


def misses(rows: list[dict]) -> list[int]:
    """The grids whose test RMSE is outside × WITHIN of pykan's (either way), or missing."""
    tests = {row["grid"]: row["test_rmse"] for row in rows}
    return [
        g
        for g in GRIDS
        if not (g in tests and 1 / WITHIN <= tests[g] / REFERENCE[g] <= WITHIN)  # NaN: a miss
    ]


class KanExample1(Experiment):
    id = "liu-2024-kan-example-1"
    name = "KAN Example 1"
    title = "A [2, 1, 1] KAN fits exp(sin(πx) + y²) to pykan's RMSE at every grid"
    kind = "fit"
    claim = (
        "A Kolmogorov–Arnold network with one learnable cubic spline per edge, its grid refined "
        "3 → 10 → 20 → 50 (each finer spline fitted to the coarser one), fits the formula "
        "f(x, y) = exp(sin(πx) + y²) ever more closely: test RMSE 1.53e-2, 3.29e-4, 4.04e-5 and "
        "1.24e-5 after the four grids in pykan's notebook."
    )
    citation = (
        "Z. Liu, Y. Wang, S. Vaidya, F. Ruehle, J. Halverson, M. Soljačić, T. Y. Hou, M. "
        "Tegmark, “KAN: Kolmogorov–Arnold Networks”, arXiv 2404.19756 (2024); pykan's "
        "docs/Example/Example_1_function_fitting.ipynb (printed test RMSE per grid)."
    )
    schedule = (
        f"The KAN page's fit (core/study/shapes/kan.py `ladder`): a [2, 1, 1] KAN of cubic "
        f"splines, 1,000 training and 1,000 test points uniform on [−1, 1]², data and network "
        f"seeded {', '.join(map(str, SEEDS))} (three runs); per grid {', '.join(map(str, GRIDS))}: "
        f"refine (least squares at the training inputs), {ITERATIONS // 2:,} iterations of "
        f"SciPy's L-BFGS-B on the mean squared error, the grid moved to its inputs' range, "
        f"{ITERATIONS // 2:,} more; float64."
    )
    criterion = (
        f"A seed reproduces the example when its test RMSE after every grid "
        f"{', '.join(map(str, GRIDS))} is within × {WITHIN:g} of pykan's (between a third and "
        f"three times it). Reproduced when every seed does, partly reproduced when some do, "
        f"not reproduced when none does. (The per-seed rule is bench/kan.py's, written before "
        f"its first run; the rule over seeds was written after bench/kan.py had measured 2 of 3 "
        f"seeds, on 2026-12-07.)"
    )
    short_criterion = f"test RMSE within × {WITHIN:g} of pykan's at G = 3, 10, 20, 50, per seed"
    differs = (
        "pykan's notebook is one run with its own L-BFGS (20 iterations a step, 200 steps a "
        "grid) and knots moved toward the inputs' percentiles; here SciPy's L-BFGS-B, a uniform "
        "grid moved once per grid, and three seeds."
    )

    def __init__(self, iterations: int = ITERATIONS):
        self.iterations = iterations

    def smoke(self) -> KanExample1:
        return KanExample1(iterations=20)

    def measure(self, records=(), progress=quiet):
        from core.study.shapes import kan

        runs = []
        for k, seed in enumerate(SEEDS):
            state = {"target": FORMULA, "shape": "2, 1, 1", "grids": list(GRIDS),
                     "iterations": self.iterations, "seed": seed}  # fmt: skip

            def said(fraction: float, text: str, k=k, seed=seed) -> None:
                progress((k + fraction) / len(SEEDS), f"seed {seed}: {text}")

            result = kan.ladder(state, said, lambda: False)
            runs.append({"seed": seed, "rows": result["rows"]})
        return {"reference": {str(g): r for g, r in REFERENCE.items()}, "runs": runs}

    def verdict(self, measured):
        missed = {run["seed"]: misses(run["rows"]) for run in measured["runs"]}
        held = sum(not m for m in missed.values())
        label = REPRODUCED if held == len(missed) else PARTLY if held else NOT_REPRODUCED

        def ratios(run) -> str:
            tests = {row["grid"]: row["test_rmse"] for row in run["rows"]}
            return ", ".join(f"{tests[g] / REFERENCE[g]:.2f}" for g in GRIDS if g in tests)

        per_seed = "; ".join(f"seed {r['seed']} × {ratios(r)}" for r in measured["runs"])
        return Verdict(
            label,
            f"{held} of {len(missed)} seeds within × {WITHIN:g} at every grid (test RMSE ÷ "
            f"pykan's at G = 3, 10, 20, 50: {per_seed})",
        )
