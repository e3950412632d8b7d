"""Activation Explorer: `streamlit run explorer.py`. The Home page: what the app is, and a link to
every page. It imports no TensorFlow, so it paints at once."""

import streamlit as st

from ui.nav import PAGES, setup


def main() -> None:
    setup("Activation Explorer")
    st.title("Activation Explorer")
    st.markdown(
        "See what an activation function does — its shape, its derivatives, and what it does to "
        "training — with TensorFlow/Keras. Every Keras built-in, the custom activations of the "
        "TensorFlow tutorial (`SinActivation`, `scaled_tanh`, the ELU-like "
        "`tf.where(x > 0, x, tf.exp(x) - 1)`), and your own."
    )
    for page in PAGES[1:]:
        with st.container(border=True):
            st.page_link(page.path, label=page.title, icon=page.icon)
            st.caption(page.description)


main()
