"""The app's core: datasets, models, training, run store, figure builders, URL state.

Nothing here imports streamlit, so all of it runs in tests and benchmarks without a browser.
"""

__version__ = "0.1.0"
