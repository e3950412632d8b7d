"""The Playground's rules for "learnt" and "stopped moving", on made-up test-loss histories."""

import math

import numpy as np

from core.playground.progress import (
    PLATEAU_EPOCHS,
    PLATEAU_TOLERANCE,
    best_so_far,
    learnt_loss,
    stopped_moving,
)


def _fall_then_flat(flat_epochs: int, level: float = 0.48) -> list[float]:
    falling = np.linspace(0.52, level, 50)
    return [*falling, *np.full(flat_epochs, level)]


def test_a_loss_that_sits_still_is_flagged_once_it_has_sat_for_the_window():
    # Fails if the rule never speaks on the case (the spiral at 0.47–0.49 for 1,953
    # epochs said nothing), or speaks before the loss has sat still for the whole window.
    assert stopped_moving(_fall_then_flat(PLATEAU_EPOCHS + 1))
    assert not stopped_moving(_fall_then_flat(PLATEAU_EPOCHS - 50))
    assert (PLATEAU_EPOCHS, PLATEAU_TOLERANCE) == (200, 0.01)  # the page states these


def test_a_small_loss_that_still_falls_slowly_is_not_flagged():
    # Fails if the rule measures change in absolute terms: this loss falls by 0.0006 over the
    # window (3 % of itself), far below any absolute step one would call "moving" at 0.5, yet
    # the network is still learning. Also fails if it compares with the first epoch.
    epochs = np.arange(1000)
    losses = 0.02 * 0.97 ** (epochs / PLATEAU_EPOCHS)
    assert not stopped_moving(losses)
    # The same fall at a tenth of the speed (0.3 % a window) has stopped by the rule.
    assert stopped_moving(0.02 * 0.997 ** (epochs / PLATEAU_EPOCHS))


def test_noise_is_not_progress_and_a_noisy_fall_is():
    # Fails if the rule compares the last loss with the one a window before: with ±10 % noise
    # around a flat 0.48 that comparison says "moving" about half the time; the best so far
    # does not move. A noisy loss whose level still falls must not be flagged.
    rng = np.random.default_rng(0)
    noise = rng.uniform(-0.05, 0.05, 2000)
    flat = 0.48 + noise
    flagged = [stopped_moving(flat[:n]) for n in range(1000, 2001, 50)]
    assert all(flagged)
    falling = np.linspace(0.48, 0.2, 2000) + noise
    assert not any(stopped_moving(falling[:n]) for n in range(400, 2001, 50))


def test_a_diverged_network_has_stopped_and_a_nan_is_never_an_improvement():
    # Fails if a NaN (a network that blew up)
    # crashes the rule or counts as a new best.
    losses = [0.5, 0.4, *[math.nan] * (PLATEAU_EPOCHS + 5)]
    assert stopped_moving(losses)
    assert best_so_far(losses)[-1] == 0.4
    assert stopped_moving([math.inf] * (PLATEAU_EPOCHS + 2))


def test_learnt_means_a_tenth_of_an_output_stuck_at_zero():
    # Fails if the bar moves: 0.05 for ±1 labels, what the page and the presets' figures say.
    assert learnt_loss(np.array([1.0, -1.0, -1.0, 1.0])) == 0.05
    assert math.isclose(learnt_loss(np.array([0.2, -0.2])), 0.1 * 0.5 * 0.04)
