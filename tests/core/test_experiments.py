"""The experiments' verdicts on plain numbers, and their links.

Each verdict test puts a measured result just inside a criterion's threshold and just outside it:
a verdict that ignored a threshold, used < for ≤, or read the wrong layer, epoch or activation
would give the same verdict both times and fail here.
"""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from core import experiments as ex
from core.settings import TrainConfig
from core.signal_settings import WIDTHS
from core.state import decode, depth_fields, train_fields


# --- Glorot & Bengio -------------------------------------------------------------------------
def _glorot(median_top: float, at_epoch: int = 1, sigmoid=0.80, tanh=0.83, softsign=0.83) -> dict:
    """Measured numbers with the sigmoid top layer's median `median_top` after `at_epoch` epochs
    (0.5 elsewhere, and every other layer 0.5)."""
    epochs, layers = 11, 4

    def quantiles(top_median):
        q = np.full((epochs, layers, 5), 0.5)
        q[at_epoch, layers - 1, 2] = top_median
        return q.tolist()

    def act(median, accuracy):
        return {
            "quantiles": quantiles(median),
            "saturated": np.zeros((epochs, layers)).tolist(),
            "val_accuracy": [accuracy] * (epochs - 1),
            "final_accuracy": accuracy,
        }

    return {
        "layers": layers,
        "activations": {
            "sigmoid": act(median_top, sigmoid),
            "tanh": act(0.5, tanh),
            "softsign": act(0.5, softsign),
        },
    }


def test_glorot_verdict_reads_the_top_layer_early_and_both_accuracy_margins():
    judge = ex.GlorotBengio().verdict
    assert judge(_glorot(0.1)).label == ex.REPRODUCED  # ≤ 0.1 counts as saturated
    assert judge(_glorot(0.1001)).label == ex.PARTLY
    assert judge(_glorot(0.05, at_epoch=ex.EARLY_EPOCHS)).label == ex.REPRODUCED
    # Saturation after the early epochs is not "early".
    assert judge(_glorot(0.05, at_epoch=ex.EARLY_EPOCHS + 1)).label == ex.PARTLY
    # tanh 0.1 points short of the 2-point margin: only saturation holds.
    assert judge(_glorot(0.05, tanh=0.819)).label == ex.PARTLY
    assert judge(_glorot(0.05, softsign=0.819)).label == ex.PARTLY
    assert judge(_glorot(0.2, softsign=0.819)).label == ex.NOT_REPRODUCED


# --- Dying ReLU ------------------------------------------------------------------------------
def _dying(deep=0.4, born_narrowest=0.9, born_step=0.0, layer9=0.56) -> dict:
    widths = [2, 4, 8]
    dead = {str(w): [0.1] * 10 + [0.25] * 30 + [deep] * 10 for w in widths}
    born = {}
    for i, w in enumerate(widths):
        last = born_narrowest - 0.3 * i + (born_step if i == 1 else 0.0)
        born[str(w)] = [0.0] * 49 + [last]
    narrowing = [0.0] * 8 + [layer9, 0.5]
    return {"widths": widths, "depth": 50, "dead": dead, "born_dead": born,
            "narrowing_dead": narrowing}  # fmt: skip


def test_dying_relu_verdict_needs_growth_with_depth_then_born_dead_and_the_course_number():
    judge = ex.DyingRelu().verdict
    assert judge(_dying()).label == ex.REPRODUCED
    # Layers 41–50 no deader than 1–10 at one width: the main claim fails.
    flat = _dying()
    flat["dead"]["4"] = [0.1] * 50
    assert judge(flat).label == ex.NOT_REPRODUCED
    assert judge(_dying(layer9=0.5)).label == ex.PARTLY  # "more than half": 0.5 is not
    assert judge(_dying(layer9=0.501)).label == ex.REPRODUCED
    assert judge(_dying(born_narrowest=0.49)).label == ex.PARTLY
    # Width 4 born dead 0.1 above... the slack: 0.9 → 0.6 + 0.4 = 1.0 is a rise of 0.1: allowed.
    assert judge(_dying(born_step=0.4)).label == ex.REPRODUCED
    assert judge(_dying(born_step=0.41)).label == ex.PARTLY


