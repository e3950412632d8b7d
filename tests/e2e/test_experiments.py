"""The Experiments page in a real browser: the verdicts are there, and an experiment's link opens
Train with its settings filled in (a 25-layer MLP, which the Train page offers only since the Mish
experiment needs it)."""

from tests.e2e.helpers import errors, expect_title, grid_has, open_page, wait_idle


def test_experiment_verdicts_show_and_open_on_train_fills_every_setting(page, server):
    url, _ = server
    open_page(page, f"{url}/experiments")
    expect_title(page, "Experiments")
    # The reference verdicts (docs/experiments.json) until this server runs one itself.
    assert grid_has(page, "reproduced")
    page.get_by_role("tab", name="Training deep networks").click()
    link = page.get_by_role("link", name="Open 25 layers on Train")
    link.wait_for(timeout=30_000)
    link.click()
    wait_idle(page)
    expect_title(page, "Train")
    assert "depth=25" in page.url and "n=5000" in page.url
    hidden = page.locator('[data-testid="stSlider"]').filter(has_text="Hidden layers")
    assert hidden.locator('[data-testid="stSliderThumbValue"]').inner_text().strip() == "25"
    chips = page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert all(name in chips for name in ("relu", "silu", "mish")) and "sigmoid" not in chips
    assert page.get_by_role("spinbutton", name="Epochs").input_value() == "5"
    assert page.get_by_role("spinbutton", name="Samples (0 = all)").input_value() == "5000"
    assert page.get_by_text("Ignored").count() == 0  # no setting of the link was refused
    assert errors(page) == []
