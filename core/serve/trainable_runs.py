""" "Make it trainable" as a task of the server (core/serve/tasks.py): for each activation, Deep
Kernel Shaping's transform at depth L and the self-normalising constants (core/study/trainable.py,
core/study/selfnorm.py). A few seconds an activation on 2 cores, so the page starts it and reads
it; its result is the task's state (kind "trainable", key the request's digest), kept across a
refresh, a closed tab and a restart. No Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from activations import get
from activations.expression import custom_from_definition
from core.serve.tasks import Status, Task, TaskContext, TaskRunner
from core.study import selfnorm, trainable

KIND = "trainable"


@dataclass(frozen=True)
class Request:
    """What to compute: catalogue names (customs with their definitions, as links carry them),
    the network's depth and DKS's whole-network slope ζ."""

    names: tuple[str, ...]
    depth: int
    zeta: float = trainable.ZETA
    definitions: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        text = json.dumps(
            [list(self.names), self.depth, self.zeta, self.definitions], sort_keys=True
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def state(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "depth": self.depth,
            "zeta": self.zeta,
            "definitions": self.definitions,
        }


def start(runner: TaskRunner, request: Request, owner: str) -> int:
    """Start the computation; returns its task id."""
    label = f"make trainable at depth {request.depth}: {', '.join(request.names)}"
    return runner.start(KIND, work, request.state(), owner, label[:200], key=request.key())


def latest(runner: TaskRunner, request: Request) -> Task | None:
    """The newest task of this request (running, finished or failed), or None."""
    return runner.latest(KIND, request.key())


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def row(act, depth: int, zeta: float) -> dict[str, Any]:
    """One activation's transform and constants as plain data (JSON: NaN becomes None)."""
    t = trainable.of_activation(act, depth, zeta)
    c = selfnorm.of_activation(act)
    inner = trainable.inner_text(act) if t.found else None
    return {
        "name": act.name,
        "input_scale": _number(t.input_scale),
        "input_shift": _number(t.input_shift),
        "output_shift": _number(t.output_shift),
        "output_scale": _number(t.output_scale),
        "c_slope": _number(t.c_slope),
        "target": t.target,
        "q_slope": _number(t.q_slope),
        "note": t.note,
        "problem": t.problem,
        "expression": t.expression(inner) if inner is not None else None,
        "params": {
            p.name: [float(p.default), float(p.low), float(p.high)]
            for p in act.params
            if act.expression is not None
        },
        "snn_scale": _number(c.scale),
        "snn_shape": list(c.shape) if c.shape else None,
        "snn_shift": _number(c.shift),
        "snn_radius": _number(c.radius),
        "snn_problem": c.problem,
    }


def failed_row(name: str, problem: str) -> dict[str, Any]:
    """The row of an activation whose computation raised: every number missing, the reason."""
    keys = ("input_scale", "input_shift", "output_shift", "output_scale", "c_slope", "q_slope")
    return {
        "name": name,
        **dict.fromkeys(keys),
        "target": math.nan,
        "note": "",
        "problem": problem,
        "expression": None,
        "params": {},
        "snn_scale": None,
        "snn_shape": None,
        "snn_shift": None,
        "snn_radius": None,
        "snn_problem": problem,
    }


def work(context: TaskContext, state: dict[str, Any]) -> dict[str, Any]:
    names, depth, zeta = state["names"], int(state["depth"]), float(state["zeta"])
    definitions = state.get("definitions") or {}
    rows = list(state.get("rows") or [])  # a resumed task keeps what it computed
    for i, name in enumerate(names):
        if i < len(rows):
            continue
        if context.stopping():
            return {**state, "rows": rows, "status": Status.STOPPED}
        context.report(i / len(names), f"{name} ({i + 1} of {len(names)})")
        try:
            act = (
                custom_from_definition(name, definitions[name])
                if name in definitions
                else get(name)
            )
            rows.append(row(act, depth, zeta))
        except Exception as exc:  # one activation's failure is its row's, not the whole task's
            rows.append(failed_row(name, f"{type(exc).__name__}: {exc}"[:300]))
        context.save({**state, "rows": rows})
    context.report(1.0, "done")
    return {**state, "rows": rows}
