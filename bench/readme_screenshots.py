"""Screenshots for the README: `python bench/readme_screenshots.py [train inside gallery depth]`
starts the app on a free port with an empty data folder and saves docs/screenshots/*.png; given
names it makes only those. train: a 6-activation comparison live, then finished on Train and
Runs in the light and the dark theme, with its Share image (downloaded as a user would); inside:
a deep comparison's inside-the-network charts; learned: learned activation parameters over
epochs and each layer's learned shape; playground: the Playground mid-training and after 500
epochs with its neurons; gallery; gated: a gated unit's detail in the Gallery; transformer: a
Transformer comparison of plain and gated FFNs; depth; lr_sweep: a learning-rate sweep's
results and sensitivity chart; sweep: a depth sweep's trainability heatmap; experiments: the
Experiments page with the reference verdicts; search: a small activation search's leaderboard
beside relu and silu. Not a benchmark: it lives here because it shares
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

from bench.browser import (  # noqa: E402
    CHROMIUM_ARGS,
    chromium_path,
    open_page,
    playground_epoch,
    streamlit_server,
    wait_idle,
)

OUT = ROOT / "docs" / "screenshots"
COMPARISON = (
    "train?act=relu,tanh,sigmoid,gelu,elu,SinActivation&data=friedman&n=6000&depth=2&width=64"
    "&bs=64&ep=40&seeds=2"
)
# Deep enough for sigmoid's gradients to vanish layer by layer, short enough for a screenshot.
INSIDE = "train?act=relu,tanh,sigmoid,selu&n=6000&depth=8&width=64&ep=4&seeds=2&opt=sgd&lr=0.03"
# Learned activation parameters: a PReLU-style slope per unit, elu's alpha and squareplus's b per
# layer, on Friedman #1; the link itself marks them learned (l.<activation>.<parameter>).
LEARNED = (
    "train?act=leaky_relu,elu,squareplus&data=friedman&n=6000&depth=2&width=64&bs=64&ep=30"
    "&lr=0.003&p.leaky_relu.negative_slope=0.25&l.leaky_relu.negative_slope=unit"
    "&l.elu.alpha=layer&l.squareplus.b=layer"
)
# TensorFlow Playground's spiral with six activations, sin features, two layers of 8.
PLAYGROUND = (
    "playground?act=relu,tanh,sigmoid,silu,elu,gelu&data=spiral&feat=x1,x2,sinx1,sinx2&net=8,8"
)
DEPTH = "depth?act=relu,tanh,sigmoid,selu&init=lecun_normal&depth=50&width=256&seed=0"
# The "fair comparison" preset: each activation at five rates, two seeds, in one fused run.
# Enough data and epochs that the best rates are not simply the largest one tried.
LR_SWEEP = "train?act=relu,tanh,sigmoid&n=10000&ep=8&seeds=2&inside=0"
# Which activation still trains at depth 20: five depths, each activation at its best of 3 rates.
SWEEP = (
    "sweep?act=relu,tanh,sigmoid,selu,gelu&data=mnist&n=5000&ep=3&lrs=0.0001,0.001,0.01&bs=128"
    "&depths=2,6,10,15,20&widths=64"
)

# Four FFNs of the tiny Transformer on Python's source: two plain, two gated at matched
# parameters (Shazeer 2020), 2 seeds, the whole corpus for 4 epochs (a few minutes on 2 cores).
TRANSFORMER = (
    "train?act=relu,gelu,geglu,swiglu&data=pytext&model=transformer&depth=2&width=64&bs=32"
    "&ep=4&seeds=2&inside=0"
)

# A small real search (48 candidates in batches of 8, 2 seeds × 10 epochs of the full MNIST-1D,
# about two minutes on 2 cores): enough for the leaderboard to read, not a rediscovery claim.
SEARCH = "search?ep=10&seeds=2&k=8&budget=48&pop=16&sample=4"


def finished_views(page, train_url: str, runs_url: str, scheme: str) -> None:
    """The finished comparison on Train and on Runs in one theme, and its Share image."""
    open_page(page, train_url)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    page.mouse.move(5, 5)
    time.sleep(2)
    page.screenshot(path=str(OUT / f"train-{scheme}.png"))
    page.get_by_text("Download this comparison").click()
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=re.compile("Share image")).click()
    download.value.save_as(OUT / f"share-{scheme}.png")
    open_page(page, runs_url)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    time.sleep(2)
    page.screenshot(path=str(OUT / f"runs-{scheme}.png"))
    page.get_by_text("Screenshot mode").click()  # the Share image itself, on the page
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
    wait_idle(page)
    time.sleep(1)
    page.screenshot(path=str(OUT / f"runs-screenshot-mode-{scheme}.png"))


def train(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1700})
    open_page(page, f"{url}/{COMPARISON}")
    page.get_by_role("button", name="Train", exact=True).click()
    page.mouse.move(5, 5)  # no tooltip over the picture
    page.get_by_text(re.compile(r"Epoch 1[2-9]/40")).first.wait_for(timeout=300_000)
    time.sleep(1.5)
    page.screenshot(path=str(OUT / "train-live.png"))
    page.get_by_text("Finished 40 epochs").first.wait_for(timeout=300_000)
    job = re.search(r"[?&]job=(\d+)", page.url).group(1)
    train_url = page.url
    page.close()
    for scheme in ("light", "dark"):
        themed = browser.new_page(viewport={"width": 1400, "height": 1500}, color_scheme=scheme)
        finished_views(themed, train_url, f"{url}/runs?runs={job}", scheme)
        themed.close()


def trained(browser, url: str, link: str, height: int, epochs: int, charts: int, preset=None):
    """A new page on the Train `link`, trained to its end with every chart drawn down to the
    `charts`-th. Tall: Streamlit scrolls inside the page, so a screenshot shows only the window."""
    page = browser.new_page(viewport={"width": 1400, "height": height})
    open_page(page, f"{url}/{link}")
    if preset:
        page.get_by_role("button", name=preset).click()
        wait_idle(page)
    page.get_by_role("button", name="Train", exact=True).click()
    page.mouse.move(5, 5)  # no tooltip over the picture
    page.get_by_text(f"Finished {epochs} epochs").first.wait_for(timeout=900_000)
    page.locator(".js-plotly-plot").nth(charts).wait_for(timeout=60_000)
    wait_idle(page)
    time.sleep(2)
    return page


def inside(browser, url: str) -> None:
    page = trained(browser, url, INSIDE, 3000, epochs=4, charts=2)
    section = page.get_by_role("heading", name="Inside the network").first
    top = section.bounding_box()["y"] - 10
    page.screenshot(path=str(OUT / "inside-flow.png"), clip=_clip(page, top, 760))
    page.get_by_role("tab", name="Distributions per layer").click()
    time.sleep(2)
    page.screenshot(path=str(OUT / "inside-distributions.png"), clip=_clip(page, top, 900))
    page.close()


def learned(browser, url: str) -> None:
    page = trained(browser, url, LEARNED, 4600, epochs=30, charts=4)  # down to inside
    section = page.get_by_role("heading", name="Learned activation parameters")
    top = section.bounding_box()["y"] - 10
    end = page.get_by_role("heading", name="Inside the network").bounding_box()["y"] - 10
    page.screenshot(path=str(OUT / "learned.png"), clip=_clip(page, top, end - top))
    page.close()


def _until_epoch(page, epoch: int) -> None:
    while playground_epoch(page) < epoch:
        time.sleep(0.2)


def playground(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    open_page(page, f"{url}/{PLAYGROUND}")
    page.get_by_text("paused").first.wait_for(timeout=120_000)
    page.get_by_role("button", name="Play").click()
    _until_epoch(page, 40)
    top = page.get_by_role("button", name="Pause").bounding_box()["y"] - 10
    page.mouse.move(700, 5)
    page.screenshot(path=str(OUT / "playground-live.png"), clip=_clip(page, top, 760))
    _until_epoch(page, 500)
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("paused").first.wait_for()
    page.get_by_text("What each neuron computes").first.click()
    time.sleep(2)
    page.mouse.move(700, 5)
    page.screenshot(path=str(OUT / "playground-finished.png"), full_page=True)
    page.close()


def _clip(page, top: float, height: float) -> dict:
    """The main column from `top` down, without the sidebar."""
    main = page.locator('[data-testid="stMain"]').bounding_box()
    return {"x": main["x"], "y": top, "width": main["width"], "height": height}


def gallery(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_page(page, f"{url}/gallery")
    time.sleep(2)
    page.screenshot(path=str(OUT / "gallery.png"))
    page.close()


def gated(browser, url: str) -> None:
    """swiglu's detail in the Gallery: its diagonal beside silu, its surface over (u, v)."""
    page = browser.new_page(viewport={"width": 1400, "height": 2200})
    open_page(page, f"{url}/gallery?pick=swiglu,silu")
    page.get_by_text("swiglu — formula, properties and Keras code").click()
    wait_idle(page)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    page.mouse.move(700, 5)
    time.sleep(2)
    top = page.get_by_role("heading", name="Compare in detail").bounding_box()["y"] - 10
    end = page.get_by_text("f(x)·x (sigmoid_glu's diagonal").first.bounding_box()
    page.screenshot(
        path=str(OUT / "gated.png"), clip=_clip(page, top, end["y"] + end["height"] + 20 - top)
    )
    page.close()


