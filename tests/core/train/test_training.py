"""Training: the fused path equals separate plain-Keras runs, runs are reproducible, divergence
and stopping keep what was trained, and the tutorial's examples train."""

import re
import threading
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from activations import get, shared_catalogue
from activations.expression import custom_activation
from core.train import datasets
from core.train.network.models import plain_model
from core.train.settings import TrainConfig
from core.train.training import Training, train_compare

KERAS_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
}
HISTORY = {"loss": "loss", "val_loss": "val_loss", "metric": "metric", "val_metric": "val_metric"}


@pytest.fixture(scope="module")
def mnist_small():
    return datasets.mnist(samples=1200, download=lambda: (_ for _ in ()).throw(OSError("offline")))


def _fit(model, config, data, learning_rate=None):
    """Train `model` the plain Keras way, one epoch at a time in the app's batch order; returns
    the history under the record's names (metric = accuracy or MAE)."""
    classification = data.task == "classification"
    rate = config.learning_rate if learning_rate is None else learning_rate
    optimizer = KERAS_OPTIMIZERS[config.optimizer](learning_rate=rate)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True) if classification else "mse"
    metric = "accuracy" if classification else "mae"
    model.compile(optimizer=optimizer, loss=loss, metrics=[metric])
    out = {k: [] for k in HISTORY}
    for epoch in range(config.epochs):
        # The documented batch order (docs/guide.md): a permutation seeded by (data seed, epoch).
        order = np.random.default_rng([config.data_seed, epoch]).permutation(len(data.x_train))
        h = model.fit(
            data.x_train[order],
            data.y_train[order],
            batch_size=config.batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
            validation_data=(data.x_val, data.y_val),
        )
        for mine, theirs in (
            ("loss", "loss"),
            ("val_loss", "val_loss"),
            ("metric", metric),
            ("val_metric", f"val_{metric}"),
        ):
            out[mine].append(h.history[theirs][0])
    return out


def _plain_history(config, data, name, seed):
    """The same network trained alone: the app's plain model (it carries custom activations)."""
    model = plain_model(
        get(name),
        config.params_for(name),
        seed,
        data.input_shape,
        data.n_outputs,
        config.model,
        config.depth,
        config.width,
    )
    return _fit(model, config, data)


def _init(seed, layer):
    # Documented initialisation (docs/guide.md): Glorot uniform seeded 1 + 1000·seed + layer.
    return keras.initializers.GlorotUniform(seed=1 + seed * 1000 + layer)


def _keras_only_model(config, data, activation, seed):
    """The network as a Keras user writes it, with no app code: Dense(activation=...) layers or
    the small CNN, biases at zero."""
    dense = keras.layers.Dense
    if config.model == "cnn":
        layers = [
            keras.layers.Conv2D(16, 3, activation=activation, kernel_initializer=_init(seed, 0)),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation=activation, kernel_initializer=_init(seed, 1)),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            dense(config.width, activation=activation, kernel_initializer=_init(seed, 2)),
        ]
        last = 3
    else:
        layers = [keras.layers.Flatten()] + [
            dense(config.width, activation=activation, kernel_initializer=_init(seed, i))
            for i in range(config.depth)
        ]
        last = config.depth
    layers.append(dense(data.n_outputs, kernel_initializer=_init(seed, last)))
    return keras.Sequential([keras.Input(data.input_shape), *layers])


def _assert_same(fused_branch, alone, rtol=2e-4):
    for key in HISTORY:
        np.testing.assert_allclose(
            getattr(fused_branch, key),
            alone[key],
            rtol=rtol,
            atol=1e-6,
            err_msg=f"{fused_branch.activation} seed {fused_branch.seed} {key}",
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    "optimizer, depth, width", [("adam", 2, 32), ("rmsprop", 1, 24), ("sgd", 1, 24)]
)
def test_fused_training_equals_separate_plain_keras_runs(mnist_small, optimizer, depth, width):
    # Fails if fusing the networks mixes their gradients, batches or optimiser state. At width
    # 32 each activation's two seeds share one activation call (models._shared_groups), at 24
    # they do not: both must follow plain Keras.
    config = TrainConfig(
        activations=("relu", "tanh", "SinActivation"),
        epochs=3,
        batch_size=100,
        width=width,
        depth=depth,
        optimizer=optimizer,
        learning_rate=0.01 if optimizer == "sgd" else 1e-3,
        seeds=2,
    )
    fused = train_compare(config, mnist_small)
    for branch in fused.branches:
        _assert_same(branch, _plain_history(config, mnist_small, branch.activation, branch.seed))
    relu = [b for b in fused.branches if b.activation == "relu"]
    assert relu[0].loss != relu[1].loss  # seeds give different initialisations


