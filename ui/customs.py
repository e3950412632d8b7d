"""A session custom travels by its definition, never by its name alone: a link carries the
definitions of the customs it names (`def=…`), an opened run brings the ones it trained, and
either is compiled again by the safe compiler (activations.expression), never evaluated. The
same name with another definition is the user's choice, never a silent swap."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

DEF_PARAM = "def"  # the URL parameter: JSON, name -> {"expression", "params"}
CUSTOMS_KEY = "customs"  # this session's customs, name -> Activation (ui.catalogue's)
CONFLICTS = "customs.conflicts"  # name -> (definition offered, where it came from)
_SEEN = "customs.link_seen"  # the last def= value taken, so a rerun does not take it again
_RUNS_SEEN = "customs.runs_seen"  # runs whose customs this session has taken
_PENDING = "customs.notices"  # notices kept for the top of the page (from_runs)
MAX_LINK_CHARS = 8000  # a def= longer than this is refused (a link is not a file)


def _session() -> dict[str, Any]:
    return st.session_state.get(CUSTOMS_KEY, {})


def add_custom(act) -> None:
    """Put `act` in this session's catalogue (replacing a custom of the same name)."""
    from activations import shared_catalogue

    # Raises when the name belongs to a shared activation.
    shared_catalogue().with_customs([*_session().values(), act])
    customs = dict(_session())
    customs[act.name] = act
    st.session_state[CUSTOMS_KEY] = customs


def remove_custom(name: str) -> None:
    customs = dict(_session())
    customs.pop(name, None)
    st.session_state[CUSTOMS_KEY] = customs


def _definition(act) -> dict[str, Any]:
    # Imported here: a session with a custom has loaded activations/ already, and a page whose
    # link names none never pays for TensorFlow through this module.
    from activations.expression import custom_definition

    return custom_definition(act)


