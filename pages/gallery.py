"""Gallery: every activation with f′ and f″, formulas, measured properties and Keras code."""

import streamlit as st

from activations.metadata import KNOWN_ISSUES
from charts.figures import detail_chart, gallery_grid, gated_chart, png_config
from charts.tables import PROPERTY_WIDTHS, properties_row, properties_table, property_views
from core.train import codegen
from ui import catalogue as ui_cat
from ui.nav import link_to, setup
from ui.palette import PALETTES, colours_here
from ui.url import default, gallery_fields, publish, restore

SHOW_KEYS = {"f": "f", "f′": "df", "f″": "d2f"}
FULL_RANGE = (-6.0, 6.0)
# Panels of activations not picked to compare: one grey that reads on both themes' backgrounds
# (3.4:1 on white, 5.4:1 on the dark theme's) and is none of the palette's colours, so a colour
# in the small multiples always means "this one is in the comparison, in this colour".
OTHERS_COLOUR = "#8c8c8c"
TITLE_NAMES = 8  # past this many, the chart's title counts them and the legend names them


def selection_ui(catalogue) -> tuple[list[str], list[str], tuple[float, float]]:
    """The activations to compare, which curves to show and the x range."""
    labels = ui_cat.labels(catalogue)
    # A row of its own, chips wrapping: in a column the chips scroll sideways and hide the first.
    picked = st.multiselect(
        "Activations",
        catalogue.names(),
        format_func=labels.get,
        key="gallery.picked",
        help="Pick any number to overlay. Keras's aliases find their activation: swish is silu.",
        wrap=True,
        **ui_cat.NAME_PICKER,
    )
    show_col, range_col, _ = st.columns([1, 1.4, 1.6], gap="large", vertical_alignment="bottom")
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


def detail_ui(catalogue, picked, show, x_range, chosen_params, colours) -> None:
    if not picked:
        st.info("Pick one or more activations above to compare them here.")
        return
    items = []
    for name in picked:
        curves = ui_cat.curves(catalogue.get(name), chosen_params.get(name), x_range)
        items.append((name, curves, colours[name]))
    if len(picked) > len(PALETTES["light"]):
        st.caption(
            f"Past {len(PALETTES['light'])} activations the colours repeat: the legend and the "
            "hover label name each curve."
        )
    many = len(picked) > TITLE_NAMES
    title = f"{len(picked)} activations" if many else " vs ".join(picked)
    fig = detail_chart(items, show=[SHOW_KEYS[s] for s in show], title=title, x_range=x_range)
    st.plotly_chart(
        fig, config=png_config(f"activations-{'-'.join(picked[:4])}"), key="gallery.detail"
    )


def about_ui(act, params) -> None:
    """Formula, summary, known issues and reference of one activation."""
    if act.formula:
        st.latex(act.formula)
    st.markdown(act.summary or f"A {act.source} activation.")
    if act.view:
        st.info(act.view)
    if act.name in KNOWN_ISSUES:
        st.warning(KNOWN_ISSUES[act.name])
    if act.reference:
        st.markdown(f"Reference: [{act.reference}]({act.reference})")


def gated_ui(act, params, colour) -> None:
    """A gated unit over its two inputs, and what its 1-D curve is."""
    surface = ui_cat.surface(act, params)
    chart, words = st.columns([3, 2], gap="large", vertical_alignment="center")
    chart.plotly_chart(
        gated_chart(act.name, surface.u, surface.v, surface.z, colour),
        config=png_config(f"gated-{act.name}"),
        key=f"gallery.gated.{act.name}",
    )
    words.caption(
        "A gated unit multiplies two projections of the layer's input, u and v, gating v by "
        "f(u). Its curve above, derivatives and properties are those of the diagonal u = v = x, "
        "f(x)·x (sigmoid_glu's diagonal is silu, x·σ(x): silu is a self-gated relative). In a "
        "network it needs two projections where an element-wise unit needs one, so at matched "
        "parameters its hidden width is 2/3 of the plain one (Shazeer 2020); Train does that "
        "and says so."
    )


