"""Learnable activation parameters: a learned slope per unit trains exactly like Keras's PReLU,
learned values leave in a `.keras` file, bad starts are explained and a NaN parameter diverges."""

import keras
import numpy as np
import pytest

from activations import shared_catalogue
from activations.expression import custom_activation
from core.train import datasets
from core.train.network.diagnostics import PROBE_SAMPLES
from core.train.rates import Shown
from core.train.settings import TrainConfig
from core.train.training import Training, train_compare
from tests.core.train.test_training import _assert_same, _fit, _init

PRELU = dict(
    activations=("leaky_relu",),
    activation_params=(("leaky_relu", (("negative_slope", 0.25),)),),
    learnable=(("leaky_relu", (("negative_slope", "unit"),)),),
)


@pytest.fixture(scope="module")
def mnist_small():
    return datasets.mnist(samples=1200, download=lambda: (_ for _ in ()).throw(OSError("offline")))


def _keras_prelu_model(config, data, seed):
    """The network as a Keras user writes a learned slope per unit: Dense, then PReLU starting
    at 0.25, no app code."""
    layers = [keras.layers.Flatten()]
    for i in range(config.depth):
        layers += [
            keras.layers.Dense(config.width, kernel_initializer=_init(seed, i)),
            keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25)),
        ]
    layers.append(keras.layers.Dense(data.n_outputs, kernel_initializer=_init(seed, config.depth)))
    return keras.Sequential([keras.Input(data.input_shape), *layers])


@pytest.mark.slow
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_learned_slope_per_unit_trains_exactly_like_keras_prelu(mnist_small, optimizer):
    # Fails if the learned slopes are not updated by the same rule from their own gradient (a
    # missing variable, a shared slope, a different formula) or if they leak between networks.
    config = TrainConfig(
        **PRELU,
        epochs=3,
        batch_size=100,
        width=24,
        depth=2,
        optimizer=optimizer,
        learning_rate=0.05 if optimizer == "sgd" else 3e-3,
        seeds=2,
    )
    fused = train_compare(config, mnist_small)
    for branch in fused.branches:
        model = _keras_prelu_model(config, mnist_small, branch.seed)
        # Measured: 2e-7 apart at most (float32 rounding); 1e-5 catches any real difference.
        _assert_same(branch, _fit(model, config, mnist_small), rtol=1e-5)
        alphas = [np.asarray(layer.alpha) for layer in model.layers if hasattr(layer, "alpha")]
        learned = branch.learned["negative_slope"][-1]
        np.testing.assert_allclose(
            learned, [[a.mean(), a.std()] for a in alphas], rtol=1e-5, atol=1e-6
        )
    slope = fused.branches[0].learned["negative_slope"]
    assert slope[0] == [[0.25, 0.0], [0.25, 0.0]] and slope[-1][0][1] > 1e-4  # slopes moved apart


def _keras_cnn_prelu_model(config, data, seed):
    """The small CNN as a Keras user writes a learned slope per unit, no app code: a unit of a
    convolution is a channel (PReLU shared over height and width), starting at 0.25."""
    start = keras.initializers.Constant(0.25)
    conv_layers = []
    for layer, filters in enumerate((16, 32)):
        conv_layers += [
            keras.layers.Conv2D(filters, 3, kernel_initializer=_init(seed, layer)),
            keras.layers.PReLU(alpha_initializer=start, shared_axes=[1, 2]),
            keras.layers.MaxPooling2D(),
        ]
    return keras.Sequential(
        [
            keras.Input(data.input_shape),
            *conv_layers,
            keras.layers.Flatten(),
            keras.layers.Dense(config.width, kernel_initializer=_init(seed, 2)),
            keras.layers.PReLU(alpha_initializer=start),
            keras.layers.Dense(data.n_outputs, kernel_initializer=_init(seed, 3)),
        ]
    )


