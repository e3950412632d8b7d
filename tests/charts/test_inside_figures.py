"""The inside-the-network charts: built from plain records, no TensorFlow."""

from charts.inside_figures import distributions_figure, gradient_flow_figure, per_activation
from core.train.rates import Shown
from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig


def _branch(name, seed, entries, scale=1.0):
    b = BranchHistory(name, seed)
    for e in range(entries):
        b.grad_norm.append([scale * (e + 1), 2.0 * scale])
        b.dead.append([0.1 * e])
        b.saturated.append([None if name == "softmax" else 0.0])
        b.pre_quantiles.append([[-2.0, -1.0, 0.0, 1.0, 2.0]])
        b.act_quantiles.append([[0.0, 0.0, 0.0, 1.0, 2.0]])
    return b


def _comparison(branches):
    config = TrainConfig(activations=tuple(dict.fromkeys(b.activation for b in branches)))
    return Comparison(config, "classification", "accuracy", "test", branches, 1)


def test_a_diverged_activation_does_not_cut_the_slider_short():
    # Fails if the slider only spans the shortest history: one network that diverged in its
    # first epoch froze every other activation's charts at initialisation.
    record = _comparison([_branch("relu", 0, 4), _branch("selu", 0, 1)])
    series = per_activation(Shown.of(record))
    colours = {"relu": "#112233", "selu": "#445566"}
    for fig in (gradient_flow_figure(series, colours), distributions_figure(series, colours)):
        steps = fig.layout.sliders[0].steps
        assert [s.label for s in steps] == ["init", "1", "2", "3"]
        assert fig.layout.sliders[0].active == 3
    flow = gradient_flow_figure(series, colours)
    relu_now, selu_now = flow.data[0].y, flow.data[3].y
    assert relu_now == (4.0, 2.0) and selu_now == (None, None)  # selu has no epoch 3: a gap


def test_seeds_are_averaged_and_a_measure_that_does_not_apply_is_a_gap():
    # Fails if seeds are not averaged per entry, or a None (softmax: no per-unit derivative)
    # turns into 0 (it would read as "no saturated units").
    record = _comparison(
        [_branch("relu", 0, 2, 1.0), _branch("relu", 1, 2, 3.0), _branch("softmax", 0, 2)]
    )
    series = per_activation(Shown.of(record))
    assert series["relu"]["grad_norm"][1].tolist() == [4.0, 4.0]
    fig = gradient_flow_figure(series, {"relu": "#112233", "softmax": "#445566"})
    saturated = [t for t in fig.data if t.xaxis == "x3"]
    assert saturated[1].name == "softmax" and saturated[1].y == (None,)
