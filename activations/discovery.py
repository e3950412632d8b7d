"""The Keras built-ins, derived from the installed `keras.activations`, never typed out.

What cannot be discovered (LaTeX formulas, slider ranges) lives in `activations/metadata.py`.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Mapping
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from activations import metadata
from activations.activation import Activation, Param, vector_view_text

# Names in `keras.activations` that are tools, not activations.
_NOT_ACTIVATIONS = {"get", "serialize", "deserialize"}


def docstring_summary(obj) -> str:
    """The first line of `obj`'s docstring, or ""."""
    doc = (inspect.getdoc(obj) or "").strip()
    return doc.splitlines()[0] if doc else ""


def _docstring_reference(fn) -> str | None:
    doc = inspect.getdoc(fn) or ""
    _, sep, tail = doc.partition("Reference")
    if not sep:
        return None
    match = re.search(r"\((https?://[^)\s]+)\)", tail)
    return match.group(1) if match else None


def params_of(name: str, fn) -> tuple[Param, ...]:
    """The parameters of `fn` after `x`, with the slider hints of `metadata.PARAM_HINTS`."""
    params = []
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        if p.name == "axis":  # only matters for vectors; the 1-D view fixes it
            continue
        hint = metadata.PARAM_HINTS.get((name, p.name), {})
        required = p.default is inspect.Parameter.empty
        default = hint.get("default", None if required else p.default)
        if isinstance(default, bool) or hint.get("kind") == "bool":
            kind = "bool"
        elif default is None or hint.get("kind") == "optional":
            kind = "optional"
        else:
            kind = "float"
            default = float(default)
        extra = {k: v for k, v in hint.items() if k not in ("default", "kind")}
        params.append(Param(p.name, default, kind=kind, required=required, **extra))
    return tuple(params)


def _is_elementwise(fn, params: Mapping[str, Any]) -> bool:
    """Element-wise means: applying it to a vector equals applying it to each element alone."""
    probe = tf.constant([-2.5, -1.0, -0.3, 0.0, 0.4, 1.2, 3.0], dtype=tf.float32)
    try:
        # softmax warns about its length-1 axis: that is the probe.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            whole = np.asarray(fn(probe, **params))
            each = np.asarray(fn(probe[:, None], **params))[:, 0]
    except Exception:  # e.g. glu cannot split a length-1 axis: not element-wise
        return False
    return whole.shape == each.shape and np.allclose(whole, each, atol=1e-6, equal_nan=True)


def keras_builtins() -> list[Activation]:
    """Every public function of `keras.activations`, once, with its aliases."""
    by_function: dict[int, list[str]] = {}
    functions = {}
    for name in dir(keras.activations):
        obj = getattr(keras.activations, name)
        if name.startswith("_") or name in _NOT_ACTIVATIONS or not inspect.isfunction(obj):
            continue
        functions[name] = obj
        by_function.setdefault(id(obj), []).append(name)
    entries = []
    for names in by_function.values():
        fn = functions[names[0]]
        # The canonical name is the function's own; the others are Keras aliases (swish -> silu).
        canonical = fn.__name__ if fn.__name__ in names else sorted(names)[0]
        params = params_of(canonical, fn)
        elementwise = _is_elementwise(fn, {p.name: p.default for p in params})
        entries.append(
            Activation(
                name=canonical,
                fn=fn,
                source="keras",
                params=params,
                elementwise=elementwise,
                formula=metadata.FORMULAS.get(canonical, ""),
                summary=docstring_summary(fn),
                reference=_docstring_reference(fn),
                aliases=tuple(n for n in sorted(names) if n != canonical),
                view="" if elementwise else vector_view_text(canonical),
            )
        )
    return entries
