"""The app's pages, in menu order: one table that the entry point and the home page both read."""
import streamlit as st

PAGES = (
    ("app_pages/home.py", "Home", ":material/home:", "What this is and where to go."),
    ("app_pages/gallery.py", "Gallery", ":material/grid_view:",
     "Every Keras activation and the tutorial's customs, with f′, f″, formulas and measured properties."),
    ("app_pages/custom.py", "Custom", ":material/edit:",
     "Write your own activation as an expression in x, see it with its derivatives, add it and get Keras code."),
    ("app_pages/train.py", "Train", ":material/model_training:",
     "Train small networks on MNIST or regression data with each activation; loss and accuracy side by side, live."),
    ("app_pages/runs.py", "Runs", ":material/history:",
     "Every saved run: overlay them, rename and tag, download CSV/JSON, PNG, an HTML report, the model and a script."),
)


def streamlit_pages() -> list:
    return [st.Page(path, title=title, icon=icon, default=(i == 0)) for i, (path, title, icon, _) in enumerate(PAGES)]
