"""Sweep: which activation still trains at depth N? A grid of depths (and widths) × activations
× learning rates × seeds, one job per architecture, and a trainability heatmap that fills in as
the jobs finish."""

from __future__ import annotations

import math

import streamlit as st

from charts import exports
from charts.exports import chromium_path
from charts.figures import METRIC_LABEL
from charts.grid_figures import trainability_heatmap
from core.serve.grid import CRITERION, DEPTHS, Cell, Grid, cells_of, grid_frame, sweep_status
from core.serve.jobs import stop_sweep, submit_sweep
from core.serve.store import MissingRun, RunStore, StoreError
from core.serve.tasks import may_stop
from core.train.datasets import DatasetError
from core.train.settings import BY_NAME, INITIALISERS, WIDTHS, TrainConfig
from core.train.training import estimate_seconds
from ui import catalogue as ui_cat
from ui.data import dataset
from ui.jobs import controls_row, job_queue, session_token, stop_button
from ui.nav import link_to, setup
from ui.palette import page_theme
from ui.runtime import download_button
from ui.serve.store import store
from ui.study.theory import critical_at, predicted_depths
from ui.train.controls import setting_widgets
from ui.train.runs import DATASET_SHORT
from ui.url import default, publish, restore, sweep_fields


def sigma_of(config: TrainConfig) -> tuple[float, float]:
    """σ_w² and σ_b² of the sweep's initialisation on its square hidden layers, where
    mean-field theory places it (core/train/settings.py INITIALISERS says why each value);
    under "edge_of_chaos" σ_w² is each activation's own (NaN here: see `predicted_ui`)."""
    if config.init == "mean_field":
        return config.sigma_w2, config.sigma_b2
    if config.init == "edge_of_chaos":
        return math.nan, config.sigma_b2
    return INITIALISERS[config.init].sigma_w2, 0.0


def predicted_text(config: TrainConfig) -> str:
    sigma_w2, sigma_b2 = sigma_of(config)
    where = (
        f"each activation's own critical σ_w² (χ1 = 1) and σ_b² = {sigma_b2:.3g}, where ξ_c is "
        "infinite in theory"
        if config.init == "edge_of_chaos"
        else f"σ_w² = {sigma_w2:.3g} and σ_b² = {sigma_b2:.3g}"
    )
    return (
        "Red line in each column: mean-field theory's predicted trainable depth, 6 ξ_c at "
        f"{where} (Schoenholz et al. 2017, arXiv "
        "1611.01232: networks train up to about six correlation lengths ξ_c), drawn between the "
        "rows where it falls; dashed and at the edge when it is past the grid. It treats every "
        f"layer as its hidden ones are: {INITIALISERS[config.init].label.split(' (')[0]} "
        "kernels on square layers (fan_in = fan_out = width); the input layer (784 wide for "
        "MNIST) differs and is ignored, and the theory is for infinitely wide layers at "
        "initialisation, not trained ones."
    )


# Train's settings a sweep offers (the architecture's depth and width come from the grid; its
# model is Train's: the MLP, the residual MLP or the Transformer).
# Activation chips, dataset names and the rates' chips are long: they get wide rows (as on Train),
# the rest sit in the three columns.
WIDE = ("activations", "dataset")
DATA = ("samples", "noise", "data_seed")
RATES = ("learning_rates", "learning_rate")
FIT = ("optimizer", "batch_size", "epochs", "seeds")
INIT = ("init", "sigma_w2", "sigma_b2")  # the same table as Train's: one place for each
SETTINGS = WIDE + DATA + RATES + FIT + ("model",) + INIT
DEFAULTS = dict(
    activations=["relu", "tanh", "sigmoid", "selu"],
    depths=[2, 6, 10],
    widths=[64],
    samples=5000,
    epochs=3,
    learning_rates=[0.0001, 0.001, 0.01],
)


