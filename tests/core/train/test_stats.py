"""Paired differences between activations (core/train/stats.py), checked against SciPy's paired
t-test and t distribution, against Holm's procedure written out from its definition, and by
simulation: identical activations are called "within noise" at the stated rate, and the power
estimate matches brute force.

Exact equality where the module calls the same SciPy function on the same numbers in the same
order (the p-value and interval of `scipy.stats.ttest_rel`): any difference is a pairing, order
or level bug. Float tolerance (1e-12 relative) where the reference is computed another way
(`scipy.stats.t.interval`, or the mean ± t-quantile × standard error by hand): the same
mathematics rounded in another order."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from bench.made_up import comparison
from core.train import stats
from core.train.record import BranchHistory

# Made-up final accuracies of four activations over five seeds: a shared seed effect (the seed's
# data order and initial weights) plus each network's own noise; mish really is better.
SEED_EFFECT = [0.003, -0.002, 0.001, -0.004, 0.002]
FINALS = {
    "relu": dict(enumerate(np.add([0.922, 0.923, 0.921, 0.924, 0.922], SEED_EFFECT))),
    "gelu": dict(enumerate(np.add([0.923, 0.925, 0.922, 0.923, 0.924], SEED_EFFECT))),
    "silu": dict(enumerate(np.add([0.921, 0.924, 0.922, 0.925, 0.921], SEED_EFFECT))),
    "mish": dict(enumerate(np.add([0.928, 0.929, 0.927, 0.930, 0.929], SEED_EFFECT))),
}


def _arrays(finals, name, reference="relu"):
    seeds = [s for s in finals[name] if s in finals[reference]]
    return (
        np.array([finals[name][s] for s in seeds]),
        np.array([finals[reference][s] for s in seeds]),
    )


def test_p_values_and_intervals_are_scipys_paired_t_test_at_holms_levels():
    # Fails if the test is not SciPy's paired t-test on the seed-paired values (an unpaired test,
    # the wrong order of subtraction, a one-sided p), or if an interval is not the t-interval at
    # the level Holm tested it at.
    result = stats.paired_differences(FINALS, "relu", "accuracy", seeds=5)
    assert [r.activation for r in result.rows] == ["gelu", "silu", "mish"]
    assert result.tested == 3
    assert result.test == "paired t-test over 5 seeds, Holm-corrected across 3 comparisons"
    for row in result.rows:
        a, r = _arrays(FINALS, row.activation)
        scipy_test = sps.ttest_rel(a, r)
        assert row.p == scipy_test.pvalue  # exact: the same call on the same numbers
        interval = scipy_test.confidence_interval(confidence_level=row.level)
        assert (row.low, row.high) == (interval.low, interval.high)  # exact, likewise
        d = a - r
        sem = d.std(ddof=1) / math.sqrt(len(d))
        by_t = sps.t.interval(row.level, len(d) - 1, loc=d.mean(), scale=sem)
        assert (row.low, row.high) == pytest.approx(by_t, rel=1e-12)  # another rounding order
        half = sps.t.ppf(1 - (1 - row.level) / 2, len(d) - 1) * sem
        assert (row.low, row.high) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-12)
        assert row.mean == pytest.approx(np.mean(a) - np.mean(r), rel=1e-12)
    # Holm's levels: 1 − 0.05/3 for the smallest p, and never below 95 %.
    levels = sorted((r.p, r.level) for r in result.rows)
    assert levels[0][1] == pytest.approx(1 - 0.05 / 3)
    assert all(level >= 0.95 for _, level in levels)
    mish = result.rows[2]
    assert mish.verdict == stats.BETTER and mish.low > 0


def test_one_comparison_is_the_plain_95_percent_interval():
    # Fails if a single comparison is "corrected" (its interval wider than the textbook one).
    two = {name: FINALS[name] for name in ("relu", "gelu")}
    row = stats.paired_differences(two, "relu", "accuracy", seeds=5).rows[0]
    a, r = _arrays(two, "gelu")
    d = a - r
    expected = sps.t.interval(0.95, 4, loc=d.mean(), scale=d.std(ddof=1) / math.sqrt(5))
    assert row.level == 0.95 and row.p == row.p_holm
    assert (row.low, row.high) == pytest.approx(expected, rel=1e-12)


def test_networks_are_paired_by_seed_number_and_a_diverged_seed_is_left_out():
    # Fails if values are paired by position (seed 3 of one activation against seed 2 of the
    # reference once a seed diverged) or if a diverged seed's number enters the test.
    reference = {0: 0.90, 1: 0.95, 2: 0.85, 3: 0.92}
    other = {3: 0.925, 1: 0.951, 0: 0.903}  # seed 2 diverged; listed in another order
    result = stats.paired_differences({"relu": reference, "mish": other}, "relu", "accuracy", 4)
    row = result.rows[0]
    assert sorted(row.seeds) == [0, 1, 3]
    expected = sps.ttest_rel([0.903, 0.951, 0.925], [0.90, 0.95, 0.92])
    assert row.p == pytest.approx(expected.pvalue, rel=1e-12)
    assert row.mean == pytest.approx(np.mean([0.003, 0.001, 0.005]), rel=1e-12)


def test_pairing_removes_the_seed_effect_an_unpaired_test_would_drown_in():
    # Fails if the test ignores the pairing: this difference (+0.2 points on every seed, give or
    # take 0.05) is certain paired, but lost in a seed spread of about 2 points unpaired.
    rng = np.random.default_rng(3)
    seed_effect = rng.normal(0, 0.02, 5)
    reference = dict(enumerate(0.9 + seed_effect))
    other = dict(enumerate(0.9 + seed_effect + 0.002 + rng.normal(0, 0.0005, 5)))
    finals = {"relu": reference, "gelu": other}
    row = stats.paired_differences(finals, "relu", "accuracy", 5).rows[0]
    assert row.verdict == stats.BETTER and row.p < 0.05
    assert sps.ttest_ind(list(other.values()), list(reference.values())).pvalue > 0.5


def _holm_by_definition(p, alpha=0.05):
    """Holm (1979) as written: sort the p-values; reject the i-th smallest (i from 1) while
    p_(i) ≤ alpha / (K − i + 1), and stop at the first that is not; the adjusted p-value of the
    i-th smallest is max over j ≤ i of min(1, (K − j + 1) p_(j))."""
    k = len(p)
    order = sorted(range(k), key=lambda i: p[i])
    rejected, adjusted = [False] * k, [0.0] * k
    going = True
    for rank, i in enumerate(order, start=1):
        going = going and p[i] < alpha / (k - rank + 1)
        rejected[i] = going
        adjusted[i] = max(min(1.0, (k - j + 1) * p[order[j - 1]]) for j in range(1, rank + 1))
    return rejected, adjusted


def test_holm_adjusted_p_values_by_hand():
    # Fails if the adjustment multiplies by the wrong count, forgets the running maximum (0.04
    # would adjust to 0.04, below the 0.06 of a smaller p), or does not cap at 1.
    adjusted, levels = stats.holm([0.01, 0.04, 0.03, 0.005])
    # sorted: 0.005 × 4 = 0.02; 0.01 × 3 = 0.03; 0.03 × 2 = 0.06; 0.04 × 1 → max(0.06, 0.04)
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02], rel=1e-12)
    # Levels: 1 − 0.05/4 and 1 − 0.05/3 for the two found different; the procedure stops at the
    # third step (0.03 ≥ 0.05/2), whose level the last two share.
    assert levels == pytest.approx([1 - 0.05 / 3, 1 - 0.025, 1 - 0.025, 1 - 0.0125], rel=1e-12)
    assert stats.holm([0.6, 0.9])[0] == [1.0, 1.0]


def test_holm_matches_its_definition_on_random_p_values():
    # Fails if the step-down stops in the wrong place (a later small p rejected after a larger
    # one was not) or if "adjusted p < 0.05" and the step-down disagree.
    rng = np.random.default_rng(0)
    for _ in range(500):
        k = int(rng.integers(1, 8))
        p = list(rng.uniform(0, 0.1, k) ** rng.uniform(0.5, 2))
        rejected, adjusted = _holm_by_definition(p)
        ours, levels = stats.holm(p)
        assert ours == pytest.approx(adjusted, rel=1e-12)
        assert [a < 0.05 for a in ours] == rejected
        # The interval at each level excludes 0 exactly when p < 1 − level.
        assert [pi < 1 - level for pi, level in zip(p, levels, strict=True)] == rejected


def test_the_verdict_and_the_displayed_interval_always_agree():
    # Fails if a row says "better" while its interval holds 0, or "within noise" while it does
    # not: the page shows both, and they must tell one story.
    rng = np.random.default_rng(1)
    for _ in range(300):
        k, n = int(rng.integers(2, 6)), int(rng.integers(2, 7))
        seed_effect = rng.normal(0, 0.01, n)
        finals = {
            f"a{i}": dict(enumerate(0.9 + seed_effect + rng.normal(shift, 0.003, n)))
            for i, shift in enumerate(rng.choice([0.0, 0.003, -0.004], k))
        }
        for row in stats.paired_differences(finals, "a0", "accuracy", n).rows:
            holds_zero = row.low <= 0 <= row.high
            assert holds_zero == (row.verdict == stats.WITHIN_NOISE)
            assert (row.p_holm < 0.05) == (row.verdict != stats.WITHIN_NOISE)


def test_regression_lower_mae_is_better():
    # Fails if the sign is taken from accuracy: a lower MAE (negative difference) is "better".
    finals = {
        "relu": {0: 0.50, 1: 0.52, 2: 0.49, 3: 0.51},
        "gelu": {0: 0.40, 1: 0.43, 2: 0.38, 3: 0.41},
        "tanh": {0: 0.60, 1: 0.61, 2: 0.60, 3: 0.62},
    }
    gelu, tanh = stats.paired_differences(finals, "relu", "mae", 4).rows
    assert gelu.mean < 0 and gelu.verdict == stats.BETTER
    assert tanh.mean > 0 and tanh.verdict == stats.WORSE


def test_two_identical_activations_are_within_noise_95_percent_of_the_time():
    # Monte Carlo: 2,000 made-up comparisons of two activations with the same distribution
    # (a shared seed effect plus each network's own noise), 5 seeds each. The verdict must say
    # "within noise" in 95 % of them: the binomial standard error is √(0.95 · 0.05 / 2000) =
    # 0.0049, so ± 0.02 is ± 4 of them. Fails if the interval is a normal one (z = 1.96 with 4
    # degrees of freedom covers 88 %), or if the test is unpaired (with this seed effect it
    # almost never finds anything: > 99 %).
    rng = np.random.default_rng(2024)
    within = 0
    replications = 2000
    for _ in range(replications):
        seed_effect = rng.normal(0, 0.004, 5)
        finals = {
            name: dict(enumerate(0.92 + seed_effect + rng.normal(0, 0.002, 5)))
            for name in ("relu", "twin")
        }
        row = stats.paired_differences(finals, "relu", "accuracy", 5).rows[0]
        within += row.verdict == stats.WITHIN_NOISE
    assert within / replications == pytest.approx(0.95, abs=0.02)


def test_holm_keeps_the_chance_of_any_false_verdict_at_5_percent():
    # Monte Carlo: four activations with one distribution, three compared with the reference.
    # Holm keeps the chance that any of the three is called better or worse at 5 % or less
    # (1,000 replications: + 0.028 is 4 binomial standard errors). Fails without the
    # correction: three uncorrected tests make a false verdict about 12 % likely here.
    rng = np.random.default_rng(7)
    names = ("relu", "a", "b", "c")
    any_false, uncorrected = 0, 0
    replications = 1000
    for _ in range(replications):
        seed_effect = rng.normal(0, 0.004, 5)
        finals = {n: dict(enumerate(0.92 + seed_effect + rng.normal(0, 0.002, 5))) for n in names}
        rows = stats.paired_differences(finals, "relu", "accuracy", 5).rows
        any_false += any(r.verdict != stats.WITHIN_NOISE for r in rows)
        uncorrected += any(r.p < 0.05 for r in rows)
    assert any_false / replications <= 0.05 + 0.028
    assert uncorrected / replications > 0.08  # the simulation can tell the difference


def test_power_matches_a_brute_force_simulation():
    # Fails if the power is a normal approximation or uses the wrong degrees of freedom: with
    # 6 seeds and a difference of one spread, the paired t-test finds it 0.70 of the time (a
    # normal approximation says 0.79). 20,000 simulated tests: ± 0.013 is 4 standard errors.
    rng = np.random.default_rng(5)
    differences = rng.normal(1.0, 1.0, (20_000, 6))
    found = (sps.ttest_1samp(differences, 0.0, axis=1).pvalue < 0.05).mean()
    assert float(stats.power(1.0, 1.0, 6)) == pytest.approx(found, abs=0.013)
    normal = sps.norm.sf(1.96 - math.sqrt(6))
    assert abs(normal - found) > 0.05


def test_seeds_needed_is_the_smallest_count_with_80_percent_power():
    # A published anchor: a paired t-test for an effect of half a spread (dz = 0.5) at 5 %,
    # two-sided, needs 34 pairs for 80 % power (G*Power; the normal approximation says 32).
    assert stats.seeds_needed(0.5, 1.0) == 34
    n = stats.seeds_needed(0.003, 0.004, alpha=0.05 / 3)
    assert n is not None
    assert stats.power(0.003, 0.004, n, 0.05 / 3) >= 0.8
    assert stats.power(0.003, 0.004, n - 1, 0.05 / 3) < 0.8
    assert stats.seeds_needed(0.0, 1.0) is None  # no number of seeds finds a difference of 0


def test_seeds_needed_agrees_with_trying_every_count():
    # Fails if the search skips past the answer, or if the power is NaN somewhere (SciPy's
    # nct.cdf gives NaN far in the left tail: with 3 seeds and a large effect the search once
    # stopped there and answered 3 where 4 are needed).
    counts = np.arange(2, stats.MOST_SEEDS + 1)
    for effect in (0.02, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0):
        for alpha in (0.05, 0.05 / 3, 0.005):
            powers = stats.power(effect, 1.0, counts, alpha)
            assert np.all(np.isfinite(powers)) and np.all(np.diff(powers) >= -1e-12)
            reached = np.nonzero(powers >= 0.8)[0]
            expected = int(counts[reached[0]]) if reached.size else None
            assert stats.seeds_needed(effect, 1.0, alpha) == expected
    assert stats.seeds_needed(0.001, 1.0) is None  # more than MOST_SEEDS


def test_one_seed_gives_no_verdict_and_the_seeds_an_assumed_spread_would_need():
    # Fails if one seed gets a verdict (nothing measures the noise), or if the power estimate
    # does not use the stated assumption (differences spread by ASSUMED_SPREAD over seeds) at
    # Holm's strictest level, 0.05 / K.
    one = {name: {0: values[0]} for name, values in FINALS.items()}
    result = stats.paired_differences(one, "relu", "accuracy", seeds=1)
    assert result.assumed_spread == stats.ASSUMED_SPREAD["accuracy"] == 0.008
    assert result.tested == 0
    for row in result.rows:
        assert row.verdict == stats.NO_VERDICT and row.why == "one seed"
        assert math.isnan(row.low) and math.isnan(row.p)
        effect = FINALS[row.activation][0] - FINALS["relu"][0]
        assert row.seeds_needed == stats.seeds_needed(effect, 0.008, 0.05 / 3)
    mish = result.rows[2]
    assert mish.seeds_needed == 22  # 0.6 points against a spread of 0.8: a score of seeds


def test_mae_with_one_seed_assumes_a_spread_relative_to_the_reference():
    # Fails if a regression run assumes the accuracy's spread (0.008 of an MAE of 11 is nothing).
    finals = {"relu": {0: 11.0}, "gelu": {0: 10.5}}
    result = stats.paired_differences(finals, "relu", "mae", seeds=1)
    assert result.assumed_spread == pytest.approx(stats.ASSUMED_RELATIVE_SPREAD["mae"] * 11.0)
    assert result.rows[0].seeds_needed == stats.seeds_needed(-0.5, 0.132)


def test_identical_networks_and_a_constant_difference():
    # Fails on the t-test's 0/0: identical values on every seed (an activation compared with an
    # alias of itself) are no difference, within noise; the same non-zero difference on every
    # seed leaves nothing to estimate the noise from: no verdict rather than p = 0.
    same = {0: 0.91, 1: 0.93, 2: 0.92}
    shifted = {s: v + 0.01 for s, v in same.items()}
    finals = {"relu": same, "alias": dict(same), "shifted": shifted, "other": FINALS["gelu"]}
    alias, shift, other = stats.paired_differences(finals, "relu", "accuracy", 3).rows
    assert alias.verdict == stats.WITHIN_NOISE and alias.p == 1.0 and alias.low == alias.high == 0
    assert shift.verdict == stats.NO_VERDICT and "same difference" in shift.why
    assert other.tested
    assert stats.paired_differences(finals, "relu", "accuracy", 3).tested == 2


def test_final_values_leave_out_diverged_networks():
    # Fails if a diverged network's last value before it diverged is paired as if it finished.
    record = comparison(("relu", "gelu"), seeds=3)
    record.branches[4] = BranchHistory("gelu", 1, [0.5], [0.5], [0.8], [0.8], "diverged", 2)
    finals = stats.final_values(record)
    assert sorted(finals["relu"]) == [0, 1, 2] and sorted(finals["gelu"]) == [0, 2]
    assert finals["gelu"][0] == record.branches[3].val_metric[-1]
    result = stats.differences(record, "relu")
    assert result.rows[0].seeds == (0, 2)
