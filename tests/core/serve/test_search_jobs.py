"""Searches as server-side jobs: a search trains its batches on the server's queue and saves its
state after each; a stop keeps what was scored; a search cut off by a dead server is found
interrupted and resumes to the end; on a cluster its batches train side by side."""

import socket
import subprocess
import sys
import threading
import time

import pytest

from core.serve.jobs import JobQueue
from core.serve.search_jobs import SearchRunner
from core.serve.store import RunStore
from core.study.search.search import Entry, SearchSettings, SearchState
from core.study.search.space import Candidate

SESSION = "a session's token"
TINY = SearchSettings(
    samples=600, epochs=2, width=32, k=2, seeds=1, candidates=4, population=2, sample=1
)


class _Watched(RunStore):
    """A store that keeps every saved search state and signals each save."""

    def __init__(self, path):
        super().__init__(path)
        self.saved = []
        self.changed = threading.Condition()

    def update_task(self, task_id, status, state, owner="", runs=None):
        super().update_task(task_id, status, state, owner, runs)
        with self.changed:
            self.saved.append((state["status"], len(_scored(state)), owner))
            self.changed.notify_all()

    def wait_for(self, predicate, timeout=300):
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self.saved), timeout), self.saved


def _scored(state: dict) -> list[dict]:
    return [e for e in state["entries"] if e["status"] == "scored"]


@pytest.fixture()
def store(tmp_path):
    return _Watched(tmp_path / "runs.sqlite")


def _dead_owner() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return f"{child.pid}@{socket.gethostname()}"


def _assert_scores_are_their_runs(store, state):
    """Each scored candidate's accuracy is the final validation accuracy of its network in the
    batch run it names (the same float, read back from the store)."""
    for entry in state.scored:
        record = store.load(entry.run_id)
        assert record.status == "finished"
        branches = record.by_activation()[entry.name]
        assert entry.accuracy == [b.val_metric[-1] for b in branches]


@pytest.mark.slow
def test_a_search_runs_to_its_budget_saving_after_every_batch(store):
    # Fails if a search keeps its state in memory only (a restart would lose it), if its
    # batches are not runs of the store, or if its end is not saved with nobody owning it.
    runner = SearchRunner(store, JobQueue(store, max_running=1))
    search_id = runner.start(TINY, SESSION, name="")
    state = runner.wait(search_id, 600)
    assert (state.status, state.ended) == ("finished", "the budget of 4 candidates is spent")
    assert len(state.scored) == 4 and not [e for e in state.entries if e.status == "pending"]
    row = store.search(search_id)
    assert (row.status, row.owner, row.name) == ("finished", "", "mnist1d · 4 candidates · seed 0")
    # Saved after the baselines, after each of the 2 batches, then once more as it ended.
    assert [n for _, n, _ in store.saved] == [0, 2, 4, 4]
    assert [s for s, _, _ in store.saved] == ["running"] * 3 + ["finished"]
    names = {r.id: r.name for r in store.runs()}
    assert names[state.baseline_run] == f"search {search_id} · baselines"
    assert {names[e.run_id] for e in state.scored} == {
        f"search {search_id} · batch 1",
        f"search {search_id} · batch 2",
    }
    _assert_scores_are_their_runs(store, state)
    baselines = store.load(state.baseline_run).by_activation()
    assert state.baselines == {n: [b.val_metric[-1] for b in baselines[n]] for n in baselines}


@pytest.mark.slow
def test_stop_keeps_what_was_scored_and_resume_finishes_it(store):
    # Fails if a stop loses scored candidates, scores the batch it cut short, or leaves the
    # search "running"; and if a resume retrains what was scored or proposes other batches.
    settings = SearchSettings(**{**TINY.to_dict(), "epochs": 30, "candidates": 6})
    runner = SearchRunner(store, JobQueue(store, max_running=1))
    search_id = runner.start(settings, SESSION)
    store.wait_for(lambda saved: any(n >= 2 for _, n, _ in saved))  # batch 1 is saved
    assert not runner.stop(search_id, "another session") and not runner.stop(search_id, None)
    assert runner.stop(search_id, SESSION)
    stopped = runner.wait(search_id, 600)
    assert stopped.status == "stopped" and stopped.ended.startswith("stopped by request")
    assert len(stopped.scored) == 2 and [e.status for e in stopped.entries].count("pending") == 0
    assert store.search(search_id).status == "stopped" and store.search(search_id).owner == ""
    kept = [e.to_dict() for e in stopped.entries]
    if stopped.ended.endswith("(the batch in training was dropped)"):
        cut = [r for r in store.runs() if r.name == f"search {search_id} · batch 2"]
        # Stopped mid-training, or cancelled while it waited for the queue: not scored.
        assert [r.status for r in cut] in (["stopped"], ["cancelled"])
    assert runner.resume(search_id, SESSION) and not runner.resume(search_id, SESSION)  # once
    done = runner.wait(search_id, 600)
    assert (done.status, len(done.scored)) == ("finished", 6)
    assert [e.to_dict() for e in done.entries[: len(kept)]] == kept  # kept as they were
    assert [e.batch for e in done.scored] == [0, 0, 1, 1, 2, 2]
    _assert_scores_are_their_runs(store, done)
    assert not runner.resume(search_id, SESSION)  # a finished search does not resume


