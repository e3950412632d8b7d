"""The search's own numeric settings and their ranges, typed once: the check
(SearchSettings.problems), the Search page's widgets and its URL fields read them. Plain data,
no TensorFlow: the URL module imports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One of the search's own numeric settings: its label and range. The one place they are
    typed: the check (SearchSettings.problems), the page's widgets and its URL fields read it."""

    label: str
    low: float
    high: float
    step: float = 1

    def text(self) -> str:
        return f"{self.low:,g} to {self.high:,g}"


LIMITS = {
    "seeds": Limit("Seeds per candidate", 1, 5),
    "k": Limit("Candidates per batch (K)", 1, 16),
    "candidates": Limit("Max candidates", 1, 2000),
    "minutes": Limit("Max minutes", 0.5, 24 * 60, 5.0),
    "population": Limit("Population", 2, 500),
    "sample": Limit("Sample", 1, 500),
    "seed": Limit("Search seed", 0, 2**31 - 1),
}
