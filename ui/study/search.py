"""The Search page's parts: its settings form, the plan, Start / Stop / Resume, the live progress
and the leaderboard with its way out to the Gallery, Train and this session's catalogue.

A search is a server-side job (core/serve/search_jobs.py): the page only starts, stops, resumes
and reads it, and a fragment that reruns itself shows the search while it runs.
"""

from __future__ import annotations

import math
import time

import streamlit as st

from charts.search.leaderboard import (
    PROPERTIES,
    RANKING,
    SCORE_TEXT,
    SWISH_TEXT,
    THUMB_CLIP,
    baselines,
    leaderboard_frame,
    percent,
    refused_frame,
)
from charts.search.progress import progress_figure
from core.serve.search_jobs import SearchRunner, runner_for
from core.serve.store import INTERRUPTED, MissingRun, StoreError, data_dir
from core.study.search.search import (
    BETA_RANGE,
    BINARY,
    LIMITS,
    MAX_SHAPES,
    UNARY,
    Entry,
    SearchSettings,
    SearchState,
    estimate_search_seconds,
)
from core.study.search.space import BETA
from core.study.signal_settings import WIDTHS
from core.train.datasets import DATASETS, DatasetError
from core.train.settings import BY_NAME
from ui.customs import CUSTOMS_KEY, add_custom
from ui.data import dataset
from ui.jobs import controls_row, job_queue, resume_button, session_token, stop_button
from ui.nav import link_to
from ui.palette import page_theme
from ui.train.controls import setting_widgets
from ui.train.runs import store
from ui.url import SEARCH_CLASSIFICATION, SEARCH_TRAIN_SETTINGS, default, train_query

SHOWN, KEY = "search.shown", "search.key"
DATASET_LABELS = {"mnist1d": "MNIST-1D", "mnist": "MNIST digits"}
BOARD = "search.board"  # the leaderboard's row selection
# Rows of three lines: Streamlit wraps a cell's text in rows taller than 64 px, and the longest
# expression of the space (115 characters) takes three lines of its column.
BOARD_ROW_PX = 66
SEARCHES_LISTED = 20
ENDED_TEXT = {
    "finished": "Finished",
    "stopped": "Stopped",
    INTERRUPTED: "Interrupted",
    "failed": "Failed",
    "running": "Running",
}


def search_runner() -> SearchRunner | None:
    """The process's search runner for the data folder in use; None (the page says why) when the
    run store cannot be opened."""
    runs_store = store()
    if runs_store is None:
        return None
    return runner_for(str(data_dir()), runs_store, job_queue())


def _key() -> str | None:
    """This session's key for the search it shows: the token it started (or resumed) it with,
    kept in the link (key=) so a refresh keeps it. The task runner's owner rule
    (core/serve/tasks.py `may_stop`) compares it with the search's owner."""
    return st.session_state.get(KEY)


# --- the settings ---------------------------------------------------------------------------


def _defaults() -> None:
    """Each widget's first value, the search's defaults (a link overrides them)."""
    start = SearchSettings()
    for name in (*SEARCH_TRAIN_SETTINGS, "dataset", "width", "seeds", "k", "candidates"):
        default(f"search.{name}", getattr(start, name))
    for name in ("minutes", "population", "sample", "seed", "learn_beta"):
        default(f"search.{name}", getattr(start, name))
    default("search.unary", list(UNARY))
    default("search.binary", list(BINARY))
    default("search.name", "")


