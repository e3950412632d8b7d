"""AppTest for the Custom page: type the tutorial's activations, add them, find them elsewhere."""

import pytest

from tests.pages.conftest import open_app, spec

TUTORIAL = {
    "sin_t": "tf.math.sin(x)",
    "tanh2": "tf.math.tanh(x) * 2",
    "elu_t": "tf.where(x > 0, x, tf.exp(x) - 1)",
}


@pytest.fixture()
def custom():
    return open_app("pages/custom.py")


def _traces(app):
    return {t["name"]: t for t in spec(app.get("plotly_chart")[0])["data"]}


def test_tutorial_activations_typed_as_written_are_previewed_added_and_shown_in_the_gallery(custom):
    for name, text in TUTORIAL.items():
        custom.text_input(key="custom.expr").set_value(text).run()
        custom.text_input(key="custom.name").set_value(name).run()
        assert not custom.exception and not custom.error
        traces = _traces(custom)
        assert {f"{name} f", f"{name} f′", f"{name} f″"} <= set(traces)
        custom.button(key="custom.add").click().run()
        assert not custom.exception
    assert set(custom.session_state["customs"]) == set(TUTORIAL)
    assert sum("register_keras_serializable" in c.value for c in custom.code) == 3
    custom.switch_page("pages/gallery.py").run()
    assert not custom.exception
    assert set(TUTORIAL) <= set(custom.multiselect(key="gallery.picked").options)
    grid = spec(custom.get("plotly_chart")[1])
    assert set(TUTORIAL) <= {a["text"] for a in grid["layout"]["annotations"]}


def test_parameter_slider_moves_the_preview(custom):
    custom.text_input(key="custom.expr").set_value("x * tf.sigmoid(beta * x)").run()
    before = _traces(custom)["swish_beta f"]["y"]
    slider = next(s for s in custom.slider if s.label == "beta")
    slider.set_value(3.0).run()
    assert not custom.exception
    assert _traces(custom)["swish_beta f"]["y"] != before


@pytest.mark.parametrize(
    "text", ["__import__('os')", "x.__class__", "9**9**9", "(" * 40 + "x" + ")" * 40, "x +"]
)
def test_bad_input_gets_a_message_not_a_traceback(custom, text):
    custom.text_input(key="custom.expr").set_value(text).run()
    assert not custom.exception
    assert custom.error and "Not accepted" in custom.error[0].value
    custom.text_input(key="custom.expr").set_value(
        "tf.math.sin(x)"
    ).run()  # the session keeps working
    assert not custom.exception and not custom.error


def test_edit_and_remove(custom):
    custom.text_input(key="custom.expr").set_value("x * 3").run()
    custom.text_input(key="custom.name").set_value("triple").run()
    custom.button(key="custom.add").click().run()
    custom.text_input(key="custom.expr").set_value("x").run()
    custom.button(key="custom.edit.triple").click().run()
    assert custom.text_input(key="custom.expr").value == "x * 3"
    custom.button(key="custom.remove.triple").click().run()
    assert "triple" not in custom.session_state["customs"]


def _gallery_links(app) -> list:
    return [link.proto for link in app.main.get("page_link") if "gallery" in link.proto.page]


def test_the_tutorials_elu_like_typed_under_its_name_leads_to_the_catalogue_entry(custom):
    """Catches the student's first task ending in an error box: the tutorial's ELU-like typed
    as written under the obvious name elu_like, which the catalogue already has."""
    custom.text_input(key="custom.expr").set_value("tf.where(x > 0, x, tf.exp(x) - 1)").run()
    custom.text_input(key="custom.name").set_value("elu_like").run()
    assert not custom.exception and not custom.error
    assert any(
        "catalogue's **elu_like**" in i.value and "same curve" in i.value for i in custom.info
    )
    (link,) = _gallery_links(custom)
    assert link.query_string == "pick=elu_like"  # the Gallery opens with it picked
    assert custom.button(key="custom.add").disabled  # the name stays the catalogue's

    custom.button(key="custom.free_name").click().run()  # "Use the name elu_like_2"
    assert custom.text_input(key="custom.name").value == "elu_like_2"
    assert not custom.error and not custom.button(key="custom.add").disabled
    custom.button(key="custom.add").click().run()
    assert not custom.exception and not custom.error
    assert "elu_like_2" in custom.session_state["customs"]


