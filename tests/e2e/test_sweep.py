"""A learning-rate sweep in the browser: the preset fills the sweep, one run trains every rate,
and Train and Runs show each activation at its best rate and the sensitivity chart."""

from urllib.parse import parse_qs, urlparse

from core.store import RunStore
from tests.e2e.helpers import (
    chart_titles,
    errors,
    grid_has,
    legend,
    open_page,
    svg_texts,
    train,
    wait_idle,
)


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


def _heatmap_texts(page) -> list[str]:
    return svg_texts(page, ".js-plotly-plot .heatmaplayer text, .js-plotly-plot text.textpoint")


def test_a_depth_sweep_fills_its_heatmap_live_downloads_its_grid_and_reopens_from_runs(
    page, server
):
    # Fails if the heatmap only appears at the end (it must fill in as each depth's job ends),
    # if the CSV misses rates or depths, or if Runs cannot open the saved sweep again.
    url, _ = server
    query = "act=relu,sigmoid&data=friedman&n=1500&ep=2&lrs=0.001,0.01&bs=64&depths=1,4,8&widths=8"
    open_page(page, f"{url}/sweep?{query}")
    assert errors(page) == []
    page.get_by_role("button", name="Start sweep").click()
    page.get_by_text("1 of 3 architectures done").first.wait_for(timeout=300_000)
    live = _heatmap_texts(page)
    assert "queued" in live, live  # the deeper architectures have not started yet
    assert any(t.replace(".", "").replace("…", "").isdigit() for t in live), live  # depth 1 done
    page.get_by_role("button", name="Grid CSV").wait_for(timeout=600_000)
    wait_idle(page)
    assert errors(page) == []
    final = _heatmap_texts(page)
    assert len(final) == 6 and "queued" not in final, final

    with page.expect_download() as download:
        page.get_by_role("button", name="Grid CSV").click()
    lines = open(download.value.path()).read().splitlines()
    assert len(lines) == 1 + 3 * 2 * 2  # header, then depth × activation × rate
    assert lines[0].startswith("depth,width,activation,learning_rate,best_rate")

    open_page(page, f"{url}/runs")
    page.get_by_text("Sweeps (").first.click()
    page.get_by_role("link", name="Open").first.click()
    wait_idle(page)
    assert "sweep=" in page.url and errors(page) == []
    page.get_by_role("button", name="Grid CSV").wait_for(timeout=60_000)
    assert _heatmap_texts(page) == final
