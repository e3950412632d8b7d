"""Sweeps (core/serve/grid.py): the grid's jobs and its checks, the heatmap's cells and the CSV from
plain records, the store's sweeps, and a sweep trained through the local job queue."""

import dataclasses
import math
import sqlite3

import pytest

from activations import shared_catalogue
from charts.grid_figures import trainability_heatmap
from core.serve.executors import JobSpec, LocalExecutor
from core.serve.grid import Grid, cells_of, grid_frame, sweep_status
from core.serve.jobs import JobQueue, stop_sweep, submit_sweep
from core.serve.store import RunStore
from core.train import datasets
from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig
from core.train.training import train_compare

RATES = (1e-3, 1e-2)


def _run(depth, finals, status="finished", diverged=()):
    """A made-up run at `depth`: finals[(name, rate)] = the two seeds' last (val loss, acc)."""
    config = TrainConfig(
        activations=("relu", "sigmoid"), learning_rates=RATES, seeds=2, epochs=2, depth=depth
    )
    branches = []
    for (name, rate), seeds in finals.items():
        for seed, (loss, acc) in enumerate(seeds):
            b = BranchHistory(name, seed, learning_rate=rate, status=status)
            if (name, rate) in diverged:
                b.status, b.diverged_epoch = "diverged", 1
            else:
                b.loss, b.val_loss, b.metric, b.val_metric = (
                    [2, loss],
                    [2, loss],
                    [0, acc],
                    [0, acc],
                )
            branches.append(b)
    epochs = [1.0, 1.0] if status != "queued" else []
    return Comparison(config, "classification", "accuracy", "t", branches, 10, epochs, status)


FINALS = {
    ("relu", 1e-3): ((0.4, 0.85), (0.6, 0.83)),
    ("relu", 1e-2): ((0.2, 0.95), (0.3, 0.93)),  # relu's best rate: mean loss 0.25
    ("sigmoid", 1e-3): ((2.0, 0.20), (2.2, 0.10)),  # sigmoid's best: 1e-2 diverged
    ("sigmoid", 1e-2): ((9.0, 0.0), (9.0, 0.0)),
}


def test_a_grid_is_one_job_per_architecture_shallow_first():
    # Fails if an architecture is missing or trains another depth/width or another model than
    # the base's (the residual MLP here; the page offers the MLP, residual MLP, Transformer).
    base = TrainConfig(activations=("relu",), model="residual", depth=1, width=128)
    grid = Grid(base, (10, 2), (64, 16))
    assert grid.architectures == [(2, 16), (2, 64), (10, 16), (10, 64)]
    config = grid.config(10, 16)
    assert (config.model, config.depth, config.width) == ("residual", 10, 16)
    assert dataclasses.replace(config, depth=1, width=128) == base
    assert grid.networks == 4 * base.networks


def test_grid_problems_say_what_to_change():
    # Fails if an empty or oversized grid, or a bad base configuration, reaches the queue.
    base = TrainConfig(activations=("relu", "tanh"), learning_rates=(1e-3, 1e-2), seeds=5)
    assert any("depth" in p for p in Grid(base, (), (64,)).problems())
    assert any("width" in p for p in Grid(base, (2,), ()).problems())
    big = Grid(base, (1, 2, 3, 4, 6, 8, 10, 12, 15, 20), tuple(2**k for k in range(11)))
    assert any("more than" in p for p in big.problems())
    none = Grid(dataclasses.replace(base, activations=()), (2,), (64,))
    assert none.problems() and none.problems() == none.config(2, 64).problems()
    assert Grid(base, (2, 6), (64,)).problems() == []


def test_cells_show_each_activation_at_its_best_rate_with_mean_and_std():
    # Fails if a cell takes the best seed or the best accuracy instead of the stated criterion
    # (lowest mean final validation loss), or reports the wrong spread.
    cells = {c.activation: c for c in cells_of(6, 64, _run(6, FINALS))}
    relu = cells["relu"]
    assert relu.rate == 1e-2 and relu.state == "done" and relu.seeds == 2
    assert relu.val_metric == pytest.approx(0.94) and relu.val_metric_std == pytest.approx(0.01)
    assert relu.val_loss == pytest.approx(0.25)
    assert cells["sigmoid"].rate == 1e-3 and cells["sigmoid"].val_metric == pytest.approx(0.15)


