"""Issue 34's "make it trainable" figures: SELU's constants solved from ELU's shape, then the
rescue experiment (core/study/experiments/trainable/rescue.py: its criteria, written before the
first run on 2026-12-06, live there and on the Experiments page): of the activations a vanilla
50-layer MLP cannot train on MNIST-1D under Glorot initialisation, how many reach ≥ 60 %
validation accuracy after Deep Kernel Shaping's transform under orthogonal initialisation?

Trained in this process exactly as bench/experiments.py trains it (about 15 minutes on 2 cores).

Usage: `python bench/trainable.py [--smoke]` (--smoke: 3 activations, 8 layers, 2 epochs,
2,000 samples; not the experiment). The last line is the figure: `rescued = N/M at depth 50`;
above it `selu from elu: alpha = A, lambda = L`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.experiments import smoke_train, train  # noqa: E402
from core.study import experiments  # noqa: E402
from core.study.experiments.trainable import rescue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="3 activations, 2 epochs (a check)")
    args = parser.parse_args()

    constants = experiments.get("klambauer-2017-selu-constants")
    selu = constants.measure()
    print(f"selu from elu: alpha = {selu['alpha']!r}, lambda = {selu['lambda']!r}", flush=True)

    experiment = experiments.get("martens-2021-dks-rescue")
    experiment = experiment.smoke() if args.smoke else experiment

    def said(fraction: float, text: str) -> None:
        print(f"# {text}", file=sys.stderr, flush=True)

    result = experiments.run(experiment, smoke_train if args.smoke else train, said)
    m = result["measured"]
    fails, rescued = rescue.judged(m)  # the verdict's own judgement, spread rule included
    said = {True: "", False: "", None: " (undecided)"}
    for name in m["activations"]:
        before = experiments.Spread.of(m["glorot"][name])
        after = experiments.Spread.of(m["transformed"][name])
        solved = m["transform"][name]
        note = "" if solved == "solved" else f" (no transform: {solved})"
        state = " cannot train" if fails[name] else ""
        print(
            f"{name:18s} glorot {before.text(100)} % → dks {after.text(100)} %"
            f"{state}{said[fails[name]]}{' rescued' if rescued[name] else ''}{note}"
        )
    print(experiments.verdict_line(experiment, result))
    undecided = sum(v is None for v in fails.values()) + sum(v is None for v in rescued.values())
    if undecided:
        print(f"({undecided} undecided by the seeds' spread: counted as not)")
    failing = sum(v is True for v in fails.values())
    print(f"rescued = {sum(v is True for v in rescued.values())}/{failing} at depth {rescue.DEPTH}")


if __name__ == "__main__":
    main()
