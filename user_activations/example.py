"""Example user activations. Every .py file in this folder is loaded into the catalogue at start-up.

Define a function of `x` (extra keyword arguments with defaults become sliders) or a
`keras.layers.Layer` subclass. Names starting with `_` are ignored.
"""

import tensorflow as tf


def bent_identity(x):
    """Bent identity: `(sqrt(x² + 1) − 1) / 2 + x`, smooth and unbounded on both sides."""
    return (tf.sqrt(x * x + 1.0) - 1.0) / 2.0 + x
