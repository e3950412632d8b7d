"""A download made on the click reaches the browser even when the page redraws itself meanwhile
(ui/runtime.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.browser import streamlit_server

APP = Path(__file__).with_name("download_app.py")


@pytest.fixture(scope="module")
def small_app():
    with streamlit_server(APP) as (url, _, _):
        yield url


def test_a_made_file_outlives_the_redraws_before_the_browser_fetches_it(chromium, small_app):
    # Fails if the file of a click is deleted by the page's own redraws before the browser asks
    # for it: the loaded CI run's "Download.path: canceled" on the Playground's Share image. The
    # app answers the click only after two script runs of its self-refreshing view have ended,
    # as a busy machine did. Streamlit's own deferred download, in the same conditions, must
    # fail: else this app no longer reproduces the loss and the second half proves nothing.
    page = chromium.new_page()
    try:
        page.goto(small_app)
        page.get_by_text("tick").first.wait_for(timeout=60_000)
        with page.expect_download(timeout=120_000) as plain:
            page.get_by_role("button", name="Plain").click()
        with pytest.raises(Exception, match="canceled"):
            plain.value.path()
        for _ in range(2):  # a second click makes the file again, kept as the first
            with page.expect_download(timeout=120_000) as kept:
                page.get_by_role("button", name="Kept").click()
            assert Path(kept.value.path()).read_bytes() == b"kept " * 40_000
    finally:
        page.close()