def test_a_cell_that_diverged_at_every_rate_says_diverged_and_a_running_one_training():
    # Fails if divergence at every rate is drawn as a number, or a run still training as done.
    every = {("sigmoid", 1e-3), ("sigmoid", 1e-2)}
    cells = {c.activation: c for c in cells_of(6, 64, _run(6, FINALS, diverged=every))}
    assert cells["sigmoid"].state == "diverged" and cells["relu"].state == "done"
    running = cells_of(6, 64, _run(6, FINALS, status="running"))
    assert {c.state for c in running} == {"training"}
    queued = cells_of(6, 64, _run(6, FINALS, status="queued"))
    assert {c.state for c in queued} == {"queued"} and all(c.rate is None for c in queued)


def test_the_heatmap_draws_values_states_and_the_rate_on_hover():
    # Fails if a diverged or queued cell gets a colour, or the hover hides the chosen rate.
    grid = Grid(_run(2, FINALS).config, (2, 6, 10), (64,))
    every = {("sigmoid", 1e-3), ("sigmoid", 1e-2)}
    cells = cells_of(2, 64, _run(2, FINALS)) + cells_of(6, 64, _run(6, FINALS, diverged=every))
    heat = trainability_heatmap(grid, cells, "accuracy").data[-1]  # over the grey tiles
    assert list(heat.y) == ["2 layers", "6 layers", "10 layers"]
    assert list(heat.x) == ["relu", "sigmoid"]
    assert heat.z[0][0] == pytest.approx(0.94) and heat.text[0][0] == "0.940"
    assert heat.z[1][1] is None and heat.text[1][1] == "diverged"
    assert heat.z[2][0] is None and heat.text[2][0] == "queued"
    assert "best learning rate 0.01" in heat.customdata[0][0]
    assert "0.9400 ± 0.0100 over 2 seeds" in heat.customdata[0][0]
    # Before any value: the tiles say what each cell is waiting for (a blank chart would not).
    tiles = trainability_heatmap(grid, [], "accuracy").data[0]
    assert [list(r) for r in tiles.text] == [["queued"] * 2] * 3


def test_the_grid_csv_has_every_rate_and_marks_one_best_per_cell():
    # Fails if the CSV drops rates, or marks no or several best rates for a cell.
    grid = Grid(_run(2, FINALS).config, (2, 6), (64,))
    frame = grid_frame(grid, {(2, 64): _run(2, FINALS), (6, 64): _run(6, FINALS)})
    assert len(frame) == 2 * 2 * 2  # architectures × activations × rates
    assert frame.groupby(["depth", "activation"])["best_rate"].sum().eq(1).all()
    best = frame[(frame.depth == 2) & (frame.activation == "relu") & frame.best_rate]
    assert best.learning_rate.item() == 1e-2
    assert best.val_accuracy_mean.item() == pytest.approx(0.94)


def test_sweep_status_is_training_while_any_run_is_active():
    assert sweep_status(["finished", "queued"]) == "training"
    assert sweep_status(["finished", "finished"]) == "finished"
    assert sweep_status(["finished", "stopped"]) == "ended"


def test_the_store_keeps_sweeps_and_migrates_runs_from_v3(tmp_path):
    # Fails if opening a v3 store loses its runs on the way to v4, or a sweep does not come back.
    path = tmp_path / "runs.sqlite"
    old = RunStore(path, target_version=3)
    run_id = old.save(_run(2, FINALS))
    store = RunStore(path)
    assert store.schema_version == 6 and store.load(run_id).config.depth == 2
    grid = Grid(_run(2, FINALS).config, (2,), (64,))
    sweep_id = store.save_sweep(grid.to_dict(), [], "mine")
    store.set_sweep_runs(sweep_id, [(2, 64, run_id)])
    row = store.sweep(sweep_id)
    assert Grid.from_dict(row.grid) == grid and row.runs == [(2, 64, run_id)]
    assert [s.id for s in store.sweeps()] == [sweep_id]
    with sqlite3.connect(path) as conn:  # plain SQL: the sweep is a row of its own table
        assert conn.execute("SELECT name FROM sweeps").fetchall() == [("mine",)]


