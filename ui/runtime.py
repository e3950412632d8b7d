"""One adjustment to Streamlit's runtime that server-side training jobs need.

After every script run (and every run of a fragment) Streamlit calls
Keras's `clear_session` (`_clean_problem_modules` in its script runner). That resets
Keras's global state for every thread, clears TensorFlow's kernel caches and runs a full
garbage collection. With a job training in a worker thread and the Train page refreshing
itself every second, it ran under the job once a second: measured here, the first epoch of a
3-network Friedman comparison took 10 s instead of 3.5 s. The app creates no Keras models in its
script runs (jobs do, in their workers), so there is nothing for that call to clean up.
"""

from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner


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
