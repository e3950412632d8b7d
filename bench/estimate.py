"""How close the Train page's time estimate (core.train.training.estimate_seconds) is to real
epochs.

Trains a few configurations on this machine (MLPs small and large, regression and MNIST, the
CNN), 3 epochs each, and compares the mean of the warm epochs (2 and 3) with the estimate per
epoch. It also fits the estimate's two constants to these measurements (least squares on
seconds = batches × per-batch cost + FLOPs / rate, a rate
per model kind), to update core/train/training.py when the
machine changes. Then one activation search (16 candidates, the Search page's defaults
otherwise) against the Search page's estimate (core.study.search.search.estimate_search_seconds).
The last line is the figure: the worst ratio measured / estimated, searches included.

    python bench/estimate.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)

# isort: split
import numpy as np  # noqa: E402

from bench.search import train_locally  # noqa: E402
from core.study.search.search import (  # noqa: E402
    SearchSettings,
    SearchState,
    estimate_search_seconds,
    run,
)
from core.train.datasets import load_shared  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import estimate_seconds, multiply_adds, train_compare  # noqa: E402

FOUR = ("relu", "tanh", "sigmoid", "SinActivation")
CASES = (
    dict(dataset="friedman", samples=20000, depth=1, width=128, activations=FOUR),
    dict(dataset="friedman", samples=20000, depth=3, width=512, activations=("relu", "tanh")),
    dict(dataset="mnist", samples=0, depth=1, width=128, activations=FOUR),
    dict(dataset="mnist", samples=0, depth=2, width=512, activations=FOUR),
    dict(dataset="mnist", samples=0, depth=1, width=128, activations=FOUR, seeds=3),
    dict(dataset="mnist", samples=0, model="cnn", width=16, activations=("relu", "tanh")),
    dict(dataset="mnist", samples=0, model="cnn", width=128, activations=FOUR),
)


def main() -> None:
    rows, ratios = [], []
    for case in CASES:
        config = TrainConfig(epochs=3, **case)
        data = load_shared(config.dataset, config.samples or None, config.val_fraction)
        record = train_compare(config, data)
        measured = float(np.mean(record.epoch_seconds[1:]))
        estimated = estimate_seconds(config, data) / config.epochs
        n = len(data.x_train)
        adds = multiply_adds(
            config.model, data.input_shape, data.n_outputs, config.depth, config.width
        )
        flops = 6.0 * adds * n * config.networks
        mlp, cnn = (flops, 0.0) if config.model == "mlp" else (0.0, flops)
        rows.append((-(-n // config.batch_size), mlp, cnn, measured))
        ratios.append(measured / estimated)
        print(
            f"{config.model_label} {config.dataset} n={n} networks={config.networks}: "
            f"measured {measured:.3f} s/epoch, estimated {estimated:.3f} s, "
            f"ratio {measured / estimated:.2f}",
            flush=True,
        )
    batches, mlp, cnn, seconds = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    # Relative least squares: every configuration counts alike, small or large.
    a = np.stack([batches, mlp, cnn], axis=1) / seconds[:, None]
    per_batch, per_mlp, per_cnn = np.linalg.lstsq(a, np.ones_like(seconds), rcond=None)[0]
    print(
        f"fit: SECONDS_PER_BATCH = {per_batch:.2e}, "
        f"MEASURED_FLOPS = {{'mlp': {1 / per_mlp:.2e}, 'cnn': {1 / per_cnn:.2e}}}"
    )
    ratios.append(search_ratio(SearchSettings(candidates=16)))
    print(f"worst measured/estimated = {max(ratios, key=lambda r: max(r, 1 / r)):.2f}")


def search_ratio(settings: SearchSettings) -> float:
    """A whole search in this process, each batch trained as the server's job trains it."""
    data = load_shared(settings.dataset, None, settings.val_fraction, 1.0, settings.data_seed)
    estimated = estimate_search_seconds(settings, data)
    start = time.perf_counter()
    state = run(SearchState(settings), lambda b: train_locally(b, []), data.n_outputs)
    measured = time.perf_counter() - start
    print(
        f"search {settings.candidates} candidates (K = {settings.k}, {settings.seeds} seeds × "
        f"{settings.epochs} epochs; {len(state.scored)} scored): measured {measured:.0f} s, "
        f"estimated {estimated:.0f} s, ratio {measured / estimated:.2f}",
        flush=True,
    )
    return measured / estimated


if __name__ == "__main__":
    main()
