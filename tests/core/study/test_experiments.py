"""The experiments' verdicts on plain numbers, and their links.

Each verdict test puts a measured result just inside a criterion's threshold and just outside it:
a verdict that ignored a threshold, used < for ≤, or read the wrong layer, epoch or activation
would give the same verdict both times and fail here.
"""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from core.study import experiments as ex
from core.study.experiments import (
    dying_relu,
    glorot_bengio,
    mish,
    selu,
)
from core.study.experiments import edge_of_chaos as eoc
from core.study.experiments import experiment as base
from core.study.experiments import tutorial_regression as tutorial
from core.study.experiments.kans import example_1, kan_or_mlp
from core.study.signal_settings import WIDTHS
from core.train.settings import TrainConfig
from ui.url import decode, depth_fields, train_fields, train_query


# --- Seeds, spreads and "inconclusive" ----------------------------------------------------------
def test_a_condition_whose_margin_is_inside_the_spread_is_undecided():
    """Catches a verdict judged on the mean alone: 0.513 against "more than 0.5" with seeds
    spread by 0.05 is not settled."""
    assert base.at_least(ex.Spread.of([0.46, 0.51, 0.57]), 0.5, strict=True) is None
    assert base.at_least(ex.Spread.of([0.60, 0.61, 0.62]), 0.5, strict=True) is True
    assert base.at_most(ex.Spread.of([0.60, 0.61, 0.62]), 0.5) is False
    # Equal seeds have no spread: the threshold itself decides, ≤ and < as stated.
    assert base.at_least(ex.Spread.of([0.5] * 3), 0.5) is True
    assert base.at_least(ex.Spread.of([0.5] * 3), 0.5, strict=True) is False
    # Every seed diverged: no number supports a condition; one seed left: no spread, undecided.
    assert base.at_least(ex.Spread.of([np.nan] * 3), 0.0) is False
    assert base.at_least(ex.Spread.of([0.9, np.nan, np.nan]), 0.0) is None
    assert base.within(ex.Spread.of([1.1, 1.1, 1.1]), 1.0, 0.2) is True
    assert base.within(ex.Spread.of([1.1, 1.3, 1.5]), 1.0, 0.2) is None


def test_judge_is_inconclusive_only_when_an_undecided_part_changes_the_label():
    assert base.judge(base.two_parts, a=True, b=None) == ex.INCONCLUSIVE
    assert base.judge(base.two_parts, a=None, b=None) == ex.INCONCLUSIVE
    # Mish: its own part failed, so the contrast being undecided changes nothing.
    assert base.judge(mish.mish_label, holds=False, sharp=None) == ex.NOT_REPRODUCED
    assert base.judge(mish.mish_label, holds=True, sharp=None) == ex.INCONCLUSIVE
    assert ex.INCONCLUSIVE in ex.VERDICTS
    assert base.share_holds([True, True, True, True, None], 0.8) is True
    assert base.share_holds([True, True, True, None, None], 0.8) is None
    assert base.share_holds([True, True, True, False, None], 0.8) is None
    assert base.share_holds([True, True, False, False, None], 0.8) is False
    assert base.share_holds([], 0.8) is False


@pytest.mark.parametrize("experiment", ex.EXPERIMENTS.values(), ids=lambda e: e.id)
def test_every_verdict_comes_from_at_least_three_seeds(experiment):
    """Catches an experiment judged on one or two seeds (a margin with no spread)."""
    if not experiment.seeded:  # one deterministic computation: no draw, nothing to spread
        assert experiment.kind == "init" and not experiment.configs()
        return
    seeds = [c.seeds for c in experiment.configs()]
    if experiment.id == "dying-relu":
        seeds += [dying_relu.DYING_SEEDS, dying_relu.UVA_SEEDS]
    seeds += [selu.SELU_SEEDS] if experiment.id == "klambauer-2017-selu" else []
    fitted = {"liu-2024-kan-example-1": example_1.SEEDS, "yu-2024-kan-or-mlp": kan_or_mlp.SEEDS}
    seeds += [len(fitted[experiment.id])] if experiment.kind == "fit" else []
    searches = experiment.searches()
    seeds += [s.seeds for s in searches] + ([len(searches)] if searches else [])
    assert seeds and min(seeds) >= base.MIN_SEEDS


