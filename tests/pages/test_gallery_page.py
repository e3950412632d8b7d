"""AppTest for the home page and the Gallery."""

import base64

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from activations import shared_catalogue
from tests.pages.conftest import APP, open_link
from tests.pages.conftest import spec as _spec
from ui.nav import PAGES


@pytest.fixture()
def app():
    return AppTest.from_file(APP, default_timeout=300)


def test_home_links_every_page(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Activation Explorer"
    sidebar = [link.proto.label for link in app.sidebar.get("page_link")]
    assert sidebar == [page.title for page in PAGES]  # the whole menu, in the table's order
    body = [link.proto for link in app.main.get("page_link")]
    assert [link.label for link in body] == [page.title for page in PAGES[1:]]
    assert all(link.page for link in body)  # each resolves to a page of the app


def test_gallery_shows_every_activation_and_a_slider_changes_the_detail_chart(app):
    app.run()
    app.switch_page("pages/gallery.py").run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert len(charts) == 2  # the detail chart and the grid of small multiples
    titles = {a["text"].rstrip(" ‡⊗") for a in _spec(charts[1])["layout"]["annotations"]}
    assert titles == set(shared_catalogue().names())
    assert app.dataframe[-1].value.shape[0] == len(shared_catalogue().names())

    app.multiselect(key="gallery.picked").set_value(["relu"]).run()
    before = next(t for t in _spec(app.get("plotly_chart")[0])["data"] if t["name"] == "relu f")
    app.slider(key="gallery.relu.negative_slope").set_value(0.5).run()
    assert not app.exception
    after = next(t for t in _spec(app.get("plotly_chart")[0])["data"] if t["name"] == "relu f")
    assert after["y"] != before["y"]
    assert after["x"] == before["x"]


def _values(field) -> np.ndarray:
    """A trace's numbers from the page's JSON: a list, or Plotly's typed array (base64)."""
    if isinstance(field, dict):
        shape = field.get("shape")
        values = np.frombuffer(base64.b64decode(field["bdata"]), np.dtype(field["dtype"]))
        return values.reshape([int(n) for n in str(shape).split(",")]) if shape else values
    return np.asarray(field, float)


def test_a_gated_unit_is_drawn_over_u_and_v_with_its_diagonal_and_keras_code(app):
    # Fails if a gated unit is drawn as its gate alone (swiglu's curve would be silu, not
    # x²σ(x)), if its surface is not f(u)·v (checked against NumPy's silu(u)·v, not the app's
    # function), or if its code does not build two projections and their product.
    app.run()
    app.switch_page("pages/gallery.py").run()
    app.multiselect(key="gallery.picked").set_value(["swiglu"]).run()
    assert not app.exception
    detail = next(t for t in _spec(app.get("plotly_chart")[0])["data"] if t["name"] == "swiglu f")
    x, y = _values(detail["x"]), _values(detail["y"])
    np.testing.assert_allclose(y, x * x / (1 + np.exp(-x)), rtol=1e-5, atol=1e-6)
    surface = next(
        c for c in app.get("plotly_chart") if _spec(c)["data"][0].get("type") == "heatmap"
    )
    heat = _spec(surface)["data"][0]
    u, v, z = (_values(heat[k]) for k in ("x", "y", "z"))
    expected = (u / (1 + np.exp(-u)))[None, :] * v[:, None]  # rows are v, columns u
    np.testing.assert_allclose(z, expected, rtol=1e-5, atol=1e-6)
    code = " ".join(c.value for c in app.code)
    assert "keras.layers.Multiply()" in code and 'keras.layers.Activation("silu")(u)' in code
    assert any("2/3" in c.value for c in app.caption)  # the width rule is said


def test_gallery_shows_code_and_formula_for_the_picked_activation(app):
    app.run()
    app.switch_page("pages/gallery.py").run()
    app.multiselect(key="gallery.picked").set_value(["SinActivation"]).run()
    assert not app.exception
    assert any("class SinActivation(keras.layers.Layer)" in c.value for c in app.code)
    assert any(r"\sin(x)" in latex.value for latex in app.get("latex"))


def _line_colours(chart) -> dict[str, str]:
    """Each activation's f colour in a chart, by its f trace ("gelu f"; "glu ‡ f" is "glu")."""
    return {
        t["name"].removesuffix(" f").rstrip(" ‡"): t["line"]["color"]
        for t in _spec(chart)["data"]
        if t["name"].endswith(" f")
    }


def test_a_picked_activation_has_one_colour_in_the_comparison_and_the_small_multiples(app):
    """Catches the Gallery colouring its two charts by two rules (the comparison in the order
    picked, the small multiples in catalogue order): gelu orange in one and maroon in the other,
    while the page says they match."""
    app.run()
    app.switch_page("pages/gallery.py").run()
    picked = ["relu", "gelu", "SinActivation", "mish"]  # mish comes before SinActivation in
    app.multiselect(key="gallery.picked").set_value(picked).run()  # the catalogue's order
    assert not app.exception
    detail, grid = (_line_colours(c) for c in app.get("plotly_chart"))
    assert set(detail) == set(picked)
    assert {name: grid[name] for name in picked} == detail
    assert len(set(detail.values())) == len(picked)  # and each picked one has its own
    others = {colour for name, colour in grid.items() if name not in picked}
    assert not others & set(detail.values())  # no panel outside the selection borrows one


def test_the_small_multiples_have_tick_labels_on_every_panel(app):
    """Catches panels drawn without tick labels (showticklabels=False), which leave a reader
    with no scale: is tanh's plateau at 1 or at 6?"""
    app.run()
    app.switch_page("pages/gallery.py").run()
    layout = _spec(app.get("plotly_chart")[1])["layout"]
    axes = {key: axis for key, axis in layout.items() if key.startswith(("xaxis", "yaxis"))}
    panels = len(layout["annotations"])
    assert len(axes) >= 2 * panels
    assert all(axis.get("showticklabels", True) for axis in axes.values())
    x_ticks = [axis.get("tickvals") for key, axis in axes.items() if key.startswith("xaxis")]
    assert all(ticks and min(ticks) == -6 and max(ticks) == 6 for ticks in x_ticks)


def test_the_comparison_title_names_every_picked_activation_and_the_chips_wrap(app):
    """Catches a title cut to the first four names with "…" and chips that scroll sideways
    inside the box, hiding the first ones: what the issue saw as clipped at 1280 × 900."""
    app.run()
    app.switch_page("pages/gallery.py").run()
    picked = ["relu", "gelu", "SinActivation", "mish", "scaled_tanh", "elu_like"]
    box = app.multiselect(key="gallery.picked")
    assert box.proto.wrap
    box.set_value(picked).run()
    title = _spec(app.get("plotly_chart")[0])["layout"]["title"]["text"].replace("<br>", " ")
    assert title.split(" vs ") == picked


def test_swish_finds_silu_in_the_dropdown_and_in_a_link(app):
    """Catches Keras's alias `swish` finding nothing in the Gallery: the dropdown's search
    matches labels, so silu's label must carry it, and a link that says swish opens silu and
    says why."""
    app.run()
    app.switch_page("pages/gallery.py").run()
    assert "silu (swish)" in app.multiselect(key="gallery.picked").options

    linked = open_link("pages/gallery.py", pick="swish,relu")
    assert linked.multiselect(key="gallery.picked").value == ["silu", "relu"]
    assert not [w for w in linked.warning if "Ignored" in w.value]
    assert any("swish" in i.value and "alias of `silu`" in i.value for i in linked.info)
    assert "silu" in _line_colours(linked.get("plotly_chart")[0])
