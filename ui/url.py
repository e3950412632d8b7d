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
    """Copy valid values from the URL into widget state, unless this URL is the one the page wrote
    itself; returns a notice for each parameter that was ignored."""
    params = st.query_params.to_dict()
    marker = f"url.written.{page}"
    if not params or st.session_state.get(marker) == _signature(params):
        return []
    values, notices = decode(params, list(fields))
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[marker] = _signature(params)
    return notices


def publish(page: str, fields: Iterable[Field]) -> None:
    """Write the page's current state into the URL, so copying it shares this view."""
    params = encode(st.session_state, list(fields))
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    st.session_state[f"url.written.{page}"] = _signature(params)


def default(key: str, value: Any) -> None:
    """Give a widget its starting value through session state (so a link can override it)."""
    st.session_state.setdefault(key, value)