def test_born_dead_share_counts_a_network_dead_from_its_first_wholly_dead_layer_on(monkeypatch):
    """DyingRelu.measure marks a network born dead by layer l once any layer ≤ l is wholly dead;
    a later layer that is only partly dead must not revive it. The per-layer dead shares come
    from a stub of the Depth page's signal_at_init (two seeds, three layers), so this checks
    measure's own bookkeeping: a measure that looked only at each layer (no accumulation), at
    the last layer, or averaged seeds before thresholding would give other shares."""
    import core.signal

    per_seed = {0: [0.2, 1.0, 0.5], 1: [0.1, 0.2, 1.0]}

    def fake_signal(acts, init, depth, width, seed):
        assert (init, depth) == (ex.DYING_INIT, 3)
        return type("Signal", (), {"dead": [per_seed[seed]]})()

    monkeypatch.setattr(core.signal, "signal_at_init", fake_signal)
    monkeypatch.setattr(ex, "narrowing_dead_shares", lambda seed: [0.5] * 10)
    monkeypatch.setattr(ex, "DYING_WIDTHS", (2,))
    monkeypatch.setattr(ex, "DYING_SEEDS", 2)
    monkeypatch.setattr(ex, "DYING_DEPTH", 3)
    monkeypatch.setattr(ex, "UVA_SEEDS", 1)
    measured = ex.DyingRelu().measure()
    assert measured["born_dead"]["2"] == [0.0, 0.5, 1.0]
    assert measured["dead"]["2"] == pytest.approx([0.15, 0.6, 0.75])


# --- SELU ------------------------------------------------------------------------------------
def _selu(selu_var=1.0, relu_var=1e-10, tanh_var=0.5, selu_mean=0.0) -> dict:
    layers = 50
    return {
        "activations": ["selu", "relu", "tanh"],
        "mean": {"selu": [selu_mean] * layers, "relu": [0.0] * layers, "tanh": [0.0] * layers},
        "variance": {
            "selu": [1.0] * (layers - 1) + [selu_var],
            "relu": [1.0] * (layers - 1) + [relu_var],
            "tanh": [1.0] * (layers - 1) + [tanh_var],
        },
    }


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


# --- Mish ------------------------------------------------------------------------------------
def _mish(relu=0.10, silu=0.10, mish=0.03) -> dict:
    start = 0.9
    acc = {n: [start, start - d / 2, start - d] for n, d in (("relu", relu), ("silu", silu))}
    acc["mish"] = [start, start, start - mish]
    return {"depths": [15, 20, 25], "accuracy": acc}


def test_mish_verdict_compares_the_drops_from_15_to_25_layers():
    judge = ex.MishHoldsWithDepth().verdict
    assert judge(_mish(relu=0.1001, silu=0.1001, mish=0.0299)).label == ex.REPRODUCED
    assert judge(_mish(relu=0.099)).label == ex.PARTLY  # relu's drop is not sharp
    assert judge(_mish(mish=0.031)).label == ex.PARTLY  # mish did not hold
    assert judge(_mish(relu=0.05, silu=0.05, mish=0.021)).label == ex.NOT_REPRODUCED
    assert judge(_mish(relu=0.05, silu=0.05, mish=0.019)).label == ex.PARTLY
    # A mish network that diverged at 25 layers learned nothing: no "holds".
    diverged = _mish()
    diverged["accuracy"]["mish"][-1] = float("nan")
    assert judge(diverged).label == ex.NOT_REPRODUCED


def _set_mish(measured: dict, at_15: float, at_25: float) -> dict:
    measured["accuracy"]["mish"] = [at_15, at_15, at_25]
    return measured