def settings_ui() -> tuple[SearchSettings, str]:
    """The form: what trains, how the search explores, and its space; returns the settings."""
    _defaults()
    training, search = st.columns(2, gap="large")
    with training:
        st.markdown("**What each candidate trains on**")
        dataset_name = st.selectbox(
            "Dataset",
            SEARCH_CLASSIFICATION,
            format_func=DATASET_LABELS.get,
            key="search.dataset",
            help="Classification only: the score is validation accuracy. MNIST-1D is small and "
            "tells activations apart; MNIST (784 inputs) costs about 20× more per candidate.",
        )
        values = setting_widgets(
            [BY_NAME[s] for s in ("samples", "depth")], "search", [], {"model": "mlp"}
        )
        width = st.select_slider(
            "Width",
            WIDTHS,
            key="search.width",
            help="Units per hidden layer; the screen's untrained 10-layer network has it too.",
        )
        values = setting_widgets(
            [BY_NAME[s] for s in ("optimizer", "learning_rate", "batch_size", "epochs")],
            "search",
            [],
            values,
        )
    with search:
        st.markdown("**How the search explores**")
        seeds = st.slider(
            LIMITS["seeds"].label,
            int(LIMITS["seeds"].low),
            int(LIMITS["seeds"].high),
            key="search.seeds",
            help="Every candidate and baseline trains from these initialisations; the score is "
            "the mean over them.",
        )
        k = _number("k", "Trained together in one fused model (one run on Runs).")
        budget, minutes = st.columns(2)
        with budget:
            candidates = _number("candidates", "Budget: candidates scored.")
        with minutes:
            time_budget = _number("minutes", "Budget: no batch starts after this much searching.")
        pop, sample = st.columns(2)
        with pop:
            population = _number(
                "population",
                "Regularised evolution (Real et al. 2019): the first this many are drawn at "
                "random, then parents come from the this-many most recent candidates.",
            )
        with sample:
            sample_size = _number(
                "sample", "Each new candidate mutates the best of this many from the population."
            )
        seed = _number("seed", "Draws, mutations and the batches' order.")
        learn_beta = st.toggle(
            "Learn β",
            key="search.learn_beta",
            help=f"β starts at {BETA_RANGE[0]:g}; learned, it trains per unit with the weights "
            f"in [{BETA_RANGE[1]:g}, {BETA_RANGE[2]:g}]. Off: β stays 1.",
        )
    # The space across the form: its 25 + 10 chips wrap on a few rows, all in sight (in a
    # third of the width the boxes scrolled, most chips hidden).
    st.markdown("**The space: b(u1(x), u2(x))**")
    unary = st.multiselect(
        "Unary functions u1, u2",
        list(UNARY),
        key="search.unary",
        help="Ramachandran, Zoph & Le (2017)'s unary set; narrow it to search a smaller space.",
        wrap=True,
    )
    binary = st.multiselect(
        "Binary functions b",
        list(BINARY),
        key="search.binary",
        help="The paper's binary set: x1 is u1(x), x2 is u2(x).",
        wrap=True,
    )
    shapes = shapes_ui()
    name = st.text_input("Name (optional)", key="search.name", max_chars=120)
    settings = SearchSettings(
        dataset=dataset_name,
        samples=int(values["samples"]),
        depth=int(values["depth"]),
        width=int(width),
        optimizer=values["optimizer"],
        learning_rate=float(values["learning_rate"]),
        batch_size=int(values["batch_size"]),
        epochs=int(values["epochs"]),
        seeds=int(seeds),
        k=int(k),
        candidates=int(candidates),
        minutes=float(time_budget),
        population=int(population),
        sample=int(sample_size),
        seed=int(seed),
        learn_beta=bool(learn_beta),
        unary=tuple(u for u in UNARY if u in unary),
        binary=tuple(b for b in BINARY if b in binary),
        shapes=shapes,
    )
    return settings, name


def shapes_ui() -> tuple:
    """The learnable-shape baselines: this session's customs with parameters (a rational or a
    spline made on the Custom page), as plain data for the settings."""
    customs = {n: a for n, a in st.session_state.get(CUSTOMS_KEY, {}).items() if a.params}
    # A name the session no longer has (removed on Custom) leaves the choice.
    kept = [n for n in st.session_state.get("search.shapes", []) if n in customs]
    if kept != st.session_state.get("search.shapes", []):
        st.session_state["search.shapes"] = kept
    picked = st.multiselect(
        "Learnable-shape baselines",
        list(customs),
        key="search.shapes",
        max_selections=MAX_SHAPES,
        placeholder="Add a rational or spline from the Custom page"
        if customs
        else "None in this session: make a rational or spline on the Custom page",
        disabled=not customs,
        help="Customs of this session with parameters (Custom page: rational or spline "
        "activation). Each trains beside relu and silu with every parameter learned per layer, "
        "on the same data and seeds: a yardstick that learns its shape.",
    )
    return tuple(
        (n, customs[n].expression, tuple((p.name, (float(p.default), float(p.low),
         float(p.high))) for p in customs[n].params))
        for n in picked
    )  # fmt: skip


def _minutes(minutes: float) -> str:
    return f"{minutes:.1f} min" if minutes < 10 else f"{round(minutes)} min"


def _number(name: str, help_text: str):
    """A number box of the search's own settings, from its table of ranges (LIMITS). No bounds
    in the box: a typed value past them reaches the check, which says the limit (a bounded box
    keeps its old value without a word)."""
    limit = LIMITS[name]
    step = limit.step if isinstance(limit.step, float) else int(limit.step)
    return st.number_input(
        limit.label, step=step, key=f"search.{name}", help=f"{help_text} From {limit.text()}."
    )


