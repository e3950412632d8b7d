"""The Depth page's phase diagram in a real browser: drawn by Plotly, with its legend, and no
error (no training)."""

from charts.study.theory_figures import DIVERGES, EDGE
from tests.e2e.helpers import errors, open_page, svg_texts


def test_the_depth_page_draws_the_phase_diagram_with_its_legend(page, server):
    # Fails if the phase diagram raises in the browser's session, is not drawn (no Plotly svg
    # with heatmap images), or loses the legend that names the edge and the diverging region;
    # or if the Jacobian spectrum below it is not drawn with its two panels and a line per
    # activation.
    url, _ = server
    open_page(page, f"{url}/depth?act=relu,tanh&depth=10&width=16")
    assert errors(page) == []
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 3  # the signal chart, the phase diagram, the Jacobian spectrum
    phase = charts.nth(1)
    phase.locator(".legendtext").first.wait_for(state="attached", timeout=30_000)
    legend = svg_texts(phase, ".legendtext")
    assert EDGE in legend and DIVERGES in legend
    assert phase.locator("g.hm image").count() >= 2  # heatmap layers: ξ_c, and the grey region
    assert svg_texts(phase, ".gtitle, .annotation-text")[:2] == ["relu", "tanh"]
    # The Jacobian spectrum (issue 34): one panel per kind of weights, drawn, not an error.
    spectrum = charts.nth(2)
    spectrum.locator(".legendtext").first.wait_for(state="attached", timeout=30_000)
    assert svg_texts(spectrum, ".gtitle, .annotation-text")[:2] == [
        "Orthogonal weights",
        "Gaussian weights",
    ]
    assert set(svg_texts(spectrum, ".legendtext")) == {"relu", "tanh"}
