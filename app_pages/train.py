"""Train: train small networks with each chosen activation and compare loss and accuracy live."""
import time

import streamlit as st

from core.datasets import DATASETS, DatasetError
from core.figures import digits_figure, png_config
from core.state import train_fields, train_param_fields
from core.tables import results_table
from core.training import estimate_seconds, request_stop, train_compare
from ui import catalogue as ui_cat
from ui.data import dataset
from ui.runs import comparison_figures, export_panel, file_stem, save_once
from ui.train_controls import BATCH_SIZES, LEARNING_RATES, WIDTHS, train_controls
from ui.url import publish, restore

LAST = "train.last"

st.title("Train")
st.caption("Each chosen activation trains the same network on the same data, batch order and seeds — all of them "
           "together, one optimiser step for all — so the curves differ only by the activation.")

catalogue = ui_cat.session_catalogue()
fields = train_fields(catalogue.names(), LEARNING_RATES, BATCH_SIZES, WIDTHS, DATASETS)
picked_in_link = [n for n in st.query_params.get("act", "").split(",") if n]
param_fields = train_param_fields(catalogue, picked_in_link or st.session_state.get("train.activations", []))
for notice in restore("train", fields + param_fields):
    st.warning(notice)
with st.container(border=True):
    config, local_path = train_controls(catalogue)

publish("train", fields + train_param_fields(catalogue, config.activations))

try:
    data = dataset(config.dataset, config.samples, config.val_fraction, config.noise, config.data_seed, local_path)
except DatasetError as exc:
    st.error(f"The dataset could not be loaded: {exc}")
    st.stop()
st.info(f"**Data:** {data.describe()}" + (f"  \n{data.note}" if data.note else ""), icon=":material/dataset:")
if data.task == "classification" and st.toggle("Show sample digits", key="train.show_samples"):
    st.plotly_chart(digits_figure(data.x_train[:12], data.y_train[:12]), config=png_config("mnist-samples"),
                    key="train.samples_preview")

problems = config.problems()
for problem in problems:
    st.error(problem)
estimate = estimate_seconds(config, data)
if not problems and estimate > 60:
    st.warning(f"This trains {len(config.activations) * config.seeds} networks for {config.epochs} epochs; on this "
               f"machine expect roughly {estimate / 60:.0f} minutes. You can Stop at any time and keep what was trained.")

controls = st.columns([1, 1, 1.2, 1.4, 1.2, 1.2], vertical_alignment="bottom")
go = controls[0].button("Train", type="primary", disabled=bool(problems), key="train.go", width="stretch")
controls[1].button("Stop", key="train.stop", width="stretch", help="Ends training after the current epoch; "
                   "the epochs done so far are kept.")
log_y = controls[2].toggle("Log-scale y", key="train.log_y")
smoothing = controls[3].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="train.smoothing")
x_axis = controls[4].radio("x axis", ["epoch", "time"], horizontal=True, key="train.x_axis")
default_target = 0.9 if data.task == "classification" else round(float(data.y_val.std()) * 0.5, 3)
target = controls[5].number_input("Target " + ("accuracy" if data.task == "classification" else "MAE"),
                                  value=default_target, key=f"train.target.{data.task}", format="%.3f")

progress = st.empty()
left, right = st.columns(2, gap="medium")
loss_slot, metric_slot = left.empty(), right.empty()
table_slot = st.empty()


def draw(comparison, final: bool = False) -> None:
    colours = ui_cat.colours_for(catalogue, comparison.config.activations)
    options = dict(log_y=log_y, smoothing=smoothing, x_axis=x_axis)
    stem = file_stem(comparison)
    metric = "accuracy" if comparison.metric_name == "accuracy" else "mae"
    loss_fig, metric_fig = comparison_figures(comparison, colours, options)
    keys = dict(loss="train.loss_chart", metric="train.metric_chart") if final else {}
    loss_slot.plotly_chart(loss_fig, config=png_config(f"loss-{stem}"), key=keys.get("loss"))
    metric_slot.plotly_chart(metric_fig, config=png_config(f"{metric}-{stem}"), key=keys.get("metric"))
    table_slot.dataframe(results_table(comparison, target), width="stretch")


def on_epoch(comparison) -> None:
    st.session_state[LAST] = comparison  # kept even if Stop interrupts the redraw below
    done, total = comparison.epochs_done, comparison.config.epochs
    per_epoch = sum(comparison.epoch_seconds) / done
    networks = len(comparison.branches)
    progress.progress(done / total, text=f"Epoch {done}/{total} · {networks} network{'s' * (networks > 1)} "
                                         f"training together · about {per_epoch * (total - done):.0f} s left")
    draw(comparison)


if go and not problems:
    progress.progress(0.0, text="Building the networks and compiling the training step…")
    started = time.perf_counter()
    try:
        result = train_compare(config, data, catalogue, on_epoch=on_epoch)
    except ValueError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state[LAST] = result
    progress.success(f"Finished {result.epochs_done} epochs in {time.perf_counter() - started:.1f} s.")

last = st.session_state.get(LAST)
if last is not None:
    if not go and last.status == "running":
        # Stop (or any click) reran the page while the previous run's thread is still inside an
        # epoch: end it there and keep the epochs done so far.
        request_stop(last)
    if not go:
        status = {"stopped": "Stopped", "finished": "Finished", "running": "Interrupted"}.get(last.status, last.status)
        progress.info(f"{status} after {last.epochs_done} of {last.config.epochs} epochs · {last.dataset_source}")
    draw(last, final=True)
    run_id = save_once(last)
    if run_id is not None:
        st.caption(f"Saved as run {run_id}: find it on the Runs page, with this run's downloads.")
    with st.expander("Download this comparison", icon=":material/download:"):
        export_panel(last, ui_cat.colours_for(catalogue, last.config.activations), catalogue,
                     "train.export", dict(log_y=log_y, smoothing=smoothing, x_axis=x_axis, target=target))
else:
    progress.info("Choose activations and settings, then press **Train**.")