def plan_ui(settings: SearchSettings) -> list[str]:
    """The settings' problems as errors, else the space's size and roughly how long it takes."""
    problems = settings.problems()
    for problem in problems:
        st.error(problem)
    if problems:
        return problems
    config = settings.config(("relu",))
    try:
        data = dataset(
            config.dataset, config.samples or None, config.val_fraction, 1.0, config.data_seed, None
        )
    except DatasetError as exc:
        st.error(f"The dataset could not be loaded: {exc}")
        return [str(exc)]
    batches = math.ceil(settings.candidates / settings.k)
    minutes = min(estimate_search_seconds(settings, data) / 60, settings.minutes)
    space = settings.space
    st.caption(
        f"**Space:** {len(space.binary)} binary × {len(space.unary)}² unary = "
        f"**{space.size:,} core units**. The search trains {_yardstick(settings)} first (the "
        "yardstick), "
        f"then up to {settings.candidates} candidates in {batches} batch"
        f"{'es' * (batches > 1)} of {settings.k}, each with {settings.seeds} seed"
        f"{'s' * (settings.seeds > 1)} × {settings.epochs} epochs on {data.describe()}. "
        f"Expect about {_minutes(minutes)} on this server, screening and tracing included (stopped "
        f"at {settings.minutes:g} min; measured on 2 cores, slower when the server is busy)."
    )
    return []


def _yardstick(settings: SearchSettings) -> str:
    shapes = [name for name, _, _ in settings.shapes]
    if not shapes:
        return "relu and silu"
    return f"relu, silu and {', '.join(shapes)} (each learning its shape per layer)"


def start_ui(runner: SearchRunner, settings: SearchSettings, name: str, problems) -> None:
    if not st.button(
        "Start search",
        type="primary",
        disabled=bool(problems),
        key="search.go",
        help="Runs on the server: its batches train as jobs and are saved whether or not this "
        "tab stays open.",
    ):
        return
    try:
        search_id = runner.start(settings, session_token(), name=name)
    except (ValueError, StoreError, DatasetError) as exc:
        st.error(str(exc))
        return
    st.session_state[SHOWN], st.session_state[KEY] = search_id, session_token()


def fill_from_saved(runner: SearchRunner) -> None:
    """A link that names only a search (Runs' Open, the list below) fills the form with that
    search's settings, once, so a user can change one thing and start it again."""
    shown = st.query_params.get("search")
    if not shown or not set(st.query_params) <= {"search", "key"}:
        return
    if st.session_state.get("search.filled") == shown:
        return
    try:
        settings = SearchSettings.from_dict(runner.store.search(int(shown)).state["settings"])
    except (MissingRun, StoreError, ValueError, KeyError, TypeError, OverflowError):
        return  # shown_ui says the search is missing
    for name, value in settings.to_dict().items():
        if f"search.{name}" in DEFAULTS_KEYS:
            st.session_state[f"search.{name}"] = value
    st.session_state["search.shapes"] = shapes_from_saved(settings.shapes)
    st.session_state["search.filled"] = shown


def shapes_from_saved(shapes) -> list[str]:
    """A saved search's learnable-shape baselines join this session, compiled again by the
    safe compiler; the names to pick. One that cannot join (its name is a shared activation's
    now, it does not compile, or this session has another definition under its name) is left
    out with a warning that says why: the form then differs from the saved search there."""
    from activations.expression import ExpressionError, custom_activation

    session = st.session_state.get(CUSTOMS_KEY, {})
    picked = []
    for name, expression, params in shapes:
        here = session.get(name)
        if here is not None and (here.expression, bool(here.params)) != (expression, True):
            st.warning(
                f"The saved search's baseline {name} is not picked: this session has another "
                f"{name} ({here.expression}). Rename one on the Custom page to compare both."
            )
            continue
        try:
            if here is None:
                add_custom(custom_activation(name, expression, dict(params)))
        except (ExpressionError, ValueError) as exc:
            st.warning(f"The saved search's baseline {name} cannot join this session: {exc}")
            continue
        picked.append(name)
    return picked


DEFAULTS_KEYS = {
    f"search.{n}"
    for n in (
        *SEARCH_TRAIN_SETTINGS,
        "dataset",
        "width",
        "seeds",
        "k",
        "candidates",
        "minutes",
        "population",
        "sample",
        "seed",
        "learn_beta",
        "unary",
        "binary",
    )
}


