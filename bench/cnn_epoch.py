"""The small CNN's training epoch alone, warm: what fusing the networks buys, with no tracing,
probe or validation in the figure (bench/compare_training.py times whole runs, those included).

Three ways to train the same 6 CNNs (relu, tanh, sigmoid, gelu, silu, elu; the app's defaults:
width 128, batch 256, adam) for one epoch of N MNIST-shaped random images, each timed on its
second epoch (the first traces):
- the app's fused engine, all 6 networks in one step;
- the app's engine with one network at a time, 6 times (the same kernels, no fusing);
- plain Keras, one `Sequential` + `fit` per network, 6 times.
If the fused epoch is close to the sum of its kernels, the figure is what Keras's own kernels
allow: the last line, `cnn warm epoch app/keras = R`.

    python bench/cnn_epoch.py [--samples 12800]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)

# isort: split
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench.compare_training import ACTIVATIONS, keras_model, mnist_shaped  # noqa: E402
from core.train.network.engine import Engine  # noqa: E402
from core.train.network.models import epoch_order  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import branches_for  # noqa: E402


def fused_epoch(activations, data, order) -> float:
    config = TrainConfig(activations=activations, model="cnn", epochs=1)
    engine = Engine(config, data, branches_for(config))
    engine.train_epoch(order)  # traces
    start = time.perf_counter()
    np.asarray(engine.train_epoch(order)[0])
    return time.perf_counter() - start


def keras_epoch(name, data, n) -> float:
    config = TrainConfig(activations=(name,), model="cnn")
    model = keras_model(config, data, name, config.learning_rate)
    x, y = data.x_train[:n], data.y_train[:n]
    model.fit(x, y, batch_size=config.batch_size, epochs=1, verbose=0)  # traces
    start = time.perf_counter()
    model.fit(x, y, batch_size=config.batch_size, epochs=1, verbose=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=12_800)
    args = parser.parse_args()
    data = mnist_shaped()
    order = tf.constant(epoch_order(0, 0, len(data.x_train))[: args.samples])
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    print(f"6 CNNs, one warm epoch of {args.samples:,} images; TF_ENABLE_ONEDNN_OPTS={onednn}")
    fused = fused_epoch(ACTIVATIONS, data, order)
    one_by_one = sum(fused_epoch((name,), data, order) for name in ACTIVATIONS)
    plain = sum(keras_epoch(name, data, args.samples) for name in ACTIVATIONS)
    print(f"app fused (6 in one step): {fused:.2f} s")
    print(f"app engine, one network at a time: {one_by_one:.2f} s")
    print(f"plain Keras fit, one network at a time: {plain:.2f} s")
    print(f"fused/one at a time = {fused / one_by_one:.3f}")
    print(f"one at a time/keras = {one_by_one / plain:.3f}")
    print(f"cnn warm epoch app/keras = {fused / plain:.3f}")


if __name__ == "__main__":
    main()
