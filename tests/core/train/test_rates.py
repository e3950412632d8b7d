"""A learning-rate sweep's results from plain records: the best rate per activation, the tables
and charts that show it, and the sensitivity chart."""

import math

from charts.figures import sensitivity_chart, training_chart
from charts.tables import results_table
from core.train.rates import Shown, best_rates, sensitivity
from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig

RATES = (1e-4, 1e-3, 1e-2)


def _sweep(final_losses, diverged=()):
    """relu and tanh at RATES × 2 seeds; final_losses[(name, rate)] = the seeds' last val loss."""
    config = TrainConfig(activations=("relu", "tanh"), learning_rates=RATES, seeds=2, epochs=2)
    branches = []
    for (name, rate), losses in final_losses.items():
        for seed, last in enumerate(losses):
            b = BranchHistory(name, seed, learning_rate=rate)
            if (name, rate, seed) in diverged:
                b.status, b.diverged_epoch = "diverged", 1
            else:
                b.loss, b.val_loss = [2.0, last], [2.0, last]
                b.metric, b.val_metric = [0.1, 1 - last], [0.1, 1 - last]
                b.status = "finished"
            branches.append(b)
    return Comparison(config, "classification", "accuracy", "test", branches, 100, [1.0, 1.0])


LOSSES = {
    ("relu", 1e-4): (0.9, 0.8),
    ("relu", 1e-3): (0.3, 0.5),  # best mean final loss for relu, though not the best seed
    ("relu", 1e-2): (0.2, 0.7),
    ("tanh", 1e-4): (0.6, 0.6),
    ("tanh", 1e-3): (0.5, 0.5),
    ("tanh", 1e-2): (0.1, 0.1),
}


def test_best_rate_is_the_lowest_mean_final_validation_loss():
    # Fails if the choice follows one lucky seed, the best epoch, or the first rate.
    assert best_rates(_sweep(LOSSES)) == {"relu": 1e-3, "tanh": 1e-2}


def test_a_rate_where_a_seed_diverged_is_not_chosen():
    # Fails if a diverged seed is just left out of the mean, making a blow-up rate look best.
    comparison = _sweep(LOSSES, diverged={("tanh", 1e-2, 1)})
    assert best_rates(comparison)["tanh"] == 1e-3
    point = [p for p in sensitivity(comparison)["tanh"] if p.rate == 1e-2][0]
    assert point.diverged == 1 and math.isclose(point.val_loss, 0.1)


def test_table_and_training_charts_show_each_activation_at_its_best_rate():
    # Fails if the table or charts average over all rates (or draw a curve per rate) instead
    # of showing one row and one curve per activation, at the rate they name.
    comparison = _sweep(LOSSES)
    table = results_table(Shown.of(comparison))
    assert list(table.index) == ["relu", "tanh"]
    assert list(table["best learning rate"]) == ["0.001", "0.01"]
    assert table.loc["tanh", "final val loss"] == "0.1000 ± 0.0000"
    assert len(Shown.of(comparison).chosen.branches) == 4
    fig = training_chart([Shown.of(comparison)], {}, "loss")
    legend = [t.name for t in fig.data if t.showlegend is not False and t.legendgroup != "_style"]
    assert legend == ["relu (lr 0.001)", "tanh (lr 0.01)"]


def test_sensitivity_chart_has_one_curve_per_activation_on_a_log_rate_axis():
    # Fails if the chart drops an activation, draws a curve per seed, or uses a linear x.
    fig = sensitivity_chart(Shown.of(_sweep(LOSSES)), {"relu": "#0072b2", "tanh": "#d55e00"})
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert sorted({t.name for t in lines}) == ["relu", "tanh"] and len(lines) == 4  # 2 panels
    assert [tuple(t.x) for t in lines] == [RATES] * 4
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis2.type == "log"
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 4  # seeds as ± std bands, per activation and panel
    stars = [t for t in fig.data if t.marker.symbol == "star"]
    assert {(t.legendgroup, t.x[0]) for t in stars} == {("relu", 1e-3), ("tanh", 1e-2)}


def test_a_run_without_a_sweep_is_shown_as_before():
    # Fails if a one-rate run gains the sweep's column or its legend names a rate.
    config = TrainConfig(activations=("relu",), epochs=1)
    b = BranchHistory("relu", 0, [1.0], [1.0], [0.5], [0.5], "finished", learning_rate=1e-3)
    comparison = Comparison(config, "classification", "accuracy", "t", [b], 10, [1.0])
    assert "best learning rate" not in results_table(Shown.of(comparison)).columns
    assert training_chart([Shown.of(comparison)], {}, "loss").data[0].name == "relu"
