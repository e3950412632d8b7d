"""The Train page's configuration widgets, drawn from the settings table (core/train/settings.py):
one function that returns the user's TrainConfig."""

from __future__ import annotations

from typing import Any

import streamlit as st

from activations import Catalogue
from core.train.settings import FAIR_RATES, SETTINGS, Setting, TrainConfig
from core.train.training import ESTIMATE_BASIS
from ui.catalogue import NAME_PICKER, learn_widgets, param_widgets
from ui.catalogue import labels as catalogue_labels
from ui.url import default

GROUPS = ("data", "model", "fit")
SAY_DURATION_ABOVE = 120.0  # seconds: shorter runs need no word
CONFIRM_ABOVE = 3600.0  # seconds: longer runs start only once the user says so


def setting_widget(
    setting: Setting,
    values: dict[str, Any],
    options: Catalogue | list | None = None,
    page: str = "train",
) -> Any:
    """The widget of one setting; its state key is `<page>.<name>`, as the URL fields expect.
    A multiselect's options are a catalogue's names (labelled with their aliases) or a list."""
    key = f"{page}.{setting.name}"
    common = dict(key=key, help=setting.help or None)
    if setting.disabled_when is not None:
        common["disabled"] = setting.disabled_when(values)
    shown = setting.labels.get if setting.labels else None
    if setting.widget == "multiselect":
        # Activation names show their Keras aliases ("silu (swish)"): typing swish finds silu.
        shown_option = catalogue_labels(options).get if isinstance(options, Catalogue) else str
        names = options.names() if isinstance(options, Catalogue) else options
        picker = NAME_PICKER if isinstance(options, Catalogue) else {}
        return st.multiselect(setting.label, names, format_func=shown_option, **picker, **common)
    if setting.widget == "rates":
        return _rates(setting, values, common, page)
    if setting.widget == "select":
        return st.selectbox(setting.label, setting.choices, format_func=shown or str, **common)
    if setting.widget == "radio":
        choices = setting.choices
        return st.radio(setting.label, choices, horizontal=True, format_func=shown or str, **common)
    if setting.widget == "toggle":
        return st.toggle(setting.label, **common)
    if setting.widget == "select_slider":
        return st.select_slider(setting.label, setting.choices, format_func=_number, **common)
    if setting.widget == "slider":
        bounds = (setting.type(setting.low), setting.type(setting.high))
        step = setting.type(setting.step) if setting.step else None
        return st.slider(setting.label, *bounds, step=step, **common)
    # An int step keeps the box an int box (with no bounds, Streamlit would infer a float).
    step = setting.type(setting.step) if setting.step else (1 if setting.kind == "int" else None)
    # "%g" shows a typed 3e-4 as 0.0003 and keeps its digits (Streamlit's float default, "%0.2f",
    # would show 0.00).
    number_format = "%g" if setting.kind == "float" else None
    # No bounds in the widget: a bounded number_input drops a typed value past its limit and
    # keeps the old one without a word (epochs 100000 stayed 10). Any number reaches the
    # settings' check, whose message says the limit, and Train waits until it is fixed.
    common["help"] = f"{setting.help + ' ' if setting.help else ''}{setting.range_text()}"
    return st.number_input(setting.label, step=step, format=number_format, **common)


def _number(value) -> str:
    return f"{value:g}"


def _rates(
    setting: Setting, values: dict[str, Any], common: dict, page: str = "train"
) -> tuple[float, ...]:
    """The learning-rate sweep: any of the offered rates, and a preset for a fair comparison."""
    preset = list(FAIR_RATES[values.get("optimizer", "adam")])
    chosen = st.multiselect(
        setting.label, setting.choices, format_func=_number, placeholder="no sweep", **common
    )
    st.button(
        "Fair comparison (5 rates)",
        key=f"{page}.fair_rates",
        on_click=st.session_state.__setitem__,
        args=(common["key"], preset),
        help=f"Five log-spaced rates around {values.get('optimizer', 'adam')}'s usual one: "
        f"{', '.join(map(_number, preset))}. Each activation is then shown at its best rate.",
    )
    return tuple(sorted(chosen))


