"""Runs: every saved comparison; overlay several, rename, tag, delete, download, screenshot mode."""

import datetime

import pandas as pd
import streamlit as st

from core.figures import png_config, training_chart
from core.state import runs_fields
from core.store import StoreError
from core.tables import results_table
from ui import catalogue as ui_cat
from ui.nav import setup
from ui.palette import colours_for
from ui.runs import export_panel, quantity_label, setup_label, store
from ui.url import default, publish, restore


def runs_frame(summaries) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "run": r.id,
                "date": datetime.datetime.fromtimestamp(r.created).strftime("%Y-%m-%d %H:%M"),
                "name": r.name,
                "tags": r.tags,
                "dataset": r.dataset,
                "model": r.model,
                "activations": r.activations,
                "best val loss": None if r.best_val_loss is None else round(r.best_val_loss, 4),
                "best val metric": (
                    None
                    if r.best_val_metric is None
                    else f"{r.best_val_metric:.4f} ({r.metric_name})"
                ),
                "status": r.status,
            }
            for r in summaries
        ]
    )


def selection_ui(summaries) -> tuple[list[int], dict]:
    """The runs table with its filter, the runs picked to overlay, and the chart options."""
    by_id = {r.id: r for r in summaries}
    query = (
        st.text_input(
            "Filter", key="runs.filter", placeholder="dataset, activation, tag, name or status…"
        )
        .strip()
        .lower()
    )
    table = runs_frame(summaries)
    if query:
        matches = table.astype(str).apply(lambda row: query in " ".join(row).lower(), axis=1)
        table = table[matches]
    height = min(36 * len(table) + 40, 300)
    st.dataframe(table.set_index("run"), width="stretch", height=height, key="runs.table")
    chosen = st.multiselect(
        "Runs to show and overlay",
        sorted(by_id, reverse=True),
        key="runs.selected",
        format_func=lambda i: f"run {i} · {by_id[i].name or by_id[i].activations}",
    )
    cols = st.columns([1.4, 1.1, 2, 2], vertical_alignment="bottom")
    cols[0].toggle(
        "Screenshot mode",
        key="runs.screenshot",
        help="A compact layout of the comparison alone: title, configuration, the two "
        "charts and the results, on one 1400×900 screen.",
    )
    options = dict(
        log_y=cols[1].toggle("Log-scale y", key="runs.log_y"),
        smoothing=cols[2].slider("Smoothing", 0.0, 0.95, 0.0, 0.05, key="runs.smoothing"),
        x_axis=cols[3].radio("x axis", ["epoch", "time"], horizontal=True, key="runs.x_axis"),
    )
    return chosen, options


def load_runs(runs_store, chosen: list[int]) -> tuple[list[int], list]:
    """The chosen runs' records; a run that cannot be loaded gets an error and is left out."""
    loaded, comparisons = [], []
    for run_id in chosen:
        try:
            comparisons.append(runs_store.load(run_id))
            loaded.append(run_id)
        except StoreError as exc:
            st.error(str(exc))
    return loaded, comparisons


def comparison_ui(loaded, comparisons, colours, options, screenshot: bool) -> None:
    """Title, configuration line, loss and metric side by side, and the results of each run."""
    first, cfg = comparisons[0], comparisons[0].config
    activations = dict.fromkeys(n for c in comparisons for n in c.config.activations)
    st.subheader(f"{', '.join(activations)} — {setup_label(first)}")
    plural = "s" * (len(loaded) > 1)
    st.caption(
        f"{first.dataset_source} · {cfg.epochs} epochs · batch {cfg.batch_size} · "
        f"{cfg.seeds} seed(s) · run{plural} {', '.join(map(str, loaded))} · "
        f"solid = train, dashed = validation"
    )
    labels = [f"run {i}" for i in loaded] if len(loaded) > 1 else None
    stem = "-".join(map(str, loaded))
    for slot, key in zip(st.columns(2, gap="medium"), ("loss", "metric"), strict=True):
        fig = training_chart(
            comparisons,
            colours,
            key,
            title=quantity_label(first, key),
            run_labels=labels,
            **options,
        )
        fig.update_layout(height=370 if screenshot else 470)
        slot.plotly_chart(fig, config=png_config(f"{key}-runs-{stem}"), key=f"runs.chart.{key}")
    tables = [
        results_table(c, None).assign(run=run_id).set_index("run", append=True).swaplevel()
        for run_id, c in zip(loaded, comparisons, strict=True)
    ]
    combined = pd.concat(tables)
    no_target = [c for c in combined.columns if c.startswith("epochs to")]
    height = min(35 * len(combined) + 40, 260 if screenshot else 500)
    st.dataframe(combined.drop(columns=no_target), width="stretch", height=height)