# --- Glorot & Bengio -------------------------------------------------------------------------
def _glorot(median_top, at_epoch: int = 1, sigmoid=0.80, tanh=0.83, softsign=0.83) -> dict:
    """Measured numbers, three seeds, with the sigmoid top layer's median `median_top` (one
    value, or one per seed) after `at_epoch` epochs (0.5 elsewhere)."""
    epochs, layers = 11, 4
    tops = list(np.broadcast_to(np.asarray(median_top, float), (3,)))

    def act(tops, accuracy):
        q = np.full((epochs, layers, 5), 0.5)
        q[at_epoch, layers - 1, 2] = np.mean(tops)
        early = [t if 1 <= at_epoch <= glorot_bengio.EARLY_EPOCHS else 0.5 for t in tops]
        return {
            "quantiles": q.tolist(),
            "saturated": np.zeros((epochs, layers)).tolist(),
            "val_accuracy": [accuracy] * (epochs - 1),
            "final_accuracy": accuracy,
            "seed_accuracy": [accuracy] * 3,
            "seed_top_early": [min(0.5, t) for t in early],
        }

    run = {"sigmoid": act(tops, sigmoid), "tanh": act([0.5] * 3, tanh),
           "softsign": act([0.5] * 3, softsign)}  # fmt: skip
    return {"layers": layers, "activations": run, "glorot_init": run}


def test_glorot_verdict_reads_the_top_layer_early_and_both_accuracy_margins():
    judge = ex.GlorotBengio().verdict
    assert judge(_glorot(0.1)).label == ex.REPRODUCED  # ≤ 0.1 counts as saturated
    assert judge(_glorot(0.1001)).label == ex.PARTLY
    assert judge(_glorot(0.05, at_epoch=glorot_bengio.EARLY_EPOCHS)).label == ex.REPRODUCED
    # Saturation after the early epochs is not "early".
    assert judge(_glorot(0.05, at_epoch=glorot_bengio.EARLY_EPOCHS + 1)).label == ex.PARTLY
    # tanh 0.1 points short of the 2-point margin: only saturation holds.
    assert judge(_glorot(0.05, tanh=0.819)).label == ex.PARTLY
    assert judge(_glorot(0.05, softsign=0.819)).label == ex.PARTLY
    assert judge(_glorot(0.2, softsign=0.819)).label == ex.NOT_REPRODUCED
    # Seeds at 0.02, 0.10 and 0.30: mean 0.14 misses 0.1 by less than their spread.
    assert judge(_glorot([0.02, 0.10, 0.30])).label == ex.INCONCLUSIVE
    assert "± " in judge(_glorot([0.02, 0.10, 0.30])).measured


def test_glorot_verdict_is_judged_on_the_standard_initialisation():
    """Catches a verdict read from the Glorot-initialised run (the paper's fix, where the claim
    is not expected): only the standard run's numbers may decide."""
    measured = _glorot(0.05)
    measured["glorot_init"] = _glorot(0.5, sigmoid=0.9, tanh=0.9, softsign=0.9)["activations"]
    assert ex.GlorotBengio().verdict(measured).label == ex.REPRODUCED
    configs = ex.GlorotBengio().configs()
    assert [c.init for c in configs] == ["standard_uniform", "glorot_uniform"]


# --- Dying ReLU ------------------------------------------------------------------------------
def _dying(deep=0.4, born_narrowest=1.0, born_step=0.0, layer9=(0.56, 0.56, 0.56)) -> dict:
    """Three widths, 20 seeds: `born_narrowest` share born dead at width 2, `born_step` more at
    width 4 than width 2's share minus 0.3, none at width 8."""
    widths, seeds = [2, 4, 8], 20
    born = {
        "2": [1.0] * round(born_narrowest * seeds) + [0.0] * round((1 - born_narrowest) * seeds)
    }
    width4 = min(seeds, max(0, round((born_narrowest - 0.3 + born_step) * seeds)))
    born["4"] = [1.0] * width4 + [0.0] * (seeds - width4)
    born["8"] = [0.0] * seeds
    return {
        "widths": widths, "depth": 50,
        "dead": {str(w): [0.1] * 10 + [0.25] * 30 + [deep] * 10 for w in widths},
        "born_dead": {w: [0.0] * 49 + [float(np.mean(b))] for w, b in born.items()},
        "narrowing_dead": [0.0] * 8 + [float(np.mean(layer9)), 0.5],
        "seed_deep_minus_shallow": {str(w): [deep - 0.1] * seeds for w in widths},
        "seed_born_dead": born,
        "seed_layer9": list(layer9),
    }  # fmt: skip