def test_a_builtin_name_with_another_curve_is_offered_a_free_name(custom):
    """Catches a taken name answered with an error and nothing to do next, or with a link to
    an entry that is not the same function."""
    custom.text_input(key="custom.expr").set_value("x * 3").run()
    custom.text_input(key="custom.name").set_value("relu").run()
    assert not custom.exception and not custom.error
    assert any("**relu**" in i.value and "different curve" in i.value for i in custom.info)
    assert not _gallery_links(custom)
    assert custom.button(key="custom.add").disabled
    custom.button(key="custom.free_name").click().run()
    assert custom.text_input(key="custom.name").value == "relu_2"
    assert not custom.button(key="custom.add").disabled


def test_a_keras_alias_is_a_taken_name_that_leads_to_its_activation(custom):
    """Catches `swish` (Keras's alias of silu) accepted as a new custom name, which would
    shadow silu under the alias in this session."""
    custom.text_input(key="custom.expr").set_value("x * tf.sigmoid(x)").run()
    custom.text_input(key="custom.name").set_value("swish").run()
    assert not custom.exception and not custom.error
    assert any("alias of silu" in i.value for i in custom.info)
    assert [link.query_string for link in _gallery_links(custom)] == ["pick=silu"]
    assert custom.button(key="custom.add").disabled


def test_every_start_from_example_loads_without_an_error(custom):
    """Catches an example button that fills in a name the page then refuses ("2_tanh" starts
    with a digit, "ELU-like" has a hyphen): the tutorial's first steps ending in red."""
    labels = [b.label for b in custom.button if b.key.startswith("custom.example.")]
    assert len(labels) == 4
    for label in labels:
        custom.button(key=f"custom.example.{label}").click().run()
        assert not custom.exception and not custom.error, label


def test_customs_do_not_leak_into_another_session(custom):
    custom.text_input(key="custom.name").set_value("mine_only").run()
    custom.button(key="custom.add").click().run()
    other = open_app("pages/gallery.py")
    assert "mine_only" not in other.multiselect(key="gallery.picked").options


def test_a_parameter_marked_learn_it_reaches_the_code_and_the_train_page(custom):
    # Fails if "learn it" is lost on the way: the Layer code would hold a fixed beta, and the
    # Train page would not start with the parameter learned.
    custom.text_input(key="custom.expr").set_value("x * tf.sigmoid(beta * x)").run()
    custom.radio(key="custom.beta.learn").set_value("unit").run()
    custom.button(key="custom.add").click().run()
    assert not custom.exception and not custom.error
    code = next(c.value for c in custom.code if "swish_beta" in c.value)
    assert "self.beta = self.add_weight(" in code and "(input_shape[-1],)" in code
    assert "def get_config(self):" in code
    custom.switch_page("pages/train.py").run()
    custom.multiselect(key="train.activations").set_value(["swish_beta"]).run()
    assert custom.radio(key="train.swish_beta.beta.learn").value == "unit"


def test_a_learned_parameter_without_a_derivative_at_its_start_is_refused(custom):
    custom.text_input(key="custom.expr").set_value("tf.sqrt(x * x + b)").run()
    next(s for s in custom.slider if s.label == "b").set_value(0.0).run()
    custom.radio(key="custom.b.learn").set_value("layer").run()
    assert any("no finite derivative" in e.value for e in custom.error)
    assert custom.button(key="custom.add").disabled


def test_a_non_finite_activation_says_what_it_does_to_training_before_it_can_be_added(custom):
    # Fails if tf.exp(x*1000) (inf on most of the range) can be added on yellow warnings alone,
    # as it was: the page says in red what training will do, and Add waits for a tick.
    custom.text_input(key="custom.expr").set_value("tf.exp(x*1000)").run()
    custom.text_input(key="custom.name").set_value("blows_up").run()
    said = [e.value for e in custom.error if "Not finite" in e.value]
    assert said and "NaN loss" in said[0] and "diverged" in said[0]
    assert "NaN/inf at" in custom.checkbox(key="custom.allow_nonfinite").help
    assert custom.button(key="custom.add").disabled
    custom.checkbox(key="custom.allow_nonfinite").check().run()
    assert not custom.button(key="custom.add").disabled
    custom.button(key="custom.add").click().run()
    assert "blows_up" in custom.session_state["customs"]


