"""The run store: every comparison, queued, training or done, in an embedded SQLite database.

One connection per operation (sessions run in threads), WAL so readers never block the writer,
every write in a transaction. A file that is not a readable database is moved aside and a
fresh one started; the store says so in `notice`. The schema is versioned and migrates.
Listing reads per-run summary columns only; a run's full history is parsed when it is loaded.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Any

from core import __version__
from core.train.record import Comparison, named_with_formulas
from core.train.settings import TrainConfig


# The one status vocabulary of everything the server owns: a task, a job, a run (the task
# model, core/serve/tasks.py, re-exports it). Here because the store reads it too.
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


SCHEMA_VERSION = 6
FILE_NAME = "runs.sqlite"
ACTIVE = (Status.QUEUED.value, Status.RUNNING.value)  # a server process is (or was) training these
INTERRUPTED = Status.INTERRUPTED.value


class StoreError(RuntimeError):
    """The store could not do what was asked; the message says why and what to do."""


class MissingRun(StoreError):
    """The run asked for is not in the store (never was, or was deleted)."""

    def __init__(self, run_id: int, what: str = "run"):
        super().__init__(f"there is no {what} {run_id}; it may have been deleted")
        self.run_id = run_id


def data_dir() -> Path:
    """`EXPLORER_DATA_DIR`, or a folder under the user's home."""
    return Path(
        os.environ.get("EXPLORER_DATA_DIR") or Path.home() / ".activation_explorer"
    ).expanduser()


@dataclass(frozen=True)
class SweepRow:
    """A saved sweep: its grid (core.serve.grid.Grid.to_dict()) and each architecture's run id."""

    id: int
    created: float
    name: str
    grid: dict[str, Any]
    runs: list[tuple[int, int, int]]  # depth, width, run id


@dataclass(frozen=True)
class SearchRow:
    """A saved activation search: its state as core.study.search.search.SearchState.to_dict()."""

    id: int
    created: float
    name: str
    status: str
    owner: str  # "pid@host" of the server process searching; empty when nobody is
    state: dict[str, Any]


@dataclass(frozen=True)
class TaskRow:
    """A saved task (core/serve/tasks.py): a search, an experiment, …, its state as JSON and the
    ids of the runs it produced."""

    id: int
    kind: str
    key: str
    created: float
    name: str
    status: str
    owner: str  # "pid@host" of the server process running it; empty when nobody is
    runs: list[int]
    state: dict[str, Any]


@dataclass(frozen=True)
class RunSummary:
    """One row of the runs table, read from the summary columns (never from the history)."""

    id: int
    created: float
    name: str
    tags: str
    dataset: str
    model: str
    activations: str
    status: str
    best_val_loss: float | None
    best_val_metric: float | None
    metric_name: str
    epochs: int  # epochs done
    owner: str  # "pid@host" of the server process training it; empty when nobody is


_LISTED = ", ".join(f.name for f in dataclasses.fields(RunSummary))
# What the filter box searches, case-insensitively (SQLite's LIKE folds ASCII letters only).
_SEARCHED = ("CAST(id AS TEXT)", "name", "tags", "dataset", "model", "activations", "status")

# The history (`data`) is the last column: SQLite reads a row's columns in order, so a summary
# column stored after a large history would make every listing read through it.
_V3_TABLE = """CREATE TABLE runs_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    dataset TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    activations TEXT NOT NULL DEFAULT '',
    metric_name TEXT NOT NULL DEFAULT '',
    best_val_loss REAL,
    best_val_metric REAL,
    epochs INTEGER NOT NULL DEFAULT 0,
    versions TEXT NOT NULL,
    data TEXT NOT NULL
)"""
_NO_SUMMARY = {
    "dataset": "",
    "model": "",
    "activations": "",
    "metric_name": "",
    "best_val_loss": None,
    "best_val_metric": None,
    "epochs": 0,
}


