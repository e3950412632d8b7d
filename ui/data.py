"""Datasets as the pages load them: once per process, shared by every session and every job."""

import streamlit as st

from core.train import datasets


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=8)
def dataset(
    name: str,
    samples: int | None,
    val_fraction: float,
    noise: float,
    seed: int,
    local_path: str | None,
):
    # The spinner is why this wrapper exists; the copy itself is core's (jobs use the same one).
    return datasets.load_shared(name, samples, val_fraction, noise, seed, local_path)
