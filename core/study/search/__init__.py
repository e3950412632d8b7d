"""Activation search (Ramachandran, Zoph & Le 2017, "Searching for Activation Functions"): a space
of core units b(u1(x), u2(x)) written in the expression grammar (`space.py`), a screen at
initialisation (`screen.py`), and the search itself: regularised evolution over fused batches of
candidates, each scored by its validation accuracy over seeds (`search.py`). No Streamlit, no
jobs here: core/serve/search_jobs.py runs a search as a server-side job.
"""
