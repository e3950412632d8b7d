"""AppTest for the Search page: bad settings are explained, a tiny search runs from the button to
a leaderboard with the relu and silu baselines, a link reopens it, its best candidate goes to
the Gallery and to Train in one click, an interrupted search offers Resume, and Runs lists it.

Every search here is tiny (600 MNIST-1D signals, 1 epoch, 1 seed, K = 2, 4 candidates, width 32)
and the tests wait for it to end (the runner's thread), never for a wall-clock time."""

import re
import socket
import subprocess

from core.serve import search_jobs, tasks
from core.serve.jobs import queue_for
from core.serve.store import RunStore, data_dir
from core.study.search.search import SearchSettings, SearchState
from tests.pages.conftest import open_app, open_link

TINY = dict(n="600", ep="1", seeds="1", k="2", budget="4", width="32", pop="2", sample="1")
TINY_SETTINGS = SearchSettings(
    samples=600, epochs=1, seeds=1, k=2, candidates=4, width=32, population=2, sample=1
)


def _runner() -> search_jobs.SearchRunner:
    folder = str(data_dir())  # this test's data folder, this test's runner
    return search_jobs.runner_for(folder, RunStore(), queue_for(folder, RunStore()))


def _finished(app, search_id: int):
    """Wait for the search's thread to end, then rerun the page (AppTest does not run the
    self-refreshing fragment on a clock)."""
    state = _runner().wait(search_id, 600)
    app.run()
    assert not app.exception
    return state


def _started(app) -> int:
    app.button(key="search.go").click().run()
    assert not app.exception
    return app.session_state["search.shown"]


def test_bad_settings_are_explained_and_cannot_start():
    # Fails if settings the search refuses crash the page or can be started, or if a mangled
    # link is not ignored with a notice.
    app = open_link("pages/search.py", **{**TINY, "pop": "2", "sample": "5", "unary": "0,99"})
    assert "unary" in " ".join(w.value for w in app.warning)  # position 99 does not exist
    assert [e.value for e in app.error] == ["The sample must be 1 to the population."]
    assert app.button(key="search.go").disabled
    app.multiselect(key="search.unary").set_value([]).run()
    errors = [e.value for e in app.error]
    assert "Choose at least one unary function." in errors
    assert app.button(key="search.go").disabled


def test_the_plan_states_the_space_and_the_batches():
    # Fails if the page miscounts the space (binary × unary²) or the batches of K.
    app = open_link("pages/search.py", **TINY, unary="0,2,14", binary="1,6")
    plan = " ".join(c.value for c in app.caption)
    assert "2 binary × 3² unary = **18 core units**" in plan
    assert "up to 4 candidates in 2 batches of 2" in plan
    assert not app.button(key="search.go").disabled


def _expected_minutes(app) -> float:
    plan = " ".join(c.value for c in app.caption)
    return float(re.search(r"Expect about ([\d.]+) min", plan).group(1))


def test_the_estimate_grows_with_the_candidates_and_counts_what_a_search_costs():
    # Fails if 200 candidates and 16 are estimated alike (the page said "roughly 1 min" for
    # both; bench/search.py measured 0.8 and about 4.6 to 8.5 min on 2 cores), i.e. if the
    # estimate leaves out each batch's tracing, the expressions' cost or the screening.
    small = _expected_minutes(open_link("pages/search.py", budget="16"))
    large = _expected_minutes(open_link("pages/search.py", budget="200"))
    assert 0.4 <= small <= 1.6  # measured 0.8 min: within [0.5, 2] of it
    assert 2.3 <= large <= 9.2  # measured 4.6 (quiet) to 8.5 min (loaded)
    assert large > 3 * small


def test_a_tiny_search_fills_its_leaderboard_beside_relu_and_silu_and_a_link_reopens_it():
    # Fails if Start does not start a search, if the finished page lacks the baselines' scores,
    # a row per scored candidate best first, or the refused ones; if the URL does not name the
    # search; or if a new session opened from the link does not show the same leaderboard with
    # the search's settings filled in.
    app = open_link("pages/search.py", **TINY)
    search_id = _started(app)
    state = _finished(app, search_id)
    assert state.status == "finished" and set(state.baselines) == {"relu", "silu"}
    metrics = {m.label: m.value for m in app.metric}
    assert set(metrics) >= {"Baseline relu", "Baseline silu (Swish, β = 1)"}
    assert metrics["Baseline relu"].endswith(" %")
    board = app.dataframe[0].value
    assert list(board["name"]) == [e.name for e in state.leaderboard()]
    assert len(board) == len(state.scored) == 4
    scores = list(board["score %"])
    assert scores == sorted(scores, reverse=True)
    assert app.query_params["search"] in (str(search_id), [str(search_id)])
    assert any("Finished" in s.value for s in app.success)

    tasks.forget(str(data_dir()))  # a restarted server: the state comes from the store alone
    again = open_link("pages/search.py", search=str(search_id))
    assert list(again.dataframe[0].value["name"]) == list(board["name"])
    assert again.number_input(key="search.k").value == 2
    assert again.number_input(key="search.candidates").value == 4


