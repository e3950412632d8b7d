"""The Depth page's numbers: checked against plain Keras models holding the same weights, and
against the classic results they are meant to show."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from activations import shared_catalogue
from core.study.signal import kernels, probe, signal_at_init


class SinLayer(keras.layers.Layer):
    """The tutorial's method 1, written here again: the reference owes nothing to the app."""

    def call(self, inputs):
        return tf.math.sin(inputs)


# Catalogue name -> the same activation as a Keras user writes it, without the app's code.
PLAIN = {
    "relu": lambda: keras.layers.Activation("relu"),
    "tanh": lambda: keras.layers.Activation("tanh"),
    "selu": lambda: keras.layers.Activation("selu"),
    "elu_like": lambda: keras.layers.Activation(lambda x: tf.where(x > 0, x, tf.exp(x) - 1)),
    "SinActivation": SinLayer,
}


def plain_measures(name, init, depth, width, seed):
    """Per-layer mean, variance, dead fraction and kernel-gradient norm of a keras.Sequential
    of Dense + activation layers (and a Dense(1) read-out) holding the Depth page's weights,
    measured with GradientTape in plain TensorFlow."""
    layers = [keras.Input((width,))]
    for _ in range(depth):
        layers += [keras.layers.Dense(width), PLAIN[name]()]
    layers.append(keras.layers.Dense(1))
    model = keras.Sequential(layers)
    weights = kernels(init, depth, width, seed)
    for dense, kernel in zip(model.layers[0::2], weights, strict=True):
        dense.set_weights([kernel, np.zeros(kernel.shape[1], np.float32)])
    x, y = probe(width, seed)
    means, variances, dead = [], [], []
    with tf.GradientTape() as tape:
        h = tf.constant(x)
        for dense, activation in zip(model.layers[0:-1:2], model.layers[1::2], strict=True):
            z = dense(h)
            with tf.GradientTape() as inner:
                inner.watch(z)
                h = activation(z)
            slope = inner.gradient(h, z).numpy()  # f′(z), elementwise activations only
            means.append(float(np.mean(h)))
            variances.append(float(np.var(h.numpy().astype(np.float64))))
            dead.append(float(np.mean(np.all(slope == 0, axis=0))))
        loss = keras.losses.MeanSquaredError()(y, model.layers[-1](h))
    grads = tape.gradient(loss, [d.kernel for d in model.layers[0:-1:2]])
    norms = [float(np.linalg.norm(g.numpy())) for g in grads]
    # The whole model gives the same output as the layer-by-layer walk above.
    np.testing.assert_allclose(model(x).numpy(), model.layers[-1](h).numpy(), rtol=1e-5)
    return np.array(means), np.array(variances), np.array(dead), np.array(norms)


@pytest.mark.parametrize(
    "init, depth, width",
    [("glorot_uniform", 24, 32), ("orthogonal", 8, 64), ("he_normal", 12, 16)],
)
def test_every_measure_equals_a_plain_keras_model_with_the_same_weights(init, depth, width):
    """Catches: a layer's numbers reported one layer off, measures taken on z instead of f(z),
    "dead" judged on h = 0 or on too few samples, a gradient of another loss (a sum instead of
    the mean gives ×128), a chain rule missing f′, or kernels other than the ones described."""
    names = list(PLAIN)
    acts = [shared_catalogue().get(n) for n in names]
    ours = signal_at_init(acts, init, depth, width, seed=3)
    relu_dead = 0.0
    for name in names:
        mean, variance, dead, norms = plain_measures(name, init, depth, width, seed=3)
        row = ours.row(name)
        np.testing.assert_allclose(row["mean"], mean, rtol=1e-3, atol=1e-5, err_msg=name)
        np.testing.assert_allclose(row["variance"], variance, rtol=1e-3, err_msg=name)
        np.testing.assert_array_equal(row["dead"], dead, err_msg=name)
        np.testing.assert_allclose(row["grad_norm"], norms, rtol=2e-3, err_msg=name)
        if name == "relu":
            relu_dead = dead.max()
    if init == "glorot_uniform":
        assert relu_dead > 0.05  # the dead-unit comparison above was not vacuous


def test_selu_with_lecun_normal_keeps_mean_0_and_variance_1_through_50_layers():
    """SELU's self-normalisation (Klambauer et al. 2017): with LeCun-normal kernels every layer's
    activations keep mean 0 and variance 1. Tolerance: |mean| ≤ 0.05 and |variance − 1| ≤ 0.1
    at every layer of 50 (width 512; measured 0.01 and 0.02). Catches an activation that is not
    SELU with its exact constants (elu's variance falls to 0.003 by layer 50), an initialiser
    mix-up (with He normal the variance reaches 800) and statistics of the wrong tensor; the test
    shows both contrasts fail the same tolerance."""
    selu, elu = shared_catalogue().get("selu"), shared_catalogue().get("elu")
    s = signal_at_init([selu, elu], "lecun_normal", 50, 512, seed=0)
    assert np.abs(s.row("selu")["mean"]).max() <= 0.05
    assert np.abs(s.row("selu")["variance"] - 1).max() <= 0.1
    assert np.abs(s.row("elu")["variance"] - 1).max() > 0.1
    he = signal_at_init([selu], "he_normal", 50, 512, seed=0)
    assert np.abs(he.row("selu")["variance"] - 1).max() > 0.1


def test_sigmoid_gradients_vanish_under_glorot_at_depth_10_and_relu_gradients_do_not():
    """The vanishing-gradient picture: with Glorot-uniform kernels at depth 10, sigmoid's
    first-layer gradient norm is more than 1000× below its last layer's (measured 2·10⁻⁶: f′ ≤ 1/4
    shrinks it at every layer) while relu's stays within 10× (measured 1.6: Glorot's variance
    halving is matched forwards and backwards). Catches gradient norms listed in reverse layer
    order (sigmoid's would then grow), a backward pass that skips f′ (sigmoid's ratio would be
    near 1) or a missing chain step."""
    cat = shared_catalogue()
    s = signal_at_init([cat.get("sigmoid"), cat.get("relu")], "glorot_uniform", 10, 256, seed=0)
    sigmoid, relu = s.row("sigmoid")["grad_norm"], s.row("relu")["grad_norm"]
    assert sigmoid[0] / sigmoid[-1] < 1e-3
    assert 0.1 < relu[0] / relu[-1] < 10
