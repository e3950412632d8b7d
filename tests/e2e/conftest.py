"""Browser tests: a real `streamlit run explorer.py` on a free loopback port, driven by Debian's
headless Chromium through Playwright. Without a browser they are skipped with a message naming
what to install; with EXPLORER_REQUIRE_BROWSER=1 (CI) a missing browser is a failure."""

from __future__ import annotations

import os

import pytest

from bench.browser import CHROMIUM_ARGS, chromium_path, streamlit_server


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        message = (
            "no Chromium found: install Debian's chromium (apt-get install chromium) to run the "
            "browser tests"
        )
        if os.environ.get("EXPLORER_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e-data")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


class _SharedServer:
    """One `streamlit run explorer.py` for the browser tests, started again after a test that
    failed. A failed test can leave work on the server (CI: a 200-epoch job whose Stop click
    timed out trained on, the next test's tiny search missed its 300 s budget beside it, and
    the test after that read the search's batch as its newest run): three failures for one.
    Killing the server ends that work; its runs are marked interrupted when the next one
    starts, as after any dead server."""

    def __init__(self, data_dir):
        self.env = {"EXPLORER_DATA_DIR": str(data_dir)}
        self.context = None
        self.current = None

    def get(self):
        if self.current is None:
            self.context = streamlit_server("explorer.py", env=self.env)
            url, proc, _ = self.context.__enter__()
            self.current = (url, proc)
        return self.current

    def stop(self):
        if self.context is not None:
            self.context.__exit__(None, None, None)
        self.context = self.current = None


@pytest.fixture(scope="session")
def _shared_server(data_dir):
    shared = _SharedServer(data_dir)
    yield shared
    shared.stop()


@pytest.fixture()
def server(_shared_server, request):
    yield _shared_server.get()
    if request.node.stash.get(_FAILED, False):
        _shared_server.stop()


@pytest.fixture()
def page(chromium, server):
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def _data_dir(data_dir, monkeypatch):
    # The browser tests read the same run store the server writes.
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(data_dir))
