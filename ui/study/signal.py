"""The Depth page's numbers, cached: every session asking for the same activations, initialiser,
depth, width and seed shares one computation."""

from __future__ import annotations

import streamlit as st

from activations import Activation, shared_catalogue
from core.serve.executors import CustomSpec
from core.study.signal import Signal, signal_at_init


@st.cache_data(show_spinner=False, max_entries=64)
def _signal(
    names: tuple[str, ...],
    customs: tuple[CustomSpec, ...],
    init: str,
    depth: int,
    width: int,
    seed: int,
) -> Signal:
    # Customs travel as their expression and parameter defaults (plain data), so the key is what
    # defines the numbers, never a live object of one session.
    catalogue = shared_catalogue().with_customs([c.activation() for c in customs])
    return signal_at_init([catalogue.get(n) for n in names], init, depth, width, seed)


def signal(acts: list[Activation], init: str, depth: int, width: int, seed: int) -> Signal:
    customs = tuple(CustomSpec.of(a) for a in acts if a.source == "session")
    return _signal(tuple(a.name for a in acts), customs, init, depth, width, seed)