def _summary_values(d: dict[str, Any]) -> dict[str, Any]:
    """The summary columns of a run, from its record as `Comparison.to_dict()` gives it."""
    cfg, branches, customs = d["config"], d["branches"], d.get("customs") or {}
    higher = d["metric_name"] == "accuracy"
    val_losses = [v for b in branches for v in b["val_loss"]]
    val_metrics = [v for b in branches for v in b["val_metric"]]
    return {
        "dataset": cfg["dataset"],
        "model": TrainConfig.from_dict(cfg).model_label,
        # A custom with its formula: the Runs table says what each name computes.
        "activations": ", ".join(named_with_formulas(cfg["activations"], customs)),
        "metric_name": d["metric_name"],
        "best_val_loss": min(val_losses) if val_losses else None,
        "best_val_metric": ((max if higher else min)(val_metrics)) if val_metrics else None,
        "epochs": len(d["epoch_seconds"]),
    }


_V2_COLUMNS = ("id", "created", "name", "tags", "status", "versions", "data")
_V3_COLUMNS = (*_V2_COLUMNS, *_NO_SUMMARY)


def _v3_rows(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    for values in conn.execute(f"SELECT {', '.join(_V2_COLUMNS)} FROM runs"):
        row = dict(zip(_V2_COLUMNS, values, strict=True))
        try:
            summary = _summary_values(json.loads(row["data"]))
        except (ValueError, KeyError, TypeError):  # kept as it is; loading it will say why
            summary = _NO_SUMMARY
        yield {**row, **summary}


def _to_v3(conn: sqlite3.Connection) -> None:
    """Rebuild the table with the summary columns before the history, filled from each row's
    history once; ids and the id counter carry over, so a deleted run's id is never reused."""
    conn.execute(_V3_TABLE)
    columns = ", ".join(_V3_COLUMNS)
    marks = ", ".join(f":{c}" for c in _V3_COLUMNS)
    conn.executemany(f"INSERT INTO runs_v3 ({columns}) VALUES ({marks})", _v3_rows(conn))
    counter = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'runs'").fetchone()
    conn.execute("DROP TABLE runs")
    conn.execute("ALTER TABLE runs_v3 RENAME TO runs")
    if counter is not None:
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'runs' AND seq < ?", counter)
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'runs', ? "
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'runs')",
            counter,
        )


