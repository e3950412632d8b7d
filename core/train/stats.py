"""Whether activations really differ, or only by seed noise: each activation's final validation
accuracy (regression: MAE) against a reference activation's, paired by seed, with a paired t-test,
Holm's correction across the activations and a verdict in words; with one seed, no verdict, and
how many seeds would settle it. Plain numbers in and out, no TensorFlow; SciPy does the t
distribution and the test (imported when used: it takes about a second to load).

The rule (the note under the results table says it: charts/tables.py):
- Paired by seed: the networks of one seed share the data order and the initial-weight stream,
  so each seed gives one difference, activation − reference. A seed where either network
  diverged (or has no finished epoch) is left out of that pair.
- Test: a two-sided paired t-test on those differences (`scipy.stats.ttest_rel`), one per
  activation; Holm's step-down correction across the K activations tested, at a family-wise 5 %.
- Verdict: "better" or "worse" (the metric's direction: higher accuracy, lower MAE) when the
  Holm-adjusted p is below 0.05, else "within noise".
- Interval: the paired t-interval at the level Holm's procedure tested that comparison at:
  1 − 0.05/K for the smallest p, 1 − 0.05/(K − 1) for the next and so on up to 95 %; from the
  first comparison Holm does not find different on, every remaining one gets the level where it
  stopped. So each interval is at least 95 %, and it holds 0 exactly when the verdict is
  "within noise" (a t-interval at level 1 − a excludes 0 exactly when the test's p < a).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from core.train.record import Comparison

ALPHA = 0.05  # family-wise error rate of the verdicts
POWER = 0.8  # the power a seed count is planned for
MOST_SEEDS = 1000  # the power search gives up past this many seeds
# With one seed the spread over seeds is unknown: the power estimate assumes this standard
# deviation over seeds of the per-seed difference (activation − reference), measured with 5
# seeds of relu, gelu, silu and mish at the default settings (5 epochs, MLP 1×128, adam 0.001):
# on 5,000 MNIST digits the differences from relu spread by 0.78–0.83 points (each network's
# final accuracy by 0.43–0.79); on Friedman #1 by 0.8–1.2 % of relu's MAE. The largest is taken.
ASSUMED_SPREAD = {"accuracy": 0.008}
ASSUMED_RELATIVE_SPREAD = {"mae": 0.012}  # times the reference's MAE
ASSUMED_FROM = {  # where the assumption comes from, as the page says it
    "accuracy": "as 5 seeds of relu, gelu, silu and mish did on 5,000 MNIST digits at the "
    "default settings",
    "mae": "as 5 seeds of relu, gelu, silu and mish did on Friedman #1 at the default settings",
}

BETTER, WORSE, WITHIN_NOISE, NO_VERDICT = "better", "worse", "within noise", "no verdict"


@dataclass(frozen=True)
class Difference:
    """One activation against the reference, over the seeds where both have a final value."""

    activation: str
    seeds: tuple[int, ...]  # the seeds paired
    mean: float  # mean over those seeds of (activation − reference), in the metric's units
    std: float  # std (ddof 1) of the per-seed differences; nan with one pair
    low: float  # the interval (nan when not tested)
    high: float
    level: float  # its confidence level (nan when not tested)
    p: float  # two-sided paired t-test p-value (nan when not tested)
    p_holm: float  # Holm-adjusted across the comparisons tested (nan when not tested)
    verdict: str  # BETTER, WORSE, WITHIN_NOISE or NO_VERDICT
    why: str = ""  # why there is no verdict
    seeds_needed: int | None = None  # seeds to settle it at POWER (see Differences)

    @property
    def tested(self) -> bool:
        return not math.isnan(self.p)


@dataclass(frozen=True)
class Differences:
    """Every chosen activation against one reference, on the final validation metric."""

    reference: str
    metric: str  # "accuracy" (higher is better) or "mae" (lower is better)
    seeds: int  # seeds the comparison trained
    rows: tuple[Difference, ...]  # the other activations, in the order chosen
    assumed_spread: float | None = None  # one seed: the std of the differences assumed
    alpha: float = ALPHA

    @property
    def tested(self) -> int:
        """K: the comparisons the t-test and Holm's correction cover."""
        return sum(row.tested for row in self.rows)

    @property
    def test(self) -> str:
        """The test, named: 'paired t-test over 5 seeds, Holm-corrected across 3 comparisons'."""
        counts = sorted({len(row.seeds) for row in self.rows if row.tested})
        if not counts:
            return "paired t-test"
        low, high = counts[0], counts[-1]
        seeds = f"{low} seeds" if low == high else f"{low}–{high} seeds"  # a seed diverged
        k = self.tested
        corrected = f", Holm-corrected across {k} comparisons" if k > 1 else ""
        return f"paired t-test over {seeds}{corrected}"


