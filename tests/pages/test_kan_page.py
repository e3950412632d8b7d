"""AppTest for the KAN page: a fit runs as a task of the server, and the page shows its grid
ladder and the network's edge functions."""

from tests.pages.conftest import finish_task, open_app, spec


def _finish(app):
    """The page once its KAN task has ended."""
    from pages.kan import KIND, _key

    return finish_task(app, KIND, _key(_state(app)))


def _state(app) -> dict:
    return {
        "target": app.selectbox(key="kan.target").value,
        "shape": app.selectbox(key="kan.shape").value,
        "grids": sorted(app.multiselect(key="kan.grids").value),
        "optimizer": app.selectbox(key="kan.optimizer").value,
        "iterations": int(app.number_input(key="kan.iters").value),
        "seed": int(app.number_input(key="kan.seed").value),
    }


def test_a_kan_fit_runs_on_the_server_and_draws_its_ladder_and_every_edge():
    # Fails if the fit runs in the page instead of as a task, if the ladder's table misses a
    # grid or the finer grid does not fit better (pykan's example: refinement lowers the test
    # RMSE), or if the network is not drawn edge by edge (a [2, 2, 1] KAN has 4 + 2 edges).
    app = open_app("pages/kan.py")
    app.selectbox(key="kan.shape").set_value("2, 2, 1")
    app.multiselect(key="kan.grids").set_value([3, 10])
    app.number_input(key="kan.iters").set_value(60)
    app.run()
    app.button(key="kan.fit").click().run()
    _finish(app)
    table = next(d.value for d in app.dataframe if "test RMSE" in d.value.columns)
    assert list(table["G"]) == [3, 10]
    assert table["test RMSE"].iloc[1] < table["test RMSE"].iloc[0]
    assert "pykan's test RMSE" not in table.columns  # only for Example 1's [2, 1, 1]
    charts = {c.proto.id.rsplit("-", 1)[-1]: spec(c) for c in app.get("plotly_chart")}
    edges = charts["kan.edges"]
    assert len(edges["data"]) == 6
    titles = [a["text"] for a in edges["layout"]["annotations"] if a["text"]]
    assert titles[:4] == ["x1 → h1.1", "x1 → h1.2", "x2 → h1.1", "x2 → h1.2"]
    assert titles[4:] == ["h1.1 → out", "h1.2 → out"]


def test_bad_choices_are_refused_in_words():
    app = open_app("pages/kan.py")
    app.multiselect(key="kan.grids").set_value([])
    app.run()
    assert any("Pick grids" in e.value for e in app.error)
    assert not app.get("button") or all(b.key != "kan.fit" for b in app.button)


def test_the_choices_travel_in_the_link_and_a_bad_one_is_named():
    # Fails if the page's state is not in its URL (a shared link would open pykan's example
    # instead), or if a grid the page does not offer is taken silently.
    from tests.pages.conftest import open_link

    app = open_link("pages/kan.py", f="x·y", w="2, 5, 1", g="3,5", opt="adam", it="30", seed="4")
    assert _state(app) == {"target": "x·y", "shape": "2, 5, 1", "grids": [3, 5],
                           "optimizer": "adam", "iterations": 30, "seed": 4}  # fmt: skip
    bad = open_link("pages/kan.py", g="3,7")
    assert bad.multiselect(key="kan.grids").value == [3, 10, 20]
    assert any("g" in w.value for w in bad.warning)


def test_adam_fits_too():
    # Fails if the page's Adam choice does not reach the fit (the issue: Adam or L-BFGS): x·y by
    # a [2, 2, 1] KAN, 300 full-batch Adam steps at G = 3, must leave its start well behind.
    app = open_app("pages/kan.py")
    app.selectbox(key="kan.target").set_value("x·y")
    app.selectbox(key="kan.shape").set_value("2, 2, 1")
    app.multiselect(key="kan.grids").set_value([3])
    app.selectbox(key="kan.optimizer").set_value("adam")
    app.number_input(key="kan.iters").set_value(300)
    app.run()
    app.button(key="kan.fit").click().run()
    _finish(app)
    table = next(d.value for d in app.dataframe if "test RMSE" in d.value.columns)
    assert list(table["G"]) == [3]
    assert table["test RMSE"].iloc[0] < 0.1  # x·y has RMSE 0.33 around its mean of 0


def test_stop_ends_a_long_fit_within_its_optimiser_run_and_keeps_what_it_fitted():
    # Fails if the page has no Stop while a fit runs, if Stop waits for the whole ladder (4
    # grids of 5,000 L-BFGS iterations: minutes) instead of ending within the optimiser's run,
    # or if the stopped fit leaves the page without a word.
    from core.serve.store import data_dir
    from core.serve.tasks import runner_for
    from pages.kan import KIND, _key

    app = open_app("pages/kan.py")
    app.multiselect(key="kan.grids").set_value([3, 10, 20, 50])
    app.number_input(key="kan.iters").set_value(5000)
    app.run()
    app.button(key="kan.fit").click().run()
    runner = runner_for(str(data_dir()), None)
    task = runner.latest(KIND, _key(_state(app)))
    assert task is not None and task.status.active
    app.button(key="kan.stop").click().run()
    ended = runner.wait(task.id, timeout=600)
    # The first grid alone runs 2 × 2,500 L-BFGS iterations (seconds): a Stop checked only
    # between grids would have kept it; one checked within the optimiser's run keeps none.
    assert ended.state["stopped"] and ended.state["rows"] == []
    app.run()
    assert not app.exception
    assert any(m.value.startswith("Stopped") for m in app.info)
