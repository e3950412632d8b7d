"""What the inside-the-network diagnostics cost: a comparison trained with them against the same
comparison without, alternated in one run so machine noise hits both.

Two workloads on compare_training's data (60,000 random MNIST-shaped samples, 3 epochs): its
K = 6 activations on the MLP 1×128, and a deep one, 4 activations on a 10-layer MLP of width
128, where the probe has the most layers to measure.

Two ratios each. Per epoch (the issue's measure, "they add at most 15 % to an epoch"): the
fastest epoch after the first, each epoch's probe included. Whole run: the comparison
end to end, so also the one-time compilation of the probe and the probe at initialisation. The
last line is the worse per-epoch ratio: `diagnostics overhead = R` (with / without).

    python bench/diagnostics.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)

# isort: split
import tensorflow as tf  # noqa: E402

from bench.compare_training import ACTIVATIONS, mnist_shaped  # noqa: E402
from core.train.datasets import Dataset  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import Training  # noqa: E402


def _median_seconds(step, times: int) -> float:
    seconds = []
    for _ in range(times):
        begin = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - begin)
    return sorted(seconds)[len(seconds) // 2] if seconds else 0.0


def timed(config: TrainConfig, data: Dataset) -> tuple[float, float, float, float]:
    """Whole-run seconds, the fastest epoch after the first (compiled; the fastest, because noise
    on a shared machine only ever adds time), and the median seconds of one probe and of one
    histogram probe alone (what a run that learns pays with diagnostics off) on the trained
    networks (0 without diagnostics)."""
    start = time.perf_counter()
    training = Training(config, data)
    record = training.run()
    whole = time.perf_counter() - start
    steady = record.epoch_seconds[1:]
    engine, times = training.engine, 5 if config.diagnostics else 0
    numbers = lambda out: tf.nest.map_structure(lambda t: t.numpy(), out)  # noqa: E731
    probe = _median_seconds(lambda: numbers(engine.probe()), times)
    if times:
        engine.pre_histograms()  # compiled outside the timing, as the first epoch compiles it
    histograms = _median_seconds(lambda: numbers(engine.pre_histograms()), times)
    return whole, min(steady), probe, histograms


def overhead(name: str, config: TrainConfig, data: Dataset, rounds: int) -> float:
    on, off = [], []
    for r in range(rounds):
        on.append(timed(dataclasses.replace(config, diagnostics=True), data))
        off.append(timed(dataclasses.replace(config, diagnostics=False), data))
        print(
            f"{name} round {r + 1}: with {on[-1][0]:.2f} s (fastest epoch {on[-1][1]:.2f} s), "
            f"without {off[-1][0]:.2f} s ({off[-1][1]:.2f} s)"
        )
    whole = min(t[0] for t in on) / min(t[0] for t in off)
    epoch = min(t[1] for t in on) / min(t[1] for t in off)
    probe, bare = min(t[2] for t in on), min(t[1] for t in off)
    histograms = min(t[3] for t in on)
    print(f"{name}: whole run with/without = {whole:.3f}")
    # The probe timed alone: the per-epoch ratio below is within the noise of a shared machine.
    print(f"{name}: one probe {probe:.3f} s = {probe / bare:.1%} of an epoch without")
    print(
        f"{name}: one histogram probe alone {histograms:.3f} s = {histograms / bare:.1%} "
        "of an epoch without"
    )
    print(f"diagnostics overhead per epoch ({name}) = {epoch:.3f}")
    return epoch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating pairs; best of each")
    args = parser.parse_args()
    data = mnist_shaped()
    wide = TrainConfig(activations=ACTIVATIONS, epochs=3)
    deep = TrainConfig(activations=ACTIVATIONS[:4], epochs=3, depth=10, width=128)
    ratios = [
        overhead("compare_training", wide, data, args.rounds),
        overhead("10-layer MLP", deep, data, args.rounds),
    ]
    print(f"diagnostics overhead = {max(ratios):.3f}")


if __name__ == "__main__":
    main()