# --- a search, shown ------------------------------------------------------------------------


def _counts(state: SearchState) -> str:
    s = state.settings
    spent = f"{state.seconds / 60:.1f} of {s.minutes:g} min"
    return (
        f"{len(state.scored)} of {s.candidates} candidates scored · {len(state.refused)} refused "
        f"by the screen · {spent} spent"
    )


def _signature(state: SearchState) -> tuple:
    return (state.status, state.batches, len(state.entries), bool(state.baselines))


@st.fragment(run_every=1.0)
def live_ui(runner: SearchRunner, search_id: int, seen: tuple) -> None:
    """Redraws every second while the search runs; the whole page when a batch was scored or the
    search ended (the leaderboard and its buttons live outside this fragment: clicks inside a
    self-refreshing fragment can be lost)."""
    state = runner.state(search_id)
    if _signature(state) != seen or not runner.running(search_id):
        st.rerun()
    live = runner.live(search_id)
    st.progress(
        min(1.0, live.fraction),
        text=f"{live.phase or 'starting'} · {_counts(state)} (budget fraction = candidates "
        "scored / candidate budget)",
    )
    if live.error:
        st.warning(live.error)


def controls_ui(runner: SearchRunner, search_id: int, state: SearchState) -> None:
    """Stop while it runs (for the session that started it), Resume when it was cut short: the
    look every page's task controls share (ui/jobs.py)."""
    if runner.running(search_id):
        stop_button(
            controls_row()[1],
            "Stop search",
            key="search.stop",
            on_click=runner.stop,
            args=(search_id, _key()),
            can_stop=runner.may_stop(search_id, _key()),
            what_it_does="Stops the batch in training (it is not scored); what was scored "
            "stays, and Resume continues from there.",
        )
        return
    if state.status in ("stopped", INTERRUPTED, "failed") and resume_button(
        "Resume search",
        key="search.resume",
        what_it_does="Continues from the last scored batch, drawing exactly the candidates it "
        "would have drawn.",
    ):
        try:
            resumed = runner.resume(search_id, session_token())
        except (StoreError, MissingRun) as exc:
            st.error(str(exc))
            return
        if resumed:
            st.session_state[KEY] = session_token()
            st.rerun()


def status_ui(runner: SearchRunner, search_id: int, state: SearchState) -> None:
    if runner.running(search_id):
        live_ui(runner, search_id, _signature(state))
        return
    text = f"**{ENDED_TEXT.get(state.status, state.status)}**: {state.ended or 'no reason saved'}."
    counts = _counts(state)
    if state.status == INTERRUPTED:
        st.warning(f"{text} {counts}. Resume continues from its last scored batch.")
    elif state.status == "failed":
        st.error(f"{text} {counts}.")
    elif state.status == "running":  # saved as running by a server that is still alive
        st.info(f"Running on another server process. {counts}.")
    else:
        st.success(f"{text} {counts}.")


def baselines_ui(state: SearchState) -> None:
    """The yardstick, trained in this search with the same settings, next to the best."""
    shown = baselines(state)
    board = state.leaderboard()
    if not shown:
        st.caption("relu and silu train first with the same settings: not finished yet.")
        return
    cols = st.columns(len(shown) + 1)
    for col, (label, value) in zip(cols, shown.items(), strict=False):
        col.metric(f"Baseline {label}", value)
    if board:
        best = board[0]
        cols[-1].metric(f"Best candidate ({best.name})", _percent(best))
    st.caption(f"{SCORE_TEXT}. Baselines trained in this search with the same data and seeds.")


def _percent(entry: Entry) -> str:
    return percent(entry.accuracy)


def custom_name(search_id: int, entry: Entry) -> str:
    """The candidate's name in this session's catalogue (unique across searches)."""
    return f"s{search_id}_{entry.name}"


def add_to_catalogue(search_id: int, entry: Entry, learn_beta: bool) -> str:
    """Put the candidate in this session's catalogue as a custom (β as the search started it)
    and give Train the search's β choice; returns its name there."""
    from activations.expression import custom_activation  # TensorFlow: only on a click

    name = custom_name(search_id, entry)
    beta = {BETA: BETA_RANGE} if entry.candidate.uses_beta else {}
    add_custom(custom_activation(name, entry.expression, beta))
    if entry.candidate.uses_beta:
        learned = "unit" if learn_beta else "fixed"
        st.session_state[f"train.{name}.{BETA}.learn"] = learned
        kept = st.session_state.get("custom.learned", {})
        st.session_state["custom.learned"] = {
            **kept,
            name: {BETA: "unit"} if learn_beta else {},
        }
    return name