@pytest.mark.slow
def test_the_cnn_learns_a_slope_per_channel_exactly_like_keras_prelu_at_each_rate(mnist_small):
    # Fails if the fused CNN gives a learned parameter the wrong shape (per position instead of
    # per channel), mixes networks' slopes or rates, or if the exported .keras network is not
    # the one trained: each network must equal Keras PReLU trained alone at its own rate.
    rates = (3e-3, 1e-2)
    config = TrainConfig(
        **PRELU, model="cnn", epochs=2, batch_size=100, width=16, learning_rates=rates
    )
    training = Training(config, mnist_small)
    fused = training.run()
    for branch in fused.branches:
        model = _keras_cnn_prelu_model(config, mnist_small, branch.seed)
        _assert_same(branch, _fit(model, config, mnist_small, branch.learning_rate))
        alphas = [np.asarray(layer.alpha) for layer in model.layers if hasattr(layer, "alpha")]
        learned = branch.learned["negative_slope"][-1]
        np.testing.assert_allclose(
            learned, [[a.mean(), a.std()] for a in alphas], rtol=1e-5, atol=1e-6
        )
        exported = training.keras_model("leaky_relu", branch.seed, branch.learning_rate)
        np.testing.assert_allclose(
            exported.predict(mnist_small.x_val, verbose=0),
            model.predict(mnist_small.x_val, verbose=0),
            rtol=1e-4,
            atol=1e-5,
        )
    first, second = fused.branches
    assert first.loss != second.loss  # the two rates really trained differently


def test_a_saved_model_reloads_with_the_learned_values(tmp_path):
    # Fails if the .keras file keeps the initial parameter, or cannot be loaded back.
    data = datasets.friedman1(samples=300)
    catalogue = shared_catalogue().with_customs(
        [custom_activation("swish_b", "x * tf.sigmoid(b * x)", {"b": (1.0, 0.0, 3.0)})]
    )
    config = TrainConfig(
        activations=("swish_b",),
        learnable=(("swish_b", (("b", "unit"),)),),
        dataset="friedman",
        epochs=2,
        width=8,
        learning_rate=0.03,
    )
    training = Training(config, data, catalogue)
    training.run()
    model = training.keras_model("swish_b")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    saved_b = [w for w in loaded.weights if w.name == "b" and w.shape == (8,)]
    assert len(saved_b) == 1 and not np.allclose(np.asarray(saved_b[0]), 1.0)
    mean, std = training.record.branches[0].learned["b"][-1][0]
    np.testing.assert_allclose(np.asarray(saved_b[0]).mean(), mean, rtol=1e-5)
    np.testing.assert_allclose(loaded.predict(data.x_val, verbose=0), model.predict(data.x_val))


@pytest.mark.parametrize(
    "activation, params, learn, message",
    [
        ("elu", {"alpha": 5.0}, {"alpha": "layer"}, "outside its range"),
        ("squareplus", {"b": 0.0}, {"b": "unit"}, "no finite derivative"),
        ("tanh", {}, {"x": "layer"}, "cannot be learned"),
    ],
)
def test_bad_learned_parameters_are_explained(activation, params, learn, message):
    config = TrainConfig(
        activations=(activation,),
        activation_params=((activation, tuple(params.items())),),
        learnable=((activation, tuple(learn.items())),),
        dataset="friedman",
    )
    with pytest.raises(ValueError, match=message):
        Training(config, datasets.friedman1(samples=100))


def test_a_parameter_turning_nan_marks_its_network_diverged():
    # A NaN loss already marks a network diverged; a NaN parameter with a finite loss must too.
    config = TrainConfig(
        activations=("leaky_relu", "tanh"),
        learnable=(("leaky_relu", (("negative_slope", "layer"),)),),
        dataset="friedman",
        epochs=2,
        width=4,
    )
    training = Training(config, datasets.friedman1(samples=100))
    finite = [np.float64(1.0)] * 2
    learned = [{"negative_slope": [np.array(np.nan)]}, {}]
    training._record(0, 0.1, finite, finite, finite, finite, learned=learned)
    bad, tanh = training.record.branches
    assert bad.status == "diverged" and bad.diverged_epoch == 1 and tanh.loss == [1.0]


def test_learned_parameters_round_trip_through_the_config():
    config = TrainConfig(**PRELU)
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert config.learn_for("leaky_relu") == {"negative_slope": "unit"}
    assert TrainConfig.from_dict({k: v for k, v in config.to_dict().items() if k != "learnable"})