def final_values(comparison: Comparison) -> dict[str, dict[int, float]]:
    """Activation -> seed -> final validation accuracy (or MAE): each network's value after the
    last finished epoch. A network that diverged has none (the results table's "final" column
    still averages in its last value before it diverged), nor one with no finished epoch."""
    out: dict[str, dict[int, float]] = {}
    for branch in comparison.branches:
        values = out.setdefault(branch.activation, {})
        if branch.status != "diverged" and branch.val_metric:
            values[branch.seed] = float(branch.val_metric[-1])
    return out


def differences(comparison: Comparison, reference: str) -> Differences:
    """Each activation of `comparison` (a view's chosen networks) against `reference`."""
    return paired_differences(
        final_values(comparison), reference, comparison.metric_name, comparison.config.seeds
    )


def holm(p_values: Sequence[float], alpha: float = ALPHA) -> tuple[list[float], list[float]]:
    """Holm's step-down procedure: each p-value adjusted, and the level each comparison was
    tested at (see the module's docstring). Comparison i is found different exactly when its
    adjusted p < alpha."""
    k = len(p_values)
    order = sorted(range(k), key=lambda i: p_values[i])
    adjusted, levels = [math.nan] * k, [math.nan] * k
    running, stopped_at = 0.0, None
    for step, i in enumerate(order):
        step_alpha = alpha / (k - step)
        running = max(running, min(1.0, (k - step) * p_values[i]))
        adjusted[i] = running
        if stopped_at is None and not p_values[i] < step_alpha:
            stopped_at = step_alpha  # the first one not found different: the procedure stops
        levels[i] = step_alpha if stopped_at is None else stopped_at
    return adjusted, [1 - a for a in levels]


def _spread_is_rounding(values: np.ndarray, d: np.ndarray) -> bool:
    """Whether the per-seed differences vary by rounding only: the record keeps float32 results
    (about 7 significant digits), so a spread below a millionth of the values is no spread."""
    return float(np.ptp(d)) <= 1e-6 * max(float(np.max(np.abs(values))), 1e-12)


def _one_pair_set(name: str, values: Mapping[int, float], base: Mapping[int, float], seeds: int):
    """One activation against the reference before Holm's correction: its fields so far, and
    SciPy's test result (None when it is not tested or needs no test)."""
    from scipy import stats

    paired = tuple(s for s in values if s in base)
    a = np.array([values[s] for s in paired], dtype=np.float64)
    r = np.array([base[s] for s in paired], dtype=np.float64)
    d = a - r
    row: dict = dict(activation=name, seeds=paired, p=math.nan, why="")
    row["mean"] = float(d.mean()) if d.size else math.nan
    row["std"] = float(d.std(ddof=1)) if d.size > 1 else math.nan
    if seeds == 1:
        row["why"] = "one seed"
    elif d.size < 2:
        row["why"] = f"only seed {paired[0]} pairs" if paired else "no seed pairs"
    elif _spread_is_rounding(np.concatenate([a, r]), d):
        if _spread_is_rounding(np.concatenate([a, r]), np.append(d, 0.0)):
            row.update(p=1.0, low=0.0, high=0.0)  # the same value on every seed: no difference
        else:
            row["why"] = "the same difference on every seed: no spread to test"
    else:
        result = stats.ttest_rel(a, r)
        row["p"] = float(result.pvalue)
        return row, result
    return row, None


