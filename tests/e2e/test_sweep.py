"""A learning-rate sweep in the browser: the preset fills the sweep, one run trains every rate,
and Train and Runs show each activation at its best rate and the sensitivity chart."""

from urllib.parse import parse_qs, urlparse

from core.store import RunStore
from tests.e2e.helpers import chart_titles, errors, grid_has, legend, open_page, train, wait_idle


def test_fair_comparison_preset_trains_a_sweep_and_shows_the_sensitivity_chart(page, server):
    # Fails if the preset button does not reach the run, if the page shows a curve per rate
    # rather than each activation at its best rate, or if the sensitivity chart is missing on
    # Train or on Runs.
    url, _ = server
    open_page(page, f"{url}/train?act=relu,tanh&ep=2&n=1000&inside=0")
    page.get_by_role("button", name="Fair comparison (5 rates)").click()
    wait_idle(page)
    assert parse_qs(urlparse(page.url).query)["lrs"] == ["1e-05,0.0001,0.001,0.01,0.1"]
    train(page)
    assert errors(page) == []
    titles = chart_titles(page)
    assert titles[2].startswith("Learning-rate sensitivity")
    loss_legend = legend(page, 0)
    assert sum(e.startswith("relu (lr ") for e in loss_legend) == 1
    assert sum(e.startswith("tanh (lr ") for e in loss_legend) == 1
    assert legend(page, 2) == ["relu", "tanh"]
    # A log axis: powers of ten (10⁻⁵, 2, 5, 10⁻⁴, …), not a linear 0, 0.02, … 0.1.
    ticks = page.locator(".js-plotly-plot").nth(2).locator(".xtick text").all_text_contents()
    powers = [t.replace("\u200b", "") for t in ticks if t.startswith("10")]
    assert {"10−4", "10−3", "10−2"} <= set(powers), ticks
    assert not any("." in t for t in ticks), ticks
    assert page.get_by_text("each activation at its best rate").first.is_visible()
    assert grid_has(page, "relu") and grid_has(page, "tanh")

    run_id = RunStore().runs()[0].id
    open_page(page, f"{url}/runs?runs={run_id}")
    assert errors(page) == []
    assert any(t.startswith("Learning-rate sensitivity") for t in chart_titles(page))
