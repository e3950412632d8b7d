"""Runs: every saved comparison; overlay several, rename, tag, delete, download, screenshot mode."""

import datetime
import time

import pandas as pd
import streamlit as st

from charts.exports import chromium_path
from charts.figures import png_config, training_chart
from charts.share import DATASET_SHORT, share_figure
from core.serve.grid import sweep_status
from core.serve.store import StoreError
from core.serve.tasks import may_stop
from core.study.learned import learned_series
from core.train.rates import Shown
from ui import catalogue as ui_cat
from ui.customs import from_runs
from ui.jobs import job_queue, place_in_line, progress_fraction, progress_text, session_token
from ui.nav import link_to, setup
from ui.palette import page_theme, repeat_notice, styles_here
from ui.serve.store import store
from ui.train.inside import inside_ui
from ui.train.learned import learned_ui
from ui.train.runs import (
    export_panel,
    quantity_label,
    reference_ui,
    results_section_ui,
    setup_label,
    share_png,
    sweep_ui,
)
from ui.url import default, publish, restore, runs_fields

REFERENCE = "runs.reference"  # the picker of the activation the others are compared with


def status_text(status: str, epochs: int) -> str:
    if status == "interrupted":
        return f"interrupted at epoch {epochs}"  # the server stopped while it trained
    return status


@st.fragment(run_every=1.0)
def jobs_ui(queue, shown: tuple[int, ...]) -> None:
    """Running and queued jobs with live progress; the page is redrawn when one ends, so the
    table below shows it finished."""
    active = queue.active()
    if tuple(j.id for j in active) != shown:
        st.rerun()
    if not active:
        return
    st.markdown("**Training now**")
    for job in active:
        names = ", ".join(job.record.config.activations)
        label = f"Run {job.id} · {names} · {job.record.config.model_label}"
        with st.container(border=True):
            if job.state == "queued":
                st.caption(f"{label} · {place_in_line(queue, job)}")
            else:
                st.progress(progress_fraction(job), text=f"{label} · {progress_text(job)}")


# The columns people compare come first. Every column fits a 1280 px window (about 818 px of
# table beside the sidebar) because a cell's text wraps on up to three lines: Streamlit wraps
# text in rows taller than 64 px.
COLUMNS = (
    "run",
    "activations",
    "best val loss",
    "best val metric",
    "status",
    "name [tags]",
    "setup",
    "date",
)
ROW_PX = 66
ACTIVATIONS_SHOWN = 44  # characters of the activation list before it says "+N more"
NAME_SHOWN, TAGS_SHOWN = 24, 14  # characters of a run's name and of its tags before "…"


def short_list(names: str, limit: int = ACTIVATIONS_SHOWN) -> str:
    """'relu, tanh, sigmoid, gelu +6 more': whole names up to `limit` characters, then a count
    (the filter still searches every name); a first name longer than `limit` ends in "…"."""
    parts = [n for n in names.split(", ") if n]
    shown = []
    for part in parts:
        if shown and len(", ".join(shown + [part])) > limit:
            break
        shown.append(part)
    rest = len(parts) - len(shown)
    return shortened(", ".join(shown), limit) + (f" +{rest} more" if rest else "")


def shortened(text: str, limit: int) -> str:
    """`text`, or its first `limit` - 1 characters and "…"."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def run_label(name: str, tags: str) -> str:
    """'baseline relu [paper, v2]': a run's name and its tags in one column, each shortened
    ("…") past its share of the cell's three lines."""
    tag_list = ", ".join(t.strip() for t in tags.split(",") if t.strip())
    tag_text = f"[{shortened(tag_list, TAGS_SHOWN)}]" if tag_list else ""
    return " ".join(filter(None, [shortened(name, NAME_SHOWN), tag_text]))


def metric_text(value: float | None, metric_name: str) -> str | None:
    """'0.6600 (accuracy)', or nothing before the first epoch."""
    return None if value is None else f"{value:.4f} ({metric_name})"