def transformer(browser, url: str) -> None:
    """A finished Transformer comparison: bits per character and next-character accuracy."""
    page = trained(browser, url, TRANSFORMER, 2200, epochs=4, charts=1)
    chart = page.locator(".js-plotly-plot").first
    # Streamlit scrolls inside its main column: bring the charts to the top of the window.
    chart.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(1)
    top = chart.bounding_box()["y"] - 60
    page.screenshot(path=str(OUT / "transformer.png"), clip=_clip(page, top, 900))
    page.close()


def depth(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1580})
    open_page(page, f"{url}/{DEPTH}")
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.mouse.move(700, 5)  # off the charts and the sidebar's collapse button
    time.sleep(2)
    page.screenshot(path=str(OUT / "depth.png"))
    page.close()


def lr_sweep(browser, url: str) -> None:
    """The sensitivity chart of a learning-rate sweep, with the results table above it."""
    preset = "Fair comparison (5 rates)"
    page = trained(browser, url, LR_SWEEP, 2200, epochs=8, charts=2, preset=preset)
    # Streamlit's main column scrolls inside the window: bring the chart in before measuring.
    page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    time.sleep(1)
    table = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    chart = page.locator(".js-plotly-plot").nth(2).bounding_box()
    bottom = chart["y"] + chart["height"] + 10
    clip = _clip(page, table["y"] - 10, bottom - table["y"] + 10)
    page.screenshot(path=str(OUT / "lr-sweep.png"), clip=clip)
    page.close()


