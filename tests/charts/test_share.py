"""The share image: one PNG of the whole comparison, at 2×, whose legend names every activation
in the colours of the screen."""

import io

import pytest
from PIL import Image

from bench.made_up import SIX, comparison
from charts import exports, share
from charts.palette import CHART_BACKGROUND, view_styles
from core.train.rates import Shown


def legend_names(fig) -> set[str]:
    return {t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_share_image_is_2x_on_the_theme_background_and_its_legend_names_every_activation(theme):
    # Catches: a share image rendered at 1× or clipped, the legend missing an activation (the
    # second chart's traces hiding the first's), or a light image for a dark-theme user.
    comp = comparison()
    styles = view_styles(SIX, theme)
    fig = share.share_figure([Shown.of(comp)], styles, {"log_y": True}, theme=theme, target=0.9)
    assert set(SIX) <= legend_names(fig)
    png = exports.chart_png(fig, fig.layout.width, fig.layout.height)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (2 * fig.layout.width, 2 * fig.layout.height)
    assert image.size[0] >= 2000  # sharp when a chat shows it full width
    corner = "#{:02x}{:02x}{:02x}".format(*image.getpixel((4, 4)))
    assert corner == CHART_BACKGROUND[theme]
    # Each activation's colour is drawn (its lines and its table swatch), not a default colour.
    drawn = {"#{:02x}{:02x}{:02x}".format(*p) for _, p in image.getcolors(maxcolors=1 << 22)}
    assert {s.colour for s in styles.values()} <= drawn


def test_share_figure_keeps_the_screens_log_scale_smoothing_and_colours():
    # Catches: the image drawing its own charts instead of the screen's.
    comp = comparison()
    styles = view_styles(SIX, "light")
    fig = share.share_figure(
        [Shown.of(comp)], styles, {"log_y": True, "smoothing": 0.6}, theme="light"
    )
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    relu = next(t for t in fig.data if t.name == "relu")
    assert relu.line.color == styles["relu"].colour
    assert list(relu.y) != pytest.approx([b.loss for b in comp.branches][0])  # smoothed


def test_config_line_says_dataset_model_optimiser_epochs_and_seeds():
    text = share.config_line(comparison())
    for part in ("MNIST", "keras.datasets", "MLP", "adam", "learning rate", "8 epochs", "3 seeds"):
        assert part in text


def test_a_runs_overlay_names_each_activation_of_each_run():
    a, b = comparison(SIX[:3]), comparison(("relu", "silu"))
    styles = view_styles(["relu", "tanh", "sigmoid", "silu"])
    fig = share.share_figure([Shown.of(a), Shown.of(b)], styles, {}, run_labels=["run 1", "run 2"])
    assert {"relu · run 1", "silu · run 2"} <= legend_names(fig)
    table = next(t for t in fig.data if t.type == "table")
    assert len(table.cells.values[0]) == 5


def test_the_share_image_says_what_each_custom_computes():
    # Fails if a custom appears in the image by name alone ("my_sin" says nothing to whoever
    # reads the image): its formula is under the configuration line.
    comp = comparison(("relu", "my_sin"))
    comp.customs = {"my_sin": {"expression": "tf.math.sin(a * x)", "params": {"a": [2, 0, 4]}}}
    styles = view_styles(["relu", "my_sin"])
    fig = share.share_figure([Shown.of(comp)], styles, {})
    texts = " ".join(a.text or "" for a in fig.layout.annotations)
    assert "my_sin = tf.math.sin(a * x)" in texts
