"""Train: train small networks with each chosen activation and compare loss and accuracy live."""

import time
from dataclasses import dataclass

import streamlit as st

from core.datasets import DatasetError
from core.figures import digits_figure, png_config
from core.state import train_fields, train_param_fields
from core.tables import results_table
from core.training import Training, estimate_seconds
from ui import catalogue as ui_cat
from ui.data import dataset
from ui.nav import setup
from ui.palette import colours_for
from ui.runs import comparison_figures, export_panel, file_stem, save_once
from ui.train_controls import train_controls
from ui.url import publish, restore

LAST = "train.last"  # this session's latest Training (record + live engine)


@dataclass(frozen=True)
class View:
    """How the charts are drawn; changing it never changes the numbers."""

    log_y: bool
    smoothing: float
    x_axis: str
    target: float

    def chart_options(self) -> dict:
        return dict(log_y=self.log_y, smoothing=self.smoothing, x_axis=self.x_axis)


@dataclass(frozen=True)
class Slots:
    """The parts of the page a running comparison redraws after each epoch."""

    progress: object
    loss: object
    metric: object
    table: object


def config_ui(catalogue):
    """The settings, restored from a shared link first; the URL follows what the user picks."""
    fields = train_fields(catalogue.names())
    picked_in_link = [n for n in st.query_params.get("act", "").split(",") if n]
    picked = picked_in_link or st.session_state.get("train.activations", [])
    for notice in restore("train", fields + train_param_fields(catalogue, picked)):
        st.warning(notice)
    with st.container(border=True):
        config, local_path = train_controls(catalogue)
    publish("train", fields + train_param_fields(catalogue, config.activations))
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


def problems_ui(config, data) -> list[str]:
    """Each configuration problem as an error, and a warning before a long run."""
    problems = config.problems()
    for problem in problems:
        st.error(problem)
    estimate = estimate_seconds(config, data)
    if not problems and estimate > 60:
        networks = len(config.activations) * config.seeds
        st.warning(
            f"This trains {networks} networks for {config.epochs} epochs; on this machine "
            f"expect roughly {estimate / 60:.0f} minutes. You can Stop at any time and keep "
            f"what was trained."
        )
    return problems


def controls_ui(data, problems) -> tuple[bool, View]:
    """Train and Stop, and the chart options; returns whether Train was pressed, and the view."""
    cols = st.columns([1, 1, 1.2, 1.4, 1.2, 1.2], vertical_alignment="bottom")
    go = cols[0].button(
        "Train", type="primary", disabled=bool(problems), key="train.go", width="stretch"
    )
    cols[1].button(
        "Stop",
        key="train.stop",
        width="stretch",
        help="Ends training after the current epoch; the epochs done so far are kept.",
    )
    log_y = cols[2].toggle("Log-scale y", key="train.log_y")
    smoothing = cols[3].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="train.smoothing")
    x_axis = cols[4].radio("x axis", ["epoch", "time"], horizontal=True, key="train.x_axis")
    classification = data.task == "classification"
    default_target = 0.9 if classification else round(float(data.y_val.std()) * 0.5, 3)
    target = cols[5].number_input(
        "Target " + ("accuracy" if classification else "MAE"),
        value=default_target,
        key=f"train.target.{data.task}",
        format="%.3f",
    )
    return go and not problems, View(log_y, smoothing, x_axis, target)


def result_slots() -> Slots:
    progress = st.empty()
    left, right = st.columns(2, gap="medium")
    return Slots(progress, left.empty(), right.empty(), st.empty())


def draw(
    slots: Slots, comparison, colours: dict[str, str], view: View, final: bool = False
) -> None:
    stem = file_stem(comparison)
    metric = "accuracy" if comparison.metric_name == "accuracy" else "mae"
    loss_fig, metric_fig = comparison_figures(comparison, colours, view.chart_options())
    # Charts redrawn every epoch get no key; the final ones do, so their state survives reruns.
    loss_key, metric_key = ("train.loss_chart", "train.metric_chart") if final else (None, None)
    slots.loss.plotly_chart(loss_fig, config=png_config(f"loss-{stem}"), key=loss_key)
    slots.metric.plotly_chart(metric_fig, config=png_config(f"{metric}-{stem}"), key=metric_key)
    slots.table.dataframe(results_table(comparison, view.target), width="stretch")


def train_ui(config, data, catalogue, slots: Slots, view: View) -> bool:
    """Train the comparison in this script run, redrawing after each epoch; False if it could
    not start (the page says why)."""
    colours = colours_for(catalogue, config.activations)

    def on_epoch(comparison) -> None:
        done, total = comparison.epochs_done, comparison.config.epochs
        per_epoch = sum(comparison.epoch_seconds) / done
        networks = len(comparison.branches)
        text = (
            f"Epoch {done}/{total} · {networks} network{'s' * (networks > 1)} training "
            f"together · about {per_epoch * (total - done):.0f} s left"
        )
        slots.progress.progress(done / total, text=text)
        draw(slots, comparison, colours, view)

    slots.progress.progress(0.0, text="Building the networks and compiling the training step…")
    started = time.perf_counter()
    try:
        training = Training(config, data, catalogue)
    except ValueError as exc:
        slots.progress.error(str(exc))
        return False
    st.session_state[LAST] = training  # kept even if Stop interrupts the run below
    record = training.run(on_epoch=on_epoch)
    seconds = time.perf_counter() - started
    slots.progress.success(f"Finished {record.epochs_done} epochs in {seconds:.1f} s.")
    return True


def last_run_ui(slots: Slots, view: View, catalogue, just_trained: bool) -> None:
    """The session's latest comparison: charts, table, where it was saved, downloads."""
    training = st.session_state.get(LAST)
    if training is None:
        slots.progress.info("Choose activations and settings, then press **Train**.")
        return
    record = training.record
    if not just_trained:
        if record.status == "running":
            # Stop (or any click) reran the page while the previous run's thread is still
            # inside an epoch: end it there and keep the epochs done so far.
            training.stop()
        status = {"stopped": "Stopped", "finished": "Finished"}.get(record.status, record.status)
        slots.progress.info(
            f"{status} after {record.epochs_done} of {record.config.epochs} "
            f"epochs · {record.dataset_source}"
        )
    colours = colours_for(catalogue, record.config.activations)
    draw(slots, record, colours, view, final=True)
    run_id = save_once(record)
    if run_id is not None:
        st.caption(f"Saved as run {run_id}: find it on the Runs page, with this run's downloads.")
    with st.expander("Download this comparison", icon=":material/download:"):
        options = dict(view.chart_options(), target=view.target)
        export_panel(record, colours, catalogue, "train.export", options, training=training)


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
    if data is None:
        return
    problems = problems_ui(config, data)
    go, view = controls_ui(data, problems)
    slots = result_slots()
    trained = go and train_ui(config, data, catalogue, slots, view)
    last_run_ui(slots, view, catalogue, just_trained=trained)


main()
