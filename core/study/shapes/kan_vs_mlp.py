"""A KAN against an MLP of the same number of parameters, trained the same way (the same
batches, optimiser, rate and steps), after Yu, Yu & Wang 2024 ("KAN or MLP: a fairer
comparison", arXiv 2407.16674), at this app's size: MNIST-1D classification and pykan's Example 1
formula. Plain data out; no Streamlit. core/study/experiments/kans/ judges the numbers.

Both networks are TensorFlow functions stepped by one loop (`_fit`): only the model differs. The
KAN's grids are moved to the range of their inputs (`KAN.update_grid`) before each of its first
steps' blocks, as pykan moves its grids in its first steps; its Adam restarts after each move
(the move makes new variables)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from core.study.shapes import kan

# MNIST-1D: a KAN [40, 8, 10] at G = 5 (400 edges × (8 coefficients + 2 scales) = 4,000
# parameters) against an MLP 40 → 78 → 10 with silu, the KAN's base function (3,988).
MNIST_KAN, MNIST_G, MNIST_HIDDEN = (40, 8, 10), 5, (78,)
MNIST_EPOCHS, MNIST_BATCH, MNIST_RATE = 30, 128, 1e-3
MNIST_GRID_MOVES = 5  # before each of the first 5 epochs
# Example 1's formula: a KAN [2, 5, 1] at G = 5 (150) against an MLP 2 → 10 → 10 → 1 (151).
FORMULA = "exp(sin(πx) + y²)"
FORMULA_KAN, FORMULA_G, FORMULA_HIDDEN = (2, 5, 1), 5, (10, 10)
FORMULA_STEPS, FORMULA_RATE = 3000, 1e-2  # full batch
# The KAN's grid moved before steps 0, 50, …, 450 (pykan moves its grids in its first steps too).
FORMULA_GRID_EVERY, FORMULA_GRID_MOVES = 50, 10


@dataclass
class Fitted:
    """One network's result: its parameter count and its final score (validation accuracy, or
    test RMSE), and the per-epoch (or per-block) curve of that score."""

    parameters: int
    score: float
    curve: list[float]


def mlp(inputs: int, hidden: tuple[int, ...], outputs: int, seed: int, dtype: str):
    import keras

    layers = [keras.Input((inputs,), dtype=dtype)]
    for i, width in enumerate((*hidden, outputs)):
        layers.append(
            keras.layers.Dense(
                width,
                activation="silu" if i < len(hidden) else None,
                kernel_initializer=keras.initializers.GlorotUniform(seed * 100 + i),
                dtype=dtype,
            )
        )
    return keras.Sequential(layers)


class _Net:
    """A KAN or a Keras MLP behind one interface: call, variables, parameters, and (KAN only)
    the grid move, which replaces the KAN and so its variables."""

    def __init__(self, model):
        self.model = model

    @property
    def is_kan(self) -> bool:
        return isinstance(self.model, kan.KAN)

    def __call__(self, x):
        return self.model(x)

    @property
    def variables(self):
        return self.model.variables if self.is_kan else self.model.trainable_variables

    @property
    def parameters(self) -> int:
        return sum(int(np.prod(v.shape)) for v in self.variables)

    def move_grid(self, x) -> bool:
        if self.is_kan:
            self.model = self.model.update_grid(x)
        return self.is_kan


def _stepper(net: _Net, loss: Callable, rate: float):
    import keras

    optimizer = keras.optimizers.Adam(rate)
    variables = net.variables

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            value = loss(y, net(x))
        optimizer.apply_gradients(zip(tape.gradient(value, variables), variables, strict=True))

    return step


def classify(net: _Net, data, seed: int, epochs: int = MNIST_EPOCHS, progress=None) -> Fitted:
    """Adam at MNIST_RATE, batches of MNIST_BATCH in a seeded order, cross-entropy on logits;
    the validation accuracy after each epoch."""
    import keras

    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0) + 1e-8
    x = ((data.x_train - mean) / std).astype(np.float32)
    x_val = ((data.x_val - mean) / std).astype(np.float32)
    y = data.y_train.astype(np.int32)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    rng = np.random.default_rng(seed)
    step, curve = None, []
    for epoch in range(epochs):
        moved = epoch < MNIST_GRID_MOVES and net.move_grid(x)  # a KAN's grid, before the epoch
        if step is None or moved:  # new variables after a move: a new optimiser and step
            step = _stepper(net, loss, MNIST_RATE)
        order = rng.permutation(len(x))
        for start in range(0, len(x), MNIST_BATCH):
            batch = order[start : start + MNIST_BATCH]
            step(tf.constant(x[batch]), tf.constant(y[batch]))
        predicted = np.argmax(net(tf.constant(x_val)).numpy(), axis=1)
        curve.append(float(np.mean(predicted == data.y_val)))
        if progress:
            progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}")
    return Fitted(net.parameters, curve[-1], curve)


def regress(net: _Net, seed: int, steps: int = FORMULA_STEPS) -> Fitted:
    """Full-batch Adam at FORMULA_RATE on the mean squared error of Example 1's formula (the KAN
    page's data for `seed`); the test RMSE after every FORMULA_GRID_EVERY steps."""
    x, y, x_test, y_test = kan.data(FORMULA, seed)
    xt, yt = tf.constant(x), tf.constant(y)

    def mse(target, predicted):
        return tf.reduce_mean((predicted - target) ** 2)

    step, curve = None, []
    for k in range(steps):
        early = k % FORMULA_GRID_EVERY == 0 and k // FORMULA_GRID_EVERY < FORMULA_GRID_MOVES
        moved = early and net.move_grid(x)  # a KAN's grid, at steps 0, 50, …, 450
        if step is None or moved:
            step = _stepper(net, mse, FORMULA_RATE)
        step(xt, yt)
        if (k + 1) % FORMULA_GRID_EVERY == 0 or k + 1 == steps:
            curve.append(kan.rmse(net, x_test, y_test))
    return Fitted(net.parameters, curve[-1], curve)


def mnist_pair(seed: int) -> tuple[_Net, _Net]:
    """(KAN, MLP) for MNIST-1D, float32, drawn from `seed`."""
    k = kan.KAN.new(MNIST_KAN, MNIST_G, seed=seed, dtype=tf.float32)
    return _Net(k), _Net(mlp(MNIST_KAN[0], MNIST_HIDDEN, MNIST_KAN[-1], seed, "float32"))


def formula_pair(seed: int) -> tuple[_Net, _Net]:
    """(KAN, MLP) for the formula, float64 as the KAN page fits, drawn from `seed`."""
    k = kan.KAN.new(FORMULA_KAN, FORMULA_G, seed=seed, dtype=tf.float64)
    return _Net(k), _Net(mlp(2, FORMULA_HIDDEN, 1, seed, "float64"))
