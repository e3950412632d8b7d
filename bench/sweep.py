"""A small sweep end to end through the job queue, as the Sweep page runs it: depths 2, 6 and 10
(width 32) × relu, tanh and sigmoid × learning rates 1e-3 and 1e-2, one seed, 2 epochs on 2,000
MNIST samples. Three jobs, one per depth, each saved to a fresh run store.

    python bench/sweep.py                  # this process trains the jobs, one at a time
    python bench/sweep.py --engine ray     # a local Ray cluster (ray.init(num_cpus=2)) does
    python bench/sweep.py --engine both    # both, then the ratio ray/local

Prints `sweep engine = E, jobs = N, finished = N, seconds = S` per engine; seconds run from the
submission to the last job's end (Ray's start and its workers' TensorFlow import included).
With `both`, the last line is `sweep ray/local = R`, the two measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)
from activations import shared_catalogue  # noqa: E402
from core.serve.executors import LocalExecutor  # noqa: E402
from core.serve.grid import Grid  # noqa: E402
from core.serve.jobs import JobQueue, submit_sweep  # noqa: E402
from core.serve.store import RunStore  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402

BASE = TrainConfig(
    activations=("relu", "tanh", "sigmoid"),
    dataset="mnist",
    samples=2000,
    learning_rates=(1e-3, 1e-2),
    batch_size=128,
    epochs=2,
    diagnostics=False,
)
GRID = Grid(BASE, (2, 6, 10), (32,))


def run(engine: str) -> float:
    """Train GRID with `engine`; prints its line and returns the seconds."""
    if engine == "ray":
        from core.serve.ray_executor import RayExecutor

        executor = RayExecutor("local", num_cpus=2)
    else:
        executor = LocalExecutor()
    with tempfile.TemporaryDirectory() as folder:
        store = RunStore(Path(folder) / "runs.sqlite")
        start = time.perf_counter()
        queue = JobQueue(store, executor)
        sweep_id = submit_sweep(queue, GRID, shared_catalogue())
        runs = [r for _, _, r in store.sweep(sweep_id).runs]
        for run_id in runs:
            queue.wait(run_id, 1800)
        seconds = time.perf_counter() - start
        finished = sum(store.load(r).status == "finished" for r in runs)
    print(
        f"sweep engine = {engine}, jobs = {len(runs)}, finished = {finished}, "
        f"seconds = {seconds:.1f}",
        flush=True,
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("local", "ray", "both"), default="local")
    engine = parser.parse_args().engine
    if engine != "both":
        run(engine)
        return
    local, ray = run("local"), run("ray")
    print(f"sweep ray/local = {ray / local:.2f}")


if __name__ == "__main__":
    main()
