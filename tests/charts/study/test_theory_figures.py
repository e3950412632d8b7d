"""The theory's pictures (charts/study/theory_figures.py, and the predicted depth drawn on the Depth
and Sweep figures): the edge of chaos where the theory puts it, the initialisers where Keras's
own kernels put them, and each activation's 6 ξ_c where the theory says."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from charts.grid_figures import PREDICTED_NAME, row_position, trainability_heatmap
from charts.study.depth_figures import PREDICTED_GROUP, signal_figure
from charts.study.theory_figures import DIVERGES, EDGE, critical_line, phase_figure
from core.serve.grid import Grid, cells_of
from core.study.signal_settings import INIT_SIGMA_W2, INITIALISERS
from core.train.theory import Propagation, phase_diagram
from tests.core.serve.test_grid import FINALS, _run

SW = np.linspace(0.5, 3.0, 26)  # steps of 0.1
SB = np.array([0.0, 0.025, 0.05, 0.1])


@pytest.fixture(scope="module")
def tanh_field():
    return phase_diagram(tf.math.tanh, SW, SB)


def test_the_edge_of_chaos_on_the_diagram_is_the_theorys_critical_sigma_w2(tanh_field):
    """Catches a critical line drawn on the wrong column or row (an off-by-one, rows and columns
    swapped, the line taken where χ1 crosses another level): at σ_b² = 0.05 it must sit at
    tanh's critical σ_w² within one grid step."""
    line_sw, line_sb = critical_line(tanh_field)
    at = float(line_sw[np.flatnonzero(np.isclose(line_sb, 0.05))[0]])
    step = SW[1] - SW[0]
    assert at == pytest.approx(Propagation(tf.math.tanh).critical_sigma_w2(0.05), abs=step)
    figure = phase_figure({"tanh": tanh_field}, "glorot_uniform")
    (edge,) = [t for t in figure.data if t.name == EDGE]
    np.testing.assert_allclose(edge.x, line_sw)
    np.testing.assert_allclose(edge.y, line_sb)


def test_relus_edge_is_drawn_at_two_where_its_signal_starts_to_diverge():
    """Catches a line that only follows χ1 (relu's χ1 is undefined past the edge at σ_b² = 0,
    where q* diverges) and a diverging region that is not marked."""
    field = phase_diagram(tf.nn.relu, SW, SB)
    line_sw, line_sb = critical_line(field)
    assert line_sb[0] == 0 and line_sw[0] == pytest.approx(2.0, abs=1e-9)
    figure = phase_figure({"relu": field}, "he_normal")
    grey = [t for t in figure.data if t.name == DIVERGES and t.type == "heatmap"][0]
    marked = ~np.isnan(np.array(grey.z, float))
    np.testing.assert_array_equal(marked, np.isinf(field.q_star))
    assert marked[0, SW > 2.05].all() and not marked[0, SW < 1.95].any()


@pytest.mark.parametrize("init", list(INITIALISERS))
def test_the_initialisers_points_are_where_keras_kernels_put_them(init):
    """Catches a wrong σ_w² for an initialiser (He's factor 2 forgotten, orthogonal's gain):
    N·Var(W) of the Keras initializer's own square kernel, the variance mean-field theory uses,
    must equal the point drawn, and the chosen one is the star."""
    width = 512
    kernel = getattr(keras.initializers, INITIALISERS[init][1])(seed=3)((width, width))
    measured = width * float(np.var(np.asarray(kernel)))
    assert measured == pytest.approx(INIT_SIGMA_W2[init], rel=0.02)
    figure = phase_figure({"tanh": phase_diagram(tf.math.tanh, SW[:3], SB[:2])}, init)
    points = {t.x[0]: (t.y[0], t.meta["initialisers"]) for t in figure.data if t.meta}
    assert sorted(points) == [1.0, 2.0] and {y for y, _ in points.values()} == {0.0}
    label = INITIALISERS[init][0].split(" (")[0]
    assert label in points[INIT_SIGMA_W2[init]][1]
    (star,) = [t for t in figure.data if t.name.startswith("chosen:")]
    assert (star.x[0], star.y[0]) == (INIT_SIGMA_W2[init], 0.0)


