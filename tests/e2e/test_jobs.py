"""Training that nothing on the page can lose, in a real browser on a real server: display
changes, a closed tab, Stop mid-epoch, a queue of two sessions, and a server killed mid-job.

Each check adds a summary line (`display changes survived = N/N`, `stop latency s = X`,
`queue ok`, `kill -9 survived`) to the test report.
"""

from __future__ import annotations

import re
import time

import numpy as np

from bench.browser import streamlit_server
from core.serve.store import RunStore
from tests.conftest import SCREENSHOTS
from tests.e2e.helpers import (
    SUMMARY,
    errors,
    grid_has,
    open_page,
    page_button,
    sidebar_link,
    trained_alone,
)

# About half a second an epoch here: 60 epochs leave time to click around while it trains.
SIXTY = "train?act=relu,tanh&data=friedman&n=20000&depth=2&width=256&bs=64&ep=60"
# Epochs of 20 s and more: a stop that waited for the epoch's end would be seen.
LONG = "train?act=relu,tanh&data=friedman&n=20000&depth=8&width=512&bs=32&ep=10"
PROGRESS = '[data-testid="stProgress"]'


def _train(page) -> None:
    page.get_by_role("button", name="Train", exact=True).click()


def _epochs_done(page) -> int:
    """Finished epochs, read from the live progress line ("Epoch 4/60 · …" = 3 done)."""
    text = " ".join(page.locator(PROGRESS).all_inner_texts())
    match = re.search(r"Epoch (\d+)/(\d+)", text)
    return int(match.group(1)) - 1 if match else -1


