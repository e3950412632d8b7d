"""A custom travels by its definition (issue 30, point 1): a link carries it and a fresh session
compiles it again, a stored run brings it back, an unknown name is named and the rest kept, and
the same name with another definition is the user's choice, never a silent swap."""

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from activations import shared_catalogue
from activations.expression import custom_activation
from charts import exports
from core.serve.store import RunStore
from core.train import datasets
from core.train.codegen import reproduce_script
from core.train.settings import TrainConfig
from core.train.training import Training
from tests.pages.conftest import APP, open_app, open_link
from ui.customs import DEF_PARAM

SIN2 = {"my_sin": {"expression": "tf.math.sin(a * x)", "params": {"a": [2.0, 0.0, 4.0]}}}


def _warnings(app) -> list[str]:
    return [w.value for w in app.warning]


def _customs(app) -> dict:
    return app.session_state["customs"] if "customs" in app.session_state else {}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path))


def test_a_train_link_with_a_custom_opens_in_a_fresh_session_with_it():
    # Fails if a link's custom is dropped in a new session (before: "Ignored act=relu,my_sin"
    # and the form reset), or if the custom is not compiled with the link's parameter ranges.
    app = open_link("pages/train.py", act="relu,my_sin", **{DEF_PARAM: json.dumps(SIN2)})
    assert app.multiselect(key="train.activations").value == ["relu", "my_sin"]
    assert not [w for w in _warnings(app) if "my_sin" in w]
    custom = _customs(app)["my_sin"]
    assert custom.expression == "tf.math.sin(a * x)"
    assert [(p.name, p.default, p.low, p.high) for p in custom.params] == [("a", 2.0, 0.0, 4.0)]
    # The page writes the definition back into its own URL: a reload finds it again.
    assert json.loads(app.query_params[DEF_PARAM]) == SIN2


def test_a_link_naming_an_unknown_activation_names_it_and_keeps_the_rest():
    # Fails if one unknown name drops the whole list (before: relu and mish lost too) or if the
    # notice does not say which name it was.
    app = open_link("pages/gallery.py", pick="relu,not_here,mish")
    assert app.multiselect(key="gallery.picked").value == ["relu", "mish"]
    assert any("not_here" in w and "relu, mish" in w for w in _warnings(app))


def test_a_link_whose_custom_does_not_compile_says_so_and_keeps_the_rest():
    # Fails if hostile or broken text in def= crashes the page or reaches Python's evaluator;
    # the compiler refuses it with its reason and the other names stay.
    bad = {"evil": {"expression": "__import__('os').system('touch /tmp/x')", "params": {}}}
    app = open_link("pages/train.py", act="relu,evil", **{DEF_PARAM: json.dumps(bad)})
    assert app.multiselect(key="train.activations").value == ["relu"]
    assert any("evil" in w and "left out" in w for w in _warnings(app))
    # Said on the page the link opens (here Home, the first page this session runs).
    home = AppTest.from_file(APP, default_timeout=300)
    home.query_params[DEF_PARAM] = "{not json"
    home.run()
    assert not home.exception
    assert any("not readable" in w for w in _warnings(home))


def _with_my_sin(app, expression: str):
    app.session_state["customs"] = {"my_sin": custom_activation("my_sin", expression)}
    return app


def test_the_same_name_with_another_definition_is_a_choice_never_a_swap():
    # Fails if a link silently replaces the session's own my_sin (or silently ignores the
    # link's): both formulas are shown, and only the user's click changes the definition.
    app = _with_my_sin(open_app("pages/gallery.py"), "tf.math.sin(x)")
    app.query_params[DEF_PARAM] = json.dumps(SIN2)
    app.query_params["pick"] = "my_sin"
    app.run()
    assert not app.exception
    warning = next(w for w in _warnings(app) if "my_sin" in w)
    assert "tf.math.sin(a * x)" in warning and "tf.math.sin(x)" in warning
    assert _customs(app)["my_sin"].expression == "tf.math.sin(x)"  # not swapped by itself
    app.button(key="customs.take.my_sin").click().run()
    assert _customs(app)["my_sin"].expression == "tf.math.sin(a * x)"
    assert not [w for w in _warnings(app) if "defines **my_sin**" in w]

    kept = _with_my_sin(open_app("pages/gallery.py"), "tf.math.sin(x)")
    kept.query_params[DEF_PARAM] = json.dumps(SIN2)
    kept.run()
    kept.button(key="customs.keep.my_sin").click().run()
    assert _customs(kept)["my_sin"].expression == "tf.math.sin(x)"
    assert not [w for w in _warnings(kept) if "my_sin" in w]


def test_a_stored_run_brings_its_custom_back_with_its_script():
    # Fails if a run keeps only a custom's name (before: a later session's Runs page said
    # "No script" and nothing said what my_sin computes).
    custom = custom_activation("my_sin", "tf.math.sin(a * x)", {"a": (2.0, 0.0, 4.0)})
    config = TrainConfig(activations=("relu", "my_sin"), dataset="random", epochs=1)
    data = datasets.load_shared("random", None, config.val_fraction, 0.0, config.data_seed)
    training = Training(config, data, shared_catalogue().with_customs([custom]))
    for _ in training.epochs():
        pass
    record = training.snapshot()
    assert record.customs == SIN2
    run_id = RunStore().save(record)
    # Every shared output says what my_sin computes beside its name.
    formula = "my_sin = tf.math.sin(a * x)"
    assert f"# {formula}\n" in exports.history_csv(record)
    assert json.loads(exports.history_json(record))["customs"] == SIN2
    assert formula in exports.html_report(record, [], pd.DataFrame(), "t", {})
    assert formula in reproduce_script(record, shared_catalogue())  # no session custom needed
    assert RunStore().summaries([run_id])[run_id].activations == f"relu, {formula}"

    app = open_link("pages/runs.py", runs=str(run_id))
    assert _customs(app)["my_sin"].expression == "tf.math.sin(a * x)"
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Keras script" in labels
    assert not [c.value for c in app.caption if c.value.startswith("No script")]
