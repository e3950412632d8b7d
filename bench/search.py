"""An activation search end to end, in this process, with the default SearchSettings (MNIST-1D,
MLP 2 × 64, adam 0.01, 15 epochs, 3 seeds, K = 8 candidates per fused batch, 200 candidates):
the search's own `run` with each batch trained as the server's job trains it (a JobSpec with
the candidates as custom specs, by the LocalExecutor), screening and baselines included.

Then, in the same run, the speed-up of fusing: the search's first batch (K candidates × 3 seeds
= 24 networks) trained again as one comparison, against the same candidates trained one network
at a time, each its own comparison of 1 activation × 1 seed with the same engine (a comparison
of one seed trains seed 0: the networks of seeds 1 and 2 differ only in their initial weights,
so each is timed as that activation's seed-0 network). Both sides include building each
comparison's engine and tracing, as the app pays it per run.

    python bench/search.py                    # the full search (5-10 minutes on 2 cores)
    python bench/search.py --candidates 16    # a quick check

Progress goes to stderr. The last stdout line is
`search candidates = <n> in <s> s, fused speed-up vs one at a time = <r>`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)
from core.serve.executors import CustomSpec, JobControl, JobSpec, LocalExecutor  # noqa: E402
from core.study.search.search import SearchSettings, SearchState, run  # noqa: E402
from core.train import datasets  # noqa: E402
from core.train.training import Training  # noqa: E402


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def train_locally(batches, first_batch: list):
    """The search's `train`: each batch one job, trained here, one after the other."""
    out = []
    for config, customs in batches:
        if customs and not first_batch:
            first_batch.append((config, customs))
        spec = JobSpec(config, tuple(CustomSpec(n, e, p) for n, e, p in customs))
        start = time.perf_counter()
        *_, record = LocalExecutor().run(spec, JobControl())
        log(
            f"  trained {', '.join(config.activations)} × {config.seeds} seeds in "
            f"{time.perf_counter() - start:.1f} s"
        )
        out.append((record, None))
    return out


def timed_training(spec: JobSpec, data) -> float:
    start = time.perf_counter()
    Training(spec.config, data, spec.catalogue()).run()
    return time.perf_counter() - start


def fused_speedup(config, customs, data) -> tuple[float, float]:
    """Seconds for the batch fused, and for its networks one at a time."""
    specs = {n: CustomSpec(n, e, p) for n, e, p in customs}
    fused = timed_training(JobSpec(config, tuple(specs.values())), data)
    log(f"fused: {len(customs)} candidates × {config.seeds} seeds in {fused:.1f} s")
    alone = 0.0
    for name, spec in specs.items():
        one = dataclasses.replace(config, activations=(name,), seeds=1, learnable=())
        for _ in range(config.seeds):  # each seed timed as seed 0 (see the docstring)
            alone += timed_training(JobSpec(one, (spec,)), data)
        log(f"  one at a time so far: {alone:.1f} s (through {name})")
    return fused, alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=SearchSettings.candidates)
    parser.add_argument("--minutes", type=float, default=SearchSettings.minutes)
    parser.add_argument("--epochs", type=int, default=SearchSettings.epochs)
    parser.add_argument("--no-speedup", action="store_true", help="the search only")
    args = parser.parse_args()
    settings = SearchSettings(candidates=args.candidates, minutes=args.minutes, epochs=args.epochs)
    assert not settings.problems(), settings.problems()
    log(f"search: {settings}; load {os.getloadavg()[0]:.1f}")
    data = datasets.load_shared(
        settings.dataset, settings.samples or None, settings.val_fraction, 1.0, settings.data_seed
    )
    first_batch: list = []

    def progress(state: SearchState) -> None:
        best = state.leaderboard()[:1]
        lead = f"; best {best[0].score:.3f} {best[0].expression}" if best else ""
        log(
            f"{len(state.scored)}/{settings.candidates} scored, {len(state.refused)} refused, "
            f"{state.seconds:.0f} s, load {os.getloadavg()[0]:.1f}{lead}"
        )

    start = time.perf_counter()
    state = run(
        SearchState(settings),
        lambda batches: train_locally(batches, first_batch),
        data.n_outputs,
        on_batch=progress,
    )
    seconds = time.perf_counter() - start
    log(f"search {state.status}: {state.ended}; baselines {state.baselines}")
    for entry in state.leaderboard()[:5]:
        distance, beta = entry.swish
        log(
            f"  {entry.score:.3f} ± {entry.spread:.3f}  {entry.expression}  "
            f"(Swish distance {distance:.3f} at β = {beta:.2f})"
        )
    ratio = float("nan")
    if not args.no_speedup and first_batch:
        fused, alone = fused_speedup(*first_batch[0], data)
        ratio = alone / fused
        print(f"fused {fused:.1f} s, one at a time {alone:.1f} s")
    print(
        f"search candidates = {len(state.scored)} in {seconds:.0f} s, "
        f"fused speed-up vs one at a time = {ratio:.2f}"
    )


if __name__ == "__main__":
    main()
