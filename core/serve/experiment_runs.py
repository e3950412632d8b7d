"""Experiments run in the background, owned by the server process, with their results on disk.

A run is a thread of this process: it submits the experiment's training configurations to the
server's job queue (so they train one at a time like any Train job, and land on the Runs page),
waits for them, measures and judges. Experiments at initialisation compute in the thread. Each
result is written to `<data folder>/experiments/<id>.json`, so a refresh, a closed tab or a server
restart keeps it; the page only starts runs and reads their state. No Streamlit here.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.serve.executors import JobSpec
from core.serve.jobs import JobQueue
from core.serve.search_jobs import runner_for as search_runner_for
from core.study import experiments
from core.study.search.search import SearchSettings, SearchState
from core.train.record import Comparison
from core.train.settings import TrainConfig

POLL_SECONDS = 0.5
# What bench/experiments.py measured for the README (`--json docs/experiments.json`).
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "experiments.json"


@dataclass
class ExperimentRun:
    """What the page shows about an experiment while it runs (replaced, never edited in place,
    by the thread that owns it; reading it from the script thread is safe)."""

    state: str = "idle"  # idle, running, done, failed
    fraction: float = 0.0
    text: str = ""
    error: str = ""
    run_ids: list[int] = field(default_factory=list)
    started: float = 0.0
    search_ids: list[int] = field(default_factory=list)


class ExperimentRunner:
    """The experiments of one data folder: start them, read their progress and saved results."""

    def __init__(self, folder: Path, queue: JobQueue):
        self.folder = Path(folder) / "experiments"
        self.queue = queue
        self._lock = threading.Lock()
        self._runs: dict[str, ExperimentRun] = {}

    def status(self, experiment_id: str) -> ExperimentRun:
        with self._lock:
            return self._runs.get(experiment_id, ExperimentRun())

    def running(self, experiment_id: str) -> bool:
        return self.status(experiment_id).state == "running"

    def result(self, experiment_id: str) -> dict | None:
        """The last saved result, or None when it never ran (or its file cannot be read)."""
        path = self.folder / f"{experiment_id}.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def start(self, experiment_id: str, owner: str = "") -> bool:
        """Start the experiment in a thread; False when it is already running."""
        experiment = experiments.get(experiment_id)
        with self._lock:
            if self._runs.get(experiment_id, ExperimentRun()).state == "running":
                return False
            self._runs[experiment_id] = ExperimentRun(
                "running", 0.0, "starting", started=time.time()
            )
        thread = threading.Thread(
            target=self._work, args=(experiment, owner), name=f"experiment-{experiment_id}"
        )
        thread.daemon = True
        thread.start()
        return True

    def _set(self, experiment_id: str, **changes) -> None:
        with self._lock:
            old = self._runs.get(experiment_id, ExperimentRun())
            self._runs[experiment_id] = ExperimentRun(**{**old.__dict__, **changes})

    def _work(self, experiment: experiments.Experiment, owner: str) -> None:
        eid = experiment.id
        configs = experiment.configs()
        run_ids: list[int] = []

        def train(config: TrainConfig) -> Comparison:
            index = len(run_ids)
            job = self.queue.submit(JobSpec(config), owner=owner)
            run_ids.append(job.id)
            self._set(eid, run_ids=list(run_ids))
            while (current := self.queue.get(job.id)) is not None and current.active:
                self._set(eid, **_job_progress(current, index, len(configs)))
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
            """Run one search on this server's search runner (it shows on the Search page, its
            batches train through the queue and land on Runs) and wait for its end."""
            if self.queue.store is None:
                raise RuntimeError("a search is saved in the run store, which cannot be opened")
            runner = search_runner_for(str(self.folder.parent), self.queue.store, self.queue)
            index = len(search_ids)
            name = f"experiment {eid} · search seed {settings.seed}"
            search_id = runner.start(settings, owner, name)
            search_ids.append(search_id)
            while runner.running(search_id):
                live = runner.live(search_id)
                fraction = (index + live.fraction) / len(searches)
                text = f"search {index + 1}/{len(searches)} (search {search_id}): {live.phase}"
                self._set(eid, fraction=fraction, text=text, search_ids=list(search_ids))
                time.sleep(POLL_SECONDS)
            state = runner.state(search_id)
            if state.status != "finished":
                raise RuntimeError(f"search {search_id} ended {state.status}: {state.ended}")
            return state

        def progress(fraction: float, text: str) -> None:
            if experiment.kind == "init":
                self._set(eid, fraction=fraction, text=text)

        try:
            result = experiments.run(experiment, train, progress, search=search)
            result["search_ids"] = search_ids
            result["run_ids"] = run_ids
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{eid}.json"
            temporary = path.with_suffix(".json.tmp")
            temporary.write_text(json.dumps(result))
            temporary.replace(path)  # a reader never sees half a file
            self._set(eid, state="done", fraction=1.0, text="done")
        except Exception as exc:  # the thread must end its run, whatever went wrong
            self._set(eid, state="failed", error=f"{type(exc).__name__}: {exc}")


def _job_progress(job, index: int, total: int) -> dict:
    """Progress of the experiment while its `index`-th of `total` training runs trains."""
    if job.state == "queued":
        text = f"training run {index + 1}/{total} (run {job.id}) is queued behind other jobs"
        return {"fraction": index / total, "text": text}
    p = job.progress()
    within = (p["epoch"] + (p["batch"] / p["batches"] if p["batches"] else 0.0)) / p["epochs"]
    text = f"training run {index + 1}/{total} (run {job.id}): epoch {p['epoch'] + 1}/{p['epochs']}"
    if p["seconds_left"] is not None:
        text += f", about {p['seconds_left']:.0f} s left in this run"
    return {"fraction": (index + min(1.0, within)) / total, "text": text}


_RUNNERS: dict[str, ExperimentRunner] = {}
_RUNNERS_LOCK = threading.Lock()


def runner_for(folder: Path, queue: JobQueue) -> ExperimentRunner:
    """The process's one runner for a data folder, made on first use (outside any Streamlit
    cache, so clearing caches never loses a running experiment)."""
    with _RUNNERS_LOCK:
        key = str(folder)
        if key not in _RUNNERS:
            _RUNNERS[key] = ExperimentRunner(Path(folder), queue)
        return _RUNNERS[key]
