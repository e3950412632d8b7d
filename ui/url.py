"""Page state in the URL, the one place it is defined: a table of fields per page says how each
value is written and read back (the Train page's come from the settings table), so a copied link
restores the view; `restore` and `publish` keep the URL and the page's widgets in step. Garbage
in a link is ignored field by field, with a notice."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.playground import config as pg
from core.playground.data import FEATURES
from core.serve.grid import DEPTHS
from core.study.search.limits import LIMITS as SEARCH_LIMITS
from core.study.signal_settings import (
    INITIALISERS,
    MAX_DEPTH,
    MAX_SEED,
    SPECTRUM_SCALES,
    WIDTHS,
    ZETA_RANGE,
)
from core.train.settings import SETTINGS, Setting, TrainConfig
from core.train.settings import WIDTHS as TRAIN_WIDTHS
from ui.customs import with_definitions, written


@dataclass(frozen=True)
class Field:
    """One URL parameter: its name, the state key it fills, and how to read and check it."""

    param: str
    key: str
    parse: Callable[[str], Any]
    check: Callable[[Any], bool] = lambda v: True
    write: Callable[[Any], str] = str
    # For a list of activation names: the names this page knows. A link's unknown ones are
    # named in a notice and dropped; the rest of the list is kept.
    known: frozenset[str] | None = None


def _known_only(f: Field, value: Any) -> tuple[Any, str | None]:
    if f.known is None:
        return value, None
    unknown = [n for n in value if n not in f.known]
    if not unknown:
        return value, None
    kept = type(value)(n for n in value if n in f.known)
    quoted = ", ".join(f"“{n[:40]}”" for n in unknown[:5])
    return kept, (
        f"The link names {quoted}, which this session does not have (a custom travels in a "
        f"link made after it was added; add it on the Custom page): left out"
        + (f", kept {', '.join(kept)}." if kept else ".")
    )


def _names(text: str) -> list[str]:
    return [t for t in text.split(",") if t]


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _between(lo: float, hi: float) -> Callable[[Any], bool]:
    return lambda v: lo <= v <= hi


def _one_of(values: Iterable[Any]) -> Callable[[Any], bool]:
    return lambda v: v in values


def decode(params: Mapping[str, str], fields: Iterable[Field]) -> tuple[dict[str, Any], list[str]]:
    """State values for the fields present in `params`, and a notice for each one ignored."""
    values, notices = {}, []
    for f in fields:
        if f.param not in params:
            continue
        raw = params[f.param]
        unknown = None
        try:
            value, unknown = _known_only(f, f.parse(raw))
            ok = f.check(value)
        except (ValueError, TypeError, OverflowError, KeyError, IndexError):
            ok = False
        if unknown:
            notices.append(unknown)
        if ok:
            values[f.key] = value
        elif not (unknown and len(value) == 0):  # every name unknown: said once, above
            notices.append(
                f"Ignored “{f.param}={str(raw)[:40]}” from the link: not a valid value here."
            )
    return values, notices


def encode(state: Mapping[str, Any], fields: Iterable[Field]) -> dict[str, str]:
    return {
        f.param: f.write(state[f.key])
        for f in fields
        if f.key in state and state[f.key] is not None
    }


def gallery_fields(names: Iterable[str], aliases: Mapping[str, str] | None = None) -> list[Field]:
    """The Gallery's URL fields; a picked alias (Keras's swish) reads as its name (silu)."""
    names, aliases = frozenset(names), dict(aliases or {})

    def picked(text: str) -> list[str]:
        return list(dict.fromkeys(aliases.get(n, n) for n in _names(text)))

    return [
        Field("pick", "gallery.picked", picked, lambda v: len(v) > 0, ",".join, names),
        Field(
            "show",
            "gallery.show",
            lambda t: [{"f": "f", "df": "f′", "d2f": "f″"}[s] for s in _names(t)],
            lambda v: len(v) > 0,
            lambda v: ",".join({"f": "f", "f′": "df", "f″": "d2f"}[s] for s in v),
        ),
        Field(
            "x",
            "gallery.x_range",
            lambda t: tuple(_finite(p) for p in t.split(":")),
            lambda v: len(v) == 2 and -20 <= v[0] < v[1] <= 20,
            lambda v: f"{v[0]:g}:{v[1]:g}",
        ),
    ]


_PARSE = {
    "int": int,
    "float": _finite,
    "choice": str,
    "names": _names,
    "bool": {"1": True, "0": False}.__getitem__,
    "rates": lambda text: [_finite(t) for t in _names(text)],
}
_WRITE = {
    "float": lambda v: f"{v:g}",
    "names": ",".join,
    "bool": lambda v: "1" if v else "0",
    "rates": lambda v: ",".join(f"{r:g}" for r in v),
}


def train_fields(
    names: Iterable[str], page: str = "train", only: Iterable[str] | None = None
) -> list[Field]:
    """The Train page's URL fields, one per setting of the table in core/train/settings.py (another
    page's: those named in `only`, under its own state keys)."""
    names = frozenset(names)
    only = None if only is None else set(only)
    chosen = [s for s in SETTINGS if s.param and (only is None or s.name in only)]
    return setting_fields(chosen, page, names)


