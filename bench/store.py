"""Time the Runs page against a run store of 10,000 runs (6 activations × 5 seeds × 50 epochs).

Fills a temporary store, warms up (TensorFlow's one-off import, the page's caches) with one
visit of the Runs page on that same store, then times opening the Runs page in Streamlit's
AppTest until it has drawn, and lists the store directly for comparison. Last line:
`runs page seconds at 10000 runs = S`.

    python bench/store.py [--runs 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)

logging.getLogger("streamlit").setLevel(logging.ERROR)

import numpy as np  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from core.serve.store import FILE_NAME, RunStore  # noqa: E402
from core.train.record import BranchHistory, Comparison  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "silu", "elu")
SEEDS, EPOCHS = 5, 50


def realistic_comparison(seed: int = 0) -> Comparison:
    """A finished MNIST comparison with noisy, decreasing histories of full length."""
    rng = np.random.default_rng(seed)
    config = TrainConfig(activations=ACTIVATIONS, epochs=EPOCHS, seeds=SEEDS)
    decay = np.exp(-np.arange(EPOCHS) / 12)

    def curve(start: float, end: float) -> list[float]:
        noise = rng.normal(0, 0.01, EPOCHS)
        return [float(v) for v in end + (start - end) * decay + noise]

    branches = [
        BranchHistory(
            activation,
            seed,
            loss=curve(2.3, 0.05),
            val_loss=curve(2.3, 0.09),
            metric=curve(0.1, 0.99),
            val_metric=curve(0.1, 0.97),
            status="finished",
        )
        for activation in ACTIVATIONS
        for seed in range(SEEDS)
    ]
    return Comparison(
        config=config,
        task="classification",
        metric_name="accuracy",
        dataset_source="random MNIST-shaped",
        branches=branches,
        parameters=101_770,
        epoch_seconds=[float(s) for s in rng.uniform(0.8, 1.2, EPOCHS)],
        status="finished",
    )


def fill(store: RunStore, n: int) -> None:
    """The first run through the store's own `save` (its summary computed as the app does), then
    n − 1 copies of that row in one transaction with executemany: `save` commits (and syncs) once
    per run, which would make filling take far longer than what is measured."""
    store.save(realistic_comparison(), name="run 1", tags="bench")
    conn = sqlite3.connect(store.path)
    try:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(runs)") if row[1] != "id"]
        values = [f":{c}" if c in ("created", "name") else c for c in columns]
        conn.executemany(
            f"INSERT INTO runs ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM runs WHERE id = 1",
            ({"created": time.time() + i, "name": f"run {i + 1}"} for i in range(1, n)),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the file's size is the store's
    finally:
        conn.close()


def open_runs_page() -> float:
    """Seconds from switching to the Runs page to its having drawn, in a fresh session."""
    app = AppTest.from_file(str(ROOT / "explorer.py"), default_timeout=300)
    app.run()
    start = time.perf_counter()
    app.switch_page("pages/runs.py").run()
    seconds = time.perf_counter() - start
    assert not app.exception, app.exception
    assert app.dataframe, "the runs table was not drawn"
    return seconds


def best_of(repeats: int, action) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the store")
    parser.add_argument("--repeats", type=int, default=3, help="timed visits (median is used)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-store-") as folder:
        os.environ["EXPLORER_DATA_DIR"] = folder  # before any AppTest: the store is per folder
        store = RunStore(Path(folder) / FILE_NAME)
        start = time.perf_counter()
        fill(store, args.runs)
        size = store.path.stat().st_size
        run_kb = len(json.dumps(store.load(1).to_dict())) / 1e3
        print(
            f"{store.count():,} runs of {len(ACTIVATIONS)} activations × {SEEDS} seeds × "
            f"{EPOCHS} epochs ({run_kb:.0f} kB of history each): {size / 1e6:,.0f} MB, "
            f"filled in {time.perf_counter() - start:.1f} s"
        )
        opening = best_of(1, lambda: RunStore(store.path))
        print(
            f"opening the store (its integrity check reads the whole file, once per server): "
            f"{opening:.2f} s"
        )
        everything = best_of(args.repeats, store.runs)
        one_page = best_of(args.repeats, lambda: store.runs(limit=50))
        filtered = best_of(args.repeats, lambda: store.count("run 99"))
        print(f"RunStore.runs() of all {args.runs:,}: {everything:.3f} s")
        print(f"RunStore.runs(limit=50): {one_page * 1e3:.1f} ms")
        print(f"RunStore.count('run 99') (a filter scans every summary): {filtered * 1e3:.1f} ms")
        sample = 200
        start = time.perf_counter()
        conn = sqlite3.connect(store.path)
        for (data,) in conn.execute("SELECT data FROM runs LIMIT ?", (sample,)):
            json.loads(data)
        conn.close()
        parse = (time.perf_counter() - start) / sample * store.count()
        print(f"reading and parsing every history, as listing did before schema v3: ~{parse:.1f} s")

        warm_up = open_runs_page()  # TensorFlow's import and the page's caches, on this store
        print(f"warm-up visit (imports TensorFlow): {warm_up:.1f} s")
        visits = [open_runs_page() for _ in range(args.repeats)]
        print("runs page visits: " + ", ".join(f"{v:.2f} s" for v in visits))
        print(f"runs page seconds at {args.runs} runs = {statistics.median(visits):.2f}")


if __name__ == "__main__":
    main()
