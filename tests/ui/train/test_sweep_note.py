"""The sweep's edge warning: a best rate at the end of the rates tried is flagged."""

from core.train.rates import Shown
from tests.core.train.test_rates import LOSSES, _sweep
from ui.train.runs import edge_note


def test_a_best_rate_at_the_edge_of_the_sweep_is_flagged_and_an_inner_one_is_not():
    # Fails if the page presents "best at the largest rate tried" as if it were the optimum.
    note = edge_note(
        Shown.of(_sweep(LOSSES))
    )  # relu best at 1e-3 (inside), tanh at 1e-2 (the edge)
    assert "tanh: best at the largest rate tried" in note and "relu" not in note
    inner = {**LOSSES, ("tanh", 1e-2): (0.9, 0.9)}
    assert edge_note(Shown.of(_sweep(inner))) == ""
