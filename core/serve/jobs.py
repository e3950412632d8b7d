"""Comparisons as jobs owned by the server process, not by a page's script run.

A job trains in a worker of its own. It writes its run to the store when it is submitted and
again after every finished epoch, and ends finished, stopped or diverged whether or not any
browser watches. Pages only submit, stop and read jobs. At most `max_running` jobs train at
once (EXPLORER_MAX_JOBS, default 1 on a 2-core machine); the rest wait in line.

An executor (core/serve/executors.py) trains one job and yields its record as each epoch finishes;
`LocalExecutor`, the default, trains in a thread of this process.
"""

from __future__ import annotations

import gc
import itertools
import os
import threading
import time
from dataclasses import dataclass, field

from activations import Catalogue
from core.serve.executors import Executor, JobControl, JobSpec, LocalExecutor
from core.serve.grid import Grid, architecture_label, default_name
from core.serve.store import MissingRun, RunStore, StoreError, owner_alive
from core.serve.tasks import SERVER_ID, Status, may_stop, start_thread
from core.train.record import Comparison
from core.train.training import Training, new_record

MAX_JOBS_ENV = "EXPLORER_MAX_JOBS"
# A Ray cluster's address ("auto", "ray://head:10001", or "local" to start one here): when set,
# every job trains as a Ray actor on the cluster (core/serve/ray_executor.py).
RAY_ENV = "EXPLORER_RAY_ADDRESS"
# Finished jobs whose trained weights stay in memory for the .keras download (data released).
KEEP_TRAINED = 1
# Ended jobs kept in memory (their pages read them); older ones are read from the run store.
KEEP_ENDED = 100


@dataclass
class Job:
    """One comparison in the queue. `record` is replaced by a fresh snapshot after each epoch,
    never changed in place, so a page can read it while the job trains."""

    id: int
    spec: JobSpec
    owner: str  # the session (token) that submitted it; it may stop it
    record: Comparison
    control: JobControl = field(default_factory=JobControl)
    # The task model's status: queued, running, then as its run ended (finished, stopped,
    # failed) or cancelled while it waited.
    state: Status = Status.QUEUED
    saved: bool = True  # whether the run store has it
    error: str = ""
    submitted: float = field(default_factory=time.time)
    epoch_started: float | None = None  # time.monotonic() when the running epoch began
    trained: Training | None = None

    @property
    def active(self) -> bool:
        return self.state.active

    def progress(self) -> dict:
        """Epochs and batches done, and an estimate of the seconds left (None when unknown)."""
        record, total = self.record, self.record.config.epochs
        done = record.epochs_done
        batches = self.control.batches() if self.state == "running" else None
        batch, per_epoch = batches if batches else (0, 0)
        since = time.monotonic() - self.epoch_started if self.epoch_started else 0.0
        if done:
            epoch_seconds = sum(record.epoch_seconds) / done
        elif batch:
            epoch_seconds = since / batch * per_epoch
        else:
            epoch_seconds = None
        left = None
        if epoch_seconds is not None and self.state == "running":
            left = max(0.0, (total - done) * epoch_seconds - since)
        return dict(epoch=done, epochs=total, batch=batch, batches=per_epoch, seconds_left=left)


