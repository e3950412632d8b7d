"""Issue 33's experiments on Kolmogorov–Arnold networks, fitted in the experiment's own task (a
KAN is not a Train-page model): pykan's function-fitting Example 1 by the KAN page's ladder, and
Yu et al. 2024's KAN-against-MLP comparison at equal parameters."""

from core.study.experiments.kans.example_1 import KanExample1
from core.study.experiments.kans.kan_or_mlp import KanOrMlp

__all__ = ["KanExample1", "KanOrMlp"]
