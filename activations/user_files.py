"""Activations the user defines in `user_activations/*.py`: public functions of `x` and
`keras.layers.Layer` subclasses.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from activations.activation import Activation, Param, layer_function
from activations.discovery import docstring_summary, params_of

USER_DIR = Path(__file__).resolve().parent.parent / "user_activations"
# Each imported file's text as it was imported: a downloaded network's generated file carries
# the code that trained it, even if the file changed or went since (core/train/codegen.py).
_TEXTS: dict[str, str] = {}


def file_text(act: Activation) -> str | None:
    """The text of the user file `act` was imported from, as it was then (None if unknown)."""
    module = getattr(act.layer if act.layer is not None else act.fn, "__module__", None)
    return _TEXTS.get(module or "")


def load_user_files(folder: Path = USER_DIR) -> tuple[list[Activation], list[str]]:
    """Activations defined in `folder/*.py`, and one message per file or entry that failed.

    These are files the user put in their own project on purpose, so they are imported like
    any module. A file that fails to import is reported, not fatal.
    """
    found, errors = [], []
    for path in sorted(Path(folder).glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_name = f"user_activations_{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:  # not for a *.py path: a guard for typing
                raise ImportError(f"no loader for {path.name}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            text = path.read_text(encoding="utf-8")
            spec.loader.exec_module(module)
            _TEXTS[module_name] = text
        except Exception as exc:  # a broken user file must not take the app down
            errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        for attr, obj in vars(module).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            try:
                act = _entry(attr, obj, path.name)
                if act is None:
                    continue
                np.asarray(act.curve(tf.constant([-1.0, 0.0, 1.0])))
                # Training traces every activation without AutoGraph (the engine's step and
                # probe): Python control flow on a tensor fails there, so say it here, with the
                # file's other errors, rather than when a run starts.
                traced = tf.function(act.curve, autograph=False)
                np.asarray(traced(tf.constant([-1.0, 0.0, 1.0])))
            except Exception as exc:
                errors.append(f"{path.name}: {attr}: {type(exc).__name__}: {exc}")
                continue
            found.append(act)
    return found, errors


def _entry(name: str, obj, file_name: str) -> Activation | None:
    """The catalogue entry for one module attribute, or None when it is not an activation."""
    params: tuple[Param, ...]
    if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer):
        fn, params, layer = layer_function(obj), (), obj
    elif inspect.isfunction(obj):
        fn, params, layer = obj, params_of(name, obj), None
    else:
        return None
    return Activation(
        name=name,
        fn=fn,
        source="user file",
        params=params,
        layer=layer,
        summary=docstring_summary(obj),
        origin=file_name,
    )
