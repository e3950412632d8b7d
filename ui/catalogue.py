"""The session's catalogue, cached curves/properties, and parameter sliders.

Caches are shared by every user, so only shared activations (built-ins, tutorial, user
files) are cached; a session's own customs are computed each time and never cached.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from activations import Activation, Catalogue, analysis, shared_catalogue
from activations.learnable import GRANULARITIES, learnable_names
from ui.customs import CUSTOMS_KEY


def session_catalogue() -> Catalogue:
    """The shared catalogue plus this session's customs."""
    return shared_catalogue().with_customs(st.session_state.get(CUSTOMS_KEY, {}).values())


# Every dropdown of activation names: typing "relu" + Enter picks relu. Streamlit's defaults
# (fuzzy matching, a first "Select 5 matches" option) made it pick relu, relu6, leaky_relu,
# squareplus and sparse_plus. "contains" still finds an alias in a label ("silu (swish)").
NAME_PICKER = dict(filter_mode="contains", select_all=False)


def labels(catalogue: Catalogue) -> dict[str, str]:
    """Each entry's dropdown label, its Keras aliases shown ("silu (swish)"), so that typing an
    alias in a dropdown's search finds the entry."""
    return {
        act.name: f"{act.name} ({', '.join(act.aliases)})" if act.aliases else act.name
        for act in catalogue.all()
    }


def alias_notes(names: list[str], catalogue: Catalogue) -> list[str]:
    """A sentence for each of `names` that is an alias: which entry it opens."""
    aliases = catalogue.aliases()
    return [
        f"`{n}` is Keras's alias of `{aliases[n]}`: showing {aliases[n]}."
        for n in dict.fromkeys(names)
        if n in aliases
    ]


def _key(params: dict[str, Any] | None) -> tuple:
    return tuple(sorted((params or {}).items()))


@st.cache_data(show_spinner=False, max_entries=2000)
def _shared_curves(name: str, params: tuple, x_range: tuple[float, float], n: int):
    return analysis.curves(shared_catalogue().get(name), dict(params), x_range, n)


@st.cache_data(show_spinner=False, max_entries=2000)
def _shared_properties(name: str, params: tuple):
    return analysis.properties(shared_catalogue().get(name), dict(params))


@st.cache_data(show_spinner=False)
def shared_costs() -> dict[str, float]:
    return analysis.relative_costs(shared_catalogue().all())


@st.cache_data(show_spinner=False, max_entries=200)
def _shared_surface(name: str, params: tuple):
    return analysis.gated_surface(shared_catalogue().get(name), dict(params))


def surface(act: Activation, params=None) -> analysis.Surface:
    """A gated unit over (u, v), cached for shared entries."""
    if act.source == "session":
        return analysis.gated_surface(act, params)
    return _shared_surface(act.name, _key(act.resolve(params)))


def curves(act: Activation, params=None, x_range=analysis.PLOT_RANGE, n: int = 601):
    if act.source == "session":
        return analysis.curves(act, params, x_range, n)
    return _shared_curves(act.name, _key(act.resolve(params)), tuple(x_range), n)


def properties(act: Activation, params=None):
    if act.source == "session":
        return analysis.properties(act, params)
    return _shared_properties(act.name, _key(act.resolve(params)))


def cost(act: Activation) -> float | None:
    costs = shared_costs()
    if act.name in costs:
        return costs[act.name]
    return analysis.relative_costs([act]).get(act.name)


def param_widgets(act: Activation, key_prefix: str) -> dict[str, Any]:
    """One slider (or toggle) per parameter; returns the chosen values."""
    values = {}
    for p in act.params:
        key = f"{key_prefix}.{act.name}.{p.name}"
        label = f"{p.name}" + (" (required by Keras)" if p.required else "")
        if p.kind == "bool":
            st.session_state.setdefault(key, bool(p.default))
            values[p.name] = st.toggle(label, key=key)
        elif p.kind == "optional":
            st.session_state.setdefault(key + ".on", p.default is not None)
            st.session_state.setdefault(key, float(p.default or p.high))
            on = st.toggle(f"set {p.name}", key=key + ".on")
            values[p.name] = st.slider(label, p.low, p.high, step=p.step, key=key) if on else None
        else:
            st.session_state.setdefault(key, float(p.default))
            values[p.name] = st.slider(
                label,
                float(min(p.low, p.default)),
                float(max(p.high, p.default)),
                step=p.step,
                key=key,
            )
    return values


LEARN_CHOICES = {"fixed": "fixed", **GRANULARITIES}


def learn_widgets(act: Activation, key_prefix: str) -> dict[str, str]:
    """For each parameter of `act` that can learn, fixed or learned per layer or per unit;
    returns the learned ones (name -> "layer" or "unit")."""
    out = {}
    for name in learnable_names(act):
        key = f"{key_prefix}.{act.name}.{name}.learn"
        choice = st.radio(
            f"learn {name}",
            tuple(LEARN_CHOICES),
            format_func=LEARN_CHOICES.get,
            horizontal=True,
            key=key,
            help="A learned parameter trains with the weights, starting from the value above.",
        )
        if choice != "fixed":
            out[name] = choice
    return out