def test_a_sweep_trains_each_architecture_exactly_as_train_would(tmp_path):
    # Fails if a sweep's job trains another configuration than its architecture's (depth,
    # width, rates, seeds) or its runs are not named for the sweep.
    store = RunStore(tmp_path / "runs.sqlite")
    queue = JobQueue(store, LocalExecutor(), max_running=1)
    base = TrainConfig(
        activations=("relu", "tanh"), dataset="friedman", samples=400, batch_size=64, epochs=2,
        learning_rates=(1e-3, 1e-2),
    )  # fmt: skip
    grid = Grid(base, (1, 3), (8,))
    sweep_id = submit_sweep(queue, grid, shared_catalogue(), name="")
    row = store.sweep(sweep_id)
    assert row.name.startswith("depths 1, 3 × width 8")
    data = datasets.load_shared("friedman", 400, base.val_fraction, base.noise, base.data_seed)
    for depth, width, run_id in row.runs:
        queue.wait(run_id, 300)
        saved = store.load(run_id)
        alone = train_compare(grid.config(depth, width), data)
        assert [b.val_loss for b in saved.branches] == [b.val_loss for b in alone.branches]
        assert store.runs(query=f"sweep {sweep_id} · {depth} × {width}")[0].id == run_id
    assert math.isfinite(cells_of(1, 8, store.load(row.runs[0][2]))[0].val_metric)


def test_stopping_a_sweep_cancels_what_is_queued_and_the_store_says_so(tmp_path):
    # Fails if Stop sweep leaves queued architectures to train later, or if a cancelled
    # architecture's run is deleted (a reopened sweep then said "deleted", as if the user had
    # deleted it on Runs).
    store = RunStore(tmp_path / "runs.sqlite")
    queue = JobQueue(store, LocalExecutor(), max_running=1)
    base = TrainConfig(activations=("relu",), dataset="friedman", samples=4000, epochs=20)
    grid = Grid(base, (1, 2, 3), (64,))
    sweep_id = submit_sweep(queue, grid, shared_catalogue(), owner="a session")
    runs = [r for _, _, r in store.sweep(sweep_id).runs]
    stop_sweep(queue, runs, "another session")  # the owner rule: nothing stops
    assert all(queue.get(r).active for r in runs)
    stop_sweep(queue, runs, "a session")
    for run_id in runs:
        queue.wait(run_id, 300)
    statuses = [queue.get(r).record.status for r in runs]
    assert statuses[0] in ("stopped", "cancelled") and statuses[1:] == ["cancelled"] * 2
    saved = store.summaries(runs)
    assert [saved[r].status for r in runs] == statuses
    assert [b.status for b in store.load(runs[-1]).branches] == ["cancelled"]
    # The heatmap says what became of a run stopped before its first epoch, not "queued".
    first = queue.get(runs[0]).record
    expected = "done" if first.epochs_done else first.status  # stopped or cancelled
    assert {c.state for c in cells_of(1, 64, first)} == {expected}


def test_a_spec_of_a_grid_config_pickles_for_a_cluster():
    import pickle

    spec = JobSpec(Grid(TrainConfig(), (2,), (64,)).config(2, 64))
    assert pickle.loads(pickle.dumps(spec)) == spec


def test_a_transformer_sweep_checks_every_cell_and_a_cnn_sweep_is_refused():
    # Fails if only the first cell were checked: a Transformer at 10 layers would start as a
    # job and fail there, after the cells before it had trained.
    base = TrainConfig(activations=("relu", "swiglu"), dataset="pytext", model="transformer")
    grid = Grid(base, (2, 10), (64,))
    assert any("at most 8 layers" in p for p in grid.problems())
    assert Grid(base, (2, 4), (64, 128)).problems() == []
    cnn = Grid(TrainConfig(model="cnn"), (2,), (64,))
    assert any("CNN does not have" in p for p in cnn.problems())
