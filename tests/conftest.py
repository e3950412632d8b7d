"""Every test gets its own data folder, so no test touches a user's run store."""

import pytest

import core  # noqa: F401  (TensorFlow's process settings: test modules import TensorFlow first)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(tmp_path / "explorer-data"))
