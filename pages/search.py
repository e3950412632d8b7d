"""Search: look for activations as Ramachandran, Zoph & Le (2017) did, b(u1(x), u2(x)) from
their unary and binary sets, screened at initialisation and scored by training on MNIST-1D; does
Swish come out near the top? The search runs on the server; this page starts, stops and reads
it."""

import streamlit as st

from core.study.search.space import BINARY, UNARY
from ui.customs import CUSTOMS_KEY
from ui.nav import setup
from ui.study.search import (
    fill_from_saved,
    past_ui,
    plan_ui,
    search_runner,
    settings_ui,
    shown_ui,
    start_ui,
)
from ui.url import publish, restore, search_fields


def main() -> None:
    setup("Search")
    st.title("Search")
    st.caption(
        "Search for activations as Ramachandran, Zoph & Le (2017, arXiv 1710.05941) did: "
        "core units b(u1(x), u2(x)) from their unary and binary sets, each candidate screened "
        "at initialisation, then trained in batches with relu and silu (Swish) as the "
        "yardstick, and evolved (regularised evolution). Their search found Swish, x·σ(βx): "
        "does it come out near the top here?"
    )
    runner = search_runner()
    if runner is None:
        return
    with_params = [n for n, a in st.session_state.get(CUSTOMS_KEY, {}).items() if a.params]
    fields = search_fields(UNARY, BINARY, with_params)
    fill_from_saved(runner)
    for notice in restore("search", fields):
        st.warning(notice)
    if runner.queue.notice:
        st.warning(runner.queue.notice)
    shown = st.session_state.get("search.shown")
    # With a search on show the form folds away, so its leaderboard is what the page opens on.
    with st.expander("New search: settings", expanded=not shown, icon=":material/tune:"):
        settings, name = settings_ui()
        problems = plan_ui(settings)
        start_ui(runner, settings, name, problems)
    publish("search", fields)
    shown_ui(runner)
    past_ui(runner)


main()