def setting_fields(
    settings: Iterable[Setting], page: str, names: Iterable[str] = ()
) -> list[Field]:
    """A URL field per setting of a table (Train's, the Playground's): its URL name, its state
    key `<page>.<name>`, and the setting's own check of what a link may name."""
    names = frozenset(names)
    fields = []
    for s in settings:
        assert s.param is not None  # a setting without a URL name is never in a link
        known = names if s.kind == "names" else None
        write = _WRITE.get(s.kind, str)
        fields.append(Field(s.param, f"{page}.{s.name}", _PARSE[s.kind], s.offered, write, known))
    return fields


def train_query(config: TrainConfig) -> dict[str, str]:
    """The Train page's URL for `config`: every setting filled in."""
    state = {f"train.{s.name}": getattr(config, s.name) for s in SETTINGS if s.param}
    return encode(state, train_fields(config.activations))


def train_param_fields(catalogue, picked: Iterable[str]) -> list[Field]:
    """URL fields for the parameters of the picked parametric activations (`p.elu.alpha=0.5`)."""
    out = []
    for name in picked:
        if name not in catalogue:
            continue
        for p in catalogue.get(name).params:
            key = f"train.{name}.{p.name}"
            if p.kind == "bool":
                out.append(
                    Field(
                        f"p.{name}.{p.name}",
                        key,
                        lambda t: t in ("1", "true"),
                        write=lambda v: "1" if v else "0",
                    )
                )
            elif p.kind == "float":
                lo, hi = min(p.low, p.default), max(p.high, p.default)
                out.append(
                    Field(f"p.{name}.{p.name}", key, _finite, _between(lo, hi), lambda v: f"{v:g}")
                )
    return out


LEARN_VALUES = ("fixed", "layer", "unit")


def train_learn_fields(catalogue, picked: Iterable[str]) -> list[Field]:
    """URL fields for whether each learnable parameter learns (`l.elu.alpha=unit`)."""
    from activations.learnable import learnable_names  # TensorFlow: only with a catalogue

    out = []
    for name in picked:
        if name not in catalogue:
            continue
        for param in learnable_names(catalogue.get(name)):
            key = f"train.{name}.{param}.learn"
            out.append(Field(f"l.{name}.{param}", key, str, lambda v: v in LEARN_VALUES))
    return out


def depth_fields(names: Iterable[str]) -> list[Field]:
    """The Depth page's choices: activations, initialiser, depth, width, seed, ζ and the
    Jacobian spectrum's σ_w²."""
    names = frozenset(names)
    return [
        Field("act", "depth.activations", _names, lambda v: len(v) > 0, ",".join, names),
        Field("init", "depth.init", str, lambda v: v in INITIALISERS),
        Field("depth", "depth.depth", int, _between(1, MAX_DEPTH)),
        Field("width", "depth.width", int, lambda v: v in WIDTHS),
        Field("seed", "depth.seed", int, _between(0, MAX_SEED)),
        Field("zeta", "trainable.zeta", float, _between(*ZETA_RANGE)),
        Field("jscale", "spectrum.scale", str, lambda v: v in SPECTRUM_SCALES),
        Field("gated", "depth.gated", _PARSE["bool"], write=_WRITE["bool"]),
    ]


