"""Experiments as tasks of the server (core/serve/tasks.py): this module brings the work
function. It submits the experiment's training configurations to the server's job queue (so they
train one at a time like any Train job, and land on the Runs page), waits for them, measures and
judges; experiments at initialisation compute in the task's thread. The result is the task's
state in the store's `tasks` table (kind "experiment", key the experiment's id), so a refresh, a
closed tab or a server restart keeps it; the page only starts runs and reads them. No Streamlit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.serve.executors import CustomSpec, JobSpec
from core.serve.jobs import JobQueue
from core.serve.search_jobs import runner_for as search_runner_for
from core.serve.tasks import Status, TaskContext, TaskRunner
from core.serve.tasks import runner_for as tasks_for
from core.study import experiments
from core.study.search.search import SearchSettings, SearchState
from core.train.record import Comparison
from core.train.settings import TrainConfig

POLL_SECONDS = 0.5
KIND = "experiment"
# What bench/experiments.py measured for the README (`--json docs/experiments.json`).
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "experiments.json"
# Words the Experiments page knows for a task's status.
_STATES = {Status.RUNNING: "running", Status.FINISHED: "done", Status.FAILED: "failed"}


@dataclass
class ExperimentRun:
    """What the page shows about an experiment this server ran or runs."""

    state: str = "idle"  # idle, running, done, failed
    fraction: float = 0.0
    text: str = ""
    error: str = ""
    run_ids: list[int] = field(default_factory=list)
    started: float = 0.0
    search_ids: list[int] = field(default_factory=list)


_STARTING = threading.Lock()  # one start at a time: two clicks together run it once


class ExperimentRunner:
    """The experiments of one data folder, as tasks of its task runner: start them, read their
    progress and saved results."""

    def __init__(self, folder: Path, queue: JobQueue, tasks: TaskRunner | None = None):
        self.folder = Path(folder)
        self.queue = queue
        self.tasks = tasks if tasks is not None else TaskRunner(queue.store)

    def _live(self, experiment_id: str):
        """This server's newest task of the experiment (None before its first start here)."""
        task = self.tasks.latest(KIND, experiment_id)
        return task if task is not None and self.tasks.knows(task.id) else None

    def status(self, experiment_id: str) -> ExperimentRun:
        task = self._live(experiment_id)
        if task is None:
            return ExperimentRun()
        return ExperimentRun(
            _STATES.get(task.status, "failed"),
            task.progress,
            task.text,
            task.error,
            list(task.runs),
            task.created,
            list(task.state.get("search_ids", [])),
        )

    def running(self, experiment_id: str) -> bool:
        return self.status(experiment_id).state == "running"

    def result(self, experiment_id: str) -> dict | None:
        """The last finished result, or None when it never finished."""
        task = self.tasks.latest(KIND, experiment_id, Status.FINISHED)
        return dict(task.state) if task is not None else None

    def start(self, experiment_id: str, owner: str) -> bool:
        """Start the experiment as a task; False when it is already running."""
        experiments.get(experiment_id)  # an unknown id raises here, not in the thread
        with _STARTING:
            if self.running(experiment_id):
                return False
            self.tasks.start(KIND, self._work, {}, owner, experiment_id, key=experiment_id)
            return True

    def _work(self, context: TaskContext, saved: dict[str, Any]) -> dict[str, Any]:
        experiment = experiments.get(context.runner.get(context.id).key)
        configs = experiment.configs()
        run_ids: list[int] = []
        context.report(0.0, "starting")

        def train(config: TrainConfig, customs: experiments.Customs = ()) -> Comparison:
            index = len(run_ids)
            used = tuple(CustomSpec(n, text) for n, text in customs if n in config.activations)
            job = self.queue.submit(JobSpec(config, used), owner=context.owner)
            run_ids.append(job.id)
            context.add_run(job.id)
            while (current := self.queue.get(job.id)) is not None and current.active:
                context.report(*_job_progress(current, index, len(configs)))
                time.sleep(POLL_SECONDS)
            record = current.record if current is not None else job.record
            if record.status != "finished":
                raise RuntimeError(
                    f"training run {job.id} ended {record.status}"
                    + (f": {current.error}" if current is not None and current.error else "")
                )
            return record

        searches = experiment.searches()
        search_ids: list[int] = []

        def search(settings: SearchSettings) -> SearchState:
            """Run one search on this server (it shows on the Search page, its batches train
            through the queue and land on Runs) and wait for its end."""
            if self.queue.store is None:
                raise RuntimeError("a search is saved in the run store, which cannot be opened")
            runner = search_runner_for(str(self.folder), self.queue.store, self.queue)
            index = len(search_ids)
            name = f"experiment {experiment.id} · search seed {settings.seed}"
            search_id = runner.start(settings, context.owner, name)
            search_ids.append(search_id)
            context.save({"search_ids": list(search_ids)})
            while runner.running(search_id):
                live = runner.live(search_id)
                fraction = (index + live.fraction) / len(searches)
                text = f"search {index + 1}/{len(searches)} (search {search_id}): {live.phase}"
                context.report(fraction, text)
                time.sleep(POLL_SECONDS)
            state = runner.state(search_id)
            if state.status != "finished":
                raise RuntimeError(f"search {search_id} ended {state.status}: {state.ended}")
            return state

        def progress(fraction: float, text: str) -> None:
            # A training experiment's progress comes from its jobs; before the first one, what it
            # prepares (an experiment's typed activations) is reported too.
            if experiment.kind == "init" or not run_ids:
                context.report(fraction, text)

        result = experiments.run(experiment, train, progress, search=search)
        result["search_ids"] = search_ids
        result["run_ids"] = run_ids
        context.report(1.0, "done")
        return result


def _job_progress(job, index: int, total: int) -> tuple[float, str]:
    """Progress of the experiment while its `index`-th of `total` training runs trains."""
    if job.state == "queued":
        text = f"training run {index + 1}/{total} (run {job.id}) is queued behind other jobs"
        return index / total, text
    p = job.progress()
    within = (p["epoch"] + (p["batch"] / p["batches"] if p["batches"] else 0.0)) / p["epochs"]
    text = f"training run {index + 1}/{total} (run {job.id}): epoch {p['epoch'] + 1}/{p['epochs']}"
    if p["seconds_left"] is not None:
        text += f", about {p['seconds_left']:.0f} s left in this run"
    return (index + min(1.0, within)) / total, text


def runner_for(folder: Path, queue: JobQueue) -> ExperimentRunner:
    """The experiments of a data folder: its one task runner, seen as experiments."""
    return ExperimentRunner(Path(folder), queue, tasks_for(str(folder), queue.store))
