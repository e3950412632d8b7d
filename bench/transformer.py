"""Time the app's fused Transformer against plain Keras: K = 4 FFN variants (relu, gelu, swiglu,
geglu) of the tiny Transformer on Python's source text, trained as one model, against the same
4 networks trained one after another with model.fit (each the app's twin: Keras's own
Embedding, MultiHeadAttention, LayerNormalization, Dense, Add and Multiply layers, starting from
the same weights, fed the same batches).

App and baseline alternate in each round so machine noise hits both; each side's time is its
best round, and includes what each pays once (the app traces and XLA-compiles one step for all
four networks, model.fit one per network): 3 epochs by default, a short comparison. The last
line is the figure: `transformer K=4 app/baseline = R` (goal ≤ 0.5).

    python bench/transformer.py [--rounds 2] [--epochs 3] [--width 64] [--depth 2]
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

from core.train import datasets  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import Training  # noqa: E402

ACTIVATIONS = ("relu", "gelu", "swiglu", "geglu")


def positions(x: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.arange(x.shape[1]), x.shape).astype(np.int32)


def app(config: TrainConfig, data) -> float:
    start = time.perf_counter()
    Training(config, data).run()
    return time.perf_counter() - start


def baseline(config: TrainConfig, data) -> float:
    """The same networks, one model.fit each (their starting weights taken before the clock)."""
    training = Training(config, data)
    models = [training.keras_model(name) for name in config.activations]
    start = time.perf_counter()
    for model in models:
        model.compile(
            optimizer=keras.optimizers.Adam(config.learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        for epoch in range(config.epochs):
            order = np.random.default_rng([config.data_seed, epoch]).permutation(len(data.x_train))
            x = data.x_train[order]
            model.fit(
                [x, positions(x)],
                data.y_train[order],
                batch_size=config.batch_size,
                epochs=1,
                shuffle=False,
                verbose=0,
                validation_data=([data.x_val, positions(data.x_val)], data.y_val),
            )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--depth", type=int, default=2)
    args = parser.parse_args()
    data = datasets.python_text()
    config = TrainConfig(
        activations=ACTIVATIONS, dataset="pytext", model="transformer", depth=args.depth,
        width=args.width, epochs=args.epochs, batch_size=32, diagnostics=False,
    )  # fmt: skip
    print(
        f"{len(data.x_train)} windows of {data.x_train.shape[1]} characters, "
        f"{config.model_label}, K = {len(ACTIVATIONS)}, {args.epochs} epoch(s), batch 32"
    )
    apps, bases = [], []
    for round_ in range(args.rounds):
        apps.append(app(config, data))
        bases.append(baseline(config, data))
        print(f"round {round_ + 1}: app {apps[-1]:.1f} s, baseline {bases[-1]:.1f} s")
    print(f"transformer K={len(ACTIVATIONS)} app/baseline = {min(apps) / min(bases):.3f}")


if __name__ == "__main__":
    main()
