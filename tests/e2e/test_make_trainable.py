"""Issue 33's and 34's new controls in a real browser: Depth's "Make it trainable" solves on the
server and its transform becomes a custom whose link opens Train with it, and the Custom page
fits a rational to gelu and loads it into the editor, with no error on the way."""

from tests.e2e.helpers import errors, expect_title, grid_has, open_page, page_button, wait_idle


def test_make_it_trainable_solves_adds_a_custom_and_opens_train_with_it(page, server):
    # Fails if the solve never finishes in the browser (the page does not follow its task), if
    # "Add as custom" does not reach this session, or if the link to Train loses the custom (the
    # Train page would refuse an unknown activation).
    url, _ = server
    open_page(page, f"{url}/depth?act=tanh&depth=20&width=16")
    page_button(page, "Solve for 1 activation(s)").click()
    add = page.get_by_role("button", name="Add as custom")
    add.wait_for(timeout=300_000)
    assert grid_has(page, "tanh")
    add.click()
    wait_idle(page)
    link = page.get_by_role("link", name="Train at depth 20")
    link.wait_for(timeout=30_000)
    assert errors(page) == []
    link.click()
    wait_idle(page)
    expect_title(page, "Train")
    chips = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert "tanh_dks20" in chips and "tanh" in chips
    assert "init=orthogonal" in page.url and "depth=20" in page.url
    assert page.get_by_text("does not have").count() == 0  # no custom of the link was dropped
    assert errors(page) == []


def test_a_rational_fitted_to_gelu_loads_into_the_custom_editor(page, server):
    # Fails if the rational's expander does not work in the browser: the fit must load a
    # rational expression into the editor and report its fit error, without an error.
    url, _ = server
    open_page(page, f"{url}/custom")
    page.get_by_text("Rational activation (Padé), fitted to an activation").click()
    page_button(page, "Fit and load into the editor").click()
    wait_idle(page)
    page.get_by_text("Fitted to gelu on").first.wait_for(timeout=60_000)
    editor = page.get_by_label("f(x) =", exact=True).input_value()
    assert "abs(" in editor and "x" in editor  # P(x) / (1 + |Q(x)|)
    assert errors(page) == []
