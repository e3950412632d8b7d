"""One catalogue entry: an activation function, its tunable parameters and the 1-D view the
charts plot. Plain data over a callable; it knows nothing of where entries come from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf


@dataclass(frozen=True)
class Param:
    """One tunable argument of an activation, with the range its slider offers."""

    name: str
    default: Any
    low: float = -3.0
    high: float = 3.0
    step: float = 0.05
    kind: str = "float"  # "float", "bool", or "optional" (a float that may be None)
    required: bool = False  # Keras's signature gives no default; ours is a suggestion

    def coerce(self, value: Any) -> Any:
        if self.kind == "bool":
            return bool(value)
        if value is None:
            if self.kind == "optional":
                return None
            raise ValueError(f"parameter {self.name!r} needs a number")
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"parameter {self.name!r} must be finite, got {value}")
        return value


@dataclass(frozen=True)
class Activation:
    """An activation and what the app knows about it.

    `fn(x, **params)` is the function Keras trains with. `curve(x, params)` is the 1-D view
    the charts plot: `fn` itself for element-wise activations, a labelled slice for the
    vector ones (softmax, glu, ...).
    """

    name: str
    fn: Callable[..., Any]
    source: str  # "keras", "tutorial", "user file", "session"
    params: tuple[Param, ...] = ()
    elementwise: bool = True
    formula: str = ""
    summary: str = ""
    reference: str | None = None
    aliases: tuple[str, ...] = ()
    layer: type | None = None  # set for method-1 activations (a keras.layers.Layer subclass)
    expression: str | None = None  # the user's text, for session customs
    # `fn` as one Python expression in x (and the parameter names) over tf, when the app knows
    # it: generated Keras code uses it as the function's body.
    code: str | None = None
    view: str = ""  # how the 1-D curve of a vector activation is taken
    origin: str = ""  # file a user-file activation came from
    # A gated unit f(u)·v (Shazeer 2020): `fn` is the gate f, applied to one projection u of the
    # layer's input and multiplied by another, v. The blocks (core/train/network) make both
    # projections; the 1-D curve is the diagonal u = v = x, f(x)·x.
    gated: bool = False

    @property
    def pointwise(self) -> bool:
        """f(x) of each unit alone: element-wise and not a gated unit (which needs two
        projections). What the theory, the Depth page and the Playground apply."""
        return self.elementwise and not self.gated

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def keeps_shape(self, params: Mapping[str, Any] | None = None) -> bool:
        """Whether its output has its input's shape: not so for Keras's glu, which halves the
        last axis (the next layer's weights would not fit, and Keras's Activation layer that
        claims the shape would build a network that does not load)."""
        if self.elementwise:
            return True
        return tuple(self.fn(tf.zeros((1, 4)), **(params or {})).shape) == (1, 4)

    def resolve(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with `params`, each checked; unknown names are an error."""
        params = dict(params or {})
        known = {p.name: p for p in self.params}
        unknown = set(params) - set(known)
        if unknown:
            takes = sorted(known) or "none"
            raise ValueError(
                f"{self.name} has no parameter {sorted(unknown)[0]!r}; it takes {takes}"
            )
        return {n: p.coerce(params.get(n, p.default)) for n, p in known.items()}

    def curve(self, x, params: Mapping[str, Any] | None = None):
        """The 1-D function of `x` that charts plot and derivatives are taken of."""
        kwargs = self.resolve(params)
        if self.gated:
            return self.fn(x, **kwargs) * x
        if self.elementwise:
            return self.fn(x, **kwargs)
        return _vector_view(self.name)(self.fn, x, kwargs)


def as_gated(
    act: Activation, name: str, formula: str = "", summary: str = "", reference: str | None = None
) -> Activation:
    """`act` used as the gate of a gated unit f(u)·v, called `name` (its parameters stay)."""
    if act.gated or not act.elementwise or act.layer is not None:
        raise ValueError(f"{act.name} cannot be a gate: a gate is one element-wise function")
    gate = act.name.replace("_", r"\_")
    return dataclasses.replace(
        act,
        name=name,
        gated=True,
        aliases=(),
        formula=formula or rf"\mathrm{{{gate}}}(u)\cdot v",
        summary=summary or f"{act.name} as the gate of two projections u and v: {act.name}(u)·v.",
        reference=reference if reference is not None else act.reference,
    )


def _first_of_pair_with_zero(fn, x, kwargs):
    return fn(tf.stack([x, tf.zeros_like(x)], axis=-1), **kwargs)[..., 0]


def _glu_of_pair(fn, x, kwargs):
    return fn(tf.stack([x, x], axis=-1), **kwargs)[..., 0]


def _vector_view(name: str):
    return _glu_of_pair if name == "glu" else _first_of_pair_with_zero


_VIEW_TEXT = {
    "glu": (
        "glu splits its input in half, value and gate: plotted is glu([x, x]) = x·σ(x), "
        "value and gate both x."
    ),
}
_DEFAULT_VIEW_TEXT = (
    "{name} maps a whole vector to a vector, so it has no 1-D curve: plotted is the first "
    "output of {name}([x, 0]), one logit moving while the other stays at 0."
)


def vector_view_text(name: str) -> str:
    """What the 1-D curve of the vector activation `name` shows, for its detail view."""
    return _VIEW_TEXT.get(name, _DEFAULT_VIEW_TEXT.format(name=name))


def layer_function(layer_cls: type) -> Callable[..., Any]:
    """A `keras.layers.Layer` subclass as a function of `x`, for charts and analysis."""
    layer = layer_cls()

    def fn(x, **_):
        x = tf.convert_to_tensor(x)
        if not layer.built:  # a layer that makes weights in build() (`call` alone skips it)
            layer.build(x.shape)
        if not layer.weights:
            # `call` directly: Layer.__call__ would cast float64 analysis grids to float32.
            return layer.call(x)
        # Weights of its own are float32: the layer computes in their dtype.
        return tf.cast(layer.call(tf.cast(x, layer.compute_dtype)), x.dtype)

    return fn
