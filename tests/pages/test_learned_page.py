"""AppTest: a learnable Swish-β trains on Friedman #1 and the Train page charts it."""

import pytest

from activations.expression import custom_activation
from core.train.network.diagnostics import HISTOGRAM_BINS
from tests.pages.conftest import finish_jobs, open_app
from tests.pages.conftest import spec as _spec

SWISH = custom_activation("swish_b", "x * tf.sigmoid(b * x)", {"b": (1.0, 0.0, 3.0)})


@pytest.fixture()
def train():
    app = open_app("pages/train.py")
    app.session_state["customs"] = {"swish_b": SWISH}
    app.run()
    return app


def _choose_swish(train, learn: str = "layer", start: float = 1.0):
    train.selectbox(key="train.dataset").set_value("friedman").run()
    train.multiselect(key="train.activations").set_value(["swish_b"]).run()
    train.slider(key="train.swish_b.b").set_value(start).run()
    train.radio(key="train.swish_b.b.learn").set_value(learn).run()


def test_a_learned_swish_beta_moves_and_is_charted(train):
    # Fails if β is not a trained variable (it would stay at 1.0), if the record does not keep
    # it, or if the Train page does not draw the parameter chart and the learned shapes.
    _choose_swish(train)
    train.number_input(key="train.epochs").set_value(5).run()
    train.number_input(key="train.learning_rate").set_value(0.01).run()
    train.select_slider(key="train.width").set_value(32).run()
    assert train.query_params["l.swish_b.b"] in ("layer", ["layer"])  # a link keeps it
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception and not train.error
    specs = [_spec(c) for c in train.get("plotly_chart")]
    params = next(s for s in specs if "swish_b · b" in str(s["layout"].get("annotations")))
    beta = [t for t in params["data"] if t.get("name") == "swish_b · b · layer 1"][0]["y"]
    assert len(beta) == 6 and beta[0] == pytest.approx(1.0)
    assert abs(beta[-1] - beta[0]) > 0.05, beta  # moved measurably, not by rounding
    shapes = next(s for s in specs if any(t.get("name") == "initial shape" for t in s["data"]))
    lines = [t for t in shapes["data"] if t["type"] == "scatter" and "shape" in t["name"]]
    assert {t["name"]: t["line"]["dash"] for t in lines} == {
        "final shape": "solid",
        "initial shape": "dash",
    }
    # The recorded histogram (diagnostics are on by default; not the 4 bars of 5 quantiles).
    bars = [t for t in shapes["data"] if t["type"] == "bar"]
    assert bars and all(len(t["x"]) == HISTOGRAM_BINS for t in bars)
    # Mean-field theory at the learned values: a row per layer, initial then final β.
    theory = next(d.value for d in train.dataframe if "χ1" in d.value.columns)
    assert list(theory["parameters"])[:2] == ["initial: b 1", f"final: b {beta[-1]:.3g}"]
    # The formula it learned: x·σ(βx) is silu(βx)/β exactly, so silu must rank first with an R²
    # that only the 4-digit rounding of its coefficients keeps below 1; one click adds it.
    train.button(key="train.learned.formula.go").click().run()
    assert not train.exception
    listed = [m.value for m in train.markdown if "R² =" in m.value]
    assert len(listed) == 5 and listed[0].startswith("1. `") and "silu(" in listed[0]
    assert float(listed[0].rsplit("R² = ", 1)[1]) >= 0.99999
    train.button(key="train.learned.formula.add.0.1").click().run()
    assert "swish_b_l1_silu" in train.session_state["customs"]


def test_a_start_without_a_derivative_is_explained_and_not_trained(train):
    train.multiselect(key="train.activations").set_value(["squareplus"]).run()
    train.slider(key="train.squareplus.b").set_value(0.0).run()
    train.radio(key="train.squareplus.b.learn").set_value("unit").run()
    assert any("no finite derivative" in e.value for e in train.error)
    assert train.button(key="train.go").disabled


def test_learning_an_unset_max_value_is_explained_and_not_trained(train):
    # Fails if learning relu's max_value with no start (Keras's default: no ceiling) crashes the
    # page or trains, instead of saying what to set.
    train.multiselect(key="train.activations").set_value(["relu"]).run()
    train.radio(key="train.relu.max_value.learn").set_value("layer").run()
    assert not train.exception
    assert any("max_value is not set" in e.value for e in train.error)
    assert train.button(key="train.go").disabled
    train.toggle(key="train.relu.max_value.on").set_value(True).run()
    assert not train.error and not train.button(key="train.go").disabled
