"""The Playground in a browser: a link opens paused with one panel per activation, Play trains
live (the epoch counter and the panels move while the page is left alone), Pause and Step act,
Stop ends the run within a second, the run is on Runs, and the link reopens the same settings."""

import time
from pathlib import Path

from playwright.sync_api import expect

from core.serve.store import RunStore
from tests.e2e.helpers import (
    chart_titles,
    errors,
    open_page,
    page_button,
    playground_epoch,
    wait_idle,
)

LINK = "playground?act=tanh,relu,sigmoid&data=spiral&feat=x1,x2,sinx1,sinx2&net=8,8"


def _losses_line(page) -> str:
    # Under the panels (an image), each activation's latest test loss in words.
    return page.get_by_text("Test loss after epoch").first.inner_text()


def _download_share_image(page) -> None:
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Share image (PNG)").click()
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000  # the panels, drawn


def test_playground_trains_live_pauses_steps_stops_and_the_run_is_on_runs(page, server):
    # Fails if the page does not reach the browser whole (three panels titled with their
    # activation, the loss chart), if Play does not train on the server while the page refreshes
    # itself, if Pause / Step / Stop do not act (Stop within a second), or the run is lost.
    url, _ = server
    open_page(page, f"{url}/{LINK}")
    assert errors(page) == []
    expect(page.get_by_text("paused").first).to_be_visible(timeout=120_000)
    panels = page.locator('[data-testid="stImage"] img').first
    panels.wait_for(timeout=30_000)
    # Sent larger than shown (Streamlit caps it at 1460 px), so it is sharp on a high-DPI screen.
    assert panels.evaluate("img => img.naturalWidth > 1.4 * img.clientWidth")
    words = _losses_line(page)
    assert [w.split()[0] for w in words.split(": ")[1].split(" · ")] == ["tanh", "relu", "sigmoid"]
    assert chart_titles(page)[0].startswith("Loss")
    assert playground_epoch(page) == 0

    page.get_by_role("button", name="Play").click()
    # Left alone, the page shows training progress: the counter passes 20 and the panels'
    # losses change (the view refreshes itself; nothing here clicks).
    expect(page.get_by_text("training").first).to_be_visible(timeout=30_000)
    before = _losses_line(page)
    deadline = time.monotonic() + 120
    while playground_epoch(page) < 20:
        assert time.monotonic() < deadline, "the epoch counter did not move past 20"
        page.wait_for_timeout(250)
    expect(page.get_by_text("Test loss after epoch").first).not_to_have_text(before)
    # The share image downloads while the view redraws itself on its clock (a download drawn
    # inside that view got a new file id every 0.7 s and a click landed on a stale one).
    _download_share_image(page)

    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("paused").first).to_be_visible(timeout=10_000)
    paused = playground_epoch(page)
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text(f"Epoch {paused + 1:,}").first).to_be_visible(timeout=10_000)

    page.get_by_role("button", name="Play").click()
    expect(page.get_by_text("training").first).to_be_visible(timeout=10_000)
    clicked = time.monotonic()
    # In the page, not the header's own Stop (shown while a script run is in progress).
    page_button(page, "Stop").click()
    expect(page.get_by_text("stopped").first).to_be_visible(timeout=10_000)
    # The click's callback waits for the job to end: the page shows "stopped" only after it has.
    assert time.monotonic() - clicked < 5  # the click, the job's end (≤ 1 s) and the redraw
    assert errors(page) == []
    # The state the click needs: the page's run after Stop has ended ("stopped" shows while it
    # still draws; a click on the button of the run before lands on a file id that run's end
    # drops). Then, at once, the button must act.
    wait_idle(page)
    _download_share_image(page)

    run = RunStore().runs()[0]
    saved = RunStore().load(run.id)
    assert saved.status == "stopped" and saved.playground["layers"] == [8, 8]
    assert saved.epochs_done >= paused + 1
    shared = page.url
    open_page(page, f"{url}/runs?runs={run.id}")
    assert errors(page) == []
    assert len(chart_titles(page, 2)) >= 2

    # The copied link reopens the same settings, paused at initialisation (a new run).
    open_page(page, shared)
    expect(page.get_by_text("paused").first).to_be_visible(timeout=120_000)
    chips = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert "tanh" in chips and "relu" in chips and "sigmoid" in chips
    expect(page.get_by_role("textbox", name="Neurons per hidden layer")).to_have_value("8, 8")
