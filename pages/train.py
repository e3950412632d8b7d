"""Train: train small networks with each chosen activation and compare loss and accuracy live."""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from charts.figures import digits_figure, png_config
from core.serve.executors import JobSpec
from core.serve.store import StoreError
from core.serve.tasks import may_stop
from core.train.datasets import DatasetError
from core.train.rates import Shown
from core.train.training import estimate_seconds, learning_problems
from ui import catalogue as ui_cat
from ui.data import dataset
from ui.jobs import (
    controls_row,
    job_queue,
    place_in_line,
    progress_fraction,
    progress_text,
    session_token,
    stop_button,
)
from ui.nav import setup
from ui.palette import repeat_notice, styles_here
from ui.serve.store import store
from ui.train.controls import estimate_ui, train_controls
from ui.train.inside import inside_ui
from ui.train.learned import learned_ui
from ui.train.runs import (
    comparison_figures,
    export_panel,
    file_stem,
    results_section_ui,
    sweep_ui,
)
from ui.url import (
    job_fields,
    publish,
    restore,
    train_fields,
    train_learn_fields,
    train_param_fields,
)


@dataclass(frozen=True)
class View:
    """How the charts are drawn; changing it never changes the numbers."""

    log_y: bool
    smoothing: float
    x_axis: str
    target: float

    def chart_options(self) -> dict:
        return dict(log_y=self.log_y, smoothing=self.smoothing, x_axis=self.x_axis)


def url_fields(catalogue, picked) -> list:
    """The page's URL: every setting, the picked activations' parameters, and the job shown."""
    params = train_param_fields(catalogue, picked) + train_learn_fields(catalogue, picked)
    return train_fields(catalogue.names()) + params + job_fields()


def config_ui(catalogue):
    """The settings, restored from a shared link first (main() writes the URL back)."""
    picked_in_link = [n for n in st.query_params.get("act", "").split(",") if n]
    picked = picked_in_link or st.session_state.get("train.activations", [])
    for notice in restore("train", url_fields(catalogue, picked)):
        st.warning(notice)
    with st.container(border=True):
        config, local_path = train_controls(catalogue)
    return config, local_path


def dataset_ui(config, local_path):
    """The dataset, with where it came from; None (and an error on the page) if it cannot load."""
    try:
        data = dataset(
            config.dataset,
            config.samples or None,
            config.val_fraction,
            config.noise,
            config.data_seed,
            local_path,
        )
    except DatasetError as exc:
        st.error(f"The dataset could not be loaded: {exc}")
        return None
    note = f"  \n{data.note}" if data.note else ""
    st.info(f"**Data:** {data.describe()}{note}", icon=":material/dataset:")
    if data.task == "classification" and st.toggle("Show sample digits", key="train.show_samples"):
        figure = digits_figure(data.x_train[:12], data.y_train[:12])
        st.plotly_chart(figure, config=png_config("mnist-samples"), key="train.samples_preview")
    return data


def problems_ui(config, data, catalogue) -> list[str]:
    """Each configuration problem as an error; under it, how gated units are sized."""
    problems = config.problems() + learning_problems(config, catalogue)
    gated = [n for n in config.activations if n in catalogue and catalogue.get(n).gated]
    if gated and config.model == "cnn":
        problems.append(
            f"{gated[0]} is a gated unit, which the CNN does not have: choose the MLP, the "
            "residual MLP or the Transformer."
        )
    for problem in problems:
        st.error(problem)
    if gated and not problems:
        st.caption(gated_sizes(config, data, gated))
    return problems


def gated_sizes(config, data, gated: list[str]) -> str:
    """How wide the gated units' layers are, and why: the same parameters as the plain ones."""
    # Imported here: the engine loads TensorFlow, which a page must not at import time.
    from core.train.network.blocks import ffn_width
    from core.train.network.engine import mlp_width

    names = ", ".join(gated)
    if config.model == "mlp":
        in_dim = int(np.prod(data.input_shape))
        m = mlp_width(config, in_dim, data.n_outputs, True)
        return (
            f"Gated units ({names}) project each layer twice, u and v: their hidden layers are "
            f"{m} wide where the others are {config.width}, so that every network has about "
            f"the same parameters (the closest width)."
        )
    plain, m = ffn_width(config.width, False), ffn_width(config.width, True)
    return (
        f"Gated units ({names}) have FFNs {m} wide where the others have {plain}: 2/3, twice "
        f"(u and v), so every network has about the same parameters (Shazeer 2020)."
    )