@pytest.mark.slow
@pytest.mark.parametrize("model, depth, optimizer", [("mlp", 3, "adam"), ("cnn", 1, "sgd")])
def test_fused_training_equals_keras_with_no_app_code(mnist_small, model, depth, optimizer):
    # The baseline is built from keras.layers alone, so a bug shared by the app's plain model
    # and its fused model (the layer order, an activation wrapper, the initialiser) shows here.
    config = TrainConfig(
        activations=("relu", "tanh"),
        model=model,
        depth=depth,
        width=16,
        epochs=2,
        batch_size=64,
        optimizer=optimizer,
        learning_rate=0.05 if optimizer == "sgd" else 1e-3,
    )
    fused = train_compare(config, mnist_small)
    for branch in fused.branches:
        model_ = _keras_only_model(config, mnist_small, branch.activation, branch.seed)
        _assert_same(branch, _fit(model_, config, mnist_small))


def test_fused_cnn_computes_each_network_bit_for_bit_as_keras(mnist_small):
    # Fails if a network of the fused CNN runs other ops than Keras's layers. The first
    # convolution as one matmul of shared image patches gave the same logits, but with oneDNN
    # its kernel gradient rounded differently and, two epochs on, a validation digit flipped.
    # After an epoch (biases no longer zero), each network's logits and its weights' gradients
    # of a fixed linear function of them must equal plain Keras's exactly.
    activations = ("relu", "tanh", "sigmoid")
    config = TrainConfig(activations=activations, model="cnn", width=16, epochs=1, batch_size=100)
    training = Training(config, mnist_small)
    training.run()
    net = training.engine.net
    x = tf.constant(mnist_small.x_train[:200])
    weight = tf.random.stateless_normal([200, 10], seed=(1, 2))  # d(sum)/d(logits), exactly

    @tf.function
    def fused_step():
        with tf.GradientTape() as tape:
            out = net(x)
            total = tf.reduce_sum(out * weight[None])
        grads = tape.gradient(
            total, [v for pair in zip(net.kernel_vars, net.bias_vars, strict=True) for v in pair]
        )
        return out, grads

    out, grads = fused_step()
    for index, branch in enumerate(training.record.branches):
        alone = _keras_only_model(config, mnist_small, branch.activation, branch.seed)
        alone.set_weights(net.network_weights(index))

        @tf.function
        def alone_step(model=alone):
            with tf.GradientTape() as tape:
                logits = model(x)
                total = tf.reduce_sum(logits * weight)
            return logits, tape.gradient(total, model.trainable_weights)

        logits, theirs = alone_step()
        assert np.array_equal(np.asarray(out[index]), np.asarray(logits)), branch.activation
        for layer, (g, their) in enumerate(zip(grads, theirs, strict=True)):
            mine = np.asarray(g[index])
            assert np.array_equal(mine, np.asarray(their)), f"{branch.activation} weight {layer}"


@pytest.mark.slow
@pytest.mark.parametrize("model, optimizer", [("mlp", "adam"), ("mlp", "sgd"), ("cnn", "adam")])
def test_mixed_learning_rates_each_network_equals_keras_alone_at_its_rate(
    mnist_small, model, optimizer
):
    # Fails if a sweep's per-network rates land on the wrong network (a rate broadcast over the
    # wrong axis of w0's K·width columns or of the (K, …) stacks, or towers given each other's
    # rates), or if one shared rate sneaks back in: each network must equal plain Keras
    # (keras.layers only, no app code) trained alone at its own rate.
    rates = (1e-3, 1e-2) if optimizer == "adam" else (1e-2, 1e-1)
    config = TrainConfig(
        activations=("relu", "tanh"),
        model=model,
        depth=2 if model == "mlp" else 1,
        width=16,
        epochs=2,
        batch_size=100,
        optimizer=optimizer,
        learning_rates=rates,
        seeds=2,
    )
    fused = train_compare(config, mnist_small)
    assert [(b.activation, b.learning_rate, b.seed) for b in fused.branches] == [
        (a, r, s) for a in ("relu", "tanh") for r in rates for s in (0, 1)
    ]
    for branch in fused.branches:
        alone = _keras_only_model(config, mnist_small, branch.activation, branch.seed)
        _assert_same(branch, _fit(alone, config, mnist_small, branch.learning_rate))
    relu = [b.loss for b in fused.branches if b.activation == "relu" and b.seed == 0]
    assert relu[0] != relu[1]  # the two rates really trained differently