class JobQueue:
    """The server's jobs: submit, stop, read. Workers are threads of this process."""

    def __init__(
        self,
        store: RunStore | None,
        executor: Executor | None = None,
        max_running: int | None = None,
    ):
        self.store = store
        self.notice = ""  # said on the pages: e.g. the Ray cluster could not be reached
        if executor is None:
            executor, self.notice = default_executor()
        self.executor = executor
        # A cluster trains as many jobs at once as it has room for, unless told otherwise.
        self.max_running = max_running or max_jobs(getattr(executor, "slots", 1))
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._workers: list[threading.Thread] = []
        self._jobs: dict[int, Job] = {}
        self._waiting: list[int] = []
        self._running: set[int] = set()
        self._unsaved_ids = itertools.count(-1, -1)  # ids for jobs the store could not take
        self.interrupted = self._find_interrupted()

    def _find_interrupted(self) -> list[int]:
        """Runs that were training when a server died: marked interrupted, epochs kept. This
        process owns no run yet, so a run owned by its own id (a restart that got the same pid,
        as in a container) is an orphan too."""
        if self.store is None:
            return []
        return self.store.interrupt_orphans(lambda o: o != SERVER_ID and owner_alive(o))

    def attach_store(self, store: RunStore) -> None:
        """Give a queue made while the store could not be opened the store, once it can be."""
        with self._lock:
            if self.store is not None:
                return
            self.store = store
        self.interrupted = self._find_interrupted()

    def submit(self, spec: JobSpec, owner: str = "", name: str = "", tags: str = "") -> Job:
        """Queue a comparison and return at once. Raises ValueError (bad configuration or
        activation) or DatasetError with a message for the user."""
        record = new_record(spec.config, spec.dataset(), spec.catalogue())
        record.status = "queued"
        job_id, saved, error = self._save_new(record, name, tags)
        job = Job(job_id, spec, owner, record, saved=saved, error=error)
        with self._lock:
            self._jobs[job.id] = job
            self._waiting.append(job.id)
            self._start_waiting()
        return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def active(self) -> list[Job]:
        """Running jobs, then queued ones in line order."""
        with self._lock:
            running = sorted(self._running)
            return [self._jobs[i] for i in running + self._waiting]

    def position(self, job_id: int) -> int | None:
        """1 for the next job to start, 2 for the one after, …; None when not waiting."""
        with self._lock:
            return self._waiting.index(job_id) + 1 if job_id in self._waiting else None

    def stop(self, job_id: int, session: str | None, keep: bool = False) -> bool:
        """Stop a running job within about a batch, or cancel a queued one, if `session` submitted
        it (the task model's owner rule); False when it may not or there is nothing to stop. A
        cancelled run trained nothing and is deleted, unless `keep`: a sweep keeps it, saved as
        cancelled, so its grid says "cancelled" for that architecture rather than "deleted"."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or not job.active or not may_stop(job.owner, session):
                return False
            if job.state == Status.QUEUED:
                self._waiting.remove(job_id)
                job.state = Status.CANCELLED
                job.record.status = "cancelled"
                for branch in job.record.branches:
                    branch.status = "cancelled"
                cancelled = True
            else:
                cancelled = False
        if not cancelled:
            job.control.request_stop()
        elif keep:
            self._write(job, job.record, owner="")
        elif job.saved and self.store is not None:
            job.saved = False
            self.store.delete(job_id)
        return True

    def wait(self, job_id: int, timeout: float = 600) -> Job | None:
        """Until the job has ended (tests and benchmarks); None for a job this queue forgot."""
        deadline = time.monotonic() + timeout
        while (job := self.get(job_id)) is not None and job.active:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.state} after {timeout:g} s")
            time.sleep(0.01)
        return job

    # --- workers ---
    def _start_waiting(self) -> None:
        # Called with the lock held: wake the workers (started on first use) for the line.
        while len(self._workers) < self.max_running:
            name = f"jobs-worker-{len(self._workers) + 1}"
            self._workers.append(start_thread(self._worker_loop, name))
        self._wakeup.notify_all()

    def _worker_loop(self) -> None:
        """One of the queue's `max_running` workers: the same threads train every job, so the
        process's memory settles instead of growing with a new thread per job."""
        while True:
            with self._lock:
                while not self._waiting:
                    self._wakeup.wait()
                job = self._jobs[self._waiting.pop(0)]
                job.state = Status.RUNNING
                self._running.add(job.id)
            self._work(job)

    def _work(self, job: Job) -> None:
        try:
            job.record.status = "running"
            job.epoch_started = time.monotonic()
            self._write(job, job.record, SERVER_ID)
            for record in self.executor.run(job.spec, job.control):
                job.record = record
                job.epoch_started = time.monotonic()
                self._write(job, record, SERVER_ID)
        except Exception as exc:  # a worker must end its job, whatever went wrong
            # A ValueError is the configuration's problem, in words for the user.
            kind = "" if isinstance(exc, ValueError) else f"{type(exc).__name__}: "
            job.error = f"Training failed: {kind}{exc}"
            job.record = _failed(job.record)
        finally:
            # Whatever happened above, the job ends and the next one in line starts.
            self._write(job, job.record, "")
            job.control.release()
            with self._lock:
                if job.control.trained is not None:
                    job.trained, job.control.trained = job.control.trained, None
                    self._forget_old_models(job)
                job.state = _ended(job.record.status)
                self._running.discard(job.id)
                self._forget_old_jobs()
            # A job leaves cycles behind (its traced graphs, Keras objects). The server turns
            # off Streamlit's full collect after every script run (.streamlit/config.toml: with
            # live tabs it took most of the GIL from training), so collect here, once a job.
            gc.collect()

    def _forget_old_jobs(self) -> None:
        # Called with the lock held. An ended job forgotten here is still in the run store.
        ended = [i for i, j in self._jobs.items() if not j.active]
        for job_id in ended[: max(0, len(ended) - KEEP_ENDED)]:
            del self._jobs[job_id]

    def _forget_old_models(self, latest: Job) -> None:
        kept = [j for j in self._jobs.values() if j.trained is not None and j is not latest]
        for old in kept[: max(0, len(kept) - (KEEP_TRAINED - 1))]:
            old.trained = None

    def _save_new(self, record: Comparison, name: str = "", tags: str = "") -> tuple:
        if self.store is None:
            return next(self._unsaved_ids), False, ""
        try:
            return self.store.save(record, name, tags, owner=SERVER_ID), True, ""
        except StoreError as exc:
            return next(self._unsaved_ids), False, str(exc)

    def _write(self, job: Job, record: Comparison, owner: str) -> None:
        """Save the job's record; a failed write is said on the page and tried again at the
        next epoch, except for a run deleted on the Runs page, which stays deleted."""
        if not job.saved or self.store is None:
            return
        try:
            self.store.update(job.id, record, owner=owner)
        except MissingRun as exc:
            job.saved, job.error = False, str(exc)
        except Exception as exc:  # locked, disk full, a damaged file: the job trains on
            job.error = f"The run could not be saved just now ({exc}); the next epoch tries again."
        else:
            if job.error.startswith("The run could not be saved just now"):
                job.error = ""


