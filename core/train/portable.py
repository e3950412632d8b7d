"""A trained network as a `.keras` file that plain Keras loads without this project: a Keras
built-in becomes Keras's own layer; any other activation becomes the layer class of one generated
file (core/train/codegen.py, `custom_objects_module`) offered beside the model.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np

from activations import Activation
from core.train import codegen
from core.train.network.models import CatalogueActivation

# Keras layers that call `keras.activations.<name>(x, **params)` with the activation's own
# parameter names, so a built-in with other than its defaults is still Keras's own object.
_LAYERS_WITH_PARAMS = {
    "relu": keras.layers.ReLU,
    "leaky_relu": keras.layers.LeakyReLU,
    "elu": keras.layers.ELU,
}


def keras_layer(
    act: Activation,
    params: Mapping[str, Any] | None = None,
    learn: Mapping[str, str] | None = None,
    rank: int = 2,
) -> keras.layers.Layer | None:
    """Keras's own layer computing what the app's activation layer computes for `act` with
    `params`, learning `learn`, on inputs of `rank` dimensions (batch included); None when
    Keras has no such layer (the network then needs the generated file)."""
    if act.source != "keras" or act.layer is not None:
        return None
    params = act.resolve(params)
    if learn:
        if act.name != "leaky_relu" or set(learn) != {"negative_slope"}:
            return None
        # PReLU computes relu(x) − α·relu(−x), the learnable leaky_relu's own arithmetic
        # (activations/learnable.py); α shared over the positions, or over everything.
        per_unit = learn["negative_slope"] == "unit"
        shared = list(range(1, rank - 1 if per_unit else rank))
        return keras.layers.PReLU(shared_axes=shared or None)
    # A gated unit's activation layer is its gate, Keras's function of that name (swiglu: silu).
    name = act.fn.__name__ if act.gated else act.name
    if params == _keras_defaults(act) and act.keeps_shape():
        return keras.layers.Activation(name)
    layer = _LAYERS_WITH_PARAMS.get(name)
    if layer is None:
        return None
    try:
        return layer(**params)
    except ValueError:  # a value the layer refuses (a negative slope): the generated file
        return None


def _keras_defaults(act: Activation) -> dict[str, Any] | None:
    """The values `keras.activations.<name>(x)` uses, or None when one has no default."""
    signature = inspect.signature(act.fn).parameters
    out = {}
    for name in act.resolve():
        p = signature.get(name)
        if p is None or p.default is inspect.Parameter.empty:
            return None
        out[name] = p.default
    return out


def custom_objects_file(
    act: Activation,
    params: Mapping[str, Any] | None = None,
    learn: Mapping[str, str] | None = None,
    model_file: str = "model.keras",
) -> str | None:
    """The generated file a network of `act` needs to load (None: plain Keras loads it alone);
    for an activation of a user_activations file, that file's text with the layer it needs."""
    if keras_layer(act, params, learn) is not None:
        return None
    return codegen.custom_objects_module(act, params, learn, model_file)


def _generated_config(self) -> dict[str, Any]:
    # The generated class's constructor arguments: the parameters' (starting) values; what a
    # parameter learned is a weight, in the order CatalogueActivation.build makes them.
    return {**keras.layers.Layer.get_config(self), **self.params}


def _saved_as_generated(layer: CatalogueActivation) -> keras.layers.Layer:
    """`layer`, computing as it does, saved as the generated file's class with its arguments.

    A class of this name only: it is not registered with Keras, so the `.keras` file names it
    by the bare class name, which the file's `custom_objects` maps to its own class."""
    act = layer._act
    cls = type(
        codegen.layer_class_name(act),
        (CatalogueActivation,),
        {"get_config": _generated_config, "__module__": codegen.objects_module_name(act)},
    )
    return cls(layer.activation, layer.params, layer.expression, layer.learn, name=layer.name)


def portable_model(model: keras.Model) -> keras.Model:
    """A copy of `model` (an app network, core.train.network.models.plain_model) holding its
    weights, each activation layer replaced by Keras's own or by one saved as the generated
    file's class. Both compute with the same TensorFlow ops on the same weights."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        if not isinstance(layer, CatalogueActivation):
            return layer.__class__.from_config(layer.get_config())
        inner = layer._inner
        if inner is not None and layer._act.source == "user file":
            # The user's own Layer subclass, which their file (embedded in the generated one)
            # defines: the network is saved with it, and its weights are the app layer's.
            return inner.__class__.from_config(inner.get_config())
        rank = len(layer.get_build_config()["input_shape"])
        own = keras_layer(layer._act, layer.params, layer.learn, rank)
        return own if own is not None else _saved_as_generated(layer)

    copy = keras.models.clone_model(model, clone_function=clone)
    for old, new in zip(model.layers, copy.layers, strict=True):
        values = old.get_weights()
        # PReLU keeps a learned slope as (units,) or (1, 1, channels): the same numbers.
        shapes = [w.shape for w in new.get_weights()]
        new.set_weights([np.reshape(v, s) for v, s in zip(values, shapes, strict=True)])
    return copy


def keras_file(model: keras.Model) -> bytes:
    """`portable_model(model)` as the bytes of a `.keras` file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        portable_model(model).save(path)
        return path.read_bytes()
