"""Learned activation parameters in the browser: a short run that learns a slope per unit shows
the parameter chart and the learned-shape view (band of unit shapes, histogram underneath) on
Train and again on Runs."""

from core.serve.store import RunStore
from core.train.network.diagnostics import HISTOGRAM_BINS
from tests.e2e.helpers import errors, open_page, train

# PReLU-style: leaky_relu's slope learned per unit, on Friedman #1. Diagnostics off: the
# histogram under each learned shape must be recorded anyway.
LEARNED = (
    "train?act=leaky_relu&data=friedman&n=600&depth=2&width=16&ep=3&lr=0.01&inside=0"
    "&p.leaky_relu.negative_slope=0.25&l.leaky_relu.negative_slope=unit"
)


def _annotations(page) -> list[str]:
    return [t for t in page.locator(".js-plotly-plot .annotation-text").all_text_contents() if t]


def _learned_charts_are_drawn(page) -> None:
    # Plotly draws after the page's script ends: wait for the parameter chart's panel title
    # before reading (CI once read Runs' charts before they were drawn and found none).
    # Each chart draws in turn: wait for the last panel title read below too (CI once read the
    # parameter chart's title before the shapes' chart had drawn its own).
    for title in ("leaky_relu · negative_slope", "leaky_relu · layer 2"):
        panel = page.locator(".js-plotly-plot .annotation-text", has_text=title)
        panel.first.wait_for(state="attached", timeout=60_000)
    titles = _annotations(page)
    assert "leaky_relu · negative_slope" in titles, titles  # the parameter chart's panel
    assert {"leaky_relu · layer 1", "leaky_relu · layer 2"} <= set(titles), titles
    shapes = page.locator(".js-plotly-plot").filter(has_text="final shape").first
    legend = shapes.locator(".legendtext").all_text_contents()
    assert {"final shape", "initial shape"} <= set(legend), legend
    assert any(e.startswith("units' final shapes") for e in legend), legend  # the unit band
    assert "pre-activations on the probe, after the last epoch" in legend, legend
    # One histogram per layer with every bin drawn (not five quantile bars).
    assert shapes.locator(".bars .point").count() == 2 * HISTOGRAM_BINS


def test_a_learned_slope_per_unit_shows_its_chart_and_shapes_on_train_and_runs(page, server):
    # Fails if the learned section does not reach the browser (no parameter chart, no shapes),
    # if the shapes lose their band or histogram with diagnostics off, or if Runs cannot draw
    # them again from the stored record.
    url, _ = server
    open_page(page, f"{url}/{LEARNED}")
    train(page)
    assert errors(page) == []
    page.get_by_role("heading", name="Learned activation parameters").wait_for(timeout=30_000)
    _learned_charts_are_drawn(page)
    run_id = RunStore().runs()[0].id
    open_page(page, f"{url}/runs?runs={run_id}")
    assert errors(page) == []
    page.get_by_role("heading", name="Learned activation parameters").wait_for(timeout=30_000)
    _learned_charts_are_drawn(page)
