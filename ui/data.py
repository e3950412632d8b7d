"""Datasets cached for every session (they are the same for everyone, and big)."""

import streamlit as st

from core import datasets


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=8)
def dataset(
    name: str,
    samples: int | None,
    val_fraction: float,
    noise: float,
    seed: int,
    local_path: str | None,
):
    data = datasets.load(name, samples, val_fraction, noise, seed, local_path)
    for array in (data.x_train, data.y_train, data.x_val, data.y_val):
        array.setflags(write=False)  # shared by all sessions: nobody may change it
    return data
