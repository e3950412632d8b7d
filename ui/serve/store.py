"""The run store as the pages use it: one handle per data folder for the whole server, and the
page's message when it cannot be opened."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.serve.store import FILE_NAME, RunStore, StoreError, data_dir


@st.cache_resource(show_spinner=False)
def _store(folder: str) -> RunStore:
    # One handle per data folder for the whole server: it holds no user data, only the path.
    return RunStore(Path(folder) / FILE_NAME)


def store() -> RunStore | None:
    """The run store, or None with an error on the page when it cannot be opened."""
    try:
        s = _store(str(data_dir()))
    except StoreError as exc:
        st.error(f"Runs cannot be saved: {exc}")
        return None
    if s.notice:
        st.warning(s.notice)
    return s
