"""Why TensorFlow's retracing warning is silenced (core/__init__.py): each engine traces its
epoch, validation and probe functions once, however many epochs it trains; the warning came from
TensorFlow counting traces across the engines of many comparisons."""

import logging

from core.train.datasets import load_shared
from core.train.settings import TrainConfig
from core.train.training import Training


def test_an_engine_traces_each_function_once_over_its_epochs():
    # Fails if an engine retraces per epoch (a Python value or a new shape in a call), which
    # the silenced warning would then hide: the count would be the number of epochs.
    config = TrainConfig(activations=("relu", "tanh"), dataset="random", epochs=3, diagnostics=True)
    data = load_shared("random", None, config.val_fraction)
    training = Training(config, data)
    for _ in training.epochs():
        pass
    engine = training.engine
    counts = [
        f.experimental_get_tracing_count()
        for f in (engine.train_epoch, engine.evaluate, engine.probe)
    ]
    assert counts == [1, 1, 1]


def test_only_the_retracing_warning_is_dropped():
    # Fails if the filter swallows TensorFlow's other warnings.
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    logger = logging.getLogger("tensorflow")
    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.warning("5 out of the last 9 calls to f triggered tf.function retracing. Tracing")
        logger.warning("something else")
    finally:
        logger.removeHandler(handler)
    assert seen == ["something else"]