@pytest.mark.slow
def test_the_generated_script_learns_the_same_parameters(tmp_path):
    # Fails if the script's Layer does not learn (add_weight), learns at another granularity or
    # from another start: its printed losses and learned means would differ from the app's.
    import subprocess
    import sys

    from core.train.codegen import reproduce_script

    catalogue = shared_catalogue().with_customs(
        [custom_activation("swish_b", "x * tf.sigmoid(b * x)", {"b": (1.0, 0.0, 3.0)})]
    )
    config = TrainConfig(
        activations=("leaky_relu", "swish_b"),
        activation_params=(("leaky_relu", (("negative_slope", 0.25),)),),
        learnable=(("leaky_relu", (("negative_slope", "unit"),)), ("swish_b", (("b", "layer"),))),
        dataset="friedman",
        samples=600,
        epochs=2,
        width=8,
        learning_rate=0.01,
        batch_size=64,
    )
    record = train_compare(config, datasets.friedman1(samples=600), catalogue)
    script = tmp_path / "reproduce.py"
    script.write_text(reproduce_script(record, catalogue))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for b in record.branches:
        start = f"{b.activation} seed 0 lr "  # then the rate: one per network in a sweep
        loss = [ln for ln in lines if ln.startswith(start) and " epoch 2 loss" in ln][0]
        assert float(loss.split(" loss ")[1].split()[0]) == pytest.approx(b.loss[-1], rel=1e-4)
        (param,) = b.learned
        learned = [ln for ln in lines if ln.startswith(start) and " learned " in ln]
        assert len(learned) == config.depth and f"/{param} " in learned[0]
        mean = float(learned[0].split(" mean ")[1].split()[0])
        assert mean == pytest.approx(b.learned[param][-1][0][0], rel=1e-4, abs=1e-6)


def test_a_stored_run_keeps_the_parameter_histories():
    # Fails if the record drops `learned` on its way through JSON (the run store keeps JSON).
    import json

    from core.train.record import Comparison

    record = train_compare(
        TrainConfig(
            activations=("leaky_relu",),
            learnable=(("leaky_relu", (("negative_slope", "layer"),)),),
            dataset="friedman",
            epochs=2,
            width=4,
            depth=2,
        ),
        datasets.friedman1(samples=100),
    )
    again = Comparison.from_dict(json.loads(json.dumps(record.to_dict())))
    slope = again.branches[0].learned["negative_slope"]
    assert slope == record.branches[0].learned["negative_slope"]
    assert len(slope) == 3 and all(len(epoch) == 2 for epoch in slope)  # init + 2, per layer
    assert again.config.learn_for("leaky_relu") == {"negative_slope": "layer"}


def test_learned_shapes_show_the_units_spread_and_the_recorded_histogram(mnist_small):
    # Fails if the shape view draws a per-unit slope at its mean (no band), takes the band from
    # the wrong layer or from the initial slopes, or draws a histogram that is not the recorded
    # counts as a density. The reference is numpy on the engine's own variables.
    from core.study.learned import learned_curves

    config = TrainConfig(**PRELU, epochs=2, width=16, depth=2, learning_rate=0.05, seeds=2)
    training = Training(config, mnist_small)
    record = training.run()
    curves = learned_curves(Shown.of(record), shared_catalogue())["leaky_relu"]
    assert len(curves) == 2
    for layer, entry in enumerate(curves):
        slopes = np.concatenate(
            [np.asarray(training.engine.net.learned(i)[layer]["negative_slope"]) for i in range(2)]
        )
        assert slopes.std() > 1e-4  # the units did learn different slopes
        x = entry["x"]
        units = np.where(x > 0, x, slopes[:, None] * x)  # leaky_relu of each unit
        low, high = entry["band"]
        np.testing.assert_allclose(low, np.percentile(units, 5, axis=0), atol=1e-5)
        np.testing.assert_allclose(high, np.percentile(units, 95, axis=0), atol=1e-5)
        np.testing.assert_allclose(entry["final"], np.median(units, axis=0), atol=1e-5)
        np.testing.assert_allclose(entry["initial"], np.where(x > 0, x, 0.25 * x), atol=1e-6)
        assert entry["units"] == 2 * config.width
        recorded = record.branches[0].pre_histograms[-1][layer]
        h = entry["histograms"]["final"]
        widths = np.diff(h["edges"])
        total = sum(recorded["counts"]) + recorded["below"] + recorded["above"]
        assert total == min(PROBE_SAMPLES, len(mnist_small.x_val)) * config.width
        np.testing.assert_allclose(h["density"] * widths * total, recorded["counts"], atol=1e-6)
        assert h["edges"][0] == pytest.approx(recorded["lo"])


