"""The one catalogue of activations: Keras built-ins (discovered), the tutorial's customs,
activations from files in `user_activations/`, and one session's own customs.

The built-in part is derived from the installed `keras.activations`, never typed out; what
cannot be discovered (LaTeX formulas, slider ranges) lives in `activations/metadata.py`.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib.util
import inspect
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import keras
import numpy as np
import tensorflow as tf

from activations import metadata, tutorial

USER_DIR = Path(__file__).resolve().parent.parent / "user_activations"

# Names in `keras.activations` that are tools, not activations.
_NOT_ACTIVATIONS = {"get", "serialize", "deserialize"}


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
    view: str = ""  # how the 1-D curve of a vector activation is taken
    origin: str = ""  # file a user-file activation came from

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with `params`, each checked; unknown names are an error."""
        params = dict(params or {})
        known = {p.name: p for p in self.params}
        unknown = set(params) - set(known)
        if unknown:
            raise ValueError(
                f"{self.name} has no parameter {sorted(unknown)[0]!r}; it takes {sorted(known) or 'none'}"
            )
        return {n: p.coerce(params.get(n, p.default)) for n, p in known.items()}

    def curve(self, x, params: Mapping[str, Any] | None = None):
        """The 1-D function of `x` that charts plot and derivatives are taken of."""
        kwargs = self.resolve(params)
        if self.elementwise:
            return self.fn(x, **kwargs)
        return _vector_view(self.name)(self.fn, x, kwargs)


def _first_of_pair_with_zero(fn, x, kwargs):
    return fn(tf.stack([x, tf.zeros_like(x)], axis=-1), **kwargs)[..., 0]


def _glu_of_pair(fn, x, kwargs):
    return fn(tf.stack([x, x], axis=-1), **kwargs)[..., 0]


def _vector_view(name: str):
    return _glu_of_pair if name == "glu" else _first_of_pair_with_zero


VIEW_TEXT = {
    "glu": "glu splits its input in half, value and gate: plotted is glu([x, x]) = x·σ(x), value and gate both x.",
}
DEFAULT_VIEW_TEXT = (
    "{name} maps a whole vector to a vector, so it has no 1-D curve: plotted is the first "
    "output of {name}([x, 0]), one logit moving while the other stays at 0."
)


# --- discovery -------------------------------------------------------------------------


def _docstring_summary(fn) -> str:
    doc = inspect.getdoc(fn) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _docstring_reference(fn) -> str | None:
    doc = inspect.getdoc(fn) or ""
    _, sep, tail = doc.partition("Reference")
    if not sep:
        return None
    match = re.search(r"\((https?://[^)\s]+)\)", tail)
    return match.group(1) if match else None


def _params_of(name: str, fn) -> tuple[Param, ...]:
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
        with warnings.catch_warnings():  # softmax warns about its length-1 axis: that is the probe
            warnings.simplefilter("ignore")
            whole = np.asarray(fn(probe, **params))
            each = np.asarray(fn(probe[:, None], **params))[:, 0]
    except Exception:  # e.g. glu cannot split a length-1 axis: not element-wise
        return False
    return whole.shape == each.shape and np.allclose(whole, each, atol=1e-6, equal_nan=True)


def _keras_builtins() -> list[Activation]:
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
        params = _params_of(canonical, fn)
        defaults = {p.name: p.default for p in params}
        elementwise = _is_elementwise(fn, defaults)
        entries.append(
            Activation(
                name=canonical,
                fn=fn,
                source="keras",
                params=params,
                elementwise=elementwise,
                formula=metadata.FORMULAS.get(canonical, ""),
                summary=_docstring_summary(fn),
                reference=_docstring_reference(fn),
                aliases=tuple(n for n in sorted(names) if n != canonical),
                view="" if elementwise else VIEW_TEXT.get(canonical, DEFAULT_VIEW_TEXT.format(name=canonical)),
            )
        )
    return entries


def _layer_fn(layer_cls: type) -> Callable[..., Any]:
    layer = layer_cls()
    # `call` directly: Layer.__call__ would cast float64 analysis grids to float32.
    return lambda x, **_: layer.call(x)


def _tutorial_customs() -> list[Activation]:
    return [
        Activation(
            name="SinActivation",
            fn=_layer_fn(tutorial.SinActivation),
            source="tutorial",
            formula=r"\sin(x)",
            summary="Tutorial method 1: a keras.layers.Layer subclass whose call returns tf.math.sin(inputs).",
            layer=tutorial.SinActivation,
        ),
        Activation(
            name="scaled_tanh",
            fn=tutorial.scaled_tanh,
            source="tutorial",
            formula=r"2\tanh(x)",
            summary="Tutorial method 2: a plain function passed as activation=, tf.math.tanh(x) * 2.",
        ),
        Activation(
            name="elu_like",
            fn=tutorial.elu_like,
            source="tutorial",
            formula=r"\begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0 \end{cases}",
            summary="The tutorial's ELU-like function for its regression example: tf.where(x > 0, x, tf.exp(x) - 1).",
        ),
    ]