def controls_ui(catalogue) -> tuple[Grid, str]:
    names = catalogue.names()
    for key, value in DEFAULTS.items():
        default(f"sweep.{key}", value)
    st.session_state["sweep.activations"] = [
        n for n in st.session_state["sweep.activations"] if n in names
    ]  # a custom that was removed is not offered
    values = setting_widgets([BY_NAME["activations"]], "sweep", catalogue)
    with st.columns([2, 1])[0]:
        values = setting_widgets([BY_NAME["dataset"]], "sweep", names, values)
    data_col, grid_col, fit_col = st.columns(3, gap="large")
    with data_col:
        values = setting_widgets([BY_NAME[s] for s in DATA], "sweep", names, values)
    with grid_col:
        depths = st.multiselect(
            "Depths (hidden layers)",
            DEPTHS,
            key="sweep.depths",
            help="One job per depth (and width): every activation, rate and seed of it trains "
            "together in one fused run.",
        )
        widths = st.multiselect("Widths", WIDTHS, key="sweep.widths")
        values = setting_widgets(
            [BY_NAME["model"], *[BY_NAME[s] for s in INIT]], "sweep", names, values
        )
        name = st.text_input("Name (optional)", key="sweep.name", max_chars=120)
        st.caption(
            "Parametric activations train with their default parameters, none learned; for "
            "other values, use Train."
        )
    with fit_col:
        values = setting_widgets([BY_NAME[s] for s in FIT], "sweep", names, values)
    for column, setting in zip(st.columns([2, 1]), RATES, strict=True):
        with column:  # the rates' preset depends on the optimiser, chosen above
            values = setting_widgets([BY_NAME[setting]], "sweep", names, values)
    values["activations"] = tuple(values["activations"])
    base = TrainConfig(**values, diagnostics=False)
    return Grid(base, tuple(sorted(depths)), tuple(sorted(widths))), name


def plan_ui(grid: Grid) -> list[str]:
    """The grid's problems as errors, else what it will train and roughly how long."""
    problems = grid.problems()
    for problem in problems:
        st.error(problem)
    if problems:
        return problems
    cfg = grid.base
    try:
        data = dataset(
            cfg.dataset, cfg.samples or None, cfg.val_fraction, cfg.noise, cfg.data_seed, None
        )
    except DatasetError as exc:
        st.error(f"The dataset could not be loaded: {exc}")
        return [str(exc)]
    seconds = sum(estimate_seconds(grid.config(d, w), data) for d, w in grid.architectures)
    jobs = len(grid.architectures)
    st.caption(
        f"**{jobs} job{'s' * (jobs > 1)}** (one per architecture), {grid.networks} networks in "
        f"all: {len(cfg.activations)} activations × {len(cfg.rates)} learning rate"
        f"{'s' * (len(cfg.rates) > 1)} × {cfg.seeds} seed{'s' * (cfg.seeds > 1)} each, "
        f"{cfg.epochs} epochs on {data.describe()}. Expect roughly "
        f"{max(1, math.ceil(seconds / 60))} min on this server."
    )
    return []


def start_ui(queue, grid: Grid, name: str, catalogue, problems: list[str]) -> None:
    if not st.button(
        "Start sweep",
        type="primary",
        disabled=bool(problems),
        key="sweep.go",
        help="Queues one job per architecture on the server: they train and are saved whether "
        "or not this tab stays open.",
    ):
        return
    try:
        sweep_id = submit_sweep(queue, grid, catalogue, session_token(), name=name)
    except (ValueError, DatasetError, StoreError) as exc:
        st.error(str(exc))
        return
    st.session_state["sweep.shown"], st.session_state["sweep.key"] = sweep_id, session_token()


@st.cache_data(max_entries=200, show_spinner=False)
def _ended_record(path: str, run_id: int, status: str, epochs: int, created: float):
    """An ended run's record, parsed once (the key changes if the run does)."""
    return RunStore(path).load(run_id)


def _records(queue, runs_store, row) -> dict:
    """Each architecture's record: live from its job while one trains it, else from the store;
    None when the run is not in the store (deleted on Runs), whatever the queue remembers."""
    stored = runs_store.summaries(r for _, _, r in row.runs)  # one cheap query, no histories
    out = {}
    for depth, width, run_id in row.runs:
        summary, job = stored.get(run_id), queue.get(run_id)
        record = None
        try:
            if summary is not None and job is not None and job.active:
                record = job.record
            elif summary is not None and summary.status in ("queued", "running"):
                record = runs_store.load(run_id)  # another server's job
            elif summary is not None:
                key = (summary.status, summary.epochs, summary.created)
                record = _ended_record(str(runs_store.path), run_id, *key)
        except (MissingRun, StoreError):
            record = None  # deleted meanwhile
        out[(depth, width)] = record
    return out


def _states(records: dict) -> list[str]:
    """Each architecture's run status ("deleted" when its run is gone)."""
    return [r.status if r is not None else "deleted" for r in records.values()]


def _cells(grid: Grid, records: dict) -> list:
    out = []
    for (depth, width), record in records.items():
        if record is None:  # its run was deleted on Runs
            out += [Cell(depth, width, n, "deleted", 0) for n in grid.base.activations]
        else:
            out += cells_of(depth, width, record)
    return out


