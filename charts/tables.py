"""Tables the pages show, as pandas DataFrames built from plain data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from core.train.rates import Shown


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


def results_table(shown: Shown, target: float | None = None) -> pd.DataFrame:
    """Per activation: final and best validation loss/metric (mean ± std over seeds), epochs to
    reach `target` (accuracy at least, or MAE at most), time per epoch, parameters, status.

    A learning-rate sweep: each activation at its best rate (core/train/rates.py), named in a
    column."""
    comparison = shown.chosen
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
    "s/epoch (all)": "{} s per epoch (all networks together)",
    "parameters": "{:,} parameters per network",
}


def fold_constant_columns(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The results table as a page shows it, and a note to print under it: a column that has
    the same value in every row (time per epoch, parameters, "no" divergence) is said once in
    the note instead, so the columns people compare fit the page's width."""
    folded, said = [], []
    for column, text in PER_COMPARISON.items():
        if column in table.columns and table[column].nunique() == 1:
            folded.append(column)
            said.append(text.format(table[column].iloc[0]))
    if "diverged" in table.columns and (table["diverged"] == "no").all():
        folded.append("diverged")
        said.append("no network diverged")
    return table.drop(columns=folded), " · ".join(said)