def test_dying_relu_verdict_needs_growth_with_depth_then_born_dead_and_the_course_number():
    judge = ex.DyingRelu().verdict
    assert judge(_dying()).label == ex.REPRODUCED
    # Layers 41–50 no deader than 1–10 at one width: the main claim fails.
    flat = _dying()
    flat["seed_deep_minus_shallow"]["4"] = [0.0] * 20
    assert judge(flat).label == ex.NOT_REPRODUCED
    assert judge(_dying(layer9=(0.5, 0.5, 0.5))).label == ex.PARTLY  # "more than half"
    assert judge(_dying(layer9=(0.501, 0.501, 0.501))).label == ex.REPRODUCED
    # A born-dead share below 0.5 at width 2, by more than its standard error.
    assert judge(_dying(born_narrowest=0.2)).label == ex.PARTLY
    # Width 4 born dead more often than width 2, by far more than the slack and its error.
    assert judge(_dying(born_narrowest=0.5, born_step=0.6)).label == ex.PARTLY


def test_dying_relu_one_seed_margin_is_inconclusive():
    """The audit's case: layer 9 at 0.513 against "more than half" with seeds spread wider than
    the margin decides nothing, and with the other two parts holding the verdict hangs on it."""
    measured = _dying(layer9=(0.45, 0.52, 0.57))
    verdict = ex.DyingRelu().verdict(measured)
    assert verdict.label == ex.INCONCLUSIVE
    assert "layer 9 dead 0.513 ± 0.06" in verdict.measured


def test_born_dead_share_counts_a_network_dead_from_its_first_wholly_dead_layer_on(monkeypatch):
    """DyingRelu.measure marks a network born dead by layer l once any layer ≤ l is wholly dead;
    a later layer that is only partly dead must not revive it. The per-layer dead shares come
    from a stub of the Depth page's signal_at_init (two seeds, three layers), so this checks
    measure's own bookkeeping: a measure that looked only at each layer (no accumulation), at
    the last layer, or averaged seeds before thresholding would give other shares."""
    import core.study.signal

    per_seed = {0: [0.2, 1.0, 0.5], 1: [0.1, 0.2, 1.0]}

    def fake_signal(acts, init, depth, width, seed):
        assert (init, depth) == (dying_relu.DYING_INIT, 3)
        return type("Signal", (), {"dead": [per_seed[seed]]})()

    monkeypatch.setattr(core.study.signal, "signal_at_init", fake_signal)
    monkeypatch.setattr(dying_relu, "narrowing_dead_shares", lambda seed: [0.5] * 10)
    monkeypatch.setattr(dying_relu, "DYING_WIDTHS", (2,))
    monkeypatch.setattr(dying_relu, "DYING_SEEDS", 2)
    monkeypatch.setattr(dying_relu, "DYING_DEPTH", 3)
    monkeypatch.setattr(dying_relu, "UVA_SEEDS", 1)
    monkeypatch.setattr(dying_relu, "SHALLOW", slice(0, 1))
    monkeypatch.setattr(dying_relu, "DEEP", slice(2, 3))
    measured = ex.DyingRelu().measure()
    assert measured["born_dead"]["2"] == [0.0, 0.5, 1.0]
    assert measured["dead"]["2"] == pytest.approx([0.15, 0.6, 0.75])
    assert measured["seed_born_dead"]["2"] == [1.0, 1.0]
    assert measured["seed_deep_minus_shallow"]["2"] == pytest.approx([0.3, 0.9])


# --- SELU ------------------------------------------------------------------------------------
def _selu(selu_var=1.0, relu_var=1e-10, tanh_var=0.5, selu_mean=0.0, spread=0.0) -> dict:
    """Five seeds; the last layer's variances as given, spread ± `spread` over the seeds."""
    layers, offsets = 50, np.array([-2, -1, 0, 1, 2]) * spread / np.sqrt(2.5)

    def seeds(last, rest=1.0):
        return [[rest] * (layers - 1) + [last + o] for o in offsets]

    return {
        "activations": ["selu", "relu", "tanh"],
        "mean": {"selu": [selu_mean] * layers, "relu": [0.0] * layers, "tanh": [0.0] * layers},
        "variance": {n: [1.0] * layers for n in ("selu", "relu", "tanh")},
        "seed_mean": {
            "selu": [[selu_mean] * layers] * 5,
            "relu": [[0.0] * layers] * 5,
            "tanh": [[0.0] * layers] * 5,
        },
        "seed_variance": {
            "selu": seeds(selu_var), "relu": seeds(relu_var), "tanh": seeds(tanh_var)
        },
    }  # fmt: skip