def test_a_run_stored_before_histograms_and_unit_values_still_draws():
    # Fails if records from before issue 14's histograms (no pre_histograms, no learned_units)
    # stop loading or drawing: they fall back to the mean parameter and the quantile density.
    import json

    from charts.learned_figures import shape_figure
    from core.study.learned import learned_curves
    from core.train.record import Comparison

    record = train_compare(
        TrainConfig(**PRELU, dataset="friedman", epochs=1, width=4, depth=1),
        datasets.friedman1(samples=100),
    )
    old = record.to_dict()
    for b in old["branches"]:
        del b["pre_histograms"], b["learned_units"]
        b["pre_quantiles"] = [[[-1.0, -0.5, 0.0, 0.5, 1.0]], [[-1.0, -0.5, 0.0, 0.5, 1.0]]]
    again = Comparison.from_dict(json.loads(json.dumps(old)))
    (entry,) = learned_curves(Shown.of(again), shared_catalogue())["leaky_relu"]
    assert entry["band"] is None and entry["histograms"] == {"initial": None, "final": None}
    mean = again.branches[0].learned["negative_slope"][-1][0][0]
    np.testing.assert_allclose(entry["final"][0], mean * entry["x"][0], rtol=1e-5)
    bars = [t for t in shape_figure({"leaky_relu": [entry]}, {}).data if t.type == "bar"]
    assert len(bars) == 1 and "5 quantiles" in bars[0].name


def test_the_csv_and_the_share_image_carry_the_learned_values(mnist_small):
    # Fails if the CSV download or the Share image leave the learned parameters out, show the
    # initial value for the final one, or take another layer's or seed's values. The reference
    # is the trained variables themselves (numpy over the engine's per-unit slopes).
    import io

    import pandas as pd

    from charts import exports, share

    config = TrainConfig(**PRELU, epochs=2, width=16, depth=2, learning_rate=0.05, seeds=2)
    training = Training(config, mnist_small)
    record = training.run()
    slopes = [
        [np.asarray(layer["negative_slope"]) for layer in training.engine.net.learned(i)]
        for i in range(2)
    ]
    frame = pd.read_csv(io.StringIO(exports.history_csv(record)), comment="#")
    for seed in range(2):
        rows = frame[frame.seed == seed].set_index("epoch")
        assert rows.loc[0, "learned.negative_slope.layer1"] == pytest.approx(0.25)
        assert (
            np.isnan(rows.loc[0, "loss"]) and rows.loc[2, "loss"] == record.branches[seed].loss[1]
        )
        for layer in (1, 2):
            final = slopes[seed][layer - 1]
            assert rows.loc[2, f"learned.negative_slope.layer{layer}"] == pytest.approx(
                final.mean(), rel=1e-5
            )
            assert rows.loc[2, f"learned.negative_slope.layer{layer}.std"] == pytest.approx(
                final.std(), rel=1e-4
            )
    ((name, text),) = share.learned_lines(Shown.of(record))
    assert name == "leaky_relu" and "per unit, from 0.25" in text
    for layer in (1, 2):
        mean = np.mean([s[layer - 1].mean() for s in slopes])
        std = np.mean([s[layer - 1].std() for s in slopes])
        assert f"layer {layer}: {mean:.3g} ± {std:.3g}" in text
    assert abs(mean - 0.25) > 1e-3  # the final value is not the start
    fig = share.share_figure([Shown.of(record)], {"leaky_relu": "#0072b2"}, {})
    assert any(text in (a.text or "") for a in fig.layout.annotations)


