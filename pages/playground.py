"""Playground: TensorFlow Playground's datasets and small networks, K activations side by side,
each decision boundary redrawn live while the server trains them."""

import streamlit as st

from charts.playground import panels_png
from core.playground import job as pg_job
from core.playground.data import DATASETS
from ui import catalogue as ui_cat
from ui.nav import link_to, setup
from ui.palette import page_theme, styles_here
from ui.playground import (
    buttons_ui,
    controls_ui,
    current_job,
    neurons_ui,
    panels_ui,
    status_ui,
)
from ui.runtime import download_button
from ui.serve.store import store
from ui.url import Field, playground_fields, publish, restore

# The view redraws this often (while training, each redraw sends ~70 kB of panels).
REFRESH_SECONDS = 0.7


def fields(catalogue) -> list[Field]:
    # Settings only, as Playground's links: a link opened anywhere starts its own run at
    # initialisation (the run it was copied from stays on Runs, and is not another session's
    # to pause or stop).
    return playground_fields(catalogue.names(gated=False))


# A job changes by itself only while it builds its networks or plays; paused, stopped or failed
# it changes on a click, which reruns the page anyway.
LIVE_STATES = ("starting", "playing")


@st.fragment(run_every=REFRESH_SECONDS)
def live_view_ui(job_id: int, show_train: bool) -> None:
    """The epoch, panels, losses and neurons, redrawn from the job's latest snapshot on a clock
    (cheap while nothing changes: the figures are kept per snapshot). Nothing in here calls
    st.rerun(): a full rerun from a self-refreshing fragment reset the sliders above it to
    their minimum on the next click (Streamlit 1.67, seen here: batch size 10 became 1)."""
    job = pg_job.get(job_id)
    if job is None:
        st.info("This Playground run is no longer on the server; change a setting to start anew.")
        return
    draw(job, show_train)


def draw(job, show_train: bool) -> None:
    status_ui(job)
    panels_ui(job, show_train)
    with st.expander("What each neuron computes", expanded=False):
        neurons_ui(job)
    if job.run_id is not None:
        link_to("Runs", f"Run {job.run_id} on Runs", runs=str(job.run_id))


def share_ui(job) -> None:
    """The Share image download, drawn by the page run and never by the self-refreshing view:
    a download whose data is made on the click gets a new file id on every run that draws it,
    and a click holding the id of the run before lands on nothing (Streamlit 1.67: after Stop,
    3 clicks of 3 downloaded nothing while the view redrew itself every 0.7 s)."""
    if job.read().output is None:
        return
    cfg, theme = job.config, page_theme()
    layers = "-".join(map(str, cfg.layers)) or "no hidden layer"

    def image() -> bytes:  # on the click, in a server thread: the latest epoch's panels
        snap = job.read()
        title = (
            f"Playground · {DATASETS[cfg.dataset][0]} · {layers} · lr {cfg.learning_rate:g} · "
            f"epoch {snap.fields_epoch}"
        )
        styles = styles_here(cfg.activations)
        history = snap.own_history()
        return panels_png(
            cfg.activations, snap.output, job.data, history, styles, theme=theme, title=title
        )

    download_button(
        st,
        "Share image (PNG)",
        image,
        f"playground-{cfg.dataset}-{'-'.join(cfg.activations)}.png",
        "image/png",
        key="pg.share",
        on_click="ignore",
        icon=":material/share:",
        help="The panels as shown, with the settings in the title, at 2×.",
        width="content",
    )


def main() -> None:
    setup("Playground")
    st.title("Playground")
    st.caption(
        "TensorFlow Playground's datasets and networks, with any activation of the catalogue: "
        "each gets its own network from the same starting weights, trained together on the "
        "server (plain SGD, Playground's loss), so the boundaries differ only by the activation."
    )
    catalogue = ui_cat.session_catalogue()
    for notice in restore("playground", fields(catalogue)):
        st.info(notice)
    config = controls_ui(catalogue)
    job = current_job(config, catalogue, store())
    publish("playground", fields(catalogue))
    if job is None:
        return
    show_train = buttons_ui(job, catalogue, store())
    if job.read().state in LIVE_STATES:
        live_view_ui(job.id, show_train)
    else:
        draw(job, show_train)
    share_ui(job)


main()
