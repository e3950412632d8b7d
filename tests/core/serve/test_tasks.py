"""The one task model (core/serve/tasks.py): every kind of long work goes through one lifecycle.

Catches a task that ends without its final status and state in the store, a stop honoured for a
session that did not start it (or for a missing owner), a task left "running" for ever by a
killed server, a resume that runs a task twice, and a kind (search, experiment) that keeps a
lifecycle of its own beside the task runner's.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from core.serve import experiment_runs
from core.serve.jobs import JobQueue
from core.serve.store import RunStore
from core.serve.tasks import Status, TaskRunner, may_stop

ROOT = Path(__file__).resolve().parents[3]


def _until(event: threading.Event) -> None:
    assert event.wait(60), "the work never got there"  # a guard against a hang, not a timing


def test_the_owner_rule_never_matches_a_missing_owner():
    assert may_stop("a", "a")
    assert not may_stop("a", "b")
    # None == None and "" == "" once let any session stop any search.
    assert not may_stop(None, None) and not may_stop("", "") and not may_stop("", None)
    assert not may_stop("a", None) and not may_stop(None, "a")


def test_a_task_reports_its_progress_and_ends_finished_in_the_store(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    runner = TaskRunner(store)
    reported, release = threading.Event(), threading.Event()

    def work(context, state):
        context.report(0.5, "half way")
        context.add_run(7)
        context.save({**state, "step": 1})
        reported.set()
        _until(release)
        return {**state, "step": 2}

    task_id = runner.start("demo", work, {"step": 0}, "session", "a name", key="k")
    _until(reported)
    live = runner.get(task_id)
    assert (live.status, live.progress, live.text, live.runs) == ("running", 0.5, "half way", (7,))
    row = store.task(task_id)  # saved as it goes: a restart resumes from step 1
    assert (row.kind, row.key, row.name, row.status, row.state) == (
        "demo",
        "k",
        "a name",
        "running",
        {"step": 1},
    )
    assert row.owner  # the server process running it, for the recovery after a crash
    release.set()
    done = runner.wait(task_id, 60)
    assert (done.status, done.progress, done.state) == (Status.FINISHED, 1.0, {"step": 2})
    row = store.task(task_id)
    assert (row.status, row.owner, row.runs, row.state) == ("finished", "", [7], {"step": 2})


def test_only_the_session_that_started_a_task_stops_it(tmp_path):
    runner = TaskRunner(RunStore(tmp_path / "runs.sqlite"))
    started = threading.Event()

    def work(context, state):
        started.set()
        while not context.stopping():
            time.sleep(0.01)
        return state

    task_id = runner.start("demo", work, {}, "mine")
    _until(started)
    assert not runner.stop(task_id, "another session")
    assert not runner.stop(task_id, None) and not runner.stop(task_id, "")
    assert runner.running(task_id)  # the refused stops did nothing
    assert runner.stop(task_id, "mine")
    assert runner.wait(task_id, 60).status == Status.STOPPED
    assert not runner.stop(task_id, "mine")  # nothing left to stop

    release = threading.Event()
    ownerless = runner.start("demo", lambda context, state: (_until(release), state)[1], {}, "")
    assert not runner.stop(ownerless, "") and not runner.stop(ownerless, None)
    assert runner.running(ownerless)
    release.set()  # nobody may stop it: it ends when its work does
    assert runner.wait(ownerless, 60).status == Status.FINISHED


def test_work_that_raises_ends_failed_with_its_error_and_resumes(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    runner = TaskRunner(store)

    def broken(context, state):
        context.save({"step": 1})
        raise ValueError("no data")

    task_id = runner.start("demo", broken, {"step": 0}, "s")
    failed = runner.wait(task_id, 60)
    assert failed.status == Status.FAILED and failed.error == "ValueError: no data"
    assert store.task(task_id).status == "failed"
    assert runner.resume(task_id, "s", lambda context, state: {**state, "step": 2})
    assert runner.wait(task_id, 60).state == {"step": 2, "error": "ValueError: no data"}


_KILLED_SERVER = """
import sys, time
sys.path.insert(0, {root!r})
from core.serve.store import RunStore
from core.serve.tasks import TaskRunner

def work(context, state):
    context.save({{"step": 1}})
    print(context.id, flush=True)
    time.sleep(600)

