"""AppTest for the Sweep page: its plan, its checks, a sweep from the button to the heatmap and
its downloads, a link that reopens a saved sweep, and Runs listing it."""

import pytest
from streamlit.testing.v1 import AppTest

from charts.grid_figures import PREDICTED_NAME
from core.serve import jobs
from core.serve.store import RunStore, data_dir
from tests.pages.conftest import APP, finish_jobs, open_link, spec

TINY = dict(act="relu,sigmoid", data="friedman", n="400", ep="1", lrs="0.001,0.01", bs="64")


def _sweep_link(**query) -> AppTest:
    return open_link("pages/sweep.py", **query)


def _heatmap(app) -> dict:
    charts = app.get("plotly_chart")
    assert len(charts) == 1
    heatmaps = [t for t in spec(charts[0])["data"] if t["type"] == "heatmap"]
    return heatmaps[-1]  # the values, over the grey tiles


def test_the_page_states_its_plan_and_refuses_an_empty_grid():
    # Fails if the plan miscounts jobs or networks, or an empty grid can be started.
    app = _sweep_link(**TINY, depths="1,2,4", widths="8,16")
    plan = " ".join(c.value for c in app.caption)
    assert "6 jobs" in plan and "24 networks" in plan  # 3 depths × 2 widths; 2 acts × 2 rates
    assert not app.button(key="sweep.go").disabled
    app.multiselect(key="sweep.depths").set_value([]).run()
    assert not app.exception
    assert [e.value for e in app.error] == ["Choose at least one depth."]
    assert app.button(key="sweep.go").disabled


def test_a_bad_link_is_explained_not_crashed():
    # Fails if a mangled link crashes the page instead of falling back with a notice.
    app = _sweep_link(depths="2,999", widths="abc", sweep="12345")
    notices = " ".join(w.value for w in app.warning)
    assert "depths" in notices and "widths" in notices
    assert any("Sweep 12345 is not in the run store" in i.value for i in app.info)


def test_a_sweep_runs_to_a_heatmap_with_downloads_and_is_listed_on_runs():
    # Fails if Start sweep does not queue one run per depth, if the finished page lacks the
    # heatmap's rows and values or its CSV, or if Runs does not offer the sweep again.
    app = _sweep_link(**TINY, depths="1,3", widths="8")
    app.button(key="sweep.go").click().run()
    assert not app.exception
    finish_jobs(app)
    heat = _heatmap(app)
    assert heat["y"] == ["1 layer", "3 layers"] and heat["x"] == ["relu", "sigmoid"]
    assert all(isinstance(v, float) for row in heat["z"] for v in row)
    assert "best learning rate" in heat["customdata"][0][0]
    # Mean-field theory's predicted depth, one line per activation column, and what it is.
    lines = [t for t in spec(app.get("plotly_chart")[0])["data"] if t.get("name") == PREDICTED_NAME]
    assert [t["meta"]["activation"] for t in lines] == ["relu", "sigmoid"]
    assert any("Schoenholz" in c.value for c in app.caption)
    store = RunStore()
    (row,) = store.sweeps()
    assert [(d, w) for d, w, _ in row.runs] == [(1, 8), (3, 8)]
    assert app.query_params["sweep"] in (str(row.id), [str(row.id)])
    assert any(b.label == "Grid CSV" for b in app.get("download_button"))

    runs = AppTest.from_file(APP, default_timeout=300)
    runs.run()
    runs.switch_page("pages/runs.py").run()
    assert not runs.exception
    listed = " ".join(m.value for m in runs.markdown)
    assert f"**Sweep {row.id}**" in listed and "2 architectures · finished" in listed

    jobs.forget(str(data_dir()))  # a restarted server: the records now come from the store alone
    again = _sweep_link(sweep=str(row.id))  # a new session: the link alone reopens it
    assert _heatmap(again)["z"] == heat["z"]
    # ... with its settings filled in, to change one thing and start it again.
    assert again.multiselect(key="sweep.depths").value == [1, 3]
    assert again.multiselect(key="sweep.activations").value == ["relu", "sigmoid"]
    assert again.selectbox(key="sweep.dataset").value == "friedman"

    store.delete(row.runs[1][2])  # deleted on Runs: the sweep says so instead of showing it
    again.run()
    assert _heatmap(again)["text"][1] == ["deleted", "deleted"]