def controls_ui(config, data, problems) -> tuple[bool, View]:
    """How long the run will take (when that is long), Train and the chart options; returns
    whether Train was pressed, and the view."""
    seconds = 0.0 if problems else estimate_seconds(config, data)  # needs a valid config
    confirmed = estimate_ui(config, seconds)
    cols = st.columns([1, 1.2, 1.4, 1.2, 1.2], vertical_alignment="bottom")
    go = cols[0].button(
        "Train",
        type="primary",
        disabled=bool(problems) or not confirmed,
        key="train.go",
        width="stretch",
        help="Starts the comparison as a job on the server: it trains and is saved whatever "
        "you click, and whether or not this tab stays open.",
    )
    log_y = cols[1].toggle("Log-scale y", key="train.log_y")
    smoothing = cols[2].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="train.smoothing")
    x_axis = cols[3].radio("x axis", ["epoch", "time"], horizontal=True, key="train.x_axis")
    classification = data.task in ("classification", "text")  # text: next-character accuracy
    default_target = (
        (0.5 if data.task == "text" else 0.9)
        if classification
        else round(float(data.y_val.std()) * 0.5, 3)
    )
    target = cols[4].number_input(
        "Target " + ("accuracy" if classification else "MAE"),
        value=default_target,
        key=f"train.target.{data.task}",
        format="%.3f",
    )
    return go and not problems and confirmed, View(log_y, smoothing, x_axis, target)


def charts_ui(shown: Shown, colours: dict, view: View, final: bool) -> str | None:
    """Loss and accuracy (or MAE) side by side, the results table, and inside the network.
    Once the job has ended, the table compares each activation with a reference picked under
    it (returned); while it trains, the numbers are not final and the table has no verdicts."""
    record = shown.record
    if not record.epochs_done:
        if record.has_diagnostics:  # before the first epoch ends: the network at initialisation
            inside_ui(shown, colours, None)
        return None
    stem = file_stem(record)
    metric = "accuracy" if record.metric_name == "accuracy" else "mae"
    loss_fig, metric_fig = comparison_figures(shown, colours, view.chart_options())
    # Live charts get no key (redrawn every second); the final ones do, so their zoom survives.
    loss_key, metric_key = ("train.loss_chart", "train.metric_chart") if final else (None, None)
    left, right = st.columns(2, gap="medium")
    left.plotly_chart(loss_fig, config=png_config(f"loss-{stem}"), key=loss_key)
    right.plotly_chart(metric_fig, config=png_config(f"{metric}-{stem}"), key=metric_key)
    repeat_notice(colours)
    reference = results_section_ui(
        [shown], colours, "train.reference" if final else None, view.target
    )
    sweep_ui(shown, colours, "train.sweep_chart" if final else None)
    learned_ui(shown, colours, "train.learned" if final else None)
    inside_ui(shown, colours, "train.inside" if final else None)
    return reference


def submit_ui(queue, config, catalogue, local_path) -> None:
    """Queue the comparison as a job and show it on this page (the URL names it, so a refresh
    or a copied link shows it too)."""
    spec = JobSpec.of(config, catalogue, local_path)
    try:
        job = queue.submit(spec, owner=session_token())
    except (ValueError, DatasetError) as exc:
        st.error(str(exc))
        return
    st.session_state["train.job"], st.session_state["train.job_key"] = job.id, job.owner


def outcome_text(record, error: str = "") -> tuple[str, str]:
    """What became of a comparison, in words, and how to show it (success, info or error)."""
    done, total = record.epochs_done, record.config.epochs
    if record.status == "finished":
        return f"Finished {done} epochs in {sum(record.epoch_seconds):.1f} s.", "success"
    if record.status == "stopped":
        dropped = f" The unfinished epoch {done + 1} was dropped." if done < total else ""
        return f"Stopped after {done} of {total} epochs.{dropped}", "info"
    if record.status == "interrupted":
        return (
            f"Interrupted at epoch {done}: the server stopped while it trained. The {done} "
            f"finished epochs are kept.",
            "info",
        )
    if record.status == "cancelled":
        return "Cancelled while it was queued: nothing was trained.", "info"
    return error or f"The job ended {record.status} after {done} of {total} epochs.", "error"


def stop_ui(queue, job, state: str, can_stop: bool) -> None:
    """Stop (or Cancel, while queued) for the job's owner, drawn by the page run (ui/tasks.py)."""
    queued = state == "queued"
    stop_button(
        controls_row()[1],
        "Cancel" if queued else "Stop",
        key="train.stop",
        on_click=queue.stop,
        args=(job.id, st.session_state.get("train.job_key")),
        can_stop=can_stop,
        stopping=job.control.stop_requested(),
        what_it_does="Takes it out of the queue; nothing has been trained."
        if queued
        else "Ends training within a batch; every finished epoch is kept.",
    )


def running_ui(queue, job) -> None:
    """The status line of a queued or running job: its place in line, or its progress."""
    if job.state == "queued":
        st.info(
            f"**{place_in_line(queue, job).capitalize()}.** It starts when the job "
            f"before it ends; it is saved on the Runs page as it trains."
        )
    else:
        st.progress(progress_fraction(job), text=progress_text(job))


