"""Chart colours per view: the activations of one view (a comparison, a Runs overlay, a Gallery
selection, the Depth page) get colours in the order they were chosen, from a palette made for
the theme, and keep them on every chart of that view. No streamlit here: ui/palette.py reads the
page's theme.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# The chart backgrounds the palettes are measured against: Streamlit 1.67's light and dark theme
# backgrounds (its dark `bgColor` is #171614, no longer the #0e1117 of older versions); the share
# image uses them too.
CHART_BACKGROUND = {"light": "#ffffff", "dark": "#171614"}
THEMES = tuple(CHART_BACKGROUND)

# Made by tools/palette_search.py (greedy farthest-point search in OKLCH, with coloraide): on its
# theme's background every colour has contrast >= 3:1, and every pair is >= 20 apart in CIEDE2000
# and >= 10 apart under simulated deuteranopia and protanopia (tests/charts/test_palette.py measures
# it). No stock palette (Okabe-Ito, Tol bright, Tableau 10) reaches 3:1 on white for all its
# colours, hence one palette per theme. The first three are a blue, an orange-red and a green.
# fmt: off
PALETTES = {
    "light": (
        "#2574b0", "#d06217", "#20a04e", "#73154f", "#d47795", "#2d4d07", "#430fee", "#ad74ff",
    ),
    "dark": (
        "#45a2ec", "#ef8c24", "#4ec36f", "#c8107a", "#feacc5", "#7d7322", "#6552eb", "#fed917",
    ),
}
# fmt: on
# Past the palette's size the colours repeat with another dash and marker symbol.
DASHES = ("solid", "dot", "longdash")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")


@dataclass(frozen=True)
class Style:
    """How one activation is drawn in a view."""

    colour: str
    dash: str = "solid"
    symbol: str = "circle"

    @property
    def repeated(self) -> bool:
        """True past the palette's size: the colour is shared, the dash and symbol tell apart.
        (From the 25th on the dash cycles back to solid: the symbol alone still differs.)"""
        return (self.dash, self.symbol) != (DASHES[0], SYMBOLS[0])


def as_style(style: Style | str | None) -> Style:
    """A Style from a `{name: Style}` or a `{name: colour}` mapping's value (grey if missing),
    so every chart builder takes either mapping."""
    if isinstance(style, Style):
        return style
    return Style(style or "#444444")


def theme_or_light(theme: str | None) -> str:
    """'light' or 'dark'; anything else (an unknown or missing theme) is light."""
    return theme if theme in CHART_BACKGROUND else "light"


def view_styles(names: Iterable[str], theme: str | None = "light") -> dict[str, Style]:
    """Each activation's style in a view, in the order chosen (repeats keep their first style)."""
    palette = PALETTES[theme_or_light(theme)]
    styles: dict[str, Style] = {}
    for name in names:
        if name in styles:
            continue
        cycle, position = divmod(len(styles), len(palette))
        styles[name] = Style(
            palette[position], DASHES[cycle % len(DASHES)], SYMBOLS[cycle % len(SYMBOLS)]
        )
    return styles


# How the note under a chart names a dash and a marker symbol.
DASH_WORDS = {"solid": "solid", "dot": "dotted", "longdash": "long-dashed"}
SYMBOL_GLYPHS = {
    "circle": "●",
    "square": "■",
    "diamond": "◆",
    "triangle-up": "▲",
    "x": "✕",
    "star": "★",
}


def repeat_note(styles: Mapping[str, Style | str]) -> str:
    """What a view with more activations than colours must say (empty when colours suffice):
    which activations share a colour, and the dash and marker that tell them apart."""
    resolved = {name: as_style(style) for name, style in styles.items()}
    first_with: dict[str, str] = {}  # colour -> the activation that has it first: solid, circles
    for name, style in resolved.items():
        first_with.setdefault(style.colour, name)
    repeated = [(name, s) for name, s in resolved.items() if s.repeated]
    if not repeated:
        return ""
    size = len(PALETTES["light"])
    looks = "; ".join(
        f"{name}: {first_with[s.colour]}'s colour, {DASH_WORDS[s.dash]} {SYMBOL_GLYPHS[s.symbol]}"
        for name, s in repeated
    )
    return (
        f"More than {size} activations, {size} colours: colours repeat, and the activations "
        f"past the first {size} are told apart by line dash and marker ({looks})."
    )


def view_colours(names: Iterable[str], theme: str | None = "light") -> dict[str, str]:
    """Each activation's colour in a view: `view_styles` without dash and symbol."""
    return {name: style.colour for name, style in view_styles(names, theme).items()}
