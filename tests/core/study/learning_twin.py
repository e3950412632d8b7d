"""A learnable-shape custom trained by the app (every parameter learned) and the same network
written in plain Keras, trained by model.fit: what the rational and spline twin tests share."""

import keras

from activations import shared_catalogue
from core.train import datasets
from core.train.settings import TrainConfig
from core.train.training import train_compare
from tests.core.train.test_training import _fit, _init


def fused_and_plain(act, granularity: str, width: int, plain_activation):
    """(the app's trained network, the plain-Keras history, the plain model): 2 hidden layers of
    `width` on the tutorial's random regression, Adam 3e-3, 3 epochs; the app learns every
    parameter of `act` per `granularity`, the plain model puts `plain_activation()` after each
    Dense layer."""
    config = TrainConfig(
        activations=(act.name,), dataset="random", samples=400, depth=2, width=width, epochs=3,
        batch_size=50, seeds=1, learning_rate=3e-3, diagnostics=False,
        learnable=((act.name, tuple((p.name, granularity) for p in sorted(act.params,
                                                                      key=lambda p: p.name))),),
    )  # fmt: skip
    data = datasets.random_regression(samples=400, val_fraction=0.1, seed=0)
    fused = train_compare(config, data, shared_catalogue().with_customs([act]))
    layers = []
    for i in range(config.depth):
        layers += [
            keras.layers.Dense(config.width, kernel_initializer=_init(0, i)),
            plain_activation(),
        ]
    out = keras.layers.Dense(data.n_outputs, kernel_initializer=_init(0, config.depth))
    model = keras.Sequential([keras.Input(data.input_shape), *layers, out])
    return fused.branches[0], _fit(model, config, data), model
