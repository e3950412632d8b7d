"""The "make it trainable" experiments (core/study/experiments/trainable/): their verdicts on
made-up numbers, their measures on made-up records, and what the rescue hands its training runs.

Catches: a rescue that counts an activation which trained under Glorot, or one without a solved
transform, as rescued; a count judged without the seeds' spread; an isometry verdict that counts
a tie or a seed where neither network got there as a win; constants judged by a tolerance other
than the criterion's; and a rescue run whose transformed or typed activations are missing from
what its jobs compile (the job would fail on an unknown name)."""

from types import SimpleNamespace

import pytest

from core.study import experiments as ex
from core.study.experiments.trainable import isometry, rescue
from core.study.experiments.trainable import selu_from_elu as constants

NAMES = list(rescue.NAMES)


def _rescue(failing: int, rescued: int, solved=True, spread=0.01) -> dict:
    """27 activations: the first `failing` sit at chance under Glorot, of which the first
    `rescued` reach 70 % after the transform (the rest 40 %); the others train under Glorot."""
    glorot, after = {}, {}
    for i, n in enumerate(NAMES):
        glorot[n] = [0.10, 0.10 + spread, 0.10 - spread] if i < failing else [0.5, 0.52, 0.51]
        after[n] = [0.70, 0.70 + spread, 0.70 - spread] if i < rescued else [0.4, 0.41, 0.42]
    notes = {n: "solved" if solved else "no root" for n in NAMES}
    return {"activations": NAMES, "glorot": glorot, "transformed": after, "transform": notes}


def test_rescue_needs_15_rescued_of_20_that_cannot_train():
    judge = ex.get("martens-2021-dks-rescue").verdict
    assert judge(_rescue(20, 15)).label == ex.REPRODUCED
    assert judge(_rescue(20, 14)).label == ex.NOT_REPRODUCED
    assert judge(_rescue(19, 15)).label == ex.NOT_REPRODUCED  # too few cannot train
    assert judge(_rescue(27, 27, solved=False)).label == ex.NOT_REPRODUCED
    assert "20 of 27 cannot train" in judge(_rescue(20, 15)).measured


def test_rescue_does_not_count_an_activation_that_trained_under_glorot():
    measured = _rescue(20, 14)
    trained = NAMES[25]  # trains under Glorot (50 %) and reaches 70 % after: not a rescue
    measured["transformed"][trained] = [0.7, 0.71, 0.72]
    assert ex.get("martens-2021-dks-rescue").verdict(measured).label == ex.NOT_REPRODUCED


def test_rescue_is_inconclusive_when_the_deciding_activation_straddles_60_percent():
    measured = _rescue(20, 14)
    measured["transformed"][NAMES[14]] = [0.55, 0.62, 0.66]  # mean 0.61, std 0.056 > 0.01
    verdict = ex.get("martens-2021-dks-rescue").verdict(measured)
    assert verdict.label == ex.INCONCLUSIVE and "(1 undecided)" in verdict.measured


def _branch(name, seed, val, status="finished", metric=()):
    return SimpleNamespace(
        activation=name, seed=seed, status=status, val_metric=val, metric=list(metric)
    )


def _record(branches, customs=None):
    groups: dict = {}
    for b in branches:
        groups.setdefault(b.activation, []).append(b)
    return SimpleNamespace(by_activation=lambda: groups, customs=customs or {})


def test_rescue_measure_counts_a_diverged_seed_as_chance_and_keeps_the_expressions(monkeypatch):
    e = rescue.DksRescues(("relu", "tanh"))
    monkeypatch.setattr(rescue, "transforms", lambda names: ((), {"relu": "solved", "tanh": "x"}))
    glorot = _record(
        [_branch("relu", 0, [0.5]), _branch("relu", 1, [0.9], "diverged"),
         _branch("tanh", 0, [0.3]), _branch("tanh", 1, [])]
    )  # fmt: skip
    after = _record(
        [_branch("relu_dks", 0, [0.6]), _branch("relu_dks", 1, [0.7]),
         _branch("tanh_dks", 0, [0.2]), _branch("tanh_dks", 1, [0.4])],
        {"relu_dks": {"expression": "2 * (relu(x + 1))"}},
    )  # fmt: skip
    m = e.measure([glorot, after])
    assert m["glorot"] == {"relu": [0.5, rescue.CHANCE], "tanh": [0.3, rescue.CHANCE]}
    assert m["transformed"] == {"relu": [0.6, 0.7], "tanh": [0.2, 0.4]}
    assert m["expressions"] == {"relu": "2 * (relu(x + 1))", "tanh": ""}
    assert m["transform"]["tanh"] == "x"


