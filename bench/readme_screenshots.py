"""Screenshots for the README: `python bench/readme_screenshots.py` starts the app on a free port
with an empty data folder, trains a comparison and saves docs/screenshots/*.png; given names
(train, gallery, depth) it makes only those. Not a benchmark: it lives here because it shares
bench/browser.py's server and browser helpers."""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402
from tests.e2e.helpers import open_page  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
COMPARISON = (
    "train?act=relu,tanh,sigmoid,gelu,elu,SinActivation&data=friedman&n=6000&depth=2&width=64"
    "&bs=64&ep=40&seeds=2"
)


DEPTH = "depth?act=relu,tanh,sigmoid,selu&init=lecun_normal&depth=50&width=256&seed=0"


def train_and_runs(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1700})
    open_page(page, f"{url}/{COMPARISON}")
    page.get_by_role("button", name="Train", exact=True).click()
    page.mouse.move(5, 5)  # no tooltip over the picture
    page.get_by_text(re.compile(r"Epoch 1[2-9]/40")).first.wait_for(timeout=300_000)
    time.sleep(1.5)
    page.screenshot(path=str(OUT / "train-live.png"))
    page.get_by_text("Finished 40 epochs").first.wait_for(timeout=300_000)
    job = re.search(r"[?&]job=(\d+)", page.url).group(1)
    open_page(page, f"{url}/runs?runs={job}")
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    time.sleep(2)
    page.screenshot(path=str(OUT / "runs.png"))


def gallery(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_page(page, f"{url}/gallery")
    time.sleep(2)
    page.screenshot(path=str(OUT / "gallery.png"))


def depth(page, url: str) -> None:
    page.set_viewport_size({"width": 1400, "height": 1580})
    open_page(page, f"{url}/{DEPTH}")
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.mouse.move(700, 5)  # off the charts and the sidebar's collapse button
    time.sleep(2)
    page.screenshot(path=str(OUT / "depth.png"))


SHOTS = {"train": train_and_runs, "gallery": gallery, "depth": depth}


def main(names: list[str]) -> None:
    """The screenshots named (train = train-live.png and runs.png, gallery, depth), or all."""
    OUT.mkdir(parents=True, exist_ok=True)
    with streamlit_server("explorer.py", env={"EXPLORER_DATA_DIR": tempfile.mkdtemp()}) as (
        url,
        _,
        _,
    ):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            for name in names or list(SHOTS):
                SHOTS[name](page, url)
            browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
