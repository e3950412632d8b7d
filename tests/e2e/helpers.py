"""What a person does in the app, as Playwright steps."""
from __future__ import annotations

import time

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def wait_idle(page, timeout: float = 180) -> None:
    """Until the script has finished running (Streamlit's running indicator is gone)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        busy = page.locator('[data-testid="stStatusWidget"]').count() or page.locator('[data-testid="stSpinner"]').count()
        quiet = 0 if busy else quiet + 1
        if quiet >= 4:
            return
        time.sleep(0.25)
    raise TimeoutError("the app did not become idle")


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def errors(page) -> list[str]:
    return page.locator(ERRORS).all_inner_texts()


def svg_texts(page, selector: str) -> list[str]:
    return [t for t in page.locator(selector).all_text_contents() if t]


def legend(page, chart_index: int = 0) -> list[str]:
    return svg_texts(page.locator(".js-plotly-plot").nth(chart_index), ".legendtext")


def chart_titles(page) -> list[str]:
    return svg_texts(page, ".js-plotly-plot .gtitle")


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the multiselect labelled `label`, by typing, as a person does."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def options_of(page, label: str, query: str = "") -> list[str]:
    """The options the dropdown offers for `query` (the list is virtual: filter it as a person would)."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(query)
    names = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return names


def type_into(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")
    wait_idle(page)


def train(page, timeout: float = 300) -> None:
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Saved as run").first.wait_for(timeout=timeout * 1000)
    wait_idle(page)