# v1 stored runs without a name or tags; v2 adds them; v3 adds the summary columns and the owner.
# Each step takes the schema one version up; a step is an SQL statement or a function of the
# connection.
_MIGRATIONS: dict[int, list[str | Callable[[sqlite3.Connection], None]]] = {
    1: [
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created REAL NOT NULL,
            status TEXT NOT NULL,
            data TEXT NOT NULL,
            versions TEXT NOT NULL
        )""",
    ],
    2: [
        "ALTER TABLE runs ADD COLUMN name TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT ''",
    ],
    3: [
        _to_v3,
        "CREATE INDEX runs_status ON runs (status)",  # unfinished runs, found at every start
    ],
    # v4: sweeps (core/serve/grid.py): a grid and the ids of its runs, one per architecture. The
    # runs are ordinary rows of `runs`; a sweep holds no history of its own.
    4: [
        """CREATE TABLE sweeps (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created REAL NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            grid TEXT NOT NULL,
            runs TEXT NOT NULL
        )""",
    ],
    # v5: activation searches (core/study/search/): each its state as JSON (settings, baselines,
    # every candidate with its scores), saved after every batch so a search resumes from it.
    # Its batches are ordinary rows of `runs`.
    5: [
        """CREATE TABLE searches (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created REAL NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL
        )""",
    ],
}


def _to_v6(conn: sqlite3.Connection) -> None:
    """v6: one `tasks` table for every piece of long work the server owns. Searches move in with
    their ids (links name them); each experiment result file `<data folder>/experiments/<id>.json`
    becomes a finished experiment task (the files are left where they are, unread from now on)."""
    conn.execute(_TASKS_TABLE)
    conn.execute(
        "INSERT INTO tasks (id, kind, key, created, name, status, owner, runs, data) "
        "SELECT id, 'search', '', created, name, status, owner, '[]', data FROM searches"
    )
    # A search's batches are runs named "search N · …" (core/serve/search_jobs.py).
    for (search_id,) in conn.execute("SELECT id FROM tasks").fetchall():
        runs = [r for (r,) in conn.execute(
            "SELECT id FROM runs WHERE name LIKE ? ORDER BY id", (f"search {search_id} · %",)
        )]  # fmt: skip
        conn.execute("UPDATE tasks SET runs = ? WHERE id = ?", (json.dumps(runs), search_id))
    conn.execute("DROP TABLE searches")
    database = next(row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main")
    folder = Path(database).parent / "experiments" if database else None
    files = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime) if folder else []
    for path in files:
        try:
            result = json.loads(path.read_text())
            runs = [int(r) for r in result.get("run_ids", [])]
        except (OSError, ValueError, TypeError, AttributeError):
            continue  # unreadable: the file stays, as it was
        conn.execute(
            "INSERT INTO tasks (kind, key, created, name, status, owner, runs, data) "
            "VALUES ('experiment', ?, ?, ?, 'finished', '', ?, ?)",
            (path.stem, path.stat().st_mtime, path.stem, json.dumps(runs), _json(result)),
        )


_TASKS_TABLE = """CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    runs TEXT NOT NULL DEFAULT '[]',
    data TEXT NOT NULL
)"""
_MIGRATIONS[6] = [
    _to_v6,
    "CREATE INDEX tasks_kind ON tasks (kind, key)",
    "CREATE INDEX tasks_status ON tasks (status)",  # unfinished tasks, found at every start
]
TASK_ACTIVE = tuple(s.value for s in Status if s.active)


def versions() -> dict[str, str]:
    """The versions a run was made with, from package metadata (TensorFlow is not imported)."""
    return {"tensorflow": version("tensorflow"), "keras": version("keras"), "app": __version__}


def owner_alive(owner: str) -> bool:
    """Whether the process named by `owner` ("pid@host") may still be training.

    A process on another host counts as alive: it cannot be checked from here.
    """
    pid_text, at, host = owner.partition("@")
    if not (at and pid_text.isdigit() and int(pid_text) > 0):
        return False
    if host != socket.gethostname():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(int(pid_text), 0)
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


def _like(query: str) -> tuple[str, dict[str, str]]:
    """A WHERE clause matching `query` as plain text in any searched column, and its values."""
    text = query.strip()
    if not text:
        return "", {}
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    clauses = " OR ".join(f"{column} LIKE :pattern ESCAPE '\\'" for column in _SEARCHED)
    return f" WHERE {clauses}", {"pattern": f"%{escaped}%"}


def _record_values(comparison: Comparison) -> dict[str, Any]:
    """The columns that follow a comparison's record: its status, summary and history."""
    d = comparison.to_dict()
    return {
        "status": comparison.status,
        **_summary_values(d),
        "data": json.dumps(d, allow_nan=True),
    }


def _interrupted(data: str) -> str:
    """A stored history marked interrupted, with each network that was still training."""
    d = json.loads(data)
    d["status"] = INTERRUPTED
    for branch in d["branches"]:
        if branch.get("status") in ACTIVE:
            branch["status"] = INTERRUPTED
    return json.dumps(d, allow_nan=True)