class _Signal:
    names = ("relu", "tanh")
    depth = 12
    mean = variance = dead = grad_norm = np.ones((2, 12))


def test_the_depth_chart_marks_each_predicted_depth_in_its_colour_within_the_plotted_depth():
    """Catches a mark at the wrong depth, in another activation's colour, or drawn past the
    plotted depth (tanh at σ_w² = 1, σ_b² = 0 is on the edge: its 6 ξ_c is infinite)."""
    relu = float(Propagation(tf.nn.relu).measures(1.0, 0.0).trainable_depth)
    assert relu == pytest.approx(6 / math.log(2))  # χ1 = 1/2 at q* = 0: ξ_c = 1 / ln 2
    colours = {"relu": "#2574b0", "tanh": "#d06217"}
    figure = signal_figure(_Signal(), colours, {"relu": relu, "tanh": math.inf})
    shapes = [s for s in figure.layout.shapes if "predicted" in (s.name or "")]
    assert len(shapes) == 4  # one per panel, relu only
    assert all(s.x0 == relu and s.line.color == "#2574b0" for s in shapes)
    labels = [t.name for t in figure.data if t.legendgroup == PREDICTED_GROUP]
    assert labels == ["relu: 6ξ<sub>c</sub> ≈ 8.66"]


def test_the_sweep_heatmap_draws_each_activations_predicted_depth_between_its_rows():
    """Catches a predicted-depth line in the wrong column, at a row instead of between rows, or
    at a depth that is not the theory's 6 ξ_c at Glorot's σ_w² = 1, σ_b² = 0."""
    grid = Grid(_run(2, FINALS).config, (2, 6, 10), (64,))
    cells = cells_of(2, 64, _run(2, FINALS))
    predicted = {
        "relu": float(Propagation(tf.nn.relu).measures(1.0, 0.0).trainable_depth),
        "sigmoid": float(Propagation(tf.math.sigmoid).measures(1.0, 0.0).trainable_depth),
    }
    figure = trainability_heatmap(grid, cells, "accuracy", predicted=predicted)
    lines = {t.meta["activation"]: t for t in figure.data if t.name == PREDICTED_NAME}
    assert set(lines) == {"relu", "sigmoid"}
    # relu: 6 / ln 2 = 8.66 layers, between the rows of 6 (row 1) and 10 (row 2).
    assert lines["relu"].y[0] == pytest.approx(1 + (6 / math.log(2) - 6) / 4)
    # relu is column 0: ticks at its edges, open over the middle where the cell's value is
    # written (a line across the cell struck through it).
    ends = [x for x in lines["relu"].x if x is not None]
    assert ends == pytest.approx([-0.46, -0.24, 0.24, 0.46])
    assert lines["sigmoid"].meta["depth"] == predicted["sigmoid"]
    ends = [x for x in lines["sigmoid"].x if x is not None]
    assert ends == pytest.approx([0.54, 0.76, 1.24, 1.46])
    assert row_position(predicted["sigmoid"], grid.architectures)[0] == lines["sigmoid"].y[0]
    # One unit a row and a column, laid over the heatmap: linear, or the positions would be
    # taken as categories and the lines drawn anywhere.
    assert figure.layout.yaxis2.range == (2.5, -0.5) and figure.layout.yaxis2.type == "linear"
    assert figure.layout.xaxis2.range == (-0.5, 1.5) and figure.layout.xaxis2.type == "linear"
    assert row_position(math.inf, grid.architectures) == (2.5, "below")
    # Three rows get a grid a reader can read: at least 50 px a row under the margins (the
    # defaults' three depths once got about 60 px in all).
    margins = figure.layout.margin.t + (figure.layout.margin.b or 0)
    assert (figure.layout.height - margins) / 3 >= 50