def setting_widgets(
    settings, page: str, names: Catalogue | list[str], values: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Widgets for `settings` (from the table) under `<page>.` keys, defaults set first, the
    hidden ones skipped; returns the values chosen. Another page's subset of Train's settings.
    Given the catalogue, an activation box labels entries with their aliases."""
    values = {} if values is None else values
    options = names
    names = names.names() if isinstance(names, Catalogue) else names
    for s in settings:
        value = [n for n in s.default if n in names] if s.kind == "names" else s.default
        default(f"{page}.{s.name}", list(value) if s.kind == "rates" else value)
    for setting in settings:
        if setting.shown_when is not None and not setting.shown_when(values):
            continue
        values[setting.name] = setting_widget(setting, values, options, page)
    return values


def train_controls(catalogue: Catalogue) -> tuple[TrainConfig, str | None]:
    """Widgets for every setting; returns the configuration and an optional local mnist.npz path."""
    names = catalogue.names()
    for s in SETTINGS:
        if s.param is not None:
            value = [n for n in s.default if n in names] if s.kind == "names" else s.default
            default(f"train.{s.name}", list(value) if s.kind == "rates" else value)
    # A custom that was removed (or came in a link from another session) is not offered.
    picked = [n for n in st.session_state["train.activations"] if n in names]
    st.session_state["train.activations"] = picked
    values: dict[str, Any] = {}
    local_path = None
    # Activation chips and dataset names are long: they get the page's width, not a column's.
    for setting in (s for s in SETTINGS if s.group == "top"):
        if setting.name != "dataset":
            values[setting.name] = setting_widget(setting, values, catalogue)
            continue
        chosen, path = st.columns([2, 1])  # the optional local file sits beside MNIST
        with chosen:
            values[setting.name] = setting_widget(setting, values, catalogue)
        if values["dataset"] == "mnist":
            with path:
                local_path = _mnist_path()
    for group, column in zip(GROUPS, st.columns(len(GROUPS), gap="large"), strict=True):
        with column:
            for setting in (s for s in SETTINGS if s.group == group):
                if setting.shown_when is not None and not setting.shown_when(values):
                    continue
                values[setting.name] = setting_widget(setting, values, names)
            if group == "fit":
                params, learnable = _activation_params(catalogue, values["activations"])
                values["activation_params"], values["learnable"] = params, learnable
    # The learning rates, below: the sweep's chips need more than a column (and its preset
    # depends on the optimiser, chosen above).
    below = [s for s in SETTINGS if s.group == "below"]
    for setting, column in zip(below, st.columns([2, 1]), strict=True):
        with column:
            values[setting.name] = setting_widget(setting, values, names)
    values["activations"] = tuple(values["activations"])
    return TrainConfig(**values), local_path


def _mnist_path() -> str | None:
    path = st.text_input(
        "Local mnist.npz (optional)", key="train.mnist_path", placeholder="~/Downloads/mnist.npz"
    )
    return path.strip() or None


def _activation_params(catalogue: Catalogue, picked) -> tuple[tuple, tuple]:
    """Sliders for the picked parametric activations, in a popover, and for each parameter that
    can learn, whether it does (per layer or per unit; the slider is then its initial value).
    Returns `activation_params` and `learnable` as TrainConfig stores them."""
    parametric = [catalogue.get(n) for n in picked if catalogue.get(n).params]
    if not parametric:
        return (), ()
    chosen, learn = {}, {}
    with st.popover("Activation parameters", width="stretch"):
        for act in parametric:
            st.markdown(f"**{act.name}**")
            chosen[act.name] = param_widgets(act, "train")
            learn[act.name] = learn_widgets(act, "train")
    params = tuple((name, tuple(sorted(p.items()))) for name, p in chosen.items())
    learnable = tuple((name, tuple(sorted(p.items()))) for name, p in learn.items() if p)
    return params, learnable


def duration_text(seconds: float) -> str:
    """A duration as people say it: "40 s", "12 min", "3 h 20 min"."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def estimate_ui(config: TrainConfig, seconds: float) -> bool:
    """Says how long a run of more than a few minutes will take, and for one of more than an
    hour asks to confirm; returns whether Train may start."""
    if seconds <= SAY_DURATION_ABOVE:
        return True
    size = f"{config.networks} networks × {config.epochs} epochs"
    text = (
        f"About **{duration_text(seconds)}** on this machine ({size}). Stop keeps the epochs done."
    )
    basis = f"Estimated {ESTIMATE_BASIS}; within about 2× on a busy machine."
    if seconds <= CONFIRM_ABOVE:
        st.caption(f"{text} {basis}")
        return True
    st.warning(f"{text}  \n{basis}", icon=":material/schedule:")
    # The key names the configuration: a confirmed run that is then made longer asks again.
    return st.checkbox(
        f"Yes, train for about {duration_text(seconds)}", key=f"train.long_run.{hash(config)}"
    )