def test_selu_verdict_uses_the_band_at_every_layer_for_selu_and_the_last_for_the_others():
    judge = ex.SeluSelfNormalises().verdict
    assert judge(_selu()).label == ex.REPRODUCED
    assert judge(_selu(selu_var=1.2)).label == ex.REPRODUCED  # on the band's edge
    assert judge(_selu(selu_var=1.21)).label == ex.NOT_REPRODUCED
    assert judge(_selu(selu_mean=0.11)).label == ex.NOT_REPRODUCED
    assert judge(_selu(tanh_var=0.8)).label == ex.PARTLY  # tanh still in the band
    assert judge(_selu(tanh_var=0.79)).label == ex.REPRODUCED
    assert judge(_selu(tanh_var=1.0, relu_var=1.0)).label == ex.NOT_REPRODUCED
    assert judge(_selu(relu_var=float("nan"))).label == ex.REPRODUCED  # overflow is outside
    # selu's last variance 1.15 ± 0.1 against the band's edge 1.2: undecided, and it decides.
    assert judge(_selu(selu_var=1.15, spread=0.1)).label == ex.INCONCLUSIVE


# --- Mish ------------------------------------------------------------------------------------
def _mish(relu=0.10, silu=0.10, mish=0.02, seeds=3) -> dict:
    """Accuracy at 15, 20, 25 layers, the same for every seed: drops as given."""
    start = 0.9
    acc = {n: [start, start - d / 2, start - d] for n, d in (("relu", relu), ("silu", silu))}
    acc["mish"] = [start, start, start - mish]
    per_seed = {n: [[v] * seeds for v in a] for n, a in acc.items()}
    return {"depths": [15, 20, 25], "accuracy": acc, "seed_accuracy": per_seed}


def test_mish_verdict_compares_the_drops_from_15_to_25_layers():
    judge = ex.MishHoldsWithDepth().verdict
    assert judge(_mish(relu=0.1001, silu=0.1001, mish=0.0299)).label == ex.REPRODUCED
    assert judge(_mish(relu=0.099)).label == ex.PARTLY  # mish holds, relu's drop not sharp
    assert judge(_mish(relu=0.0, silu=0.0)).label == ex.PARTLY
    assert judge(_mish(mish=0.031)).label == ex.NOT_REPRODUCED  # mish did not hold
    # A mish network that diverged at 25 layers learned nothing: no "holds".
    diverged = _mish()
    diverged["seed_accuracy"]["mish"][-1] = [float("nan")] * 3
    assert judge(diverged).label == ex.NOT_REPRODUCED


def test_mish_claim_that_fails_is_not_reproduced_whatever_the_others_did():
    """The audit's numbers: relu dropped 32.1, silu 72.9 and mish 25.9 points. The old verdict
    said "partly reproduced" because mish fell less than the others; the claim is that Mish
    keeps its accuracy, and a 26-point drop is not that."""
    measured = _mish(relu=0.321, silu=0.729, mish=0.259)
    assert ex.MishHoldsWithDepth().verdict(measured).label == ex.NOT_REPRODUCED
    assert mish.mish_label(holds=False, sharp=True) == ex.NOT_REPRODUCED


def test_mish_verdict_is_inconclusive_when_its_drop_straddles_the_threshold():
    """Mish's seeds drop 0, 3 and 6 points: the mean is on the 3-point threshold and the spread
    is 3 points, so whether it "holds" is undecided, and with relu and silu dropping sharply the
    verdict hangs on it."""
    measured = _mish(relu=0.3, silu=0.3)
    measured["seed_accuracy"]["mish"][-1] = [0.9, 0.87, 0.84]
    assert ex.MishHoldsWithDepth().verdict(measured).label == ex.INCONCLUSIVE


def _set_mish(measured: dict, at_15: float, at_25: float) -> dict:
    measured["seed_accuracy"]["mish"] = [[at_15] * 3, [at_15] * 3, [at_25] * 3]
    return measured