@st.fragment(run_every=1.0)
def live_job_ui(queue, job_id: int, colours: dict, view: View, drawn_state: str) -> None:
    """Redraws itself every second while the job is queued or running; the rest of the page
    (and the job) is untouched. The page reruns when the job leaves the state its Stop or
    Cancel button was drawn for, and when it ends."""
    job = queue.get(job_id)
    if job is not None and job.active and job.control.stop_requested():
        try:  # it ends within a batch: say so now rather than at the next tick
            job = queue.wait(job_id, timeout=1.5)
        except TimeoutError:
            pass
    if job is None or not job.active:
        if job is not None:
            text, kind = outcome_text(job.record, job.error)
            getattr(st, kind)(text)  # at once; the page then redraws around it
        st.rerun()  # the whole page: it draws the finished job with its downloads
    if job.state != drawn_state:
        st.rerun()  # queued → running: the button says Stop now, not Cancel
    running_ui(queue, job)
    # What the charts show of the record (a sweep: each activation at its best rate), chosen once
    # for this redraw and passed to every chart and table.
    charts_ui(Shown.of(job.record), colours, view, final=False)


def _show_job(job_id: int) -> None:
    st.session_state["train.job"], st.session_state["train.job_key"] = job_id, None


def other_jobs_ui(queue) -> None:
    """Jobs training on this server that this tab did not start (another tab, another session):
    one click shows one here, live."""
    for job in queue.active():
        names = ", ".join(job.record.config.activations)
        text, show = st.columns([5, 1], vertical_alignment="center")
        state = "training" if job.state == "running" else "queued"
        text.caption(
            f"Run {job.id} ({names}, {job.record.config.model_label}) is {state} on this server."
        )
        show.button(
            "Show it here",
            key=f"train.show.{job.id}",
            on_click=_show_job,
            args=(job.id,),
            width="stretch",
        )


def job_ui(queue, catalogue, view: View) -> None:
    """The job this page shows: live while it trains, then its outcome, charts and downloads."""
    job_id = st.session_state.get("train.job")
    if not job_id:
        st.info("Choose activations and settings, then press **Train**.")
        other_jobs_ui(queue)
        return
    job = queue.get(job_id)
    record = job.record if job is not None else load_run(job_id)
    if record is None:
        st.info(
            f"Job {job_id} is not on this server (it may have been deleted). Choose "
            f"activations and settings, then press **Train**."
        )
        return
    colours = styles_here(record.config.activations)  # in the order they were chosen
    if job is not None and job.active:
        can_stop = may_stop(job.owner, st.session_state.get("train.job_key"))
        # The state read once: the button and the view's "rerun when it changes" must agree. Read
        # twice, a job that started between the reads got Cancel with a view that waited for
        # "running" to change (CI under load: Cancel for 60 s while epoch 4 trained).
        state = job.state
        stop_ui(queue, job, state, can_stop)
        live_job_ui(queue, job_id, colours, view, state)
        return
    text, kind = outcome_text(record, job.error if job is not None else "")
    getattr(st, kind)(f"{text} · {record.dataset_source}")
    shown = Shown.of(record)  # chosen once: the charts, the table and the downloads show it
    reference = charts_ui(shown, colours, view, final=True)
    saved = job is None or job.saved
    if saved and job_id > 0:
        st.caption(f"Saved as run {job_id}: find it on the Runs page, with this run's downloads.")
    elif job is not None and job.error:
        st.warning(f"This run is not saved: {job.error}")
    if record.epochs_done:
        with st.expander("Download this comparison", icon=":material/download:"):
            options = dict(view.chart_options(), target=view.target, reference=reference)
            trained = job.trained if job is not None else None
            export_panel(shown, colours, catalogue, "train.export", options, training=trained)


def load_run(run_id: int):
    runs_store = store()
    if runs_store is None or run_id < 0:
        return None
    try:
        return runs_store.load(run_id)
    except (StoreError, OverflowError):  # deleted, or an id from a mangled link
        return None


def main() -> None:
    setup("Train")
    st.title("Train")
    st.caption(
        "Each chosen activation trains the same network on the same data, batch order and "
        "seeds — all of them together, one optimiser step for all — so the curves differ "
        "only by the activation."
    )
    catalogue = ui_cat.session_catalogue()
    config, local_path = config_ui(catalogue)
    data = dataset_ui(config, local_path)
    queue = job_queue()
    if data is not None:
        problems = problems_ui(config, data, catalogue)
        go, view = controls_ui(config, data, problems)
        if go:
            submit_ui(queue, config, catalogue, local_path)
    else:
        view = View(log_y=False, smoothing=0.0, x_axis="epoch", target=0.0)  # the job still shows
    publish("train", url_fields(catalogue, config.activations))
    job_ui(queue, catalogue, view)


main()