def load_user_files(folder: Path = USER_DIR) -> tuple[list[Activation], list[str]]:
    """Activations defined in `folder/*.py`: public functions of `x` and Layer subclasses.

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
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # a broken user file must not take the app down
            errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        for attr, obj in vars(module).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            try:
                if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer):
                    act = Activation(name=attr, fn=_layer_fn(obj), source="user file", layer=obj,
                                     summary=_docstring_summary(obj), origin=path.name)
                elif inspect.isfunction(obj):
                    act = Activation(name=attr, fn=obj, source="user file", params=_params_of(attr, obj),
                                     summary=_docstring_summary(obj), origin=path.name)
                else:
                    continue
                np.asarray(act.curve(tf.constant([-1.0, 0.0, 1.0])))
            except Exception as exc:
                errors.append(f"{path.name}: {attr}: {type(exc).__name__}: {exc}")
                continue
            found.append(act)
    return found, errors


# --- the catalogue ---------------------------------------------------------------------

# Colours go to the activations people compare most first, so a typical comparison gets the
# most distinct colours; every other entry follows in catalogue order.
# Every colour is mid-luminance, so lines read on the light and the dark theme alike.
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#1b9e77", "#e7298a", "#a6761d", "#fb0d0d", "#da16ff", "#2e91e5",
    "#b15928", "#eb663b", "#6a51d8", "#1ca71c", "#fb00d1", "#fc0080", "#b2828d", "#e15f99",
    "#6c7c32", "#778aae", "#c0504d", "#a777f1", "#ff9da7", "#4e79a7", "#da60ca", "#9c755f",
    "#5fa2dd", "#af0038", "#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d", "#72b7b2",
)
PREFERRED_ORDER = (
    "relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softplus", "selu", "mish",
    "SinActivation", "scaled_tanh", "elu_like",
)


@dataclass(frozen=True)
class Catalogue:
    """The shared entries plus one session's customs, read-only; `with_custom` makes a new one."""

    shared: Mapping[str, Activation]
    customs: Mapping[str, Activation] = field(default_factory=dict)
    load_errors: tuple[str, ...] = ()

    def all(self) -> list[Activation]:
        return list(self.shared.values()) + list(self.customs.values())

    def names(self) -> list[str]:
        return [a.name for a in self.all()]

    def get(self, identifier: str | Activation) -> Activation:
        if isinstance(identifier, Activation):
            return identifier
        if not isinstance(identifier, str):
            raise ValueError(f"Could not interpret activation identifier: {identifier!r}")
        if identifier in self.customs:
            return self.customs[identifier]
        if identifier in self.shared:
            return self.shared[identifier]
        for act in self.shared.values():
            if identifier in act.aliases:
                return act
        close = difflib.get_close_matches(identifier, self.names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"Unknown activation {identifier!r}{hint}")

    def __contains__(self, name: str) -> bool:
        try:
            self.get(name)
        except ValueError:
            return False
        return True

    def colour(self, name: str) -> str:
        order = self.names()
        return PALETTE[order.index(self.get(name).name) % len(PALETTE)]

    def with_custom(self, act: Activation) -> "Catalogue":
        if act.name in self.shared:
            raise ValueError(f"{act.name!r} is already a {self.shared[act.name].source} activation; choose another name")
        customs = dict(self.customs)
        customs[act.name] = dataclasses.replace(act, source="session")
        return dataclasses.replace(self, customs=customs)

    def without_custom(self, name: str) -> "Catalogue":
        customs = {k: v for k, v in self.customs.items() if k != name}
        return dataclasses.replace(self, customs=customs)


def _ordered(entries: Iterable[Activation]) -> dict[str, Activation]:
    entries = list(entries)
    rank = {n: i for i, n in enumerate(PREFERRED_ORDER)}
    keras_last = sorted(entries, key=lambda a: (rank.get(a.name, len(rank)), a.source != "keras", a.name))
    return {a.name: a for a in keras_last}


@functools.cache
def shared_catalogue() -> Catalogue:
    """Built-ins, tutorial customs and user files: the same for every session, built once."""
    user, errors = load_user_files()
    entries = _keras_builtins() + _tutorial_customs()
    taken = {a.name for a in entries}
    for act in user:
        if act.name in taken:
            errors.append(f"{act.origin}: {act.name!r} is already taken by a built-in; skipped")
        else:
            entries.append(act)
            taken.add(act.name)
    return Catalogue(shared=_ordered(entries), load_errors=tuple(errors))


def get(identifier, customs: Mapping[str, Activation] | None = None) -> Activation:
    """The activation named `identifier` (a name, alias or Activation); ValueError if unknown."""
    catalogue = shared_catalogue()
    if customs:
        catalogue = dataclasses.replace(catalogue, customs=customs)
    return catalogue.get(identifier)