def test_mish_must_train_at_15_layers_before_its_drop_can_count():
    """A mish net that learned nothing (at chance, or diverged, at both depths) has a drop of 0
    or NaN; the old verdict turned NaN into 0 and called that "holds", giving reproduced (or
    partly) for a mish that never trained. Relu and silu drop sharply in every case here."""
    judge = ex.MishHoldsWithDepth().verdict
    sharp = dict(relu=0.3, silu=0.3)
    least = base.MNIST_CHANCE + mish.MISH_TRAINS_ABOVE_CHANCE
    nan = float("nan")
    assert judge(_set_mish(_mish(**sharp), nan, nan)).label == ex.NOT_REPRODUCED
    assert judge(_set_mish(_mish(**sharp), 0.1, 0.1)).label == ex.NOT_REPRODUCED
    assert judge(_set_mish(_mish(**sharp), least - 0.001, least - 0.001)).label == (
        ex.NOT_REPRODUCED
    )
    assert judge(_set_mish(_mish(**sharp), least, least)).label == ex.REPRODUCED
    assert judge(_set_mish(_mish(**sharp), nan, 0.9)).label == ex.NOT_REPRODUCED
    assert "did not train" in judge(_set_mish(_mish(**sharp), 0.1, 0.1)).measured


def test_mish_verdict_counts_no_condition_on_a_nan_accuracy():
    """A relu or silu accuracy that is NaN (every seed diverged) supports no sharp drop: with
    mish holding, the verdict is then partly reproduced, never reproduced."""
    judge = ex.MishHoldsWithDepth().verdict
    for name, index in (("relu", 0), ("relu", -1), ("silu", 0), ("silu", -1)):
        measured = _mish(relu=0.3, silu=0.3, mish=0.0)
        measured["seed_accuracy"][name][index] = [float("nan")] * 3
        assert judge(measured).label == ex.PARTLY, (name, index)


# --- The tutorial ----------------------------------------------------------------------------
def _tutorial(mse, baseline: float = tutorial.VAR_Y) -> dict:
    seeds = list(np.broadcast_to(np.asarray(mse, float), (3,)))
    return {"final_val_mse": float(np.mean(seeds)), "seed_val_mse": seeds,
            "mean_baseline": baseline, "var_y": tutorial.VAR_Y, "val_mse": [np.mean(seeds)],
            "train_mse": [np.mean(seeds)]}  # fmt: skip


def test_tutorial_verdict_needs_mse_near_one_twelfth_and_no_better_than_the_mean():
    judge = ex.TutorialLearnsNothing().verdict
    assert judge(_tutorial(tutorial.VAR_Y)).label == ex.REPRODUCED
    assert (
        judge(_tutorial(1.26 * tutorial.VAR_Y, baseline=1.26 * tutorial.VAR_Y)).label == ex.PARTLY
    )
    assert (
        judge(_tutorial(1.24 * tutorial.VAR_Y, baseline=1.24 * tutorial.VAR_Y)).label
        == ex.REPRODUCED
    )
    # 6 % better than predicting the mean: it learned something.
    assert judge(_tutorial(0.94 * tutorial.VAR_Y)).label == ex.PARTLY
    assert judge(_tutorial(0.96 * tutorial.VAR_Y)).label == ex.REPRODUCED
    assert judge(_tutorial(0.5 * tutorial.VAR_Y)).label == ex.NOT_REPRODUCED
    spread = [
        0.90 * tutorial.VAR_Y,
        0.95 * tutorial.VAR_Y,
        1.00 * tutorial.VAR_Y,
    ]  # mean 0.95 ± 0.05
    assert judge(_tutorial(spread)).label == ex.INCONCLUSIVE


# --- Edge of chaos ---------------------------------------------------------------------------
def _eoc(accuracy=None, xi=(1.19, 3.63, 1e5, 5.27, 1.89)) -> dict:
    """Every cell at `accuracy(depth, 6 ξ_c)` for each of 3 seeds (default: the theory's own
    prediction, 0.9 inside 6 ξ_c and 0.1 beyond)."""
    depths = list(eoc.EOC_DEPTHS)
    rule = accuracy or (lambda d, limit: 0.9 if d <= limit else 0.1)
    acc = [[[rule(d, 6 * x)] * 3 for d in depths] for x in xi]
    return {"sigma_w2": list(eoc.EOC_SIGMA_W2), "sigma_b2": 0.05, "depths": depths,
            "accuracy": acc, "xi_c": list(xi),
            "curve": {"sigma_w2": [0.5, 8.0], "xi_c": [1.19, 1.89]}}  # fmt: skip


