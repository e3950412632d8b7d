"""The run store: round trip, concurrent writers, restart, corrupt files, migration, job updates,
paging and filtering from the summary columns, runs and searches orphaned by a server that
died, the searches table (v5)."""

import dataclasses
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.serve import store as store_module
from core.serve.store import RunStore, StoreError, owner_alive
from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig


def _comparison(tag: float = 0.0, status: str = "finished") -> Comparison:
    config = TrainConfig(activations=("relu", "tanh"), epochs=2, seeds=2)
    branches = [
        BranchHistory(
            a,
            s,
            loss=[1.0 + tag, 0.5 + tag],
            val_loss=[1.1, 0.6 + tag],
            metric=[0.5, 0.7],
            val_metric=[0.4, 0.65 + tag / 10],
            status=status,
        )
        for a in config.activations
        for s in (0, 1)
    ]
    return Comparison(
        config=config,
        task="classification",
        metric_name="accuracy",
        dataset_source="test data",
        branches=branches,
        parameters=123,
        epoch_seconds=[0.5, 0.25],
        status=status,
    )


def test_round_trip(tmp_path):
    s = RunStore(tmp_path / "runs.sqlite")
    original = _comparison(0.125)
    run_id = s.save(original, name="first", tags="a, b")
    loaded = s.load(run_id)
    assert loaded.config == original.config and loaded.branches == original.branches
    assert loaded.epoch_seconds == original.epoch_seconds and loaded.status == "finished"
    [summary] = s.runs()
    assert (
        summary.name == "first" and summary.tags == "a, b" and summary.activations == "relu, tanh"
    )
    assert summary.best_val_loss == pytest.approx(
        0.725
    ) and summary.best_val_metric == pytest.approx(0.6625)
    details = s.details(run_id)
    assert {"tensorflow", "keras", "app"} <= set(details["versions"])


def test_default_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "data"))
    assert RunStore().path == tmp_path / "data" / store_module.FILE_NAME


def test_restart_sees_old_runs(tmp_path):
    path = tmp_path / "runs.sqlite"
    ids = [RunStore(path).save(_comparison(i)) for i in range(3)]
    again = RunStore(path)
    assert [r.id for r in again.runs()] == ids[::-1]


def test_concurrent_writers_all_land(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path)
    errors = []

    def writer(i):
        try:
            for j in range(5):
                RunStore(path).save(_comparison(i + j / 10), name=f"w{i}-{j}")
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    names = {r.name for r in RunStore(path).runs()}
    assert names == {f"w{i}-{j}" for i in range(6) for j in range(5)}


def test_rename_tag_delete(tmp_path):
    s = RunStore(tmp_path / "runs.sqlite")
    run_id = s.save(_comparison())
    s.rename(run_id, "  renamed ")
    s.set_tags(run_id, "mnist, ,  relu-vs-tanh ")
    [summary] = s.runs()
    assert summary.name == "renamed" and summary.tags == "mnist, relu-vs-tanh"
    s.delete(run_id)
    assert s.runs() == []
    with pytest.raises(StoreError, match="no run"):
        s.load(run_id)
    with pytest.raises(StoreError, match="no run"):
        s.rename(run_id, "x")


