"""The app's pages, in menu order: one table that the entry point and the home page both read."""
import streamlit as st

PAGES = (
    ("pages/home.py", "Home", ":material/home:", "What this is and where to go."),
    ("pages/gallery.py", "Gallery", ":material/grid_view:",
     "Every Keras activation and the tutorial's customs, with f′, f″, formulas and measured properties."),
)


def streamlit_pages() -> list:
    return [st.Page(path, title=title, icon=icon, default=(i == 0)) for i, (path, title, icon, _) in enumerate(PAGES)]
