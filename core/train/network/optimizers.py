"""Keras's SGD, RMSprop and Adam update rules with Keras's defaults, written in TensorFlow ops.

One class per rule, as `keras/src/optimizers/` has it: named hyper-parameters in the
constructor, the arithmetic in `update_step(gradient, variable, learning_rate)`. They exist
because a Keras optimizer applied inside the traced epoch keeps ~5 MB of TensorFlow runtime
memory alive per comparison even after everything is collected, which a long-running server
cannot afford. Tests check every rule against the Keras optimizer of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf


class Optimizer(tf.Module):
    """Applies `update_step` to each variable, then counts the step.

    `learning_rate` is one rate for every variable, or a list with one tensor per variable
    (a fused comparison's per-network rates, broadcasting over each variable's network axis):
    the arithmetic is the same, element by element, as a scalar rate's.
    """

    def __init__(
        self, learning_rate: float | Sequence[tf.Tensor], variables: Sequence[tf.Variable]
    ):
        super().__init__()
        self.learning_rate: float | None
        self._rates: list[tf.Tensor] | None
        if isinstance(learning_rate, (int, float)):
            self.learning_rate, self._rates = float(learning_rate), None
        else:
            self.learning_rate, self._rates = None, list(learning_rate)
            if len(self._rates) != len(variables):
                raise ValueError("one learning rate per variable, or one for all")
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        self._index = {id(v): i for i, v in enumerate(variables)}  # Keras variables have no ref()
        self.build(variables)

    def build(self, variables: Sequence[tf.Variable]) -> None:
        """Create the rule's slot variables (none for plain SGD)."""

    def _slots(self, variables: Sequence[tf.Variable]) -> list[tf.Variable]:
        return [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]

    def apply(self, gradients: Sequence[tf.Tensor], variables: Sequence[tf.Variable]) -> None:
        for gradient, variable in zip(gradients, variables, strict=True):
            if self._rates is None:
                rate = self.learning_rate
            else:
                rate = self._rates[self._index[id(variable)]]
            self.update_step(gradient, variable, tf.cast(rate, variable.dtype))
        self.iterations.assign_add(1)

    def update_step(self, gradient, variable, learning_rate) -> None:
        raise NotImplementedError


def _dense(gradient):
    """The gradient as a dense tensor (an embedding's IndexedSlices summed per row)."""
    return tf.convert_to_tensor(gradient)


def _square(gradient):
    """g², as Keras's TensorFlow ops square it: a sparse gradient (an embedding lookup's
    IndexedSlices, one slice per occurrence of a row) is squared slice by slice, then summed
    per row, so a row met n times gets Σ gᵢ², not (Σ gᵢ)². That is how model.fit's Adam and
    RMSprop train a keras.layers.Embedding; the app's Transformer follows it to stay equal to
    its Keras twin (tests/core/train/test_blocks.py)."""
    if isinstance(gradient, tf.IndexedSlices):
        squared = tf.IndexedSlices(
            tf.square(gradient.values), gradient.indices, gradient.dense_shape
        )
        return tf.convert_to_tensor(squared)
    return tf.square(gradient)


class SGD(Optimizer):
    """Plain gradient descent (Keras's SGD with momentum=0)."""

    def update_step(self, gradient, variable, learning_rate) -> None:
        variable.assign_sub(_dense(gradient) * learning_rate)


class RMSprop(Optimizer):
    """Keras's RMSprop without momentum or centring."""

    def __init__(self, learning_rate: float, variables, rho: float = 0.9, epsilon: float = 1e-7):
        self.rho, self.epsilon = rho, epsilon
        super().__init__(learning_rate, variables)

    def build(self, variables) -> None:
        self.velocities = self._slots(variables)

    def update_step(self, gradient, variable, learning_rate) -> None:
        velocity = self.velocities[self._index[id(variable)]]
        velocity.assign(self.rho * velocity + (1 - self.rho) * _square(gradient))
        variable.assign_sub((learning_rate * _dense(gradient)) / tf.sqrt(velocity + self.epsilon))


class Adam(Optimizer):
    """Keras's Adam (no AMSGrad): bias correction folded into the step size, as Keras does it."""

    def __init__(
        self,
        learning_rate: float,
        variables,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ):
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        super().__init__(learning_rate, variables)

    def build(self, variables) -> None:
        self.momentums = self._slots(variables)
        self.velocities = self._slots(variables)

    def update_step(self, gradient, variable, learning_rate) -> None:
        index = self._index[id(variable)]
        m, v = self.momentums[index], self.velocities[index]
        step = tf.cast(self.iterations + 1, variable.dtype)
        beta_1_power = tf.pow(tf.cast(self.beta_1, variable.dtype), step)
        beta_2_power = tf.pow(tf.cast(self.beta_2, variable.dtype), step)
        alpha = learning_rate * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((_dense(gradient) - m) * (1 - self.beta_1))
        v.assign_add((_square(gradient) - v) * (1 - self.beta_2))
        variable.assign_sub((m * alpha) / (tf.sqrt(v) + self.epsilon))


RULES = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop}


def make(
    name: str, learning_rate: float | Sequence[tf.Tensor], variables: Sequence[tf.Variable]
) -> Optimizer:
    return RULES[name](learning_rate, variables)