def test_deleting_a_sweep_keeps_its_runs_unless_asked():
    # Fails if deleting a sweep silently deletes the user's runs, or cannot delete them when
    # asked to.
    for delete_runs in (False, True):
        app = _sweep_link(**{**TINY, "lrs": "0.01"}, depths="1", widths="8")
        app.button(key="sweep.go").click().run()
        finish_jobs(app)
        store = RunStore()
        row = store.sweeps()[0]
        (run_id,) = [r for _, _, r in row.runs]
        if delete_runs:
            app.checkbox(key=f"sweep.{row.id}.delete_runs").check().run()
        app.button(key=f"sweep.{row.id}.delete").click().run()
        assert not app.exception
        assert row.id not in [s.id for s in store.sweeps()]
        assert (run_id in store.summaries([run_id])) is not delete_runs
        assert "sweep" not in app.query_params


def test_a_sweep_trains_and_predicts_at_the_initialisation_chosen():
    # Fails if the Sweep page's initialisation (the settings table's, as on Train) does not
    # reach its runs, or if the theory line stays at Glorot's σ_w² = 1 for He's kernels
    # (σ_w² = N·Var(W) = 2 on square layers: He normal's variance is 2 / fan_in).
    from activations import shared_catalogue
    from ui.study.theory import measures_at

    app = _sweep_link(**TINY, depths="1", widths="8", init="he_normal")
    assert app.selectbox(key="sweep.init").value == "he_normal"
    app.button(key="sweep.go").click().run()
    assert not app.exception
    finish_jobs(app)
    (summary,) = RunStore().runs()
    assert RunStore().load(summary.id).config.init == "he_normal"
    assert any("σ_w² = 2 and σ_b² = 0" in c.value and "He normal" in c.value for c in app.caption)
    lines = [t for t in spec(app.get("plotly_chart")[0])["data"] if t.get("name") == PREDICTED_NAME]
    drawn = next(t for t in lines if t["meta"]["activation"] == "sigmoid")["meta"]["depth"]
    sigmoid = [shared_catalogue().get("sigmoid")]
    at = {w2: float(measures_at(sigmoid, w2, 0.0)["sigmoid"].trainable_depth) for w2 in (1, 2)}
    assert at[1] != pytest.approx(at[2], rel=0.01)  # the two initialisations are told apart
    assert drawn == pytest.approx(at[2], rel=1e-9)  # the same function, as JSON


def test_a_sweep_at_the_edge_of_chaos_draws_each_activation_at_its_own_critical_sigma():
    # Fails if the Sweep's edge-of-chaos initialisation does not reach its runs, or reaches
    # them at one σ_w² for all: at σ_b² = 0 relu's edge is σ_w² = 2 and tanh's σ_w² = 1 (closed
    # forms: relu's χ1 = σ_w²/2, tanh's χ1 = σ_w² tanh′(0)² at q* = 0), and if the caption does
    # not say where its predicted line is drawn.
    app = _sweep_link(**{**TINY, "act": "relu,tanh"}, depths="1", widths="8", init="edge_of_chaos",
                      sb2="0")  # fmt: skip
    assert app.selectbox(key="sweep.init").value == "edge_of_chaos"
    app.button(key="sweep.go").click().run()
    assert not app.exception
    finish_jobs(app)
    (summary,) = RunStore().runs()
    record = RunStore().load(summary.id)
    assert record.config.init == "edge_of_chaos"
    assert record.init_sigma_w2["relu"] == pytest.approx(2.0, rel=1e-6)
    assert record.init_sigma_w2["tanh"] == pytest.approx(1.0, rel=1e-6)
    assert any("each activation's own critical σ_w²" in c.value for c in app.caption)
    assert not app.error