class _ClippedRelu(keras.layers.Layer):
    """relu clipped at a ceiling that trains, one per layer, as a Keras user writes it."""

    def __init__(self, start, **kwargs):
        super().__init__(**kwargs)
        self.start = start

    def build(self, input_shape):
        self.ceiling = self.add_weight(
            name="ceiling", shape=(), initializer=keras.initializers.Constant(self.start)
        )

    def call(self, x):
        return keras.ops.minimum(keras.ops.relu(x), self.ceiling)


def test_relus_max_value_learns_like_a_plain_keras_ceiling(mnist_small):
    # Fails if max_value is not a trained variable, gets another gradient than the ceiling of
    # minimum(relu(x), m) (e.g. zero, so it never moves), or is refused as a learnable.
    start = 0.6
    config = TrainConfig(
        activations=("relu",),
        activation_params=(("relu", (("max_value", start),)),),
        learnable=(("relu", (("max_value", "layer"),)),),
        epochs=2,
        batch_size=100,
        width=24,
        depth=2,
        learning_rate=0.01,
    )
    (branch,) = train_compare(config, mnist_small).branches
    layers = [keras.layers.Flatten()]
    for i in range(config.depth):
        layers += [
            keras.layers.Dense(config.width, kernel_initializer=_init(0, i)),
            _ClippedRelu(start),
        ]
    layers.append(keras.layers.Dense(10, kernel_initializer=_init(0, config.depth)))
    model = keras.Sequential([keras.Input(mnist_small.input_shape), *layers])
    _assert_same(branch, _fit(model, config, mnist_small), rtol=1e-5)
    ceilings = [float(layer.ceiling) for layer in model.layers if isinstance(layer, _ClippedRelu)]
    learned = [layer[0] for layer in branch.learned["max_value"][-1]]
    np.testing.assert_allclose(learned, ceilings, rtol=1e-5)
    assert abs(learned[0] - start) > 1e-3  # it moved


def test_an_unset_max_value_cannot_learn_and_says_what_to_do():
    from activations.learnable import learn_problems

    relu = shared_catalogue().get("relu")
    (problem,) = learn_problems(relu, relu.resolve(), {"max_value": "layer"})
    assert "max_value is not set" in problem and "set max_value" in problem


def test_the_shape_view_draws_the_path_between_the_first_and_last_epoch():
    # Fails if the shapes after the epochs in between are missing, drawn at the wrong epoch's
    # or layer's parameters, or include the initial or final epoch again (drawn already). The
    # reference is the recorded mean slope of that epoch and layer: leaky_relu(−1) = −slope.
    from charts.learned_figures import shape_figure
    from core.study.learned import between_epochs, learned_curves

    assert (
        between_epochs(2) == [1] and between_epochs(1) == [] and between_epochs(5) == [1, 2, 3, 4]
    )
    picks = between_epochs(101, 8)  # 100 epochs in between: 8, evenly spaced, ends included
    assert len(picks) == 8 and picks[0] == 1 and picks[-1] == 100
    assert max(np.diff(picks)) - min(np.diff(picks)) <= 1
    config = TrainConfig(**PRELU, dataset="friedman", epochs=4, width=4, depth=2)
    record = train_compare(config, datasets.friedman1(samples=200))
    curves = learned_curves(Shown.of(record), shared_catalogue())["leaky_relu"]
    slopes = record.branches[0].learned["negative_slope"]  # epoch × layer × [mean, std]
    for layer, entry in enumerate(curves):
        assert [e for e, _ in entry["epochs"]] == [1, 2, 3]
        at = int(np.argmin(np.abs(entry["x"] + 1.0)))
        for epoch, y in entry["epochs"]:
            expected = slopes[epoch][layer][0] * entry["x"][at]
            assert y[at] == pytest.approx(expected, rel=1e-5)
    lines = [t for t in shape_figure({"leaky_relu": curves}, {}).data if t.legendgroup == "epochs"]
    assert len(lines) == 3 * len(curves) and sum(t.showlegend for t in lines) == 1
