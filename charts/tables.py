"""Tables the pages show, as pandas DataFrames built from plain data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from core.train.rates import Shown
from core.train.settings import BY_NAME
from core.train.stats import (
    ASSUMED_FROM,
    ASSUMED_RELATIVE_SPREAD,
    NO_VERDICT,
    WITHIN_NOISE,
    Difference,
    Differences,
    differences,
)


def _number(v: float) -> str:
    if math.isnan(v):
        return "none"
    if math.isinf(v):
        return "+∞" if v > 0 else "−∞"
    if v == 0:
        return "0"  # no "−0" from limits approached from below
    return f"{v:.3g}".replace("-", "−")


def properties_row(
    name: str, source: str, props: Mapping[str, Any], cost: float | None
) -> dict[str, Any]:
    lo, hi = props["range"]
    return {
        "activation": name,
        "source": source,
        "range on [−6, 6]": f"[{_number(lo)}, {_number(hi)}]",
        "limits at −∞ / +∞": f"{_number(props['limit -inf'])} / {_number(props['limit +inf'])}",
        "bounded": {(True, True): "both", (True, False): "below", (False, True): "above"}.get(
            (props["bounded below"], props["bounded above"]), "no"
        ),
        "monotonic": props["monotonic"],
        "zero-centred": "yes" if props["zero-centred"] else "no",
        "smoothness": props["smoothness"],
        "saturates": props["saturation"],
        "dead zone (f′ = 0)": props["dead zone"],
        "f(0)": round(props["f(0)"], 4),
        "f′(0)": round(props["f'(0)"], 4),
        "cost vs relu": round(cost, 2) if cost is not None else None,
    }


def properties_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows).set_index("activation")


# The properties of every activation, as two tables that each fit a 1280 px window's page (all
# twelve columns side by side take about 1,060 px): the shape of f, and its gradient and cost.
PROPERTY_VIEWS = {
    "Shape": (
        "range on [−6, 6]", "limits at −∞ / +∞", "bounded", "monotonic", "zero-centred", "f(0)",
    ),
    "Gradient and cost": (
        "smoothness", "saturates", "dead zone (f′ = 0)", "f′(0)", "cost vs relu", "source",
    ),
}  # fmt: skip
# Widths (px) the columns are drawn at: Streamlit sizes a column from its first rows only, which
# cut "sparse_sigmoid" and "discontinuous" further down.
PROPERTY_WIDTHS = {
    "activation": 150,
    "range on [−6, 6]": 112,
    "limits at −∞ / +∞": 118,
    "bounded": 76,
    "monotonic": 90,
    "zero-centred": 96,
    "f(0)": 72,
    "smoothness": 108,
    "saturates": 80,
    "dead zone (f′ = 0)": 120,
    "f′(0)": 72,
    "cost vs relu": 90,
    "source": 80,
}


def property_views(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`properties_table(…)`'s columns split as PROPERTY_VIEWS names them (each keeps the
    activation index)."""
    return {title: table[list(columns)] for title, columns in PROPERTY_VIEWS.items()}


def _mean_pm(values: list[float], digits: int = 4) -> str:
    if not values:
        return "—"
    m = sum(values) / len(values)
    if len(values) == 1:
        return f"{m:.{digits}f}"
    s = (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5
    return f"{m:.{digits}f} ± {s:.{digits}f}"


def compared(shown: Shown, reference: str | None) -> Differences | None:
    """The view's activations against `reference` (core/train/stats.py); None when there is
    nothing to compare: no reference, fewer than two activations, or the reference not among
    them."""
    names = list(shown.chosen.by_activation())
    if reference is None or reference not in names or len(names) < 2:
        return None
    return differences(shown.chosen, reference)


def _decimals(width: float) -> int:
    """Decimals that show `width` to one significant digit (two when it starts with a 1)."""
    if not math.isfinite(width) or width <= 0:
        return 2
    width = float(f"{width:.2g}")  # 0.9999999 (float32 arithmetic) counts as 1
    exponent = math.floor(math.log10(width))
    leading_one = width / 10**exponent < 2
    return min(6, max(0, -exponent + leading_one))


def _signed(value: float, decimals: int) -> str:
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        return "0"
    return text.replace("-", "−")


def _units(metric: str) -> tuple[float, str]:
    """How a difference is shown: accuracy in percentage points, MAE as it is."""
    return (100.0, " pts") if metric == "accuracy" else (1.0, "")


def difference_text(row: Difference, metric: str, unit: bool = True) -> str:
    """'+0.3 pts [−0.1, +0.7] within noise' (`unit` False: '+0.3 [−0.1, +0.7] within noise', for
    a column whose heading says the unit), or the difference and that there is no verdict (why:
    with `unit`, here; else the note under the table says it)."""
    scale, units = _units(metric)
    units = units if unit else ""
    mean, low, high = row.mean * scale, row.low * scale, row.high * scale
    if math.isnan(mean):
        return f"no verdict: {row.why}"
    if row.verdict == NO_VERDICT:
        why = f" ({row.why})" if unit else ""
        return f"{mean_text(row, metric, unit)}, no verdict{why}"
    decimals = _decimals((high - low) / 2) if high > low else _decimals(abs(mean))
    interval = f"[{_signed(low, decimals)}, {_signed(high, decimals)}]"
    return f"{_signed(mean, decimals)}{units} {interval} {row.verdict}"


def mean_text(row: Difference, metric: str, unit: bool = True) -> str:
    """The mean difference alone, to two significant digits: '−0.31 pts'."""
    scale, units = _units(metric)
    mean = row.mean * scale
    if not math.isfinite(mean):
        return "no value"
    rounded = abs(float(f"{mean:.2g}"))  # 0.9999999 (float32 arithmetic) counts as 1
    two_digits = 1 - math.floor(math.log10(rounded)) if rounded else 1
    return f"{_signed(mean, min(6, max(two_digits, 0)))}{units if unit else ''}"


def p_text(p: float) -> str:
    if math.isnan(p):
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.2g}"