def definitions_for(names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The definitions of this session's customs among `names`, in their order."""
    customs = _session()
    return {n: _definition(customs[n]) for n in dict.fromkeys(names) if n in customs}


def names_in(values: Iterable[Any]) -> list[str]:
    """Every comma-separated word of `values` (URL values): the names a link may hold."""
    return [w for v in values for w in str(v).split(",") if w]


def link_value(names: Iterable[str]) -> str | None:
    """The def= value for the customs among `names`, or None when there are none."""
    definitions = definitions_for(names)
    return json.dumps(definitions, separators=(",", ":")) if definitions else None


def with_definitions(params: dict[str, str]) -> dict[str, str]:
    """URL parameters plus def= for every session custom their values name. A def= already in
    `params` (definitions the caller knows, e.g. an experiment's typed activations) is kept, and
    the session's customs are added for the names it does not define."""
    given = json.loads(params[DEF_PARAM]) if DEF_PARAM in params else {}
    names = names_in(v for k, v in params.items() if k != DEF_PARAM)
    definitions = {**definitions_for(n for n in names if n not in given), **given}
    out = {k: v for k, v in params.items() if k != DEF_PARAM}
    if definitions:
        out[DEF_PARAM] = json.dumps(definitions, separators=(",", ":"))
    return out


def definitions_value(customs: Iterable[tuple[str, str]]) -> str:
    """The def= value of typed activations given as (name, expression), without parameters."""
    definitions = {n: {"expression": t, "params": {}} for n, t in customs}
    return json.dumps(definitions, separators=(",", ":"))


def written(params: Mapping[str, str]) -> None:
    """The page wrote `params` into its own URL: its def= holds this session's definitions, not
    a link's to take (taking it back would undo a choice made since the link was opened)."""
    if DEF_PARAM in params:
        st.session_state[_SEEN] = params[DEF_PARAM]


def _parse(raw: str) -> tuple[dict[str, Any], list[str]]:
    if len(raw) > MAX_LINK_CHARS:
        return {}, [f"Ignored the link's custom definitions: over {MAX_LINK_CHARS} characters."]
    try:
        definitions = json.loads(raw)
    except ValueError:
        definitions = None
    if not isinstance(definitions, dict):
        return {}, [
            "Ignored the link's custom definitions (def=…): not readable. Its customs are left "
            "out; the rest of the link is used."
        ]
    return definitions, []


def adopt(definitions: Mapping[str, Any], where: str) -> list[str]:
    """Put the customs `definitions` defines into this session's catalogue, compiled by the safe
    compiler. Returns a notice for each one left out; a name this session already uses for
    another definition waits for the user's choice (conflicts_ui)."""
    from activations import shared_catalogue
    from activations.expression import custom_from_definition

    notices, shared = [], shared_catalogue()
    for name, definition in definitions.items():
        name = str(name)
        if name in shared:
            notices.append(
                f"{where} defines “{name[:40]}”, the name of a built-in activation: the built-in "
                f"is used."
            )
            continue
        try:
            act = custom_from_definition(name, definition)
        except ValueError as exc:
            notices.append(f"{where}: the custom “{name[:40]}” was left out: {exc}.")
            continue
        mine = _session().get(name)
        if mine is None:
            add_custom(act)
        elif _definition(mine) != _definition(act):
            conflicts = dict(st.session_state.get(CONFLICTS, {}))
            conflicts[name] = (_definition(act), where)
            st.session_state[CONFLICTS] = conflicts
    return notices


def from_link() -> list[str]:
    """Adopt the customs a link defines (once per def= value); notices for the ones left out."""
    raw = st.query_params.get(DEF_PARAM)
    if not raw or st.session_state.get(_SEEN) == raw:
        return []
    st.session_state[_SEEN] = raw
    definitions, notices = _parse(raw)
    return notices + adopt(definitions, "The link")


def from_runs(runs: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Adopt the customs each opened run trained (run id, its record's customs), once per run
    in this session. What needs saying (a custom left out, a name to choose) is shown at the
    top of the page, where a link's notices are: the page is run again to get there."""
    seen = set(st.session_state.get(_RUNS_SEEN, ()))
    notices, before = [], dict(st.session_state.get(CONFLICTS, {}))
    for run_id, customs in runs:
        if customs and run_id not in seen:
            notices += adopt(customs, f"Run {run_id}")
        seen.add(run_id)
    st.session_state[_RUNS_SEEN] = seen
    if notices or st.session_state.get(CONFLICTS, {}) != before:
        st.session_state[_PENDING] = [*st.session_state.get(_PENDING, []), *notices]
        st.rerun()


def pending_notices() -> list[str]:
    """Notices kept for the top of the page (from_runs), each shown once."""
    return st.session_state.pop(_PENDING, [])


def _resolve(name: str, take: bool) -> None:
    conflicts = dict(st.session_state.get(CONFLICTS, {}))
    offered = conflicts.pop(name, None)
    st.session_state[CONFLICTS] = conflicts
    if take and offered is not None:
        from activations.expression import custom_from_definition

        add_custom(custom_from_definition(name, offered[0]))


def conflicts_ui() -> None:
    """For each name offered with another definition than this session's: both formulas and
    the choice between them (until chosen, this session's definition is the one used)."""
    for name, (offered, where) in st.session_state.get(CONFLICTS, {}).items():
        mine = _session().get(name)
        if mine is None:  # removed meanwhile: nothing to choose
            _resolve(name, take=True)
            continue
        text, keep, take = st.columns([6, 1.2, 1.2], vertical_alignment="center")
        text.warning(
            f"{where} defines **{name}** as `{offered['expression']}`; in this session "
            f"{name} is `{mine.expression}`. Until you choose, this session's is used.",
            icon=":material/call_split:",
        )
        keep.button("Keep mine", key=f"customs.keep.{name}", on_click=_resolve, args=(name, False))
        take.button(
            f"Use {where.lower().removeprefix('the ')}'s",
            key=f"customs.take.{name}",
            on_click=_resolve,
            args=(name, True),
        )
