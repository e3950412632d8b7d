"""Learnable activation parameters: which parameters can train with the weights, the function a
network applies when some of them are variables, and the checks made before training starts.

A session custom's expression takes tensors for its parameters as it is. Keras's built-ins do not
(their parameters are Python numbers tested with `==`), so each learnable built-in has a form here
written in TensorFlow ops that computes the same function with tensor parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import tensorflow as tf

from activations.activation import Activation

GRANULARITIES = {"layer": "one per layer", "unit": "one per unit (PReLU style)"}


def _leaky_relu(x, negative_slope=0.2):
    # keras.layers.PReLU's arithmetic, so a learned slope per unit trains exactly like PReLU.
    return tf.nn.relu(x) - negative_slope * tf.nn.relu(-x)


def _relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    # keras.activations.relu: x above the threshold (clipped at max_value), slope·(x − θ) below.
    positive = tf.where(x > threshold, x, tf.zeros_like(x))
    if max_value is not None:
        positive = tf.minimum(positive, max_value)
    return positive - negative_slope * tf.nn.relu(threshold - x)


def _elu(x, alpha=1.0):
    return tf.where(x > 0, x, alpha * (tf.exp(tf.minimum(x, 0.0)) - 1.0))


def _celu(x, alpha=1.0):
    return tf.nn.relu(x) + tf.minimum(0.0, alpha * (tf.exp(tf.minimum(x, 0.0) / alpha) - 1.0))


def _squareplus(x, b=4.0):
    return 0.5 * (x + tf.sqrt(tf.square(x) + b))


# Built-in name -> (its form with tensor parameters, the parameters that may be learned).
BUILTIN_FORMS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "leaky_relu": (_leaky_relu, ("negative_slope",)),
    "relu": (_relu, ("negative_slope", "max_value", "threshold")),
    "elu": (_elu, ("alpha",)),
    "celu": (_celu, ("alpha",)),
    "squareplus": (_squareplus, ("b",)),
}


def learnable_names(act: Activation) -> tuple[str, ...]:
    """The parameters of `act` that can train with the weights (none for most built-ins)."""
    if act.expression is not None:
        return tuple(p.name for p in act.params if p.kind == "float")
    if act.name in BUILTIN_FORMS and act.layer is None:
        return BUILTIN_FORMS[act.name][1]
    return ()


def learnable_fn(act: Activation) -> Callable[..., Any]:
    """`act.fn` in a form that takes tensors (variables) for its learnable parameters."""
    if act.expression is not None:
        return act.fn
    return BUILTIN_FORMS[act.name][0]


# Where the start is checked for a derivative with respect to each learned parameter.
CHECK_GRID = np.linspace(-6.0, 6.0, 241, dtype=np.float32)


def learn_problems(
    act: Activation, params: Mapping[str, Any], learn: Mapping[str, str]
) -> list[str]:
    """What stops the parameters `learn` (name -> granularity) of `act` from training, starting
    from `params` (the resolved values): in words a user can act on; empty when fine."""
    out = []
    names = learnable_names(act)
    by_name = {p.name: p for p in act.params}
    for name, granularity in learn.items():
        if name not in names:
            can = ", ".join(names) or "none"
            out.append(f"{act.name}: {name!r} cannot be learned (learnable: {can}).")
            continue
        if granularity not in GRANULARITIES:
            out.append(f"{act.name}: {name} is learned per layer or per unit, not {granularity!r}.")
            continue
        p, value = by_name[name], params[name]
        if value is None:  # an optional parameter left unset (relu's max_value: no ceiling)
            out.append(
                f"{act.name}: {name} is not set, so it has no value to start learning from; "
                f"switch on “set {name}” and choose its start."
            )
            continue
        if not p.low <= value <= p.high:
            out.append(
                f"{act.name}: the initial {name} = {value:g} is outside its range "
                f"{p.low:g} to {p.high:g}."
            )
            continue
        if not _differentiable_at_start(act, params, name):
            out.append(
                f"{act.name}: at {name} = {value:g} the function has no finite derivative with "
                f"respect to {name} somewhere in [−6, 6], so it cannot start learning there; "
                "start from another value."
            )
    return out


def _differentiable_at_start(act: Activation, params: Mapping[str, Any], name: str) -> bool:
    fn = learnable_fn(act)
    # One copy of the parameter per x (as a per-unit parameter is): the gradient of the sum is
    # then the derivative at each x on its own.
    value = tf.fill(CHECK_GRID.shape, np.float32(params[name]))
    fixed = {k: v for k, v in params.items() if k != name}
    with tf.GradientTape() as tape:
        tape.watch(value)
        y = fn(tf.constant(CHECK_GRID), **fixed, **{name: value})
    per_x = tape.gradient(y, value)
    finite = np.isfinite(np.asarray(y)).all()
    return bool(finite and per_x is not None and np.isfinite(np.asarray(per_x)).all())
