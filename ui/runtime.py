"""Two adjustments to Streamlit's runtime.

1. Keras's session. After every script run (and every run of a fragment) Streamlit calls
Keras's `clear_session` (`_clean_problem_modules` in its script runner). That resets
Keras's global state for every thread, clears TensorFlow's kernel caches and runs a full
garbage collection. With a job training in a worker thread and the Train page refreshing
itself every second, it ran under the job once a second: measured here, the first epoch of a
3-network Friedman comparison took 10 s instead of 3.5 s. The app creates no Keras models in its
script runs (jobs do, in their workers), so there is nothing for that call to clean up.

2. A download made on the click must still be there when the browser fetches it. Streamlit runs
a callable `data` of `st.download_button` when the button is clicked and answers the browser
with the file's URL, but it keeps that file in no session's list of files: the end of any script
run (every self-refreshing view's fragment run, on every page of every session) marks such a
file and the next one deletes it. On a busy server the browser's fetch came after two such runs
and the download ended "canceled" (CI, loaded: the Playground's Share image while it trained).
`download_button` adds the made file to the clicking session's own files, under this button's
key, as a button with bytes would be: fragment runs keep it, the session's next full run lets it
go, and a second click replaces it (one file per button, never a pile).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager

from streamlit import runtime
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner_utils.script_run_context import (
    SCRIPT_RUN_CONTEXT_ATTR_NAME,
    ScriptRunContext,
    get_script_run_ctx,
)


def _clean_problem_modules_but_keras() -> None:
    """What Streamlit 1.67's `_clean_problem_modules` does, without the Keras part."""
    if "matplotlib.pyplot" in sys.modules:
        try:
            sys.modules["matplotlib.pyplot"].close("all")
        except Exception:  # as Streamlit does: cleaning up must never crash a page
            pass


def keep_keras_session() -> None:
    """Stop Streamlit clearing the Keras session after script runs (idempotent). If a Streamlit
    release renames the hook, this does nothing and tests/ui/test_runtime.py fails."""
    if hasattr(script_runner, "_clean_problem_modules"):
        script_runner._clean_problem_modules = _clean_problem_modules_but_keras


def download_button(
    where, label: str, make: Callable[[], bytes | str], file_name: str, mime: str, *, key: str, **kw
):
    """`where.download_button(label, make, file_name, mime, key=key, **kw)` (where: st or a
    column), with the file `make` returns kept for the session that clicked (module doc, 2)."""
    return where.download_button(
        label, _kept(make, file_name, mime, key), file_name, mime, key=key, **kw
    )


def _kept(make: Callable[[], bytes | str], file_name: str, mime: str, key: str):
    """`make`, which also adds what it made to this session's files (module doc, 2). Outside a
    running app (AppTest's bare mode has no runtime) it is `make`."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not runtime.exists():
        return make

    def data() -> bytes:
        made = make()
        # As Streamlit turns text into the file's bytes, so both name the same file id.
        raw = made.encode("utf-8") if isinstance(made, str) else made
        with _in_session(ctx):
            runtime.get_instance().media_file_mgr.add(
                raw, mime, f"explorer.download:{key}", file_name, is_for_static_download=True
            )
        return raw

    return data


@contextmanager
def _in_session(ctx: ScriptRunContext):
    # The click runs `data` in a worker thread of the server with no session of its own; the
    # manager's add() files under the session it finds on the thread. Set for the one call and
    # put back (the worker thread is reused), without add_script_run_ctx's thread-state copy.
    thread = threading.current_thread()
    before = getattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, None)
    setattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, ctx)
    try:
        yield
    finally:
        setattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, before)
