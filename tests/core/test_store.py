"""The run store: round trip, concurrent writers, restart, corrupt files, migration."""

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core import store as store_module
from core.record import BranchHistory, Comparison
from core.settings import TrainConfig
from core.store import RunStore, StoreError


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
        "import core.store, core.exports, core.record, core.settings, sys; "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
