"""The run store: every finished or stopped comparison, in an embedded SQLite database.

One connection per operation (sessions run in threads), WAL so readers never block the writer,
every write in a transaction. A file that is not a readable database is moved aside and a
fresh one started; the store says so in `notice`. The schema is versioned and migrates.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from core import __version__
from core.record import Comparison
from core.settings import TrainConfig

SCHEMA_VERSION = 2
FILE_NAME = "runs.sqlite"


class StoreError(RuntimeError):
    """The store could not do what was asked; the message says why and what to do."""


def data_dir() -> Path:
    """`EXPLORER_DATA_DIR`, or a folder under the user's home."""
    return Path(
        os.environ.get("EXPLORER_DATA_DIR") or Path.home() / ".activation_explorer"
    ).expanduser()


@dataclass(frozen=True)
class RunSummary:
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


# v1 stored runs without a name or tags; v2 adds them. Each step takes the schema one version up.
_MIGRATIONS = {
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
}


def versions() -> dict[str, str]:
    """The versions a run was made with, from package metadata (TensorFlow is not imported)."""
    return {"tensorflow": version("tensorflow"), "keras": version("keras"), "app": __version__}


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
                    for statement in _MIGRATIONS[version]:
                        conn.execute(statement)
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
    def save(self, comparison: Comparison, name: str = "", tags: str = "") -> int:
        data = json.dumps(comparison.to_dict(), allow_nan=True)
        try:
            with self._transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO runs (created, status, data, versions, name, tags) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (time.time(), comparison.status, data, json.dumps(versions()), name, tags),
                )
                return int(cur.lastrowid)
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"the run could not be saved to {self.path}: {exc}. It is kept in this browser "
                f"session; make the folder writable or set EXPLORER_DATA_DIR"
            ) from None

    def load(self, run_id: int) -> Comparison:
        with self._connect() as conn:
            row = conn.execute("SELECT data FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if row is None:
            raise StoreError(f"there is no run {run_id}; it may have been deleted")
        return Comparison.from_dict(json.loads(row[0]))

    def details(self, run_id: int) -> dict[str, Any]:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT created, name, tags, versions FROM runs WHERE id = ?", (int(run_id),)
            ).fetchone()
        if row is None:
            raise StoreError(f"there is no run {run_id}; it may have been deleted")
        return {"created": row[0], "name": row[1], "tags": row[2], "versions": json.loads(row[3])}

    def runs(self) -> list[RunSummary]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created, name, tags, status, data FROM runs ORDER BY id DESC"
            ).fetchall()
        return [_summary(*row) for row in rows]

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
                raise StoreError(f"there is no run {run_id}; it may have been deleted")

    def delete(self, run_id: int) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM runs WHERE id = ?", (int(run_id),))


def _summary(run_id, created, name, tags, status, data) -> RunSummary:
    d = json.loads(data)
    cfg, branches = d["config"], d["branches"]
    higher = d["metric_name"] == "accuracy"
    val_losses = [v for b in branches for v in b["val_loss"]]
    val_metrics = [v for b in branches for v in b["val_metric"]]
    return RunSummary(
        id=run_id,
        created=created,
        name=name,
        tags=tags,
        dataset=cfg["dataset"],
        model=TrainConfig.from_dict(cfg).model_label,
        activations=", ".join(cfg["activations"]),
        status=status,
        best_val_loss=min(val_losses) if val_losses else None,
        best_val_metric=((max if higher else min)(val_metrics)) if val_metrics else None,
        metric_name=d["metric_name"],
    )
