"""Figure, table, image and export builders: data in, `go.Figure` or bytes out; no streamlit."""
