"""KAN: fit a function of two variables with a Kolmogorov–Arnold network, its grid refined step by
step, the fit run as a task of the server, the network drawn as its edge functions."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from charts.figures import png_config
from charts.study.kan_figures import edges_figure, ladder_figure
from charts.tables import numbers_styled
from core.serve.store import data_dir
from core.serve.tasks import TaskRunner, may_stop, runner_for
from ui.jobs import controls_row, session_token, stop_button, task_progress
from ui.nav import setup
from ui.serve.store import store
from ui.url import default, kan_fields, publish, restore

KIND = "kan"
# pykan's Example 1 test RMSE after 200 L-BFGS steps at each grid (docs/Example/
# Example_1_function_fitting.ipynb, read with fetch; bench/kan.py says more).
PYKAN_EXAMPLE_1 = {3: 1.53e-2, 10: 3.29e-4, 20: 4.04e-5, 50: 1.24e-5}
EXAMPLE_1 = "exp(sin(πx) + y²)"


def _runner() -> TaskRunner:
    return runner_for(str(data_dir()), store())


def _work(context, state: dict) -> dict:
    from core.study.shapes import kan  # TensorFlow and SciPy: imported where the work runs

    result = kan.ladder(state, lambda p, t: context.report(p, t), context.stopping)
    return {**state, **result}


def _key(state: dict) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]


def _start(runner: TaskRunner, state: dict, owner: str) -> None:
    label = f"KAN [{state['shape']}] on {state['target']}, grids {state['grids']}"
    runner.start(KIND, _work, state, owner, label[:200], key=_key(state))


def controls_ui() -> dict:
    from core.study.shapes import kan_settings as ks

    cols = st.columns([1.8, 1, 2.4, 1.3, 1, 0.8], vertical_alignment="bottom")
    target = cols[0].selectbox("f(x, y) on [−1, 1]²", list(ks.TARGETS), key="kan.target")
    shape = cols[1].selectbox("Widths", list(ks.SHAPES), key="kan.shape")
    grids = cols[2].multiselect("Grids G, in turn", list(ks.GRIDS), key="kan.grids")
    optimizer = cols[3].selectbox(
        "Optimiser", list(ks.OPTIMISERS), format_func=ks.OPTIMISERS.get, key="kan.optimizer"
    )
    iterations = cols[4].number_input(
        "Iterations", *ks.ITERATIONS, step=100, key="kan.iters",
        help="Per grid: L-BFGS iterations or Adam steps, half before and half after the grid "
        "is moved to its inputs.",
    )  # fmt: skip
    seed = cols[5].number_input("Seed", 0, ks.MAX_SEED, key="kan.seed")
    return {"target": target, "shape": shape, "grids": sorted(int(g) for g in grids),
            "optimizer": optimizer, "iterations": int(iterations), "seed": int(seed)}  # fmt: skip


def results_ui(task) -> None:
    rows = task.state.get("rows") or []
    if task.state.get("stopped"):
        st.info(
            "Stopped after the grids below."
            if rows
            else "Stopped before the first grid's fit ended: press Fit to start again."
        )
    if not rows:
        return
    table = pd.DataFrame(rows).rename(
        columns={"grid": "G", "parameters": "parameters", "train_rmse": "train RMSE",
                 "test_rmse": "test RMSE"}
    )  # fmt: skip
    if task.state["target"] == EXAMPLE_1 and task.state["shape"] == "2, 1, 1":
        table["pykan's test RMSE"] = [PYKAN_EXAMPLE_1.get(g, float("nan")) for g in table["G"]]
    st.dataframe(numbers_styled(table, "{:.3g}"), hide_index=True, width="stretch")
    run = {r["grid"] for r in rows}
    reference = (
        {g: v for g, v in PYKAN_EXAMPLE_1.items() if g in run}
        if task.state["target"] == EXAMPLE_1
        else None
    )
    st.plotly_chart(
        ladder_figure(rows, reference), config=png_config("kan-ladder"), key="kan.ladder"
    )
    st.caption(
        "RMSE = √(mean squared error) on 1,000 training and 1,000 test points uniform on "
        "[−1, 1]² (as pykan's create_dataset). Per grid: the splines refitted to the finer grid by "
        "least squares at the training inputs, half the optimiser's iterations (full batch), "
        "each input's grid moved to the range its values take, the other half. pykan's "
        "Example 1 ([2, 1, 1], seed 1, 200 L-BFGS steps a grid) is drawn beside it for that "
        "function; its grid moves toward the inputs' percentiles, ours stays uniform."
    )
    st.markdown("**The network, edge by edge** (after the last grid)")
    st.plotly_chart(edges_figure(task.state["edges"]), config=png_config("kan-edges"),
                    key="kan.edges")  # fmt: skip
    st.caption(
        "Each edge's φ(x) = w_b·silu(x) + w_s·spline(x) over the range its input takes on the "
        "training points; an output sums its incoming edges (x1, x2: the inputs; h: a hidden "
        "unit)."
    )


def main() -> None:
    setup("KAN")
    fields = kan_fields()
    for notice in restore("kan", fields):
        st.warning(notice)
    # pykan's Example 1 at its own grids (but G = 50, the slowest), seed 1 as its notebook.
    default("kan.target", EXAMPLE_1)
    default("kan.shape", "2, 1, 1")
    default("kan.grids", [3, 10, 20])
    default("kan.optimizer", "lbfgs")
    default("kan.iters", 500)
    default("kan.seed", 1)
    st.title("KAN")
    st.caption(
        "A Kolmogorov–Arnold network (Liu et al. 2024, arXiv 2404.19756) puts a learnable "
        "function on every edge: a cubic B-spline on G intervals plus w_b·silu. Fit a function "
        "of two variables, refine the grid G step by step (each finer spline fitted to the "
        "coarser one), and see what every edge learned."
    )
    state = controls_ui()
    from core.study.shapes.kan import check_request

    publish("kan", fields)
    try:
        check_request(
            state["target"], state["shape"], state["grids"], state["iterations"], state["optimizer"]
        )
    except ValueError as exc:
        st.error(str(exc))
        return
    runner = _runner()
    task = runner.latest(KIND, _key(state))
    if task is not None and task.status.active and runner.knows(task.id):
        status, button = controls_row()
        with status:
            task_progress(runner, task.id, "Fitting")
        stop_button(
            button,
            "Stop",
            key="kan.stop",
            on_click=runner.stop,
            args=(task.id, session_token()),
            can_stop=may_stop(task.owner, session_token()),
            what_it_does="Ends the fit within the optimiser's run (L-BFGS: after its current "
            "iteration; Adam: within 50 steps); the grids finished before are kept and shown, "
            "the one being fitted is dropped.",
        )
        return
    st.button(
        "Fit",
        type="primary",
        key="kan.fit",
        on_click=_start,
        args=(runner, state, session_token()),
        help="Runs on the server (seconds to a minute on 2 cores): the page can be left, the "
        "result is kept.",
    )
    if task is None:
        return
    if task.error:
        st.error(f"The last fit failed: {task.error}")
    results_ui(task)


main()
