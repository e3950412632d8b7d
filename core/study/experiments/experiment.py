"""What every experiment is made of: the `Experiment` base class (texts, configurations,
`measure`, `verdict`), the verdict labels, and the three-valued arithmetic that judges a
condition on several seeds (a margin inside the seeds' spread is undecided). Also `digest`,
`run` and `verdict_line`, which treat any experiment alike.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.study.search.search import SearchSettings, SearchState
from core.train.record import Comparison
from core.train.settings import TrainConfig

REPRODUCED, PARTLY, NOT_REPRODUCED = "reproduced", "partly reproduced", "not reproduced"
# A verdict that would change if a condition whose margin lies inside its spread went the other
# way: the seeds do not settle it.
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, INCONCLUSIVE)
MIN_SEEDS = 3  # every verdict is judged on at least this many seeds
SPREAD_RULE = (
    "Every number is a mean over seeds shown with its spread (± the standard deviation over "
    "seeds); a condition whose margin (mean − threshold) is smaller than that spread is "
    "undecided, and a verdict that depends on how an undecided condition turns out is "
    "“inconclusive”."
)

# Trains one configuration; the second argument holds the typed activations it names, as
# (name, expression) pairs (an experiment's `customs`; empty for most).
Customs = tuple[tuple[str, str], ...]
Train = Callable[[TrainConfig, Customs], Comparison]
# Runs one activation search to its end (a "search" experiment's unit of work).
Search = Callable[[SearchSettings], SearchState]
Progress = Callable[[float, str], None]
# Chance accuracy on MNIST (ten classes): a network that does not train.
MNIST_CHANCE = 0.1


def quiet(fraction: float, text: str) -> None:
    pass


@dataclass(frozen=True)
class Verdict:
    label: str  # one of VERDICTS
    measured: str  # the numbers the verdict was judged on, in words


@dataclass(frozen=True)
class Spread:
    """A quantity measured on several seeds: the mean and standard deviation (ddof 1) of its
    finite values, and how many there were (a diverged seed's NaN is left out)."""

    mean: float
    std: float
    n: int

    @classmethod
    def of(cls, values) -> Spread:
        a = np.asarray(values, float).ravel()
        a = a[np.isfinite(a)]
        if not a.size:
            return cls(float("nan"), float("nan"), 0)
        if a.size > 1 and np.all(a == a[0]):  # equal seeds: their value (np.mean rounds)
            return cls(float(a[0]), 0.0, int(a.size))
        std = float(a.std(ddof=1)) if a.size > 1 else float("nan")
        return cls(float(a.mean()), std, int(a.size))

    def text(self, scale: float = 1.0, digits: int = 3) -> str:
        if not self.n:
            return "n/a"
        return f"{self.mean * scale:.{digits}g} ± {self.std * scale:.2g}"


def _decide(spread: Spread, margin: float, strict: bool = False) -> bool | None:
    """Whether a condition with this margin (> 0 or ≥ 0: it holds) holds: None when the margin
    is inside the spread or the spread is unknown (one seed left), False when no seed has a
    number (every seed diverged: a value not measured never supports a verdict)."""
    if spread.n == 0 or not np.isfinite(margin):
        return False
    if not np.isfinite(spread.std) or abs(margin) < spread.std:
        return None
    return margin > 0 if strict else margin >= 0


def at_least(spread: Spread, threshold: float, strict: bool = False) -> bool | None:
    return _decide(spread, spread.mean - threshold, strict)


def at_most(spread: Spread, threshold: float) -> bool | None:
    return _decide(spread, threshold - spread.mean)


def within(spread: Spread, centre: float, band: float) -> bool | None:
    """|mean − centre| ≤ band."""
    return _decide(spread, band - abs(spread.mean - centre))


def all_of(*parts: bool | None) -> bool | None:
    """Three-valued "and": False if any is False, else None if any is undecided."""
    if any(p is False for p in parts):
        return False
    return None if any(p is None for p in parts) else True


def any_of(*parts: bool | None) -> bool | None:
    if any(p is True for p in parts):
        return True
    return None if any(p is None for p in parts) else False


def negate(part: bool | None) -> bool | None:
    return None if part is None else not part


def judge(rule: Callable[..., str], **parts: bool | None) -> str:
    """The label `rule` gives the parts, tried with every way the undecided (None) parts could
    turn out: one label for all, that label; several, INCONCLUSIVE."""
    unknown = [k for k, v in parts.items() if v is None]
    labels = {
        rule(**{**parts, **dict(zip(unknown, combo, strict=True))})
        for combo in itertools.product((False, True), repeat=len(unknown))
    }
    return labels.pop() if len(labels) == 1 else INCONCLUSIVE


def share_holds(cells: Sequence[bool | None], share: float) -> bool | None:
    """At least `share` of `cells` hold, undecided cells counted both ways; no cells: False."""
    if not cells:
        return False
    sure = sum(c is True for c in cells) / len(cells)
    maybe = sum(c is not False for c in cells) / len(cells)
    if sure >= share:
        return True
    return False if maybe < share else None


class Experiment:
    """One experiment. Subclasses fill in the texts and the three methods."""

    id: str = ""
    name: str = ""  # a short label, before its title on the page and in the summary
    title: str = ""
    claim: str = ""  # the published claim, in our own words
    citation: str = ""  # paper, and figure or table
    schedule: str = ""  # our reduced setup, and where it differs from the paper
    criterion: str = ""  # how the verdict is decided, with its thresholds
    short_criterion: str = ""  # the same, in a few words for the bench line
    differs: str = ""  # one line: how the setup differs from the paper's (schedule, data, width)
    # "train": TrainConfigs run as jobs; "init": computed at initialisation; "search": activation
    # searches (core/study/search/) run to their end; "fit": networks that are not Train-page
    # models (KANs) fitted in the experiment's own task
    kind: str = "train"
    # False only for one deterministic computation (no random draw enters it): then there is no
    # spread over seeds to judge by, and MIN_SEEDS does not apply.
    seeded: bool = True

    def configs(self) -> tuple[TrainConfig, ...]:
        """The training runs this experiment needs (none at initialisation)."""
        return ()

    def customs(self, progress: Progress = quiet) -> Customs:
        """The typed activations its configurations name, as (name, expression): computed by
        whoever runs it (a transform may need TensorFlow and seconds), never by a page, so
        `configs` stays cheap for the digest the page shows."""
        return ()

    def smoke(self) -> Experiment:
        """The experiment a smoke run (bench/experiments.py --smoke) runs: itself, or a smaller
        one of the same shape where its full set of networks would take minutes to build."""
        return self

    def link_customs(self) -> Customs:
        """The typed activations an "Open on Train" link must carry (known without computing:
        a link is built by the page)."""
        return ()

    def searches(self) -> tuple[SearchSettings, ...]:
        """The activation searches this experiment runs (a "search" experiment only)."""
        return ()

    def depth_links(self) -> tuple[dict[str, str], ...]:
        """Depth page URLs (as query dicts) showing this experiment's networks."""
        return ()

    def train_links(self) -> tuple[tuple[str, TrainConfig], ...]:
        """(label, configuration) of the "Open on Train" links: every run, by its depth."""
        configs = self.configs()
        if len(configs) == 1:
            return (("Open on Train", configs[0]),)
        return tuple((f"Open {c.depth} layers on Train", c) for c in configs)

    def measure(self, records: Sequence[Comparison], progress: Progress = quiet) -> dict:
        raise NotImplementedError

    def verdict(self, measured: dict) -> Verdict:
        raise NotImplementedError


def mean_over_seeds(record: Comparison, name: str, field: str) -> float:
    """The final value of `field` (e.g. "val_metric"), mean over the seeds of `name` that did not
    diverge; NaN when every seed diverged."""
    branches = record.by_activation()[name]
    kept = [b for b in branches if b.status != "diverged" and getattr(b, field)]
    finals = [getattr(b, field)[-1] for b in kept]
    return float(np.mean(finals)) if finals else float("nan")


def nan_padded_mean(series: Sequence[Sequence]) -> np.ndarray:
    """Mean over seeds of per-epoch series whose lengths differ because a diverged seed stopped
    recording: each is padded with NaN to the longest, and the mean at an epoch is over the seeds
    that reached it (NaN where none did). np.mean over the ragged lists would raise instead."""
    arrays = [np.asarray(x, float) for x in series]
    longest = max(len(a) for a in arrays)
    tail = next((a.shape[1:] for a in arrays if len(a)), ())
    stacked = np.full((len(arrays), longest, *tail), np.nan)
    for i, a in enumerate(arrays):
        if len(a):
            stacked[i, : len(a)] = a
    with warnings.catch_warnings():  # "mean of empty slice" where every seed had diverged
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(stacked, axis=0)


def final_value(branch, field: str) -> float:
    """A seed's last value of `field`; NaN when it diverged (left out of every spread)."""
    values = getattr(branch, field)
    return float(values[-1]) if branch.status != "diverged" and values else float("nan")


def two_parts(a: bool, b: bool) -> str:
    return REPRODUCED if a and b else PARTLY if a or b else NOT_REPRODUCED


def digest(experiment: Experiment) -> str:
    """A short fingerprint of what a result was measured and judged under: the training
    configurations, the schedule (which states the init experiments' widths, depths and seeds)
    and the criterion text. A saved result whose digest differs was measured or judged by an
    older definition and is not shown as this experiment's result."""
    text = json.dumps(
        {
            "id": experiment.id,
            "configs": [repr(c) for c in experiment.configs()],
            "schedule": experiment.schedule,
            "criterion": experiment.criterion,
            # Only a search experiment has the key, so the other digests stay as they were.
            **(
                {"searches": [_search_text(s) for s in experiment.searches()]}
                if experiment.searches()
                else {}
            ),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _search_text(settings: SearchSettings) -> str:
    """A search's settings as the digest reads them: its repr, and its learnable-shape
    baselines when it has any (kept out of the repr, so digests from before they existed
    hold)."""
    text = repr(settings)
    return text + f" shapes={settings.shapes!r}" if settings.shapes else text


def run(
    experiment: Experiment,
    train: Train,
    progress: Progress = quiet,
    search: Search | None = None,
) -> dict:
    """Run `experiment` (training its configurations with `train`, or running its searches with
    `search`), judge it, and return the result as plain data: measured numbers, verdict, the date
    and how long it took."""
    started = time.perf_counter()
    records: list = []
    configs = experiment.configs()
    customs = experiment.customs(progress) if configs else ()
    for i, config in enumerate(configs):
        progress(i / max(1, len(configs)), f"training run {i + 1}/{len(configs)}")
        records.append(train(config, customs))
    searches = experiment.searches()
    if searches and search is None:
        raise ValueError(f"{experiment.id} runs activation searches: pass `search`")
    for i, settings in enumerate(searches):
        progress(i / len(searches), f"search {i + 1}/{len(searches)}")
        records.append(search(settings))  # type: ignore[misc]
    measured = experiment.measure(records, progress)
    verdict = experiment.verdict(measured)
    return {
        "id": experiment.id,
        "digest": digest(experiment),
        "measured": measured,
        "verdict": verdict.label,
        "verdict_measured": verdict.measured,
        "date": datetime.date.today().isoformat(),
        "seconds": time.perf_counter() - started,
    }


def verdict_line(experiment: Experiment, result: dict) -> str:
    """The bench's line for one experiment."""
    return (
        f"experiment {experiment.id}: verdict = {result['verdict']} (measured "
        f"{result['verdict_measured']}, criterion {experiment.short_criterion})"
    )
