"""Custom: write an activation as an expression in x, see it, add it to this session, get Keras code."""
import re

import streamlit as st

from activations import analysis
from activations.expression import ExpressionError, compile_expression, custom_activation
from core import codegen
from core.figures import detail_chart, png_config
from core.tables import properties_row, properties_table
from ui import catalogue as ui_cat

EXAMPLES = {
    "sin (tutorial method 1)": "tf.math.sin(x)",
    "2·tanh (tutorial method 2)": "tf.math.tanh(x) * 2",
    "ELU-like (tutorial)": "tf.where(x > 0, x, tf.exp(x) - 1)",
    "swish with β": "x * tf.sigmoid(beta * x)",
}
EXPR, NAME, SETTINGS = "custom.expr", "custom.name", "custom.settings"
st.session_state.setdefault(EXPR, "x * tf.sigmoid(beta * x)")
st.session_state.setdefault(NAME, "swish_beta")
st.session_state.setdefault(SETTINGS, {})


def _load(text: str, name: str) -> None:
    st.session_state[EXPR], st.session_state[NAME] = text, name


def your_activations() -> None:
    """This session's customs, each with Edit, Remove, its Keras code and a .py download."""
    catalogue = ui_cat.session_catalogue()
    st.subheader("Your activations in this session")
    if not catalogue.customs:
        st.info("None yet. Add one above: it then appears in the Gallery and in every activation dropdown. "
                "Only this browser session sees it.")
    for custom in catalogue.customs.values():
        with st.container(border=True):
            head, edit, remove = st.columns([6, 1, 1])
            head.markdown(f"**{custom.name}** — `{custom.expression}`")
            edit.button("Edit", key=f"custom.edit.{custom.name}", on_click=_load, args=(custom.expression, custom.name),
                        width="stretch")
            if remove.button("Remove", key=f"custom.remove.{custom.name}", width="stretch"):
                ui_cat.remove_custom(custom.name)
                st.rerun()
            source = codegen.keras_module(custom, custom.defaults())
            with st.expander("Keras code: a function for activation= and a Layer subclass, runs as-is"):
                st.code(source, language="python")
            st.download_button("Download .py", source, file_name=f"{custom.name}.py", mime="text/x-python",
                               key=f"custom.download.{custom.name}")


st.title("Custom")
st.caption("Write an activation the way TensorFlow users write it — `tf.math.sin(x)`, `tf.where(x > 0, x, tf.exp(x) - 1)`, "
           "`x * tf.sigmoid(beta * x)` — and see it with f′ and f″ at once. Other names than x become parameters. "
           "Your text is parsed and checked, never run as Python.")

st.write("Start from:")
example_cols = st.columns(len(EXAMPLES))
for col, (label, text) in zip(example_cols, EXAMPLES.items()):
    col.button(label, on_click=_load, args=(text, label.split(" (")[0].replace("·", "_").replace(" ", "_").replace("β", "beta")),
               key=f"custom.example.{label}", width="stretch")

text = st.text_input("f(x) =", key=EXPR, max_chars=400,
                     help="Allowed: x, numbers, + − * / **, comparisons, `a if cond else b`, pi, e and functions like "
                          "sin, exp, log, tanh, sigmoid, softplus, erf, relu, maximum, minimum, where, clip — spelled bare "
                          "or with tf., tf.math., tf.nn., np. or keras.ops.")
compiled, error = None, None
try:
    compiled = compile_expression(text)
except ExpressionError as exc:
    error = exc

if error is not None:
    # The message quotes the user's text: escape it so `__class__` is not read as bold Markdown.
    message = re.sub(r"([\\`*_{}\[\]<>#+\-.!|~])", r"\\\1", error.message)
    st.error(f"**Not accepted:** {message}" + (f" (column {error.column})" if error.column else ""))
    if error.column and text:
        st.code(text + "\n" + " " * (error.column - 1) + "^ here", language=None)
    your_activations()
    st.stop()

settings = st.session_state[SETTINGS]
left, right = st.columns([3, 1], gap="large")
with right:
    values = {}
    if compiled.params:
        st.markdown("**Parameters**")
    for p in compiled.params:
        default, low, high = settings.get(p, (1.0, -3.0, 3.0))
        with st.popover(f"{p}: range {low:g} … {high:g}", width="stretch"):
            new_low = st.number_input("lowest", value=float(low), key=f"custom.{p}.low")
            new_high = st.number_input("highest", value=float(high), key=f"custom.{p}.high")
            new_default = st.number_input("default", value=float(default), key=f"custom.{p}.default")
            if new_low >= new_high:
                st.error("The lowest value must be below the highest.")
            else:
                settings[p] = (min(max(new_default, new_low), new_high), new_low, new_high)
        default, low, high = settings.get(p, (1.0, -3.0, 3.0))
        values[p] = st.slider(p, float(low), float(high), float(default), step=(high - low) / 100,
                              key=f"custom.{p}.value.{low}.{high}")
    name = st.text_input("Name", key=NAME, max_chars=40)
    try:
        candidate = custom_activation(name, text, {p: (values[p], *settings.get(p, (1.0, -3.0, 3.0))[1:]) for p in compiled.params})
    except ExpressionError as exc:
        candidate = None
        st.error(exc.message)
    catalogue = ui_cat.session_catalogue()
    taken = candidate is not None and candidate.name in catalogue.shared
    if taken:
        st.error(f"“{name}” is a {catalogue.shared[name].source} activation already; choose another name.")
    replacing = candidate is not None and name in catalogue.customs
    if st.button("Update" if replacing else "Add to this session", type="primary", disabled=candidate is None or taken,
                 key="custom.add", width="stretch"):
        ui_cat.add_custom(candidate)
        st.toast(f"{name} is in your catalogue: find it in the Gallery and every activation dropdown.")

preview = candidate or custom_activation("preview", text)
with left:
    try:
        c = analysis.curves(preview, values)
        props = analysis.properties(preview, values)
    except Exception as exc:  # TensorFlow refused the computation (e.g. a dtype it cannot handle)
        st.error(f"TensorFlow could not compute this expression: {type(exc).__name__}: {str(exc)[:300]}")
        st.stop()
    colour = ui_cat.session_catalogue().colour(name) if name in ui_cat.session_catalogue().customs else "#1f77b4"
    fig = detail_chart([(name or "f", c, colour)], show=("f", "df", "d2f"), title=f"f(x) = {compiled.text}")
    st.plotly_chart(fig, config=png_config(f"custom-{name or 'activation'}"), key="custom.preview")

for note in analysis.warnings_for(props):
    st.warning(note)
with st.expander("Measured properties", expanded=False):
    st.dataframe(properties_table([properties_row(name or "f", "session", props, None)]).drop(columns=["cost vs relu"]).T.astype(str),
                 width="stretch")

your_activations()
