"""Long work the server owns, as one kind of thing: a task.

A task is a plain-data record (`Task`: id, kind, owner, status, progress, created, its state and
the runs it produced) and one lifecycle: `TaskRunner.start` saves it in the store's `tasks` table
and runs its kind's work function in a thread of this process; `stop` asks it to end (only the
session that started it may: `may_stop`); `resume` continues a stopped or interrupted one, once
however many sessions ask together; `get` reads it, live while it runs. A task whose server died
is marked interrupted when the next server opens the data folder (`recover`). A feature brings
only its work function, `work(context, state) -> state`: it reads `context.stopping()` between
steps, says how far it is with `context.report`, names the runs it made with `context.add_run`
and saves its state with `context.save` so a resume can continue from it.

This module is the one place that starts threads for long work (`start_thread`): the job
queue's workers and the Playground's job start theirs here too (tests/test_layout.py). No
Streamlit.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from core.serve.store import MissingRun, RunStore, Status, StoreError, TaskRow, owner_alive

# Which server process runs a task, as the store records it: at the next start, a task whose
# owner process is gone was interrupted.
SERVER_ID = f"{os.getpid()}@{socket.gethostname()}"


def may_stop(task_owner: str | None, session: str | None) -> bool:
    """The one rule for who may stop (or pause) a task: the session that started it. A task
    with no owner, or a session with none, matches nobody (`None == None` once let any session
    stop any search)."""
    return bool(task_owner) and bool(session) and task_owner == session


def start_thread(target: Callable[[], Any], name: str) -> threading.Thread:
    """Start `target` in a daemon thread of the server: the one place long work gets a thread
    (a daemon, so a server asked to quit does not wait for training to end)."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class Task:
    """A task as pages read it: replaced, never changed in place, by the thread that runs it."""

    id: int
    kind: str  # "search", "experiment", …
    key: str  # what it is of, within its kind (an experiment's id); often ""
    name: str
    owner: str  # the session that started it; "" for one read from the store
    status: Status
    created: float
    progress: float = 0.0  # 0 … 1
    text: str = ""  # what it is doing now, in words
    error: str = ""
    runs: tuple[int, ...] = ()  # the runs it produced, in order
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.status.active

    @classmethod
    def of_row(cls, row: TaskRow) -> Task:
        return cls(
            row.id,
            row.kind,
            row.key,
            row.name,
            "",
            Status(row.status),
            row.created,
            progress=1.0 if row.status == Status.FINISHED else 0.0,
            error=str(row.state.get("error", "")) if isinstance(row.state, dict) else "",
            runs=tuple(row.runs),
            state=row.state,
        )


class TaskContext:
    """What a work function gets: its task's id and owner, whether it is asked to stop, and how
    to report progress, runs and state."""

    def __init__(self, runner: TaskRunner, task_id: int, owner: str, stop: threading.Event):
        self.runner, self.id, self.owner, self._stop = runner, task_id, owner, stop

    def stopping(self) -> bool:
        return self._stop.is_set()

    def report(self, progress: float | None = None, text: str | None = None, **more) -> None:
        changes = dict(more)
        if progress is not None:
            changes["progress"] = min(1.0, max(0.0, float(progress)))
        if text is not None:
            changes["text"] = text
        self.runner._change(self.id, **changes)

    def add_run(self, run_id: int) -> None:
        with self.runner._lock:
            task = self.runner._live[self.id]
            if run_id not in task.runs:
                self.runner._live[self.id] = replace(task, runs=(*task.runs, int(run_id)))

    def save(self, state: dict[str, Any]) -> None:
        """Keep `state` (in memory and in the store) as the point a resume continues from; a
        failed write is reported and tried again at the next save."""
        self.runner._change(self.id, state=state)
        self.runner._persist(self.id, Status.RUNNING, SERVER_ID)


Work = Callable[[TaskContext, dict[str, Any]], dict[str, Any]]


@dataclass
class _Running:
    thread: threading.Thread
    stop: threading.Event


