"""Classic results about activations, reproduced with a criterion written down before the first
run: one module per experiment, each with its claim, citation, reduced schedule, criterion,
`measure` and `verdict`, on the base class of `experiment.py`.

Each experiment is plain data (the claim in our words, the citation, the reduced schedule, the
criterion) plus `measure` (numbers, as a JSON-able dict) and `verdict` (a pure function of those
numbers, so it can be tested on plain numbers). Training experiments are ordinary `TrainConfig`s
trained by whoever calls `run` (the page submits them as jobs, the bench trains them in-process);
experiments at initialisation use the Depth page's `signal_at_init`, so "Open on Depth" shows the
very numbers measured here. No Streamlit here.

The criteria and schedules were committed before any experiment ran; they are not tuned.
"""

from __future__ import annotations

from core.study.experiments.dying_relu import DyingRelu
from core.study.experiments.edge_of_chaos import EdgeOfChaos
from core.study.experiments.experiment import (
    INCONCLUSIVE,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    VERDICTS,
    Customs,
    Experiment,
    Spread,
    Verdict,
    digest,
    run,
    verdict_line,
)
from core.study.experiments.gated import GluVariants
from core.study.experiments.glorot_bengio import GlorotBengio
from core.study.experiments.kans import KanExample1, KanOrMlp
from core.study.experiments.mish import MishHoldsWithDepth
from core.study.experiments.search_swish import SearchFindsSwish
from core.study.experiments.selu import SeluSelfNormalises
from core.study.experiments.trainable import DksRescues, OrthogonalTanhIsFaster, SeluFromElu
from core.study.experiments.tutorial_regression import TutorialLearnsNothing

__all__ = [
    "EXPERIMENTS",
    "GROUPS",
    "INCONCLUSIVE",
    "NOT_REPRODUCED",
    "PARTLY",
    "REPRODUCED",
    "VERDICTS",
    "Customs",
    "Experiment",
    "Spread",
    "Verdict",
    "digest",
    "get",
    "run",
    "verdict_line",
]

EXPERIMENTS: dict[str, Experiment] = {
    e.id: e
    for e in (
        GlorotBengio(),
        MishHoldsWithDepth(),
        EdgeOfChaos(),
        TutorialLearnsNothing(),
        DyingRelu(),
        SeluSelfNormalises(),
        SeluFromElu(),
        DksRescues(),
        OrthogonalTanhIsFaster(),
        SearchFindsSwish(),
        KanExample1(),
        KanOrMlp(),
        GluVariants(),
    )
}
# The page's tabs: a dozen experiments' names do not fit side by side at 1280 px, so each tab
# holds a few, in EXPERIMENTS' order.
GROUPS: dict[str, tuple[str, ...]] = {
    "Training deep networks": (
        "glorot-bengio-2010",
        "misra-2019-mish",
        "schoenholz-2017-edge-of-chaos",
        "tutorial-random-regression",
    ),
    "At initialisation": ("dying-relu", "klambauer-2017-selu", "klambauer-2017-selu-constants"),
    "Make it trainable": ("martens-2021-dks-rescue", "pennington-2017-isometry"),
    "Search and KANs": (
        "ramachandran-2017-search",
        "liu-2024-kan-example-1",
        "yu-2024-kan-or-mlp",
    ),
    "Gated units": ("shazeer-2020-glu-variants",),
}


def get(experiment_id: str) -> Experiment:
    if experiment_id not in EXPERIMENTS:
        known = ", ".join(EXPERIMENTS)
        raise ValueError(f"Unknown experiment {experiment_id!r}; choose one of {known}")
    return EXPERIMENTS[experiment_id]