def paired_differences(
    finals: Mapping[str, Mapping[int, float]],
    reference: str,
    metric: str,
    seeds: int,
    alpha: float = ALPHA,
) -> Differences:
    """Each activation of `finals` (activation -> seed -> final value, in the order chosen)
    against `reference`: mean paired difference, interval, p-values and verdict (module
    docstring). With one seed: no verdict, and the seeds a paired t-test would need at POWER,
    assuming the spread ASSUMED_SPREAD; with more, the seeds a difference within noise would
    need at the spread seen."""
    higher_better = metric == "accuracy"
    base = finals[reference]
    rows, results = [], []
    for name, values in finals.items():
        if name != reference:
            row, result = _one_pair_set(name, values, base, seeds)
            rows.append(row)
            results.append(result)

    tested = [(row, result) for row, result in zip(rows, results, strict=True) if row["why"] == ""]
    adjusted, levels = holm([row["p"] for row, _ in tested], alpha)
    for (row, result), p_holm, level in zip(tested, adjusted, levels, strict=True):
        row.update(p_holm=p_holm, level=level)
        if result is not None:
            interval = result.confidence_interval(confidence_level=level)
            row.update(low=float(interval.low), high=float(interval.high))
        if p_holm < alpha:
            row["verdict"] = BETTER if (row["mean"] > 0) == higher_better else WORSE
        else:
            row["verdict"] = WITHIN_NOISE

    planned = alpha / max(1, len(rows))
    assumed = None
    if seeds == 1 and base:
        relative = ASSUMED_RELATIVE_SPREAD.get(metric, 0.0) * abs(next(iter(base.values())))
        assumed = ASSUMED_SPREAD.get(metric, relative)
    out = []
    for row in rows:
        needed = None
        if assumed is not None:
            needed = seeds_needed(row["mean"], assumed, planned)
        elif row.get("verdict") == WITHIN_NOISE:
            needed = seeds_needed(row["mean"], row["std"], planned)
        out.append(
            Difference(
                activation=row["activation"],
                seeds=row["seeds"],
                mean=row["mean"],
                std=row["std"],
                low=row.get("low", math.nan),
                high=row.get("high", math.nan),
                level=row.get("level", math.nan),
                p=row["p"],
                p_holm=row.get("p_holm", math.nan),
                verdict=row.get("verdict", NO_VERDICT),
                why=row["why"],
                seeds_needed=needed,
            )
        )
    return Differences(reference, metric, seeds, tuple(out), assumed, alpha)


def power(effect: float, spread: float, n, alpha: float = ALPHA) -> np.ndarray:
    """The chance that a two-sided paired t-test over `n` seeds (a count or an array of counts)
    at level `alpha` finds a true mean difference `effect` when the per-seed differences have
    standard deviation `spread`: the noncentral t distribution's mass beyond the critical
    values."""
    from scipy import stats

    counts = np.asarray(n, dtype=np.float64)
    df = counts - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    shift = abs(effect) / spread * np.sqrt(counts)
    # The lower tail as the upper tail of the mirrored distribution: SciPy's nct.cdf far out in
    # the left tail returns nan for some arguments (3 seeds, a shift of 8.7: nan, not 1e-17).
    return stats.nct.sf(critical, df, shift) + stats.nct.sf(critical, df, -shift)


def seeds_needed(
    effect: float, spread: float, alpha: float = ALPHA, target: float = POWER
) -> int | None:
    """The fewest seeds (at least 2) for which `power` reaches `target`; None when more than
    MOST_SEEDS would be needed, or the effect is 0."""
    if not (math.isfinite(effect) and math.isfinite(spread)) or effect == 0 or spread <= 0:
        return None
    from scipy import stats

    # Start where the normal approximation lands (the t-test needs about as many or a few more)
    # and step to the smallest count that reaches the target: power grows with the count.
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(target)
    n = min(max(2, math.ceil((z * spread / effect) ** 2)), MOST_SEEDS + 1)
    while n > 2 and power(effect, spread, n - 1, alpha) >= target:
        n -= 1
    while n <= MOST_SEEDS and power(effect, spread, n, alpha) < target:
        n += 1
    return n if n <= MOST_SEEDS else None