def runs_frame(summaries) -> pd.DataFrame:
    rows = [
        {
            "run": r.id,
            "activations": short_list(r.activations),
            "best val loss": None if r.best_val_loss is None else round(r.best_val_loss, 4),
            "best val metric": metric_text(r.best_val_metric, r.metric_name),
            "status": status_text(r.status, r.epochs),
            "name [tags]": run_label(r.name, r.tags),
            "setup": f"{DATASET_SHORT.get(r.dataset, r.dataset)} · {r.model} · {r.epochs} ep.",
            "date": datetime.datetime.fromtimestamp(r.created).strftime("%Y-%m-%d %H:%M"),
        }
        for r in summaries
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))  # the columns stay when nothing matches


def runs_table_config() -> dict:
    """Every column's width, within a 1280 px window (Streamlit sizes a column to its longest
    cell otherwise, on one line)."""
    column = st.column_config
    return {
        "run": column.NumberColumn("run", width=48, format="%d"),
        "activations": column.TextColumn("activations", width=150),
        "best val loss": column.NumberColumn("best val loss", width=88, format="%.4f"),
        "best val metric": column.TextColumn("best val metric", width=118),
        "status": column.TextColumn("status", width=84),
        "name [tags]": column.TextColumn("name [tags]", width=130),
        "setup": column.TextColumn("setup", width=116, help="Dataset, model and epochs trained."),
        "date": column.TextColumn("date", width=82),
    }


# A chosen run's chip holds about 44 characters at 1280 px; the runs table above says the rest
# (a custom's formula made one run 'run 1 · relu, tanh, elu_sin… = alp…', cut by 50 px).
CHIP_CHARS = 44


def _chip(label: str) -> str:
    return label if len(label) <= CHIP_CHARS else label[: CHIP_CHARS - 1].rstrip() + "…"


