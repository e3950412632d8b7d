"""The search: regularised evolution (Real et al. 2019) over the space of `space.py`, candidates
screened at initialisation (`screen.py`) and trained in fused batches of K, every candidate with
the same seeds, data split and schedule. Each batch is one ordinary comparison (a TrainConfig with
the candidates as session customs): the engine that makes every network of a comparison equal its
plain-Keras run makes every score equal it too.

The score of a candidate is its validation accuracy after the last epoch, the mean over its
seeds; a seed that diverged (a non-finite loss, as Train says) counts as chance (1 / classes).
relu and silu (Swish with β = 1) train first with the same settings: the leaderboard's yardstick.

Regularised evolution, in batches: the first `population` candidates are drawn at random; after
that each new candidate is a mutation (one of b, u1, u2 replaced) of the best of `sample`
candidates drawn from the `population` most recent ones (older ones age out, whatever their
score). Batch b's draws come from a generator seeded by (seed, b), so a search resumed after a
restart proposes exactly what it would have.

The state is plain data (`SearchState.to_dict`): a server-side job saves it after every batch and
resumes from it; no Streamlit and no jobs here.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from activations.analysis import derivatives
from activations.expression import custom_activation
from core.study.search.limits import LIMITS
from core.study.search.screen import SCREEN_X, screen
from core.study.search.space import BETA, BINARY, UNARY, Candidate, Space
from core.train.datasets import Dataset
from core.train.record import Comparison
from core.train.settings import TrainConfig
from core.train.training import estimate_seconds

BASELINES = ("relu", "silu")
CANDIDATE_NAME = re.compile(r"c\d{4,}")  # Entry.name
MAX_DRAWS_PER_CANDIDATE = 20  # refused or repeated draws before a batch gives up looking
BETA_RANGE = (1.0, -4.0, 4.0)  # start, low, high of β (the experiment's range)


@dataclass(frozen=True)
class SearchSettings:
    """What a search trains and how it explores; plain data."""

    dataset: str = "mnist1d"
    samples: int = 0  # 0: all
    val_fraction: float = 0.2
    depth: int = 2
    width: int = 64
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 128
    epochs: int = 15
    seeds: int = 3
    k: int = 8  # candidates trained together in one fused model
    candidates: int = 200  # budget: candidates trained
    minutes: float = 30.0  # budget: wall time; no batch starts after it
    population: int = 32
    sample: int = 8
    seed: int = 0
    learn_beta: bool = False  # β learned per unit, else fixed at 1
    unary: tuple[str, ...] = tuple(UNARY)
    binary: tuple[str, ...] = tuple(BINARY)
    data_seed: int = 0
    # Learnable-shape baselines (a rational or a spline from the Custom page, any custom with
    # parameters): (name, expression, ((parameter, (default, low, high)), ...)), each trained
    # beside relu and silu with every parameter learned per layer. Out of the repr: the
    # experiments' digests are the repr of their settings, which have none (`digest` adds them).
    shapes: tuple[tuple[str, str, tuple[tuple[str, tuple[float, float, float]], ...]], ...] = field(
        default=(), repr=False
    )

    @property
    def space(self) -> Space:
        return Space(tuple(self.unary), tuple(self.binary))

    def problems(self) -> list[str]:
        out = list(self.space.problems())
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if not limit.low <= value <= limit.high:
                out.append(f"{limit.label} must be {limit.text()} (got {value:g}).")
        if self.sample > self.population:
            out.append("The sample must be 1 to the population.")
        out += _shape_problems(self.shapes)
        out += self.config(("relu",)).problems()  # Train's settings: epochs, depth, …
        return out

    @property
    def baseline_names(self) -> tuple[str, ...]:
        return (*BASELINES, *(name for name, _, _ in self.shapes))

    def baselines_config(self) -> TrainConfig:
        """The baselines' comparison: relu, silu and the learnable shapes, every parameter of a
        shape learned per layer."""
        learn = tuple(
            (name, tuple(sorted((p, "layer") for p, _ in params)))
            for name, _, params in self.shapes
            if params
        )
        return dataclasses.replace(self.config(self.baseline_names), learnable=tuple(sorted(learn)))

    def config(self, names: Sequence[str], learn: Sequence[str] = ()) -> TrainConfig:
        """The comparison that trains `names` (candidates, or the baselines) for this search;
        `learn` are the names whose β learns, per unit."""
        return TrainConfig(
            activations=tuple(names),
            dataset=self.dataset,
            samples=self.samples,
            val_fraction=self.val_fraction,
            model="mlp",
            depth=self.depth,
            width=self.width,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            epochs=self.epochs,
            seeds=self.seeds,
            diagnostics=False,
            data_seed=self.data_seed,
            learnable=tuple((n, ((BETA, "unit"),)) for n in learn),
        )

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["unary"], d["binary"] = list(self.unary), list(self.binary)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> SearchSettings:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in d.items() if k in known}
        for key in ("unary", "binary"):
            if key in values:
                values[key] = tuple(values[key])
        if "shapes" in values:  # JSON lists back to the tuples the settings compare by
            values["shapes"] = tuple(
                (str(n), str(e), tuple((str(p), tuple(float(x) for x in v)) for p, v in ps))
                for n, e, ps in values["shapes"]
            )
        return cls(**values)


MAX_SHAPES = 4


def _shape_problems(shapes) -> list[str]:
    """Each learnable-shape baseline compiles (the safe compiler, never eval), has parameters
    to learn, and a name of its own; at most MAX_SHAPES."""
    from activations.expression import ExpressionError

    out = []
    if len(shapes) > MAX_SHAPES:
        out.append(f"At most {MAX_SHAPES} learnable-shape baselines.")
    names = [name for name, _, _ in shapes]
    for name, expression, params in shapes:
        if name in BASELINES or names.count(name) > 1 or CANDIDATE_NAME.fullmatch(name):
            out.append(f"The baseline {name!r} needs a name of its own (relu, silu and c0001… "
                       "are taken).")  # fmt: skip
            continue
        if not params:
            out.append(f"{name} has no parameters to learn: pick a rational or a spline.")
            continue
        try:
            custom_activation(name, expression, dict(params))
        except (ExpressionError, ValueError) as exc:
            out.append(f"The baseline {name} does not compile: {exc}")
    return out


@dataclass
class Entry:
    """One candidate the search drew: refused by the screen, or trained and scored."""

    index: int
    candidate: Candidate
    batch: int
    status: str  # "refused", "pending" (in a batch being trained), "scored"
    reason: str = ""
    accuracy: list[float] = field(default_factory=list)  # per seed, final validation accuracy
    diverged: int = 0  # seeds that diverged
    curve: list[float] = field(default_factory=list)  # f on screen.THUMB_X
    swish: list[float] = field(default_factory=list)  # distance from x·σ(βx), that β
    props: dict = field(default_factory=dict)
    run_id: int | None = None  # the batch's comparison on the Runs page

    @property
    def name(self) -> str:
        return f"c{self.index:04d}"

    @property
    def expression(self) -> str:
        return self.candidate.expression

    @property
    def score(self) -> float:
        return float(np.mean(self.accuracy)) if self.accuracy else float("nan")

    @property
    def spread(self) -> float:
        """Standard deviation over seeds (ddof 1)."""
        return float(np.std(self.accuracy, ddof=1)) if len(self.accuracy) > 1 else float("nan")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["candidate"] = self.candidate.to_list()
        d["swish"] = [_finite_or_none(v) for v in self.swish]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Entry:
        d = dict(d)
        d["candidate"] = Candidate.from_list(d["candidate"])
        d["swish"] = [math.inf if v is None else v for v in d.get("swish", [])]
        return cls(**d)


@dataclass
class SearchState:
    """A search as plain data: its settings, the baselines' accuracies, every entry, and how far
    it got. `status`: running, finished, stopped, interrupted, failed."""

    settings: SearchSettings
    status: str = "running"
    baselines: dict[str, list[float]] = field(default_factory=dict)  # name -> per seed
    entries: list[Entry] = field(default_factory=list)
    batches: int = 0  # batches trained (their draws are settled)
    seconds: float = 0.0  # wall time spent searching, over every resume
    ended: str = ""  # why it ended, in words
    baseline_run: int | None = None

    @property
    def scored(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "scored"]

    @property
    def refused(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "refused"]

    def leaderboard(self) -> list[Entry]:
        """Scored candidates, best mean accuracy first (ties: the earlier candidate)."""
        return sorted(self.scored, key=lambda e: (-_or_minus_inf(e.score), e.index))

    def to_dict(self) -> dict:
        return {
            "settings": self.settings.to_dict(),
            "status": self.status,
            "baselines": self.baselines,
            "entries": [e.to_dict() for e in self.entries],
            "batches": self.batches,
            "seconds": self.seconds,
            "ended": self.ended,
            "baseline_run": self.baseline_run,
        }

    @classmethod
    def from_dict(cls, d: dict) -> SearchState:
        return cls(
            settings=SearchSettings.from_dict(d["settings"]),
            status=d.get("status", "running"),
            baselines={k: list(v) for k, v in d.get("baselines", {}).items()},
            entries=[Entry.from_dict(e) for e in d.get("entries", [])],
            batches=int(d.get("batches", 0)),
            seconds=float(d.get("seconds", 0.0)),
            ended=d.get("ended", ""),
            baseline_run=d.get("baseline_run"),
        )


def _finite_or_none(v: float):
    return float(v) if math.isfinite(v) else None


def _or_minus_inf(v: float) -> float:
    return v if math.isfinite(v) else -math.inf


@dataclass(frozen=True)
class Batch:
    """What one batch trains (a comparison's configuration and its candidates as customs:
    name, expression, ((param, (start, low, high)),)) and every entry it drew, refused ones
    included."""

    number: int
    config: TrainConfig
    customs: tuple[tuple[str, str, tuple], ...]
    entries: tuple[Entry, ...]


def propose(state: SearchState, ahead: Sequence[Batch] = ()) -> Batch | None:
    """The next batch: up to K new candidates drawn by regularised evolution that pass the
    screen; None when MAX_DRAWS_PER_CANDIDATE × K draws found none (the space is used up).
    `ahead` are batches proposed but not yet trained (several train at once on a cluster):
    their candidates count as drawn, and this batch is numbered after them."""
    s = state.settings
    number = state.batches + len(ahead)
    rng = np.random.default_rng([s.seed, number])
    drawn = state.entries + [e for b in ahead for e in b.entries]
    seen_text = {e.expression for e in drawn}
    known = [_curve(e.expression) for e in drawn if e.status != "refused"]
    in_flight = sum(e.status == "pending" for e in drawn)
    want = min(s.k, s.candidates - len(state.scored) - in_flight)
    if want <= 0:
        return None
    limit = MAX_DRAWS_PER_CANDIDATE * s.k
    entries: list[Entry] = []
    draws = 0

    def passed() -> int:
        return sum(e.status != "refused" for e in entries)

    while passed() < want and draws < limit:
        group: list[Candidate] = []
        while len(group) < want - passed() and draws < limit:
            draws += 1
            candidate = _draw(state, rng)
            if candidate.expression in seen_text:
                continue  # drawn before: its result is known, nothing to record
            seen_text.add(candidate.expression)
            group.append(candidate)
        if not group:
            break
        first = len(drawn) + len(entries)
        named = [(f"c{first + i:04d}", c) for i, c in enumerate(group)]
        for i, result in enumerate(screen(named, known, s.width)):
            entry = Entry(first + i, result.candidate, number, "refused", result.reason)
            if result.passed:
                entry.status = "pending"
                entry.curve, entry.props = result.curve, result.props
                entry.swish = list(result.swish)
                if result._grid is not None:  # always, for a candidate that passed
                    known.append(result._grid)
            entries.append(entry)
    pending = [e for e in entries if e.status == "pending"]
    if not pending:
        return None
    learn = [e.name for e in pending if s.learn_beta and e.candidate.uses_beta]
    customs = tuple(
        (e.name, e.expression, ((BETA, BETA_RANGE),) if e.candidate.uses_beta else ())
        for e in pending
    )
    return Batch(number, s.config([e.name for e in pending], learn), customs, tuple(entries))


def _draw(state: SearchState, rng: np.random.Generator) -> Candidate:
    s = state.settings
    scored = state.scored
    if len(scored) < s.population:
        return s.space.random(rng)
    population = scored[-s.population :]  # the most recent: regularised evolution's ageing
    picks = rng.choice(len(population), size=min(s.sample, len(population)), replace=False)
    parent = max((population[int(i)] for i in picks), key=lambda e: _or_minus_inf(e.score))
    return s.space.mutate(parent.candidate, rng)


@functools.lru_cache(maxsize=4096)
def _curve(expression: str) -> np.ndarray:
    """A trained candidate's values on SCREEN_X, for the duplicate check."""
    act = custom_activation("known", expression)
    return np.asarray(derivatives(act, SCREEN_X).f, np.float64)