@pytest.mark.slow
def test_fused_regression_equals_plain_keras():
    data = datasets.friedman1(samples=600)
    config = TrainConfig(
        activations=("elu_like", "gelu"), dataset="friedman", epochs=3, batch_size=64, width=16
    )
    fused = train_compare(config, data)
    for branch in fused.branches:
        _assert_same(branch, _plain_history(config, data, branch.activation, branch.seed))


def test_an_activation_that_changes_its_inputs_shape_is_refused_in_words():
    # Fails if Keras's glu (it halves the last axis; Train offers it) reaches the network: the
    # job ended with TensorFlow's "Dimensions must be equal, but are 4 and 8" (2026-12-07).
    # Vector activations that keep the shape (softmax) still train.
    data = datasets.friedman1(samples=200)
    config = TrainConfig(activations=("relu", "glu"), dataset="friedman", epochs=1, width=8)
    with pytest.raises(ValueError, match=r"^glu turns 4 values into 2, .*sigmoid_glu"):
        Training(config, data)
    ok = TrainConfig(activations=("softmax",), dataset="friedman", epochs=1, width=8)
    assert Training(ok, data).run().status == "finished"


def test_same_config_same_history(mnist_small):
    config = TrainConfig(activations=("relu", "gelu"), epochs=2, width=16, batch_size=128)
    a, b = train_compare(config, mnist_small), train_compare(config, mnist_small)
    assert [x.loss for x in a.branches] == [x.loss for x in b.branches]
    assert [x.val_metric for x in a.branches] == [x.val_metric for x in b.branches]
    c = train_compare(
        TrainConfig(activations=("relu", "gelu"), epochs=2, width=16, batch_size=128, data_seed=1),
        mnist_small,
    )
    assert [x.loss for x in a.branches] != [x.loss for x in c.branches]


def test_a_diverging_network_is_marked_and_the_others_carry_on():
    data = datasets.friedman1(samples=400)
    # log of negative pre-activations is NaN from the first batch on.
    catalogue = shared_catalogue().with_customs([custom_activation("log_act", "log(x)")])
    config = TrainConfig(
        activations=("tanh", "log_act"), dataset="friedman", epochs=4, width=32, batch_size=32
    )
    result = train_compare(config, data, catalogue)
    tanh, bad = result.branches
    assert bad.status == "diverged" and bad.diverged_epoch == 1 and bad.loss == []
    assert tanh.status == "finished" and len(tanh.loss) == 4 and np.isfinite(tanh.loss).all()
    alone = train_compare(
        TrainConfig(activations=("tanh",), dataset="friedman", epochs=4, width=32, batch_size=32),
        data,
    )
    np.testing.assert_allclose(
        tanh.loss, alone.branches[0].loss, rtol=1e-5
    )  # untouched by its NaN neighbour


def test_stop_keeps_the_epochs_done(mnist_small):
    calls = []
    config = TrainConfig(activations=("relu",), epochs=5, width=8)
    result = train_compare(
        config, mnist_small, on_epoch=calls.append, should_stop=lambda: len(calls) >= 2
    )
    assert (
        result.status == "stopped" and result.epochs_done == 2 and len(result.branches[0].loss) == 2
    )
    assert result.branches[0].status == "stopped"


def test_an_interrupting_callback_marks_the_run_stopped(mnist_small):
    seen = []

    def interrupt(comparison):
        seen.append(comparison)
        raise KeyboardInterrupt  # what Streamlit's Stop does inside the page's redraw

    with pytest.raises(KeyboardInterrupt):
        train_compare(
            TrainConfig(activations=("relu",), epochs=3, width=8), mnist_small, on_epoch=interrupt
        )
    assert seen[0].status == "stopped" and seen[0].epochs_done == 1


