"""The Depth page's phase diagram in a real browser: drawn by Plotly, with its legend, and no
error (no training)."""

from charts.study.theory_figures import DIVERGES, EDGE
from tests.e2e.helpers import errors, open_page, svg_texts


def test_the_depth_page_draws_the_phase_diagram_with_its_legend(page, server):
    # Fails if the phase diagram raises in the browser's session, is not drawn (no Plotly svg
    # with heatmap images), or loses the legend that names the edge and the diverging region.
    url, _ = server
    open_page(page, f"{url}/depth?act=relu,tanh&depth=10&width=16")
    assert errors(page) == []
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 2  # the signal chart, then the phase diagram
    phase = charts.nth(1)
    phase.locator(".legendtext").first.wait_for(state="attached", timeout=30_000)
    legend = svg_texts(phase, ".legendtext")
    assert EDGE in legend and DIVERGES in legend
    assert phase.locator("g.hm image").count() >= 2  # heatmap layers: ξ_c, and the grey region
    assert svg_texts(phase, ".gtitle, .annotation-text")[:2] == ["relu", "tanh"]
