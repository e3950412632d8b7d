"""Regenerates the chart palettes in charts/palette.py: `python tools/palette_search.py`.

A greedy farthest-point search in OKLCH, one palette per theme. Candidates are an OKLCH grid of
sRGB colours with WCAG contrast >= 3:1 against the theme's chart background; each new colour is
the candidate whose worst pair with the colours already picked is best, a pair's score being
min(ΔE2000 / 20, ΔE2000 under deuteranopia / 10, ΔE2000 under protanopia / 10): >= 1 meets all
three targets of tests/charts/test_palette.py. The first colours start from classic anchors (a blue,
an orange-red, a green) so the colours used most look familiar. Needs coloraide
(requirements-test.txt). The last line printed is the worst pair's score per theme.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
from coloraide import Color

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charts.palette import CHART_BACKGROUND  # noqa: E402

SIZE = 8
# Blue, orange-red, green: looked for first. Lighter on the dark theme.
ANCHORS = {"light": ("#1f77b4", "#d95f02", "#1b9e43"), "dark": ("#4ea3e8", "#f28e2b", "#59c46b")}
# OKLCH lightness window per theme: no near-black lines on white, no near-white ones on dark.
LIGHTNESS = {"light": (0.38, 0.72), "dark": (0.55, 0.90)}
C_GRID = np.arange(0.10, 0.32, 0.02)  # no greys: a grey line reads as "disabled"
H_GRID = np.arange(0, 360, 6)


def _lab(colours: list[Color]) -> np.ndarray:
    return np.array([c.convert("lab-d65").coords() for c in colours])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 between rows of lab1 and lab2 (broadcast); checked against coloraide below."""
    L1, a1, b1 = np.moveaxis(lab1, -1, 0)
    L2, a2, b2 = np.moveaxis(lab2, -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0, dh)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    hsum = h1p + h2p
    h_bar = (
        np.where(np.abs(h1p - h2p) > 180, np.where(hsum < 360, hsum + 360, hsum - 360), hsum) / 2
    )
    h_bar = np.where(c1p * c2p == 0, hsum, h_bar)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    rc = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    rt = -np.sin(np.radians(2 * d_theta)) * rc
    return np.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2 + rt * (dc / sc) * (dH / sh))


def candidates(theme: str) -> list[Color]:
    background = CHART_BACKGROUND[theme]
    out = []
    l_grid = np.arange(*LIGHTNESS[theme], 0.02)
    for lightness, chroma, hue in itertools.product(l_grid, C_GRID, H_GRID):
        c = Color("oklch", [lightness, chroma, hue]).convert("srgb")
        if not c.in_gamut():
            continue
        c = Color(c.to_string(hex=True))  # the hex that ships, not the exact grid point
        if c.contrast(background, method="wcag21") >= 3:
            out.append(c)
    return out


def search(theme: str) -> tuple[list[str], float]:
    pool = candidates(theme)
    views = [_lab(pool), _lab([c.filter("deutan") for c in pool])]
    views.append(_lab([c.filter("protan") for c in pool]))
    weights = (20, 10, 10)
    picked: list[int] = []
    worst = np.full(len(pool), np.inf)  # each candidate's worst score against the picked

    def add(index: int) -> None:
        picked.append(index)
        score = np.min(
            [ciede2000(v, v[index]) / w for v, w in zip(views, weights, strict=True)], axis=0
        )
        np.minimum(worst, score, out=worst)

    for anchor in ANCHORS[theme]:
        # The candidate nearest the anchor among those that keep every pair >= 1.
        near = ciede2000(views[0], _lab([Color(anchor)])[0])
        allowed = worst >= 1.0 if picked else np.ones(len(pool), bool)
        add(int(np.argmin(np.where(allowed, near, np.inf))))
    while len(picked) < SIZE:
        add(int(np.argmax(np.where(np.isin(np.arange(len(pool)), picked), -np.inf, worst))))
    hexes = [pool[i].to_string(hex=True) for i in picked]
    margins = [
        min(ciede2000(views[k][i], views[k][j]) / weights[k] for k in range(3))
        for i, j in itertools.combinations(picked, 2)
    ]
    return hexes, float(min(margins))


def main() -> None:
    a, b = Color("#2ca02c"), Color("#1b9e77")
    check = ciede2000(_lab([a])[0], _lab([b])[0])
    assert abs(check - a.delta_e(b, method="2000")) < 1e-6, check
    margins = []
    for theme in CHART_BACKGROUND:
        hexes, margin = search(theme)
        margins.append(f"{theme} {margin:.2f}")
        print(f'    "{theme}": ({", ".join(repr(h) for h in hexes)}),  # worst {margin:.2f}')
    print("worst pair score (>= 1 meets every target): " + ", ".join(margins))


if __name__ == "__main__":
    main()