class TaskRunner:
    """The tasks of one data folder (`runner_for`): start, stop, resume, read, wait."""

    def __init__(self, store: RunStore | None):
        self.store = store
        self._lock = threading.Lock()
        self._resuming = threading.Lock()
        self._live: dict[int, Task] = {}
        self._running: dict[int, _Running] = {}
        self._memory_ids = itertools.count(-1, -1)  # when the store cannot be opened
        self.interrupted = self.recover()

    # --- lifecycle ---
    def recover(self) -> list[int]:
        """Mark interrupted every active task that no live server process runs (its server
        died); returns their ids. Made once, when the runner for a data folder is made."""
        if self.store is None:
            return []
        return self.store.interrupt_tasks(lambda o: o != SERVER_ID and owner_alive(o))

    def start(
        self,
        kind: str,
        work: Work,
        state: dict[str, Any],
        owner: str,
        name: str = "",
        key: str = "",
    ) -> int:
        """Save a new task and run `work` in a thread; returns its id at once. Raises StoreError
        when the store cannot take it."""
        created = time.time()
        if self.store is None:
            task_id = next(self._memory_ids)
        else:
            task_id = self.store.save_task(kind, state, Status.RUNNING, name, SERVER_ID, key)
        task = Task(task_id, kind, key, name, owner, Status.RUNNING, created, state=state)
        self._launch(task, work)
        return task_id

    def resume(self, task_id: int, session: str, work: Work) -> bool:
        """Continue a stopped, interrupted or failed task from its saved state, owned by
        `session` from now on; False when it runs already, has finished or is unknown. Two
        sessions resuming together start it once."""
        with self._resuming:
            if self.running(task_id):
                return False
            try:
                task = self.get(task_id)
            except MissingRun:
                return False
            if not task.status.resumable:
                return False
            resumed = replace(task, owner=session, status=Status.RUNNING, error="", text="")
            # "Running" is saved before the thread starts: saved after, a write that waited on
            # SQLite's lock could land after the thread's own last save and put the state it
            # resumed from back over its result (CI: a resumed search read back "stopped").
            with self._lock:
                self._live[task_id] = resumed
            self._persist(task_id, Status.RUNNING, SERVER_ID)
            self._launch(resumed, work)
            return True

    def stop(self, task_id: int, session: str | None) -> bool:
        """Ask the task to end within its current step; False (nothing done) unless `session`
        started it (`may_stop`) and it is running."""
        with self._lock:
            running, task = self._running.get(task_id), self._live.get(task_id)
        if running is None or task is None or not may_stop(task.owner, session):
            return False
        if not running.thread.is_alive() or not task.status.active:
            return False  # ended: nothing to stop
        running.stop.set()
        return True

    def knows(self, task_id: int) -> bool:
        """Whether this server started (or resumed) the task since it started."""
        with self._lock:
            return task_id in self._live

    def running(self, task_id: int) -> bool:
        with self._lock:
            running = self._running.get(task_id)
        return running is not None and running.thread.is_alive()

    def get(self, task_id: int) -> Task:
        """The task now: live while this server knows it, else from the store (raises
        MissingRun for an unknown id)."""
        with self._lock:
            if task_id in self._live:
                return self._live[task_id]
        if self.store is None:
            raise MissingRun(task_id, "task")
        return Task.of_row(self.store.task(task_id))

    def latest(self, kind: str, key: str = "", status: Status | None = None) -> Task | None:
        """The newest task of `kind` (and `key`), live or saved, optionally with `status`."""
        with self._lock:
            live = [t for t in self._live.values() if t.kind == kind and t.key == key]
        live = [t for t in live if status is None or t.status == status]
        saved = []
        if self.store is not None:
            saved = [Task.of_row(r) for r in self.store.tasks(kind, key, status, limit=1)]
        # The live copy of a task wins over its saved row: the row has no owner ("" matches no
        # session), and its created time is the store's, which may be later than the live one's.
        known = {t.id for t in live}
        found = live + [t for t in saved if t.id not in known]
        return max(found, key=lambda t: (t.created, t.id)) if found else None

    def wait(self, task_id: int, timeout: float = 600) -> Task:
        """Until the task has ended (tests and benchmarks)."""
        with self._lock:
            running = self._running.get(task_id)
        if running is not None:
            running.thread.join(timeout)
            if running.thread.is_alive():
                raise TimeoutError(f"task {task_id} still running after {timeout:g} s")
        return self.get(task_id)

    # --- the thread ---
    def _launch(self, task: Task, work: Work) -> None:
        stop = threading.Event()
        context = TaskContext(self, task.id, task.owner, stop)
        with self._lock:  # the thread's first read of its task waits until both are set
            self._live[task.id] = task
            thread = start_thread(lambda: self._work(context, work), f"{task.kind}-{task.id}")
            self._running[task.id] = _Running(thread, stop)

    def _work(self, context: TaskContext, work: Work) -> None:
        task_id = context.id
        try:
            state = work(context, dict(self._live[task_id].state))
            status = _final_status(state, context.stopping())
            done = 1.0 if status == Status.FINISHED else self._live[task_id].progress
            self._change(task_id, state=state, status=status, progress=done)
        except Exception as exc:  # a task must end, whatever went wrong in its work
            error = f"{type(exc).__name__}: {exc}"
            state = {**self._live[task_id].state, "error": error}
            self._change(task_id, state=state, status=Status.FAILED, error=error)
        finally:
            final = self._live[task_id]
            status = final.status if not final.status.active else Status.FAILED
            self._change(task_id, status=status)
            self._persist(task_id, status, "")

    def _change(self, task_id: int, **changes) -> None:
        with self._lock:
            self._live[task_id] = replace(self._live[task_id], **changes)

    def _persist(self, task_id: int, status: Status, server: str) -> None:
        if self.store is None or task_id < 0:
            return
        task = self._live[task_id]
        try:
            self.store.update_task(task_id, status, task.state, server, list(task.runs))
        except MissingRun:
            pass  # deleted meanwhile: it stays deleted
        except StoreError as exc:  # the task goes on; its next save tries again
            self._change(task_id, error=f"It could not be saved just now ({exc}).")


def _final_status(state: dict[str, Any], stopped: bool) -> Status:
    """A work function may say how it ended (its state's "status"); else stopped or finished."""
    said = state.get("status") if isinstance(state, dict) else None
    if isinstance(said, str) and said in Status.__members__.values() and not Status(said).active:
        return Status(said)
    return Status.STOPPED if stopped else Status.FINISHED


_RUNNERS: dict[str, TaskRunner] = {}
_RUNNERS_LOCK = threading.Lock()


def runner_for(key: str, store: RunStore | None) -> TaskRunner:
    """The process's one task runner for a data folder (`key`), made on first use; kept
    outside any Streamlit cache so clearing caches never loses a running task."""
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get(key)
        if runner is None:
            runner = _RUNNERS[key] = TaskRunner(store)
        elif runner.store is None and store is not None:  # the folder became usable
            runner.store = store
            runner.interrupted = runner.recover()
        return runner


def forget(key: str) -> None:
    """Drop this process's runner for a data folder, as a restarted server has none: the next
    `runner_for` reads the folder's tasks from the store alone (tests of a restart)."""
    with _RUNNERS_LOCK:
        _RUNNERS.pop(key, None)
