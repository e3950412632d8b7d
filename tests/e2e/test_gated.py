"""Issue 32 in a real browser: a gated unit's view in the Gallery, and a Transformer comparison of
a plain and a gated FFN trained from the Train page, with no error on the way."""

from tests.e2e.helpers import errors, open_page, svg_texts, train, wait_idle


def test_the_gallery_draws_a_gated_unit_over_u_and_v(page, server):
    # Fails if the gated view does not draw in the browser (a heatmap whose JSON Plotly cannot
    # read, an error in the expander), or if the diagonal's legend is missing.
    url, _ = server
    open_page(page, f"{url}/gallery?pick=swiglu")
    page.get_by_text("swiglu — formula, properties and Keras code").click()
    wait_idle(page)
    heatmap = page.locator(".js-plotly-plot").filter(has=page.locator(".hm, .heatmaplayer"))
    heatmap.first.wait_for(state="attached", timeout=60_000)  # drawn, maybe below the fold
    titles = svg_texts(page, ".gtitle")
    assert any("f(u)·v over two projections" in t for t in titles), titles
    assert any("u = v" in t for t in svg_texts(page, ".legendtext"))
    assert errors(page) == []


def test_train_compares_a_plain_and_a_gated_ffn_in_the_transformer(page, server):
    # Fails if the Transformer's job does not finish and save from the browser, or if its charts
    # do not say bits per character.
    url, _ = server
    open_page(
        page,
        f"{url}/train?act=gelu,swiglu&data=pytext&model=transformer&depth=1&width=32&n=160"
        "&ep=1&bs=32&inside=0",
    )
    assert page.get_by_text("85 wide where the others have 128").count() == 1
    train(page)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    axes = svg_texts(page, ".ytitle")
    assert "loss (bits per character)" in axes and "next-character accuracy" in axes, axes
    assert errors(page) == []