@pytest.mark.slow
def test_a_search_cut_off_by_a_dead_server_is_interrupted_at_start_and_resumes(tmp_path):
    # A server that died mid-search leaves it "running" under its pid: the next server's
    # runner must mark it interrupted (not run it twice, not leave it running for ever) and
    # resume it from its last saved batch to its budget.
    store = _Watched(tmp_path / "runs.sqlite")
    first = SearchRunner(store, JobQueue(store, max_running=1))
    search_id = first.start(TINY, SESSION)
    store.wait_for(lambda saved: any(n >= 2 for _, n, _ in saved))
    assert first.stop(search_id, SESSION)
    first.wait(search_id, 600)
    # What the store holds when the server dies mid-search: running, owned by a dead process.
    died = store.search(search_id).state
    died["status"] = "running"
    RunStore.update_search(store, search_id, died, owner=_dead_owner())

    restarted = RunStore(store.path)
    runner = SearchRunner(restarted, JobQueue(restarted, max_running=1))
    assert runner.tasks.interrupted == [search_id]
    row = restarted.search(search_id)
    assert (row.status, row.owner) == ("interrupted", "")
    assert runner.state(search_id).ended == "interrupted: the server stopped while it ran"
    assert runner.resume(search_id, SESSION)
    done = runner.wait(search_id, 600)
    assert (done.status, len(done.scored)) == ("finished", 4)
    assert [e.to_dict() for e in done.scored[:2]] == _scored(died)  # batch 1 not retrained
    _assert_scores_are_their_runs(restarted, done)


@pytest.mark.slow
@pytest.mark.xdist_group("ray")  # one worker runs every test that starts a Ray cluster
def test_on_a_cluster_two_batches_train_at_once(tmp_path, ray_executor):
    # Fails if the search hands the queue one batch at a time (a cluster's second slot idles
    # for the whole search) or if batches trained side by side are settled out of order.
    store = RunStore(tmp_path / "runs.sqlite")
    queue = JobQueue(store, ray_executor)
    assert queue.max_running == 2
    runner = SearchRunner(store, queue)
    search_id = runner.start(SearchSettings(**{**TINY.to_dict(), "epochs": 6}), SESSION)
    most = 0
    while runner.running(search_id):  # watch the queue: how many of its jobs run at once
        most = max(most, sum(j.state == "running" for j in queue.active()))
        time.sleep(0.05)
    state = runner.wait(search_id, 600)
    assert (state.status, len(state.scored)) == ("finished", 4)
    # The baselines train alone; batches 1 and 2 were handed over together and both ran (in
    # the cluster's two slots) rather than one waiting in line for the other.
    assert most == 2, "the two batches never ran at the same time"
    assert [e.batch for e in state.scored] == [0, 0, 1, 1]
    _assert_scores_are_their_runs(store, state)


class _SlowReads(RunStore):
    """A store whose search reads take a while, to widen the window between a resume's read of
    a search's status and its write of "running"."""

    def task(self, task_id, kind=None):
        row = super().task(task_id, kind)
        time.sleep(0.3)
        return row


def test_two_resumes_at_once_launch_the_search_once(tmp_path):
    # Two sessions may click Resume on the same stopped search together. Without one lock over
    # the whole resume, both read "stopped" before either wrote "running", and two threads ran
    # the same search, training every batch twice and overwriting each other's saves.
    store = _SlowReads(tmp_path / "runs.sqlite")
    done = SearchState(
        SearchSettings(**{**TINY.to_dict(), "candidates": 1}),
        status="stopped",
        baselines={"relu": [0.5], "silu": [0.5]},
        entries=[Entry(0, Candidate("x1·x2", "x", "σ(x)"), 0, "scored", accuracy=[0.6])],
        batches=1,
    )  # its budget is spent: resumed, it finishes at once, training nothing
    search_id = store.save_search(done.to_dict())
    runner = SearchRunner(store, JobQueue(store, max_running=1))
    launched = []
    launch = runner.tasks._launch
    runner.tasks._launch = lambda task, work: (launched.append(task.id), launch(task, work))
    answers = []
    clicks = [
        threading.Thread(target=lambda: answers.append(runner.resume(search_id, SESSION)))
        for _ in "ab"
    ]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(60)
    assert sorted(answers) == [False, True] and launched == [search_id]
    assert runner.wait(search_id, 120).status == "finished"
