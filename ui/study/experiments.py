"""The server's experiment runner as the Experiments page uses it."""

from __future__ import annotations

import json

import streamlit as st

from core.serve.experiment_runs import REFERENCE, ExperimentRunner, runner_for
from core.serve.store import data_dir
from ui.jobs import job_queue


def experiment_runner() -> ExperimentRunner:
    """The process's runner for the data folder in use; its training runs go through the same
    job queue as the Train page's."""
    return runner_for(data_dir(), job_queue())


@st.cache_data(show_spinner=False)
def reference_results() -> dict:
    """The results `bench/experiments.py --json` measured for the README (shared by everyone,
    so a cache): shown, labelled as such, until this server has run an experiment itself."""
    try:
        return json.loads(REFERENCE.read_text())
    except (OSError, ValueError):
        return {}