def versus_label(result: Differences) -> str:
    """The "vs" column's heading, with the unit of its differences: 'vs relu (pts)'."""
    return f"vs {result.reference}" + (" (pts)" if result.metric == "accuracy" else "")


def p_label(result: Differences) -> str:
    """The p column's heading: Holm-adjusted when there is more than one comparison."""
    return "p (Holm)" if result.tested > 1 else "p"


def _seeds(n: int) -> str:
    return f"{n} seed{'s' * (n != 1)}"


def _needed(rows: list[Difference]) -> str:
    """'gelu ≈ 9 seeds, silu more than 1,000' for the rows with a seed count to give."""
    most = int(BY_NAME["seeds"].high or 0)
    parts = []
    for row in rows:
        if row.seeds_needed is None:
            parts.append(f"{row.activation} more than 1,000" if row.mean else "")
        else:
            parts.append(f"{row.activation} {_seeds(row.seeds_needed)}")
    parts = [p for p in parts if p]
    if not parts:
        return ""
    beyond = any(r.seeds_needed is None or r.seeds_needed > most for r in rows if r.mean)
    limit = f" (a run here trains at most {most})" if beyond else ""
    return ", ".join(parts) + limit


METRIC_WORDS = {"accuracy": "final validation accuracy", "mae": "final validation MAE"}


def differences_note(result: Differences) -> str:
    """What the "vs" column means, under the table: the test named, the rule, the p-values and
    what could not be judged. With one seed: no verdict, and the seeds a paired t-test would
    need under the spread assumed (said as an assumption)."""
    ref, metric = result.reference, result.metric
    scale, unit = _units(metric)
    what = f"{METRIC_WORDS[metric]} minus {ref}'s" + (", in points" if unit else "")
    if result.assumed_spread is not None:
        k = len(result.rows)  # planned at Holm's strictest step: enough whatever the rest do
        level = f"5 % ÷ {k}, Holm's strictest step" if k > 1 else "5 %"
        spread = result.assumed_spread * scale
        relative = ASSUMED_RELATIVE_SPREAD.get(metric, 0.0) * 100
        assumed = f"{spread:.2g}{unit}" if unit else f"{spread:.2g}, {relative:g} % of {ref}'s MAE"
        needed = _needed(list(result.rows))
        plan = (
            f" If per-seed differences spread by {assumed} ({ASSUMED_FROM[metric]}; yours may "
            f"differ), a paired t-test (at {level}) would need for 80 % power: {needed}."
            if needed
            else ""
        )
        return (
            f"**vs {ref}: no verdict with 1 seed.** The column is the {what}; telling a "
            f"difference from seed noise takes 2 or more seeds, paired by seed.{plan}"
        )
    tested = [r for r in result.rows if r.tested]
    parts = [
        f"**vs {ref}**: the {what}, mean over seeds paired by seed (a seed's networks share data "
        f"order and initial weights), and its interval."
    ]
    if tested:
        holm = len(tested) > 1
        test = result.test[0].upper() + result.test[1:]
        p_name = "Holm-adjusted p" if holm else "p"
        interval = "interval (at Holm's level for it, ≥ 95 %)" if holm else "95 % interval"
        p_values = ", ".join(f"{r.activation} {p_text(r.p_holm)}" for r in tested)
        parts.append(
            f" **{test}**: better or worse when {'the ' * holm}{p_name} < 0.05, else within "
            f"noise, and then the {interval} holds 0; {p_name}: {p_values}."
        )
    untested = [r for r in result.rows if not r.tested]
    if untested:
        said = "; ".join(f"{r.activation}, {r.why}" for r in untested)
        parts.append(f" No verdict for {said}.")
    left_out = [r for r in result.rows if r.seeds and len(r.seeds) < result.seeds]
    if left_out:
        names = ", ".join(f"{r.activation} {len(r.seeds)} of {result.seeds}" for r in left_out)
        parts.append(f" Seeds paired where a network diverged: {names}.")
    needed = _needed([r for r in tested if r.verdict == WITHIN_NOISE and r.std > 0])
    if needed:
        parts.append(
            f" To tell a difference within noise at 80 % power, at the spread seen: {needed}."
        )
    return "".join(parts)