def test_edge_of_chaos_verdict_counts_cells_inside_6_xi_and_beyond_12_xi():
    judge = ex.EdgeOfChaos().verdict
    assert judge(_eoc()).label == ex.REPRODUCED
    # Everything trains: the "beyond" part fails.
    assert judge(_eoc(lambda d, limit: 0.9)).label == ex.PARTLY
    # Nothing trains: the "inside" part fails.
    assert judge(_eoc(lambda d, limit: 0.1)).label == ex.PARTLY
    # Only shallow nets train whatever σ_w²: inside fails (deep critical cells), beyond holds.
    assert judge(_eoc(lambda d, limit: 0.9 if d <= 8 else 0.1)).label == ex.PARTLY
    # The opposite of the theory: neither part.
    assert judge(_eoc(lambda d, limit: 0.1 if d <= limit else 0.9)).label == ex.NOT_REPRODUCED
    # Exactly at 50 %: trains (≥).
    assert judge(_eoc(lambda d, limit: 0.5 if d <= limit else 0.1)).label == ex.REPRODUCED


def test_edge_of_chaos_cells_within_their_spread_make_it_inconclusive():
    measured = _eoc()
    # The critical row's 5 cells (all inside 6 ξ_c) straddle 50 %: 14 inside cells, 9 sure,
    # so the 80 % share depends on them.
    measured["accuracy"][2] = [[0.3, 0.5, 0.7]] * 5
    verdict = ex.EdgeOfChaos().verdict(measured)
    assert verdict.label == ex.INCONCLUSIVE
    assert "9/14 cells train (5 undecided)" in verdict.measured


def test_edge_of_chaos_counts_a_diverged_seed_as_chance():
    diverged = SimpleNamespace(status="diverged", metric=[0.9])
    trained = SimpleNamespace(status="finished", metric=[0.2, 0.8])
    assert eoc._last_or_chance(diverged) == base.MNIST_CHANCE
    assert eoc._last_or_chance(trained) == 0.8
    assert eoc.TRAINABLE_XI == 6.0  # the theory's, copied: no TensorFlow on the page


# --- A seed that diverged (ragged per-epoch histories) ---------------------------------------
def _branch(name, seed, epochs, status="finished", layers=4, accuracy=0.9, loss=0.08):
    """A made-up branch history: `epochs` epochs recorded (a diverged one stops early)."""
    return SimpleNamespace(
        activation=name,
        seed=seed,
        status=status,
        act_quantiles=np.full((epochs + 1, layers, 5), 0.5).tolist(),
        saturated=np.zeros((epochs + 1, layers)).tolist(),
        val_metric=[accuracy] * epochs,
        val_loss=[loss] * epochs,
        loss=[loss] * epochs,
    )


def _record(branches):
    groups = {}
    for b in branches:
        groups.setdefault(b.activation, []).append(b)
    return SimpleNamespace(by_activation=lambda: groups)


def test_glorot_measure_survives_a_seed_that_diverged_and_means_over_the_seeds_that_remain():
    """A diverged seed stops recording, so its lists are shorter: np.mean over them raised
    ("inhomogeneous shape"), crashing the experiment. Each epoch is now the mean over the seeds
    that reached it, and the final accuracy is over the seeds that did not diverge."""
    branches = []
    for name in ("sigmoid", "tanh", "softsign"):
        branches.append(_branch(name, 0, 10, accuracy=0.8))
        branches.append(_branch(name, 2, 10, accuracy=0.8))
    branches.append(_branch("sigmoid", 1, 10, accuracy=0.6))
    branches.append(_branch("tanh", 1, 3, status="diverged", accuracy=0.1))
    branches.append(_branch("softsign", 1, 10, accuracy=0.8))
    record = _record(branches)
    measured = ex.GlorotBengio().measure([record, record])
    tanh = measured["activations"]["tanh"]
    assert tanh["val_accuracy"] == pytest.approx([(0.8 * 2 + 0.1) / 3] * 3 + [0.8] * 7)
    assert np.asarray(tanh["quantiles"]).shape == (11, 4, 5)
    assert tanh["final_accuracy"] == pytest.approx(0.8)
    assert tanh["seed_accuracy"][:2] == [0.8, 0.8] and np.isnan(tanh["seed_accuracy"][2])
    assert measured["activations"]["sigmoid"]["final_accuracy"] == pytest.approx(2.2 / 3)
    assert ex.GlorotBengio().verdict(measured).label != ex.REPRODUCED  # (A) fails: no saturation