def test_the_typed_name_survives_a_refused_expression_and_is_never_invented(custom):
    # Fails if the name box comes back with a default after the expression was refused for a
    # moment (its box leaves the page then), or if an empty name is filled in for the user.
    custom.text_input(key="custom.name").set_value("mine").run()
    custom.text_input(key="custom.expr").set_value("x +").run()  # refused: no name box
    assert custom.error
    custom.text_input(key="custom.expr").set_value("x * 2").run()
    assert custom.text_input(key="custom.name").value == "mine"
    custom.text_input(key="custom.name").set_value("").run()
    assert custom.button(key="custom.add").disabled
    assert any("Type a name" in i.value for i in custom.info)


def test_a_rational_fitted_to_gelu_loads_with_its_coefficients_and_is_drawn_beside_gelu(custom):
    # Fails if "Fit and load" does not put PAU's expression and the fitted coefficients (as the
    # parameters' starting values, exactly: a slider that snapped them to its step would start
    # another function) into the editor, if the preview does not draw gelu beside it, if the
    # fit's error is not stated, or if the rational cannot be added and learned like any custom.
    import numpy as np
    import tensorflow as tf

    from activations import shared_catalogue
    from core.study.shapes import rational

    custom.selectbox(key="custom.rational.target").set_value("gelu")
    custom.button(key="custom.rational.go").click().run()
    assert not custom.exception and not custom.error
    assert custom.text_input(key="custom.expr").value == rational.text(5, 4)
    assert custom.text_input(key="custom.name").value == "gelu_pau"
    gelu = shared_catalogue().get("gelu")
    expected = rational.fit(lambda x: np.asarray(gelu.curve(tf.constant(x, tf.float64))))
    for p, v in expected.params().items():
        slider = next(s for s in custom.slider if s.label == p)
        assert slider.value == v, p  # exact: the start is the fit, not a rounded one
    assert {"gelu_pau f", "gelu f"} <= set(_traces(custom))
    assert any("largest error" in c.value for c in custom.caption)
    next(r for r in custom.radio if r.label == "learn a0").set_value("layer").run()
    custom.button(key="custom.add").click().run()
    assert "gelu_pau" in custom.session_state["customs"]


def test_a_rational_that_cannot_be_fitted_says_why(custom):
    # Fails if a range with its ends the wrong way round crashes the page or fits silently.
    custom.number_input(key="custom.rational.low").set_value(2.0)
    custom.number_input(key="custom.rational.high").set_value(-2.0)
    custom.button(key="custom.rational.go").click().run()
    assert not custom.exception
    assert any("low end below its high end" in e.value for e in custom.error)


def test_kans_spline_loads_as_silu_or_fitted_and_can_learn_per_unit(custom):
    # Fails if "Load into the editor" does not write KAN's φ with its G + 3 coefficients (at 0:
    # φ = silu, as KAN starts), if a fitted start is not drawn beside its target with its error
    # stated, or if the spline cannot be added learning its coefficients per unit.
    from activations import shared_catalogue
    from core.study.shapes import spline

    custom.number_input(key="custom.spline.g").set_value(4)
    custom.button(key="custom.spline.go").click().run()
    assert not custom.exception and not custom.error
    assert custom.text_input(key="custom.expr").value == spline.text(4, -3.0, 3.0)
    assert custom.text_input(key="custom.name").value == "silu_kan4"
    assert {s.label: s.value for s in custom.slider if s.label.startswith("c")} == {
        f"c{i}": 0.0 for i in range(7)
    }
    custom.selectbox(key="custom.spline.start").set_value("tanh")
    custom.button(key="custom.spline.go").click().run()
    assert custom.text_input(key="custom.name").value == "tanh_kan4"
    # The second load's coefficients, not the first's (the sliders keep state once drawn).
    tanh = spline.fitted_activation(shared_catalogue().get("tanh"), 4)
    for p, v in tanh.params().items():
        assert next(s for s in custom.slider if s.label == p).value == v, p
    assert {"tanh_kan4 f", "tanh f"} <= set(_traces(custom))
    assert any("largest error" in c.value for c in custom.caption)
    next(r for r in custom.radio if r.label == "learn c0").set_value("unit").run()
    custom.button(key="custom.add").click().run()
    assert "tanh_kan4" in custom.session_state["customs"]
