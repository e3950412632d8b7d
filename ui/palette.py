"""Each activation's chart colour: fixed by its place in the catalogue, so within a view it is
the same on every chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: this module itself needs no TensorFlow
    from activations import Catalogue

# Colour i goes to the catalogue's i-th entry; the catalogue lists the activations people compare
# most first (activations.catalogue.PREFERRED_ORDER), so a typical comparison gets the most
# distinct colours. Every colour is mid-luminance, so lines read on the light and the dark theme.
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#1b9e77", "#e7298a", "#a6761d", "#fb0d0d", "#da16ff", "#2e91e5",
    "#b15928", "#eb663b", "#6a51d8", "#1ca71c", "#fb00d1", "#fc0080", "#b2828d", "#e15f99",
    "#6c7c32", "#778aae", "#c0504d", "#a777f1", "#ff9da7", "#4e79a7", "#da60ca", "#9c755f",
    "#5fa2dd", "#af0038", "#4c78a8", "#f58518", "#54a24b", "#b279a2", "#9d755d", "#72b7b2",
)  # fmt: skip
# An activation no longer in the catalogue (a removed custom) in a stored run.
MISSING = "#555555"


def colour_of(catalogue: Catalogue, name: str) -> str:
    """The colour of the activation `name` (or an alias of it); ValueError if it is unknown."""
    position = catalogue.names().index(catalogue.get(name).name)
    return PALETTE[position % len(PALETTE)]


def colours_for(catalogue: Catalogue, names: Iterable[str]) -> dict[str, str]:
    """Each name's colour; a name no longer in the catalogue is grey."""
    return {n: colour_of(catalogue, n) if n in catalogue else MISSING for n in names}
