"""The three custom activations of the TensorFlow tutorial this app grows from, exactly as written there.

Registered with Keras so that `keras.activations.get(...)`, `Dense(activation=...)` and
`.keras` save/load accept them by name.
"""
import keras
import tensorflow as tf

PACKAGE = "activation_explorer"


@keras.saving.register_keras_serializable(package=PACKAGE)
class SinActivation(keras.layers.Layer):
    """Method 1 of the tutorial: a `keras.layers.Layer` subclass whose `call` is `sin`.

    `sin(x)`
    """

    def call(self, inputs):
        return tf.math.sin(inputs)


@keras.saving.register_keras_serializable(package=PACKAGE)
def scaled_tanh(x):
    """Method 2 of the tutorial: a plain function passed as `activation=`.

    `tanh(x) * 2`
    """
    return tf.math.tanh(x) * 2


@keras.saving.register_keras_serializable(package=PACKAGE)
def elu_like(x):
    """The tutorial's ELU-like activation for its regression example.

    `x if x > 0 else exp(x) - 1`
    """
    return tf.where(x > 0, x, tf.exp(x) - 1)
