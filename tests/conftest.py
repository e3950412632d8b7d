"""Every test gets its own data folder, so no test touches a user's run store.

The suite runs on two pytest-xdist workers (pyproject.toml): the browser tests spend most of
their time waiting for a page or a server, which the other worker fills. Tests that start a Ray
cluster share one worker (the "ray" group), so two local clusters never start at once."""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

import core  # noqa: F401  (TensorFlow's process settings: test modules import TensorFlow first)

# The browser tests' reliability lines (tests/e2e/helpers.py SUMMARY): each worker writes its own
# at its end, and the run's summary prints them all.
SUMMARY_DIR = Path(tempfile.gettempdir()) / "activation-explorer-reliability"
SCREENSHOTS = Path(
    os.environ.get("EXPLORER_SCREENSHOTS")
    or Path(tempfile.gettempdir()) / "activation-explorer-screenshots"
)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "explorer-data"))


def _worker(config) -> str | None:
    return getattr(config, "workerinput", {}).get("workerid")


def pytest_sessionstart(session):
    if _worker(session.config) is None:  # the run itself, not one of its workers
        shutil.rmtree(SUMMARY_DIR, ignore_errors=True)


def pytest_sessionfinish(session):
    helpers = sys.modules.get("tests.e2e.helpers")
    if helpers is not None and helpers.SUMMARY:
        SUMMARY_DIR.mkdir(exist_ok=True)
        name = _worker(session.config) or "main"
        (SUMMARY_DIR / f"{name}.txt").write_text("\n".join(helpers.SUMMARY))


def pytest_terminal_summary(terminalreporter):
    files = sorted(SUMMARY_DIR.glob("*.txt")) if SUMMARY_DIR.exists() else []
    if files:
        terminalreporter.section("reliability")
        for path in files:
            for line in path.read_text().splitlines():
                terminalreporter.write_line(line)
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"screenshots of every page (light and dark): {SCREENSHOTS}")


def _rank(item) -> int:
    """0: the longest kinds of test (a browser, a Ray cluster, the width-2048 networks, the
    experiments' bench), 1: other slow ones, 2: the rest."""
    path = Path(str(item.fspath)).as_posix()
    if "/tests/e2e/" in path or path.endswith("test_bench_experiments.py"):
        return 0
    if item.get_closest_marker("xdist_group"):
        return 0
    return 1 if item.get_closest_marker("slow") else 2


def _file(item) -> str:
    return item.nodeid.split("::")[0]


def pytest_collection_modifyitems(config, items):
    # The longest files first, so the two workers end together: in collection order the
    # experiments' bench (160 s) started last, and one worker waited 100 s for the other (CI,
    # 2026-12-07). A file keeps its tests' order, and every worker sorts the same collection.
    ranks: dict[str, int] = {}
    for item in items:
        ranks[_file(item)] = min(ranks.get(_file(item), 2), _rank(item))
    items.sort(key=lambda item: ranks[_file(item)])