def score(record: Comparison, name: str, classes: int) -> tuple[list[float], int]:
    """Each seed's final validation accuracy of `name` in a trained batch (chance for a seed that
    diverged), and how many diverged."""
    out, diverged = [], 0
    for branch in record.by_activation()[name]:
        if branch.status == "diverged" or not branch.val_metric:
            out.append(1.0 / classes)
            diverged += 1
        else:
            out.append(float(branch.val_metric[-1]))
    return out, diverged


def settle(state: SearchState, batch: Batch, record: Comparison, classes: int, run_id=None):
    """Add a trained batch's entries to the state, scored from its record."""
    for entry in batch.entries:
        if entry.status == "pending":
            entry.accuracy, entry.diverged = score(record, entry.name, classes)
            entry.status, entry.run_id = "scored", run_id
        state.entries.append(entry)
    state.batches = batch.number + 1


def budget_spent(state: SearchState) -> str:
    """Why the search must end now, in words; empty while it may go on."""
    s = state.settings
    if len(state.scored) >= s.candidates:
        return f"the budget of {s.candidates} candidates is spent"
    if state.seconds >= s.minutes * 60:
        unit = "minute" if s.minutes == 1 else "minutes"
        return f"the time budget of {s.minutes:g} {unit} is spent"
    return ""


