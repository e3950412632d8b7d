"""`python bench/experiments.py` end to end (slow: it trains every experiment, a few minutes).

Catches a line that breaks the announced format, an experiment the bench skips, and a verdict
that is not the one its experiment's criterion gives on the numbers the bench measured (a
hard-coded or stale verdict would pass the format check but not this one).
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.study import experiments as ex

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(
    r"^experiment (?P<id>[a-z0-9-]+): verdict = (?P<verdict>reproduced|partly reproduced|"
    r"not reproduced|inconclusive) \(measured (?P<measured>.+), criterion (?P<criterion>.+)\)$"
)


def _numbers(value) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [float(value)] if isinstance(value, (int, float)) and value is not None else []


@pytest.mark.slow
def test_bench_prints_one_verdict_line_per_experiment_judged_from_its_measurements(tmp_path):
    results_path = tmp_path / "results.json"
    done = subprocess.run(
        # The whole schedule takes an hour and more (the search's three searches of 200
        # candidates alone a quarter of an hour, the rescue's 162 networks of 50 layers
        # another; the full run is `python bench/experiments.py`, docs/experiments.json). Here
        # every experiment runs its networks cut short (--smoke: at most 8 layers, 2 epochs,
        # 2,000 samples, 3 of the rescue's 27 activations, KAN fits of a few steps, searches
        # of 4 candidates): the format, the coverage and the verdict's arithmetic on measured
        # numbers are the same.
        [sys.executable, "bench/experiments.py", "--json", str(results_path), "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("experiment ")]
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    assert [m["id"] for m in matches] == list(ex.EXPERIMENTS)
    results = json.loads(results_path.read_text())
    for m in matches:
        experiment, result = ex.get(m["id"]), results[m["id"]]
        judged = experiment.verdict(result["measured"])
        assert m["verdict"] == judged.label == result["verdict"]
        assert m["measured"] == judged.measured
        assert m["criterion"] == experiment.short_criterion
        # Measured, not made up: every experiment produced real numbers, mostly finite.
        if experiment.searches() or experiment.configs() or experiment.kind == "fit":
            assert result["digest"] == "reduced"  # never shown as the experiment's result
        numbers = np.asarray(_numbers(result["measured"]), float)
        # (The smoke run's tutorial regression gives 10: its 2 epochs of 3 seeds and the
        # baselines; every other experiment far more.)
        assert numbers.size >= 10 and np.isfinite(numbers).mean() > 0.9
