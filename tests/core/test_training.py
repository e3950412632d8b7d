"""Training: the fused path equals separate plain-Keras runs, runs are reproducible, divergence
and stopping keep what was trained, and the tutorial's examples train."""
import keras
import numpy as np
import pytest

from activations import get
from activations.expression import custom_activation
from activations.registry import shared_catalogue
from core import datasets
from core.models import epoch_order, plain_model
from core.training import TrainConfig, make_optimizer, train_compare


@pytest.fixture(scope="module")
def mnist_small():
    return datasets.mnist(samples=1200, download=lambda: (_ for _ in ()).throw(OSError("offline")))


def _plain_history(config, data, name, seed):
    """The same network trained alone the plain Keras way: Sequential + compile + fit."""
    model = plain_model(get(name), config.params_for(name), seed, data.input_shape, data.n_outputs, config.model,
                        config.depth, config.width)
    classification = data.task == "classification"
    model.compile(optimizer=make_optimizer(config.optimizer, config.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True) if classification else "mse",
                  metrics=["accuracy" if classification else "mae"])
    out = {"loss": [], "val_loss": []}
    for epoch in range(config.epochs):
        order = epoch_order(config.data_seed, epoch, len(data.x_train))
        h = model.fit(data.x_train[order], data.y_train[order], batch_size=config.batch_size, epochs=1, shuffle=False,
                      verbose=0, validation_data=(data.x_val, data.y_val))
        out["loss"].append(h.history["loss"][0])
        out["val_loss"].append(h.history["val_loss"][0])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("optimizer, depth", [("adam", 2), ("rmsprop", 1), ("sgd", 1)])
def test_fused_training_equals_separate_plain_keras_runs(mnist_small, optimizer, depth):
    config = TrainConfig(activations=("relu", "tanh", "SinActivation"), epochs=3, batch_size=100, width=24,
                         depth=depth, optimizer=optimizer, learning_rate=0.01 if optimizer == "sgd" else 1e-3, seeds=2)
    fused = train_compare(config, mnist_small)
    for branch in fused.branches:
        alone = _plain_history(config, mnist_small, branch.activation, branch.seed)
        np.testing.assert_allclose(branch.loss, alone["loss"], rtol=2e-4, err_msg=branch.activation)
        np.testing.assert_allclose(branch.val_loss, alone["val_loss"], rtol=2e-4, err_msg=branch.activation)
    relu = [b for b in fused.branches if b.activation == "relu"]
    assert relu[0].loss != relu[1].loss  # seeds give different initialisations


@pytest.mark.slow
def test_fused_regression_equals_plain_keras():
    data = datasets.friedman1(samples=600)
    config = TrainConfig(activations=("elu_like", "gelu"), dataset="friedman", epochs=3, batch_size=64, width=16)
    fused = train_compare(config, data)
    for branch in fused.branches:
        alone = _plain_history(config, data, branch.activation, branch.seed)
        np.testing.assert_allclose(branch.loss, alone["loss"], rtol=2e-4)


def test_same_config_same_history(mnist_small):
    config = TrainConfig(activations=("relu", "gelu"), epochs=2, width=16, batch_size=128)
    a, b = train_compare(config, mnist_small), train_compare(config, mnist_small)
    assert [x.loss for x in a.branches] == [x.loss for x in b.branches]
    assert [x.val_metric for x in a.branches] == [x.val_metric for x in b.branches]
    c = train_compare(TrainConfig(activations=("relu", "gelu"), epochs=2, width=16, batch_size=128, data_seed=1),
                      mnist_small)
    assert [x.loss for x in a.branches] != [x.loss for x in c.branches]


def test_a_diverging_network_is_marked_and_the_others_carry_on():
    data = datasets.friedman1(samples=400)
    # log of negative pre-activations is NaN from the first batch on.
    catalogue = shared_catalogue().with_custom(custom_activation("log_act", "log(x)"))
    config = TrainConfig(activations=("tanh", "log_act"), dataset="friedman", epochs=4, width=32, batch_size=32)
    result = train_compare(config, data, catalogue)
    tanh, bad = result.branches
    assert bad.status == "diverged" and bad.diverged_epoch == 1 and bad.loss == []
    assert tanh.status == "finished" and len(tanh.loss) == 4 and np.isfinite(tanh.loss).all()
    alone = train_compare(TrainConfig(activations=("tanh",), dataset="friedman", epochs=4, width=32, batch_size=32), data)
    np.testing.assert_allclose(tanh.loss, alone.branches[0].loss, rtol=1e-5)  # untouched by its NaN neighbour