# Trains batches, all at once if it can: [(config, customs)] -> [(record, run id when saved)].
Train = Callable[[list[tuple[TrainConfig, tuple]]], list[tuple[Comparison, int | None]]]


def run(
    state: SearchState,
    train: Train,
    classes: int,
    should_stop: Callable[[], bool] = lambda: False,
    on_batch: Callable[[SearchState], None] = lambda s: None,
    parallel: int = 1,
) -> SearchState:
    """Search until a budget is spent, the space is used up or `should_stop` says so, handing
    `train` `parallel` batches at a time (a cluster's free slots). The state is changed in place
    and handed to `on_batch` after the baselines and after every round of batches."""
    s = state.settings
    clock, spent = time.monotonic(), state.seconds
    state.status, state.ended = "running", ""

    def tick() -> None:
        state.seconds = spent + time.monotonic() - clock

    if not state.baselines:
        [(record, run_id)] = train([(s.baselines_config(), s.shapes)])
        if should_stop():
            return _end(state, "stopped", "stopped before the baselines finished")
        state.baselines = {n: score(record, n, classes)[0] for n in s.baseline_names}
        state.baseline_run = run_id
        tick()
        on_batch(state)
    while True:
        reason = budget_spent(state)
        if reason:
            return _end(state, "finished", reason)
        if should_stop():
            return _end(state, "stopped", "stopped by request")
        batches: list[Batch] = []
        while len(batches) < max(1, parallel):
            batch = propose(state, batches)
            if batch is None:
                break
            batches.append(batch)
        tick()
        if not batches:
            return _end(state, "finished", "no new candidate passed the screen")
        results = train([(b.config, b.customs) for b in batches])
        if should_stop():  # the batches were cut short: their candidates are not scored
            return _end(state, "stopped", "stopped by request (the batch in training was dropped)")
        for batch, (record, run_id) in zip(batches, results, strict=True):
            settle(state, batch, record, classes, run_id)
        tick()
        on_batch(state)


