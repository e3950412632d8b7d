"""The browser harness that benchmarks, the README's screenshots and the browser tests share: start
`streamlit run` on a free port, find Chromium, open a page and wait until the app is idle, read
what a page shows. Nothing here imports tests/ (tests/test_layout.py checks)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from charts.exports import chromium_path  # noqa: E402,F401  (re-exported for the benchmarks and tests)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    script: str | Path, env: dict[str, str] | None = None, wait: bool = True, timeout: float = 90
):
    """`streamlit run script` on a free loopback port; yields (url, process, start time)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if wait:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        output = proc.stdout.read()[-2000:] if proc.stdout else ""
                        raise RuntimeError(f"streamlit did not start: {output}") from None
                    time.sleep(0.1)
        yield url, proc, started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


# The app's script state, as Streamlit's frontend keeps it on its root element.
SCRIPT_STATE = (
    "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
)


def wait_idle(page, timeout: float = 180) -> None:
    """Until the script has finished running: Streamlit's running indicator and spinners gone,
    and no script run requested, awaited (a page before its first run) or under way for more
    than half a second. The indicator shows only 0.5 s after a run starts (measured: a sidebar
    click, state "running" at 0.04 s, the indicator at 0.58 s), later on a loaded machine; the
    script state changes at once. Runs of half a second or less do not count: a live view's
    fragment runs (0.1 s, every 0.6 s on the Playground) change the state too, and never show
    the indicator."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet, running_since = 0, None
    while time.monotonic() < deadline:
        now = time.monotonic()
        state = page.evaluate(SCRIPT_STATE)
        if state in ("running", "stopRequested"):
            running_since = running_since or now
        else:
            running_since = None
        busy = (
            state in ("initial", "rerunRequested")
            or (running_since is not None and now - running_since > 0.5)
            or page.locator('[data-testid="stStatusWidget"]').count()
            or page.locator('[data-testid="stSpinner"]').count()
        )
        quiet = 0 if busy else quiet + 1
        if quiet >= 4:
            return
        time.sleep(0.25)
    raise TimeoutError("the app did not become idle")


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def playground_epoch(page) -> int:
    """The Playground's epoch counter ("Epoch 1,234 · training"): matched from the start of its
    line, since the known setting's caption says "by epoch 40–57" too."""
    text = page.get_by_text(re.compile(r"^Epoch [0-9,]+")).first.inner_text()
    return int(text.split()[1].replace(",", ""))


# What `clipped(page)` measures, in the page (bench/clipped.js), where the browser lays it out.
# Only what is drawn counts: nothing hidden, folded (a closed expander) or in another tab.
# - "text": a text node reaching past the box of an ancestor that cuts it off (ellipsis
#   included). Sideways, any overflow but visible cuts: hidden and clip, and auto or scroll too,
#   since text one must scroll sideways to read (a code block, a row of tabs or chips) is cut
#   at 1280 px. Downwards only hidden and clip cut: a list or a sidebar that scrolls down is
#   meant to. Boxes of 2 px or less (screen-reader labels) are left out.
# - "field": an input's value (a select box shows its choice in one) or, empty, its
#   placeholder, wider than the field, measured with the field's font; not while focused.
# - "chart": SVG text of a Plotly chart (title, axis titles, ticks, legend, annotations, colour
#   bars) outside the chart's SVG, or a legend entry outside the legend's box (a legend that
#   scrolls). Text overlapping other text inside the chart is not looked for.
# - "table": a dataframe draws on a canvas, so its columns (widths as drawn) and cells (the text
#   drawn) are read from the grid's React props and measured with the grid's own font and
#   padding: a header or a cell wider than its column (wrapped at spaces where the grid wraps,
#   in rows taller than 64 px, then taller than its row), and a column outside the table's
#   visible width (the table scrolls sideways). Up to 500 rows a table; vertical scrolling
#   inside a table is allowed; images, sparklines and checkboxes are not measured.
CLIPPED_JS = (ROOT / "bench" / "clipped.js").read_text()


@dataclass(frozen=True)
class Clipped:
    """One piece of text the page cuts off: its kind ("text", "chart", "table"), where it is,
    the text, and by how many pixels it reaches past what shows it."""

    kind: str
    where: str
    text: str
    px: int

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.text!r} cut by {self.px} px"


def clipped(page) -> list[Clipped]:
    """Every piece of text the Playwright `page` cuts off as it is laid out now (CLIPPED_JS says
    what counts). Call it once the page has finished drawing (charts and grids included)."""
    return [Clipped(**found) for found in page.evaluate(CLIPPED_JS)]
