"""A search experiment run by the server's experiment runner.

Catches an experiment that runs its searches somewhere the Search page cannot find them (not in
the run store, not under its data folder's search runner), a result that does not say which
searches it measured, or a verdict saved that its own numbers do not give.
"""

import dataclasses
import time

from core.serve.experiment_runs import ExperimentRunner
from core.serve.jobs import JobQueue
from core.serve.search_jobs import runner_for
from core.serve.store import RunStore
from core.study import experiments as ex
from core.study.experiments import search_swish
from core.study.search.search import SearchSettings

EXPERIMENT = "ramachandran-2017-search"
TINY = SearchSettings(
    samples=600, epochs=1, seeds=1, k=2, candidates=2, population=2, sample=1, width=32
)


def test_a_search_experiment_runs_its_searches_on_the_servers_runner(tmp_path, monkeypatch):
    monkeypatch.setattr(search_swish, "SEARCH_BASE", TINY)
    store = RunStore(tmp_path / "runs.sqlite")
    queue = JobQueue(store)
    runner = ExperimentRunner(tmp_path, queue)
    assert runner.start(EXPERIMENT, "a session")
    deadline = time.monotonic() + 600  # a guard against a hang, not a timing check
    while runner.running(EXPERIMENT) and time.monotonic() < deadline:
        time.sleep(0.2)
    status = runner.status(EXPERIMENT)
    assert status.state == "done", status.error
    result = runner.result(EXPERIMENT)
    assert result["digest"] == ex.digest(ex.get(EXPERIMENT))
    # One search per search seed, saved in the store the Search page reads, each finished.
    saved = {row.id: row for row in store.searches()}
    assert sorted(result["search_ids"]) == sorted(saved)
    seeds = sorted(row.state["settings"]["seed"] for row in saved.values())
    assert seeds == list(search_swish.SEARCH_SEEDS)
    assert all(row.status == "finished" for row in saved.values())
    same = runner_for(str(tmp_path), store, queue)
    assert all(same.state(i).status == "finished" for i in saved)
    # The settings searched are the experiment's (its digest covers them).
    searched = {SearchSettings.from_dict(row.state["settings"]) for row in saved.values()}
    assert searched == {dataclasses.replace(TINY, seed=s) for s in search_swish.SEARCH_SEEDS}
    measured = result["measured"]
    assert [s["seed"] for s in measured["searches"]] == list(search_swish.SEARCH_SEEDS)
    assert all(len(s["top"]) == 2 for s in measured["searches"])
    assert ex.get(EXPERIMENT).verdict(measured).label == result["verdict"]
