"""The "make it trainable" task (core/serve/trainable_runs.py): it runs in the server's task
runner, carries a typed custom by its definition, and one activation that cannot be solved or
raises is that activation's row, not the end of the task."""

import math

import pytest

from activations import get
from activations.expression import custom_activation, custom_definition
from core.serve import trainable_runs
from core.serve.tasks import Status, TaskRunner
from core.study import trainable


@pytest.mark.slow
def test_a_task_solves_each_activation_and_keeps_going_past_one_that_fails(monkeypatch):
    # Fails if a typed custom does not reach the task's thread (it has no session catalogue),
    # if softsign, whose second derivative TensorFlow does not have, stops the solve, or if one
    # activation that raises ends the whole task (the others' rows lost).
    mine = custom_activation("my_tanh", "2 * tanh(x)")
    request = trainable_runs.Request(
        ("softsign", "my_tanh", "relu"), 20, 1.5, {"my_tanh": custom_definition(mine)}
    )
    original = trainable_runs.row

    def row(act, depth, zeta):
        if act.name == "relu":
            raise RuntimeError("made to fail")
        return original(act, depth, zeta)

    monkeypatch.setattr(trainable_runs, "row", row)
    runner = TaskRunner(None)
    task_id = trainable_runs.start(runner, request, owner="me")
    task = runner.wait(task_id, timeout=600)
    assert task.status == Status.FINISHED, task.error
    rows = {r["name"]: r for r in task.state["rows"]}
    assert list(rows) == ["softsign", "my_tanh", "relu"]
    assert not rows["softsign"]["problem"] and rows["softsign"]["c_slope"] == pytest.approx(
        1.5 ** (1 / 20), abs=1e-8
    )
    # 2·tanh: the same input transform as tanh, half its output scale (both solves stop at
    # 1e-8 residuals of smooth maps: 1e-6 relative), written around the custom's own text.
    tanh = trainable.of_activation(get("tanh"), 20)
    assert rows["my_tanh"]["input_scale"] == pytest.approx(tanh.input_scale, rel=1e-6)
    assert 2 * rows["my_tanh"]["output_scale"] == pytest.approx(tanh.output_scale, rel=1e-6)
    assert "2 * tanh((" in rows["my_tanh"]["expression"]
    assert "made to fail" in rows["relu"]["problem"] and rows["relu"]["input_scale"] is None
    assert math.isnan(rows["relu"]["target"])
