"""Runs: every saved comparison; overlay several, rename, tag, delete, download, screenshot mode."""
import datetime

import pandas as pd
import streamlit as st

from core.figures import png_config, training_chart
from core.state import runs_fields
from core.store import StoreError
from core.tables import results_table
from ui import catalogue as ui_cat
from ui.runs import chart_title, export_panel, store
from ui.url import default, publish, restore

default("runs.screenshot", False)
screenshot = st.session_state["runs.screenshot"]
# In screenshot mode the comparison comes first and the controls wait, folded, below it.
head = st.container()
comparison_area = st.container()
controls_area = st.expander("Runs, filters and chart options", expanded=False) if screenshot else head

if not screenshot:
    head.title("Runs")
    head.caption("Every finished or stopped training run, kept across refreshes and restarts. Pick several to overlay them.")

runs_store = store()
if runs_store is None:
    st.stop()
catalogue = ui_cat.session_catalogue()
fields = runs_fields()
for notice in restore("runs", fields):
    st.warning(notice)
default("runs.selected", [])

summaries = runs_store.runs()
if not summaries:
    st.info("No runs yet. Train a comparison on the Train page: it is saved here when it finishes or is stopped.")
    st.stop()
by_id = {r.id: r for r in summaries}
deleted_here = st.session_state.get("runs.deleted", set())
missing = [i for i in st.session_state["runs.selected"] if i not in by_id and i not in deleted_here]
if missing:
    st.warning(f"Run(s) {', '.join(map(str, missing))} from the link no longer exist; showing the rest.")
st.session_state["runs.selected"] = [i for i in st.session_state["runs.selected"] if i in by_id]

with controls_area:
    query = st.text_input("Filter", key="runs.filter", placeholder="dataset, activation, tag, name or status…").strip().lower()
    table = pd.DataFrame([{
        "run": r.id,
        "date": datetime.datetime.fromtimestamp(r.created).strftime("%Y-%m-%d %H:%M"),
        "name": r.name, "tags": r.tags, "dataset": r.dataset, "model": r.model, "activations": r.activations,
        "best val loss": None if r.best_val_loss is None else round(r.best_val_loss, 4),
        "best val metric": None if r.best_val_metric is None else f"{r.best_val_metric:.4f} ({r.metric_name})",
        "status": r.status,
    } for r in summaries])
    if query:
        table = table[table.astype(str).apply(lambda row: query in " ".join(row).lower(), axis=1)]
    st.dataframe(table.set_index("run"), width="stretch", height=min(36 * len(table) + 40, 300), key="runs.table")
    chosen = st.multiselect("Runs to show and overlay", sorted(by_id, reverse=True), key="runs.selected",
                            format_func=lambda i: f"run {i} · {by_id[i].name or by_id[i].activations}")
    options_cols = st.columns([1.4, 1.1, 2, 2], vertical_alignment="bottom")
    options_cols[0].toggle("Screenshot mode", key="runs.screenshot",
                           help="A compact layout of the comparison alone: title, configuration, the two charts and "
                                "the results, on one 1400×900 screen.")
    log_y = options_cols[1].toggle("Log-scale y", key="runs.log_y")
    smoothing = options_cols[2].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="runs.smoothing")
    x_axis = options_cols[3].radio("x axis", ["epoch", "time"], horizontal=True, key="runs.x_axis")
publish("runs", fields)

if not chosen:
    comparison_area.info("Pick one or more runs above to see their charts.")
    st.stop()
comparisons, loaded = [], []
for run_id in chosen:
    try:
        comparisons.append(runs_store.load(run_id))
        loaded.append(run_id)
    except StoreError as exc:
        st.error(str(exc))
if not comparisons:
    st.stop()
options = dict(log_y=log_y, smoothing=smoothing, x_axis=x_axis)
labels = [f"run {i}" for i in loaded] if len(loaded) > 1 else None
colours = ui_cat.colours_for(catalogue, [n for c in comparisons for n in c.config.activations])
first = comparisons[0]

with comparison_area:
    cfg = first.config
    title = chart_title(first, "loss").replace("Loss — ", "")
    st.subheader(f"{', '.join(dict.fromkeys(n for c in comparisons for n in c.config.activations))} — {title}")
    st.caption(f"{first.dataset_source} · {cfg.epochs} epochs · batch {cfg.batch_size} · {cfg.seeds} seed(s) · "
               f"run{'s' * (len(loaded) > 1)} {', '.join(map(str, loaded))} · solid = train, dashed = validation")
    left, right = st.columns(2, gap="medium")
    for slot, key in ((left, "loss"), (right, "metric")):
        fig = training_chart(comparisons, colours, key, title=chart_title(first, key).split(" — ")[0],
                             run_labels=labels, **options)
        fig.update_layout(height=370 if screenshot else 470)
        slot.plotly_chart(fig, config=png_config(f"{key}-runs-{'-'.join(map(str, loaded))}"), key=f"runs.chart.{key}")
    tables = [results_table(c, None).assign(run=run_id).set_index("run", append=True).swaplevel()
              for run_id, c in zip(loaded, comparisons)]
    combined = pd.concat(tables)
    st.dataframe(combined.drop(columns=[c for c in combined.columns if c.startswith("epochs to")]), width="stretch",
                 height=min(35 * len(combined) + 40, 260 if screenshot else 500))

if not screenshot:
    for run_id, comp in zip(loaded, comparisons):
        with st.expander(f"Run {run_id}: rename, tag, delete, download", icon=":material/settings:"):
            info = runs_store.details(run_id)
            name_col, tags_col, save_col = st.columns([2, 2, 1], vertical_alignment="bottom")
            new_name = name_col.text_input("Name", value=info["name"], key=f"runs.{run_id}.name")
            new_tags = tags_col.text_input("Tags (comma-separated)", value=info["tags"], key=f"runs.{run_id}.tags")
            if save_col.button("Save", key=f"runs.{run_id}.save", width="stretch"):
                runs_store.rename(run_id, new_name)
                runs_store.set_tags(run_id, new_tags)
                st.rerun()
            st.caption("Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
            export_panel(comp, colours, catalogue, f"runs.{run_id}.export", options)
            confirm = st.checkbox("I want to delete this run", key=f"runs.{run_id}.confirm")
            if st.button("Delete run", key=f"runs.{run_id}.delete", type="primary", disabled=not confirm):
                runs_store.delete(run_id)
                st.session_state["runs.deleted"] = st.session_state.get("runs.deleted", set()) | {run_id}
                st.toast(f"Run {run_id} deleted.")
                st.rerun()
