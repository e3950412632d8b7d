"""Time the app's training path against plain Keras (one Sequential + fit per network).

Three comparisons on MNIST-shaped random data (60,000 × 28×28 float32, 10 classes, 10%
validation), the app's default batch size and optimiser:
- K = 6 activations, 3 epochs, the default MLP (the main figure);
- the same 6 activations × 5 learning rates (SWEEP_RATES, log-spaced) as one fused sweep,
  against 30 plain fits, each at its own rate (`--sweep-epochs`, 1 by default: the ratio is per
  epoch, and 30 plain fits of 3 epochs take long on two cores);
- the same 6 activations in the small CNN (`--cnn-epochs`, 1 by default).
App and baseline are alternated in one run so machine noise hits both. The last three lines are
the ratios, one per line, the main one last (as before, so the last line is still the figure):
`cnn app/baseline = R` (target ≤ 0.5), `lr sweep app/baseline = R` (target ≤ 0.25),
`app/baseline = R`.

    python bench/compare_training.py [--rounds 2] [--sweep-epochs 1] [--cnn-epochs 1]
                                     [--only cnn]

`--only cnn` runs the CNN comparison alone (its line is then the last), for iterating on it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)

# isort: split
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from activations import get  # noqa: E402
from core.train.datasets import Dataset  # noqa: E402
from core.train.network.models import parameter_count, plain_model  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import train_compare  # noqa: E402

KERAS_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
}

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "silu", "elu")
# Five log-spaced rates, fixed here so the figure stays comparable if the page's "fair
# comparison" preset (core.train.settings.FAIR_RATES) changes; the rates do not change the work
# done.
SWEEP_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)


def mnist_shaped(seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.random((60_000, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 60_000).astype(np.int32)
    n_val = 6_000
    return Dataset(
        "mnist",
        "classification",
        x[n_val:],
        y[n_val:],
        x[:n_val],
        y[:n_val],
        source="random MNIST-shaped",
    )


def app_run(config: TrainConfig, data: Dataset) -> float:
    start = time.perf_counter()
    train_compare(config, data)
    return time.perf_counter() - start


def keras_model(config: TrainConfig, data: Dataset, name: str, rate: float) -> keras.Model:
    """What a Keras user writes for one activation and learning rate: the model, compiled with
    the comparison's settings."""
    model = plain_model(
        get(name), {}, 0, data.input_shape, 10, config.model, config.depth, config.width
    )
    model.compile(
        optimizer=KERAS_OPTIMIZERS[config.optimizer](learning_rate=rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def baseline_run(config: TrainConfig, data: Dataset) -> float:
    """What a Keras user writes: one model and one fit per activation and learning rate, same
    settings."""
    start = time.perf_counter()
    for name, rate in [(n, r) for n in config.activations for r in config.rates]:
        model = keras_model(config, data, name, rate)
        model.fit(
            data.x_train,
            data.y_train,
            batch_size=config.batch_size,
            epochs=config.epochs,
            validation_data=(data.x_val, data.y_val),
            verbose=0,
        )
    return time.perf_counter() - start


def matmul_peak(n: int = 2048, repeats: int = 10) -> float:
    a = tf.random.stateless_uniform([n, n], seed=(1, 2))
    b = tf.random.stateless_uniform([n, n], seed=(3, 4))
    step = tf.function(lambda: tf.matmul(a, b))
    np.asarray(step())
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.asarray(step())
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def timed(label: str, config: TrainConfig, data: Dataset, rounds: int) -> float:
    """Best-of-`rounds` app and baseline times, alternated; prints each round; returns the ratio."""
    app_times, base_times = [], []
    for r in range(rounds):
        app_times.append(app_run(config, data))
        base_times.append(baseline_run(config, data))
        print(
            f"{label} round {r + 1}: app {app_times[-1]:.2f} s, baseline {base_times[-1]:.2f} s",
            flush=True,
        )
    return min(app_times) / min(base_times)


def cnn_only(args: argparse.Namespace, data: Dataset) -> None:
    """The CNN comparison (the app's defaults, diagnostics on) and its ratio line."""
    cnn = TrainConfig(activations=ACTIVATIONS, model="cnn", epochs=args.cnn_epochs)
    print(f"cnn: {len(ACTIVATIONS)} activations, {cnn.model_label}, {cnn.epochs} epoch(s)")
    cnn_ratio = timed("cnn", cnn, data, args.rounds)
    print(f"cnn app/baseline = {cnn_ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="alternating app/baseline pairs (best of each is used)",
    )
    parser.add_argument("--sweep-epochs", type=int, default=1)
    parser.add_argument("--cnn-epochs", type=int, default=1)
    parser.add_argument("--only", choices=("cnn",), help="run only this comparison")
    args = parser.parse_args()
    if args.only == "cnn":
        cnn_only(args, mnist_shaped())
        return
    config = TrainConfig(activations=ACTIVATIONS, epochs=3)
    data = mnist_shaped()
    params = parameter_count("mlp", data.input_shape, 10, config.depth, config.width)
    flops = (
        len(ACTIVATIONS) * config.epochs * params * (6 * len(data.x_train) + 2 * len(data.x_val))
    )
    peak = matmul_peak()
    model = f"MLP {config.depth}×{config.width}"
    sizes = f"{len(data.x_train):,} train / {len(data.x_val):,} val"
    print(
        f"K = {len(ACTIVATIONS)} activations, {config.epochs} epochs, {model}, "
        f"batch {config.batch_size}, {config.optimizer}; {sizes}"
    )
    print(f"matmul peak: {peak:.1f} GFLOP/s")
    app_times, base_times = [], []
    for r in range(args.rounds):
        app_times.append(app_run(config, data))
        base_times.append(baseline_run(config, data))
        print(f"round {r + 1}: app {app_times[-1]:.2f} s, baseline {base_times[-1]:.2f} s")
    app, base = min(app_times), min(base_times)
    for label, seconds in (("app", app), ("baseline", base)):
        rate = flops / seconds / 1e9
        print(f"{label}: {seconds:.2f} s ({rate:.1f} GFLOP/s, {rate / peak:.0%} of peak)")
    rates = SWEEP_RATES
    sweep = TrainConfig(activations=ACTIVATIONS, learning_rates=rates, epochs=args.sweep_epochs)
    print(
        f"lr sweep: {len(ACTIVATIONS)} activations × {len(rates)} rates "
        f"({', '.join(f'{r:g}' for r in rates)}) = {sweep.networks} networks, "
        f"{sweep.epochs} epoch(s), {model}"
    )
    sweep_ratio = timed("lr sweep", sweep, data, args.rounds)
    cnn_only(args, data)  # prints its ratio line
    print(f"lr sweep app/baseline = {sweep_ratio:.3f}")
    print(f"app/baseline = {app / base:.3f}")


if __name__ == "__main__":
    main()
