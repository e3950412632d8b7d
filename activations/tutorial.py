"""The three custom activations of the TensorFlow tutorial this app grows from, exactly as
written there, and their catalogue entries.

Registered with Keras so that `keras.activations.get(...)`, `Dense(activation=...)` and
`.keras` save/load accept them by name.
"""

import keras
import tensorflow as tf

from activations.activation import Activation, layer_function

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


def catalogue_entries() -> list[Activation]:
    """The three activations above as catalogue entries, each with its body for generated code."""
    return [
        Activation(
            name="SinActivation",
            fn=layer_function(SinActivation),
            source="tutorial",
            formula=r"\sin(x)",
            summary=(
                "Tutorial method 1: a keras.layers.Layer subclass whose call returns "
                "tf.math.sin(inputs)."
            ),
            layer=SinActivation,
            code="tf.math.sin(x)",
        ),
        Activation(
            name="scaled_tanh",
            fn=scaled_tanh,
            source="tutorial",
            formula=r"2\tanh(x)",
            summary=(
                "Tutorial method 2: a plain function passed as activation=, tf.math.tanh(x) * 2."
            ),
            code="tf.math.tanh(x) * 2",
        ),
        Activation(
            name="elu_like",
            fn=elu_like,
            source="tutorial",
            formula=r"\begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0 \end{cases}",
            summary=(
                "The tutorial's ELU-like function for its regression example: "
                "tf.where(x > 0, x, tf.exp(x) - 1)."
            ),
            code="tf.where(x > 0, x, tf.exp(x) - 1)",
        ),
    ]
