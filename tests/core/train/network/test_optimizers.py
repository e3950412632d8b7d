"""Each update rule equals the Keras optimizer of the same name, step for step. Fails if a rule
drifts from Keras's arithmetic (bias correction, epsilon placement, slot updates)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.train.network import optimizers

KERAS = {
    "adam": keras.optimizers.Adam,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
}


@pytest.mark.parametrize("name", sorted(KERAS))
@pytest.mark.parametrize("learning_rate", [1e-3, 0.1])
def test_rule_matches_keras(name, learning_rate):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(3,)).astype(np.float32)]
    ours = [tf.Variable(w) for w in start]
    theirs = [tf.Variable(w) for w in start]
    rule = optimizers.make(name, learning_rate, ours)
    reference = KERAS[name](learning_rate=learning_rate)
    for _ in range(25):
        grads = [tf.constant(rng.normal(size=w.shape).astype(np.float32)) for w in start]
        rule.apply(grads, ours)
        reference.apply_gradients(zip(grads, theirs, strict=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)
    assert int(rule.iterations.numpy()) == 25


def test_hyper_parameters_are_named_and_used():
    w = [tf.Variable(np.ones(2, np.float32))]
    ours = optimizers.RMSprop(0.01, w, rho=0.5, epsilon=1e-3)
    reference = keras.optimizers.RMSprop(learning_rate=0.01, rho=0.5, epsilon=1e-3)
    theirs = [tf.Variable(np.ones(2, np.float32))]
    for _ in range(3):
        g = [tf.constant([0.3, -2.0])]
        ours.apply(g, w)
        reference.apply_gradients(zip(g, theirs, strict=True))
    np.testing.assert_allclose(w[0].numpy(), theirs[0].numpy(), rtol=1e-6)
