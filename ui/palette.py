"""Chart colours on a page: the page's theme, and each activation's colour and style in a view.

The palette and the rule live in charts/palette.py (no streamlit); call `styles_here(names)` or
`colours_here(names)` with the activations of one view, in the order they were chosen.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from charts.palette import (  # noqa: F401  (re-exported: one place to import colours from)
    CHART_BACKGROUND,
    PALETTES,
    Style,
    repeat_note,
    theme_or_light,
    view_colours,
    view_styles,
)


def page_theme() -> str:
    """'light' or 'dark', the theme the browser shows; light when Streamlit does not know."""
    try:
        kind = st.context.theme.type
    except Exception:  # no script run context (a bare import, a test without a page)
        kind = None
    return theme_or_light(kind)


def styles_here(names: Iterable[str]) -> dict[str, Style]:
    """Each activation's Style (colour, dash, symbol) in this view, in this page's theme."""
    return view_styles(names, page_theme())


def colours_here(names: Iterable[str]) -> dict[str, str]:
    """Each activation's colour in this view, in this page's theme: {name: "#rrggbb"}."""
    return view_colours(names, page_theme())


def repeat_notice(styles) -> None:
    """Under a view's charts: a caption when it has more activations than colours, naming the
    dash and marker that tell apart the ones sharing a colour."""
    note = repeat_note(styles)
    if note:
        st.caption(note)
