"""AppTest for the Playground page: it opens paused at initialisation, Play / Step / Reset /
Stop drive the server's job, a link restores the settings, bad input gets a message, the run is
saved and opens on Runs, and tanh learns the spiral."""

import dataclasses
import re

import numpy as np

from core.playground import job as pg_job
from core.playground.config import PlaygroundConfig
from core.serve.store import RunStore
from tests.pages.conftest import open_app, open_link

SPIRAL = dict(act="tanh,relu", data="spiral", feat="x1,x2,sinx1,sinx2", net="8,8")


def _job(app) -> pg_job.PlaygroundJob:
    job = pg_job.get(app.session_state["pg.job"])
    assert job is not None
    return job


def _ready(app) -> pg_job.PlaygroundJob:
    job = _job(app)
    job.wait_for(lambda s: s.state != "starting", 120)
    app.run()  # AppTest does not run the self-refreshing view on a clock
    assert not app.exception
    return job


def test_the_page_opens_paused_at_initialisation_with_playgrounds_defaults():
    # Fails if the page crashes, trains before Play (Playground opens paused), or its defaults
    # are not Playground's (circle, x1 and x2, two layers of 4 and 2, rate 0.03, batch 10).
    app = open_app("pages/playground.py")
    job = _ready(app)
    config = job.config
    assert (config.dataset, config.features, config.layers) == ("circle", ("x1", "x2"), (4, 2))
    assert (config.learning_rate, config.batch_size, config.train_percent) == (0.03, 10, 50)
    assert config.activations == ("relu", "tanh", "sigmoid", "linear")
    snap = job.read()
    assert snap.state == "paused" and snap.epoch == 0 and snap.output.shape == (4, 100, 100)
    assert [u.shape for u in snap.units] == [(4, 24, 24, 4), (4, 24, 24, 2)]
    assert app.button(key="pg.play").label == "Play"
    # The panels (an image) and the losses (a chart); the neurons' thumbnails are images too.
    assert len(app.get("plotly_chart")) == 1
    assert len(app.get("image")) == 1 + 4 * 2  # panels, then 4 activations × 2 layers of units
    assert any(m.value.startswith("Test loss after epoch 0: relu") for m in app.markdown)
    assert RunStore().count() == 0  # nothing trained, nothing saved


def test_play_step_reset_and_stop_drive_the_job_and_the_run_lands_in_the_store():
    # Fails if a button does not reach the job (Play trains on, Step trains exactly one epoch,
    # Reset starts new networks at epoch 0, Stop ends the job) or the run is not saved.
    app = open_link("pages/playground.py", **SPIRAL)
    job = _ready(app)
    app.button(key="pg.play").click().run()
    assert app.button(key="pg.play").label == "Pause"
    job.wait_for(lambda s: s.epoch >= 3)
    app.button(key="pg.play").click().run()  # Pause
    paused = job.wait_for(lambda s: s.state == "paused")
    app.button(key="pg.step").click().run()  # the click waits for its epoch
    assert job.read().epoch == paused.epoch + 1
    assert job.run_id is not None and RunStore().load(job.run_id).epochs_done == paused.epoch + 1
    app.button(key="pg.reset").click().run()
    fresh = _ready(app)
    assert fresh.id != job.id and fresh.read().epoch == 0 and not job.alive
    saved = RunStore().load(job.run_id)
    assert saved.status == "stopped" and saved.playground["dataset"] == "spiral"
    assert [b.activation for b in saved.branches] == ["tanh", "relu"]
    app.button(key="pg.step").click().run()
    app.button(key="pg.stop").click().run()
    assert not fresh.alive and fresh.read().state == "stopped"
    assert app.button(key="pg.play").disabled


def test_a_link_restores_the_settings_and_bad_values_get_a_notice():
    # Fails if a Playground link (its whole state, as Playground keeps it) does not reopen the
    # same networks, or a bad parameter crashes the page instead of being ignored with a notice.
    app = open_link(
        "pages/playground.py", **SPIRAL, lr="0.1", batch="5", noise="20", reg="l2", net2="x"
    )
    config = _ready(app).config
    assert config.activations == ("tanh", "relu") and config.layers == (8, 8)
    assert (config.learning_rate, config.batch_size, config.noise) == (0.1, 5, 20)
    assert config.regularization == "l2"
    bad = open_link("pages/playground.py", net="9,9", act="nope", lr="2")
    assert len(bad.info) >= 3  # net, act and lr ignored, each said
    assert _ready(bad).config.layers == (4, 2)


def test_bad_layers_text_and_no_activation_get_messages_not_a_crash():
    app = open_app("pages/playground.py")
    job = _ready(app)
    app.text_input(key="pg.layers_text").set_value("8, nine").run()
    assert not app.exception
    assert any("whole numbers separated by commas" in e.value for e in app.error)
    assert _job(app).id == job.id  # the last good network stays
    app.multiselect(key="pg.activations").set_value([]).run()
    assert not app.exception
    assert any("Choose at least one activation" in w.value for w in app.warning)


def test_a_playground_run_opens_on_runs():
    # Fails if Runs cannot show a Playground run (its record has no Train dataset or script).
    app = open_link("pages/playground.py", **SPIRAL)
    job = _ready(app)
    app.button(key="pg.step").click().run()
    app.button(key="pg.step").click().run()
    app.button(key="pg.stop").click().run()
    runs = open_link("pages/runs.py", runs=str(job.run_id))
    assert not runs.exception and not runs.error
    assert len(runs.get("plotly_chart")) >= 2


