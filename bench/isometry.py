"""Issue 34's experiment (3), after Pennington, Schoenholz & Ganguli (2017): at depth 100, does
tanh with orthogonal weights at the edge of chaos reach 40 % training accuracy in fewer steps
than relu under He initialisation? The experiment and its criteria (written before the first run
on 2026-12-06) live in core/study/experiments/trainable/isometry.py and on the Experiments page;
this trains it in this process as bench/experiments.py does (a few minutes on 2 cores).

Usage: `python bench/isometry.py`. The last line is the figure:
`orthogonal tanh faster in N/3 seeds at depth 100`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.experiments import train  # noqa: E402
from core.study import experiments  # noqa: E402
from core.study.experiments.trainable import isometry  # noqa: E402


def main() -> None:
    experiment = experiments.get("pennington-2017-isometry")
    result = experiments.run(experiment, train)
    m = result["measured"]
    per_epoch, wins = m["steps_per_epoch"], 0
    pairs = zip(m["tanh"]["epochs_to"], m["relu"]["epochs_to"], strict=True)
    for seed, (t, r) in enumerate(pairs):
        for key in ("tanh", "relu"):
            curve = ", ".join(f"{v:.2f}" for v in m[key]["accuracy"][seed][::5])
            print(f"  {key} seed {seed}: training accuracy every 5 epochs {curve}")
        won = t is not None and (r is None or t < r)
        wins += won
        shown = ["never" if v is None else f"{v * per_epoch} steps" for v in (t, r)]
        print(f"seed {seed}: orthogonal tanh {shown[0]}, He relu {shown[1]}")
    print(experiments.verdict_line(experiment, result))
    seeds = len(m["tanh"]["epochs_to"])
    print(f"orthogonal tanh faster in {wins}/{seeds} seeds at depth {isometry.DEPTH}")


if __name__ == "__main__":
    main()
