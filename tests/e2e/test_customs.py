"""Your activation travels, in a real browser (issue 30, point 1): two customs typed on Custom and
trained on Train survive a reload mid-training (the form, the customs and the run come back),
and the page's link opened in a new browser on a restarted server brings them back too."""

from __future__ import annotations

import re
import time

from bench.browser import streamlit_server
from core.serve.store import RunStore
from tests.e2e.helpers import (
    errors,
    open_page,
    page_button,
    pick,
    sidebar_link,
    type_into,
    wait_idle,
)

# About half a second an epoch: long enough to reload while it trains.
SETTINGS = "train?act=relu&data=friedman&n=20000&depth=2&width=256&bs=64&ep=60"
CUSTOMS = {"my_sin": "tf.math.sin(x)", "my_elu": "tf.where(x > 0, x, tf.exp(x) - 1)"}
PROGRESS = '[data-testid="stProgress"]'


def _chips(page) -> str:
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Activations").first
    return box.inner_text()


def _link_warnings(page) -> list[str]:
    texts = page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()
    return [t for t in texts if "link" in t.lower()]


def _wait_for_progress(page, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not re.search(r"Epoch ([2-9]|\d\d)/", " ".join(page.locator(PROGRESS).all_inner_texts())):
        assert time.monotonic() < deadline, "no second epoch on the page"
        time.sleep(0.2)


def test_customs_survive_a_reload_mid_training_and_a_restarted_server(
    chromium, tmp_path, monkeypatch
):
    # Fails if a reload forgets the customs (before: "Ignored act=relu,my_elu_like,my_sin" and
    # the form reset while the old run still showed), or if a copied link needs the session
    # that made it.
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))
    env = {"EXPLORER_DATA_DIR": str(tmp_path)}
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    with streamlit_server("explorer.py", env=env) as (url, proc, _):
        open_page(page, f"{url}/{SETTINGS}")
        sidebar_link(page, "Custom").click()
        wait_idle(page)
        for name, expression in CUSTOMS.items():
            type_into(page, "f(x) =", expression)
            type_into(page, "Name", name)
            page.get_by_role("button", name="Add to this session").click()
            wait_idle(page)
        sidebar_link(page, "Train").click()
        wait_idle(page)
        for name in CUSTOMS:
            pick(page, "Activations", name)
        page.get_by_role("button", name="Train", exact=True).click()
        _wait_for_progress(page)
        run_id = int(re.search(r"[?&]job=(\d+)", page.url).group(1))

        page.reload()
        wait_idle(page)
        assert _link_warnings(page) == [] and errors(page) == []
        chips = _chips(page)
        assert all(name in chips for name in ("relu", *CUSTOMS)), chips
        page.locator(PROGRESS).first.wait_for(timeout=30_000)  # the run, still training
        assert "ep=60" in page.url and "n=20000" in page.url  # the form kept its settings
        page_button(page, "Stop").click()
        page.get_by_text("Stopped after").first.wait_for(timeout=120_000)
        shared = page.url
    context.close()
    saved = RunStore().load(run_id)
    assert saved.status == "stopped" and set(saved.customs) == set(CUSTOMS)

    # A new browser on a restarted server: the link alone brings the customs and the run back.
    other = chromium.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = other.new_page()
        with streamlit_server("explorer.py", env=env) as (url, _, _):
            open_page(page, re.sub(r"^http://[^/]+", url, shared))
            assert _link_warnings(page) == [] and errors(page) == []
            chips = _chips(page)
            assert all(name in chips for name in ("relu", *CUSTOMS)), chips
            page.get_by_text("Stopped after").first.wait_for(timeout=60_000)
            sidebar_link(page, "Gallery").click()
            wait_idle(page)
            gallery = page.locator('[data-testid="stMultiSelect"]').first
            gallery.locator("input").click()
            gallery.locator("input").fill("my_")
            offered = page.get_by_role("option").all_inner_texts()
            assert set(CUSTOMS) <= set(offered), offered
    finally:
        other.close()
