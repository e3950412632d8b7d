"""Issue 32's experiment on gated units: Shazeer 2020's GLU variants against ReLU and GELU FFNs
in the tiny Transformer, with Primer's squared ReLU in the same run."""

from core.study.experiments.gated.shazeer import GluVariants

__all__ = ["GluVariants"]