def sweep(browser, url: str) -> None:
    """The trainability heatmap of a finished depth sweep, with its heading and downloads."""
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    open_page(page, f"{url}/{SWEEP}")
    page.get_by_role("button", name="Start sweep").click()
    page.get_by_role("button", name="Grid CSV").wait_for(timeout=1800_000)
    wait_idle(page)
    page.mouse.move(700, 5)
    time.sleep(2)
    heading = page.get_by_role("heading", name=re.compile("^Sweep 1")).bounding_box()
    csv = page.get_by_role("button", name="Grid CSV").bounding_box()
    bottom = csv["y"] + csv["height"] + 10
    page.screenshot(
        path=str(OUT / "sweep.png"), clip=_clip(page, heading["y"] - 10, bottom - heading["y"] + 10)
    )
    page.close()


def experiments(browser, url: str) -> None:
    """The Experiments page with the reference verdicts (docs/experiments.json; the data folder is
    empty) and the dying-ReLU experiment open."""
    page = browser.new_page(viewport={"width": 1400, "height": 2300})
    open_page(page, f"{url}/experiments")
    page.locator(".js-plotly-plot").first.wait_for(timeout=120_000)
    page.get_by_role("tab", name="Dying ReLU").click()
    time.sleep(3)
    page.mouse.move(700, 5)
    page.screenshot(path=str(OUT / "experiments.png"))
    page.close()


def search(browser, url: str) -> None:
    """A finished search: its heading, the baselines, the leaderboard and the picked row's
    actions."""
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    open_page(page, f"{url}/{SEARCH}")
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Finished", exact=True).wait_for(timeout=1800_000)
    open_page(page, page.url)  # as its link opens it: the form folded, the search on top
    page.get_by_role("button", name="Add to catalogue").wait_for(timeout=60_000)
    page.mouse.move(700, 5)
    time.sleep(2)
    heading = page.get_by_role("heading", name=re.compile("^Search 1")).bounding_box()
    actions = page.get_by_role("button", name="Add to catalogue").bounding_box()
    bottom = actions["y"] + actions["height"] + 20
    clip = _clip(page, heading["y"] - 10, bottom - heading["y"] + 10)
    page.screenshot(path=str(OUT / "search-leaderboard.png"), clip=clip)
    page.close()


SHOTS = {
    "train": train,
    "inside": inside,
    "learned": learned,
    "gallery": gallery,
    "gated": gated,
    "transformer": transformer,
    "depth": depth,
    "lr_sweep": lr_sweep,
    "sweep": sweep,
    "experiments": experiments,
    "playground": playground,
    "search": search,
}


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with streamlit_server("explorer.py", env={"EXPLORER_DATA_DIR": tempfile.mkdtemp()}) as (
        url,
        _,
        _,
    ):
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for name in names or list(SHOTS):
                SHOTS[name](browser, url)
            browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