def actions_ui(search_id: int, state: SearchState, entry: Entry) -> None:
    """One candidate to the Gallery, to Train (against relu and silu on the search's data and
    model) or into this session's catalogue."""
    st.markdown(
        f"**{entry.name}** `{entry.expression}`  \n{entry.candidate.formula} · score "
        f"{_percent(entry)}"
    )
    gallery, train, keep, runs = st.columns(4)
    to_gallery = gallery.button(
        "Open in Gallery",
        key="search.to_gallery",
        icon=":material/grid_view:",
        width="stretch",
        help="Adds it to this session's catalogue and opens the Gallery with it picked.",
    )
    to_train = train.button(
        "Train vs relu, silu",
        key="search.to_train",
        icon=":material/model_training:",
        width="stretch",
        help="Adds it and opens Train with it, relu and silu on this search's dataset, model "
        "and schedule.",
    )
    to_catalogue = keep.button(
        "Add to catalogue",
        key="search.to_catalogue",
        icon=":material/add:",
        width="stretch",
        help="Adds it to this session's catalogue: every activation dropdown offers it.",
    )
    with runs:
        if entry.run_id:
            link_to("Runs", f"Its batch: run {entry.run_id}", runs=str(entry.run_id))
    if not (to_gallery or to_train or to_catalogue):
        return
    name = add_to_catalogue(search_id, entry, state.settings.learn_beta)
    if to_gallery:
        st.switch_page("pages/gallery.py", query_params={"pick": name})
    if to_train:
        config = state.settings.config((name, "relu", "silu"))
        query = train_query(config)
        if entry.candidate.uses_beta:
            query[f"l.{name}.{BETA}"] = "unit" if state.settings.learn_beta else "fixed"
        st.switch_page("pages/train.py", query_params=query)
    st.toast(f"{name} ({entry.expression}) is in your catalogue: every dropdown offers it.")


def leaderboard_ui(search_id: int, state: SearchState) -> None:
    board = state.leaderboard()
    if not board:
        st.info("No candidate scored yet: the leaderboard fills in after each batch.")
        return
    frame = leaderboard_frame(state)
    columns = {
        "rank": st.column_config.NumberColumn("rank", width=44),
        "name": st.column_config.TextColumn("name", width=56),
        "expression": st.column_config.TextColumn(
            "expression",
            width=270,
            help="As the Custom page writes it (the app's expression grammar).",
        ),
        "curve": st.column_config.LineChartColumn(
            "f(x)",
            y_min=-THUMB_CLIP,
            y_max=THUMB_CLIP,
            width=72,
            help=f"f(x) at 41 points of [−5, 5], y shown on [−{THUMB_CLIP:g}, {THUMB_CLIP:g}] "
            "(steeper curves are clipped).",
        ),
        "score %": st.column_config.NumberColumn(
            "score %", format="%.1f", width=66, help=SCORE_TEXT
        ),
        "± std": st.column_config.NumberColumn(
            "± std",
            format="%.1f",
            width=54,
            help="Standard deviation of the accuracy over seeds (ddof 1).",
        ),
        "vs silu (points)": st.column_config.NumberColumn(
            "vs silu",
            format="%+.1f",
            width=60,
            help="Score minus silu's (Swish, β = 1) in this search, in percentage points.",
        ),
        "diverged seeds": st.column_config.NumberColumn(
            "diverged seeds", help="Seeds whose loss was not finite: counted as chance."
        ),
        "Swish distance": st.column_config.NumberColumn(
            "Swish dist.", format="%.3f", width=78, help=SWISH_TEXT
        ),
        "β*": st.column_config.NumberColumn("β*", format="%.2f", width=42, help=SWISH_TEXT),
        "monotonic": st.column_config.TextColumn(
            "monotonic", help="Measured on [−6, 6] and towards ±∞ (the Gallery's table)."
        ),
        "zero-centred": st.column_config.CheckboxColumn(
            "zero-centred", help="Measured as on the Gallery (mean output near 0 for N(0, 1))."
        ),
        "range on [−6, 6]": st.column_config.TextColumn("range on [−6, 6]"),
        "smoothness": st.column_config.TextColumn(
            "smoothness", help="Continuity class measured from f, f′, f″ (the Gallery's)."
        ),
        "f′(0)": st.column_config.NumberColumn("f′(0)", format="%.3g"),
        "batch run": st.column_config.LinkColumn(
            "run",
            display_text=r"runs=(\d+)",
            width=44,
            help="The batch's run on the Runs page.",
        ),
    }
    event = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height=min(38 + BOARD_ROW_PX * len(frame), 560),
        column_order=RANKING,
        column_config=columns,
        row_height=BOARD_ROW_PX,
        on_select="rerun",
        selection_mode="single-row",
        # One selection per search and per leaderboard: after a batch re-sorts the board, a
        # row number picked before would point at another candidate.
        key=f"{BOARD}.{search_id}.{state.batches}",
    )
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    pick = board[rows[0]] if rows and rows[0] < len(board) else board[0]
    st.caption(
        "Click a row's left edge to pick it (the top one is picked until you do). "
        f"{SCORE_TEXT}; {SWISH_TEXT}."
    )
    with st.container(border=True):
        actions_ui(search_id, state, pick)
    with st.expander("Each candidate's measured properties and diverged seeds"):
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_order=PROPERTIES,
            column_config=columns,
            key=f"{BOARD}.properties.{search_id}.{state.batches}",
        )


