"""Experiments: classic results about activations, reproduced with a criterion and a verdict."""

import streamlit as st

from charts.figures import png_config
from charts.study.experiment_figures import (
    activations_of,
    figure,
    narrowing_table,
    notes,
    numbers,
    numbers_layout,
)
from core.study import experiments as ex
from ui.customs import DEF_PARAM, definitions_value
from ui.jobs import session_token
from ui.nav import link_to, setup
from ui.palette import page_theme, styles_here
from ui.study.experiments import experiment_runner, reference_results
from ui.url import train_query

# "Not reproduced" is a finding, not a failure of the page: an info box, never an error one.
SHOW_VERDICT = {
    ex.REPRODUCED: st.success,
    ex.PARTLY: st.warning,
    ex.NOT_REPRODUCED: st.info,
    ex.INCONCLUSIVE: st.info,
}


HERE, REFERENCE_RUN = "on this server", "reference run"


# Three lines of text a row (Streamlit wraps a cell's text in rows taller than 64 px): the
# summary's long cells wrap, so nothing in it is cut at 1280 px.
SUMMARY_ROW_PX = 68


def summary_ui(runner, reference: dict) -> None:
    """One row per experiment: its claim, its verdict here or the reference one (marked, with
    the date measured) and the criterion it was judged by."""
    rows = []
    for e in ex.EXPERIMENTS.values():
        result, where, outdated = _result(runner, reference, e)
        if result is None:
            verdict = "outdated: press Run" if outdated else "not run yet"
        else:
            verdict = f"{_verdict(e, result).label} ({where}, {result['date']})"
        rows.append(
            {
                "experiment": f"{e.name}: {e.title}",
                "verdict": verdict,
                "criterion": e.short_criterion,
            }
        )
    columns = {
        "experiment": st.column_config.TextColumn(width=270),
        "verdict": st.column_config.TextColumn(width=150),
        "criterion": st.column_config.TextColumn(width=390),
    }
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height="content",
        column_config=columns,
        row_height=SUMMARY_ROW_PX,
    )
    st.caption(
        "“Reference run”: measured by `python bench/experiments.py` on the development machine "
        "(2 cores), not on this server; shown until this server runs the experiment itself (its "
        "Run button). Every verdict is judged from its measured numbers by the criterion shown "
        "(in full in each tab); “inconclusive” means the seeds' spread is wider than the "
        "margin that would decide it."
    )


def _result(runner, reference: dict, e: ex.Experiment) -> tuple[dict | None, str, bool]:
    """This server's last result, else the reference result measured by bench/experiments.py;
    only a result saved under the experiment's current definition (its digest: configurations,
    schedule and criterion) counts. The flag says a result was found but is outdated."""
    current = ex.digest(e)
    outdated = False
    for result, where in ((runner.result(e.id), HERE), (reference.get(e.id), REFERENCE_RUN)):
        if result is None:
            continue
        if result.get("digest") == current and _judgeable(e, result):
            return result, where, False
        outdated = True
    return None, "", outdated


def _judgeable(e: ex.Experiment, result: dict) -> bool:
    try:
        _verdict(e, result)
    except (KeyError, ValueError, TypeError, IndexError):
        return False
    return True


def _verdict(e: ex.Experiment, result: dict) -> ex.Verdict:
    """The verdict of the saved numbers under the criterion on display (not the saved verdict
    string, which an older criterion may have produced)."""
    return e.verdict(result["measured"])


def texts_ui(e: ex.Experiment) -> None:
    claim_col, setup_col = st.columns(2, gap="large")
    with claim_col:
        st.markdown("**The claim** (in our words)")
        st.write(e.claim)
        st.caption(f"Source: {e.citation}")
    with setup_col:
        st.markdown("**Our setup**")
        st.write(e.schedule)
        st.markdown(f"**Differs from the paper:** {e.differs}")
        st.markdown("**Criterion** (written before the first run)")
        st.write(e.criterion)


def links_ui(e: ex.Experiment, result: dict | None) -> None:
    """Open the experiment's runs on Train or Depth with every setting filled in."""
    cols = st.columns(
        3
    )  # three to a row: a label such as "Open σ_w² 1.761, 64 layers on Train" fits
    typed = {DEF_PARAM: definitions_value(e.link_customs())} if e.link_customs() else {}
    links = [("Train", label, {**train_query(c), **typed}) for label, c in e.train_links()]
    for query in e.depth_links():
        label = "Open on Depth" if len(e.depth_links()) == 1 else f"Width {query['width']} on Depth"
        links.append(("Depth", label, query))
    for search_id in (result or {}).get("search_ids", []):
        links.append(("Search", f"Search {search_id} on Search", {"search": str(search_id)}))
    if result and result.get("run_ids") and all(i > 0 for i in result["run_ids"]):
        runs = ",".join(str(i) for i in result["run_ids"])
        links.append(("Runs", "Its training runs on Runs", {"runs": runs}))
    for i, (page, label, query) in enumerate(links):
        with cols[i % len(cols)]:
            link_to(page, label, **query)


