"""What a person does in the app, as Playwright steps. Opening a page, waiting until it is idle
and reading the Playground's epoch live in bench/browser.py: the README's screenshots use them
too, and bench/ never imports tests/."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from bench.browser import (  # noqa: F401  (the page helpers bench/readme_screenshots.py uses too)
    open_page,
    playground_epoch,
    wait_idle,
)
from core.train import datasets
from core.train.training import train_compare

# Summary lines of the reliability checks, printed at the end of the test run (conftest.py).
SUMMARY: list[str] = []
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def page_button(page, name: str, timeout: float = 60):
    """The page's own button `name` (in the main block: the header's Stop, shown while a script
    run is in progress, is not it), once it is there and enabled. On a timeout the error lists
    the buttons and messages the page showed instead: a CI failure that said only "waiting for
    Stop" left nothing to go on."""
    main = page.get_by_test_id("stMainBlockContainer")
    button = main.get_by_role("button", name=name, exact=True)
    try:
        button.wait_for(timeout=timeout * 1000)
        expect_enabled = button.is_enabled()
    except Exception as exc:
        shown = [t for t in main.get_by_role("button").all_inner_texts() if t.strip()]
        alerts = main.get_by_test_id("stAlert").all_inner_texts()
        progress = main.get_by_test_id("stProgress").all_inner_texts()
        raise AssertionError(
            f"no {name!r} button within {timeout:.0f} s; buttons {shown}, messages {alerts}, "
            f"progress {progress}, url {page.url}"
        ) from exc
    assert expect_enabled, f"the {name!r} button is disabled (url {page.url})"
    return button


def expect_title(page, title: str, timeout: float = 120) -> None:
    """Until the page's h1 says `title`. Waited for, not read after `wait_idle`: a page whose
    module imports TensorFlow draws nothing until the import ends (Gallery as a fresh server's
    first TensorFlow page: 8 s quiet), and on a loaded machine the running indicator can come
    late enough that `wait_idle` has already returned (CI: no h1 for 30 s). 120 s is that
    import at four times its quiet time, with room. On a timeout the error names the page's
    error messages, if it showed any instead."""
    try:
        expect(page.locator("h1").first).to_have_text(title, timeout=timeout * 1000)
    except AssertionError as exc:
        raise AssertionError(f"no {title!r} title; errors {errors(page)}, url {page.url}") from exc


SIDEBAR_LINKS = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'


def sidebar_link(page, title: str):
    return page.locator(SIDEBAR_LINKS).filter(has_text=title).first


def sidebar_titles(page, count: int) -> list[str]:
    """The sidebar's link labels once `count` links are drawn. Waited for: a cold server's first
    run on a loaded machine (CI, two workers) once showed the page's title while its sidebar
    was still empty; a bare v1 app (the bug this catches) never draws these links, so the wait
    ends in a failure there. 60 s: a cold first run imports TensorFlow (2-4 s quiet, 4x loaded)."""
    expect(page.locator(SIDEBAR_LINKS)).to_have_count(count, timeout=60_000)
    # A link's text is its Material icon's ligature name, then its label: keep the label.
    return [t.strip().splitlines()[-1] for t in page.locator(SIDEBAR_LINKS).all_inner_texts()]


def errors(page) -> list[str]:
    return page.locator(ERRORS).all_inner_texts()


def svg_texts(page, selector: str) -> list[str]:
    return [t for t in page.locator(selector).all_text_contents() if t]


def legend(page, chart_index: int = 0) -> list[str]:
    chart = page.locator(".js-plotly-plot").nth(chart_index)
    chart.locator(".legendtext").first.wait_for(
        state="attached", timeout=30_000
    )  # Plotly draws after the page
    return svg_texts(chart, ".legendtext")


def chart_titles(page, count: int = 1) -> list[str]:
    """The page's chart titles, once at least `count` charts have drawn theirs.

    Plotly draws each chart after the script run has ended, one at a time: reading as soon as the
    first title is there once gave ['Accuracy'] alone on Runs (CI, under load), the loss chart
    still to come. A test that expects n charts passes n, so it waits for the n-th.
    """
    titles = page.locator(".js-plotly-plot .gtitle")
    titles.nth(count - 1).wait_for(state="attached", timeout=30_000)
    return svg_texts(page, ".js-plotly-plot .gtitle")


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the multiselect labelled `label`, by typing, as a person does."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)
    _close_dropdown(page, box)


def options_of(page, label: str, query: str = "") -> list[str]:
    """The options the dropdown offers for `query` (the list is virtual: filter it as a person
    would)."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(query)
    names = page.get_by_role("option").all_inner_texts()
    _close_dropdown(page, box)
    return names


def _close_dropdown(page, box) -> None:
    box.locator("input").fill("")
    page.keyboard.press("Escape")
    page.locator("h1").first.click()  # clicking away closes the menu, as a person would
    page.get_by_role("listbox").wait_for(state="detached", timeout=10_000)


def type_into(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    wait_idle(page)


def train(page, timeout: float = 300) -> None:
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Saved as run").first.wait_for(timeout=timeout * 1000)
    wait_idle(page)


def grid_has(page, text: str, timeout: float = 30) -> bool:
    """Whether a dataframe cell contains `text` (the grid draws on a canvas; its cells are also an
    accessible table), waiting for the grid to fill."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]').all_text_contents()
        if any(text in c for c in cells):
            return True
        time.sleep(0.25)
    return False


def trained_alone(config):
    """The comparison `config` trained in this test process, alone: the reference a job run on
    the server must equal."""
    data = datasets.load(
        config.dataset, config.samples, config.val_fraction, config.noise, config.data_seed
    )
    return train_compare(config, data)


def grid_headers(page, index: int = 0) -> list[str]:
    """The column headers a dataframe draws. The grid is a canvas with an accessible table that
    holds only the columns at least partly in view, so a header listed with the one after it
    is wholly on screen."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(index)
    grid.locator('[role="columnheader"]').first.wait_for(state="attached", timeout=30_000)
    return grid.locator('[role="columnheader"]').all_inner_texts()


def grid_overflow(page, index: int = 0) -> tuple[int, int]:
    """How far a dataframe's content overflows its box, (right, down) in pixels: (0, 0) when
    every column and row is shown without scrolling inside the table."""
    scroller = page.locator('[data-testid="stDataFrame"]').nth(index).locator(".dvn-scroller")
    sizes = scroller.first.evaluate(
        "e => [e.scrollWidth - e.clientWidth, e.scrollHeight - e.clientHeight]"
    )
    return max(0, sizes[0]), max(0, sizes[1])
