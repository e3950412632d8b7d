"""Reliability under load, over time and under bad input, against real servers on loopback.

Each check adds a summary line (`concurrency ok 3/3`, `soak rss growth MB = N`,
`bad inputs handled = N/N`) to the test report.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.browser import streamlit_server
from core.serve.store import RunStore
from tests.e2e.helpers import (
    SUMMARY,
    errors,
    open_page,
    options_of,
    page_button,
    sidebar_link,
    trained_alone,
    type_into,
    wait_idle,
)

CONFIGS = [
    "act=relu,tanh&ep=2&n=800",
    "act=gelu,SinActivation&ep=2&n=800&opt=sgd&lr=0.1",
    "act=elu,sigmoid&ep=2&n=800&depth=2&width=32&seeds=2",
]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_concurrent_sessions_get_what_each_would_get_alone(chromium, tmp_path, monkeypatch):
    # Three jobs training at once in one server (the queue allows 3 here), each equal to the same
    # configuration trained alone: the fused engine shares nothing between jobs.
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    env = {"EXPLORER_DATA_DIR": str(tmp_path), "EXPLORER_MAX_JOBS": "3"}
    with streamlit_server("explorer.py", env=env) as (url, _, _):
        _three_sessions_at_once(chromium, url)


def _three_sessions_at_once(chromium, url):
    before = {r.id for r in RunStore().runs()}
    contexts = [chromium.new_context(viewport={"width": 1400, "height": 900}) for _ in CONFIGS]
    pages = [c.new_page() for c in contexts]
    try:
        # Session 0 adds a custom; no other session may see it.
        open_page(pages[0], f"{url}/custom")
        type_into(pages[0], "Name", "only_in_session_0")
        pages[0].get_by_role("button", name="Add to this session").click()
        wait_idle(pages[0])
        # The session that added the custom has it on Train (reached within the session; a new
        # URL typed in the address bar would start a new session).
        sidebar_link(pages[0], "Train").click()
        wait_idle(pages[0])
        assert "only_in_session_0" in options_of(pages[0], "Activations", "only_in")
        for page, query in zip(pages, CONFIGS, strict=True):
            open_page(page, f"{url}/train?{query}")
        # No other session sees it.
        assert "only_in_session_0" not in options_of(pages[1], "Activations", "only_in")
        for page in pages:  # three trainings running on one server at once
            page.get_by_role("button", name="Train", exact=True).click()
        for page in pages:
            page.get_by_text("Saved as run").first.wait_for(timeout=300_000)
            assert errors(page) == []
    finally:
        for c in contexts:
            c.close()
    new = [r for r in RunStore().runs() if r.id not in before]
    assert len(new) == 3
    # The three trainings really ran at once: each started before any of them had ended.
    records = [RunStore().load(r.id) for r in new]
    windows = [(c.started, c.started + sum(c.epoch_seconds)) for c in records]
    assert max(start for start, _ in windows) < min(end for _, end in windows), windows
    matched = 0
    for summary in new:
        together = RunStore().load(summary.id)
        alone = trained_alone(together.config)
        assert len(together.branches) == len(alone.branches) > 0
        for a, b in zip(together.branches, alone.branches, strict=True):
            assert len(a.loss) == len(b.loss) == together.config.epochs
            np.testing.assert_allclose(a.loss, b.loss, rtol=1e-5)
            np.testing.assert_allclose(a.val_metric, b.val_metric, rtol=1e-5)
        matched += 1
    SUMMARY.append(f"concurrency ok {matched}/3")


SOAK_RUNS = 12


@pytest.mark.slow
def test_soak_12_trainings_in_one_server(chromium, tmp_path):
    # Fails if each training leaves memory behind in the server. Growth is read from run 5 on
    # (the first runs fill caches and compile). 25 MB over 7 runs: the leak fixed earlier (a
    # Keras optimizer inside the traced epoch) grew 176 MB over 20 runs, 88 MB over 10; healthy
    # runs of 20 trainings grew -7 to 11 MB in eleven CI runs (2026-12-06/07). 12 runs, not 25:
    # that leak grows 62 MB over the seven after the fifth, well past the 25 MB allowed, and
    # each run fewer is a training less on every CI run.
    with streamlit_server("explorer.py", env={"EXPLORER_DATA_DIR": str(tmp_path)}) as (
        url,
        proc,
        _,
    ):
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        open_page(page, f"{url}/train?act=relu,tanh,SinActivation&ep=1&n=600")
        rss = []
        for i in range(SOAK_RUNS):
            page.get_by_role("button", name="Train", exact=True).click()
            page.get_by_text(f"Saved as run {i + 1}:").first.wait_for(timeout=120_000)
            wait_idle(page)
            rss.append(_rss_mb(proc.pid))
        assert errors(page) == []
        growth = rss[-1] - rss[4]
        SUMMARY.append(
            f"soak rss growth MB = {growth:.0f} "
            f"(after run 5: {rss[4]:.0f} MB, after run {SOAK_RUNS}: {rss[-1]:.0f} MB)"
        )
        assert growth < 25
        open_page(page, f"{url}/runs")  # still answers
        assert len(RunStore(tmp_path / "runs.sqlite").runs()) == SOAK_RUNS
        page.close()


def _no_crash(page) -> bool:
    return page.locator('[data-testid="stException"]').count() == 0


def test_bad_input_gets_a_message_and_the_app_keeps_working(chromium, server, tmp_path):
    url, _ = server
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    checks = {}

    def shows(text: str) -> bool:
        return page.get_by_text(text).count() > 0

    open_page(page, f"{url}/train?ep=0&act=relu")
    checks["0 epochs"] = _no_crash(page) and shows("Ignored “ep=0”")
    open_page(page, f"{url}/train?lr=1e9&act=relu")
    checks["learning rate 1e9"] = _no_crash(page) and shows("Ignored “lr=1e9”")
    open_page(page, f"{url}/train?act=relu&bs=4096&n=500&ep=1")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Saved as run").first.wait_for(timeout=120_000)
    checks["batch larger than the data"] = _no_crash(page) and errors(page) == []
    open_page(page, f"{url}/train?act=relu&opt=sgd&lr=1&data=friedman&ep=2")
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Saved as run").first.wait_for(timeout=120_000)
    checks["learning rate 1 with sgd"] = _no_crash(page)
    # 50 epochs: minutes even on the 5,000-digit offline MNIST, so the estimate always shows.
    open_page(page, f"{url}/train?act=relu&data=mnist&n=0&ep=50&depth=20&width=1024")
    checks["depth 20 × width 1024 warns"] = _no_crash(page) and shows("on this machine")
    for path in (
        "gallery?pick=%00zz&x=abc&show=",
        "train?act=%3Cscript%3E&ep=-1&data=cifar&bs=x",
        "runs?runs=abc,,9999",
    ):
        open_page(page, f"{url}/{path}")
        checks[f"garbage link /{path.split('?')[0]}"] = (
            _no_crash(page) and errors(page) == [] and shows("Ignored")
        )
    open_page(page, f"{url}/custom")
    type_into(page, "f(x) =", "9**9**9 * x")
    checks["overflowing constant"] = _no_crash(page) and shows("Not accepted")
    type_into(page, "f(x) =", "exp(exp(exp(x)))")
    checks["expression that overflows to inf"] = _no_crash(page) and shows("NaN/inf")

    open_page(
        page,
        f"{url}/train?act=relu,tanh&data=mnist&opt=adam&lr=0.001&bs=256&ep=200&n=8000&width=1024&depth=4",
    )
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Epoch 2/200").first.wait_for(timeout=300_000)  # one epoch is done
    page_button(page, "Stop").click()
    page.get_by_text("Saved as run").first.wait_for(timeout=120_000)
    wait_idle(page)
    stopped = RunStore().runs()[0]
    checks["stopped mid-run keeps what was trained"] = (
        _no_crash(page)
        and shows("Stopped after")
        and stopped.status == "stopped"
        and stopped.best_val_loss is not None
    )

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with streamlit_server("explorer.py", env={"EXPLORER_DATA_DIR": str(blocker / "data")}) as (
        bad_url,
        _,
        _,
    ):
        open_page(page, f"{bad_url}/train?act=relu&ep=1&n=500")
        page.get_by_role("button", name="Train", exact=True).click()
        page.get_by_text("Finished").first.wait_for(timeout=120_000)
        wait_idle(page)
        checks["unusable data folder"] = (
            _no_crash(page)
            and shows("Runs cannot be saved")
            and page.locator(".js-plotly-plot").count() >= 2  # loss, accuracy (and inside)
        )
    page.close()
    handled = sum(checks.values())
    SUMMARY.append(f"bad inputs handled = {handled}/{len(checks)}")
    assert handled == len(checks), [k for k, ok in checks.items() if not ok]
