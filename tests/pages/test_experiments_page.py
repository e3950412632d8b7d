"""AppTest for the Experiments page: every experiment with its claim, criterion and links; a run
started from the page ends in a saved verdict, chart and numbers (the SELU experiment: it computes
at initialisation in seconds)."""

import time

from core import experiment_runs
from core import experiments as ex
from tests.pages.conftest import open_app, spec

SELU = "klambauer-2017-selu"


def _wait_for(experiment_id: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    for runner in list(experiment_runs._RUNNERS.values()):
        while runner.running(experiment_id):
            assert time.monotonic() < deadline, f"{experiment_id} still running"
            time.sleep(0.2)


def test_every_experiment_shows_its_claim_source_setup_and_criterion():
    """Catches an experiment missing from the page, or one shown without its criterion."""
    app = open_app("pages/experiments.py")
    assert [t.label for t in app.tabs] == [e.name for e in ex.EXPERIMENTS.values()]
    text = " ".join(m.value for m in app.markdown)
    for e in ex.EXPERIMENTS.values():
        assert e.claim in text and e.criterion in text and e.schedule in text
    summary = app.dataframe[0].value
    assert list(summary["experiment"]) == [e.name for e in ex.EXPERIMENTS.values()]
    assert not app.error


def test_run_on_the_page_saves_a_verdict_judged_from_its_numbers():
    """Catches a run that blocks the script, is lost when the page reruns, or shows a verdict
    other than the one its own numbers give."""
    app = open_app("pages/experiments.py")
    started = time.monotonic()
    app.button(key=f"experiments.run.{SELU}").click().run()
    assert time.monotonic() - started < 60  # the click returns while the work goes on
    _wait_for(SELU)
    app.run()
    assert not app.exception
    runner = next(iter(experiment_runs._RUNNERS.values()))
    result = runner.result(SELU)
    assert result is not None and result["verdict"] in ex.VERDICTS
    assert ex.get(SELU).verdict(result["measured"]).label == result["verdict"]
    shown = [
        e.value
        for e in app.get("alert")
        if e.value.startswith(f"**Verdict: {result['verdict']}.**")
    ]
    assert len(shown) == 1 and ex.get(SELU).criterion in shown[0]
    charts = [spec(c) for c in app.get("plotly_chart")]
    names = {t.get("name") for c in charts for t in c["data"]}
    assert {"selu", "relu", "tanh"} <= names
    # A fresh session (a refresh) reads the saved result.
    again = open_app("pages/experiments.py")
    summary = again.dataframe[0].value.set_index("experiment")
    assert summary.loc[ex.get(SELU).name, "verdict"] == result["verdict"]
    assert "on this server" in summary.loc[ex.get(SELU).name, "measured"]