def test_mish_must_train_at_15_layers_before_its_drop_can_count():
    """A mish net that learned nothing (at chance, or diverged, at both depths) has a drop of 0
    or NaN; the old verdict turned NaN into 0 and called that "holds", giving reproduced (or
    partly) for a mish that never trained. Relu and silu drop sharply in every case here."""
    judge = ex.MishHoldsWithDepth().verdict
    sharp = dict(relu=0.3, silu=0.3)
    least = ex.MNIST_CHANCE + ex.MISH_TRAINS_ABOVE_CHANCE
    # Diverged at both depths.
    nan = float("nan")
    assert judge(_set_mish(_mish(**sharp), nan, nan)).label == ex.NOT_REPRODUCED
    # At chance at both depths: a drop of 0, yet it learned nothing.
    assert judge(_set_mish(_mish(**sharp), 0.1, 0.1)).label == ex.NOT_REPRODUCED
    # Just below and at the stated margin above chance.
    assert judge(_set_mish(_mish(**sharp), least - 0.001, least - 0.001)).label == (
        ex.NOT_REPRODUCED
    )
    assert judge(_set_mish(_mish(**sharp), least, least)).label == ex.REPRODUCED
    # Diverged at 15 layers only: its drop is unknown, not "holds".
    assert judge(_set_mish(_mish(**sharp), nan, 0.9)).label == ex.NOT_REPRODUCED
    assert "did not train" in judge(_set_mish(_mish(**sharp), 0.1, 0.1)).measured


def test_mish_verdict_counts_no_condition_on_a_nan_accuracy():
    """A relu or silu accuracy that is NaN (every seed diverged) supports neither their sharp
    drop nor mish's smaller one."""
    judge = ex.MishHoldsWithDepth().verdict
    for name, index in (("relu", 0), ("relu", -1), ("silu", 0), ("silu", -1)):
        measured = _mish(relu=0.3, silu=0.3, mish=0.0)
        measured["accuracy"][name][index] = float("nan")
        assert judge(measured).label == ex.NOT_REPRODUCED, (name, index)


# --- The tutorial ----------------------------------------------------------------------------
def _tutorial(mse: float, baseline: float = ex.VAR_Y) -> dict:
    return {"final_val_mse": mse, "mean_baseline": baseline, "var_y": ex.VAR_Y,
            "val_mse": [mse], "train_mse": [mse]}  # fmt: skip


def test_tutorial_verdict_needs_mse_near_one_twelfth_and_no_better_than_the_mean():
    judge = ex.TutorialLearnsNothing().verdict
    assert judge(_tutorial(ex.VAR_Y)).label == ex.REPRODUCED
    assert judge(_tutorial(1.26 * ex.VAR_Y, baseline=1.26 * ex.VAR_Y)).label == ex.PARTLY
    assert judge(_tutorial(1.24 * ex.VAR_Y, baseline=1.24 * ex.VAR_Y)).label == ex.REPRODUCED
    # 6 % better than predicting the mean: it learned something.
    assert judge(_tutorial(0.94 * ex.VAR_Y)).label == ex.PARTLY
    assert judge(_tutorial(0.96 * ex.VAR_Y)).label == ex.REPRODUCED
    assert judge(_tutorial(0.5 * ex.VAR_Y)).label == ex.NOT_REPRODUCED


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
    branches.append(_branch("sigmoid", 1, 10, accuracy=0.6))
    branches.append(_branch("tanh", 1, 3, status="diverged", accuracy=0.1))
    branches.append(_branch("softsign", 1, 10, accuracy=0.8))
    measured = ex.GlorotBengio().measure([_record(branches)])
    tanh = measured["activations"]["tanh"]
    assert tanh["val_accuracy"] == pytest.approx([0.45] * 3 + [0.8] * 7)
    assert np.asarray(tanh["quantiles"]).shape == (11, 4, 5)
    assert tanh["final_accuracy"] == pytest.approx(0.8)
    assert measured["activations"]["sigmoid"]["final_accuracy"] == pytest.approx(0.7)
    assert ex.GlorotBengio().verdict(measured).label == ex.PARTLY  # (B) holds, (A) does not


