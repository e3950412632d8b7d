"""Gallery: every activation with f′ and f″, formulas, measured properties and Keras code."""
import streamlit as st

from activations.metadata import KNOWN_ISSUES
from core import codegen
from core.figures import detail_chart, gallery_grid, png_config
from core.state import gallery_fields
from core.tables import properties_row, properties_table
from ui import catalogue as ui_cat
from ui.url import default, publish, restore

st.title("Gallery")
st.caption("Every activation Keras ships, the tutorial's customs and your own — with derivatives by "
           "TensorFlow autodiff and properties measured from the function itself.")

catalogue = ui_cat.session_catalogue()
for problem in catalogue.load_errors:
    st.warning(f"A file in `user_activations/` could not be loaded — {problem}")
acts = catalogue.all()
fields = gallery_fields(catalogue.names())
for notice in restore("gallery", fields):
    st.warning(notice)
default("gallery.picked", ["relu", "gelu", "SinActivation"])
default("gallery.show", ["f", "f′"])
default("gallery.x_range", (-6.0, 6.0))
st.session_state["gallery.picked"] = [n for n in st.session_state["gallery.picked"] if n in catalogue]

with st.spinner("Computing every activation's curves and derivatives…"):
    grid_items = [(a.name + ("" if a.elementwise else " ‡"), ui_cat.curves(a), catalogue.colour(a.name)) for a in acts]

st.subheader("Compare in detail")
pick_col, show_col, range_col = st.columns([3, 1, 1.4], gap="medium", vertical_alignment="bottom")
picked = pick_col.multiselect("Activations", catalogue.names(), key="gallery.picked", help="Pick any number to overlay.")
show = show_col.segmented_control("Show", ["f", "f′", "f″"], selection_mode="multi", key="gallery.show") or ["f"]
x_range = range_col.slider("x range", -20.0, 20.0, step=0.5, key="gallery.x_range")
if x_range[0] == x_range[1]:
    st.info("The x range is empty; showing −6 to 6.")
    x_range = (-6.0, 6.0)
parametric = [catalogue.get(n) for n in picked if catalogue.get(n).params]
left, right = st.columns([3, 1], gap="large") if parametric else (st.container(), None)
chosen_params = {}
if right is not None:
    with right:
        for act in parametric:
            with st.expander(f"{act.name} parameters", expanded=True):
                chosen_params[act.name] = ui_cat.param_widgets(act, "gallery")
with left:
    if not picked:
        st.info("Pick one or more activations above to compare them here.")
    else:
        keys = {"f": "f", "f′": "df", "f″": "d2f"}
        items = [(n, ui_cat.curves(catalogue.get(n), chosen_params.get(n), x_range), catalogue.colour(n)) for n in picked]
        title = " vs ".join(picked[:4]) + (" …" if len(picked) > 4 else "")
        fig = detail_chart(items, show=[keys[s] for s in show], title=title, x_range=x_range)
        st.plotly_chart(fig, config=png_config(f"activations-{'-'.join(picked[:4])}"), key="gallery.detail")

for name in picked:
    act = catalogue.get(name)
    params = chosen_params.get(name)
    with st.expander(f"**{name}** — formula, properties and Keras code", expanded=len(picked) == 1):
        info, code = st.columns([1, 1], gap="large")
        with info:
            if act.formula:
                st.latex(act.formula)
            st.markdown(act.summary or f"A {act.source} activation.")
            if act.view:
                st.info(act.view)
            if name in KNOWN_ISSUES:
                st.warning(KNOWN_ISSUES[name])
            if act.reference:
                st.markdown(f"Reference: [{act.reference}]({act.reference})")
            props = ui_cat.properties(act, params)
            for problem in props["problems"]:
                st.warning(problem)
            if props["f'' numeric"]:
                st.caption("TensorFlow has no second derivative for this op: f″ is a finite difference of the autodiff f′.")
            st.dataframe(properties_table([properties_row(name, act.source, props, None)]).drop(columns=["cost vs relu"]).T.astype(str),
                         width="stretch")
        with code:
            simple = codegen.usage_string(act, params)
            if simple:
                st.code(simple, language="python")
            st.code(codegen.keras_module(act, params), language="python")

st.subheader("All activations")
st.caption("f solid, f′ dashed, x from −6 to 6. ‡ marks vector activations (softmax, glu, …): they map "
           "a vector to a vector, and the panel shows the 1-D slice described in their detail view.")
st.plotly_chart(gallery_grid(grid_items), config=png_config("activation-gallery"), key="gallery.grid")

st.subheader("Properties")
st.caption("Measured numerically on x ∈ [−6, 6] and towards ±∞ with default parameters. Zero-centred: the mean of "
           "f(z) for z ~ N(0, 1) is within 0.1 standard deviations of 0. Smoothness is judged from f, f′ and f″ "
           "(C∞ means all three are continuous). Cost: forward + backward time per element, relative to relu.")
with st.spinner("Measuring properties and cost per element…"):
    rows = [properties_row(a.name, a.source, ui_cat.properties(a), ui_cat.cost(a)) for a in acts]
st.dataframe(properties_table(rows), width="stretch", height=min(38 * len(rows) + 40, 700))

publish("gallery", fields)
