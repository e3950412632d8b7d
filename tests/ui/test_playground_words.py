"""What the Playground says when its test losses have stopped moving, on made-up histories (no
training): the rule's window and tolerance are stated, stuck networks are named, and the hint
points to the dataset's known setting only when it is not already in use."""

from types import SimpleNamespace

import numpy as np

from core.playground.config import PRESETS, PlaygroundConfig
from core.playground.job import Snapshot
from ui.playground import plateau_words

FLAT = [0.52, 0.5, *[0.48] * 250]  # sits still for 250 epochs
LEARNT = list(np.geomspace(0.5, 0.001, 252))  # still falling, far below 0.05
LEARNT_FLAT = [*np.geomspace(0.5, 0.01, 40), *[0.01] * 212]  # learnt, then still


def _words(config: PlaygroundConfig, curves: list[list[float]]) -> str:
    job = SimpleNamespace(config=config, data=SimpleNamespace(test_labels=np.array([1.0, -1.0])))
    history = {"test_loss": curves}
    return plateau_words(job, Snapshot(len(curves[0]) - 1, "playing", history))


def test_stuck_networks_are_named_with_the_rule_and_the_known_setting():
    # Fails if the page says nothing on the case (every loss flat at 0.48), or the claim
    # does not state its window and tolerance, or the way out (the known setting) is missing.
    config = PlaygroundConfig(activations=("relu", "tanh"), dataset="spiral")
    words = _words(config, [FLAT, FLAT])
    assert "not moved for 200 epochs (best improved < 1 %)" in words
    assert "relu, tanh still above 0.05" in words
    assert "Try the setting known to learn Spiral" in words


def test_only_the_stuck_ones_are_named_and_no_hint_once_the_known_setting_is_used():
    # Fails if a network still learning is called stuck, or the page sends the user to the
    # setting they already use (sigmoid does not learn the spiral's preset within 300 epochs).
    config = PRESETS["spiral"].applied(
        PlaygroundConfig(activations=("tanh", "sigmoid"), dataset="spiral")
    )
    words = _words(config, [LEARNT, FLAT])
    assert words.startswith("sigmoid has not moved for 200 epochs")
    assert "tanh" not in words and "Try" not in words


def test_learnt_and_still_is_said_as_learnt_and_moving_losses_say_nothing():
    # Fails if networks that learnt and settled get the stuck message, or a loss that still
    # falls gets any message at all.
    config = PlaygroundConfig(activations=("relu", "tanh"), dataset="circle")
    assert _words(config, [LEARNT_FLAT, LEARNT_FLAT]).endswith("at or below 0.05: learnt.")
    assert _words(config, [LEARNT, LEARNT]) == ""
    assert _words(config, [LEARNT, LEARNT_FLAT]) == ""  # the one that stopped had learnt
