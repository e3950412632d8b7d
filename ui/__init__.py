"""Streamlit helpers shared by the pages (widgets, caches, session state).

This is page-level code: it may import streamlit. Nothing in `activations/` or `core/` imports it.
"""