def test_tanh_learns_the_spiral_within_300_epochs():
    # The acceptance: Playground's defaults (rate 0.03, batch 10, no noise, half the points
    # to train), the spiral, tanh in two layers of 8 with x1, x2, sin x1, sin x2 (with x1 and x2
    # alone, 2 × 8 tanh is at 0.39 after 300 epochs: measured, as in Playground itself). Fails if
    # training does not reach test loss 0.1 within 300 epochs (measured: 0.11 at 100, 0.03 at
    # 200, seed 0), i.e. if the updates, the loss or the data are wrong.
    app = open_link("pages/playground.py", **{**SPIRAL, "act": "tanh"})
    job = _ready(app)
    app.button(key="pg.play").click().run()
    job.wait_for(lambda s: s.epoch >= 300, 300)
    app.button(key="pg.play").click().run()
    test_loss = np.array(job.read().history["test_loss"][0][:301])
    assert test_loss.min() <= 0.1, test_loss[::50]
    assert test_loss[0] > 0.4  # it started unlearnt


def test_the_known_setting_sets_the_controls_and_says_what_was_measured():
    # Fails if the button is missing for the chosen dataset, does not set the controls (a
    # widget's state set after it is drawn raises in Streamlit, or the layers box keeps the old
    # text), touches the user's activations, or the page does not say what was measured.
    from core.playground.config import PRESETS

    preset = PRESETS["spiral"]
    app = open_app("pages/playground.py")
    app.selectbox(key="pg.dataset").set_value("spiral").run()
    button = app.button(key="pg.preset")
    assert button.label == "Use a setting known to learn Spiral" and not button.disabled
    said = " ".join(c.value for c in app.caption)
    assert preset.measured in said and f"Measured {preset.date}" in said
    assert "x₁, x₂, sin(x₁), sin(x₂) · layers 8, 8 · rate 0.1" in said
    button.click().run()
    assert not app.exception
    assert app.text_input(key="pg.layers_text").value == "8, 8"
    assert app.selectbox(key="pg.learning_rate").value == 0.1
    assert set(app.session_state["pg.features"]) == set(preset.features)
    config = _ready(app).config
    assert config == preset.applied(PlaygroundConfig(dataset="spiral"))
    assert config.activations == ("relu", "tanh", "sigmoid", "linear")  # the user's, kept
    button = app.button(key="pg.preset")
    assert button.label == "Using the setting known to learn Spiral" and button.disabled
    assert app.query_params["lr"] == "0.1"  # the link says it too


def test_the_page_says_when_the_test_loss_has_stopped_moving():
    # Fails if the page stays silent while a network's test loss sits still (the issue: 1,953
    # epochs at 0.47–0.49 and no hint). A linear network cannot learn the spiral from x1 and x2;
    # the rule flags it at epoch 206 (bench/playground_presets.py), so 260 epochs are enough.
    app = open_link("pages/playground.py", act="linear", data="spiral")
    job = _ready(app)
    app.button(key="pg.play").click().run()
    job.wait_for(lambda s: s.epoch >= 260, 300)
    app.button(key="pg.play").click().run()  # Pause
    assert not app.exception
    said = [m.value for m in app.markdown if "not moved" in m.value]
    assert len(said) == 1, [m.value for m in app.markdown]
    assert "Test loss has not moved for 200 epochs (best improved < 1 %)" in said[0]
    assert "linear still above 0.05" in said[0]
    assert "Try the setting known to learn Spiral" in said[0]


def _ignored(app) -> list[str]:
    """The link's values the page said it ignored, each as it quotes it (“noise=51”)."""
    return re.findall(r"“[^”]*”", " ".join(i.value for i in app.info if "Ignored" in i.value))


def test_each_playground_range_is_one_for_its_widget_its_link_and_its_check():
    # Fails if a Playground limit is typed twice and the copies drift (the widget, the link's
    # check and the configuration's check each had their own 0-50, 10-90 and 1-30): the slider
    # ends where the table says, a link at the limit opens and one past it is ignored with a
    # notice, and the configuration refuses the value past it in words naming the limit.
    from core.playground.config import BY_NAME, DEFAULT

    app = open_app("pages/playground.py")
    for name, param in (("noise", "noise"), ("train_percent", "train"), ("batch_size", "batch")):
        setting = BY_NAME[name]
        slider = app.slider(key=f"pg.{name}")
        assert (slider.min, slider.max) == (setting.low, setting.high)
        for edge, past_it in ((int(setting.low), -1), (int(setting.high), 1)):
            linked = open_link("pages/playground.py", **{param: str(edge)})
            assert not _ignored(linked) and getattr(_ready(linked).config, name) == edge
            beyond = edge + past_it
            past = open_link("pages/playground.py", **{param: str(beyond)})
            assert _ignored(past) == [f"“{param}={beyond}”"]
            assert getattr(_ready(past).config, name) == getattr(DEFAULT, name)
            said = dataclasses.replace(DEFAULT, **{name: beyond}).problems()
            assert said == [setting.problem(beyond)]
            assert f"from {setting.low:g} to {setting.high:g}" in said[0]
    # The seed's box has no bounds (a bounded box drops a typed value without a word): a seed
    # past the table's limit is refused by the check, and the page says so.
    app.number_input(key="pg.seed").set_value(BY_NAME["seed"].high + 1).run()
    assert not app.exception
    assert any("Seed must be a whole number from 0 to" in w.value for w in app.warning)
