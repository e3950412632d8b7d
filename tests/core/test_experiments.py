"""The experiments' verdicts on plain numbers, and their links.

Each verdict test puts a measured result just inside a criterion's threshold and just outside it:
a verdict that ignored a threshold, used < for ≤, or read the wrong layer, epoch or activation
would give the same verdict both times and fail here.
"""

import dataclasses

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


def test_born_dead_share_counts_a_network_dead_from_its_first_wholly_dead_layer_on():
    """measure() marks a network born dead by layer l once any layer ≤ l is wholly dead; a later
    layer that is only partly dead must not revive it (np.maximum.accumulate)."""
    dead = np.array([[0.2, 1.0, 0.5], [0.1, 0.2, 1.0]])
    whole = np.maximum.accumulate(dead >= 1.0, axis=1)
    assert whole.mean(axis=0).tolist() == [0.0, 0.5, 1.0]


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