def selection_ui(runs_store) -> tuple[list[int], dict]:
    """The runs table, one page at a time, with its filter; the runs picked to overlay (this
    page's and those already picked on other pages); and the chart options."""
    page_size = 10  # the whole page of the table fits one screen above the charts

    def first_page() -> None:  # a new filter starts at its first page
        st.session_state["runs.page"] = 1

    filter_col, page_col = st.columns([5, 1], vertical_alignment="bottom")
    query = filter_col.text_input(
        "Filter",
        key="runs.filter",
        placeholder="dataset, activation, tag, name or status…",
        on_change=first_page,
    ).strip()
    total = runs_store.count(query)
    pages = max(1, (total + page_size - 1) // page_size)
    if st.session_state.get("runs.page", 1) > pages:  # runs were deleted since it was picked
        st.session_state["runs.page"] = pages
    page = page_col.number_input(
        "Page", min_value=1, max_value=pages, step=1, key="runs.page", disabled=pages == 1
    )
    offset = (page - 1) * page_size
    summaries = runs_store.runs(limit=page_size, offset=offset, query=query)
    table = runs_frame(summaries)
    st.dataframe(
        table.set_index("run"),
        width="stretch",
        height="content",  # every row of the page: no one cut-off row to scroll
        column_config=runs_table_config(),
        row_height=ROW_PX,
        key="runs.table",
    )
    matching = " matching the filter" if query else ""
    if summaries:
        st.caption(f"runs {offset + 1}–{offset + len(summaries)} of {total:,}{matching}")
    else:
        st.caption("No run matches the filter.")
    by_id = runs_store.summaries(st.session_state.get("runs.selected", []))
    by_id.update((r.id, r) for r in summaries)
    chosen = st.multiselect(
        "Runs to show and overlay",
        sorted(by_id, reverse=True),
        key="runs.selected",
        format_func=lambda i: _chip(f"run {i} · {by_id[i].name or by_id[i].activations}"),
    )
    cols = st.columns([1.4, 1.1, 2, 2], vertical_alignment="bottom")
    cols[0].toggle(
        "Screenshot mode",
        key="runs.screenshot",
        help="The comparison alone, composed as the Share image download: title, "
        "configuration, the two charts, the results, the app's name and the date.",
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


def screenshot_ui(loaded, shown, colours, options, reference: str | None) -> None:
    """The Share image itself, as its download renders it; scaled to the page, its layout (made
    for WIDTH pixels) stays as it is. Without Chromium, the same figure drawn by the browser."""
    labels = [f"run {i}" for i in loaded] if len(loaded) > 1 else None
    fig = share_figure(
        shown, colours, options, theme=page_theme(), run_labels=labels, reference=reference
    )
    if chromium_path() is None:
        st.plotly_chart(fig, theme=None, key="runs.share", width="content")
        return
    with st.spinner("Drawing the share image…"):  # the first one starts Chromium: seconds
        png = share_png(fig.to_json())
    st.image(png, width="stretch")


def comparison_ui(
    loaded, shown, colours, options, screenshot: bool, reference: str | None
) -> str | None:
    """Title, configuration line, loss and metric side by side, and the results of each run
    with the activations against a reference picked under them (returned). In screenshot mode
    the Share image instead, its verdicts against `reference` (picked with the controls)."""
    if screenshot:
        screenshot_ui(loaded, shown, colours, options, reference)
        return reference
    comparisons = [view.record for view in shown]
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
            shown,
            colours,
            key,
            title=quantity_label(first, key),
            run_labels=labels,
            **options,
        )
        slot.plotly_chart(fig, config=png_config(f"{key}-runs-{stem}"), key=f"runs.chart.{key}")
    repeat_notice(colours)
    overlaid = loaded if len(loaded) > 1 else None
    reference = results_section_ui(shown, colours, REFERENCE, run_ids=overlaid)
    for run_id, view in zip(loaded, shown, strict=True):
        label = f"Run {run_id}" if len(loaded) > 1 else ""  # overlaid: say whose chart it is
        sweep_ui(view, colours, f"runs.{run_id}.sweep_chart", label)
        if learned_series(view):
            with st.expander(f"Run {run_id}: learned activation parameters", expanded=True):
                learned_ui(view, colours, f"runs.{run_id}.learned")
    for run_id, view in zip(loaded, shown, strict=True):
        with st.expander(f"Run {run_id}: inside the network", expanded=len(loaded) == 1):
            inside_ui(view, colours, f"runs.{run_id}.inside")


def manage_ui(runs_store, run_id: int, shown, colours, catalogue, options) -> None:
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
        export_panel(shown, colours, catalogue, f"runs.{run_id}.export", options)
        job = job_queue().get(run_id)
        training = job is not None and job.active
        # Deleting a training run stops it: the task model's owner rule, as for Stop.
        mine = not training or may_stop(job.owner, session_token())
        label = (
            "I want to stop its training and delete this run"
            if training
            else ("I want to delete this run")
        )
        confirm = st.checkbox(label, key=f"runs.{run_id}.confirm", disabled=not mine)
        if not mine:
            st.caption("It trains for another session: it can be deleted once it has ended.")
        if st.button(
            "Delete run",
            key=f"runs.{run_id}.delete",
            type="primary",
            disabled=not (confirm and mine),
        ):
            if training:  # a deleted run must not keep the worker (and the queue) busy
                job_queue().stop(run_id, session_token())
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


SWEEPS_LISTED = 10


def sweeps_ui(runs_store) -> None:
    """Saved sweeps, newest first, each opening on the Sweep page (their runs are in the table
    below too, named "sweep N · …")."""
    sweeps = runs_store.sweeps(limit=SWEEPS_LISTED)
    if not sweeps:
        return
    count = f"the {SWEEPS_LISTED} newest" if len(sweeps) == SWEEPS_LISTED else str(len(sweeps))
    with st.expander(f"Sweeps ({count})", icon=":material/grid_on:"):
        for row in sweeps:
            states = [s.status for s in runs_store.summaries(r for _, _, r in row.runs).values()]
            state = sweep_status(states + ["deleted"] * (len(row.runs) - len(states)))
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created))
            text, link = st.columns([4, 1], vertical_alignment="center")
            text.markdown(
                f"**Sweep {row.id}** · {row.name} · {len(row.runs)} architectures · {state} · "
                f"{when}"
            )
            with link:
                link_to("Sweep", "Open", sweep=str(row.id))