def refused_ui(state: SearchState) -> None:
    refused = state.refused
    if not refused:
        return
    with st.expander(f"Refused by the screen ({len(refused)}), with the reasons"):
        st.caption(
            "Screened at initialisation before training: the grammar compiles it; f and f′ are "
            "finite on [−10, 10] (2,001 points); f′ is not 0 everywhere there; it is not the "
            "same function as a candidate seen before (values agree to 1e-6); through an "
            "untrained 10-layer network of the search's width nothing overflows and a gradient "
            "(norm ≥ 1e-10) reaches the first layer."
        )
        st.dataframe(refused_frame(state), hide_index=True, width="stretch")


def runs_ui(state: SearchState) -> None:
    ids = [state.baseline_run] if state.baseline_run else []
    ids += list(dict.fromkeys(e.run_id for e in state.scored if e.run_id))
    if not ids:
        return
    shown = ",".join(str(i) for i in ids[:20])
    more = f" (the first 20 of {len(ids)})" if len(ids) > 20 else ""
    link_to("Runs", f"Its {len(ids)} runs on Runs{more}: baselines and every batch", runs=shown)


def shown_ui(runner: SearchRunner) -> None:
    search_id = st.session_state.get(SHOWN)
    if not search_id:
        return
    try:
        row = runner.store.search(search_id)
        state = runner.state(search_id)
    except (MissingRun, StoreError, OverflowError, KeyError):
        st.info(f"Search {search_id} is not in the run store (it may have been deleted).")
        return
    st.subheader(f"Search {row.id}: {row.name}")
    s = state.settings
    st.caption(
        f"{DATASETS.get(s.dataset, s.dataset)} · MLP {s.depth} × {s.width} · {s.optimizer} lr "
        f"{s.learning_rate:g} · batch {s.batch_size} · {s.epochs} epochs · {s.seeds} seed"
        f"{'s' * (s.seeds > 1)} · K = {s.k} · population {s.population}, sample {s.sample} · "
        f"β {'learned per unit' if s.learn_beta else 'fixed at 1'} · space {s.space.size:,}"
    )
    status_ui(runner, search_id, state)
    controls_ui(runner, search_id, state)
    baselines_ui(state)
    leaderboard_ui(search_id, state)
    if state.scored:
        st.plotly_chart(
            progress_figure(state, page_theme()),
            key="search.progress",
            config={"displaylogo": False},
        )
    refused_ui(state)
    runs_ui(state)


def _open(search_id: int) -> None:
    st.session_state[SHOWN] = search_id


def past_ui(runner: SearchRunner) -> None:
    """Saved searches, newest first, each one click from being shown."""
    rows = runner.store.searches(limit=SEARCHES_LISTED)
    if not rows:
        return
    with st.expander(f"Past searches ({len(rows)})", icon=":material/history:"):
        for row in rows:
            saved = SearchState.from_dict(row.state)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created))
            best = saved.leaderboard()
            top = f" · best {best[0].name} {_percent(best[0])}" if best else ""
            status = "running" if runner.running(row.id) else row.status
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.markdown(
                f"**Search {row.id}** · {row.name} · {status} · {len(saved.scored)} scored{top} "
                f"· {when}"
            )
            button.button(
                "Open", key=f"search.open.{row.id}", on_click=_open, args=(row.id,), width="stretch"
            )