def _wait_epochs(page, at_least: int, timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    while (done := _epochs_done(page)) < at_least:
        assert time.monotonic() < deadline, f"still at {done} epochs"
        time.sleep(0.2)
    return done


def _stop_button(page):
    return page_button(page, "Stop")


def _run_id(page) -> int:
    return int(re.search(r"[?&]job=(\d+)", page.url).group(1))


def test_display_changes_never_touch_a_running_job(page, server):
    url, _ = server
    open_page(page, f"{url}/{SIXTY}")
    _train(page)
    _wait_epochs(page, 2)
    run_id = _run_id(page)
    survived, changes = (
        0,
        {
            "log-scale y": lambda: page.get_by_text("Log-scale y").click(),
            "smoothing": lambda: (
                page.locator('[data-testid="stSlider"]')
                .filter(has_text="Smoothing")
                .get_by_role("slider")
                .press("ArrowRight")
            ),
            "x axis": lambda: page.get_by_text("time", exact=True).click(),
            "gallery and back": lambda: (
                sidebar_link(page, "Gallery").click(),
                page.get_by_role("heading", name="Gallery").wait_for(timeout=60_000),
                sidebar_link(page, "Train").click(),
            ),
        },
    )
    for change in changes.values():
        before = _epochs_done(page)
        change()
        after = _wait_epochs(page, max(before, 0) + 1, timeout=120)
        survived += RunStore().summaries([run_id])[run_id].status == "running" and after > before
    # No click between two screenshots 3 s apart: the later one shows more epochs.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first = _epochs_done(page)
    page.screenshot(path=str(SCREENSHOTS / "train-live-1.png"), full_page=True)
    time.sleep(3)
    second = _epochs_done(page)
    page.screenshot(path=str(SCREENSHOTS / "train-live-2.png"), full_page=True)
    assert second > first >= 0, (first, second)
    # The job is still the one that was started: Stop ends it, and what it saved has every
    # finished epoch in every branch. (Training on to epoch 60 took a minute and more of the
    # suite; a finished run's history is checked by the closed-tab test below.)
    _stop_button(page).click()
    page.get_by_text("Stopped after").first.wait_for(timeout=60_000)
    saved = RunStore().load(run_id)
    assert saved.status == "stopped" and saved.epochs_done >= second
    assert all(len(b.loss) == saved.epochs_done for b in saved.branches)
    assert errors(page) == []
    SUMMARY.append(f"display changes survived = {survived}/{len(changes)}")
    assert survived == len(changes)


def test_a_closed_tab_loses_nothing(chromium, server):
    url, _ = server
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    open_page(page, f"{url}/{SIXTY.replace('ep=60', 'ep=8')}")
    _train(page)
    _wait_epochs(page, 1)
    run_id = _run_id(page)
    context.close()  # the tab is gone; the job is not
    deadline = time.monotonic() + 300
    while RunStore().summaries([run_id])[run_id].status == "running":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    other = chromium.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = other.new_page()
        open_page(page, f"{url}/runs?runs={run_id}")
        assert grid_has(page, "finished")
        saved = RunStore().load(run_id)
        assert saved.status == "finished" and saved.epochs_done == 8
        assert all(len(b.loss) == len(b.val_loss) == 8 for b in saved.branches)
    finally:
        other.close()


def test_stop_ends_a_long_epoch_mid_way_and_keeps_the_run(page, server):
    # Fails if Stop waits for the epoch to end (the run would keep epoch 1: an epoch is
    # hundreds of batches here, so a stop that ends it mid-way leaves 0 epochs done and the
    # dropped-epoch line), or if the stopped run loses its configuration. The time from the click
    # to "Stopped after" is reported in the summary, not judged: loaded, CI once took 2.1 s.
    url, _ = server
    open_page(page, f"{url}/{LONG}")
    _train(page)
    page.get_by_text(re.compile(r"batch [1-9]\d*/")).first.wait_for(timeout=300_000)
    run_id = _run_id(page)
    _stop_button(page).click()
    clicked = time.monotonic()  # click() returns once the click is dispatched to the page
    page.get_by_text("Stopped after").first.wait_for(timeout=30_000)
    latency = time.monotonic() - clicked
    SUMMARY.append(f"stop latency s = {latency:.2f}")
    saved = RunStore().load(run_id)
    assert saved.status == "stopped" and saved.epochs_done == 0
    assert saved.config.epochs == 10  # its configuration is kept
    assert page.get_by_text("The unfinished epoch 1 was dropped").count() == 1


def test_two_sessions_share_one_worker_in_turn_and_get_their_own_runs(chromium, server):
    url, _ = server  # this server trains one job at a time (EXPLORER_MAX_JOBS unset)
    queries = [SIXTY.replace("ep=60", "ep=8"), "train?act=gelu,elu&data=friedman&n=4000&ep=4"]
    contexts = [chromium.new_context(viewport={"width": 1400, "height": 900}) for _ in queries]
    pages = [c.new_page() for c in contexts]
    try:
        for page, query in zip(pages, queries, strict=True):
            open_page(page, f"{url}/{query}")
        _train(pages[0])
        _wait_epochs(pages[0], 0)
        _train(pages[1])
        pages[1].get_by_text("Queued — 2nd in line").first.wait_for(timeout=60_000)
        ids = [_run_id(p) for p in pages]
        for page in pages:
            page.get_by_text("Saved as run").first.wait_for(timeout=300_000)
            assert errors(page) == []
    finally:
        for c in contexts:
            c.close()
    assert ids[0] != ids[1]
    for run_id, query in zip(ids, queries, strict=True):
        together = RunStore().load(run_id)
        wanted = re.search(r"act=([^&]+)", query).group(1).split(",")
        assert list(together.config.activations) == wanted  # each session got its own run
        alone = trained_alone(together.config)
        for a, b in zip(together.branches, alone.branches, strict=True):
            np.testing.assert_allclose(a.loss, b.loss, rtol=1e-6)
            np.testing.assert_allclose(a.val_loss, b.val_loss, rtol=1e-6)
    SUMMARY.append("queue ok: the second session waited, then both equal their runs alone")


def test_a_server_killed_mid_job_shows_the_run_interrupted_with_its_epochs(
    chromium, tmp_path, monkeypatch
):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    env = {"EXPLORER_DATA_DIR": str(tmp_path)}
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    with streamlit_server("explorer.py", env=env) as (url, proc, _):
        open_page(page, f"{url}/{SIXTY}")
        _train(page)
        _wait_epochs(page, 3)
        run_id = _run_id(page)
        proc.kill()  # SIGKILL: no clean-up of any kind
        proc.wait()
    kept = RunStore().load(run_id)
    assert kept.status == "running" and kept.epochs_done >= 2
    with streamlit_server("explorer.py", env=env) as (url, _, _):
        open_page(page, f"{url}/runs?runs={run_id}")
        assert grid_has(page, f"interrupted at epoch {kept.epochs_done}")
        assert errors(page) == []
    again = RunStore().load(run_id)
    assert again.status == "interrupted" and again.epochs_done == kept.epochs_done
    page.close()
    SUMMARY.append(f"kill -9 survived: run {run_id} interrupted at epoch {again.epochs_done}")