@pytest.mark.parametrize("name", ["SinActivation", "scaled_tanh", "elu_like"])
def test_each_tutorial_custom_trains(mnist_small, name):
    result = train_compare(TrainConfig(activations=(name,), epochs=2, width=16), mnist_small)
    b = result.branches[0]
    assert b.status == "finished" and b.loss[1] < b.loss[0] and b.val_metric[-1] > 0.3


def test_a_session_custom_trains_with_its_parameter(mnist_small):
    catalogue = shared_catalogue().with_customs(
        [custom_activation("swish_b", "x * tf.sigmoid(b * x)", {"b": (1.5, 0, 3)})]
    )
    config = TrainConfig(
        activations=("swish_b",), activation_params=(("swish_b", (("b", 2.0),)),), epochs=1, width=8
    )
    result = train_compare(config, mnist_small, catalogue)
    assert result.branches[0].status == "finished" and np.isfinite(result.branches[0].loss).all()


def test_the_tutorial_regression_example_gives_a_finite_loss_after_10_epochs():
    data = datasets.random_regression()  # X = rand(1000, 10), y = rand(1000, 1)
    config = TrainConfig(
        activations=("elu_like",),
        dataset="random",
        width=64,
        optimizer="adam",
        epochs=10,
        batch_size=32,
    )
    result = train_compare(config, data)
    loss = result.branches[0].loss
    assert len(loss) == 10 and np.isfinite(loss).all()
    assert loss[-1] < 0.12  # near the noise floor of 1/12


@pytest.mark.slow
def test_the_cnn_trains_on_mnist(mnist_small):
    result = train_compare(
        TrainConfig(activations=("relu", "tanh"), model="cnn", epochs=2, width=16, batch_size=32),
        mnist_small,
    )
    assert all(b.status == "finished" and b.val_metric[-1] > 0.3 for b in result.branches)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(activations=()), "at least one"),
        (dict(epochs=0), "epochs"),
        (dict(depth=101), "hidden|depth"),  # the limit is 100 (the edge-of-chaos experiment)
        (dict(init="he_uniform"), "initialisation"),  # not offered
        (dict(init="mean_field", sigma_w2=0.0), "σ_w²"),
        (dict(learning_rate=-1.0), "learning rate"),
        (dict(model="cnn", dataset="random"), "CNN"),
        (dict(batch_size=0), "batch size"),
        (dict(seeds=9), "seeds"),
    ],
)
def test_bad_configurations_are_explained(change, message):
    problems = " ".join(TrainConfig(**change).problems())
    assert re.search(message, problems, re.IGNORECASE), problems


def test_config_round_trips_through_a_dict():
    config = TrainConfig(
        activations=("relu", "elu"), activation_params=(("elu", (("alpha", 0.5),)),), epochs=7
    )
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_a_stop_requested_from_another_thread_keeps_the_epochs_seen(mnist_small):
    seen = threading.Event()
    training = Training(TrainConfig(activations=("relu",), epochs=200, width=64), mnist_small)
    worker = threading.Thread(target=training.run, kwargs=dict(on_epoch=lambda _: seen.set()))
    worker.start()
    assert seen.wait(120)
    training.stop()
    record = training.record
    done_when_stopped = len(record.branches[0].loss)
    worker.join(120)
    assert not worker.is_alive()
    assert record.status == "stopped" and record.branches[0].status == "stopped"
    assert len(record.branches[0].loss) == done_when_stopped == record.epochs_done < 200


class _SlowFloat(float):
    """A number whose conversion takes a while, to widen the window of an epoch being recorded."""

    def __float__(self):
        time.sleep(0.05)
        return float.__float__(self)


def test_a_stop_during_recording_leaves_equal_histories(mnist_small):
    # Without the record's lock, stop() returns while an epoch is half appended, and a save at
    # that moment stores branches with different numbers of epochs.
    config = TrainConfig(activations=("relu", "tanh", "elu", "gelu"), epochs=2, width=8)
    training = Training(config, mnist_small)
    numbers = [[_SlowFloat(0.5)] * 4 for _ in range(4)]
    writer = threading.Thread(target=training._record, args=(0, 0.1, *numbers))
    writer.start()
    time.sleep(0.08)  # the writer is inside the loop over branches now
    training.stop()
    lengths = {len(b.loss) for b in training.record.branches}
    snapshot = training.record.to_dict()
    writer.join()
    assert lengths == {training.record.epochs_done}
    assert training.record.to_dict() == snapshot  # nothing changes after stop() returns