class RunStore:
    def __init__(self, path: str | Path | None = None, target_version: int = SCHEMA_VERSION):
        self.path = Path(path) if path else data_dir() / FILE_NAME
        self.notice: str | None = None
        self._target = target_version
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data folder {self.path.parent}: {exc.strerror}; set "
                f"EXPLORER_DATA_DIR to a writable folder"
            ) from None
        try:
            self._migrate()
        except sqlite3.OperationalError as exc:  # locked, read-only, no permission: not corruption
            raise StoreError(
                f"the run store {self.path} cannot be opened for writing ({exc}); set "
                f"EXPLORER_DATA_DIR to a writable folder"
            ) from None
        except (
            sqlite3.DatabaseError
        ) as exc:  # "file is not a database", "database disk image is malformed"
            self._move_aside(exc)
            self._migrate()

    # --- plumbing ---
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _move_aside(self, exc: Exception) -> None:
        aside = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                src.rename(Path(str(aside) + suffix))
        self.notice = (
            f"The run store {self.path} could not be read ({exc}); it was moved to {aside.name} "
            f"and a "
            f"new, empty store was started. Nothing was deleted."
        )

    def _migrate(self) -> None:
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA quick_check").fetchall()
            conn.execute(
                "BEGIN IMMEDIATE"
            )  # two servers starting at once migrate one after the other
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current > self._target:
                    raise StoreError(
                        f"{self.path} was written by a newer version of the app (schema {current})"
                    )
                for version in range(current + 1, self._target + 1):
                    for step in _MIGRATIONS[version]:
                        if callable(step):
                            step(conn)
                        else:
                            conn.execute(step)
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # --- runs ---
    def save(self, comparison: Comparison, name: str = "", tags: str = "", owner: str = "") -> int:
        """Add a run in any state (a queued job has no epochs yet); returns its id."""
        row = {
            "created": time.time(),
            "name": name,
            "tags": tags,
            "owner": owner,
            "versions": json.dumps(versions()),
            **_record_values(comparison),
        }
        columns = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        try:
            with self._transaction() as conn:
                cur = conn.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", row)
                return _inserted_id(cur)
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"the run could not be saved to {self.path}: {exc}. It is kept in this browser "
                f"session; make the folder writable or set EXPLORER_DATA_DIR"
            ) from None

    def update(self, run_id: int, comparison: Comparison, owner: str | None = None) -> None:
        """Replace a run's record (history, status, summary); `owner=None` keeps its owner, ""
        clears it. MissingRun if the run is gone (deleted while it trained)."""
        values = _record_values(comparison)
        if owner is not None:
            values["owner"] = owner
        assignments = ", ".join(f"{c} = :{c}" for c in values)
        try:
            with self._transaction() as conn:
                cur = conn.execute(
                    f"UPDATE runs SET {assignments} WHERE id = :id", {**values, "id": int(run_id)}
                )
                if cur.rowcount != 1:
                    raise MissingRun(run_id)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"run {run_id} could not be updated in {self.path}: {exc}") from None

    def load(self, run_id: int) -> Comparison:
        with self._connect() as conn:
            row = conn.execute("SELECT data FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if row is None:
            raise MissingRun(run_id)
        return Comparison.from_dict(json.loads(row[0]))

    def details(self, run_id: int) -> dict[str, Any]:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT created, name, tags, versions FROM runs WHERE id = ?", (int(run_id),)
            ).fetchone()
        if row is None:
            raise MissingRun(run_id)
        return {"created": row[0], "name": row[1], "tags": row[2], "versions": json.loads(row[3])}

    def runs(self, limit: int | None = None, offset: int = 0, query: str = "") -> list[RunSummary]:
        """Runs newest first, `limit` of them from `offset`, those matching `query` (plain text,
        any case, in the id, name, tags, dataset, model, activations or status)."""
        where, values = _like(query)
        page = {"limit": -1 if limit is None else int(limit), "offset": int(offset)}
        sql = f"SELECT {_LISTED} FROM runs{where} ORDER BY id DESC LIMIT :limit OFFSET :offset"
        with self._connect() as conn:
            rows = conn.execute(sql, {**values, **page}).fetchall()
        return [RunSummary(*row) for row in rows]

    def count(self, query: str = "") -> int:
        """How many runs match `query` (all of them when empty), as `runs` filters."""
        where, values = _like(query)
        with self._connect() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM runs{where}", values).fetchone()[0]

    def summaries(self, ids: Iterable[int]) -> dict[int, RunSummary]:
        """The runs among `ids` that exist, by id: a cheap check of a selection."""
        wanted = json.dumps([int(i) for i in ids])
        sql = f"SELECT {_LISTED} FROM runs WHERE id IN (SELECT value FROM json_each(?))"
        with self._connect() as conn:
            rows = conn.execute(sql, (wanted,)).fetchall()
        return {row[0]: RunSummary(*row) for row in rows}

    def interrupt_orphans(self, is_alive: Callable[[str], bool]) -> list[int]:
        """Mark "interrupted" every queued or running run that no live process owns (its server
        died); returns their ids. Call it when a server starts, with `owner_alive`."""
        with self._connect() as conn:
            active = conn.execute(
                "SELECT id, owner FROM runs WHERE status IN (?, ?)", ACTIVE
            ).fetchall()
        orphans = [(run_id, owner) for run_id, owner in active if not owner or not is_alive(owner)]
        done = []
        with self._transaction() as conn:
            for run_id, owner in orphans:
                # Still as it was read: a run a live server took meanwhile is left alone.
                row = conn.execute(
                    "SELECT data FROM runs WHERE id = ? AND owner = ? AND status IN (?, ?)",
                    (run_id, owner, *ACTIVE),
                ).fetchone()
                if row is None:
                    continue
                try:
                    data = _interrupted(row[0])
                except (ValueError, KeyError, TypeError, AttributeError):
                    data = row[0]  # unreadable history: the listing still says interrupted
                conn.execute(
                    "UPDATE runs SET status = ?, owner = '', data = ? WHERE id = ?",
                    (INTERRUPTED, data, run_id),
                )
                done.append(run_id)
        return done

    def rename(self, run_id: int, name: str) -> None:
        self._update(run_id, "name", name.strip()[:120])

    def set_tags(self, run_id: int, tags: str) -> None:
        clean = ", ".join(t.strip() for t in tags.split(",") if t.strip())[:200]
        self._update(run_id, "tags", clean)

    def _update(self, run_id: int, column: str, value: str) -> None:
        with self._transaction() as conn:
            if (
                conn.execute(
                    f"UPDATE runs SET {column} = ? WHERE id = ?", (value, int(run_id))
                ).rowcount
                != 1
            ):
                raise MissingRun(run_id)

    def delete(self, run_id: int) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM runs WHERE id = ?", (int(run_id),))

    # --- sweeps ---
    def save_sweep(self, grid: dict[str, Any], runs: list[tuple[int, int, int]], name: str = ""):
        """Add a sweep (its runs are already saved); returns its id."""
        try:
            with self._transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO sweeps (created, name, grid, runs) VALUES (?, ?, ?, ?)",
                    (time.time(), name.strip()[:200], json.dumps(grid), json.dumps(runs)),
                )
                return _inserted_id(cur)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the sweep could not be saved to {self.path}: {exc}") from None

    def set_sweep_runs(self, sweep_id: int, runs: list[tuple[int, int, int]]) -> None:
        try:
            with self._transaction() as conn:
                conn.execute(
                    "UPDATE sweeps SET runs = ? WHERE id = ?", (json.dumps(runs), sweep_id)
                )
        except sqlite3.OperationalError as exc:
            raise StoreError(f"sweep {sweep_id} could not be saved in {self.path}: {exc}") from None

    def sweep(self, sweep_id: int) -> SweepRow:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, created, name, grid, runs FROM sweeps WHERE id = ?", (int(sweep_id),)
            ).fetchone()
        if row is None:
            raise MissingRun(sweep_id, "sweep")
        return _sweep_row(row)

    def sweeps(self, limit: int | None = None) -> list[SweepRow]:
        """Sweeps newest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created, name, grid, runs FROM sweeps ORDER BY id DESC LIMIT ?",
                (-1 if limit is None else int(limit),),
            ).fetchall()
        return [_sweep_row(row) for row in rows]

    def delete_sweep(self, sweep_id: int) -> None:
        """Forget a sweep; its runs stay (delete them on the Runs page)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM sweeps WHERE id = ?", (int(sweep_id),))

    # --- tasks (core/serve/tasks.py) ---
    def save_task(
        self,
        kind: str,
        state: dict[str, Any],
        status: str,
        name: str = "",
        owner: str = "",
        key: str = "",
    ) -> int:
        """Add a task; returns its id."""
        try:
            with self._transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO tasks (kind, key, created, name, status, owner, runs, data) "
                    "VALUES (?, ?, ?, ?, ?, ?, '[]', ?)",
                    (kind, key, time.time(), name.strip()[:200], str(status), owner, _json(state)),
                )
                return _inserted_id(cur)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"the {kind} could not be saved to {self.path}: {exc}") from None

    def update_task(
        self,
        task_id: int,
        status: str,
        state: dict[str, Any],
        owner: str = "",
        runs: list[int] | None = None,
    ) -> None:
        sets, values = "status = ?, owner = ?, data = ?", [str(status), owner, _json(state)]
        if runs is not None:
            sets, values = sets + ", runs = ?", [*values, json.dumps([int(r) for r in runs])]
        try:
            with self._transaction() as conn:
                changed = conn.execute(
                    f"UPDATE tasks SET {sets} WHERE id = ?", (*values, int(task_id))
                ).rowcount
        except sqlite3.OperationalError as exc:
            raise StoreError(f"task {task_id} could not be saved in {self.path}: {exc}") from None
        if changed != 1:
            raise MissingRun(task_id, "task")

    def task(self, task_id: int, kind: str | None = None) -> TaskRow:
        """A task by id (of `kind`, when given; raises MissingRun otherwise)."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (int(task_id),)
            ).fetchone()
        if row is None or (kind is not None and row[1] != kind):
            raise MissingRun(task_id, kind or "task")
        return _task_row(row)

    def tasks(
        self,
        kind: str | None = None,
        key: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[TaskRow]:
        """Tasks newest first, of `kind`, `key` and `status` when given."""
        where, values = [], []
        for column, value in (("kind", kind), ("key", key), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                values.append(str(value))
        sql = f"SELECT {_TASK_COLUMNS} FROM tasks"
        sql += f" WHERE {' AND '.join(where)}" if where else ""
        sql += " ORDER BY id DESC LIMIT ?"
        with self._connect() as conn:
            rows = conn.execute(sql, (*values, -1 if limit is None else int(limit))).fetchall()
        return [_task_row(row) for row in rows]

    def interrupt_tasks(self, is_alive: Callable[[str], bool]) -> list[int]:
        """Mark "interrupted" every active task that no live process owns (its server died);
        returns their ids. A state that says its own status (a search's) says so too."""
        with self._connect() as conn:
            active = conn.execute(
                "SELECT id, owner FROM tasks WHERE status IN (?, ?, ?)", TASK_ACTIVE
            ).fetchall()
        orphans = [(i, owner) for i, owner in active if not owner or not is_alive(owner)]
        done = []
        with self._transaction() as conn:
            for task_id, owner in orphans:
                row = conn.execute(
                    "SELECT data FROM tasks WHERE id = ? AND owner = ? AND status IN (?, ?, ?)",
                    (task_id, owner, *TASK_ACTIVE),
                ).fetchone()
                if row is None:
                    continue  # a live server took it meanwhile
                data = json.loads(row[0])
                if isinstance(data, dict) and "status" in data:
                    data["status"] = INTERRUPTED
                    data["ended"] = "interrupted: the server stopped while it ran"
                conn.execute(
                    "UPDATE tasks SET status = ?, owner = '', data = ? WHERE id = ?",
                    (INTERRUPTED, _json(data), task_id),
                )
                done.append(task_id)
        return done

    def delete_task(self, task_id: int) -> None:
        """Forget a task; its runs stay (delete them on the Runs page)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM tasks WHERE id = ?", (int(task_id),))

    # --- searches: tasks of kind "search" ---
    def save_search(self, state: dict[str, Any], name: str = "", owner: str = "") -> int:
        """Add a search (its state as SearchState.to_dict() gives it); returns its id."""
        return self.save_task("search", state, state["status"], name, owner)

    def update_search(self, search_id: int, state: dict[str, Any], owner: str = "") -> None:
        self.search(search_id)  # a search, not another kind of task
        self.update_task(search_id, state["status"], state, owner)

    def search(self, search_id: int) -> SearchRow:
        return _search_row(self.task(search_id, "search"))

    def searches(self, limit: int | None = None) -> list[SearchRow]:
        """Searches newest first."""
        return [_search_row(row) for row in self.tasks("search", limit=limit)]

    def delete_search(self, search_id: int) -> None:
        """Forget a search; its batches' runs stay (delete them on the Runs page)."""
        self.search(search_id)
        self.delete_task(search_id)


_TASK_COLUMNS = "id, kind, key, created, name, status, owner, runs, data"


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, allow_nan=True)


def _task_row(row) -> TaskRow:
    runs = [int(r) for r in json.loads(row[7])]
    return TaskRow(
        int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], runs, json.loads(row[8])
    )


def _search_row(task: TaskRow) -> SearchRow:
    return SearchRow(task.id, task.created, task.name, task.status, task.owner, task.state)


def _sweep_row(row) -> SweepRow:
    runs = [(int(d), int(w), int(r)) for d, w, r in json.loads(row[4])]
    return SweepRow(int(row[0]), row[1], row[2], json.loads(row[3]), runs)


def _inserted_id(cursor: sqlite3.Cursor) -> int:
    """The row id an INSERT just gave (sqlite3 types it as optional: None after other kinds of
    statement only)."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid
