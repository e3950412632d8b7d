"""AppTest for the Runs page and for links that restore a page's view."""

import json

from streamlit.testing.v1 import AppTest

from bench.made_up import comparison
from charts.palette import PALETTES
from core.serve.store import RunStore
from tests.pages.conftest import APP, finish_jobs, open_app, open_link, spec

TEN = (
    "relu",
    "tanh",
    "sigmoid",
    "gelu",
    "elu",
    "SinActivation",
    "selu",
    "softplus",
    "silu",
    "mish",
)


def _app():
    return open_app()


def _train(app, activations):
    app.switch_page("pages/train.py").run()
    app.number_input(key="train.samples").set_value(500).run()
    app.number_input(key="train.epochs").set_value(2).run()
    app.multiselect(key="train.activations").set_value(activations).run()
    app.button(key="train.go").click().run()
    finish_jobs(app)
    assert not app.exception and not app.error


def test_a_trained_run_appears_and_two_runs_overlay():
    app = _app()
    _train(app, ["relu", "tanh"])
    _train(app, ["relu", "SinActivation"])
    app.switch_page("pages/runs.py").run()
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table.index) == [2, 1] and table.loc[1, "activations"] == "relu, tanh"
    app.multiselect(key="runs.selected").set_value([1, 2]).run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert len(charts) == 2 + 2 * 2  # loss and accuracy, then each run's inside the network
    assert {c.key for c in charts[2:]} == {
        f"runs.{i}.inside.{k}" for i in (1, 2) for k in ("flow", "spread")
    }
    names = {t["name"] for t in spec(charts[0])["data"]}
    assert {"relu · run 1", "tanh · run 1", "relu · run 2", "SinActivation · run 2"} <= names
    # One view: relu keeps one colour in both runs; the others follow in the order they appear.
    colours = {t["name"]: t["line"]["color"] for t in spec(charts[0])["data"]}
    light = PALETTES["light"]
    assert colours["relu · run 1"] == colours["relu · run 2"] == light[0]
    assert [colours["tanh · run 1"], colours["SinActivation · run 2"]] == list(light[1:3])
    # Screenshot mode shows the Share image itself (tests/charts/test_share.py checks its content).
    app.toggle(key="runs.screenshot").set_value(True).run()
    assert not app.exception
    assert app.get("plotly_chart") == [] and len(app.get("image")) == 1
    assert app.query_params["runs"] == ["1,2"] or app.query_params["runs"] == "1,2"


def test_a_run_survives_a_new_session_and_can_be_renamed_and_deleted():
    first = _app()
    _train(first, ["relu"])
    second = _app()  # a new browser session against the same data folder
    second.switch_page("pages/runs.py").run()
    second.multiselect(key="runs.selected").set_value([1]).run()
    second.text_input(key="runs.1.name").set_value("baseline relu").run()
    second.button(key="runs.1.save").click().run()
    assert second.dataframe[0].value.loc[1, "name [tags]"] == "baseline relu"
    assert second.button(key="runs.1.delete").disabled  # needs the confirmation first
    second.checkbox(key="runs.1.confirm").check().run()
    second.button(key="runs.1.delete").click().run()
    assert not second.exception
    assert any("No runs yet" in i.value for i in second.info)


def test_gallery_link_restores_the_view_and_ignores_garbage():
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params["pick"] = "elu,tanh"
    app.query_params["x"] = "-2:3"
    app.query_params["show"] = "nonsense"
    app.run()
    app.switch_page("pages/gallery.py").run()
    assert not app.exception
    assert app.multiselect(key="gallery.picked").value == ["elu", "tanh"]
    assert app.slider(key="gallery.x_range").value == (-2.0, 3.0)
    assert any("show=nonsense" in w.value for w in app.warning)


def test_train_link_restores_the_configuration_without_training():
    app = AppTest.from_file(APP, default_timeout=300)
    for key, value in {
        "act": "relu,elu",
        "data": "friedman",
        "ep": "7",
        "depth": "3",
        "opt": "sgd",
        "p.elu.alpha": "0.5",
        "lr": "1e9",
        "seeds": "banana",
    }.items():
        app.query_params[key] = value
    app.run()
    app.switch_page("pages/train.py").run()
    assert not app.exception
    assert app.multiselect(key="train.activations").value == ["relu", "elu"]
    assert app.selectbox(key="train.dataset").value == "friedman"
    assert (
        app.number_input(key="train.epochs").value == 7 and app.slider(key="train.depth").value == 3
    )
    assert app.slider(key="train.elu.alpha").value == 0.5
    assert app.number_input(key="train.learning_rate").value == 0.001  # 1e9 was refused
    assert sum("Ignored" in w.value for w in app.warning) == 2
    assert not app.get("plotly_chart")  # nothing was trained


def test_runs_link_to_a_deleted_run_is_explained():
    _train(_app(), ["relu"])
    app = AppTest.from_file(APP, default_timeout=300)
    app.query_params["runs"] = "41,1"
    app.run()
    app.switch_page("pages/runs.py").run()
    assert not app.exception
    assert any("41" in w.value and "no longer exist" in w.value for w in app.warning)
    assert app.multiselect(key="runs.selected").value == [1]
    assert len([c for c in app.get("plotly_chart") if c.key.startswith("runs.chart.")]) == 2


def test_a_saved_run_shows_its_learned_parameters():
    # Fails if the run store or the Runs page loses the parameter histories of a learned run.
    app = _app()
    app.switch_page("pages/train.py").run()
    app.selectbox(key="train.dataset").set_value("friedman").run()
    app.number_input(key="train.samples").set_value(500).run()
    app.number_input(key="train.epochs").set_value(2).run()
    app.multiselect(key="train.activations").set_value(["elu"]).run()
    app.radio(key="train.elu.alpha.learn").set_value("layer").run()
    app.button(key="train.go").click().run()
    finish_jobs(app)
    assert not app.exception and not app.error
    app.switch_page("pages/runs.py").run()
    app.multiselect(key="runs.selected").set_value([1]).run()
    assert not app.exception
    keys = {c.key for c in app.get("plotly_chart")}
    assert {"runs.1.learned.params", "runs.1.learned.shapes"} <= keys
    params = spec(next(c for c in app.get("plotly_chart") if c.key == "runs.1.learned.params"))
    alpha = next(t["y"] for t in params["data"] if t.get("name") == "elu · alpha · layer 1")
    assert len(alpha) == 3 and alpha[0] == 1.0


def _saved(*comparisons) -> list[int]:
    """Made-up finished runs in this test's store (no training): their ids."""
    store = RunStore()
    return [store.save(c) for c in comparisons]


def _charts(app) -> list[str]:
    return [c.key for c in app.get("plotly_chart") if c.key.startswith("runs.chart.")]


def test_runs_opens_with_the_newest_run_and_a_cleared_selection_stays_cleared():
    # Fails if the page opens on an empty selection (no chart until the user finds the box),
    # or if the newest run comes back after the user cleared the selection on purpose (on the
    # next rerun, or after a visit to another page).
    _saved(comparison(("relu", "tanh"), seeds=1, epochs=3), comparison(TEN, seeds=1, epochs=3))
    app = open_app("pages/runs.py")
    assert app.multiselect(key="runs.selected").value == [2]
    assert _charts(app) == ["runs.chart.loss", "runs.chart.metric"]
    app.multiselect(key="runs.selected").set_value([]).run()
    assert _charts(app) == [] and any("Pick one or more runs" in i.value for i in app.info)
    app.toggle(key="runs.log_y").set_value(True).run()
    app.switch_page("pages/train.py").run()
    app.switch_page("pages/runs.py").run()
    assert not app.exception
    assert app.multiselect(key="runs.selected").value == [] and _charts(app) == []


def test_a_link_keeps_its_runs_even_an_empty_choice():
    # Fails if opening the newest run overrides what a shared link names: `?runs=1` must show
    # run 1 alone, and `?runs=` (a view someone cleared, then shared or refreshed) no run.
    _saved(comparison(("relu",), seeds=1, epochs=3), comparison(("tanh",), seeds=1, epochs=3))
    app = open_link("pages/runs.py", runs="1")
    assert app.multiselect(key="runs.selected").value == [1]
    assert len(_charts(app)) == 2
    empty = open_link("pages/runs.py", runs="")
    assert empty.multiselect(key="runs.selected").value == [] and _charts(empty) == []


def test_the_runs_table_shows_its_key_columns_first_and_every_column_within_1280_px(layouts):
    # Fails if the wide activations column comes before best val loss, best val metric and
    # status, or if the columns are wider than a 1280 px window's table (about 818 px beside
    # the sidebar): the last ones scrolled out of sight (tests/e2e/test_clipping.py measures the
    # drawn cells); or if the table is cut to a scrolling box (one cut-off row with one run).
    _saved(comparison(TEN, seeds=1, epochs=3))
    app = open_app("pages/runs.py")
    table = app.dataframe[0]
    key = ["activations", "best val loss", "best val metric", "status"]
    assert table.value.index.name == "run" and list(table.value.columns[:4]) == key
    config = json.loads(table.proto.columns)
    widths = [config[c]["width"] for c in ["run", *table.value.columns]]
    assert all(isinstance(w, int) for w in widths) and sum(widths) <= 818
    assert table.value.loc[1, "activations"].endswith("+5 more")
    assert layouts()[0] == "content"


def test_overlaid_runs_compare_each_with_a_reference_both_share_and_screenshot_mode_says_so():
    # Fails if Runs has no "vs <reference>" column, offers a reference that one of the runs
    # does not have, says the test for only one of two overlaid runs, or if the share image
    # (screenshot mode) loses the reference picker.
    first, second = _saved(
        comparison(("relu", "gelu", "silu"), seeds=3, epochs=3),
        comparison(("tanh", "gelu"), seeds=1, epochs=3),
    )
    app = open_link("pages/runs.py", runs=f"{first},{second}")
    picker = app.selectbox(key="runs.reference")
    assert picker.options == ["gelu"] and picker.value == "gelu"  # the only one both have
    table = app.dataframe[1].value
    rows = zip(table["run"], table["activation"], strict=True)
    by_row = dict(zip(rows, table["vs gelu (pts)"], strict=True))
    assert by_row[(first, "gelu")] == by_row[(second, "gelu")] == "reference"
    assert by_row[(second, "tanh")].endswith(", no verdict")
    note = next(c.value for c in app.caption if "vs gelu" in c.value)  # one line per run
    assert note.startswith(f"Run {first} **vs gelu**") and "Paired t-test over 3 seeds" in note
    assert f"Run {second} **vs gelu: no verdict with 1 seed" in note
    app.toggle(key="runs.screenshot").set_value(True).run()
    assert not app.exception
    assert app.selectbox(key="runs.reference").value == "gelu"