def results_table(
    shown: Shown, target: float | None = None, reference: str | None = None
) -> pd.DataFrame:
    """Per activation: final and best validation loss/metric (mean ± std over seeds), epochs to
    reach `target` (accuracy at least, or MAE at most), time per epoch, parameters, status.
    With a `reference` (one of the view's activations), each activation's final metric against
    it, paired by seed, with a verdict ("vs <reference>", and the Holm-adjusted "p"; see
    core/train/stats.py).

    A learning-rate sweep: each activation at its best rate (core/train/rates.py), named in a
    column."""
    comparison = shown.chosen
    result = compared(shown, reference)
    versus: dict[str, dict[str, str]] = {}
    if result is not None:
        column, p_column = versus_label(result), p_label(result)
        versus[result.reference] = {column: "reference", p_column: "—"}
        for row in result.rows:
            versus[row.activation] = {
                column: difference_text(row, result.metric, unit=False),
                p_column: p_text(row.p_holm),
            }
        if not result.tested:
            for cells in versus.values():
                cells.pop(p_column)
    higher_better = comparison.metric_name == "accuracy"
    metric = "accuracy" if higher_better else "MAE"
    seconds = comparison.epoch_seconds
    per_epoch = f"{sum(seconds) / len(seconds):.2f}" if seconds else "—"
    rows = []
    for name, seeds in comparison.by_activation().items():
        done = [b for b in seeds if b.val_loss]
        best_metric = [(max if higher_better else min)(b.val_metric) for b in done]
        reached = []
        if target is not None:
            for b in done:
                hit = [
                    i + 1
                    for i, v in enumerate(b.val_metric)
                    if (v >= target if higher_better else v <= target)
                ]
                reached.append(hit[0] if hit else None)
        if target is None:
            reach = "—"
        elif reached and all(r is not None for r in reached):
            reach = (
                str(reached[0])
                if len(set(reached)) == 1
                else _mean_pm([float(r) for r in reached if r is not None], 1)
            )
        else:
            reach = "not reached"
        status = sorted({b.status for b in seeds})
        diverged = [
            f"seed {b.seed} at epoch {b.diverged_epoch}" for b in seeds if b.status == "diverged"
        ]
        best_rate = {"best learning rate": f"{shown.rate(seeds[0]):g}"} if shown.sweep else {}
        rows.append(
            {
                "activation": name,
                **best_rate,
                "final val loss": _mean_pm([b.val_loss[-1] for b in done]),
                "best val loss": _mean_pm([min(b.val_loss) for b in done]),
                f"final val {metric}": _mean_pm([b.val_metric[-1] for b in done]),
                **versus.get(name, {}),
                f"best val {metric}": _mean_pm(best_metric),
                f"epochs to {metric} {'≥' if higher_better else '≤'} {target:g}"
                if target is not None
                else "epochs to target": reach,
                "s/epoch (all)": per_epoch,
                "parameters": comparison.parameters,
                "diverged": "; ".join(diverged) if diverged else "no",
                "status": ", ".join(status),
            }
        )
    return pd.DataFrame(rows).set_index("activation")


# Columns that hold one value for a whole comparison, and how a page says that value once.
PER_COMPARISON = {
    "best learning rate": "best learning rate {} for every activation",
    "s/epoch (all)": "{} s per epoch (all networks together)",
    "parameters": "{:,} parameters per network",
    "status": "status {} for every activation",
}


def fold_constant_columns(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The results table as a page shows it, and a note to print under it: a column that has
    the same value in every row (time per epoch, parameters, "no" divergence, the status) is
    said once in the note instead, so the columns people compare fit the page's width."""
    folded, said = [], []
    for column, text in PER_COMPARISON.items():
        # One value in every row, none missing: an overlay of a sweep and a run at one rate
        # has no best rate in the run's rows, which nunique() alone would not see.
        values = table[column] if column in table.columns else None
        if values is not None and values.notna().all() and values.nunique(dropna=False) == 1:
            folded.append(column)
            said.append(text.format(table[column].iloc[0]))
    if "diverged" in table.columns and (table["diverged"] == "no").all():
        folded.append("diverged")
        said.append("no network diverged")
    return table.drop(columns=folded), " · ".join(said)


def numbers_styled(table: pd.DataFrame, fmt: str = "{:.4g}"):
    """`table` as a Styler with its float columns written with `fmt`, a missing value as "—".
    st.dataframe draws a NaN cell as "None" whatever the Styler's na_rep says, so a float column
    with a missing value becomes text (its numbers formatted here); the others stay numbers."""
    table = table.copy()
    numbers = [c for c in table.columns if table[c].dtype.kind == "f"]
    for c in [c for c in numbers if table[c].isna().any()]:
        table[c] = [fmt.format(v) if pd.notna(v) else "—" for v in table[c]]
    return table.style.format(fmt, subset=[c for c in numbers if table[c].dtype.kind == "f"])
