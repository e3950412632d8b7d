"""Gallery: every activation with f′ and f″, formulas, measured properties and Keras code."""

import streamlit as st

from activations.metadata import KNOWN_ISSUES
from core import codegen
from core.figures import detail_chart, gallery_grid, png_config
from core.state import gallery_fields
from core.tables import properties_row, properties_table
from ui import catalogue as ui_cat
from ui.nav import link_to, setup
from ui.palette import colours_here
from ui.url import default, publish, restore

SHOW_KEYS = {"f": "f", "f′": "df", "f″": "d2f"}
FULL_RANGE = (-6.0, 6.0)


def selection_ui(catalogue) -> tuple[list[str], list[str], tuple[float, float]]:
    """The activations to compare, which curves to show and the x range."""
    pick_col, show_col, range_col = st.columns(
        [3, 1, 1.4], gap="medium", vertical_alignment="bottom"
    )
    picked = pick_col.multiselect(
        "Activations", catalogue.names(), key="gallery.picked", help="Pick any number to overlay."
    )
    show = show_col.segmented_control(
        "Show", list(SHOW_KEYS), selection_mode="multi", key="gallery.show"
    )
    x_range = range_col.slider("x range", -20.0, 20.0, step=0.5, key="gallery.x_range")
    if x_range[0] == x_range[1]:
        st.info("The x range is empty; showing −6 to 6.")
        x_range = FULL_RANGE
    return picked, show or ["f"], x_range


def params_ui(parametric) -> dict[str, dict]:
    """A slider panel per parametric activation; the chosen values by activation."""
    chosen = {}
    for act in parametric:
        with st.expander(f"{act.name} parameters", expanded=True):
            chosen[act.name] = ui_cat.param_widgets(act, "gallery")
    return chosen


def detail_ui(catalogue, picked, show, x_range, chosen_params) -> None:
    if not picked:
        st.info("Pick one or more activations above to compare them here.")
        return
    items = []
    colours = colours_here(picked)  # a selection is a view: colours in the order picked
    for name in picked:
        curves = ui_cat.curves(catalogue.get(name), chosen_params.get(name), x_range)
        items.append((name, curves, colours[name]))
    title = " vs ".join(picked[:4]) + (" …" if len(picked) > 4 else "")
    fig = detail_chart(items, show=[SHOW_KEYS[s] for s in show], title=title, x_range=x_range)
    st.plotly_chart(
        fig, config=png_config(f"activations-{'-'.join(picked[:4])}"), key="gallery.detail"
    )


def about_ui(act, params) -> None:
    """Formula, summary, known issues, reference and measured properties of one activation."""
    if act.formula:
        st.latex(act.formula)
    st.markdown(act.summary or f"A {act.source} activation.")
    if act.view:
        st.info(act.view)
    if act.name in KNOWN_ISSUES:
        st.warning(KNOWN_ISSUES[act.name])
    if act.reference:
        st.markdown(f"Reference: [{act.reference}]({act.reference})")
    props = ui_cat.properties(act, params)
    for problem in props["problems"]:
        st.warning(problem)
    if props["f'' numeric"]:
        st.caption(
            "TensorFlow has no second derivative for this op: f″ is a finite difference "
            "of the autodiff f′."
        )
    row = properties_row(act.name, act.source, props, None)
    table = properties_table([row]).drop(columns=["cost vs relu"]).T.astype(str)
    st.dataframe(table, width="stretch")


def code_ui(act, params) -> None:
    simple = codegen.usage_string(act, params)
    if simple:
        st.code(simple, language="python")
    st.code(codegen.keras_module(act, params), language="python")


def grid_ui(acts, catalogue) -> None:
    st.subheader("All activations")
    st.caption(
        "f solid, f′ dashed, x from −6 to 6. ‡ marks vector activations (softmax, glu, …): "
        "they map a vector to a vector, and the panel shows the 1-D slice described in "
        "their detail view."
    )
    # Small multiples are apart already: each panel keeps a fixed colour, the palette in turn.
    colours = colours_here(a.name for a in acts)
    with st.spinner("Computing every activation's curves and derivatives…"):
        items = [
            (a.name + ("" if a.elementwise else " ‡"), ui_cat.curves(a), colours[a.name])
            for a in acts
        ]
    st.plotly_chart(
        gallery_grid(items), config=png_config("activation-gallery"), key="gallery.grid"
    )


def properties_ui(acts) -> None:
    st.subheader("Properties")
    st.caption(
        "Measured numerically on x ∈ [−6, 6] and towards ±∞ with default parameters. "
        "Zero-centred: the mean of f(z) for z ~ N(0, 1) is within 0.1 standard deviations "
        "of 0. Smoothness is judged from f, f′ and f″ (C∞ means all three are continuous). "
        "Cost: forward + backward time per element, relative to relu."
    )
    with st.spinner("Measuring properties and cost per element…"):
        rows = [
            properties_row(a.name, a.source, ui_cat.properties(a), ui_cat.cost(a)) for a in acts
        ]
    st.dataframe(properties_table(rows), width="stretch", height=min(38 * len(rows) + 40, 700))


def main() -> None:
    setup("Gallery")
    st.title("Gallery")
    st.caption(
        "Every activation Keras ships, the tutorial's customs and your own — with "
        "derivatives by TensorFlow autodiff and properties measured from the function "
        "itself."
    )
    catalogue = ui_cat.session_catalogue()
    for problem in catalogue.load_errors:
        st.warning(f"A file in `user_activations/` could not be loaded — {problem}")
    fields = gallery_fields(catalogue.names())
    for notice in restore("gallery", fields):
        st.warning(notice)
    default("gallery.picked", ["relu", "gelu", "SinActivation"])
    default("gallery.show", ["f", "f′"])
    default("gallery.x_range", FULL_RANGE)
    picked_now = [n for n in st.session_state["gallery.picked"] if n in catalogue]
    st.session_state["gallery.picked"] = picked_now

    st.subheader("Compare in detail")
    picked, show, x_range = selection_ui(catalogue)
    parametric = [catalogue.get(n) for n in picked if catalogue.get(n).params]
    chosen_params = {}
    if parametric:
        left, right = st.columns([3, 1], gap="large")
        with right:
            chosen_params = params_ui(parametric)
    else:
        left = st.container()
    with left:
        detail_ui(catalogue, picked, show, x_range, chosen_params)
    for name in picked:
        act, params = catalogue.get(name), chosen_params.get(name)
        label = f"**{name}** — formula, properties and Keras code"
        with st.expander(label, expanded=len(picked) == 1):
            info, code = st.columns([1, 1], gap="large")
            with info:
                if act.elementwise:  # the Depth page measures units, which vector ones lack
                    link_to("Depth", "See it in a deep net", act=name)
                about_ui(act, params)
            with code:
                code_ui(act, params)
    acts = catalogue.all()
    grid_ui(acts, catalogue)
    properties_ui(acts)
    publish("gallery", fields)


main()
