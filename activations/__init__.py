"""The activation catalogue: one registry, one `get`, safe user expressions, autodiff analysis.

Importing this package imports TensorFlow; the home page does not, so it paints first.
"""

import os

# TensorFlow's C++ start-up chatter is noise in a terminal running the app.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from activations.activation import Activation, Param  # noqa: E402
from activations.catalogue import Catalogue, get, shared_catalogue  # noqa: E402

__all__ = ["Activation", "Catalogue", "Param", "get", "shared_catalogue"]
