"""The Train page's configuration widgets: one function that returns the user's TrainConfig."""
from __future__ import annotations

import streamlit as st

from activations import Catalogue
from core.datasets import DATASETS
from core.training import TrainConfig
from ui.catalogue import param_widgets
from ui.url import default

LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
BATCH_SIZES = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
DEFAULT = TrainConfig()


def train_controls(catalogue: Catalogue) -> tuple[TrainConfig, str | None]:
    """Widgets for every setting; returns the configuration and an optional local mnist.npz path."""
    names = catalogue.names()
    for key, value in (("activations", [n for n in DEFAULT.activations if n in names]), ("dataset", DEFAULT.dataset),
                       ("samples", 0), ("val_fraction", DEFAULT.val_fraction), ("noise", DEFAULT.noise),
                       ("model", DEFAULT.model), ("depth", DEFAULT.depth), ("width", DEFAULT.width),
                       ("optimizer", DEFAULT.optimizer), ("learning_rate", DEFAULT.learning_rate),
                       ("batch_size", DEFAULT.batch_size), ("epochs", DEFAULT.epochs), ("seeds", DEFAULT.seeds),
                       ("data_seed", DEFAULT.data_seed)):
        default(f"train.{key}", value)
    # A custom that was removed (or came in a link from another session) is not offered.
    st.session_state["train.activations"] = [n for n in st.session_state["train.activations"] if n in names]
    data_col, model_col, fit_col = st.columns(3, gap="large")
    with data_col:
        picked = st.multiselect("Activations", names, key="train.activations", help="Built-ins, the tutorial's customs and yours from the Custom page.")
        dataset = st.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="train.dataset")
        samples = st.number_input("Samples (0 = all)", min_value=0, max_value=70_000, step=500,
                                  key="train.samples", help="Take this many samples before the validation split.")
        val_fraction = st.slider("Validation share", 0.05, 0.5, step=0.05, key="train.val_fraction")
        noise = DEFAULT.noise
        local_path = None
        if dataset == "friedman":
            noise = st.slider("Noise σ", 0.0, 5.0, step=0.1, key="train.noise")
        if dataset == "mnist":
            local_path = st.text_input("Local mnist.npz (optional)", key="train.mnist_path",
                                       placeholder="~/Downloads/mnist.npz").strip() or None
    with model_col:
        model = st.radio("Model", ["mlp", "cnn"], horizontal=True, key="train.model",
                         format_func={"mlp": "MLP", "cnn": "small CNN (MNIST)"}.get)
        depth = st.slider("Hidden layers", 1, 20, key="train.depth", disabled=model == "cnn")
        width = st.select_slider("Width", WIDTHS, key="train.width")
        optimizer = st.selectbox("Optimiser", ["adam", "sgd", "rmsprop"], key="train.optimizer")
        learning_rate = st.select_slider("Learning rate", LEARNING_RATES,
                                         format_func=lambda v: f"{v:g}", key="train.learning_rate")
    with fit_col:
        batch_size = st.select_slider("Batch size", BATCH_SIZES, key="train.batch_size")
        epochs = st.number_input("Epochs", 1, 200, key="train.epochs")
        seeds = st.slider("Seeds", 1, 5, key="train.seeds",
                          help="Train each activation from this many initialisations; charts show mean ± std.")
        data_seed = st.number_input("Data seed", 0, 10_000, key="train.data_seed",
                                    help="Decides the split and the batch order, the same for every activation.")
        params = {}
        parametric = [catalogue.get(n) for n in picked if catalogue.get(n).params]
        if parametric:
            with st.popover("Activation parameters", width="stretch"):
                for act in parametric:
                    st.markdown(f"**{act.name}**")
                    params[act.name] = param_widgets(act, "train")
    config = TrainConfig(
        activations=tuple(picked),
        activation_params=tuple((n, tuple(sorted(p.items()))) for n, p in params.items()),
        dataset=dataset, samples=int(samples) or None, val_fraction=float(val_fraction), noise=float(noise),
        model=model, depth=int(depth), width=int(width), optimizer=optimizer, learning_rate=float(learning_rate),
        batch_size=int(batch_size), epochs=int(epochs), seeds=int(seeds), data_seed=int(data_seed),
    )
    return config, local_path