def test_glorot_verdict_fails_a_part_whose_numbers_are_all_nan():
    """Every sigmoid seed diverged before the early epochs: NaN medians are no evidence of
    saturation (min() over NaN gave order-dependent answers), and NaN accuracy fails (B)."""
    measured = _glorot(0.05)
    sigmoid = measured["activations"]["sigmoid"]
    sigmoid["quantiles"] = np.full((11, 4, 5), np.nan).tolist()
    sigmoid["final_accuracy"] = float("nan")
    assert ex.GlorotBengio().verdict(measured).label == ex.NOT_REPRODUCED
    # One NaN early epoch is skipped, the others still count.
    one_nan = _glorot(0.05, at_epoch=2)
    one_nan["activations"]["sigmoid"]["quantiles"][1][3][2] = float("nan")
    assert ex.GlorotBengio().verdict(one_nan).label == ex.REPRODUCED


def test_tutorial_measure_survives_a_seed_that_diverged(monkeypatch):
    """Same crash as Glorot's: the tutorial's per-epoch MSE means raised on ragged seeds."""
    import core.datasets

    data = SimpleNamespace(y_train=np.array([0.0, 1.0]), y_val=np.array([0.0, 1.0]))
    monkeypatch.setattr(core.datasets, "load_shared", lambda *args: data)
    branches = [
        _branch("elu_like", 0, 10, loss=0.08),
        _branch("elu_like", 1, 2, status="diverged", loss=0.5),
        _branch("elu_like", 2, 10, loss=0.09),
    ]
    measured = ex.TutorialLearnsNothing().measure([_record(branches)])
    assert measured["val_mse"][:2] == pytest.approx([(0.08 + 0.5 + 0.09) / 3] * 2)
    assert measured["val_mse"][2:] == pytest.approx([0.085] * 8)
    assert measured["final_val_mse"] == pytest.approx(0.085)
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
    monkeypatch.setattr(ex, "MISH_BASE", dataclasses.replace(ex.MISH_BASE, epochs=6))
    assert ex.digest(e) != before
    assert len({ex.digest(x) for x in ex.EXPERIMENTS.values()}) == len(ex.EXPERIMENTS)


def test_reference_results_carry_the_current_digest():
    """docs/experiments.json must match the current definitions, or the page hides every
    reference result as outdated: rerun `python bench/experiments.py --json ...`."""
    import json

    from core.experiment_runs import REFERENCE

    reference = json.loads(REFERENCE.read_text())
    for e in ex.EXPERIMENTS.values():
        assert reference[e.id]["digest"] == ex.digest(e), e.id


# --- Links and settings ----------------------------------------------------------------------
@pytest.mark.parametrize("experiment", ex.EXPERIMENTS.values(), ids=lambda e: e.id)
def test_every_experiment_is_written_down_and_its_runs_are_valid_train_settings(experiment):
    texts = ("name", "title", "claim", "citation", "schedule", "criterion", "short_criterion")
    for text in texts:
        assert getattr(experiment, text).strip(), text
    assert experiment.kind in ("train", "init")
    assert bool(experiment.configs()) == (experiment.kind == "train")
    for config in experiment.configs():
        assert config.problems() == []


@pytest.mark.parametrize("experiment", ex.EXPERIMENTS.values(), ids=lambda e: e.id)
def test_open_on_train_and_depth_links_restore_every_setting(experiment):
    """A link the page builds must pass the Train/Depth page's own URL checks, or the page would
    ignore the value (with a notice) and train or show something else."""
    for config in experiment.configs():
        values, notices = decode(ex.train_query(config), train_fields(config.activations))
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
