"""AppTest for the Depth page: its choices, its figure and table, its URL, and the Gallery's link
to it."""

import pytest
from streamlit.testing.v1 import AppTest

from activations.expression import custom_activation
from charts.study.depth_figures import PREDICTED_GROUP
from charts.study.theory_figures import EDGE
from core.train.network.diagnostics import DEAD_RULE
from tests.pages.conftest import finish_task, open_app, open_link, spec

PANELS = 4


def _depth_link(**query) -> AppTest:
    return open_link("pages/depth.py", **query)


def _chart(app, key: str) -> dict | None:
    """The page's chart with widget key `key` ("depth.chart", "depth.phase"), None if not drawn."""
    charts = [c for c in app.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(charts) <= 1
    return spec(charts[0]) if charts else None


def _figure(app) -> dict:
    """The signal chart, without the legend entries of the predicted depths."""
    figure = _chart(app, "depth.chart")
    assert figure is not None
    figure["data"] = [t for t in figure["data"] if t.get("legendgroup") != PREDICTED_GROUP]
    return figure


def test_depth_page_shows_four_panels_per_activation_with_the_dead_rule_beside_them():
    app = _depth_link(width="16", depth="6")
    figure = _figure(app)
    names = app.multiselect(key="depth.activations").value
    assert names == ["relu", "tanh", "sigmoid", "selu"]
    traces = figure["data"]
    assert len(traces) == PANELS * len(names)
    assert [t["name"] for t in traces if t.get("showlegend", True)] == names
    assert all(len(t["x"]) == 6 for t in traces)
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert any(DEAD_RULE in t for t in titles)
    colours = {t["name"]: t["line"]["color"] for t in traces}
    assert len(set(colours.values())) == len(names)  # one colour per activation, every panel
    assert list(app.dataframe[0].value.index) == names
    assert not app.error


def test_a_link_fills_the_choices_and_a_change_updates_the_figure_and_the_url():
    app = _depth_link(act="selu,relu", init="lecun_normal", depth="5", width="32", seed="7")
    assert app.selectbox(key="depth.init").value == "lecun_normal"
    assert app.slider(key="depth.depth").value == 5
    assert app.select_slider(key="depth.width").value == 32
    assert app.number_input(key="depth.seed").value == 7
    assert [t["name"] for t in _figure(app)["data"][::PANELS]] == ["selu", "relu"]

    app.slider(key="depth.depth").set_value(9).run()
    assert not app.exception
    assert len(_figure(app)["data"][0]["x"]) == 9
    assert app.query_params["depth"] in ("9", ["9"])


def test_bad_choices_are_explained_and_never_crash():
    app = _depth_link(act="softmax,relu", width="999", depth="500", init="zeros")
    warnings = " ".join(w.value for w in app.warning)
    assert "softmax" in warnings and "vector" in warnings  # left out, with the reason
    assert sum("Ignored" in w.value for w in app.warning) == 3  # width, depth, init
    assert [t["name"] for t in _figure(app)["data"][::PANELS]] == ["relu"]

    app.multiselect(key="depth.activations").set_value(["glu"]).run()
    assert not app.exception and not app.get("plotly_chart")
    assert any("glu: no mean-field theory" in c.value for c in app.caption)
    assert any("element-wise" in i.value for i in app.info)


def test_a_preset_sets_up_sigmoids_vanishing_gradients():
    app = _depth_link(width="16")
    app.button(key="depth.preset.Sigmoid's gradients vanish").click().run()
    assert not app.exception
    table = app.dataframe[0].value
    assert table.loc["sigmoid", "gradient"] == "vanishing"
    assert table.loc["relu", "gradient"] == "flows"


def test_each_gallery_entry_links_to_depth_with_it_picked():
    app = open_app("pages/gallery.py")
    app.multiselect(key="gallery.picked").set_value(["elu", "softmax"]).run()
    links = [link.proto for link in app.main.get("page_link")]
    depth_links = [link for link in links if link.label == "See it in a deep net"]
    assert len(depth_links) == 1  # elu's; softmax is a vector activation
    assert depth_links[0].page.endswith("depth") and "act=elu" in depth_links[0].query_string


def test_the_phase_diagram_has_a_panel_an_edge_and_a_table_row_per_activation():
    """Fails if the phase diagram is missing, crashes, or leaves out a picked activation, or if
    its table does not give He normal's ReLU the edge of chaos (χ1 = 1, 6 ξ_c infinite)."""
    app = _depth_link(width="16", depth="6", init="he_normal")
    assert not app.exception and not app.error
    figure = _chart(app, "depth.phase")
    names = ["relu", "tanh", "sigmoid", "selu"]
    assert [a["text"] for a in figure["layout"]["annotations"]] == names  # the panel titles
    assert sum(t.get("name") == EDGE for t in figure["data"]) == len(names)
    table = app.dataframe[1].value
    assert list(table.index) == names
    assert float(table.loc["relu", "χ1"]) == pytest.approx(1.0, abs=1e-3)  # 4 digits shown
    assert table.loc["relu", "6 ξ_c: trainable depth"] == "∞"
    assert float(table.loc["tanh", "critical σ_w² at σ_b² = 0"]) == pytest.approx(1.0, abs=1e-4)
    # No edge: written "—" (st.dataframe would draw a NaN as "None").
    assert table.loc["sigmoid", "critical σ_w² at σ_b² = 0"] == "—"


def test_a_typed_custom_gets_its_phase_diagram_and_softmax_is_told_it_has_none():
    """Fails if a session custom (its expression, not in the shared catalogue) cannot be
    computed by the cached theory, or a vector activation gets a diagram instead of the reason
    it has none."""
    app = _depth_link(width="16", depth="6")
    app.session_state["customs"] = {
        "sine": custom_activation("sine", "tf.math.sin(a * x)", {"a": (1.0, 0.1, 3.0)})
    }
    app.run()
    app.multiselect(key="depth.activations").set_value(["sine", "softmax", "relu"]).run()
    assert not app.exception and not app.error
    figure = _chart(app, "depth.phase")
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["sine", "relu"]
    assert list(app.dataframe[1].value.index) == ["sine", "relu"]
    assert any("softmax: no mean-field theory" in c.value for c in app.caption)


def _solved(app, names: tuple[str, ...], depth: int) -> AppTest:
    """The page once its "make it trainable" task of `names` at `depth` has ended."""
    from core.serve.trainable_runs import KIND, Request

    return finish_task(app, KIND, Request(names, depth).key())


def test_make_it_trainable_solves_on_the_server_and_adds_a_custom_that_travels_to_train():
    # Fails if the section computes in the page (no task), if its table misses an activation
    # or the per-layer target ζ^(1/L), if relu is not said to be solved by DKS's rule, or if
    # "Add as custom" does not give a custom whose link to Train carries its definition (def=)
    # with the depth and the orthogonal initialisation it was solved for.
    app = _depth_link(act="tanh,relu", depth="20", width="16")
    app.button(key="trainable.solve").click().run()
    _solved(app, ("tanh", "relu"), 20)
    tables = [d.value for d in app.dataframe]
    dks = next(t for t in tables if "C′(1) a layer" in t.columns)
    assert list(dks.index) == ["tanh", "relu"]
    assert dks["C′(1) a layer"].tolist() == pytest.approx([1.5 ** (1 / 20)] * 2, abs=1e-8)
    assert dks.loc["tanh", "Q′(1)"] == pytest.approx(1.0, abs=1e-8)
    assert dks.loc["relu", "conditions"] == "Q′(1) left free (below)"
    assert any("piecewise linear" in c.value for c in app.caption)
    snn = next(t for t in tables if "λ (scale)" in t.columns)
    assert list(snn.index) == ["tanh", "relu"]
    app.button(key="trainable.add.tanh_dks20").click().run()
    assert not app.exception and not app.error
    assert any("In this session" in c.value for c in app.caption)
    links = [link.proto for link in app.main.get("page_link") if link.label.startswith("Train at")]
    query = links[0].query_string
    assert "tanh_dks20" in query and "depth=20" in query and "init=orthogonal" in query
    assert "def=" in query  # the custom's definition travels with the link


def test_make_it_trainable_is_kept_when_the_page_is_opened_again():
    # Fails if the result lives in the session or in the server's memory (a new session on a
    # restarted server would have to solve again): the task's saved state is what the page
    # reads.
    app = _depth_link(act="softplus", depth="8", width="16")
    from core.serve import tasks
    from core.serve.store import data_dir

    app.button(key="trainable.solve").click().run()
    _solved(app, ("softplus",), 8)
    tasks.forget(str(data_dir()))  # as a restarted server: only the store knows the task
    again = _depth_link(act="softplus", depth="8", width="16")
    tables = [d.value for d in again.dataframe]
    assert any("C′(1) a layer" in t.columns and list(t.index) == ["softplus"] for t in tables)
    assert again.button(key="trainable.solve").label == "Solve again"


def test_each_edge_of_chaos_is_one_click_from_train_at_that_initialisation():
    # Fails if the critical σ_w² the table gives does not reach Train (issue 34: the edge of
    # chaos as an initialisation choice): relu's edge at σ_b² = 0 is σ_w² = 2 exactly (He's),
    # and its link must open Train with the Gaussian initialisation there, at this depth.
    from urllib.parse import parse_qsl

    app = _depth_link(act="relu,tanh", depth="6", width="16")
    links = [link.proto for link in app.main.get("page_link") if "σ_w²" in link.label]
    relu = next(link for link in links if link.label.startswith("relu"))
    query = dict(parse_qsl(relu.query_string))
    assert query["init"] == "mean_field" and float(query["sw2"]) == pytest.approx(2.0, abs=1e-4)
    assert query["sb2"] == "0" and query["depth"] == "6"
    train = open_link("pages/train.py", **query)
    assert not train.error
    assert train.selectbox(key="train.init").value == "mean_field"
    assert train.number_input(key="train.sigma_w2").value == pytest.approx(2.0, abs=1e-4)
    assert train.number_input(key="train.sigma_b2").value == 0.0
    assert train.slider(key="train.depth").value == 6


def test_zeta_travels_in_the_link_and_a_bad_one_is_refused_with_its_range():
    # Fails if ζ is not page state in the URL (a shared link would solve for DKS's default),
    # or if a value DKS cannot use (ζ ≤ 1) is taken silently instead of named.
    app = _depth_link(act="tanh", depth="10", width="16", zeta="2")
    assert app.number_input(key="trainable.zeta").value == 2.0
    assert app.query_params["zeta"] in ("2.0", ["2.0"], "2", ["2"])
    bad = _depth_link(act="tanh", depth="10", width="16", zeta="0.5")
    assert bad.number_input(key="trainable.zeta").value == 1.5
    assert any("zeta" in w.value for w in bad.warning)


def test_the_jacobian_spectrum_shows_orthogonal_beside_gaussian_with_the_theory_beside_it():
    # Fails if the spectrum section is missing or drops a network (one line per activation in
    # each of the orthogonal and Gaussian panels), if its table lacks the theory's moments
    # beside the measured ones, or if its σ_w² choice is not page state in the URL. At the edge
    # of chaos relu's σ_w² is 2 (He's), which the table must show; under "init" it is the
    # initialiser's, 1 for Glorot uniform.
    app = _depth_link(act="relu,tanh", depth="6", width="16")
    figure = _chart(app, "depth.spectrum")
    assert figure is not None
    panels = {(t["name"], t.get("xaxis", "x")) for t in figure["data"]}
    assert panels == {("relu", "x"), ("tanh", "x"), ("relu", "x2"), ("tanh", "x2")}
    table = next(df.value for df in app.dataframe if "mean s², theory" in df.value.columns)
    assert len(table) == 4 and "spread, measured" in table.columns
    relu = table[table["activation"] == "relu"]
    assert relu["σ_w²"].tolist() == pytest.approx([2.0, 2.0], abs=1e-4)
    app.radio(key="spectrum.scale").set_value("init").run(timeout=120)
    assert app.query_params["jscale"] in ("init", ["init"])
    table = next(df.value for df in app.dataframe if "mean s², theory" in df.value.columns)
    assert table["σ_w²"].tolist() == [1.0] * 4
    bad = _depth_link(act="tanh", depth="6", width="16", jscale="wild")
    assert bad.radio(key="spectrum.scale").value == "edge"
    assert any("jscale" in w.value for w in bad.warning)


def test_all_activations_train_in_one_run_each_at_its_own_edge_of_chaos():
    # Fails if the edge of chaos is not an initialisation choice of a whole run (issue 34 (a)):
    # Depth's one link must open Train with the edge-of-chaos initialisation for every picked
    # activation that has an edge, and the run must train (each network drawn at its own
    # σ_w², which tests/core/train/network/test_initialisers.py checks against plain Keras).
    from urllib.parse import parse_qsl

    from tests.pages.conftest import finish_jobs

    app = _depth_link(act="relu,tanh,sigmoid", depth="2", width="16")
    link = next(x.proto for x in app.main.get("page_link") if "each at its own edge" in x.label)
    query = dict(parse_qsl(link.query_string))
    assert query["act"] == "relu,tanh" and query["init"] == "edge_of_chaos"  # sigmoid has none
    train = open_link("pages/train.py", **query, data="random", n="200", ep="1")
    assert train.selectbox(key="train.init").value == "edge_of_chaos"
    assert train.number_input(key="train.sigma_w2").disabled
    assert not train.number_input(key="train.sigma_b2").disabled
    train.button(key="train.go").click().run()
    finish_jobs(train)
    assert not train.error, [e.value for e in train.error]
    assert train.dataframe  # the results table


def test_gated_rows_sit_beside_the_elementwise_ones_with_their_closed_forms():
    """Fails if the toggle adds no rows, or rows that are not the gated theory's: at Glorot
    (σ_w² = 1, σ_b² = 0) a stack of sigmoid(u)·v layers shrinks to q* = 0 where χ1 =
    σ_w² σ(0)² = 1/4, and relu(u)·v (length map q²/2) has χ1 → 0; from unit length relu(u)·v
    stops shrinking at σ_w² = 2 exactly, sigmoid(u)·v at σ_w² = 1/E σ(z)² (SciPy's quadrature).
    The toggle travels in the link."""
    import numpy as np
    from scipy import integrate, stats

    app = _depth_link(width="16", depth="6", act="relu,sigmoid", gated="1")
    assert not app.exception and not app.error
    table = app.dataframe[1].value
    assert list(table.index) == ["relu", "sigmoid", "relu(u)·v", "sigmoid(u)·v"]
    assert float(table.loc["sigmoid(u)·v", "χ1"]) == pytest.approx(0.25, abs=1e-3)
    assert float(table.loc["relu(u)·v", "χ1"]) == pytest.approx(0.0, abs=1e-3)
    square, _ = integrate.quad(lambda z: stats.norm.pdf(z) / (1 + np.exp(-z)) ** 2, -30, 30)
    edge = table.loc["sigmoid(u)·v", "critical σ_w² at σ_b² = 0"]
    assert float(edge) == pytest.approx(1 / square, rel=1e-3)
    assert float(table.loc["relu(u)·v", "critical σ_w² at σ_b² = 0"]) == pytest.approx(
        2.0, rel=1e-4
    )
    assert any("Rows f(u)·v" in c.value for c in app.caption)
    plain = _depth_link(width="16", depth="6", act="relu,sigmoid")
    assert list(plain.dataframe[1].value.index) == ["relu", "sigmoid"]