def test_glorot_verdict_fails_a_part_whose_numbers_are_all_nan():
    """Every sigmoid seed diverged before the early epochs: NaN medians are no evidence of
    saturation, and NaN accuracy fails (B)."""
    measured = _glorot(0.05)
    sigmoid = measured["activations"]["sigmoid"]
    sigmoid["seed_top_early"] = [float("nan")] * 3
    sigmoid["seed_accuracy"] = [float("nan")] * 3
    assert ex.GlorotBengio().verdict(measured).label == ex.NOT_REPRODUCED


def test_tutorial_measure_survives_a_seed_that_diverged(monkeypatch):
    """Same crash as Glorot's: the tutorial's per-epoch MSE means raised on ragged seeds."""
    import core.train.datasets

    data = SimpleNamespace(y_train=np.array([0.0, 1.0]), y_val=np.array([0.0, 1.0]))
    monkeypatch.setattr(core.train.datasets, "load_shared", lambda *args: data)
    branches = [
        _branch("elu_like", 0, 10, loss=0.08),
        _branch("elu_like", 1, 2, status="diverged", loss=0.5),
        _branch("elu_like", 2, 10, loss=0.09),
    ]
    measured = ex.TutorialLearnsNothing().measure([_record(branches)])
    assert measured["val_mse"][:2] == pytest.approx([(0.08 + 0.5 + 0.09) / 3] * 2)
    assert measured["val_mse"][2:] == pytest.approx([0.085] * 8)
    assert measured["final_val_mse"] == pytest.approx(0.085)
    assert measured["seed_val_mse"][0] == pytest.approx(0.08)
    assert np.isnan(measured["seed_val_mse"][1])
    # Every seed diverged: the MSE is NaN and neither part holds.
    nan = _tutorial(float("nan"))
    assert ex.TutorialLearnsNothing().verdict(nan).label == ex.NOT_REPRODUCED


# --- Digest ----------------------------------------------------------------------------------
def test_digest_changes_with_the_criterion_or_a_configuration_and_only_then(monkeypatch):
    """The page hides a saved result whose digest differs from the experiment's: a digest that
    ignored the criterion or the configurations would keep showing results judged or measured
    under an older definition; one that changed between calls would hide every result."""
    e = ex.MishHoldsWithDepth()
    before = ex.digest(e)
    assert ex.digest(ex.MishHoldsWithDepth()) == before
    monkeypatch.setattr(ex.MishHoldsWithDepth, "criterion", e.criterion + " Changed.")
    assert ex.digest(e) != before
    monkeypatch.undo()
    monkeypatch.setattr(mish, "MISH_BASE", dataclasses.replace(mish.MISH_BASE, epochs=6))
    assert ex.digest(e) != before
    assert len({ex.digest(x) for x in ex.EXPERIMENTS.values()}) == len(ex.EXPERIMENTS)


def test_reference_results_carry_the_current_digest():
    """docs/experiments.json must match the current definitions, or the page hides every
    reference result as outdated: rerun `python bench/experiments.py --json ...`."""
    import json

    from core.serve.experiment_runs import REFERENCE

    reference = json.loads(REFERENCE.read_text())
    for e in ex.EXPERIMENTS.values():
        assert reference[e.id]["digest"] == ex.digest(e), e.id


# --- Links and settings ----------------------------------------------------------------------
@pytest.mark.parametrize("experiment", ex.EXPERIMENTS.values(), ids=lambda e: e.id)
def test_every_experiment_is_written_down_and_its_runs_are_valid_train_settings(experiment):
    texts = ("name", "title", "claim", "citation", "schedule", "criterion", "short_criterion")
    texts += ("differs",)
    for text in texts:
        assert getattr(experiment, text).strip(), text
    assert experiment.kind in ("train", "init", "search", "fit")
    assert bool(experiment.configs()) == (experiment.kind == "train")
    assert bool(experiment.searches()) == (experiment.kind == "search")
    for config in experiment.configs():
        assert config.problems() == []
    for settings in experiment.searches():
        assert settings.problems() == []


