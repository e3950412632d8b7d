"""Issue 34's experiments on "make it trainable": SELU's constants recovered from ELU's shape
(core/study/selfnorm.py), Deep Kernel Shaping rescuing activations a vanilla 50-layer MLP cannot
train (core/study/trainable.py), and Pennington et al.'s orthogonal tanh at the edge of chaos
against He-initialised relu at depth 100. Their criteria were written in bench/trainable.py and
bench/isometry.py on 2026-12-06, before the first run; here they are the same, as experiments of
the Experiments page."""

from core.study.experiments.trainable.isometry import OrthogonalTanhIsFaster
from core.study.experiments.trainable.rescue import DksRescues
from core.study.experiments.trainable.selu_from_elu import SeluFromElu

__all__ = ["DksRescues", "OrthogonalTanhIsFaster", "SeluFromElu"]
