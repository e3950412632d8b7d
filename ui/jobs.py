"""The server's job queue as the pages use it, how a job's progress reads, and the one look of a
task's Stop and Resume on every page."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import streamlit as st

from core.serve import jobs
from core.serve.store import data_dir
from ui.serve.store import store

TOKEN = "jobs.token"  # this session's key: the jobs it submits carry it, and only it stops them


def job_queue() -> jobs.JobQueue:
    """The process's queue for the data folder in use (runs are not saved if its store cannot
    be opened; the page says so)."""
    return jobs.queue_for(str(data_dir()), store())


def session_token() -> str:
    return st.session_state.setdefault(TOKEN, secrets.token_hex(6))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def place_in_line(queue: jobs.JobQueue, job: jobs.Job) -> str:
    """'queued — 2nd in line': counting the jobs training now as ahead of it."""
    position = queue.position(job.id)
    if position is None:
        return "queued"
    ahead = sum(1 for j in queue.active() if j.state == "running")
    return f"queued — {ordinal(ahead + position)} in line"


def progress_text(job: jobs.Job) -> str:
    """'Epoch 3/10 · batch 45/211 · 6 networks training together · about 40 s left'."""
    p = job.progress()
    networks = len(job.record.branches)
    parts = [f"Epoch {min(p['epoch'] + 1, p['epochs'])}/{p['epochs']}"]
    if p["batches"]:
        parts.append(f"batch {p['batch']}/{p['batches']}")
    parts.append(f"{networks} network{'s' * (networks > 1)} training together")
    if p["seconds_left"] is not None:
        parts.append(f"about {p['seconds_left']:.0f} s left")
    return " · ".join(parts)


def progress_fraction(job: jobs.Job) -> float:
    p = job.progress()
    within = p["batch"] / p["batches"] if p["batches"] else 0.0
    return min(1.0, (p["epoch"] + within) / p["epochs"])


# --- the one look of a task's controls on every page -------------------------------------
# A row with the status on the left and Stop (or Resume) on the right, drawn by the page's script
# run, never inside a self-refreshing view (a click that lands while such a view redraws itself is
# lost: CI saw Train's Stop and the Playground's Share do nothing). Who may stop is the task
# model's rule (core/serve/tasks.py `may_stop`); a disabled button says so.
NOT_YOURS = "Only the session that started it (or its link with key=) can stop it."


def controls_row():
    """The status column and the button column, the same proportions on every page."""
    return st.columns([5, 1], vertical_alignment="center")


def stop_button(
    where,
    label: str,
    *,
    key: str,
    on_click: Callable,
    args: tuple,
    can_stop: bool,
    what_it_does: str,
    stopping: bool = False,
) -> None:
    """Stop (or Cancel) in `where` (a column of `controls_row`): enabled for the session that
    started the task, explained otherwise; "Stopping…" once a stop was asked for."""
    if stopping:
        where.caption("Stopping…")
        return
    where.button(
        label,
        key=key,
        width="stretch",
        disabled=not can_stop,
        help=what_it_does if can_stop else NOT_YOURS,
        on_click=on_click,
        args=args,
    )


def resume_button(label: str, *, key: str, what_it_does: str) -> bool:
    """Resume, for a task that was stopped, interrupted or failed with its state saved."""
    return st.button(label, key=key, type="primary", help=what_it_does)


@st.fragment(run_every=1.0)
def task_progress(runner, task_id: int, doing: str) -> None:
    """A task's progress bar, "<doing>: <its text>", redrawn every second while it runs; the
    whole page once it ends (the Depth page's solve, the KAN page's fit)."""
    task = runner.get(task_id)
    if not task.status.active:
        st.rerun()
    st.progress(task.progress, text=f"{doing}: {task.text}")