def measured_ui(act, params) -> None:
    """The measured properties of one activation, every row in sight."""
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
    st.dataframe(table, width="stretch", height="content")


def code_ui(act, params) -> None:
    """The Keras code, across the page; a line longer than the page wraps, none is hidden."""
    simple = codegen.usage_string(act, params)
    if simple:
        st.code(simple, language="python", wrap_lines=True)
    st.code(codegen.keras_module(act, params), language="python", wrap_lines=True)


def grid_ui(acts, colours) -> None:
    """Small multiples of `acts`; the picked ones in their colours of the comparison above."""
    st.subheader("All activations")
    st.caption(
        "f solid, f′ dashed, x from −6 to 6. The activations picked above keep their colours "
        "from the comparison; the others are grey. ‡ marks vector activations (softmax, glu, "
        "…): they map a vector to a vector, and the panel shows the 1-D slice described in "
        "their detail view. ⊗ marks gated units f(u)·v (swiglu, …): the panel is u = v = x."
    )
    with st.spinner("Computing every activation's curves and derivatives…"):
        items = [
            (
                a.name + (" ⊗" if a.gated else "" if a.elementwise else " ‡"),
                ui_cat.curves(a),
                colours.get(a.name, OTHERS_COLOUR),
            )
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
    views = property_views(properties_table(rows))
    widths = {column: {"width": px} for column, px in PROPERTY_WIDTHS.items()}
    for tab, table in zip(st.tabs(list(views)), views.values(), strict=True):
        with tab:
            st.dataframe(
                table,
                width="stretch",
                height=min(38 * len(rows) + 40, 700),
                column_config={"_index": widths["activation"], **widths},
            )


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
    fields = gallery_fields(catalogue.names(), catalogue.aliases())
    for note in ui_cat.alias_notes(st.query_params.get("pick", "").split(","), catalogue):
        st.info(note)
    for notice in restore("gallery", fields):
        st.warning(notice)
    default("gallery.picked", ["relu", "gelu", "SinActivation"])
    default("gallery.show", ["f", "f′"])
    default("gallery.x_range", FULL_RANGE)
    kept = (catalogue.get(n).name for n in st.session_state["gallery.picked"] if n in catalogue)
    picked_now = list(dict.fromkeys(kept))  # an alias kept as its name, once
    st.session_state["gallery.picked"] = picked_now

    st.subheader("Compare in detail")
    picked, show, x_range = selection_ui(catalogue)
    # The Gallery is one view: colours go to the picked activations in the order picked, and
    # the comparison and the small multiples both draw with them.
    colours = colours_here(picked)
    parametric = [catalogue.get(n) for n in picked if catalogue.get(n).params]
    chosen_params = {}
    if parametric:
        left, right = st.columns([3, 1], gap="large")
        with right:
            chosen_params = params_ui(parametric)
    else:
        left = st.container()
    with left:
        detail_ui(catalogue, picked, show, x_range, chosen_params, colours)
    for name in picked:
        act, params = catalogue.get(name), chosen_params.get(name)
        label = f"**{name}** — formula, properties and Keras code"
        with st.expander(label, expanded=len(picked) == 1):
            # The code takes the expander's width: in half of it, its lines scrolled sideways.
            info, measured = st.columns([1, 1], gap="large")
            with info:
                if act.pointwise:  # the Depth page measures units, which vector ones lack
                    link_to("Depth", "See it in a deep net", act=name)
                about_ui(act, params)
            with measured:
                measured_ui(act, params)
            if act.gated:
                gated_ui(act, params, colours[name])
            code_ui(act, params)
    acts = catalogue.all()
    grid_ui(acts, colours)
    properties_ui(acts)
    publish("gallery", fields)


main()
