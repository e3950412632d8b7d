"""The activation catalogue: one registry, one `get`, safe user expressions, autodiff analysis.

Importing this package imports TensorFlow; the home page does not, so it paints first.
"""

import core  # noqa: F401  (TensorFlow's process settings, set before it loads)
from activations.activation import Activation, Param
from activations.catalogue import Catalogue, get, shared_catalogue

__all__ = ["Activation", "Catalogue", "Param", "get", "shared_catalogue"]