def test_a_corrupt_file_is_moved_aside_and_a_fresh_store_started(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    s = RunStore(path)
    assert s.notice and "moved to" in s.notice
    assert s.runs() == [] and s.save(_comparison()) == 1
    aside = [p for p in tmp_path.iterdir() if "unreadable" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")


def test_migration_from_the_previous_schema_keeps_runs(tmp_path):
    path = tmp_path / "runs.sqlite"
    old = RunStore(path, target_version=1)
    assert old.schema_version == 1
    with sqlite3.connect(path) as conn:  # a run written by the v1 app: no name, no tags
        conn.execute(
            "INSERT INTO runs (created, status, data, versions) VALUES (?, ?, ?, ?)",
            (1.0, "finished", json.dumps(_comparison(0.5).to_dict()), "{}"),
        )
    new = RunStore(path)
    assert new.schema_version == store_module.SCHEMA_VERSION
    [summary] = new.runs()
    assert (
        summary.name == ""
        and summary.tags == ""
        and new.load(summary.id).branches[0].loss == [1.5, 1.0]
    )


# The v2 schema exactly as the released app created it, kept here (not taken from
# core/serve/store.py) so that editing the migration table cannot also change the file the test
# migrates.
_V2_SCHEMA = [
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created REAL NOT NULL,
        status TEXT NOT NULL,
        data TEXT NOT NULL,
        versions TEXT NOT NULL
    )""",
    "ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT ''",
    "PRAGMA user_version = 2",
]


def _expected_summary(record: dict) -> dict:
    """What the runs table must show for a stored record, worked out from its JSON here."""
    val_losses = [v for b in record["branches"] for v in b["val_loss"]]
    val_metrics = [v for b in record["branches"] for v in b["val_metric"]]
    best_metric = max if record["metric_name"] == "accuracy" else min
    return {
        "dataset": record["config"]["dataset"],
        "activations": ", ".join(record["config"]["activations"]),
        "metric_name": record["metric_name"],
        "best_val_loss": min(val_losses) if val_losses else None,
        "best_val_metric": best_metric(val_metrics) if val_metrics else None,
        "epochs": len(record["epoch_seconds"]),
        "status": record["status"],
    }


def _summary_fields(summary) -> dict:
    return {k: getattr(summary, k) for k in _expected_summary(_comparison().to_dict())}


def _queued(tag: float = 0.0) -> Comparison:
    """A comparison as a job creates it: every network waiting, no epoch done."""
    record = _comparison(tag, status="queued")
    branches = [BranchHistory(b.activation, b.seed, status="queued") for b in record.branches]
    return dataclasses.replace(record, branches=branches, epoch_seconds=[])


def test_a_v2_file_migrates_with_its_summaries_filled_from_each_history(tmp_path):
    # Fails if the migration drops runs, leaves the new summary columns empty (the listing would
    # show blanks for every old run), or lets a deleted run's id be given out again.
    path = tmp_path / "runs.sqlite"
    mae = dataclasses.replace(_comparison(0.25, status="stopped"), metric_name="mae")
    deleted = _comparison(0.75)  # the newest run, deleted below: its id must not come back
    records = [c.to_dict() for c in (_comparison(0.5), mae, _queued(), deleted)]
    with sqlite3.connect(path) as conn:
        for statement in _V2_SCHEMA:
            conn.execute(statement)
        for i, record in enumerate(records):
            conn.execute(
                "INSERT INTO runs (created, status, data, versions, name, tags) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (float(i), record["status"], json.dumps(record), "{}", f"old {i}", "v2"),
            )
        conn.execute("DELETE FROM runs WHERE id = 4")
    conn.close()

    s = RunStore(path)
    assert s.schema_version == store_module.SCHEMA_VERSION == 6  # through v3, v4 and v5 to v6
    listed = s.runs()
    assert [r.id for r in listed] == [3, 2, 1]
    for summary, record in zip(listed, records[2::-1], strict=True):
        assert _summary_fields(summary) == _expected_summary(record)
        assert summary.model == "MLP 1×128" and summary.owner == "" and summary.tags == "v2"
        assert s.load(summary.id).to_dict() == record
    assert listed[1].best_val_metric == pytest.approx(0.4)  # MAE: the lowest is best
    assert listed[0].epochs == 0 and listed[0].best_val_loss is None
    assert s.save(_comparison()) == 5


def test_a_v2_row_with_an_unreadable_history_survives_the_migration(tmp_path):
    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as conn:
        for statement in _V2_SCHEMA:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO runs (created, status, data, versions) VALUES (1, 'finished', '{', '{}')"
        )
    conn.close()
    [summary] = RunStore(path).runs()
    assert summary.id == 1 and summary.status == "finished" and summary.epochs == 0


def test_update_replaces_history_status_and_summary(tmp_path):
    # A job saves its run queued, then updates it after every epoch: fails if an update loses
    # epochs, leaves a stale summary in the listing, or touches the owner when it should not.
    s = RunStore(tmp_path / "runs.sqlite")
    run_id = s.save(_queued(), name="job", owner="12@host")
    [queued] = s.runs()
    assert (queued.status, queued.epochs, queued.owner) == ("queued", 0, "12@host")
    assert queued.best_val_loss is None and queued.best_val_metric is None

    running = _comparison(0.125, status="running")
    s.update(run_id, running)
    assert s.load(run_id).branches == running.branches
    assert s.load(run_id).epoch_seconds == running.epoch_seconds
    [summary] = s.runs()
    assert _summary_fields(summary) == _expected_summary(running.to_dict())
    assert summary.owner == "12@host" and summary.name == "job"

    finished = _comparison(0.25)
    s.update(run_id, finished, owner="")
    [summary] = s.runs()
    assert _summary_fields(summary) == _expected_summary(finished.to_dict())
    assert summary.owner == "" and s.load(run_id).to_dict() == finished.to_dict()

    s.delete(run_id)  # deleted while its job trained: the job is told, nothing is re-created
    with pytest.raises(StoreError, match=f"no run {run_id}"):
        s.update(run_id, finished)
    assert s.runs() == []


def test_listing_reads_the_summary_columns_not_the_history(tmp_path):
    # Listing 1,000 runs used to parse 131 MB of histories; a history that cannot be parsed
    # proves none is: schema v2's listing raised on it.
    path = tmp_path / "runs.sqlite"
    s = RunStore(path)
    broken, intact = s.save(_comparison(0.5), name="broken"), s.save(_comparison(), name="intact")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE runs SET data = 'not json at all' WHERE id = ?", (broken,))
    conn.close()
    listed = {r.id: r for r in s.runs()}
    assert set(listed) == {broken, intact} and s.count() == 2
    expected = _expected_summary(_comparison(0.5).to_dict())
    assert _summary_fields(listed[broken]) == expected
    assert s.runs(query="broken")[0].id == broken
    assert set(s.summaries([broken, 999])) == {broken}


def test_paging_filtering_and_counting(tmp_path):
    s = RunStore(tmp_path / "runs.sqlite")
    names = ["alpha", "Beta", "a_b", "axb", "100%", "plain", "ALPHA two"]
    ids = [s.save(_comparison(i / 10), name=n, tags="t") for i, n in enumerate(names)]
    s.update(ids[5], _comparison(status="stopped"))
    newest_first = ids[::-1]
    assert [r.id for r in s.runs(limit=3)] == newest_first[:3]
    assert [r.id for r in s.runs(limit=3, offset=3)] == newest_first[3:6]
    assert [r.id for r in s.runs(limit=3, offset=6)] == newest_first[6:]
    assert s.runs(limit=3, offset=9) == [] and s.count() == 7

    def matching(query):
        found = [r.id for r in s.runs(query=query)]
        assert s.count(query) == len(found)
        return {names[ids.index(i)] for i in found}

    assert matching("alpha") == {"alpha", "ALPHA two"}  # any case
    assert matching("  beta ") == {"Beta"}
    assert matching("a_b") == {"a_b"}  # "_" is the user's text, not LIKE's any-character
    assert matching("%") == {"100%"}
    assert matching("stopped") == {"plain"}
    assert matching("mlp 1×128") == set(names) and matching("TANH") == set(names)
    assert matching(str(ids[3])) == {"axb"}
    assert matching("nothing like it") == set() and s.count("nothing like it") == 0
    assert [r.id for r in s.runs(limit=1, offset=1, query="alpha")] == [ids[0]]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_owner_alive(tmp_path):
    host = socket.gethostname()
    assert owner_alive(f"{os.getpid()}@{host}")
    assert not owner_alive(f"{_dead_pid()}@{host}")
    assert owner_alive(f"{_dead_pid()}@not-{host}")  # another machine's: cannot be checked
    assert not owner_alive("") and not owner_alive("garbage") and not owner_alive(f"0@{host}")


def test_orphaned_jobs_are_marked_interrupted_and_live_ones_are_not(tmp_path):
    # A server that died mid-training leaves runs "running" for ever unless the next start
    # finds them; a run another live process is training must not be touched.
    s = RunStore(tmp_path / "runs.sqlite")
    host = socket.gethostname()
    dead, alive = f"{_dead_pid()}@{host}", f"{os.getpid()}@{host}"
    running = _comparison(status="running")
    running.branches[0].status = "diverged"
    ids = {
        "queued, nobody": s.save(_queued()),
        "running, dead": s.save(running, owner=dead),
        "queued, dead": s.save(_queued(), owner=dead),
        "running, alive": s.save(running, owner=alive),
        "finished, dead": s.save(_comparison(), owner=dead),
    }
    interrupted = s.interrupt_orphans(owner_alive)
    orphans = {ids["queued, nobody"], ids["running, dead"], ids["queued, dead"]}
    assert sorted(interrupted) == sorted(orphans)
    by_id = {r.id: r for r in s.runs()}
    for key, run_id in ids.items():
        record = s.load(run_id)
        if run_id in interrupted:
            assert (by_id[run_id].status, by_id[run_id].owner) == ("interrupted", "")
            assert record.status == "interrupted"
            statuses = [b.status for b in record.branches]
            assert "running" not in statuses and "queued" not in statuses
        else:
            assert by_id[run_id].status == record.status == key.split(",")[0]
    assert [b.status for b in s.load(ids["running, dead"]).branches] == [
        "diverged",
        "interrupted",
        "interrupted",
        "interrupted",
    ]
    assert by_id[ids["running, alive"]].owner == alive
    assert s.interrupt_orphans(owner_alive) == []  # a second start finds nothing new


def test_a_read_only_store_gives_a_clear_error_and_loses_nothing(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite"
    s = RunStore(path)
    s.save(_comparison())
    real_connect = sqlite3.connect
    # SQLite's own read-only mode: what a read-only file or folder looks like to the store (the
    # tests run as root, which ignores file permissions, so chmod would prove nothing).
    monkeypatch.setattr(
        store_module.sqlite3,
        "connect",
        lambda p, **kw: real_connect(f"file:{p}?mode=ro", uri=True, **kw),
    )
    with pytest.raises(StoreError, match="could not be saved.*kept in this browser session"):
        s.save(_comparison(1.0))
    with pytest.raises(StoreError, match="cannot be opened for writing"):
        RunStore(tmp_path / "other.sqlite")
    monkeypatch.undo()
    assert len(RunStore(path).runs()) == 1


def test_a_data_folder_that_cannot_be_created_is_explained(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="EXPLORER_DATA_DIR"):
        RunStore(blocker / "sub" / "runs.sqlite")


def test_store_and_exports_do_not_import_tensorflow():
    # A stored run must be listed, loaded and exported without paying for TensorFlow's import.
    code = (
        "import core.serve.store, charts.exports, core.train.record, core.train.settings, sys; "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


# --- searches (schema v5) ---


def _search_state(status: str = "running", scored: int = 1) -> dict:
    """A search's state as SearchState.to_dict() writes it (the store reads only `status`)."""
    entry = {"candidate": ["x1·x2", "x", "σ(x)"], "batch": 0, "status": "scored", "swish": [None]}
    return {
        "settings": {"dataset": "mnist1d", "candidates": 8},
        "status": status,
        "baselines": {"relu": [0.6, 0.61]},
        "entries": [{**entry, "index": i, "accuracy": [0.5, float("nan")]} for i in range(scored)],
        "batches": scored,
        "seconds": 1.5,
        "ended": "",
    }


def test_a_v4_store_migrates_to_v5_keeping_its_runs_and_sweeps(tmp_path):
    # Fails if adding the searches table drops or rewrites what v4 held (a migration that
    # recreated the file, or ran v4's step again and failed on the existing sweeps table).
    path = tmp_path / "runs.sqlite"
    old = RunStore(path, target_version=4)
    run_ids = [old.save(_comparison(0.5), name="kept"), old.save(_comparison(0.25))]
    sweep_id = old.save_sweep({"depths": [1, 2]}, [(1, 16, run_ids[0]), (2, 16, run_ids[1])], "g")
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "searches" not in tables and old.schema_version == 4
    new = RunStore(path, target_version=5)
    assert new.schema_version == 5
    assert [r.id for r in new.runs()] == run_ids[::-1] and new.runs()[1].name == "kept"
    assert new.load(run_ids[0]).branches == _comparison(0.5).branches
    sweep = new.sweep(sweep_id)
    assert sweep.name == "g" and sweep.runs == [(1, 16, run_ids[0]), (2, 16, run_ids[1])]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM searches").fetchone()[0] == 0
    conn.close()


def test_a_v5_store_migrates_to_v6_keeping_runs_sweeps_searches_and_experiment_results(tmp_path):
    # Fails if the move to one tasks table loses anything v5 held: a run, a sweep, a search
    # (its id, which links name, its state with NaN accuracies, its status and owner), or an
    # experiment result that lived in a JSON file beside the store; or if a damaged result
    # file stops the store from opening instead of staying where it was.
    path = tmp_path / "runs.sqlite"
    old = RunStore(path, target_version=5)
    run_ids = [old.save(_comparison(0.5), name="kept"), old.save(_comparison(0.25))]
    batch = old.save(_comparison(0.75), name="search 2 · batch 1", tags="search")
    sweep_id = old.save_sweep({"depths": [1, 2]}, [(1, 16, run_ids[0]), (2, 16, run_ids[1])], "g")
    searches = [_search_state("finished"), _search_state("stopped", scored=2)]
    with sqlite3.connect(path) as conn:
        for i, state in enumerate(searches, start=1):
            conn.execute(
                "INSERT INTO searches (id, created, name, status, owner, data) "
                "VALUES (?, ?, ?, ?, '', ?)",
                (i, 1000.0 + i, f"search {i}", state["status"], json.dumps(state)),
            )
    conn.close()
    results = tmp_path / "experiments"
    results.mkdir()
    result = {"verdict": "reproduced", "run_ids": run_ids, "measured": {"gap": float("nan")}}
    (results / "glorot-2010").write_text("not a result")  # not *.json: never read
    (results / "glorot-2010.json").write_text(json.dumps(result))
    (results / "damaged.json").write_text("{ half a file")

    new = RunStore(path)
    assert new.schema_version == store_module.SCHEMA_VERSION == 6
    assert [r.id for r in new.runs()] == [batch, *run_ids[::-1]]
    assert new.load(run_ids[0]).branches == _comparison(0.5).branches
    assert new.sweep(sweep_id).runs == [(1, 16, run_ids[0]), (2, 16, run_ids[1])]
    for i, state in enumerate(searches, start=1):
        row = new.search(i)
        assert (row.name, row.status, row.owner, row.created) == (
            f"search {i}",
            state["status"],
            "",
            1000.0 + i,
        )
        assert json.dumps(row.state, allow_nan=True) == json.dumps(state, allow_nan=True)
    assert new.task(2).runs == [batch] and new.task(1).runs == []  # "search 2 · batch 1"
    (task,) = new.tasks("experiment")
    assert (task.key, task.status, task.runs) == ("glorot-2010", "finished", run_ids)
    assert json.dumps(task.state, allow_nan=True) == json.dumps(result, allow_nan=True)
    assert (results / "damaged.json").read_text() == "{ half a file"  # left as it was
    # New tasks take ids after the moved searches: a search link never names another task.
    assert new.save_search(_search_state(), "next") == 4
    assert [r.id for r in new.searches()] == [4, 2, 1]


def test_a_search_round_trips_and_updates_in_place(tmp_path):
    # Fails if the state's JSON loses what a resume needs (NaN accuracies of diverged seeds,
    # an infinite Swish distance), if an update adds a row, or status and owner drift apart
    # from the state they were saved with.
    s = RunStore(tmp_path / "runs.sqlite")
    state = _search_state()
    search_id = s.save_search(state, "  my search  ", owner="12@host")
    row = s.search(search_id)
    assert (row.name, row.status, row.owner) == ("my search", "running", "12@host")
    assert json.dumps(row.state, allow_nan=True) == json.dumps(state, allow_nan=True)
    later = _search_state("finished", scored=3)
    s.update_search(search_id, later)
    [row] = s.searches()
    assert (row.id, row.status, row.owner, len(row.state["entries"])) == (
        search_id,
        "finished",
        "",
        3,
    )
    with pytest.raises(store_module.MissingRun):
        s.update_search(search_id + 1, later)
    with pytest.raises(store_module.MissingRun):
        s.search(search_id + 1)


def test_searches_list_newest_first_and_delete_keeps_the_runs(tmp_path):
    s = RunStore(tmp_path / "runs.sqlite")
    run_id = s.save(_comparison(), name="search 1 · batch 1")
    ids = [s.save_search(_search_state(), f"s{i}") for i in range(3)]
    assert [r.id for r in s.searches()] == ids[::-1]
    assert [r.id for r in s.searches(limit=2)] == ids[:0:-1]
    s.delete_search(ids[1])
    assert [r.id for r in s.searches()] == [ids[2], ids[0]]
    assert [r.id for r in s.runs()] == [run_id]  # a search's batches are runs of their own


def test_tasks_of_a_dead_server_are_interrupted_and_live_or_ended_ones_are_not(tmp_path):
    # A server that died mid-search leaves it "running" for ever unless the next start finds
    # it; a search another live process is running, or one that ended, must not be touched.
    # One recovery for every kind of task: an experiment's task is found the same way.
    s = RunStore(tmp_path / "runs.sqlite")
    host = socket.gethostname()
    dead, alive = f"{_dead_pid()}@{host}", f"{os.getpid()}@{host}"
    ids = {
        "running, dead": s.save_search(_search_state(), owner=dead),
        "running, nobody": s.save_search(_search_state()),
        "running, alive": s.save_search(_search_state(), owner=alive),
        "stopped, dead": s.save_search(_search_state("stopped"), owner=dead),
        "finished, nobody": s.save_search(_search_state("finished")),
    }
    experiment = s.save_task("experiment", {}, "running", "e", dead, key="e")
    interrupted = s.interrupt_tasks(owner_alive)
    assert experiment in interrupted and s.task(experiment).status == "interrupted"
    interrupted.remove(experiment)
    assert sorted(interrupted) == sorted([ids["running, dead"], ids["running, nobody"]])
    for key, search_id in ids.items():
        row = s.search(search_id)
        if search_id in interrupted:
            assert (row.status, row.owner, row.state["status"]) == (
                "interrupted",
                "",
                "interrupted",
            )
            assert row.state["ended"] == "interrupted: the server stopped while it ran"
            assert len(row.state["entries"]) == 1  # what it scored stays, to resume from
        else:
            assert row.status == row.state["status"] == key.split(",")[0]
    assert s.search(ids["running, alive"]).owner == alive
    assert s.interrupt_tasks(owner_alive) == []  # a second start finds nothing new
