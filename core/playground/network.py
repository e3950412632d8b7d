"""K Playground networks trained side by side in one compiled step.

Every network has Playground's shape: the chosen input features, hidden Dense layers with one
activation, and one output unit (tanh for classification, linear for regression); weights start
uniform in [-0.5, 0.5] and biases at 0.1 as in Playground, seeded (all K networks start from the
same weights, so they differ only in their activation). The loss is Playground's: the mean over
the batch of ½(output − label)², plus the regularisation of the kernels (L1: rate·Σ|w|; L2:
rate·½Σw², Playground's; Keras's L2(rate/2) is the same penalty). Updates are plain SGD,
w ← w − rate·∇, once per batch, the batches in the data's order every epoch.

The losses are summed; the networks share no weights, so each network's gradient is its own and
each follows exactly what plain Keras would train alone (tests/core/test_playground.py compares
the boundaries with plain-Keras twins).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from activations import Activation
from core.playground.config import PlaygroundConfig
from core.playground.data import PlaneData, features
from core.train.network.models import Branch, init_seed

WEIGHT_LIMIT = 0.5  # Playground: Math.random() - 0.5
BIAS_START = 0.1


def initial_kernel(seed: int, layer: int, shape: tuple[int, int]) -> np.ndarray:
    """Layer `layer`'s starting kernel: Keras's RandomUniform(-0.5, 0.5), seeded as the app seeds
    every initialiser (1 + 1000·seed + layer), so a Keras user can draw the same weights."""
    import keras

    init = keras.initializers.RandomUniform(
        -WEIGHT_LIMIT, WEIGHT_LIMIT, seed=init_seed(seed, layer)
    )
    return np.asarray(init(shape), np.float32)


class PlaygroundNets(tf.Module):
    """The K networks of one Playground run, their compiled epoch, evaluation and fields."""

    def __init__(self, config: PlaygroundConfig, acts: Sequence[Activation], data: PlaneData):
        super().__init__()
        self.config, self.task = config, data.task
        chosen = config.ordered_features()
        self.x = tf.constant(features(data.train_points, chosen))
        self.y = tf.constant(data.train_labels[:, None])
        self.x_test = tf.constant(features(data.test_points, chosen))
        self.y_test = tf.constant(data.test_labels[:, None])
        self.k = len(acts)
        self.branches = [Branch(a, {}, config.seed) for a in acts]
        sizes = [len(chosen), *config.layers, 1]
        # One activation instance per hidden layer and network, as each plain model has.
        self.activations = [[b.new_apply(n) for b in self.branches] for n in config.layers]
        self.kernels, self.biases = [], []
        for layer, shape in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            start = initial_kernel(config.seed, layer, shape)
            self.kernels.append(tf.Variable(np.stack([start] * self.k), name=f"w{layer}"))
            bias = np.full((self.k, 1, shape[1]), BIAS_START, np.float32)
            self.biases.append(tf.Variable(bias, name=f"b{layer}"))
        self.weights = [*self.kernels, *self.biases, *self._learned()]
        self.rate = tf.constant(config.learning_rate, tf.float32)
        self.reg_rate = tf.constant(config.reg_rate, tf.float32)
        self.epoch = tf.function(self._epoch, reduce_retracing=True)
        self.losses = tf.function(self._losses)
        self.fields = tf.function(self._fields)

    def _learned(self) -> list[tf.Variable]:
        # Learned activation parameters train with the weights (catalogue entries that learn).
        return [
            v
            for layer in self.activations
            for f in layer
            if isinstance(f, tf.Module)
            for v in f.trainable_variables
        ]

    def _forward(self, x):
        """The output (K, N, 1) and each hidden layer's activations (K, N, units)."""
        h = tf.broadcast_to(x[None], [self.k, tf.shape(x)[0], x.shape[-1]])
        hidden = []
        for layer, (w, b) in enumerate(zip(self.kernels, self.biases, strict=True)):
            z = tf.matmul(h, w) + b
            if layer < len(self.activations):
                h = tf.stack([f(z[i]) for i, f in enumerate(self.activations[layer])])
                hidden.append(h)
            else:
                h = tf.tanh(z) if self.task == "classification" else z
        return h, hidden

    def _penalty(self):
        kind = self.config.regularization
        if kind == "none":
            return tf.zeros([self.k])
        per = [
            tf.reduce_sum(tf.abs(w) if kind == "l1" else 0.5 * tf.square(w), axis=[1, 2])
            for w in self.kernels
        ]
        return self.reg_rate * tf.add_n(per)

    def _loss(self, x, y):
        out, _ = self._forward(x)
        return tf.reduce_mean(0.5 * tf.square(out - y[None]), axis=[1, 2])  # (K,)

    def _epoch(self):
        """One pass over the training points in order, one SGD update per batch."""
        n, batch = tf.shape(self.x)[0], self.config.batch_size
        for i in tf.range((n + batch - 1) // batch):
            xb = self.x[i * batch : (i + 1) * batch]
            yb = self.y[i * batch : (i + 1) * batch]
            with tf.GradientTape() as tape:
                total = tf.reduce_sum(self._loss(xb, yb) + self._penalty())
            for w, g in zip(self.weights, tape.gradient(total, self.weights), strict=True):
                w.assign_sub(self.rate * g)

    def batches_per_epoch(self) -> int:
        return -(-int(self.x.shape[0]) // self.config.batch_size)

    def _losses(self):
        """Per network (K,): train loss, test loss, then the train and test metric: accuracy for
        classification (the output's sign is the label's), mean absolute error for regression."""
        out = []
        for x, y in ((self.x, self.y), (self.x_test, self.y_test)):
            o, _ = self._forward(x)
            out.append(tf.reduce_mean(0.5 * tf.square(o - y[None]), axis=[1, 2]))
        for x, y in ((self.x, self.y), (self.x_test, self.y_test)):
            o, _ = self._forward(x)
            if self.task == "classification":
                hit = tf.cast(tf.equal(o >= 0, y[None] >= 0), tf.float32)
                out.append(tf.reduce_mean(hit, axis=[1, 2]))
            else:
                out.append(tf.reduce_mean(tf.abs(o - y[None]), axis=[1, 2]))
        return out

    def _fields(self, x):
        """The output and every hidden unit over the points x (M, features): one call for all
        K networks."""
        return self._forward(x)


def loss_history(nets: PlaygroundNets, epochs: int) -> np.ndarray:
    """Each network's test loss at initialisation and after each of `epochs` epochs trained
    here, as (K, epochs + 1): what the presets' bench and tests measure."""
    history = [nets.losses()[1].numpy()]
    for _ in range(epochs):
        nets.epoch()
        history.append(nets.losses()[1].numpy())
    return np.array(history).T
