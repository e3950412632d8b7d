"""A Playground run as a job owned by the server, not by a page's script run.

The job trains in a thread of its own: Play trains epoch after epoch, Pause waits, Step trains
one epoch. After each epoch it keeps a fresh snapshot (losses so far and, at most every
FIELD_SECONDS, the networks' fields over the plane) that pages only read. Its run is saved to the
run store after its first epoch, then every SAVE_SECONDS and whenever it pauses or stops, so a
click, a refresh or a closed tab loses nothing. A job that no page has read for IDLE_SECONDS
pauses itself (saved): the server does not train forever for a closed tab.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.playground.config import PlaygroundConfig
from core.playground.data import PlaneData, features, generate, grid
from core.serve.tasks import SERVER_ID, start_thread
from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig

FIELD_RESOLUTION = 100  # the output field: Playground's 100 × 100
UNIT_RESOLUTION = 24  # each neuron's thumbnail
FIELD_SECONDS = 0.2  # while playing, fields at most this often (each costs a forward pass)
SAVE_SECONDS = 2.0
IDLE_SECONDS = 120.0
MAX_EPOCHS = 100_000  # Playground counts on; a run this long pauses (and can be played again)
DATASET = "playground"  # the run store's dataset name for Playground runs


@dataclass(frozen=True)
class Snapshot:
    """What a page shows of a job, replaced after each epoch. Its history lists are the job's
    own, which only ever grow by appending: entries 0 … epoch are this snapshot's (copying them
    every epoch made each epoch cost more than the one before)."""

    epoch: int
    state: str  # "starting", "paused", "playing", "stopped", "failed"
    # Per network, one entry per epoch from 0 (initialisation): "loss", "test_loss", "metric",
    # "test_metric".
    history: dict[str, list[list[float]]] = field(default_factory=dict)
    fields_epoch: int = -1  # the epoch the fields were computed after
    output: np.ndarray | None = None  # (K, R, R), rows from the top (y = +6)
    units: tuple[np.ndarray, ...] = ()  # per hidden layer (K, r, r, units)
    error: str = ""

    def own_history(self) -> dict[str, list[list[float]]]:
        """The history as of this snapshot (entries 0 … epoch), apart from later epochs."""
        return {k: [v[: self.epoch + 1] for v in per] for k, per in self.history.items()}


class PlaygroundJob:
    """One Playground run: its networks, its thread and the commands pages send it."""

    def __init__(
        self,
        job_id: int,
        config: PlaygroundConfig,
        activations: Sequence,  # activations.Activation, one per network
        save: Callable[[PlaygroundJob, Comparison], int | None] | None = None,
        owner: str = "",
    ):
        problems = config.problems()
        if problems:
            raise ValueError(" ".join(problems))
        self.id, self.config, self.owner = job_id, config, owner
        self.activations = list(activations)
        self.data: PlaneData = generate(
            config.dataset, config.noise / 100, config.train_percent / 100, config.seed
        )
        self.run_id: int | None = None  # the run store's id, once saved
        self._save = save
        self._lock = threading.Condition()
        self._playing = False
        self._steps = 0
        self._stop = False
        self._idle = False  # the worker waits for a command (nothing in flight)
        self.seen = time.monotonic()  # when a page last read it
        self.snapshot = Snapshot(0, "starting")
        self.started = time.time()
        self.epoch_seconds: list[float] = []
        self._thread = start_thread(self._run, f"playground-{job_id}")

    # --- commands (any thread) ---
    def play(self) -> None:
        with self._lock:
            self._playing = True
            self._say("playing")
            self._lock.notify_all()

    def pause(self) -> None:
        with self._lock:
            self._playing = False
            self._say("paused")
            self._lock.notify_all()

    def settle(self, timeout: float = 5.0) -> Snapshot:
        """After a Pause: until the epoch in flight (if any) is published and the worker waits,
        so the snapshot shown is the one the job stays at."""
        with self._lock:
            self._lock.wait_for(lambda: self._idle or not self.alive, timeout)
        return self.snapshot

    def _say(self, state: str) -> None:
        # The page that sent the command reads the new state at once (the worker publishes it
        # again after its epoch): a page drawn between the click and that epoch must already
        # show Pause and refresh itself.
        if self.snapshot.state in ("paused", "playing"):
            self.snapshot = dataclasses.replace(self.snapshot, state=state)

    def step(self, epochs: int = 1) -> None:
        with self._lock:
            self._playing = False
            self._steps += epochs
            self._lock.notify_all()

    def stop(self) -> None:
        """End the job within an epoch (milliseconds); its run is saved as stopped."""
        with self._lock:
            self._stop = True
            self._lock.notify_all()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def read(self) -> Snapshot:
        """The latest snapshot; reading it keeps the job from pausing as unwatched."""
        self.seen = time.monotonic()
        return self.snapshot

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait_for(self, test: Callable[[Snapshot], bool], timeout: float = 120.0) -> Snapshot:
        """Until the snapshot passes `test` (tests and benchmarks); raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while not test(snap := self.read()):
            if not self.alive and snap.state in ("stopped", "failed"):
                raise RuntimeError(f"playground job {self.id} ended: {snap.error or snap.state}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"playground job {self.id}: still {snap.state} at {snap.epoch}")
            time.sleep(0.01)
        return snap

    # --- the worker ---
    def _run(self) -> None:
        state = "stopped"
        try:
            from core.playground.network import PlaygroundNets  # TensorFlow: in the worker

            self.nets = PlaygroundNets(self.config, self.activations, self.data)
            # Traced now, while the page says "building", so the first Play trains at once.
            self.nets.epoch.get_concrete_function()
            chosen = self.config.ordered_features()
            self._plane = features(grid(FIELD_RESOLUTION), chosen)
            self._thumbs = features(grid(UNIT_RESOLUTION), chosen)
            self._history: dict[str, list[list[float]]] = {
                k: [[] for _ in self.activations] for k in HISTORY_KEYS
            }
            self._measure()
            with self._lock:
                self._publish("playing" if self._playing else "paused", with_fields=True)
            self._loop()
        except Exception as exc:  # a worker must end its job, whatever went wrong
            state = "failed"
            failed = Snapshot(
                self.snapshot.epoch,
                "failed",
                self.snapshot.history,
                error=f"The Playground run failed: {type(exc).__name__}: {exc}",
            )
            self.snapshot = self._persist(failed)
        finally:
            if state != "failed":
                fields = self.snapshot.output is not None
                self._publish("stopped", with_fields=fields, persist=True)

    def _loop(self) -> None:
        last_fields = last_save = time.monotonic()
        epoch = 0
        while True:
            with self._lock:
                while not (self._stop or self._playing or self._steps):
                    if self.snapshot.state == "playing":
                        # A Pause that came while the last epoch was published as playing.
                        self.snapshot = dataclasses.replace(self.snapshot, state="paused")
                    self._idle = True  # the snapshot is final until the next command
                    self._lock.notify_all()
                    self._lock.wait(timeout=1.0)
                self._idle = False
                if self._stop:
                    return
                stepping = not self._playing
                if stepping:
                    self._steps -= 1
            started = time.monotonic()
            self.nets.epoch()
            self.epoch_seconds.append(time.monotonic() - started)
            epoch += 1
            self._measure()
            now = time.monotonic()
            idle = now - self.seen > IDLE_SECONDS
            with self._lock:
                if idle or epoch >= MAX_EPOCHS:
                    self._playing = False
                playing = self._playing
            fresh = not playing or now - last_fields >= FIELD_SECONDS
            save = not playing or now - last_save >= SAVE_SECONDS or self.run_id is None
            self._publish("playing" if playing else "paused", with_fields=fresh, persist=save)
            if fresh:
                last_fields = now
            if save:
                last_save = now

    def _measure(self) -> None:
        for key, values in zip(HISTORY_KEYS, self.nets.losses(), strict=True):
            for k, v in enumerate(values.numpy().tolist()):
                self._history[key][k].append(float(v))

    def _publish(self, state: str, with_fields: bool, persist: bool = False) -> None:
        """A new snapshot; with `persist`, saved before it is shown, so a page that shows it
        (say, "stopped") shows what the run store holds."""
        epoch = len(self._history["loss"][0]) - 1 if hasattr(self, "_history") else 0
        old = self.snapshot
        output, units, fields_epoch = old.output, old.units, old.fields_epoch
        if with_fields:
            r, t = FIELD_RESOLUTION, UNIT_RESOLUTION
            # One call for all K networks over both grids: the output field and the thumbnails.
            out, hidden = self.nets.fields(np.concatenate([self._plane, self._thumbs]))
            out = out.numpy()[:, :, 0]
            output = out[:, : r * r].reshape(-1, r, r)
            units = tuple(
                h.numpy()[:, r * r :].reshape(h.shape[0], t, t, h.shape[-1]) for h in hidden
            )
            fields_epoch = epoch
        snap = Snapshot(epoch, state, self._history, fields_epoch, output, units)
        self.snapshot = self._persist(snap) if persist else snap

    def _persist(self, snap: Snapshot) -> Snapshot:
        """Save the run as of `snap`; returns it, with the store's complaint if it failed."""
        if self._save is None or snap.epoch == 0:
            return snap  # a run that trained nothing is not worth a row on Runs
        try:
            saved = self._save(self, self.record(snap))
        except Exception as exc:  # the store is locked or full: said, and tried again later
            return dataclasses.replace(snap, error=f"The run could not be saved just now: {exc}")
        if saved is not None:
            self.run_id = saved
        return snap

    def record(self, snap: Snapshot | None = None) -> Comparison:
        """The run as the run store keeps every comparison (Runs shows and exports it)."""
        snap = snap or self.snapshot
        return to_comparison(self.config, snap, self.epoch_seconds, self.started)


HISTORY_KEYS = ("loss", "test_loss", "metric", "test_metric")


def to_comparison(
    config: PlaygroundConfig, snap: Snapshot, epoch_seconds: list[float], started: float
) -> Comparison:
    """A Playground run as a comparison record: epoch e of the record is after e + 1 epochs (as
    Train records them; the state at initialisation is not a row), validation = the test points.
    The record's training configuration says what Runs shows (SGD, the layers as depth × widest
    layer, the train share); the Playground's own settings ride along under `playground`."""
    status = {"failed": "failed", "stopped": "stopped"}.get(snap.state, "running")
    train = TrainConfig(
        activations=tuple(config.activations),
        dataset=DATASET,
        samples=500,
        val_fraction=round(1 - config.train_percent / 100, 2),
        noise=config.noise / 100,
        depth=len(config.layers),
        width=max(config.layers, default=0),
        optimizer="sgd",
        learning_rate=config.learning_rate,
        batch_size=config.batch_size,
        epochs=snap.epoch,
        data_seed=config.seed,
    )
    branches = []
    for k, name in enumerate(config.activations):
        h = {key: snap.history[key][k][1 : snap.epoch + 1] for key in HISTORY_KEYS}
        branches.append(
            BranchHistory(
                name,
                config.seed,
                loss=h["loss"],
                val_loss=h["test_loss"],
                metric=h["metric"],
                val_metric=h["test_metric"],
                status=status,
            )
        )
    task = config.task
    return Comparison(
        config=train,
        task=task,
        metric_name="accuracy" if task == "classification" else "mae",
        dataset_source=f"Playground {config.dataset} (500 points, seed {config.seed})",
        branches=branches,
        parameters=parameter_count(config),
        epoch_seconds=list(epoch_seconds[: snap.epoch]),
        status=status,
        started=started,
        playground=config.to_dict(),
    )


def parameter_count(config: PlaygroundConfig) -> int:
    sizes = [len(config.features), *config.layers, 1]
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


_JOBS: dict[int, PlaygroundJob] = {}
_LOCK = threading.Lock()
_IDS = itertools.count(1)
KEEP_ENDED = 20  # ended jobs kept in memory (their runs are in the store)


def start(
    config: PlaygroundConfig,
    activations: Sequence,
    save: Callable[[PlaygroundJob, Comparison], int | None] | None = None,
    owner: str = "",
) -> PlaygroundJob:
    """A new job, paused at initialisation (Playground opens paused). Raises ValueError with a
    message for the user when the configuration has problems."""
    with _LOCK:
        job = PlaygroundJob(next(_IDS), config, activations, save, owner)
        _JOBS[job.id] = job
        ended = [i for i, j in _JOBS.items() if not j.alive and i != job.id]
        for old in ended[: max(0, len(ended) - KEEP_ENDED)]:
            del _JOBS[old]
    return job


def store_saver(store) -> Callable[[PlaygroundJob, Comparison], int | None]:
    """Saves a job's run in `store` (core.store.RunStore): a new row the first time, tagged
    "playground", then updates of it. Owned by this server while it trains, so a server that
    dies mid-run leaves it marked interrupted, as a Train run."""

    def save(job: PlaygroundJob, record: Comparison) -> int | None:
        owner = SERVER_ID if record.status == "running" else ""
        if job.run_id is None:
            return store.save(record, tags="playground", owner=owner)
        store.update(job.run_id, record, owner=owner)
        return job.run_id

    return save


def get(job_id: int) -> PlaygroundJob | None:
    with _LOCK:
        return _JOBS.get(job_id)
