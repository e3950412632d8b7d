"""Tables the pages show, as pandas DataFrames built from plain data."""
from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd


def _number(v: float) -> str:
    if math.isnan(v):
        return "none"
    if math.isinf(v):
        return "+∞" if v > 0 else "−∞"
    if v == 0:
        return "0"  # no "−0" from limits approached from below
    return f"{v:.3g}".replace("-", "−")


def properties_row(name: str, source: str, props: Mapping[str, Any], cost: float | None) -> dict[str, Any]:
    lo, hi = props["range"]
    return {
        "activation": name,
        "source": source,
        "range on [−6, 6]": f"[{_number(lo)}, {_number(hi)}]",
        "limits at −∞ / +∞": f"{_number(props['limit -inf'])} / {_number(props['limit +inf'])}",
        "bounded": {(True, True): "both", (True, False): "below", (False, True): "above"}.get(
            (props["bounded below"], props["bounded above"]), "no"),
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