def test_a_candidate_goes_to_the_gallery_and_to_train_in_one_click():
    # Fails if "Open in Gallery" does not add the candidate to this session's catalogue and open
    # the Gallery with it picked, or "Train vs relu, silu" does not open Train with it, relu and
    # silu on the search's dataset and model.
    app = open_link("pages/search.py", **TINY)
    search_id = _started(app)
    state = _finished(app, search_id)
    best = state.leaderboard()[0]
    name = f"s{search_id}_{best.name}"
    app.button(key="search.to_gallery").click().run()
    assert not app.exception
    assert name in app.session_state["customs"]
    assert app.session_state["customs"][name].expression == best.expression
    assert app.multiselect(key="gallery.picked").value == [name]

    train = open_link("pages/search.py", search=str(search_id))
    train.button(key="search.to_train").click().run()
    assert not train.exception
    assert train.multiselect(key="train.activations").value == [name, "relu", "silu"]
    assert train.selectbox(key="train.dataset").value == "mnist1d"
    assert train.session_state["train.width"] == 32 and train.session_state["train.epochs"] == 1


def test_an_interrupted_search_says_so_and_resumes_to_the_end():
    # Fails if a search whose server died still reads as running, if the page does not offer
    # Resume, or if Resume does not carry it to the end of its budget.
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process that has ended: the search's owner is dead
    store = RunStore()
    search_id = store.save_search(
        SearchState(TINY_SETTINGS).to_dict(),
        "dead server",
        owner=f"{gone.pid}@{socket.gethostname()}",
    )
    app = open_link("pages/search.py", search=str(search_id))
    assert any("Interrupted" in w.value for w in app.warning)
    app.button(key="search.resume").click().run()
    assert not app.exception
    state = _finished(app, search_id)
    assert state.status == "finished" and len(state.scored) == 4
    assert any("Finished" in s.value for s in app.success)


def test_runs_lists_the_search_and_opens_it_on_the_search_page():
    # Fails if the Runs page has no Searches section or it does not link to the Search page.
    store = RunStore()
    search_id = store.save_search(SearchState(TINY_SETTINGS, status="stopped").to_dict(), "mine")
    runs = open_app("pages/runs.py")
    listed = " ".join(m.value for m in runs.markdown)
    assert f"**Search {search_id}** · mine · 0 candidates scored · stopped" in listed
    links = [link.proto for link in runs.get("page_link")]
    assert any(p.page == "search" and p.query_string == f"search={search_id}" for p in links)


def test_a_search_this_session_did_not_start_cannot_be_stopped_from_it():
    # Fails if a session with no key could stop a search it never started (an experiment's, or
    # one started elsewhere): with no owner recorded, "no owner" must not match "no key".
    open_app("pages/search.py")  # makes this data folder's runner
    long = SearchSettings(**{**TINY_SETTINGS.__dict__, "candidates": 40, "epochs": 3})
    search_id = _runner().start(long, "another session", name="not mine")
    try:
        app = open_link("pages/search.py", search=str(search_id))
        assert not app.exception
        assert _runner().running(search_id)  # 40 candidates: minutes, the page opens in seconds
        stop = app.button(key="search.stop")
        assert stop.disabled and "Only the session that started" in stop.help
    finally:
        assert _runner().stop(search_id, "another session")
        assert _runner().wait(search_id, 600).status == "stopped"


def test_a_learnable_shape_from_the_link_is_a_baseline_and_the_saved_search_brings_it_back():
    # Fails if the page does not offer a session's rational as a baseline, if the pick does not
    # reach the search (no score beside relu and silu), or if a fresh session opening the saved
    # search lacks the shape (its definition must come with the search, not the session).
    import json

    import numpy as np

    from activations import shared_catalogue
    from core.study.shapes import rational

    gelu = shared_catalogue().get("gelu")
    fit = rational.fit(lambda x: np.asarray(gelu.curve(x), np.float64), 3, 2)
    definition = {"expression": fit.text, "params": {p: list(v) for p, v in fit.settings().items()}}
    app = open_link(
        "pages/search.py",
        **TINY,
        shapes="gelu_pau",
        **{"def": json.dumps({"gelu_pau": definition})},
    )
    assert app.multiselect(key="search.shapes").value == ["gelu_pau"]
    search_id = _started(app)
    state = _finished(app, search_id)
    assert [n for n, _, _ in state.settings.shapes] == ["gelu_pau"]
    assert set(state.baselines) == {"relu", "silu", "gelu_pau"}
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Baseline gelu_pau (learned shape)"].endswith(" %")

    again = open_link("pages/search.py", search=str(search_id))
    assert again.session_state["customs"]["gelu_pau"].expression == fit.text
    assert again.multiselect(key="search.shapes").value == ["gelu_pau"]
    assert not again.exception
