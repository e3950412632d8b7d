"""The Playground page's parts: its controls (Playground's own) with each dataset's known
setting, the job this session shows, the Play / Pause / Step / Reset / Stop buttons, and the live
panels with a word when the test losses have stopped moving."""

from __future__ import annotations

import dataclasses

import streamlit as st

from charts.figures import png_config
from charts.playground import losses_figure, panels_png, thumbnail_png
from core.playground import job as pg_job
from core.playground.config import (
    BY_NAME,
    DEFAULT,
    MAX_ACTIVATIONS,
    MAX_LAYERS,
    MAX_UNITS,
    PRESETS,
    PlaygroundConfig,
    layers_text,
    parse_layers,
)
from core.playground.data import DATASETS, FEATURES
from core.playground.progress import (
    PLATEAU_EPOCHS,
    PLATEAU_TOLERANCE,
    best_so_far,
    learnt_loss,
    stopped_moving,
)
from core.serve.tasks import may_stop
from ui.catalogue import NAME_PICKER
from ui.jobs import session_token
from ui.palette import page_theme, styles_here
from ui.train.controls import setting_widget
from ui.url import default

JOB = "pg.job"  # the job this session shows (also in the URL, so a refresh finds it again)
STEP_WAIT = 5.0  # seconds a Step click waits for its epoch (milliseconds, once compiled)


def _layers_from_state() -> None:
    """A link's network into the layers box, once per new value (the box keeps what was typed,
    even a typo, until it reads right)."""
    layers = tuple(st.session_state.get("pg.layers", DEFAULT.layers))
    if st.session_state.get("pg.layers_shown") != layers:
        st.session_state["pg.layers_text"] = layers_text(layers)
        st.session_state["pg.layers_shown"] = layers


