"""Does each Playground preset learn its dataset, and when does the plateau rule speak?

Presets: each dataset's row of `PRESETS` (core/playground/config.py) trained with the app's own
Playground networks (core/playground, no browser) for tanh, relu and sigmoid side by side, over
seeds 0, 1, 2, at no noise with half the points to train, for --epochs epochs. "Learnt" is the
app's rule (core/playground/progress.py): a test loss at most a tenth of an output stuck at 0,
0.05 for classification. For each activation: how many seeds learnt, the epochs they first did,
the last test losses; then the sentence the preset's row says, to copy into the table.

Plateau: Playground's defaults (x₁, x₂, layers 4, 2, rate 0.03) with the page's four default
activations on the spiral, circle and XOR, seed 0, for --plateau-epochs epochs: the first epoch
at which `stopped_moving` flags each network, and the flags that came before the network's best
test loss later halved (flags that a later fall proved premature).

Last line: `presets learnt by tanh = N of 6 datasets (3 of 3 seeds, E epochs); default spiral
flagged by epoch F`.

    python bench/playground_presets.py [--epochs 300] [--plateau-epochs 800]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from activations import get
from core.playground.config import DEFAULT, PRESETS, PlaygroundConfig
from core.playground.data import generate
from core.playground.network import PlaygroundNets, loss_history
from core.playground.progress import best_so_far, learnt_loss, stopped_moving

ACTIVATIONS = ("tanh", "relu", "sigmoid")
SEEDS = (0, 1, 2)
PLATEAU_DATASETS = ("spiral", "circle", "xor")


def test_losses(config: PlaygroundConfig, epochs: int) -> tuple[np.ndarray, float]:
    """Each network's test loss after every epoch from initialisation (K, epochs + 1), and the
    data's "learnt" threshold."""
    data = generate(config.dataset, config.noise / 100, config.train_percent / 100, config.seed)
    nets = PlaygroundNets(config, [get(a) for a in config.activations], data)
    return loss_history(nets, epochs), learnt_loss(data.test_labels)


def span(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def losses_span(values: list[float]) -> str:
    lo, hi = f"{min(values):.2g}", f"{max(values):.2g}"
    return lo if lo == hi else f"{lo}–{hi}"


def sentence(name: str, firsts: list[int | None], last: list[float], epochs: int) -> str:
    """One activation's result in the preset's words: "tanh by epoch 40–57 (3 of 3 seeds)"."""
    learnt = [e for e in firsts if e is not None]
    rest = [v for v, e in zip(last, firsts, strict=True) if e is None]
    n = len(firsts)
    if len(learnt) == n:
        return f"{name} by epoch {span(learnt)} ({n} of {n} seeds)"
    if learnt:
        return (
            f"{name} by epoch {span(learnt)} in {len(learnt)} of {n} seeds "
            f"(the rest {losses_span(rest)} at {epochs})"
        )
    return f"{name} in 0 of {n} ({losses_span(rest)} at {epochs})"


def presets(epochs: int) -> int:
    """Trains every preset; returns how many datasets tanh learnt in every seed."""
    tanh_learnt = 0
    for dataset, preset in PRESETS.items():
        started = time.perf_counter()
        firsts: dict[str, list[int | None]] = {a: [] for a in ACTIVATIONS}
        bars = []
        last: dict[str, list[float]] = {a: [] for a in ACTIVATIONS}
        for seed in SEEDS:
            base = PlaygroundConfig(activations=ACTIVATIONS, dataset=dataset, seed=seed)
            config = preset.applied(base)
            assert not config.problems(), config.problems()
            history, bar = test_losses(config, epochs)
            bars.append(bar)
            for name, losses in zip(ACTIVATIONS, history, strict=True):
                below = np.flatnonzero(losses <= bar)
                firsts[name].append(int(below[0]) if len(below) else None)
                last[name].append(float(losses[-1]))
        seconds = time.perf_counter() - started
        bar_words = (
            f"{min(bars):.2g}"
            if max(bars) - min(bars) < 5e-4
            else f"{min(bars):.3f}–{max(bars):.3f}"
        )
        print(f"{dataset}: {preset.describe()} ({seconds:.0f} s; learnt = test loss ≤ {bar_words})")
        for name in ACTIVATIONS:
            ends = ", ".join(f"{v:.3f}" for v in last[name])
            print(f"  {name:8s} first epoch learnt per seed {firsts[name]}; last test loss {ends}")
        words = ", ".join(sentence(n, firsts[n], last[n], epochs) for n in ACTIVATIONS)
        if preset.applied(base).task == "regression":
            bar_words += " (a tenth of an output stuck at 0)"
        print(f'  measured="test loss ≤ {bar_words} within {epochs} epochs: {words}"')
        tanh_learnt += all(e is not None for e in firsts["tanh"])
    return tanh_learnt


def plateau(epochs: int) -> int:
    """The plateau rule on Playground's defaults; returns the epoch by which it flagged every
    network on the spiral."""
    spiral_by = -1
    for dataset in PLATEAU_DATASETS:
        config = PlaygroundConfig(activations=DEFAULT.activations, dataset=dataset)
        history, bar = test_losses(config, epochs)
        print(f"plateau rule, defaults on {dataset}, {epochs} epochs:")
        flagged_all = []
        for name, losses in zip(config.activations, history, strict=True):
            flags = [t for t in range(1, len(losses)) if stopped_moving(losses[: t + 1])]
            best = best_so_far(losses)
            premature = [t for t in flags if best[-1] < 0.5 * best[t]]
            first = flags[0] if flags else None
            flagged_all.append(first if first is not None else epochs + 1)
            print(
                f"  {name:8s} first flagged at epoch {first}; best {best[-1]:.3f} at the end; "
                f"flags before its best later halved: {len(premature)}"
                + (f" (epochs {premature[0]}–{premature[-1]})" if premature else "")
            )
        if dataset == "spiral":
            spiral_by = max(flagged_all)
    return spiral_by


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300, help="epochs per preset run")
    parser.add_argument("--plateau-epochs", type=int, default=800, help="epochs per default run")
    args = parser.parse_args()
    started = time.perf_counter()
    tanh_learnt = presets(args.epochs)
    spiral_by = plateau(args.plateau_epochs)
    print(f"wall {time.perf_counter() - started:.0f} s")
    print(
        f"presets learnt by tanh = {tanh_learnt} of {len(PRESETS)} datasets "
        f"({len(SEEDS)} of {len(SEEDS)} seeds, {args.epochs} epochs); "
        f"default spiral flagged by epoch {spiral_by}"
    )


if __name__ == "__main__":
    main()