def test_every_rescued_activation_has_expression_text_and_the_runs_get_every_custom():
    """The full list's spellings (cheap), and a smaller rescue's customs as its jobs get them
    (each transform takes seconds): every name its two runs train is defined, and a solved
    transform is the activation's text wrapped in DKS's affine maps."""
    from activations import shared_catalogue
    from activations.expression import custom_activation
    from core.study import trainable

    catalogue = shared_catalogue().with_customs(custom_activation(n, t) for n, t in rescue.TYPED)
    assert all(trainable.inner_text(catalogue.get(n)) for n in rescue.NAMES)
    small = ex.get("martens-2021-dks-rescue").smoke()
    customs = dict(small.customs())
    trained = {n for c in small.configs() for n in c.activations}
    assert trained - set(shared_catalogue().names()) <= set(customs)
    assert customs["typed_sin_dks"].count("sin(") == 1 and "typed_sin" in customs
    for config in small.configs():
        assert config.problems() == []


def test_isometry_needs_tanh_first_in_every_seed():
    def measured(tanh, relu):
        return {
            "threshold": 0.4,
            "steps_per_epoch": 32,
            "tanh": {"epochs_to": tanh},
            "relu": {"epochs_to": relu},
        }

    judge = ex.get("pennington-2017-isometry").verdict
    assert judge(measured([3, 4, 5], [6, None, 7])).label == ex.REPRODUCED
    assert judge(measured([3, 4, 5], [6, 4, 7])).label == ex.NOT_REPRODUCED  # a tie
    assert judge(measured([3, None, 5], [6, None, 7])).label == ex.NOT_REPRODUCED  # neither
    assert judge(measured([3, 4, None], [6, 5, 7])).label == ex.NOT_REPRODUCED
    verdict = judge(measured([3, 4, 5], [6, None, 7]))
    assert "steps to 40%: tanh 96, 128, 160; relu 192, never, 224" in verdict.measured


def test_isometry_reads_the_first_epoch_at_the_threshold_before_any_divergence():
    tanh = _record(
        [_branch("tanh", 1, [], metric=[0.2, 0.4, 0.5]), _branch("tanh", 0, [], metric=[0.39])]
    )
    relu = _record(
        [_branch("relu", 0, [], "diverged", [0.5]), _branch("relu", 1, [], "diverged", [0.3])]
    )
    m = ex.get("pennington-2017-isometry").measure([tanh, relu])
    assert m["tanh"]["epochs_to"] == [None, 2]  # seed 0 first, then seed 1
    # A network that diverged counts for what it recorded before: it did reach 40 % there.
    assert m["relu"]["epochs_to"] == [1, None]
    assert m["steps_per_epoch"] == 32 and isometry.THRESHOLD == 0.4


def test_selu_constants_are_judged_at_1e_6_and_measured_against_keras_selu():
    e = ex.get("klambauer-2017-selu-constants")
    base = {"problem": "", "radius": 0.8}
    near = {**base, "alpha": constants.SELU_ALPHA + 9e-7, "lambda": constants.SELU_LAMBDA}
    far = {**base, "alpha": constants.SELU_ALPHA, "lambda": constants.SELU_LAMBDA - 2e-6}
    assert e.verdict(near).label == ex.REPRODUCED
    assert e.verdict(far).label == ex.NOT_REPRODUCED
    assert e.verdict({**near, "problem": "no root"}).label == ex.NOT_REPRODUCED
    assert e.verdict({**near, "alpha": float("nan")}).label == ex.NOT_REPRODUCED
    measured = e.measure()
    assert e.verdict(measured).label == ex.REPRODUCED
    # The solved λ·elu(x; α) is Keras's selu: equal to float64 round-off (the two compute
    # expm1 and the product in different orders, so not bit for bit).
    curve = measured["curve"]
    assert curve["solved"] == pytest.approx(curve["keras"], rel=1e-12, abs=1e-12)