def run_button_ui(runner, e: ex.Experiment, result: dict | None) -> None:
    label = "Run again" if result else "Run"
    what = {
        "train": "Trains its runs as jobs, one after another with any Train jobs in line (they "
        "appear on Runs); ",
        "fit": "Fits its networks in its own task (a KAN is not a Train-page model, so nothing "
        "lands on Runs); ",
        "search": "Runs its searches one after another (each on the Search page, its batches on "
        "Runs; about 8 to 9 minutes a search on 2 cores); ",
    }.get(e.kind, "Computes its untrained networks; ")
    st.button(
        label,
        key=f"experiments.run.{e.id}",
        type="primary" if not result else "secondary",
        on_click=runner.start,
        args=(e.id, session_token()),
        help=what + "the page can be closed meanwhile, the result is saved.",
    )


@st.fragment(run_every=1.0)
def progress_ui(runner, experiment_id: str) -> None:
    """Redraws itself every second while the experiment runs; the whole page once it ends."""
    status = runner.status(experiment_id)
    if status.state != "running":
        st.rerun()
    seconds = _elapsed(status.started)
    st.progress(min(1.0, status.fraction), text=f"Running: {status.text} ({seconds})")


def _elapsed(started: float) -> str:
    import time

    return f"{time.time() - started:.0f} s so far"


def result_ui(e: ex.Experiment, result: dict, where: str) -> None:
    verdict = _verdict(e, result)
    show = SHOW_VERDICT.get(verdict.label, st.info)
    title = "Reference verdict" if where == REFERENCE_RUN else "Verdict"
    show(f"**{title}: {verdict.label}.** Measured: {verdict.measured}.  \nCriterion: {e.criterion}")
    measured = result["measured"]
    colours = styles_here(activations_of(e.id, measured))
    try:
        chart = figure(e.id, measured, colours, page_theme())
    except (KeyError, ValueError, TypeError) as exc:  # a result saved by another version
        st.warning(f"This saved result cannot be drawn ({exc}); press Run again.")
        return
    st.plotly_chart(chart, config=png_config(f"experiment-{e.id}"), key=f"experiments.{e.id}")
    table = numbers(e.id, measured)
    numeric = table.select_dtypes("number").columns
    styled = table.style.format("{:.3g}", subset=numeric)
    st.dataframe(styled, width="stretch", **numbers_layout(e.id))
    for note in notes(e.id, measured):
        st.caption(note)
    if e.id == "dying-relu":
        st.caption(
            "The course's 10-layer narrowing net (PyTorch's default init, MNIST digits): dead "
            "share per hidden layer."
        )
        st.dataframe(narrowing_table(measured).style.format("{:.3g}"), width="stretch")
    st.caption(f"Measured {result['date']} ({where}) in {result.get('seconds', 0):.0f} s.")


def reference_notice_ui(result: dict) -> None:
    st.info(
        "Not measured on this server yet: reference result from `python bench/experiments.py` "
        f"on {result['date']}, dev machine (2 cores). Press Run to measure it here."
    )


def experiment_ui(runner, reference: dict, e: ex.Experiment) -> None:
    st.subheader(f"{e.name}: {e.title}")
    result, where, outdated = _result(runner, reference, e)
    if result is not None and where == REFERENCE_RUN:
        reference_notice_ui(result)
    texts_ui(e)
    status = runner.status(e.id)
    if status.state == "running":
        progress_ui(runner, e.id)
    else:
        run_button_ui(runner, e, result if where == HERE else None)
        if status.state == "failed":
            st.error(f"The last run failed: {status.error}. Press Run to try again.")
    links_ui(e, result if where == HERE else None)
    if result is not None:
        result_ui(e, result, where)
    elif outdated:
        st.info(
            "The saved result is outdated: it was measured or judged under an earlier version "
            "of this experiment's setup or criterion, so it is not shown. Press **Run** to "
            "measure it again."
        )
    else:
        st.info("Not run on this server yet: press **Run** to measure it.")


def main() -> None:
    setup("Experiments")
    st.title("Experiments")
    st.caption(
        "Classic results about activations, reproduced here: each states the published claim "
        "and its source, our (often reduced) setup, and a criterion written down before the "
        "first run; the verdict is judged by that criterion from the numbers measured."
    )
    runner = experiment_runner()
    reference = reference_results()
    summary_ui(runner, reference)
    tabs = st.tabs(list(ex.GROUPS))
    for tab, ids in zip(tabs, ex.GROUPS.values(), strict=True):
        with tab:
            for k, experiment_id in enumerate(ids):
                if k:
                    st.divider()
                experiment_ui(runner, reference, ex.get(experiment_id))


main()