def kan_fields() -> list[Field]:
    """The KAN page's choices: the function, the widths, the grids, L-BFGS iterations, seed."""
    from core.study.shapes import kan_settings as ks

    ints = lambda t: sorted(int(v) for v in _names(t))  # noqa: E731
    joined = lambda v: ",".join(str(i) for i in v)  # noqa: E731
    return [
        Field("f", "kan.target", str, _one_of(ks.TARGETS)),
        Field("w", "kan.shape", str, _one_of(ks.SHAPES)),
        Field("g", "kan.grids", ints, lambda v: 0 < len(v) and set(v) <= set(ks.GRIDS), joined),
        Field("opt", "kan.optimizer", str, _one_of(ks.OPTIMISERS)),
        Field("it", "kan.iters", int, _between(*ks.ITERATIONS)),
        Field("seed", "kan.seed", int, _between(0, ks.MAX_SEED)),
    ]


def sweep_fields(names: Iterable[str], settings: Iterable[str]) -> list[Field]:
    """The Sweep page's URL: its settings (Train's URL names), the grid's depths and widths,
    and the sweep shown."""
    ints = lambda t: [int(v) for v in _names(t)]  # noqa: E731
    joined = lambda v: ",".join(str(i) for i in v)  # noqa: E731
    return train_fields(names, "sweep", settings) + [
        Field("depths", "sweep.depths", ints, lambda v: set(v) <= set(DEPTHS), joined),
        Field("widths", "sweep.widths", ints, lambda v: set(v) <= set(TRAIN_WIDTHS), joined),
        Field("sweep", "sweep.shown", int, lambda v: 0 < v < 2**63),
        # As on Train: the key lets this browser stop the sweep after a refresh.
        Field("key", "sweep.key", str, lambda v: 0 < len(v) <= 32 and v.isalnum()),
    ]


# Train's settings a search shares, under Train's URL names (n, opt, lr, bs, ep, seeds, depth).
SEARCH_TRAIN_SETTINGS = ("samples", "depth", "optimizer", "learning_rate", "batch_size", "epochs")
SEARCH_CLASSIFICATION = ("mnist1d", "mnist")  # a search scores validation accuracy


def _indices(options: Iterable[str]) -> tuple[Callable, Callable, Callable]:
    """Parse, check and write a subset of `options` by position ("0,3,7"): the search's
    building blocks have commas and bars in their names (max(x,0), |x|)."""
    names = list(options)

    def parse(text: str) -> list[str]:
        positions = [int(i) for i in _names(text)]
        if min(positions, default=0) < 0:
            raise ValueError("a position is negative")
        return list(dict.fromkeys(names[i] for i in positions))

    def write(chosen: Iterable[str]) -> str:
        return ",".join(str(names.index(n)) for n in chosen if n in names)

    return parse, lambda v: len(v) > 0, write


def search_fields(
    unary: Iterable[str], binary: Iterable[str], shapes: Iterable[str] = ()
) -> list[Field]:
    """The Search page's URL: its settings (Train's URL names where Train has them), the unary
    and binary sets by position, the learnable-shape baselines (of `shapes`, this session's
    customs with parameters), the search shown and the key that lets this browser stop it."""
    shapes = frozenset(shapes)

    def within(name: str) -> Callable[[Any], bool]:  # the search's own table of ranges
        return _between(SEARCH_LIMITS[name].low, SEARCH_LIMITS[name].high)

    return train_fields((), "search", SEARCH_TRAIN_SETTINGS) + [
        Field("data", "search.dataset", str, _one_of(SEARCH_CLASSIFICATION)),
        Field("width", "search.width", int, _one_of(WIDTHS)),
        Field("seeds", "search.seeds", int, within("seeds")),
        Field("k", "search.k", int, within("k")),
        Field("budget", "search.candidates", int, within("candidates")),
        Field("minutes", "search.minutes", _finite, within("minutes"), lambda v: f"{v:g}"),
        Field("pop", "search.population", int, within("population")),
        Field("sample", "search.sample", int, within("sample")),
        Field("seed", "search.seed", int, within("seed")),
        Field("beta", "search.learn_beta", _PARSE["bool"], write=_WRITE["bool"]),
        Field("unary", "search.unary", *_indices(unary)),
        Field("binary", "search.binary", *_indices(binary)),
        Field("name", "search.name", str, lambda v: len(v) <= 120),
        # Session customs by name: the link's def= brings their definitions (ui/customs.py).
        Field("shapes", "search.shapes", _names, lambda v: len(v) <= 4, ",".join, shapes),
        Field("search", "search.shown", int, lambda v: 0 < v < 2**63),
        Field("key", "search.key", str, lambda v: 0 < len(v) <= 32 and v.isalnum()),
    ]


