"""Activation searches as tasks of the server (core/serve/tasks.py): this module brings the
work function. A search trains each batch of candidates as an ordinary job of the server's queue
(so it waits its turn behind Train jobs, trains on Ray when EXPLORER_RAY_ADDRESS is set, and
every batch is a run on the Runs page, named "search N · batch B"). After the baselines and
after every batch its state is saved in the run store; a page only starts, stops, resumes and
reads searches.

On a Ray cluster the search hands the queue as many batches at once as the cluster has job slots
(`JobQueue.max_running`), so its batches train side by side on the cluster's nodes.

A search whose server died is marked interrupted when the next server starts (the task
runner's recovery); Resume continues it from its last saved batch, proposing exactly the
batches it would have (core/study/search/search.py seeds each batch's draws by its number).
No Streamlit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from core.serve.executors import CustomSpec, JobSpec
from core.serve.jobs import JobQueue
from core.serve.store import MissingRun, RunStore
from core.serve.tasks import TaskContext, TaskRunner, may_stop
from core.serve.tasks import runner_for as tasks_for
from core.study.search import search as engine
from core.study.search.search import SearchSettings, SearchState
from core.train import datasets
from core.train.record import Comparison
from core.train.settings import TrainConfig

POLL_SECONDS = 0.2
KIND = "search"


@dataclass(frozen=True)
class Live:
    """What a page shows about a search this server is running now."""

    phase: str = ""  # e.g. "training batch 3 (run 41): epoch 5/15"
    fraction: float = 0.0  # of the candidate budget
    error: str = ""


class SearchRunner:
    """The searches of one data folder, as tasks of its task runner (core/serve/tasks.py): start,
    stop, resume, read. It keeps nothing of its own: the task runner owns the thread, the
    owner rule, the live progress and the recovery after a dead server."""

    def __init__(self, store: RunStore, queue: JobQueue, tasks: TaskRunner | None = None):
        self.store, self.queue = store, queue
        self.tasks = tasks if tasks is not None else TaskRunner(store)

    # --- what pages call ---
    def start(self, settings: SearchSettings, owner: str, name: str = "") -> int:
        """Save a new search and start it; returns its id. Raises ValueError (bad settings) or
        StoreError (a search lives in the run store)."""
        problems = settings.problems()
        if problems:
            raise ValueError(" ".join(problems))
        state = SearchState(settings).to_dict()
        name = name.strip() or default_name(settings)
        return self.tasks.start(KIND, self._work, state, owner, name)

    def resume(self, search_id: int, owner: str) -> bool:
        """Continue a stopped or interrupted search from its last saved batch, owned by `owner`
        from now on; False when it is running already, has finished or is not a search. Two
        sessions clicking Resume together start it once."""
        try:
            self.store.search(search_id)
        except MissingRun:
            return False
        return self.tasks.resume(search_id, owner, self._work)

    def stop(self, search_id: int, session: str | None) -> bool:
        """Stop a running search, if `session` started it: its batch in training stops within
        a batch of samples and is not scored; what was scored stays."""
        return self.tasks.stop(search_id, session)

    def may_stop(self, search_id: int, session: str | None) -> bool:
        try:
            return self.running(search_id) and may_stop(self.tasks.get(search_id).owner, session)
        except MissingRun:
            return False

    def running(self, search_id: int) -> bool:
        return self.tasks.running(search_id)

    def state(self, search_id: int) -> SearchState:
        """The search as last saved (after its baselines and after every batch): from memory
        while this server runs it, else from the store (raises MissingRun for an unknown id)."""
        if self.running(search_id):
            task = self.tasks.get(search_id)
            if task.kind == KIND:
                return SearchState.from_dict(task.state)
        return SearchState.from_dict(self.store.search(search_id).state)

    def live(self, search_id: int) -> Live:
        try:
            task = self.tasks.get(search_id)
        except MissingRun:
            return Live()
        return Live(task.text, task.progress, task.error)

    def wait(self, search_id: int, timeout: float = 600) -> SearchState:
        """Until the search has ended (tests and benchmarks)."""
        self.tasks.wait(search_id, timeout)
        return self.state(search_id)

    # --- the work ---
    def _work(self, context: TaskContext, saved: dict[str, Any]) -> dict[str, Any]:
        state = SearchState.from_dict(saved)
        if state.status != "running":  # resumed: from its last saved batch
            state.entries = [e for e in state.entries if e.status != "pending"]
            state.status, state.ended = "running", ""
            context.save(state.to_dict())
        settings = state.settings
        search_id = context.id
        context.report(0.0, "starting")

        def save(s: SearchState) -> None:
            context.save(s.to_dict())
            context.report(len(s.scored) / max(1, settings.candidates))

        def train(batches: list[tuple[TrainConfig, tuple]]) -> list[tuple[Comparison, int | None]]:
            first = state.batches
            jobs = []
            for i, (config, customs) in enumerate(batches):
                spec = JobSpec(config, tuple(CustomSpec(n, e, p) for n, e, p in customs))
                baselines = not state.baselines  # the first run: the yardstick, shapes with it
                label = "baselines" if baselines else f"batch {first + i + 1}"
                job = self.queue.submit(
                    spec, context.owner, name=f"search {search_id} · {label}", tags="search"
                )
                context.add_run(job.id)
                jobs.append(job)
            while any(j.active for j in jobs):
                if context.stopping():
                    for j in reversed(jobs):
                        self.queue.stop(j.id, context.owner, keep=True)
                context.report(text=_phase(jobs, first))
                time.sleep(POLL_SECONDS)
            stopped = context.stopping()
            failed = [j for j in jobs if j.record.status != "finished" and not stopped]
            if failed:
                j = failed[0]
                raise RuntimeError(f"run {j.id} ended {j.record.status}: {j.error}".rstrip(": "))
            return [(j.record, j.id if j.saved else None) for j in jobs]

        try:
            classes = datasets.load_shared(
                settings.dataset, settings.samples or None, settings.val_fraction, 1.0,
                settings.data_seed,
            ).n_outputs  # fmt: skip
            context.report(text="screening the first candidates")
            engine.run(
                state,
                train,
                classes,
                should_stop=context.stopping,
                on_batch=save,
                parallel=self.queue.max_running,
            )
            context.report(text=state.ended)
        except Exception as exc:  # the search ends failed, with what was scored kept
            state.status, state.ended = "failed", f"{type(exc).__name__}: {exc}"
            context.report(error=f"The search failed: {state.ended}")
        state.entries = [e for e in state.entries if e.status != "pending"]
        return state.to_dict()


def _phase(jobs, first: int) -> str:
    parts = []
    for i, job in enumerate(jobs):
        if job.state == "queued":
            parts.append(f"batch {first + i + 1} (run {job.id}) waits for other jobs")
        elif job.active:
            p = job.progress()
            parts.append(
                f"batch {first + i + 1} (run {job.id}): epoch {p['epoch'] + 1}/{p['epochs']}"
            )
    return "; ".join(parts) or "screening candidates"


def default_name(settings: SearchSettings) -> str:
    beta = ", β learned" if settings.learn_beta else ""
    return f"{settings.dataset} · {settings.candidates} candidates · seed {settings.seed}{beta}"


def runner_for(key: str, store: RunStore, queue: JobQueue) -> SearchRunner:
    """The searches of a data folder (`key`): its one task runner, seen as searches."""
    return SearchRunner(store, queue, tasks_for(key, store))
