"""Chart colours: told apart within a typical comparison, readable on both themes, stable."""

import pytest

from activations import Activation, shared_catalogue
from ui.palette import MISSING, PALETTE, colour_of, colours_for

CATALOGUE = shared_catalogue()


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_colours_are_distinct_for_a_typical_comparison():
    names = ["relu", "tanh", "sigmoid", "gelu", "silu", "elu", "SinActivation"]
    colours = [colour_of(CATALOGUE, n) for n in names]
    assert len(set(colours)) == len(colours)


def test_a_session_custom_keeps_every_shared_colour_and_gets_its_own():
    mine = CATALOGUE.with_customs([Activation(name="mine", fn=lambda x: x, source="session")])
    assert all(colour_of(mine, n) == colour_of(CATALOGUE, n) for n in CATALOGUE.names())
    assert colour_of(mine, "mine") not in {colour_of(mine, n) for n in ["relu", "tanh", "gelu"]}


def test_an_alias_has_its_activations_colour():
    assert colour_of(CATALOGUE, "swish") == colour_of(CATALOGUE, "silu")


def test_a_name_no_longer_in_the_catalogue_is_grey_and_unknown_is_an_error():
    assert colours_for(CATALOGUE, ["relu", "gone"]) == {
        "relu": colour_of(CATALOGUE, "relu"),
        "gone": MISSING,
    }
    with pytest.raises(ValueError, match="gone"):
        colour_of(CATALOGUE, "gone")


def test_every_colour_reads_on_light_and_dark_backgrounds():
    assert len(set(PALETTE)) == len(PALETTE)
    unreadable = [c for c in PALETTE if not 0.12 < _luminance(c) < 0.8]
    assert unreadable == []
