"""Nothing cut at 1280 px (issue 30, point 9): every page at 1280 × 900, with content as a person
makes it (activations picked, a custom added, a finished training, sweep and search, a run with
a long name and nine activations), every expander open and every tab shown in turn, has no
clipped text by bench/browser.py's measurement: text its box hides or scrolls sideways, a
field's value wider than the field, chart text outside its chart, dataframe headers, cells and
columns that do not fit."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.browser import clipped
from bench.made_up import comparison
from core.serve.store import RunStore
from tests.e2e.helpers import errors, open_page, train, type_into, wait_idle

WIDTH, HEIGHT = 1280, 900
NINE = ("relu", "tanh", "sigmoid", "gelu", "elu", "SinActivation", "selu", "softplus", "silu")
# A custom with four parameters: the parameter column's buttons and the code's long lines.
CUSTOM = "alpha * tf.where(x > threshold, x, tf.exp(x) - 1) + beta * tf.math.sin(gamma * x)"
# The fair comparison's five rates (the longest chart titles) under the Gaussian initialisation
# (the longest label of the Initialisation box), over two seeds (mean ± std in every cell, a
# "vs relu" column) with a custom of a 31-character name from its link: the widest results
# table (it ran 63 to 223 px past the page before its cells wrapped).
LONG_NAME = "elu_sin_with_a_rather_long_name"
TRAIN = (
    f"train?act=relu,tanh,{LONG_NAME}&ep=2&n=1000&lrs=1e-05,0.0001,0.001,0.01,0.1"
    "&init=mean_field&seeds=2&def="
    + quote(json.dumps({LONG_NAME: {"expression": CUSTOM, "params": {}}}))
)
SWEEP = "sweep?act=relu,tanh&data=friedman&n=1000&ep=1&lrs=0.001,0.01&depths=1,2&widths=16"
SEARCH = "search?n=600&ep=1&seeds=1&k=2&budget=4&width=32&pop=2&sample=1"
CHARTS_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => p.checkVisibility()).every(p => p.querySelector('svg.main-svg'))"""


EXPANDERS_GROWN = """() => [
    ...document.querySelectorAll('[data-testid="stExpander"] details[open]'),
].every(d => d.scrollHeight <= d.clientHeight + 1)"""


@pytest.fixture()
def window(chromium, server):
    context = chromium.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    yield context.new_page()
    context.close()


def _drawn(page) -> None:
    """Every expander open, then until Plotly has drawn every chart in sight."""
    closed = page.locator('[data-testid="stExpander"] details:not([open]) > summary')
    for _ in range(50):
        if not closed.count():
            break
        closed.first.click()
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    # An expander grows to its content's height in an animation; measured mid-way, a loaded CI
    # run found the Custom page's Keras code "cut by 1155 px". Wait until every open expander
    # holds its content; one that never does is measured (and reported) after 15 s.
    try:
        page.wait_for_function(EXPANDERS_GROWN, timeout=15_000)
    except PlaywrightTimeout:
        pass
    page.wait_for_timeout(500)  # a grid or a chart laid out once more after its first drawing


def _measure(page, view: str, found: dict[str, list[str]]) -> None:
    """The page as it is now, then with each of its tabs shown in turn (what a tab adds)."""
    _drawn(page)
    assert errors(page) == [], view
    found[view] = [str(c) for c in clipped(page)]
    tabs = page.get_by_role("tab")
    for i in range(tabs.count()):
        label = tabs.nth(i).inner_text().strip()
        tabs.nth(i).click()
        _drawn(page)
        new = [str(c) for c in clipped(page) if str(c) not in found[view]]
        found[f"{view}, tab {label}"] = new


def test_no_page_cuts_text_at_1280_px(window, server):
    # Fails if any page, as a person fills it, hides text at 1280 px: a chart title running off
    # its chart, a select box's choice cut, a code line scrolled out of sight, a dataframe
    # column outside its table or a cell wider than its column, tabs or chips scrolling
    # sideways. The failure lists each: page, where, the text, by how many px.
    url, _ = server
    page, found = window, {}

    open_page(page, url)
    _measure(page, "Home", found)

    open_page(page, f"{url}/gallery?pick=relu,gelu,elu_like,leaky_relu,SinActivation,selu")
    _measure(page, "Gallery", found)

    open_page(page, f"{url}/custom")
    type_into(page, "f(x) =", CUSTOM)
    type_into(page, "Name", "elu_sin")
    page.get_by_role("button", name="Add to this session").click()
    wait_idle(page)
    _measure(page, "Custom", found)

    open_page(page, f"{url}/depth")
    _measure(page, "Depth", found)

    open_page(page, f"{url}/{TRAIN}")
    train(page)
    _measure(page, "Train", found)

    trained = RunStore().runs()[0].id
    store = RunStore()
    listed = store.save(comparison(NINE, seeds=1, epochs=3))
    store.rename(listed, "fair comparison of nine activations, second try")
    store.set_tags(listed, "paper, figure 2, lr sweep")
    open_page(page, f"{url}/runs?runs={trained}")
    _measure(page, "Runs", found)

    open_page(page, f"{url}/playground?act=tanh,relu,sigmoid")
    page.get_by_text("paused").first.wait_for(timeout=120_000)
    _measure(page, "Playground", found)

    open_page(page, f"{url}/{SWEEP}")
    page.get_by_role("button", name="Start sweep").click()
    page.get_by_role("button", name="Grid CSV").wait_for(timeout=300_000)
    wait_idle(page)
    _measure(page, "Sweep", found)

    open_page(page, f"{url}/{SEARCH}")
    page.get_by_role("button", name="Start search").click()
    page.get_by_text("Finished", exact=True).wait_for(timeout=300_000)
    wait_idle(page)
    _measure(page, "Search", found)

    open_page(page, f"{url}/experiments")
    _measure(page, "Experiments", found)

    cut = {view: items for view, items in found.items() if items}
    report = "\n".join(f"{view}:\n  " + "\n  ".join(items) for view, items in cut.items())
    assert not cut, f"clipped at {WIDTH} px:\n{report}"
    assert len(found) >= 10 + 7  # every page, and every tab of Experiments
