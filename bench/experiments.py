"""Every experiment of the Experiments page, run headless: one line each,

    experiment <name>: verdict = <reproduced|partly reproduced|not reproduced|inconclusive>
    (measured …, criterion …)

(one line each; wrapped here).

Training runs are trained in this process exactly as a Train-page job trains them (the same
`Training`, the same data); searches run as the Search page's job runs them, batch after batch
in this process; experiments at initialisation use the Depth page's computation. The
verdict comes from the measured numbers through each experiment's `verdict`
(core/study/experiments/).
The last line is the last experiment's verdict; `--json PATH` also writes every result.

    python bench/experiments.py [--only ID ...] [--json results.json]

With --json and --only, the other experiments' results already in that file are kept.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)
from activations import shared_catalogue  # noqa: E402
from activations.expression import custom_activation  # noqa: E402
from core.study import experiments  # noqa: E402
from core.study.search.search import SearchSettings, SearchState, search_here  # noqa: E402
from core.train.datasets import load_shared  # noqa: E402
from core.train.record import Comparison  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402
from core.train.training import train_compare  # noqa: E402


def train(config: TrainConfig, customs: experiments.Customs = ()) -> Comparison:
    data = load_shared(
        config.dataset, config.samples or None, config.val_fraction, config.noise, config.data_seed
    )
    typed = [custom_activation(name, text) for name, text in customs]
    return train_compare(config, data, shared_catalogue().with_customs(typed))


SMOKE_EPOCHS, SMOKE_SAMPLES, SMOKE_CANDIDATES, SMOKE_DEPTH = 2, 2000, 4, 8


def smoke_train(config: TrainConfig, customs: experiments.Customs = ()) -> Comparison:
    """`train` cut to a smoke run's size: the schedule's activations and widths, at most
    SMOKE_DEPTH layers (a graph of 50 or 100 layers takes tens of seconds to build), few epochs,
    few samples."""
    samples = min(config.samples or SMOKE_SAMPLES, SMOKE_SAMPLES)
    epochs, depth = min(config.epochs, SMOKE_EPOCHS), min(config.depth, SMOKE_DEPTH)
    cut = dataclasses.replace(config, epochs=epochs, samples=samples, depth=depth)
    return train(cut, customs)


def search(settings: SearchSettings, budget: int | None = None, smoke: bool = False) -> SearchState:
    """An activation search in this process, as the Search page's job runs it (unsaved); with
    `budget`, a smaller search of that many candidates (a smoke run, not the experiment)."""
    if budget:
        population = min(settings.population, budget)
        settings = dataclasses.replace(
            settings, candidates=budget, population=population,
            sample=min(settings.sample, population),
        )  # fmt: skip
    if smoke:
        settings = dataclasses.replace(settings, epochs=min(settings.epochs, SMOKE_EPOCHS))

    def said(state: SearchState) -> None:
        print(
            f"#   search seed {settings.seed}: {len(state.scored)}/{settings.candidates} "
            f"candidates in {state.seconds:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    return search_here(settings, said)


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="experiment ids to run")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    parser.add_argument(
        "--search-budget",
        type=int,
        default=None,
        help="a smoke run: searches of this many candidates (their results are marked reduced "
        "and never shown as the experiment's: their digest is 'reduced')",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a smoke run of the format and the verdicts' arithmetic: every training at most "
        f"{SMOKE_DEPTH} layers deep, {SMOKE_EPOCHS} epochs on at most {SMOKE_SAMPLES:,} samples, "
        "a smaller experiment where one has a smoke version, searches of "
        f"{SMOKE_CANDIDATES} candidates (results marked reduced, never shown as the experiment's)",
    )
    args = parser.parse_args(argv)
    chosen = [experiments.get(i) for i in (args.only or experiments.EXPERIMENTS)]
    results = {}
    budget = SMOKE_CANDIDATES if args.smoke else args.search_budget
    for experiment in chosen:
        started = time.perf_counter()
        trainer = smoke_train if args.smoke else train
        ran = experiment.smoke() if args.smoke else experiment
        result = experiments.run(ran, trainer, search=lambda s: search(s, budget, args.smoke))
        reduced = (
            (budget and experiment.searches())
            or (args.smoke and experiment.configs())
            or ran is not experiment
        )
        if reduced:
            result["digest"] = "reduced"  # measured off the experiment's schedule
        results[experiment.id] = result
        seconds = time.perf_counter() - started
        print(f"# {experiment.id}: {seconds:.0f} s", file=sys.stderr, flush=True)
        print(experiments.verdict_line(experiment, result), flush=True)
    print(f"# total: {sum(r['seconds'] for r in results.values()):.0f} s", file=sys.stderr)
    if args.json:
        path, saved = Path(args.json), {}
        if args.only and path.exists():  # refresh some experiments, keep the others' results
            saved = json.loads(path.read_text())
        merged = {**saved, **results}
        order = [i for i in experiments.EXPERIMENTS if i in merged]
        path.write_text(json.dumps({i: merged[i] for i in order}, indent=1))
    return results


if __name__ == "__main__":
    main()
