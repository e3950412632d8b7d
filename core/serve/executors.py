"""What a job is and who trains it: a job's specification (plain data: a configuration and the
expressions of the session customs it uses), the control a worker and the pages share, and the
`Executor` interface that trains one job and yields its record after each epoch.

`LocalExecutor`, the default, trains in a thread of this process; `ray_executor.py` trains on a
Ray cluster. The queue (`jobs.py`) and the Ray executor both import this module, and this module
imports neither.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from activations import Activation, Catalogue, shared_catalogue
from activations.expression import custom_activation
from core.train import datasets
from core.train.record import Comparison
from core.train.settings import TrainConfig
from core.train.training import Training


@dataclass(frozen=True)
class CustomSpec:
    """A session custom as plain data: enough to compile it again anywhere."""

    name: str
    expression: str
    settings: tuple[tuple[str, tuple[float, float, float]], ...] = ()  # name, (default, lo, hi)

    @classmethod
    def of(cls, act: Activation) -> CustomSpec:
        if act.expression is None:
            raise ValueError(f"{act.name} is not a session custom: it has no expression")
        settings = tuple((p.name, (p.default, p.low, p.high)) for p in act.params)
        return cls(act.name, act.expression, settings)

    def activation(self) -> Activation:
        return custom_activation(self.name, self.expression, dict(self.settings))


@dataclass(frozen=True)
class JobSpec:
    """Everything a worker needs to train a comparison; plain data, no live objects."""

    config: TrainConfig
    customs: tuple[CustomSpec, ...] = ()
    local_path: str | None = None  # a local mnist.npz

    @classmethod
    def of(cls, config: TrainConfig, catalogue: Catalogue, local_path: str | None = None):
        """The spec of `config`, carrying the session customs it uses."""
        used = [catalogue.customs[n] for n in config.activations if n in catalogue.customs]
        return cls(config, tuple(CustomSpec.of(a) for a in used), local_path)

    def catalogue(self) -> Catalogue:
        return shared_catalogue().with_customs([c.activation() for c in self.customs])

    def dataset(self) -> datasets.Dataset:
        cfg = self.config
        return datasets.load_shared(
            cfg.dataset, cfg.samples or None, cfg.val_fraction, cfg.noise, cfg.data_seed,
            self.local_path,
        )  # fmt: skip


class JobControl:
    """What a worker and the pages share about one job: its stop request and batch progress."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._on_stop: list[Callable[[], None]] = []
        self._batches: Callable[[], tuple[int, int]] | None = None
        self._lock = threading.Lock()
        self.trained: Training | None = None  # set by a local executor: the .keras download

    def request_stop(self) -> None:
        with self._lock:
            self._stop.set()
            callbacks = list(self._on_stop)
        for callback in callbacks:
            callback()

    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call `callback` on a stop request (at once if one came already)."""
        with self._lock:
            self._on_stop.append(callback)
            now = self._stop.is_set()
        if now:
            callback()

    def watch_batches(self, source: Callable[[], tuple[int, int]]) -> None:
        self._batches = source

    def batches(self) -> tuple[int, int] | None:
        """Batches done in the running epoch and batches per epoch, once training started."""
        source = self._batches
        return source() if source is not None else None

    def release(self) -> None:
        """Forget the worker's callbacks once the job has ended: they hold its engine, and a
        server keeps every ended job's record (the soak test caught ~3 MB a job)."""
        with self._lock:
            self._on_stop.clear()
        self._batches = None


class Executor(Protocol):
    def run(self, spec: JobSpec, control: JobControl) -> Iterator[Comparison]:
        """Train `spec`, yielding the record after every finished epoch and once at the end."""


class LocalExecutor:
    """Trains in the calling thread of this process."""

    def run(self, spec: JobSpec, control: JobControl) -> Iterator[Comparison]:
        training = Training(spec.config, spec.dataset(), spec.catalogue())
        control.on_stop(training.stop)
        control.watch_batches(training.batches)
        try:
            for _ in training.epochs(control.stop_requested):
                yield training.snapshot()
        finally:
            training.engine.release_data()
        control.trained = training
        yield training.snapshot()
