"""The KAN page's choices and their limits, with no TensorFlow: URL state reads them too."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Functions of (x, y) on [−1, 1]², as pykan's examples fit them (Example 1 is the first).
TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp(sin(πx) + y²)": lambda v: np.exp(np.sin(np.pi * v[:, [0]]) + v[:, [1]] ** 2),
    "x·y": lambda v: v[:, [0]] * v[:, [1]],
    "sin(πx)·cos(πy)": lambda v: np.sin(np.pi * v[:, [0]]) * np.cos(np.pi * v[:, [1]]),
}
SHAPES = {"2, 1, 1": (2, 1, 1), "2, 2, 1": (2, 2, 1), "2, 5, 1": (2, 5, 1)}
GRIDS = (3, 5, 10, 20, 50)
SAMPLES = 1000  # training and test points each, as pykan's create_dataset
ITERATIONS = (1, 5000)  # optimiser iterations (L-BFGS) or steps (Adam) per grid
# Full batch, as pykan trains: L-BFGS (SciPy's L-BFGS-B) or Adam at this rate.
OPTIMISERS = {"lbfgs": "L-BFGS", "adam": "Adam (rate 0.01)"}
ADAM_RATE = 0.01
MAX_SEED = 9999
