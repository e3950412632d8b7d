"""Issue 34's rescue experiment: of the activations a vanilla 50-layer MLP cannot train on
MNIST-1D under Glorot initialisation, how many train after "make it trainable" (Deep Kernel
Shaping's transform at depth 50, core/study/trainable.py, with orthogonal initialisation)?

Criteria, written before the first run (2026-12-06):
- Setup: MNIST-1D as the mnist1d package makes it (4,000 training / 1,000 validation signals of
  40 samples, 10 classes: chance is 10 %); a plain MLP of 50 hidden layers of 64 units, no
  normalisation, no skip connections; Adam at 1e-3, batch 128, 20 epochs; seeds 0, 1, 2.
- "Cannot train": under Glorot uniform, the mean over the 3 seeds of the final validation
  accuracy is within 10 points of chance (≤ 20 %).
- "Rescued": the DKS transform of that activation (ζ = 1.5 over 50 layers) under orthogonal
  initialisation reaches a mean final validation accuracy ≥ 60 % over the same 3 seeds.
- Goal (the issue's): ≥ 15 rescued, of ≥ 20 that cannot train.
Differences from the paper (Martens et al. 2021): Adam instead of K-FAC, width 64 instead of
thousands of units, MNIST-1D instead of ImageNet, 20 epochs.

Usage: `python bench/trainable.py [--epochs 20] [--width 64] [--seeds 3] [--json out.json]`.
The last line is the figure: `rescued = N/M at depth 50`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import core  # noqa: E402,F401  (TensorFlow's settings before TensorFlow loads)
from activations import shared_catalogue  # noqa: E402
from activations.expression import custom_activation  # noqa: E402
from core.study import trainable  # noqa: E402
from core.train import datasets  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import train_compare  # noqa: E402

DEPTH = 50
CHANCE = 0.10
FAILS_AT_MOST = CHANCE + 0.10
RESCUED_AT_LEAST = 0.60
# Built-ins with a spelling in the expression grammar, and typed ones.
BUILTINS = (
    "relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softplus", "selu", "mish",
    "celu", "hard_sigmoid", "hard_silu", "hard_tanh", "log_sigmoid", "tanh_shrink",
    "squareplus", "softsign", "relu6", "sparse_plus", "soft_shrink", "sparse_sigmoid",
)  # fmt: skip
TYPED = {
    "typed_sin": "sin(x)",
    "typed_x_erf": "x * erf(x)",
    "typed_tanh_leak": "tanh(x) + 0.1 * x",
    "typed_gelu_sig": "x * sigmoid(1.702 * x)",
    "typed_cube_root": "sign(x) * pow(abs(x) + 1e-6, 1 / 3)",
}


def _train(names, init, catalogue, data, args):
    config = TrainConfig(
        activations=tuple(names),
        dataset="mnist1d",
        depth=DEPTH,
        width=args.width,
        init=init,
        epochs=args.epochs,
        seeds=args.seeds,
        learning_rate=1e-3,
        batch_size=128,
    )
    started = time.perf_counter()

    def on_epoch(record):
        done = len(record.epoch_seconds)
        print(f"  {init}: epoch {done}/{args.epochs} ({time.perf_counter() - started:.0f} s)")

    record = train_compare(config, data, catalogue, on_epoch=on_epoch)
    finals: dict[str, list[float]] = {}
    for branch in record.branches:
        value = branch.val_metric[-1] if branch.val_metric else CHANCE
        finals.setdefault(branch.activation, []).append(value if value == value else CHANCE)
    return {name: sum(v) / len(v) for name, v in finals.items()}, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    data = datasets.load("mnist1d", None, 0.2, 0.0, 0)
    typed = [custom_activation(name, text) for name, text in TYPED.items()]
    catalogue = shared_catalogue().with_customs(typed)
    names = [*BUILTINS, *TYPED]
    print(f"{len(names)} activations, depth {DEPTH}, width {args.width}, {args.epochs} epochs")

    glorot, seconds_glorot = _train(names, "glorot_uniform", catalogue, data, args)
    failing = [n for n in names if glorot[n] <= FAILS_AT_MOST]
    within = f"{len(failing)} of {len(names)} within 10 points of chance"
    print(f"Glorot: {within} ({seconds_glorot:.0f} s)")

    transformed, rows = [], {}
    for name in failing:
        act = catalogue.get(name)
        t = trainable.of_activation(act, DEPTH)
        inner = trainable.inner_text(act)
        rows[name] = {"glorot": glorot[name], "transform": t.problem or t.note or "solved"}
        if t.found and inner is not None:
            transformed.append(custom_activation(f"{name}_dks", t.expression(inner)))
    catalogue = catalogue.with_customs([*typed, *transformed])
    after, seconds_dks = _train([a.name for a in transformed], "orthogonal", catalogue, data, args)
    rescued = 0
    for name in failing:
        value = after.get(f"{name}_dks")
        rows[name]["dks"] = value
        ok = value is not None and value >= RESCUED_AT_LEAST
        rescued += ok
        shown = f"— ({rows[name]['transform'][:60]})" if value is None else f"{value:.3f}"
        print(f"{name:18s} glorot {glorot[name]:.3f} → dks {shown} {'rescued' if ok else ''}")
    print(f"trained in {seconds_glorot:.0f} s (Glorot) and {seconds_dks:.0f} s (transformed)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {"glorot": glorot, "rows": rows, "epochs": args.epochs, "width": args.width},
                indent=1,
            )
        )
    print(f"rescued = {rescued}/{len(failing)} at depth {DEPTH}")


if __name__ == "__main__":
    main()