@pytest.mark.parametrize("experiment", ex.EXPERIMENTS.values(), ids=lambda e: e.id)
def test_open_on_train_and_depth_links_restore_every_setting(experiment):
    """A link the page builds must pass the Train/Depth page's own URL checks, or the page would
    ignore the value (with a notice) and train or show something else."""
    links = [config for _, config in experiment.train_links()]
    assert set(links) <= set(experiment.configs()) and (links or experiment.kind != "train")
    for config in experiment.configs():
        values, notices = decode(train_query(config), train_fields(config.activations))
        assert notices == []
        restored = {k.removeprefix("train."): v for k, v in values.items()}
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in restored.items()}
        assert dataclasses.replace(TrainConfig(), **changes) == config
    for query in experiment.depth_links():
        values, notices = decode(query, depth_fields(["relu", "selu", "tanh"]))
        assert notices == [] and len(values) == len(query)
        assert int(query["width"]) in WIDTHS


def test_verdict_line_has_the_bench_format():
    e = ex.get("tutorial-random-regression")
    result = {"verdict": ex.PARTLY, "verdict_measured": "x 1"}
    line = ex.verdict_line(e, result)
    assert line.startswith(f"experiment {e.id}: verdict = partly reproduced (measured x 1, ")
    assert line.endswith(f"criterion {e.short_criterion})")


# --- Ramachandran et al.: the search finds Swish ----------------------------------------------
def _search(seed: int, distances, relu=0.5) -> dict:
    top = [
        {"rank": r, "expression": f"f{r}", "score": 0.6 - r / 100, "std": 0.01,
         "swish_distance": d, "swish_beta": 1.0, "relu_distance": relu}
        for r, d in enumerate(distances, start=1)
    ]  # fmt: skip
    return {"seed": seed, "top": top, "baselines": {"relu": 0.6, "silu": 0.65}}


def test_search_verdict_counts_searches_with_a_top_ten_swish_within_0_1():
    """Catches a verdict that reads past the top 10, uses ≤ for <, or counts hits instead of
    searches: a hit at rank 11 or at distance exactly 0.1 does not count, two hits in one search
    count once."""
    e = ex.get("ramachandran-2017-search")
    far = [1.0] * 10
    near_twice = [0.05, 0.02] + [1.0] * 8
    at_threshold = [0.1] + [1.0] * 9
    rank_ten = [1.0] * 9 + [0.099]

    def label(*tops) -> str:
        return e.verdict({"searches": [_search(i, t) for i, t in enumerate(tops)]}).label

    assert label(near_twice, far, far) == ex.PARTLY
    assert label(near_twice, rank_ten, far) == ex.REPRODUCED
    assert label(at_threshold, far, far + [0.01]) == ex.NOT_REPRODUCED
    said = e.verdict({"searches": [_search(0, near_twice, relu=0.01), _search(1, far)]}).measured
    assert "rank 1 `f1` at 0.050" in said and "(relu-like)" in said and "nearest 1.000" in said


def test_search_measure_takes_each_searchs_top_ten_by_mean_score():
    """Catches a top 10 taken in the order drawn rather than by score, or a relu distance
    measured against another curve."""
    from core.study.search.screen import THUMB_X
    from core.study.search.search import Entry, SearchSettings, SearchState
    from core.study.search.space import Candidate

    state = SearchState(SearchSettings(seed=4), status="finished", baselines={"relu": [0.5] * 3})
    for i in range(12):
        entry = Entry(i, Candidate("x1+x2", "x", "x"), 0, "scored", accuracy=[i / 20] * 3)
        entry.curve = list(np.maximum(THUMB_X, 0.0))
        entry.swish = [0.5, 1.0]
        state.entries.append(entry)
    m = ex.get("ramachandran-2017-search").measure([state])
    top = m["searches"][0]["top"]
    # Scores to 1e-12: the mean of three equal floats may differ from each by an ulp.
    assert [t["score"] for t in top] == pytest.approx([i / 20 for i in range(11, 1, -1)], abs=1e-12)
    assert top[0]["relu_distance"] == 0.0 and m["searches"][0]["seed"] == 4
