"""Chart colours: every pair told apart, with normal and with red-green colour vision, readable
on the theme's chart background, assigned per view in the order chosen. The figures are
measured here with coloraide (CIEDE2000, Brettel CVD simulation, WCAG 2.1 contrast)."""

import itertools

import pytest
from coloraide import Color

from bench.made_up import comparison
from charts.figures import VALIDATION_DASH, training_chart
from charts.palette import (
    CHART_BACKGROUND,
    PALETTES,
    THEMES,
    Style,
    repeat_note,
    view_colours,
    view_styles,
)
from core.train.rates import Shown

FIRST = 8  # the colours the issue measures; past them dash and symbol join in


def _pairs(theme):
    return list(itertools.combinations(PALETTES[theme][:FIRST], 2))


@pytest.mark.parametrize("theme", THEMES)
def test_every_pair_is_at_least_20_apart_in_ciede2000(theme):
    # Catches: two near-identical colours in one view, like sigmoid's #2ca02c next to
    # SinActivation's #1b9e77 (14.7 apart) in the old palette.
    assert len(PALETTES[theme]) >= FIRST
    close = [(a, b, d) for a, b in _pairs(theme) if (d := Color(a).delta_e(b, method="2000")) < 20]
    assert close == []


@pytest.mark.parametrize("deficiency", ["deutan", "protan"])
@pytest.mark.parametrize("theme", THEMES)
def test_every_pair_stays_at_least_10_apart_for_red_green_colour_blindness(theme, deficiency):
    # Catches: a red and a green that only differ in hue, which 1 in 12 men cannot tell apart.
    close = []
    for a, b in _pairs(theme):
        seen_a, seen_b = Color(a).filter(deficiency), Color(b).filter(deficiency)
        distance = seen_a.delta_e(seen_b, method="2000")
        if distance < 10:
            close.append((a, b, round(distance, 1)))
    assert close == []


@pytest.mark.parametrize("theme", THEMES)
def test_every_colour_has_3_to_1_contrast_on_the_chart_background(theme):
    # Catches: a pale yellow line on white or a navy one on the dark theme (WCAG's 3:1 for
    # graphics), including every colour past the first 8.
    background = CHART_BACKGROUND[theme]
    faint = [
        (c, round(ratio, 2))
        for c in PALETTES[theme]
        if (ratio := Color(c).contrast(background, method="wcag21")) < 3
    ]
    assert faint == []


def test_colours_follow_the_order_of_choice_not_the_catalogue():
    # Catches: colours fixed by catalogue position (sigmoid and SinActivation got near-identical
    # ones), or a view whose colours change when an activation is added after the others.
    first = view_colours(["sigmoid", "SinActivation"], "light")
    assert list(first.values()) == list(PALETTES["light"][:2])
    more = view_colours(["sigmoid", "SinActivation", "relu"], "light")
    assert {k: more[k] for k in first} == first
    assert view_colours(["relu", "relu"], "dark") == {"relu": PALETTES["dark"][0]}


def test_twelve_activations_have_twelve_different_styles():
    # Catches: the 9th activation drawn exactly like the 1st.
    names = [f"act{i}" for i in range(12)]
    styles = view_styles(names, "light")
    assert len({(s.colour, s.dash, s.symbol) for s in styles.values()}) == 12
    assert [s.repeated for s in styles.values()] == [False] * 8 + [True] * 4


@pytest.mark.parametrize("theme", [None, "", "sepia"])
def test_an_unknown_theme_gets_the_light_palette(theme):
    assert view_colours(["relu"], theme) == {"relu": PALETTES["light"][0]}


def test_loss_and_metric_charts_draw_each_activation_in_its_view_style():
    # Catches: one chart of a view taking colours from elsewhere, and a repeated colour whose
    # validation line looks like another activation's train line.
    names = [f"act{i}" for i in range(10)]
    styles = view_styles(names, "dark")
    comp = comparison(names, seeds=1, epochs=3)
    for key in ("loss", "metric"):
        fig = training_chart([Shown.of(comp)], styles, key)
        for name, style in styles.items():
            train, validation = [t for t in fig.data if t.legendgroup == name and t.mode]
            assert train.line.color == validation.line.color == style.colour
            assert train.line.dash == style.dash and train.marker.symbol == style.symbol
            assert validation.line.dash not in {s.dash for s in styles.values()}
    # A plain {name: colour} mapping (what other charts pass) draws the same colours.
    plain = training_chart([Shown.of(comp)], view_colours(names, "dark"), "loss")
    assert {t.line.color for t in plain.data if t.name == "act0"} == {styles["act0"].colour}


def test_a_style_is_plain_data():
    assert Style("#123456") == Style("#123456", "solid", "circle")


def _told_apart_by_colour(a: str, b: str) -> bool:
    # The palette's own bar, measured as above: 20 in CIEDE2000, 10 for deutans and protans.
    if Color(a).delta_e(b, method="2000") < 20:
        return False
    return all(
        Color(a).filter(d).delta_e(Color(b).filter(d), method="2000") >= 10
        for d in ("deutan", "protan")
    )


@pytest.mark.parametrize("theme", THEMES)
def test_up_to_24_activations_every_pair_differs_by_the_colour_bar_or_by_dash_and_marker(theme):
    # Catches: past the palette's size, two activations drawn alike, e.g. the 9th sharing the
    # 1st's colour with the same dash (its train line, or its validation line, looking like the
    # 1st's) or the same marker. Pairs of different colours must still meet the bar measured
    # above; pairs sharing a colour must differ in both the dash and the marker.
    styles = list(view_styles([f"act{i}" for i in range(24)], theme).values())
    alike = []
    for a, b in itertools.combinations(styles, 2):
        if a.colour != b.colour:
            ok = _told_apart_by_colour(a.colour, b.colour)
        else:
            dashes = a.dash != b.dash and VALIDATION_DASH[a.dash] != VALIDATION_DASH[b.dash]
            ok = dashes and a.symbol != b.symbol
        if not ok:
            alike.append((a, b))
    assert alike == []


def test_past_three_dashes_the_marker_still_differs_and_the_style_counts_as_repeated():
    # Catches: the 25th activation drawn solid with the 1st's colour and counted as not
    # repeated (so a long run drew it without markers: exactly like the 1st).
    styles = list(view_styles([f"act{i}" for i in range(48)], "light").values())
    assert len({(s.colour, s.dash, s.symbol) for s in styles}) == 48
    assert [s.repeated for s in styles] == [False] * 8 + [True] * 40


def test_a_view_with_more_activations_than_colours_says_so_and_how_they_differ():
    # Catches: colours that repeat with nothing on the page saying which lines share one.
    names = [f"act{i}" for i in range(10)]
    assert repeat_note(view_styles(names[:8])) == ""
    note = repeat_note(view_styles(names))
    assert note.startswith(f"More than {len(PALETTES['light'])} activations")
    assert "act8: act0's colour, dotted ■" in note and "act9: act1's colour, dotted ■" in note
