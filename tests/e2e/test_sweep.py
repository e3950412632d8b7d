"""A learning-rate sweep in the browser: the preset fills the sweep, one run trains every rate,
and Train and Runs show each activation at its best rate and the sensitivity chart."""

import time
from urllib.parse import parse_qs, urlparse

from core.serve.store import RunStore
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
    titles = chart_titles(page, 3)
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
    assert any(t.startswith("Learning-rate sensitivity") for t in chart_titles(page, 3))


CELLS = ".js-plotly-plot .heatmaplayer text, .js-plotly-plot text.textpoint"


def _heatmap_texts(page, settled=lambda texts: True) -> list[str]:
    """The heatmap's cell texts once `settled` holds for them (or after 30 s): Plotly redraws a
    moment after the progress line changes, and for about 0.3 s after the live view's first
    redraw the page holds the old chart beside the new one."""
    deadline = time.monotonic() + 30
    while True:
        texts = svg_texts(page, CELLS)
        one_chart = page.locator(".js-plotly-plot").count() == 1
        if (one_chart and settled(texts)) or time.monotonic() > deadline:
            return texts
        time.sleep(0.1)


def _numbers(texts: list[str]) -> list[str]:
    return [t for t in texts if t.replace(".", "").replace("…", "").isdigit()]


def test_a_depth_sweep_fills_its_heatmap_live_stops_downloads_its_grid_and_reopens_from_runs(
    page, server
):
    # Fails if the heatmap only appears at the end (it must fill in as each depth's job ends),
    # if Stop sweep does not stop the job training and cancel the queued one, if the CSV misses
    # the finished depth's rates, or if Runs cannot open the saved sweep again.
    # Depth 1 trains in seconds; depth 20 × 512 takes tens of seconds an epoch, so the page is
    # certain to show "1 of 3 done" while depth 20 trains and depth 25 waits. (A sweep of small
    # networks finished its next job within one refresh on a loaded CI machine and never
    # showed "1 of 3".) The complete-grid path is tested in tests/pages/test_sweep_page.py.
    url, _ = server
    query = (
        "act=relu,sigmoid&data=friedman&n=20000&ep=2&lrs=0.001,0.01&bs=32&depths=1,20,25&widths=512"
    )
    open_page(page, f"{url}/sweep?{query}")
    assert errors(page) == []
    page.get_by_role("button", name="Start sweep").click()
    page.get_by_text("1 of 3 architectures done · training depth 20").first.wait_for(
        timeout=300_000
    )
    live = _heatmap_texts(page, lambda t: t.count("training") == t.count("queued") == 2)
    assert live.count("queued") == 2, live  # depth 25 has not started
    assert live.count("training") == 2, live  # depth 20 has no finished epoch yet
    numbers = _numbers(live)
    assert len(numbers) == 2 and not any("…" in n for n in numbers), live  # depth 1 is done

    page.get_by_role("button", name="Stop sweep").click()
    page.get_by_role("button", name="Grid CSV").wait_for(timeout=60_000)
    wait_idle(page)
    assert errors(page) == []
    final = _heatmap_texts(page, lambda texts: "training" not in texts)
    assert sorted(final) == sorted(numbers + ["stopped"] * 2 + ["cancelled"] * 2), final
    runs = {r.id: r.status for r in RunStore().runs()[:3]}
    assert sorted(runs.values()) == ["cancelled", "finished", "stopped"], runs

    with page.expect_download() as download:
        page.get_by_role("button", name="Grid CSV").click()
    lines = open(download.value.path()).read().splitlines()
    assert len(lines) == 1 + 2 * 2  # header, then depth 1's activation × rate
    assert lines[0].startswith("depth,width,activation,learning_rate,best_rate")
    assert all(line.startswith("1,512,") for line in lines[1:]), lines

    open_page(page, f"{url}/runs?runs={','.join(str(r) for r in runs)}")
    assert errors(page) == [] and grid_has(page, "cancelled")  # a run that trained nothing
    open_page(page, f"{url}/runs")
    page.get_by_text("Sweeps (").first.click()
    page.get_by_role("link", name="Open").first.click()
    wait_idle(page)
    assert "sweep=" in page.url and errors(page) == []
    page.get_by_role("button", name="Grid CSV").wait_for(timeout=60_000)
    assert _heatmap_texts(page, lambda texts: texts == final) == final
