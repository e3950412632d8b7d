"""AppTest for the home page and the Gallery."""

import pytest
from streamlit.testing.v1 import AppTest

from activations import shared_catalogue
from tests.pages.conftest import APP
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
    titles = {a["text"].rstrip(" ‡") for a in _spec(charts[1])["layout"]["annotations"]}
    assert titles == set(shared_catalogue().names())
    assert app.dataframe[-1].value.shape[0] == len(shared_catalogue().names())

    app.multiselect(key="gallery.picked").set_value(["relu"]).run()
    before = next(t for t in _spec(app.get("plotly_chart")[0])["data"] if t["name"] == "relu f")
    app.slider(key="gallery.relu.negative_slope").set_value(0.5).run()
    assert not app.exception
    after = next(t for t in _spec(app.get("plotly_chart")[0])["data"] if t["name"] == "relu f")
    assert after["y"] != before["y"]
    assert after["x"] == before["x"]


def test_gallery_shows_code_and_formula_for_the_picked_activation(app):
    app.run()
    app.switch_page("pages/gallery.py").run()
    app.multiselect(key="gallery.picked").set_value(["SinActivation"]).run()
    assert not app.exception
    assert any("class SinActivation(keras.layers.Layer)" in c.value for c in app.code)
    assert any(r"\sin(x)" in latex.value for latex in app.get("latex"))