def _end(state: SearchState, status: str, why: str) -> SearchState:
    state.status, state.ended = status, why
    return state


def train_here(batches: list[tuple[TrainConfig, tuple]]) -> list[tuple[Comparison, int | None]]:
    """Train batches one after another in this process, unsaved (benchmarks, the experiments'
    bench): each exactly as a job of the server's queue trains it."""
    from activations import shared_catalogue
    from core.train.datasets import load_shared
    from core.train.training import Training

    out: list[tuple[Comparison, int | None]] = []
    for config, customs in batches:
        acts = [custom_activation(n, e, dict(p)) for n, e, p in customs]
        catalogue = shared_catalogue().with_customs(acts)
        data = load_shared(
            config.dataset, config.samples or None, config.val_fraction, config.noise,
            config.data_seed,
        )  # fmt: skip
        out.append((Training(config, data, catalogue).run(), None))
    return out


def search_here(
    settings: SearchSettings, on_batch: Callable[[SearchState], None] = lambda s: None
) -> SearchState:
    """A whole search in this process (benchmarks, the experiments' bench)."""
    from core.train.datasets import load_shared

    data = load_shared(
        settings.dataset, settings.samples or None, settings.val_fraction, 1.0, settings.data_seed
    )
    return run(SearchState(settings), train_here, data.n_outputs, on_batch=on_batch)


# The search's cost model, on top of the engine's own estimate of each batch's training
# (core.train.training.estimate_seconds). Fitted to bench/search.py's searches with the default
# settings on 2 cores (2026-12-03: 200 candidates in 278 s, 16 in about 48 s): the FLOP model
# alone said about 1 minute for both. bench/estimate.py measures a search against it.
SEARCH_START_SECONDS = 25.0  # the process's first tracing, the dataset, the baselines' engine
BATCH_OVERHEAD_SECONDS = 2.0  # each batch builds and traces a new fused model
EXPRESSION_COST = 2.3  # a candidate's expression costs this many relu-MLP batches' time
SCREEN_SECONDS = 0.3  # screening one drawn expression at initialisation
DRAWS_PER_CANDIDATE = 1.54  # drawn per scored: a third are refused (308 drawn for 200)


def estimate_search_seconds(settings: SearchSettings, data: Dataset) -> float:
    """Wall time of a whole search on this kind of machine (before its minutes budget)."""
    batches = math.ceil(settings.candidates / settings.k)
    batch = estimate_seconds(settings.config(tuple(f"c{i}" for i in range(settings.k))), data)
    baselines = estimate_seconds(settings.baselines_config(), data)
    screening = SCREEN_SECONDS * DRAWS_PER_CANDIDATE * settings.k
    per_batch = BATCH_OVERHEAD_SECONDS + EXPRESSION_COST * batch + screening
    return SEARCH_START_SECONDS + baselines + batches * per_batch
