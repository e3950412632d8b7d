"""The app's core: datasets, models, training, run store, figure builders, URL state.

Nothing here imports streamlit, so all of it runs in tests and benchmarks without a browser.

TensorFlow's process settings live here: TensorFlow reads them once, when it loads, and every
module of the app that imports it is in this package or in `activations`, which imports this
first. A script that imports TensorFlow itself imports `core` before it.
"""

import logging
import os

# TensorFlow's C++ start-up chatter is noise in a terminal running the app.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN's CPU kernels. TensorFlow turns them on by default only on some Intel CPUs; on this
# project's AMD EPYC machines they made a max-pool gradient 4.8× and a small-CNN comparison's
# epoch 1.5× faster, and the default MLP 10 % faster (bench/compare_training.py, oneDNN on in
# app and baseline alike). Each network still equals plain Keras run in the same process (the
# equivalence tests). A user's own TF_ENABLE_ONEDNN_OPTS=0 wins.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"


class _NewEngineTracing(logging.Filter):
    """Drops TensorFlow's "N out of the last M calls … triggered tf.function retracing" warning.

    Why it is safe: each comparison builds its own Engine, whose epoch, validation and probe
    functions are traced once for that engine's models (bench/compare_training.py counts the
    traces). TensorFlow counts traces per Python function across every engine of the process,
    so the warning fires after a few trainings although no engine retraces its own function
    (tests/core/train/network/test_engine_tracing.py checks that). Every other warning stays.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(_NewEngineTracing())
