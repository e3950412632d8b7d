"""A small app for tests/e2e/test_downloads.py: a view that redraws itself every 0.2 s, a plain
deferred download and one of ui/runtime.py, and a server whose answer to a click reaches the
browser only after two more script runs have ended, as on a loaded machine (CI: the Playground's
Share image ended "canceled" there). Nothing of it is in the app."""

import sys
import threading
from pathlib import Path

import streamlit as st
from streamlit import runtime

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ui.runtime import download_button  # noqa: E402


def _slow_answers() -> None:
    manager = runtime.get_instance().media_file_mgr
    if getattr(manager, "_test_slow", False):
        return
    manager._test_slow = True
    ended = threading.Condition()
    runs = [0]
    remove, execute = manager.remove_orphaned_files, manager.execute_deferred

    def remove_counted() -> None:  # called at the end of every script run, fragments' too
        remove()
        with ended:
            runs[0] += 1
            ended.notify_all()

    def execute_late(file_id: str) -> str:
        url = execute(file_id)
        with ended:
            start = runs[0]
            ended.wait_for(lambda: runs[0] >= start + 2, timeout=60)
        return url

    manager.remove_orphaned_files, manager.execute_deferred = remove_counted, execute_late


_slow_answers()


@st.fragment(run_every=0.2)
def ticking() -> None:
    st.session_state["ticks"] = st.session_state.get("ticks", 0) + 1
    st.caption(f"tick {st.session_state['ticks']}")


ticking()
st.download_button(
    "Plain", lambda: b"plain " * 40_000, "plain.bin", "application/octet-stream", key="plain"
)
download_button(
    st, "Kept", lambda: "kept " * 40_000, "kept.txt", "text/plain", key="kept", on_click="ignore"
)