def runs_fields() -> list[Field]:
    return [
        Field(
            "runs",
            "runs.selected",
            lambda t: [int(i) for i in _names(t)],
            lambda v: len(v) <= 20,
            lambda v: ",".join(str(i) for i in v),
        )
    ]


def job_fields() -> list[Field]:
    """The Train page's job in the URL: which one it shows, and the key that lets this browser
    stop it after a refresh (a refresh starts a new session)."""
    return [
        Field("job", "train.job", int, lambda v: v != 0 and abs(v) < 2**63),
        Field("key", "train.job_key", str, lambda v: 0 < len(v) <= 32 and v.isalnum()),
    ]


def playground_fields(names: Iterable[str]) -> list[Field]:
    """The Playground's URL (Playground keeps its whole state in the link): one parameter per
    setting, each checked on its own, so a bad one is ignored with a notice."""
    names = frozenset(names)
    ints = lambda t: tuple(int(v) for v in _names(t))  # noqa: E731
    joined = lambda v: ",".join(str(i) for i in v)  # noqa: E731
    layers_ok = lambda v: len(v) <= pg.MAX_LAYERS and all(1 <= n <= pg.MAX_UNITS for n in v)  # noqa: E731
    acts_ok = lambda v: 0 < len(v) <= pg.MAX_ACTIVATIONS  # noqa: E731
    features_ok = lambda v: 0 < len(v) and set(v) <= set(FEATURES)  # noqa: E731
    fields = [
        Field("act", "pg.activations", lambda t: tuple(_names(t)), acts_ok, ",".join, names),
        Field("feat", "pg.features", lambda t: tuple(_names(t)), features_ok, ",".join),
        Field("net", "pg.layers", ints, layers_ok, joined),
    ]
    table = setting_fields(pg.SETTINGS, "pg")  # in the link's order: data before the network
    return fields[:1] + table[:4] + fields[1:] + table[4:]


# --- the page and its URL ---------------------------------------------------------------


def _signature(params: dict[str, str]) -> tuple:
    return tuple(sorted(params.items()))


def restore(page: str, fields: Iterable[Field]) -> list[str]:
    """Copy valid values from the URL into widget state; returns a notice for each parameter
    that was ignored.

    A URL the page wrote itself only fills widgets Streamlit has forgotten (it drops the state
    of widgets that left the screen, e.g. while the user was on another page), so the page comes
    back as it was left. A URL with none of the page's parameters (the sidebar's links) brings
    back the page's last URL in this session.
    """
    fields = list(fields)
    params = st.query_params.to_dict()
    if not set(params) & {f.param for f in fields}:  # none of this page's: a link from another
        params = st.session_state.get(f"url.kept.{page}", {})
    if not params:
        return []
    marker = f"url.written.{page}"
    fresh = st.session_state.get(marker) != _signature(params)
    values, notices = decode(params, fields)
    for key, value in values.items():
        if fresh or key not in st.session_state:
            st.session_state[key] = value
    st.session_state[marker] = _signature(params)
    return notices if fresh else []


def publish(page: str, fields: Iterable[Field]) -> None:
    """Write the page's current state into the URL, so copying it shares this view."""
    params = with_definitions(encode(st.session_state, list(fields)))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    written(params)
    st.session_state[f"url.written.{page}"] = _signature(params)
    st.session_state[f"url.kept.{page}"] = params


def default(key: str, value: Any) -> None:
    """Give a widget its starting value through session state (so a link can override it)."""
    st.session_state.setdefault(key, value)