def manage_ui(runs_store, run_id: int, comparison, colours, catalogue, options) -> None:
    """Rename, tag, download and delete one run."""
    with st.expander(f"Run {run_id}: rename, tag, delete, download", icon=":material/settings:"):
        info = runs_store.details(run_id)
        name_col, tags_col, save_col = st.columns([2, 2, 1], vertical_alignment="bottom")
        new_name = name_col.text_input("Name", value=info["name"], key=f"runs.{run_id}.name")
        new_tags = tags_col.text_input(
            "Tags (comma-separated)", value=info["tags"], key=f"runs.{run_id}.tags"
        )
        if save_col.button("Save", key=f"runs.{run_id}.save", width="stretch"):
            runs_store.rename(run_id, new_name)
            runs_store.set_tags(run_id, new_tags)
            st.rerun()
        st.caption("Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
        export_panel(comparison, colours, catalogue, f"runs.{run_id}.export", options)
        confirm = st.checkbox("I want to delete this run", key=f"runs.{run_id}.confirm")
        if st.button(
            "Delete run", key=f"runs.{run_id}.delete", type="primary", disabled=not confirm
        ):
            runs_store.delete(run_id)
            st.session_state["runs.deleted"] = st.session_state.get("runs.deleted", set()) | {
                run_id
            }
            st.toast(f"Run {run_id} deleted.")
            st.rerun()


def keep_existing(selected: list[int], by_id: dict) -> list[int]:
    """Drop runs that no longer exist from the selection, saying which came from a link."""
    deleted_here = st.session_state.get("runs.deleted", set())
    missing = [i for i in selected if i not in by_id and i not in deleted_here]
    if missing:
        st.warning(
            f"Run(s) {', '.join(map(str, missing))} from the link no longer exist; "
            f"showing the rest."
        )
    return [i for i in selected if i in by_id]


def main() -> None:
    setup("Runs")
    default("runs.screenshot", False)
    screenshot = st.session_state["runs.screenshot"]
    # In screenshot mode the comparison comes first and the controls wait, folded, below it.
    head = st.container()
    comparison_area = st.container()
    if screenshot:
        controls_area = st.expander("Runs, filters and chart options", expanded=False)
    else:
        controls_area = head
        head.title("Runs")
        head.caption(
            "Every finished or stopped training run, kept across refreshes and restarts. "
            "Pick several to overlay them."
        )

    runs_store = store()
    if runs_store is None:
        return
    catalogue = ui_cat.session_catalogue()
    fields = runs_fields()
    for notice in restore("runs", fields):
        st.warning(notice)
    default("runs.selected", [])

    summaries = runs_store.runs()
    if not summaries:
        st.info(
            "No runs yet. Train a comparison on the Train page: it is saved here when it "
            "finishes or is stopped."
        )
        return
    by_id = {r.id: r for r in summaries}
    st.session_state["runs.selected"] = keep_existing(st.session_state["runs.selected"], by_id)
    with controls_area:
        chosen, options = selection_ui(summaries)
    publish("runs", fields)

    if not chosen:
        comparison_area.info("Pick one or more runs above to see their charts.")
        return
    loaded, comparisons = load_runs(runs_store, chosen)
    if not comparisons:
        return
    colours = colours_for(catalogue, [n for c in comparisons for n in c.config.activations])
    with comparison_area:
        comparison_ui(loaded, comparisons, colours, options, screenshot)
    if not screenshot:
        for run_id, comparison in zip(loaded, comparisons, strict=True):
            manage_ui(runs_store, run_id, comparison, colours, catalogue, options)


main()
