"""Page state in the URL: restore a shared link's view once, then keep the URL in step with the
page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

from core.state import Field, decode, encode


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
    params = encode(st.session_state, list(fields))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state[f"url.written.{page}"] = _signature(params)
    st.session_state[f"url.kept.{page}"] = params


def default(key: str, value: Any) -> None:
    """Give a widget its starting value through session state (so a link can override it)."""
    st.session_state.setdefault(key, value)
