"""AppTest for the Experiments page: every experiment with its claim, criterion and links; a run
started from the page ends in a saved verdict, chart and numbers (the SELU experiment: it computes
at initialisation in seconds)."""

import time

import pytest

from core.serve import experiment_runs
from core.serve.jobs import queue_for
from core.serve.store import RunStore, data_dir
from core.study import experiments as ex
from core.study.experiments import tutorial_regression
from tests.pages.conftest import open_app, spec

SELU = "klambauer-2017-selu"


def _runner() -> experiment_runs.ExperimentRunner:
    """The runner of this test's data folder (each test has its own)."""
    folder = data_dir()
    return experiment_runs.runner_for(folder, queue_for(str(folder), RunStore()))


def _wait_for(experiment_id: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while _runner().running(experiment_id):
        assert time.monotonic() < deadline, f"{experiment_id} still running"
        time.sleep(0.2)


def test_every_experiment_shows_its_claim_source_setup_and_criterion():
    """Catches an experiment missing from the page, or one shown without its criterion."""
    app = open_app("pages/experiments.py")
    assert [t.label for t in app.tabs] == list(ex.GROUPS)
    grouped = [i for ids in ex.GROUPS.values() for i in ids]
    assert grouped == list(ex.EXPERIMENTS)  # each in one tab, in the summary's order
    titles = [h.value for h in app.subheader]
    assert titles == [f"{e.name}: {e.title}" for e in ex.EXPERIMENTS.values()]
    text = " ".join(m.value for m in app.markdown)
    for e in ex.EXPERIMENTS.values():
        assert e.claim in text and e.criterion in text and e.schedule in text
    summary = app.dataframe[0].value
    claims = [f"{e.name}: {e.title}" for e in ex.EXPERIMENTS.values()]
    assert list(summary["experiment"]) == claims
    assert not app.error
    assert list(summary["criterion"]) == [e.short_criterion for e in ex.EXPERIMENTS.values()]
    # The reference results (docs/experiments.json) draw for every experiment: a chart that
    # fails on them would show a warning instead.
    # Each verdict names where and when it was measured: "reproduced (reference run, <date>)".
    assert all(" (reference run, " in v for v in summary["verdict"])
    assert {v.split(" (reference run, ")[0] for v in summary["verdict"]} <= set(ex.VERDICTS)
    assert len(app.get("plotly_chart")) == len(ex.EXPERIMENTS)
    assert not app.warning or all("Reference verdict:" in w.value for w in app.warning)


def _verdicts(app) -> dict[str, str]:
    """The summary's verdict of each experiment by its name (a row's experiment cell is
    "name: claim")."""
    summary = app.dataframe[0].value
    rows = zip(summary["experiment"], summary["verdict"], strict=True)
    return {cell.split(": ")[0]: verdict for cell, verdict in rows}


def test_reference_results_are_labelled_first_and_judged_by_the_current_criterion():
    """Catches reference results (measured by the bench on the dev machine) dressed as results
    of this server: each tab must open with a notice saying so, the box must say "Reference
    verdict", the summary must mark the verdict, and the verdict must be the one the stored
    numbers give under the criterion on display, not the verdict string saved with them."""
    reference = experiment_runs.REFERENCE
    import json

    saved = json.loads(reference.read_text())
    app = open_app("pages/experiments.py")
    verdicts = _verdicts(app)
    for e in ex.EXPERIMENTS.values():
        label = e.verdict(saved[e.id]["measured"]).label
        assert verdicts[e.name] == f"{label} (reference run, {saved[e.id]['date']})"
    notices = [i.value for i in app.info if i.value.startswith("Not measured on this server yet")]
    assert len(notices) == len(ex.EXPERIMENTS)
    assert all("bench/experiments.py" in n and "Press Run" in n for n in notices)
    for tab in app.tabs:  # the notice comes first: right under each experiment's title
        elements = [b for b in tab if b.type not in ("tab", "flex_container", "column")]
        starts = [k for k, b in enumerate(elements) if b.type == "subheader"]
        assert starts and starts[0] == 0
        for k in starts:
            assert elements[k + 1].type == "info"
            assert elements[k + 1].value.startswith("Not measured on this server yet")
    boxes = [a.value for a in [*app.success, *app.warning, *app.info] if "Criterion:" in a.value]
    assert len(boxes) == len(ex.EXPERIMENTS)
    assert all(b.startswith("**Reference verdict: ") for b in boxes)


def test_a_result_saved_under_another_criterion_is_not_shown(monkeypatch, tmp_path):
    """Catches a page that shows a result measured or judged under an older definition of the
    experiment (its saved digest differs): the tab must say it is outdated, draw nothing, and
    the summary must not give its verdict. Also catches a page that shows the saved verdict
    string instead of judging the saved numbers by the criterion on display."""
    import json

    saved = json.loads(experiment_runs.REFERENCE.read_text())
    saved[SELU]["digest"] = "000000000000"
    saved[SELU]["verdict"] = ex.REPRODUCED
    tutorial = ex.get("tutorial-random-regression")
    saved[tutorial.id]["verdict"] = ex.NOT_REPRODUCED  # not what its numbers give
    saved[tutorial.id]["verdict_measured"] = "a stale sentence"
    stale = tmp_path / "experiments.json"
    stale.write_text(json.dumps(saved))
    import ui.study.experiments

    monkeypatch.setattr(ui.study.experiments, "REFERENCE", stale)
    ui.study.experiments.reference_results.clear()
    try:
        app = open_app("pages/experiments.py")
        verdicts = _verdicts(app)
        assert verdicts[ex.get(SELU).name] == "outdated: press Run"
        assert any("outdated" in i.value for i in app.info)
        assert len(app.get("plotly_chart")) == len(ex.EXPERIMENTS) - 1
        judged = tutorial.verdict(saved[tutorial.id]["measured"])
        assert judged.label != ex.NOT_REPRODUCED
        assert verdicts[tutorial.name].startswith(f"{judged.label} (reference run, ")
        boxes = [a.value for a in [*app.success, *app.warning, *app.info]]
        assert not any("a stale sentence" in b for b in boxes)
        assert any(judged.measured in b for b in boxes)
    finally:
        ui.study.experiments.reference_results.clear()


def test_run_on_the_page_saves_a_verdict_judged_from_its_numbers():
    """Catches a run that is not saved where a refresh finds it, or a page that shows a verdict
    other than the one its own numbers give."""
    app = open_app("pages/experiments.py")
    app.button(key=f"experiments.run.{SELU}").click().run()
    assert not app.exception
    _wait_for(SELU)
    app.run()
    assert not app.exception
    assert _runner().status(SELU).state == "done", _runner().status(SELU).error
    result = _runner().result(SELU)
    assert result is not None and result["verdict"] in ex.VERDICTS
    assert ex.get(SELU).verdict(result["measured"]).label == result["verdict"]
    alerts = [e.value for e in [*app.success, *app.warning, *app.info]]
    shown = [a for a in alerts if ex.get(SELU).criterion in a]
    assert len(shown) == 1
    assert shown[0].startswith(f"**Verdict: {result['verdict']}.** Measured: ")
    assert result["verdict_measured"] in shown[0]
    charts = [spec(c) for c in app.get("plotly_chart")]
    names = {t.get("name") for c in charts for t in c["data"]}
    assert {"selu", "relu", "tanh"} <= names
    # A fresh session (a refresh) reads the saved result.
    again = open_app("pages/experiments.py")
    here = f"{result['verdict']} (on this server, {result['date']})"
    assert _verdicts(again)[ex.get(SELU).name] == here


def test_a_training_experiment_trains_through_the_job_queue_and_lands_on_runs():
    """Catches training experiments that bypass the server's job queue (they would train
    beside a Train job instead of after it, and leave nothing on the Runs page)."""
    tutorial = "tutorial-random-regression"
    app = open_app("pages/experiments.py")
    app.button(key=f"experiments.run.{tutorial}").click().run()
    _wait_for(tutorial)
    app.run()
    assert not app.exception
    assert _runner().status(tutorial).state == "done", _runner().status(tutorial).error
    result = _runner().result(tutorial)
    (run_id,) = result["run_ids"]
    stored = RunStore(data_dir() / "runs.sqlite").load(run_id)
    assert stored.config == tutorial_regression.TUTORIAL_CONFIG and stored.status == "finished"
    # The verdict is judged from the stored run's own numbers.
    finals = [b.val_loss[-1] for b in stored.branches]
    assert result["measured"]["final_val_mse"] == pytest.approx(sum(finals) / len(finals))
    links = [link.proto for link in app.get("page_link")]
    assert any(p.page == "runs" and p.query_string == f"runs={run_id}" for p in links)
    train_links = [p for p in links if p.page == "train" and "data=random" in p.query_string]
    assert len(train_links) == 1  # "Open on Train", settings filled in


def test_each_experiment_says_how_it_differs_and_the_edge_of_chaos_draws_its_heatmap():
    """Catches an experiment tab without its one "Differs from the paper" line, and the new
    edge-of-chaos experiment missing from the page or drawn without the 6 ξ_c prediction it is
    judged against (a heatmap alone would not show what the verdict compares)."""
    app = open_app("pages/experiments.py")
    assert not app.exception
    lines = [m.value for m in app.markdown if m.value.startswith("**Differs from the paper:**")]
    assert lines == [f"**Differs from the paper:** {e.differs}" for e in ex.EXPERIMENTS.values()]
    eoc = ex.get("schoenholz-2017-edge-of-chaos")
    assert any(h.value.startswith(f"{eoc.name}: ") for h in app.subheader)
    charts = [spec(c) for c in app.get("plotly_chart")]
    heatmaps = [c for c in charts if any(t.get("type") == "heatmap" for t in c["data"])]
    assert len(heatmaps) == 1
    names = [t.get("name", "") for t in heatmaps[0]["data"]]
    assert any(n.startswith("6 ξ_c") for n in names)
    line = next(t for t in heatmaps[0]["data"] if t.get("name", "").startswith("6 ξ_c"))
    assert sum(y is not None for y in line["y"]) > 10  # drawn across the grid, not empty
    assert _verdicts(app)[eoc.name].split(" (reference run, ")[0] in ex.VERDICTS
