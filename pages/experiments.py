"""Experiments: classic results about activations, reproduced with a criterion and a verdict."""

import streamlit as st

from core import experiments as ex
from core.experiment_figures import activations_of, figure, narrowing_table, numbers
from core.figures import png_config
from ui.experiments import experiment_runner, reference_results
from ui.jobs import session_token
from ui.nav import link_to, setup
from ui.palette import page_theme, styles_here

# "Not reproduced" is a finding, not a failure of the page: an info box, never an error one.
SHOW_VERDICT = {ex.REPRODUCED: st.success, ex.PARTLY: st.warning, ex.NOT_REPRODUCED: st.info}


def summary_ui(runner, reference: dict) -> None:
    """One row per experiment: its verdict here, or the reference one, with the date measured."""
    rows = []
    for e in ex.EXPERIMENTS.values():
        result, where = _result(runner, reference, e.id)
        rows.append(
            {
                "experiment": e.name,
                "claim": e.title,
                "verdict": result["verdict"] if result else "not run yet",
                "measured": f"{result['date']} ({where})" if result else "",
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(
        "“Reference run”: measured by `python bench/experiments.py` on the development machine "
        "(2 cores), shown until this server runs the experiment itself (its Run button)."
    )


def _result(runner, reference: dict, experiment_id: str) -> tuple[dict | None, str]:
    """This server's last result, else the reference result measured by bench/experiments.py."""
    here = runner.result(experiment_id)
    if here is not None:
        return here, "on this server"
    if experiment_id in reference:
        return reference[experiment_id], "reference run"
    return None, ""


def texts_ui(e: ex.Experiment) -> None:
    claim_col, setup_col = st.columns(2, gap="large")
    with claim_col:
        st.markdown("**The claim** (in our words)")
        st.write(e.claim)
        st.caption(f"Source: {e.citation}")
    with setup_col:
        st.markdown("**Our setup**")
        st.write(e.schedule)
        st.markdown("**Criterion** (written before the first run)")
        st.write(e.criterion)


def links_ui(e: ex.Experiment, result: dict | None) -> None:
    """Open the experiment's runs on Train or Depth with every setting filled in."""
    configs = e.configs()
    cols = st.columns(4)
    links = []
    for config in configs:
        label = "Open on Train" if len(configs) == 1 else f"Open {config.depth} layers on Train"
        links.append(("Train", label, ex.train_query(config)))
    for query in e.depth_links():
        label = "Open on Depth" if len(e.depth_links()) == 1 else f"Width {query['width']} on Depth"
        links.append(("Depth", label, query))
    if result and result.get("run_ids") and all(i > 0 for i in result["run_ids"]):
        runs = ",".join(str(i) for i in result["run_ids"])
        links.append(("Runs", "Its training runs on Runs", {"runs": runs}))
    for i, (page, label, query) in enumerate(links):
        with cols[i % len(cols)]:
            link_to(page, label, **query)


def run_button_ui(runner, e: ex.Experiment, result: dict | None) -> None:
    label = "Run again" if result else "Run"
    what = (
        "Trains its runs as jobs, one after another with any Train jobs in line (they appear "
        "on Runs); "
        if e.kind == "train"
        else "Computes its untrained networks; "
    )
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
    verdict = result["verdict"]
    show = SHOW_VERDICT.get(verdict, st.info)
    show(
        f"**Verdict: {verdict}.** Measured: {result['verdict_measured']}.  \n"
        f"Criterion: {e.criterion}"
    )
    measured = result["measured"]
    colours = styles_here(activations_of(e.id, measured))
    try:
        chart = figure(e.id, measured, colours, page_theme())
    except (KeyError, ValueError, TypeError) as exc:  # a result saved by another version
        st.warning(f"This saved result cannot be drawn ({exc}); press Run again.")
        return
    st.plotly_chart(chart, config=png_config(f"experiment-{e.id}"), key=f"experiments.{e.id}")
    table = numbers(e.id, measured)
    st.dataframe(table.style.format("{:.3g}"), width="stretch")
    if e.id == "dying-relu":
        st.caption(
            "The course's 10-layer narrowing net (PyTorch's default init, MNIST digits): dead "
            "share per hidden layer."
        )
        st.dataframe(narrowing_table(measured).style.format("{:.3g}"), width="stretch")
    st.caption(f"Measured {result['date']} ({where}) in {result.get('seconds', 0):.0f} s.")


def experiment_ui(runner, reference: dict, e: ex.Experiment) -> None:
    st.subheader(e.title)
    texts_ui(e)
    result, where = _result(runner, reference, e.id)
    status = runner.status(e.id)
    if status.state == "running":
        progress_ui(runner, e.id)
    else:
        run_button_ui(runner, e, result if where == "on this server" else None)
        if status.state == "failed":
            st.error(f"The last run failed: {status.error}. Press Run to try again.")
    links_ui(e, result if where == "on this server" else None)
    if result is not None:
        result_ui(e, result, where)
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
    tabs = st.tabs([e.name for e in ex.EXPERIMENTS.values()])
    for tab, e in zip(tabs, ex.EXPERIMENTS.values(), strict=True):
        with tab:
            experiment_ui(runner, reference, e)


main()
