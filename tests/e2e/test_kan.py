"""The KAN page in a real browser: a fit runs on the server while the page follows it, then the
ladder and the network's edge functions are drawn, with no error."""

from tests.e2e.helpers import errors, open_page, page_button, svg_texts, type_into


def test_a_kan_fit_is_followed_live_and_draws_every_edge(page, server):
    # Fails if the fit raises in the browser's session, if the page does not follow the task
    # to its end (the edges' heading never appears), or if the network is not drawn as its 3
    # edges (a [2, 1, 1] KAN: x1 → h1.1, x2 → h1.1, h1.1 → out) beside the grid ladder.
    url, _ = server
    open_page(page, f"{url}/kan")
    type_into(page, "Iterations", "40")
    page_button(page, "Fit").click()
    page.get_by_text("The network, edge by edge").wait_for(timeout=300_000)
    assert errors(page) == []
    charts = page.locator(".js-plotly-plot")
    charts.nth(1).locator(".gtitle, .annotation-text").first.wait_for(state="attached")
    assert charts.count() == 2  # the ladder, then the edges
    assert svg_texts(charts.nth(1), ".annotation-text") == [
        "x1 → h1.1",
        "x2 → h1.1",
        "h1.1 → out",
    ]