def submit_sweep(
    queue: JobQueue,
    grid: Grid,
    catalogue: Catalogue,
    owner: str = "",
    local_path: str | None = None,
    name: str = "",
) -> int:
    """Save a sweep and queue one job per architecture (core/serve/grid.py); returns the sweep's id.
    Raises ValueError (a bad grid) or StoreError: a sweep lives in the run store."""
    problems = grid.problems()
    if problems:
        raise ValueError(" ".join(problems))
    if queue.store is None:
        raise StoreError("a sweep is saved in the run store, and the store cannot be opened")
    name = name.strip() or default_name(grid)
    sweep_id = queue.store.save_sweep(grid.to_dict(), [], name)
    runs = []
    for depth, width in grid.architectures:
        spec = JobSpec.of(grid.config(depth, width), catalogue, local_path)
        label = architecture_label(depth, width, (0, 0))  # always "depth × width" in a run name
        job = queue.submit(spec, owner, name=f"sweep {sweep_id} · {label}", tags="sweep")
        runs.append((depth, width, job.id))
        queue.store.set_sweep_runs(sweep_id, runs)  # as it grows: a failure leaves a usable sweep
    return sweep_id


def stop_sweep(queue: JobQueue, run_ids, session: str | None) -> None:
    """Stop a sweep's running job and cancel its queued ones (the last first, so none starts
    while the others are being cancelled), as far as `session` submitted them."""
    for run_id in reversed(list(run_ids)):
        queue.stop(run_id, session, keep=True)


def _ended(status: str) -> Status:
    """A job's status once its run has ended: the run's own, in the task model's words."""
    try:
        ended = Status(status)
    except ValueError:
        return Status.FAILED
    return Status.FAILED if ended.active else ended


def _failed(record: Comparison) -> Comparison:
    data = record.to_dict()
    data["status"] = "failed"
    for branch in data["branches"]:
        if branch["status"] in ("queued", "running"):
            branch["status"] = "failed"
    return Comparison.from_dict(data)


def max_jobs(default: int = 1) -> int:
    """How many jobs may train at once: EXPLORER_MAX_JOBS, else `default` (1 on this server)."""
    try:
        return max(1, int(os.environ.get(MAX_JOBS_ENV, str(default))))
    except ValueError:
        return default


def default_executor() -> tuple[Executor, str]:
    """Ray when EXPLORER_RAY_ADDRESS is set and reachable, else this process; and a notice for
    the pages when Ray was asked for but could not be used."""
    address = os.environ.get(RAY_ENV, "").strip()
    if not address:
        return LocalExecutor(), ""
    try:
        from core.serve.ray_executor import RayExecutor

        return RayExecutor(address), ""
    except Exception as exc:  # not installed, unreachable, wrong address: train here instead
        notice = (
            f"{RAY_ENV}={address} is set, but Ray could not be used ({type(exc).__name__}: "
            f"{exc}); jobs train on this server instead. Check the address (`ray status` on "
            f"the head node) or unset the variable."
        )
        return LocalExecutor(), notice


_QUEUES: dict[str, JobQueue] = {}
_QUEUES_LOCK = threading.Lock()


def queue_for(key: str, store: RunStore | None) -> JobQueue:
    """The process's one queue for a data folder (`key`), made on first use. Kept outside any
    Streamlit cache, so clearing caches never loses a running job."""
    with _QUEUES_LOCK:
        if key not in _QUEUES:
            _QUEUES[key] = JobQueue(store)
        queue = _QUEUES[key]
    if store is not None and queue.store is None:
        queue.attach_store(store)
    return queue


def forget(key: str) -> None:
    """Drop this process's queue for a data folder, as a restarted server has none: the next
    `queue_for` reads the folder's runs from the store alone (tests of a restart)."""
    with _QUEUES_LOCK:
        _QUEUES.pop(key, None)
