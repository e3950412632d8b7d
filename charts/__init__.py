"""Charts: every figure, table, share image, palette and export the pages show or download.

Data in (records and measurements from `core/`), `go.Figure`, DataFrame or bytes out; nothing
here calls streamlit, and nothing in `core/` or `activations/` imports plotly. Dependencies point
one way: pages → ui → charts → core/activations.
"""