def test_stop_keeps_the_epochs_done(mnist_small):
    calls = []
    config = TrainConfig(activations=("relu",), epochs=5, width=8)
    result = train_compare(config, mnist_small, on_epoch=calls.append, should_stop=lambda: len(calls) >= 2)
    assert result.status == "stopped" and result.epochs_done == 2 and len(result.branches[0].loss) == 2
    assert result.branches[0].status == "stopped"


def test_an_interrupting_callback_marks_the_run_stopped(mnist_small):
    seen = []

    def interrupt(comparison):
        seen.append(comparison)
        raise KeyboardInterrupt  # what Streamlit's Stop does inside the page's redraw

    with pytest.raises(KeyboardInterrupt):
        train_compare(TrainConfig(activations=("relu",), epochs=3, width=8), mnist_small, on_epoch=interrupt)
    assert seen[0].status == "stopped" and seen[0].epochs_done == 1


@pytest.mark.parametrize("name", ["SinActivation", "scaled_tanh", "elu_like"])
def test_each_tutorial_custom_trains(mnist_small, name):
    result = train_compare(TrainConfig(activations=(name,), epochs=2, width=16), mnist_small)
    b = result.branches[0]
    assert b.status == "finished" and b.loss[1] < b.loss[0] and b.val_metric[-1] > 0.3


def test_a_session_custom_trains_with_its_parameter(mnist_small):
    catalogue = shared_catalogue().with_custom(custom_activation("swish_b", "x * tf.sigmoid(b * x)", {"b": (1.5, 0, 3)}))
    config = TrainConfig(activations=("swish_b",), activation_params=(("swish_b", (("b", 2.0),)),), epochs=1, width=8)
    result = train_compare(config, mnist_small, catalogue)
    assert result.branches[0].status == "finished" and np.isfinite(result.branches[0].loss).all()


def test_the_tutorial_regression_example_gives_a_finite_loss_after_10_epochs():
    data = datasets.random_regression()  # X = rand(1000, 10), y = rand(1000, 1)
    config = TrainConfig(activations=("elu_like",), dataset="random", width=64, optimizer="adam", epochs=10,
                         batch_size=32)
    result = train_compare(config, data)
    loss = result.branches[0].loss
    assert len(loss) == 10 and np.isfinite(loss).all()
    assert loss[-1] < 0.12  # near the noise floor of 1/12


@pytest.mark.slow
def test_the_cnn_trains_on_mnist(mnist_small):
    result = train_compare(TrainConfig(activations=("relu", "tanh"), model="cnn", epochs=2, width=16, batch_size=32), mnist_small)
    assert all(b.status == "finished" and b.val_metric[-1] > 0.3 for b in result.branches)


@pytest.mark.parametrize("change, message", [
    (dict(activations=()), "at least one"), (dict(epochs=0), "epochs"), (dict(depth=21), "hidden|depth"),
    (dict(learning_rate=-1.0), "learning rate"), (dict(model="cnn", dataset="random"), "CNN"),
    (dict(batch_size=0), "batch size"), (dict(seeds=9), "seeds"),
])
def test_bad_configurations_are_explained(change, message):
    import re
    problems = " ".join(TrainConfig(**change).problems())
    assert re.search(message, problems), problems


def test_config_round_trips_through_a_dict():
    config = TrainConfig(activations=("relu", "elu"), activation_params=(("elu", (("alpha", 0.5),)),), epochs=7)
    assert TrainConfig.from_dict(config.to_dict()) == config


def test_a_stop_requested_from_another_thread_keeps_the_epochs_seen(mnist_small):
    import threading

    from core.training import request_stop

    seen = threading.Event()
    holder = {}

    def on_epoch(comparison):
        holder["c"] = comparison
        seen.set()

    config = TrainConfig(activations=("relu",), epochs=200, width=64)
    worker = threading.Thread(target=lambda: holder.setdefault("result", train_compare(config, mnist_small, on_epoch=on_epoch)))
    worker.start()
    assert seen.wait(120)
    comparison = holder["c"]
    request_stop(comparison)
    done_when_stopped = len(comparison.branches[0].loss)
    worker.join(120)
    assert not worker.is_alive()
    assert comparison.status == "stopped" and comparison.branches[0].status == "stopped"
    assert len(comparison.branches[0].loss) == done_when_stopped == comparison.epochs_done < 200
