"""Issue 34's experiment (3), after Pennington, Schoenholz & Ganguli (2017), "Resurrecting the
sigmoid in deep learning through dynamical isometry": at depth 100, does tanh with orthogonal
weights at the edge of chaos reach a training-accuracy threshold in fewer steps than ReLU with
Gaussian He initialisation?

Criteria, written before the first run (2026-12-06):
- Setup: MNIST-1D as the mnist1d package makes it (4,000 training signals of 40 samples, 10
  classes); a plain MLP of 100 hidden layers of 64 units, no normalisation, no skips; SGD at
  learning rate 0.01, batch 128 (32 steps an epoch), up to 30 epochs; seeds 0, 1, 2. Tanh under
  Keras's Orthogonal (gain 1: σ_w² = 1, zero biases, tanh's edge of chaos at σ_b² = 0, where
  χ1 = 1) against relu under He normal (σ_w² = 2, relu's edge of chaos).
- Measured: the steps until an epoch's mean training accuracy first reaches 40 % (4 × chance),
  at the resolution of an epoch (32 steps); a network that never reaches it counts as never.
- Verdict "reproduced" when orthogonal tanh reaches it in fewer steps in 3 of 3 seeds (a seed
  where neither reaches it counts against).
Differences from the paper: MNIST-1D instead of CIFAR-10, width 64 instead of 400, plain SGD
at one rate for both (the paper tuned each), an epoch's accuracy instead of a step's.

Usage: `python bench/isometry.py [--epochs 30]`. The last line is the figure:
`orthogonal tanh faster in N/3 seeds at depth 100`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import core  # noqa: E402,F401  (TensorFlow's settings before TensorFlow loads)
from core.train import datasets  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import train_compare  # noqa: E402

DEPTH = 100
THRESHOLD = 0.40
BATCH = 128


def _steps(activation: str, init: str, data, args) -> dict[int, int | None]:
    config = TrainConfig(
        activations=(activation,),
        dataset="mnist1d",
        depth=DEPTH,
        width=64,
        init=init,
        epochs=args.epochs,
        seeds=3,
        optimizer="sgd",
        learning_rate=0.01,
        batch_size=BATCH,
    )
    started = time.perf_counter()
    record = train_compare(config, data)
    per_epoch = -(-len(data.x_train) // BATCH)
    out = {}
    for branch in record.branches:
        hit = [i for i, v in enumerate(branch.metric) if v >= THRESHOLD]
        out[branch.seed] = (hit[0] + 1) * per_epoch if hit else None
        curve = ", ".join(f"{v:.2f}" for v in branch.metric[:: max(1, args.epochs // 6)])
        print(f"  {activation} ({init}) seed {branch.seed}: training accuracy {curve}")
    print(f"  {activation} ({init}): {time.perf_counter() - started:.0f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    data = datasets.load("mnist1d", None, 0.2, 0.0, 0)
    tanh = _steps("tanh", "orthogonal", data, args)
    relu = _steps("relu", "he_normal", data, args)
    faster = 0
    for seed in sorted(tanh):
        t, r = tanh[seed], relu[seed]
        wins = t is not None and (r is None or t < r)
        faster += wins
        shown = {k: "never" if v is None else f"{v} steps" for k, v in (("t", t), ("r", r))}
        print(
            f"seed {seed}: orthogonal tanh {shown['t']}, He relu {shown['r']} "
            f"(to {THRESHOLD:.0%} training accuracy){' ← tanh faster' if wins else ''}"
        )
    print(f"orthogonal tanh faster in {faster}/3 seeds at depth {DEPTH}")


if __name__ == "__main__":
    main()