def controls_ui(catalogue) -> PlaygroundConfig:
    """Playground's controls; returns the configuration they say."""
    for name, value in dataclasses.asdict(DEFAULT).items():
        default(f"pg.{name}", list(value) if isinstance(value, tuple) else value)
    _layers_from_state()
    top = st.columns([3, 1.2], gap="medium", vertical_alignment="bottom")
    names = catalogue.names(gated=False)  # a Playground neuron is one f(x)
    top[0].multiselect(
        "Activations",
        names,
        key="pg.activations",
        max_selections=MAX_ACTIVATIONS,
        help="Each gets its own network, all starting from the same weights; customs from the "
        "Custom page too.",
        **NAME_PICKER,
    )
    with top[1]:
        setting_widget(BY_NAME["dataset"], {}, page="pg")
    preset_holder = st.container()  # filled once every control is read: is the preset in use?
    st.pills(
        "Input features",
        list(FEATURES),
        selection_mode="multi",
        key="pg.features",
        format_func=lambda k: FEATURES[k][0],
        help="What the network sees of each point (x₁, x₂): Playground's seven.",
    )
    data_col, net_col, fit_col = st.columns(3, gap="large")
    with data_col:
        for name in ("noise", "train_percent"):
            setting_widget(BY_NAME[name], {}, page="pg")
    with net_col:
        setting_widget(BY_NAME["batch_size"], {}, page="pg")
        text = st.text_input(
            "Neurons per hidden layer",
            key="pg.layers_text",
            help=f"Comma-separated, one number per hidden layer: up to {MAX_LAYERS} layers of "
            f"1 to {MAX_UNITS} neurons (“8, 8”); empty for no hidden layer.",
        )
        try:
            layers = parse_layers(text)
        except ValueError as exc:
            st.error(f"{exc} Still using {layers_text(st.session_state['pg.layers']) or 'none'}.")
            layers = tuple(st.session_state["pg.layers"])
        st.session_state["pg.layers"] = st.session_state["pg.layers_shown"] = tuple(layers)
    with fit_col:
        for name in ("learning_rate", "regularization", "reg_rate", "seed"):
            setting_widget(BY_NAME[name], {}, page="pg")
    values = {f.name: st.session_state[f"pg.{f.name}"] for f in dataclasses.fields(DEFAULT)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    config = PlaygroundConfig(**values)
    with preset_holder:
        preset_ui(config)
    return config


def _use_preset(dataset: str) -> None:
    """The preset's settings into the controls: a callback, so it runs before they are drawn."""
    for name, value in PRESETS[dataset].settings().items():
        st.session_state[f"pg.{name}"] = list(value) if name == "features" else value


def preset_ui(config: PlaygroundConfig) -> None:
    """One click to a setting measured to learn the dataset, and what was measured."""
    dataset = config.dataset
    preset, label = PRESETS.get(dataset), DATASETS.get(dataset, ("",))[0]
    if preset is None:
        return
    using = preset.matches(config)
    name = label.removesuffix(" (regression)")
    row = st.container(horizontal=True, vertical_alignment="center", wrap=False, gap="medium")
    row.button(
        f"Using the setting known to learn {name}"
        if using
        else f"Use a setting known to learn {name}",
        icon=":material/check:" if using else ":material/auto_fix_high:",
        key="pg.preset",
        disabled=using,
        width="content",
        on_click=_use_preset,
        args=(dataset,),
        help="Sets the input features, layers, learning rate, batch size 10 and no "
        "regularisation; keeps your activations, noise, training share and seed. Measured "
        "with this app's networks by `bench/playground_presets.py`.",
    )
    row.caption(
        f"**{preset.describe()}** — {preset.measured}. Measured {preset.date} (seeds 0–2, no "
        "noise, half the points to train)."
    )


def _start(config: PlaygroundConfig, catalogue, store) -> pg_job.PlaygroundJob:
    save = pg_job.store_saver(store) if store is not None else None
    acts = [catalogue.get(n) for n in config.activations]
    job = pg_job.start(config, acts, save, owner=session_token())
    st.session_state[JOB] = job.id
    return job


def current_job(config: PlaygroundConfig, catalogue, store) -> pg_job.PlaygroundJob | None:
    """The job for `config`: this session's, or a new one paused at initialisation when the
    settings changed (as in Playground, a change starts over; the old run stays on Runs).
    Shows what is wrong instead when the settings have problems."""
    problems = config.problems()
    if problems:
        st.warning(" ".join(problems))
        return None
    job = pg_job.get(st.session_state.get(JOB) or 0)
    if job is not None and job.config == config and job.snapshot.state != "failed":
        return job
    if job is not None:
        job.stop()  # it saves itself (if it trained at all) as it ends
    try:
        return _start(config, catalogue, store)
    except ValueError as exc:
        st.error(str(exc))
        return None


# Each button says what it did when it was drawn (play or pause, the epoch it steps from, the
# job it resets): a click that Streamlit delivers twice (seen here: a Pause inside the
# self-refreshing view fired again on the next refresh and played on) acts once.
def _mine(job_id: int) -> pg_job.PlaygroundJob | None:
    """The job, if this session started it (the task model's one owner rule); else None."""
    job = pg_job.get(job_id)
    return job if job is not None and may_stop(job.owner, session_token()) else None


def _play(job_id: int, play: bool) -> None:
    job = _mine(job_id)
    if job is None:
        return
    if play:
        job.play()
    else:
        job.pause()
        job.settle()  # the epoch in flight lands first: the page shows where it stays


def _step(job_id: int, from_epoch: int) -> None:
    job = _mine(job_id)
    if job is None or job.settle().epoch != from_epoch:
        return
    job.step()
    try:  # an epoch takes milliseconds: show it on this rerun
        job.wait_for(lambda s: s.epoch > from_epoch and s.state != "playing", STEP_WAIT)
        job.settle()
    except (TimeoutError, RuntimeError):
        pass


def _reset(job_id: int, catalogue, store) -> None:
    job = _mine(job_id)
    if job is not None and st.session_state.get(JOB) == job_id:
        job.stop()
        _start(job.config, catalogue, store)


def _stop(job_id: int) -> None:
    job = _mine(job_id)
    if job is not None:
        job.stop()
        job.join(1.0)  # it ends within an epoch


def buttons_ui(job: pg_job.PlaygroundJob, catalogue, store) -> bool:
    """Play / Pause, Step, Reset, Stop and whether to show the training points (returned).
    Drawn by the page, outside the self-refreshing view: a click inside that view was lost when
    it landed during a refresh (seen here, a Pause under test); out here it reruns the page."""
    snap = job.read()
    playing, ended = snap.state == "playing", snap.state in ("stopped", "failed")
    ready = not ended  # while the networks are built, a Play or Step waits for them
    cols = st.columns([1, 1, 1, 1, 1.4], vertical_alignment="center")
    cols[0].button(
        "Pause" if playing else "Play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key="pg.play",
        type="primary",
        width="stretch",
        disabled=not ready,
        on_click=_play,
        args=(job.id, not playing),
        help="Trains epoch after epoch on the server; a closed tab loses nothing.",
    )
    cols[1].button(
        "Step",
        icon=":material/skip_next:",
        key="pg.step",
        width="stretch",
        disabled=not ready or playing,
        on_click=_step,
        args=(job.id, snap.epoch),
        help="One epoch: every training point once, one update per batch.",
    )
    cols[2].button(
        "Reset",
        icon=":material/restart_alt:",
        key="pg.reset",
        width="stretch",
        on_click=_reset,
        args=(job.id, catalogue, store),
        help="New networks from the same starting weights; this run stays on Runs.",
    )
    cols[3].button(
        "Stop",
        icon=":material/stop:",
        key="pg.stop",
        width="stretch",
        disabled=ended,
        on_click=_stop,
        args=(job.id,),
        help="Ends this run (saved on Runs as stopped); Reset starts a new one.",
    )
    return cols[4].toggle(
        "Training points", key="pg.show_train", help="Test points are always shown."
    )


def status_ui(job: pg_job.PlaygroundJob) -> None:
    snap = job.read()
    st.markdown(f"**Epoch {snap.epoch:,}** · {_state_words(snap, job)}")


def _state_words(snap, job) -> str:
    saved = f" · saved as run {job.run_id}" if job.run_id is not None else ""
    words = {
        "starting": "building the networks…",
        "playing": "training",
        "paused": "paused",
        "stopped": "stopped",
        "failed": "failed",
    }
    return words.get(snap.state, snap.state) + saved


def _figures(job: pg_job.PlaygroundJob, snap, show_train: bool):
    """The panels and the loss chart of this snapshot, built once: the view redraws on a clock,
    and while paused nothing changes."""
    theme = page_theme()
    key = (job.id, snap.epoch, snap.fields_epoch, snap.state, show_train, theme)
    kept = st.session_state.get("pg.figures")
    if kept is None or kept[0] != key:
        names, history = job.config.activations, snap.own_history()
        styles = styles_here(names)
        panels = panels_png(
            names, snap.output, job.data, history, styles, show_train=show_train,
            theme=theme,
        )  # fmt: skip
        kept = (key, panels, losses_figure(names, history, styles))
        st.session_state["pg.figures"] = kept
    return kept[1], kept[2]


def panels_ui(job: pg_job.PlaygroundJob, show_train: bool) -> None:
    snap = job.read()
    if snap.error:
        st.error(snap.error)
    if snap.output is None:
        st.info("Building the networks (the first time, TensorFlow compiles them)…")
        return
    panels, losses = _figures(job, snap, show_train)
    # Sent at 2× and scaled by the browser: a width in pixels would make Streamlit shrink it.
    n = min(3, len(job.config.activations))
    holder = st.columns([n, 3 - n])[0] if n < 3 else st.container()
    holder.image(panels, width="stretch")
    losses_text = " · ".join(
        f"{name} {values[-1]:.3f}"
        for name, values in zip(
            job.config.activations, snap.own_history()["test_loss"], strict=True
        )
    )
    st.markdown(f"Test loss after epoch {snap.epoch}: {losses_text}")
    plateau = plateau_words(job, snap)
    if plateau:
        st.markdown(f":material/trending_flat: {plateau}")
    st.caption(
        f"Output over the plane after epoch {snap.fields_epoch}: blue +1, orange −1"
        + (" (the boundary is where they meet)" if job.data.task == "classification" else "")
        + "; dots are the test points"
        + (", faint ones the training points" if show_train else "")
        + "."
    )
    st.plotly_chart(losses, config=png_config("playground-loss"))


def plateau_words(job: pg_job.PlaygroundJob, snap) -> str:
    """Says when test losses have stopped moving (core.playground.progress's rule), and which
    of them never got low enough to count as learnt; empty while they move."""
    names, history = job.config.activations, snap.own_history()["test_loss"]
    stopped = [stopped_moving(losses) for losses in history]
    if not any(stopped):
        return ""
    bar = learnt_loss(job.data.test_labels)
    best = [float(best_so_far(losses)[-1]) for losses in history]
    stuck = [n for n, s, b in zip(names, stopped, best, strict=True) if s and not b <= bar]
    rule = f"{PLATEAU_EPOCHS} epochs (best improved < {PLATEAU_TOLERANCE * 100:g} %)"
    subject = "Test loss has" if len(names) == 1 else "Test losses have"
    if all(stopped) and not stuck:
        return f"{subject} not moved for {rule}, at or below {bar:.2g}: learnt."
    if not stuck:
        return ""  # the ones that stopped had learnt; the others still move
    names_text = ", ".join(stuck)
    dataset = job.config.dataset
    preset = PRESETS.get(dataset)
    hint = ""
    if preset is not None and not preset.matches(job.config):
        label = DATASETS[dataset][0].removesuffix(" (regression)")
        hint = f" Try the setting known to learn {label} (above) or more features."
    if all(stopped):
        return (
            f"{subject} not moved for {rule}: {names_text} still above {bar:.2g}, not learnt.{hint}"
        )
    verb = "has" if len(stuck) == 1 else "have"
    return f"{names_text} {verb} not moved for {rule}, still above {bar:.2g}: not learnt.{hint}"


def neurons_ui(job: pg_job.PlaygroundJob) -> None:
    """Playground's neuron thumbnails: what each hidden unit computes over the plane."""
    snap = job.read()
    if not snap.units:
        st.caption("The network has no hidden layer: the output is all there is.")
        return
    st.caption(
        f"Each hidden unit's output over the input plane after epoch {snap.fields_epoch} "
        "(blue +1, orange −1, clipped): one row per activation, layer by layer."
    )
    key = (job.id, snap.fields_epoch)
    kept = st.session_state.get("pg.thumbs")
    if kept is None or kept[0] != key:  # built once per fields: the view redraws on a clock
        thumbs = [
            [[thumbnail_png(v[k, :, :, u]) for u in range(v.shape[-1])] for v in snap.units]
            for k in range(len(job.config.activations))
        ]
        kept = st.session_state["pg.thumbs"] = (key, thumbs)
    for k, name in enumerate(job.config.activations):
        cols = st.columns([1, *([3] * len(snap.units))], vertical_alignment="center")
        cols[0].markdown(f"**{name}**")
        for layer, pngs in enumerate(kept[1][k]):
            cols[layer + 1].image(
                pngs, width=44, caption=[f"L{layer + 1}"] + [""] * (len(pngs) - 1)
            )