def searches_ui(runs_store) -> None:
    """Saved activation searches, newest first, each opening on the Search page (their batches
    are in the table below too, named "search N · …")."""
    searches = runs_store.searches(limit=SWEEPS_LISTED)
    if not searches:
        return
    listed = len(searches)
    count = f"the {SWEEPS_LISTED} newest" if listed == SWEEPS_LISTED else str(listed)
    with st.expander(f"Searches ({count})", icon=":material/travel_explore:"):
        for row in searches:
            entries = row.state.get("entries", [])
            scored = sum(e.get("status") == "scored" for e in entries)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.created))
            text, link = st.columns([4, 1], vertical_alignment="center")
            text.markdown(
                f"**Search {row.id}** · {row.name} · {scored} candidates scored · {row.status} · "
                f"{when}"
            )
            with link:
                link_to("Search", "Open", search=str(row.id))


OPENED = "runs.opened"


def show_newest_on_first_open(newest: int) -> None:
    """The first time a session sees this page with runs, and its link names none, the newest
    run is shown rather than an empty chart area. The flag is set then, once: afterwards an
    empty selection is one the user made (cleared on purpose) and is kept, as is a link's."""
    if not st.session_state.get(OPENED):
        st.session_state[OPENED] = True
        named = "runs" in st.query_params  # even `?runs=`: a link to an empty selection
        if not named and not st.session_state.get("runs.selected"):
            st.session_state["runs.selected"] = [newest]
    default("runs.selected", [])


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
            "Every training run, saved epoch by epoch as it trains and kept across refreshes "
            "and restarts. Pick several to overlay them."
        )

    runs_store = store()
    if runs_store is None:
        return
    queue = job_queue()  # on the first visit after a restart, this finds interrupted runs
    if not screenshot:
        with head:
            jobs_ui(queue, tuple(j.id for j in queue.active()))
            sweeps_ui(runs_store)
            searches_ui(runs_store)
    catalogue = ui_cat.session_catalogue()
    fields = runs_fields()
    for notice in restore("runs", fields):
        st.warning(notice)
    summaries = runs_store.runs(limit=1)  # any run at all; the table reads its own page
    if not summaries:
        default("runs.selected", [])
        st.info(
            "No runs yet. Train a comparison on the Train page: it is saved here when it "
            "finishes or is stopped."
        )
        return
    show_newest_on_first_open(summaries[0].id)
    by_id = runs_store.summaries(st.session_state["runs.selected"])  # the ones that exist
    st.session_state["runs.selected"] = keep_existing(st.session_state["runs.selected"], by_id)
    with controls_area:
        chosen, options = selection_ui(runs_store)
    publish("runs", fields)

    if not chosen:
        comparison_area.info("Pick one or more runs above to see their charts.")
        return
    loaded, comparisons = load_runs(runs_store, chosen)
    if not comparisons:
        return
    # The customs these runs trained join this session's catalogue (their script, the Gallery,
    # Train), compiled again from the definitions the runs carry.
    from_runs(zip(loaded, (c.customs for c in comparisons), strict=True))
    catalogue = ui_cat.session_catalogue()
    # One view: the activations of every overlaid run, in the order they first appear.
    colours = styles_here([n for c in comparisons for n in c.config.activations])
    # What each run shows (a sweep: each activation at its best rate), chosen once for the page:
    # its charts, tables, sections and downloads all take it.
    shown = [Shown.of(c) for c in comparisons]
    reference = None
    if screenshot:  # the image shows the verdicts; their picker waits with the controls
        with controls_area:
            reference = reference_ui(shown, REFERENCE)
    with comparison_area:
        reference = comparison_ui(loaded, shown, colours, options, screenshot, reference)
    if not screenshot:
        for run_id, view in zip(loaded, shown, strict=True):
            manage_ui(
                runs_store, run_id, view, colours, catalogue, dict(options, reference=reference)
            )


main()
