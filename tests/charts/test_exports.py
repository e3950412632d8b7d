"""Exports parse back to the same numbers; the .keras model and the generated script reproduce
the run."""

import io
import json
import subprocess
import sys
import threading

import keras
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import tensorflow as tf

from activations import shared_catalogue
from activations.expression import custom_activation
from charts import exports
from charts.figures import training_chart
from charts.palette import view_colours
from charts.tables import results_table
from core.train import datasets
from core.train.codegen import reproduce_script
from core.train.rates import Shown
from core.train.record import Comparison
from core.train.settings import TrainConfig
from core.train.training import Training


@pytest.fixture(scope="module")
def run():
    data = datasets.mnist(samples=700, download=lambda: (_ for _ in ()).throw(OSError("offline")))
    catalogue = shared_catalogue().with_customs(
        [custom_activation("sw", "x * tf.sigmoid(b * x)", {"b": (1.5, 0, 3)})]
    )
    config = TrainConfig(
        activations=("relu", "SinActivation", "sw", "elu"),
        activation_params=(("elu", (("alpha", 0.5),)),),
        samples=700,
        epochs=2,
        width=16,
        depth=2,
        batch_size=64,
    )
    training = Training(config, data, catalogue)
    training.run()
    return training, data, catalogue


def test_csv_parses_back_to_the_same_numbers(run):
    training, _, _ = run
    comparison = training.record
    frame = pd.read_csv(io.StringIO(exports.history_csv(comparison)), comment="#")
    for b in comparison.branches:
        rows = frame[(frame.activation == b.activation) & (frame.seed == b.seed)]
        assert rows.loss.tolist() == b.loss and rows.val_metric.tolist() == b.val_metric


def test_json_parses_back_to_the_same_comparison(run):
    training, _, _ = run
    comparison = training.record
    data = json.loads(exports.history_json(comparison, {"keras": keras.__version__}))
    again = Comparison.from_dict(data)
    assert again.branches == comparison.branches and again.config == comparison.config
    assert data["versions"]["keras"] == keras.__version__


def test_keras_model_loads_and_predicts_like_the_app(run, tmp_path):
    training, data, _ = run
    comparison = training.record
    for index, branch in enumerate(comparison.branches):
        model = training.keras_model(branch.activation, branch.seed)
        path = tmp_path / f"{branch.activation}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        in_app = np.asarray(training.engine.net(tf.constant(data.x_val))[index])
        np.testing.assert_allclose(
            loaded.predict(data.x_val, verbose=0), in_app, rtol=1e-5, atol=1e-5
        )


def test_html_report_is_self_contained(run):
    training, _, catalogue = run
    comparison = training.record
    colours = view_colours(comparison.config.activations)
    shown = Shown.of(comparison)
    figs = [training_chart([shown], colours, k) for k in ("loss", "metric")]
    html = exports.html_report(comparison, figs, results_table(shown), "Report", {"keras": "3"})
    assert html.count('class="plotly-graph-div"') == 2
    import re

    assert not re.search(
        r"<script[^>]+src=", html
    )  # nothing fetched: plotly.js is inlined, so it opens offline
    assert len(html) > 1_000_000
    assert "final val loss" in html and "SinActivation" in html


def test_png_is_a_2x_image(run):
    training, _, catalogue = run
    comparison = training.record
    fig = training_chart(
        [Shown.of(comparison)], view_colours(comparison.config.activations), "loss"
    )
    png = exports.chart_png(fig, width=600, height=400)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1200, 800)


def _png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_pngs_asked_for_at_once_each_get_their_own_image_from_the_one_kept_browser():
    # Catches: a kept browser shared without a lock (kaleido's own sync server hands results
    # back through one queue, so two sessions exporting at once could swap images), and a
    # renderer that cannot start again once closed.
    figures = {w: go.Figure(go.Scatter(y=[0, w]), layout=dict(width=w)) for w in (300, 340, 380)}
    results = {}

    def export(width: int) -> None:
        results[width] = exports.chart_png(figures[width], width=width, height=200)

    threads = [threading.Thread(target=export, args=(w,)) for w in figures]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {w: _png_size(png) for w, png in results.items()} == {w: (2 * w, 400) for w in figures}
    exports.RENDERER.close()  # the next PNG starts a browser again
    assert _png_size(exports.chart_png(figures[300], width=300, height=200)) == (600, 400)


@pytest.mark.slow
def test_generated_script_reproduces_the_first_epochs_loss(run, tmp_path):
    training, _, catalogue = run
    comparison = training.record
    script = tmp_path / "reproduce.py"
    script.write_text(reproduce_script(comparison, catalogue))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = {}
    for line in done.stdout.splitlines():
        if " epoch 1 loss " in line:
            name = line.split(" seed ")[0]
            printed[name] = float(line.split(" loss ")[1].split()[0])
    for b in comparison.branches:
        assert printed[b.activation] == pytest.approx(b.loss[0], rel=1e-4), b.activation
