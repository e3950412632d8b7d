"""The tutorial's customs work in plain Keras exactly as the tutorial uses them, and save/load."""

import keras
import numpy as np
import pytest

from activations import tutorial

X = np.random.default_rng(0).random((32, 10)).astype("float32")


def _model(kind):
    if kind == "SinActivation":  # method 1: a layer after a Dense with no activation
        hidden = [keras.layers.Dense(8), tutorial.SinActivation()]
    else:  # method 2: a function passed as activation=
        hidden = [keras.layers.Dense(8, activation=getattr(tutorial, kind))]
    return keras.Sequential([keras.Input((10,)), *hidden, keras.layers.Dense(1)])


@pytest.mark.parametrize("kind", ["SinActivation", "scaled_tanh", "elu_like"])
def test_save_load_round_trip(kind, tmp_path):
    model = _model(kind)
    path = tmp_path / f"{kind}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # no custom_objects: registration is enough
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("name", ["scaled_tanh", "elu_like"])
def test_keras_get_accepts_the_registered_function(name):
    fn = getattr(tutorial, name)
    config = keras.activations.serialize(fn)
    assert config["config"] == f"{tutorial.PACKAGE}>{name}"
    assert keras.activations.get(config) is fn
    dense = keras.layers.Dense(4, activation=fn)
    assert keras.layers.Dense.from_config(dense.get_config()).activation is fn
