"""Cold and warm time to compute every registry entry's curves, derivatives, properties and cost per
element — what the Gallery computes on a first and a second visit — after TensorFlow is imported.
Last line: `gallery cold seconds = S`.

    python bench/gallery.py
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
logging.getLogger("streamlit").setLevel(
    logging.ERROR
)  # caches work outside `streamlit run`; it warns

import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)

# isort: split
import tensorflow  # noqa: E402,F401  (imported first: its import is not what is measured)

from activations import shared_catalogue  # noqa: E402
from ui import catalogue as ui_cat  # noqa: E402


def visit() -> float:
    start = time.perf_counter()
    for act in shared_catalogue().all():
        ui_cat.curves(act)
        ui_cat.properties(act)
        ui_cat.cost(act)
    return time.perf_counter() - start


def main() -> None:
    start = time.perf_counter()
    entries = len(shared_catalogue().all())
    catalogue_seconds = time.perf_counter() - start
    cold, warm = visit(), visit()
    print(f"{entries} entries; building the catalogue {catalogue_seconds:.2f} s")
    print(f"gallery warm seconds = {warm:.3f} (cold/warm = {cold / max(warm, 1e-9):.0f})")
    print(f"gallery cold seconds = {cold:.2f}")


if __name__ == "__main__":
    main()