def _progress_text(records: dict, grid: Grid) -> str:
    states = _states(records)
    done = sum(s not in ("queued", "running") for s in states)
    text = f"{done} of {len(grid.architectures)} architectures done"
    training = [(k, r) for k, r in records.items() if r is not None and r.status == "running"]
    for (depth, width), record in training:
        text += f" · training depth {depth} × width {width}: epoch {record.epochs_done + 1}/"
        text += f"{grid.base.epochs}"
    return text


def heatmap_title(grid: Grid, records: dict, metric_name: str) -> str:
    """What the heatmap shows and on what, for a PNG that travels without the page."""
    cfg = grid.base
    source = next((r.dataset_source for r in records.values() if r is not None), cfg.dataset)
    rates = f"best of {len(cfg.rates)} rates" if len(cfg.rates) > 1 else f"lr {cfg.learning_rate:g}"
    return (
        f"Trainability: final val {METRIC_LABEL.get(metric_name, metric_name)} at each "
        f"activation's best learning rate<br><sup>{DATASET_SHORT.get(cfg.dataset, cfg.dataset)}"
        f" · {cfg.optimizer} ({rates}) · batch {cfg.batch_size} · {cfg.epochs} epochs · "
        f"{cfg.seeds} seed{'s' * (cfg.seeds > 1)} · {source.split(' · ')[-1]}</sup>"
    )


def predicted_ui(grid: Grid) -> dict:
    """Each activation's predicted trainable depth (none for one that left the catalogue)."""
    catalogue = ui_cat.session_catalogue()
    acts = [catalogue.get(n) for n in grid.base.activations if n in catalogue]
    sigma_w2, sigma_b2 = sigma_of(grid.base)
    with st.spinner("Mean-field theory's predicted depths…"):
        if grid.base.init != "edge_of_chaos":
            return predicted_depths(acts, sigma_w2, sigma_b2)
        # Each at its own edge: the depth there (numerically huge or infinite), NaN without one.
        critical = critical_at([a for a in acts if a.pointwise], sigma_b2)
        return {
            n: predicted_depths([catalogue.get(n)], w, sigma_b2)[n]
            if math.isfinite(w)
            else math.nan
            for n, w in critical.items()
        }


def heatmap_ui(grid: Grid, records: dict, key: str | None):
    metric_name = next((r.metric_name for r in records.values() if r is not None), "accuracy")
    title = heatmap_title(grid, records, metric_name)
    predicted = predicted_ui(grid)
    cells = _cells(grid, records)
    fig = trainability_heatmap(grid, cells, metric_name, title, page_theme(), predicted)
    st.plotly_chart(fig, key=key, config={"displaylogo": False})
    return fig


@st.fragment(run_every=1.0)
def live_ui(queue, runs_store, sweep_id: int) -> None:
    """Redraws every second while any of the sweep's jobs is queued or training."""
    row = runs_store.sweep(sweep_id)
    grid = Grid.from_dict(row.grid)
    records = _records(queue, runs_store, row)
    states = _states(records)
    if sweep_status(states) != "training":
        st.rerun()  # the whole page: the final heatmap with its downloads
    done = sum(s not in ("queued", "running") for s in states)
    st.progress(done / max(1, len(states)), text=_progress_text(records, grid))
    heatmap_ui(grid, records, None)


def stop_ui(queue, row) -> None:
    """Stop sweep, drawn by the page run above the live view (ui/tasks.py)."""
    run_ids = [r for _, _, r in row.runs]
    owners = {job.owner for r in run_ids if (job := queue.get(r)) is not None and job.active}
    key = st.session_state.get("sweep.key")
    stop_button(
        controls_row()[1],
        "Stop sweep",
        key="sweep.stop",
        on_click=stop_sweep,
        args=(queue, run_ids, key),
        can_stop=any(may_stop(owner, key) for owner in owners),
        what_it_does="Stops the architecture training now (its finished epochs are kept) and "
        "cancels the ones still queued.",
    )


