"""The Playground's speed: one refresh (the output field of K = 6 networks over a 100 × 100 grid
and every neuron's 24 × 24 thumbnail, in one fused call) and training steps per second of
K = 6 networks of 2 × 8 units on the spiral (Playground's defaults otherwise: rate 0.03, batch
10, 250 training points), against the baseline measured in the same run: one plain Keras network
of the same shape trained alone with `model.fit` (what a Keras user would run). A step is one
batch update; a fused step updates all six networks. Last line:
`playground refresh ms = <median> (K=6, 100x100, <n> steps/s)`.

    python bench/playground.py [--epochs 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from activations import get  # noqa: E402
from charts.playground import panels_png  # noqa: E402
from core.playground.config import PlaygroundConfig  # noqa: E402
from core.playground.data import features, generate, grid  # noqa: E402
from core.playground.job import FIELD_RESOLUTION, UNIT_RESOLUTION  # noqa: E402
from core.playground.network import PlaygroundNets  # noqa: E402

SIX = ("relu", "tanh", "sigmoid", "silu", "elu", "gelu")


def plain_keras(config: PlaygroundConfig, n_inputs: int) -> keras.Model:
    init = keras.initializers.RandomUniform(-0.5, 0.5, seed=1)
    layers = [keras.Input((n_inputs,))]
    for units in config.layers:
        layers.append(keras.layers.Dense(units, activation="tanh", kernel_initializer=init))
    layers.append(keras.layers.Dense(1, activation="tanh", kernel_initializer=init))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.SGD(config.learning_rate), loss="mse")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40, help="epochs timed on each side")
    args = parser.parse_args()
    config = PlaygroundConfig(activations=SIX, dataset="spiral", layers=(8, 8))
    data = generate(config.dataset, 0.0, config.train_percent / 100, config.seed)
    nets = PlaygroundNets(config, [get(a) for a in SIX], data)
    steps_per_epoch = nets.batches_per_epoch()
    print(f"spiral: {len(data.train_points)} training points, {steps_per_epoch} steps an epoch")

    # Baseline: one plain Keras network, model.fit over the same points, batch 10.
    x = features(data.train_points, config.ordered_features())
    y = data.train_labels[:, None]
    model = plain_keras(config, x.shape[1])
    model.fit(x, y, batch_size=config.batch_size, epochs=1, shuffle=False, verbose=0)  # compile
    start = time.perf_counter()
    model.fit(x, y, batch_size=config.batch_size, epochs=args.epochs, shuffle=False, verbose=0)
    plain = args.epochs * steps_per_epoch / (time.perf_counter() - start)
    print(f"baseline, one plain Keras network alone (model.fit): {plain:.0f} steps/s")

    nets.epoch()  # traced
    start = time.perf_counter()
    for _ in range(args.epochs):
        nets.epoch()
    fused = args.epochs * steps_per_epoch / (time.perf_counter() - start)
    ratio = fused / plain
    print(f"fused, six networks at once: {fused:.0f} steps/s, {ratio:.2f}× the baseline's steps")
    print(f"  ({6 * ratio:.2f}× its network updates per second)")

    plane = np.concatenate(
        [
            features(grid(FIELD_RESOLUTION), config.ordered_features()),
            features(grid(UNIT_RESOLUTION), config.ordered_features()),
        ]
    )
    nets.fields(plane)  # traced
    times = []
    for _ in range(30):
        start = time.perf_counter()
        out, hidden = nets.fields(plane)
        out.numpy(), [h.numpy() for h in hidden]
        times.append((time.perf_counter() - start) * 1000)
    refresh = statistics.median(times)
    r = FIELD_RESOLUTION
    output = out.numpy()[:, : r * r, 0].reshape(-1, r, r)
    history = {"test_loss": [[0.5] for _ in SIX]}
    builds = []
    for _ in range(10):
        start = time.perf_counter()
        panels_png(SIX, output, data, history, {})
        builds.append((time.perf_counter() - start) * 1000)
    print(f"the panels' image drawn: median {statistics.median(builds):.0f} ms")
    print(f"refresh, one fused call: median {refresh:.1f} ms over 30 (K=6, 100x100 + thumbnails)")
    print(f"playground refresh ms = {refresh:.1f} (K=6, 100x100, {fused:.0f} steps/s)")


if __name__ == "__main__":
    main()