TaskRunner(RunStore({path!r})).start("demo", work, {{"step": 0}}, "s")
time.sleep(600)
"""


def test_a_task_of_a_killed_server_is_interrupted_at_the_next_start_and_resumes(tmp_path):
    # A server killed mid-task leaves it "running" under a dead process: the next runner for
    # the folder marks it interrupted (never running for ever, never run twice) and a resume
    # continues from the state it last saved.
    path = tmp_path / "runs.sqlite"
    code = _KILLED_SERVER.format(root=str(ROOT), path=str(path))
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        task_id = int(server.stdout.readline())
    finally:
        os.kill(server.pid, signal.SIGKILL)  # no clean-up of any kind
        server.wait()
    store = RunStore(path)
    assert store.task(task_id).status == "running"  # as the dead server left it
    runner = TaskRunner(store)
    assert runner.interrupted == [task_id]
    assert (store.task(task_id).status, store.task(task_id).owner) == ("interrupted", "")
    assert TaskRunner(store).interrupted == []  # found once
    assert runner.resume(task_id, "s2", lambda context, state: {"step": state["step"] + 1})
    done = runner.wait(task_id, 60)
    assert (done.status, done.state) == (Status.FINISHED, {"step": 2})


class _SlowReads(RunStore):
    """A store whose task reads take a while: the window between a resume's read of the
    status and its start, where a second resume used to slip in."""

    def task(self, task_id, kind=None):
        row = super().task(task_id, kind)
        time.sleep(0.3)
        return row


def test_two_resumes_at_once_start_a_task_once(tmp_path):
    store = _SlowReads(tmp_path / "runs.sqlite")
    task_id = store.save_task("demo", {"step": 1}, "stopped")
    runner = TaskRunner(store)
    runs = []

    def work(context, state):
        runs.append(context.owner)
        return state

    answers = []
    clicks = [
        threading.Thread(target=lambda o=o: answers.append(runner.resume(task_id, o, work)))
        for o in ("a", "b")
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(60)
    runner.wait(task_id, 60)
    assert sorted(answers) == [False, True] and len(runs) == 1
    assert not runner.resume(task_id, "c", work)  # finished: nothing to resume


def test_an_experiment_is_a_task_whose_result_is_kept_in_the_store(tmp_path, monkeypatch):
    # Fails if the experiment kind keeps a runner of its own (results in files, status in
    # memory only) rather than going through the task runner and its table.
    finish = threading.Event()

    def run(experiment, train, progress, search):
        progress(0.5, "measuring")
        _until(finish)
        return {"verdict": "reproduced", "measured": {}}

    monkeypatch.setattr(experiment_runs.experiments, "run", run)
    store = RunStore(tmp_path / "runs.sqlite")
    runner = experiment_runs.ExperimentRunner(tmp_path, JobQueue(store))
    eid = "dying-relu"
    assert runner.status(eid).state == "idle" and runner.result(eid) is None
    starts = []
    clicks = [threading.Thread(target=lambda: starts.append(runner.start(eid, "s"))) for _ in "ab"]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(60)
    assert sorted(starts) == [False, True]  # two clicks together run it once
    assert runner.running(eid)
    finish.set()
    (task,) = store.tasks("experiment")
    runner.tasks.wait(task.id, 60)
    assert runner.status(eid).state == "done"
    assert runner.result(eid) == {"verdict": "reproduced", "measured": {}, **_ids()}
    row = store.task(task.id, "experiment")
    assert (row.key, row.status) == (eid, "finished")
    # A restarted server reads the result from the store alone.
    again = experiment_runs.ExperimentRunner(tmp_path, JobQueue(RunStore(store.path)))
    assert again.result(eid) == runner.result(eid) and again.status(eid).state == "idle"


def _ids() -> dict:
    return {"search_ids": [], "run_ids": []}


def test_an_experiment_hands_its_typed_activations_to_the_jobs_that_train_them(
    tmp_path, monkeypatch
):
    # Fails if the runner submits an experiment's runs without the customs they name (the job
    # would fail on an unknown activation) or with customs another run of it needs.
    from types import SimpleNamespace

    from core.study import experiments as ex
    from core.train.settings import TrainConfig

    class Typed(ex.Experiment):
        id = "typed"

        def configs(self):
            return (TrainConfig(activations=("relu", "typed_a")), TrainConfig(activations=("b",)))

        def customs(self, progress=ex.experiment.quiet):
            return (("typed_a", "sin(x)"), ("b", "x * 2"))

        def measure(self, records, progress=None):
            return {}

        def verdict(self, measured):
            return ex.Verdict(ex.REPRODUCED, "")

    class Queue:
        store = RunStore(tmp_path / "runs.sqlite")
        specs: list = []

        def submit(self, spec, owner):
            self.specs.append(spec)
            finished = SimpleNamespace(status="finished")
            return SimpleNamespace(id=len(self.specs), active=False, record=finished)

        def get(self, job_id):
            return None

    monkeypatch.setattr(experiment_runs.experiments, "get", lambda _: Typed())
    queue = Queue()
    runner = experiment_runs.ExperimentRunner(tmp_path, queue)  # type: ignore[arg-type]
    assert runner.start("typed", "s")
    (task,) = queue.store.tasks("experiment")
    runner.tasks.wait(task.id, 60)
    assert runner.status("typed").state == "done", runner.status("typed").error
    assert [[(c.name, c.expression) for c in s.customs] for s in queue.specs] == [
        [("typed_a", "sin(x)")],
        [("b", "x * 2")],
    ]


def test_the_newest_task_is_its_live_copy_with_its_owner(tmp_path):
    # Fails if `latest` returns the task's saved row (owner "", matching no session) in place of
    # its live copy: the page then showed its own running KAN fit with Stop disabled.
    finish = threading.Event()
    runner = TaskRunner(RunStore(tmp_path / "runs.sqlite"))
    task_id = runner.start("k", lambda context, state: _until(finish) or {}, {}, "me", key="a")
    try:
        task = runner.latest("k", "a")
        assert task is not None and (task.id, task.owner) == (task_id, "me")
    finally:
        finish.set()
        runner.wait(task_id, 60)
