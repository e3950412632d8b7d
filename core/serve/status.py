"""The one status vocabulary of everything the server owns: a task, a job, a run. Plain data, no
TensorFlow: the store reads it too (core/serve/store.py), and the task model (tasks.py) re-exports
it."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Every status a task (and a run) can have. A StrEnum: a status read back from the store
    as text compares equal to its member."""

    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        return self in (Status.QUEUED, Status.RUNNING, Status.PAUSED)

    @property
    def resumable(self) -> bool:
        """Ended before its work was done, with its state saved: Resume continues it."""
        return self in (Status.STOPPED, Status.INTERRUPTED, Status.FAILED)
