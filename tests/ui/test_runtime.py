"""Streamlit must not clear the Keras session after a script run: it would do so under every
training job, once a second while the Train page refreshes itself (see ui/runtime.py)."""

import keras
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import APP


def test_a_script_run_does_not_clear_the_keras_session(monkeypatch):
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append(1))
    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    app.run()
    assert not app.exception
    assert calls == []