def shown_ui(queue, runs_store) -> None:
    sweep_id = st.session_state.get("sweep.shown")
    if not sweep_id:
        return
    try:
        row = runs_store.sweep(sweep_id)
    except (MissingRun, StoreError, OverflowError):
        st.info(f"Sweep {sweep_id} is not in the run store (it may have been deleted).")
        return
    grid = Grid.from_dict(row.grid)
    st.subheader(f"Sweep {row.id}: {row.name}")
    st.caption(
        f"Each cell: the activation's final validation metric at its best learning rate, the "
        f"one with the {CRITERION}; hover for the rate and mean ± std over seeds. "
        f"“diverged”: the loss was not finite at every rate tried."
    )
    records = _records(queue, runs_store, row)
    states = _states(records)
    if sweep_status(states) == "training":
        stop_ui(queue, row)
        live_ui(queue, runs_store, sweep_id)
        return
    ended = {s for s in states if s != "finished"}
    if ended:
        st.info(f"Ended with some architectures {', '.join(sorted(ended))}.")
    fig = heatmap_ui(grid, records, "sweep.heatmap")
    st.caption(predicted_text(grid.base))
    downloads_ui(grid, records, fig, row)
    forget_ui(runs_store, row)


def _forget(runs_store, sweep_id: int, delete_runs: bool) -> None:
    try:
        row = runs_store.sweep(sweep_id)
    except MissingRun:  # deleted in another tab meanwhile
        st.session_state["sweep.shown"] = None
        return
    runs_store.delete_sweep(sweep_id)
    if delete_runs:
        for _, _, run_id in row.runs:
            runs_store.delete(run_id)
    st.session_state["sweep.shown"] = None


def forget_ui(runs_store, row) -> None:
    with st.popover("Delete this sweep", icon=":material/delete:"):
        also = st.checkbox(
            f"Also delete its {len(row.runs)} runs", key=f"sweep.{row.id}.delete_runs"
        )
        st.button(
            "Delete",
            key=f"sweep.{row.id}.delete",
            type="primary",
            on_click=_forget,
            args=(runs_store, row.id, also),
            help="The sweep leaves the Runs page's list; its runs stay unless ticked above.",
        )


def downloads_ui(grid: Grid, records: dict, fig, row) -> None:
    frame = grid_frame(grid, records)
    cols = st.columns([1, 1, 2])
    cols[0].download_button(
        "Grid CSV",
        frame.to_csv(index=False),
        f"sweep-{row.id}.csv",
        "text/csv",
        key="sweep.csv",
        on_click="ignore",
        width="stretch",
        help="One row per architecture × activation × learning rate: mean and std over seeds "
        "of the final validation loss and metric, and whether it is the best rate.",
    )
    if chromium_path() is not None:
        download_button(
            cols[1],
            "Heatmap PNG (2×)",
            lambda: exports.chart_png(fig, 900, fig.layout.height or 400),
            f"sweep-{row.id}.png",
            "image/png",
            key="sweep.png",
            on_click="ignore",
            width="stretch",
        )
    with cols[2]:
        ids = ",".join(str(r) for _, _, r in row.runs[:20])
        link_to("Runs", "Open its runs on Runs", runs=ids)


def fill_from_saved(runs_store) -> None:
    """A link that names only a sweep (Runs' Open) fills the settings with that sweep's, once,
    so a user can change one thing and start it again."""
    shown = st.query_params.get("sweep")
    if not shown or not set(st.query_params) <= {"sweep", "key"} or runs_store is None:
        return
    if st.session_state.get("sweep.filled") == shown:
        return
    try:
        grid = Grid.from_dict(runs_store.sweep(int(shown)).grid)
    except (MissingRun, StoreError, ValueError, KeyError, OverflowError):
        return  # shown_ui says the sweep is missing
    for name in SETTINGS:
        value = getattr(grid.base, name)
        st.session_state[f"sweep.{name}"] = list(value) if isinstance(value, tuple) else value
    st.session_state["sweep.depths"], st.session_state["sweep.widths"] = (
        list(grid.depths),
        list(grid.widths),
    )
    st.session_state["sweep.filled"] = shown


def main() -> None:
    setup("Sweep")
    st.title("Sweep")
    st.caption(
        "Which activation still trains as the network gets deeper? Every depth (and width) you "
        "choose is one job: all activations, learning rates and seeds of it train together in "
        "one fused run. Each activation is judged at its own best learning rate."
    )
    catalogue = ui_cat.session_catalogue()
    names = catalogue.names()
    fields = sweep_fields(names, SETTINGS)
    queue, runs_store = job_queue(), store()
    fill_from_saved(runs_store)
    for notice in restore("sweep", fields):
        st.warning(notice)
    if queue.notice:
        st.warning(queue.notice)
    with st.container(border=True):
        grid, name = controls_ui(catalogue)
        problems = plan_ui(grid)
        if runs_store is None:
            problems = problems + ["no store"]
        start_ui(queue, grid, name, catalogue, problems)
    publish("sweep", fields)
    if runs_store is not None:
        shown_ui(queue, runs_store)


main()
