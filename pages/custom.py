"""Custom: write an activation as an expression in x, see it, add it to this session, get Keras
code."""

import re

import streamlit as st

from activations import analysis
from activations.expression import ExpressionError, compile_expression, custom_activation
from activations.learnable import learn_problems
from charts.figures import detail_chart, png_config
from charts.tables import properties_row, properties_table
from core.train import codegen
from ui import catalogue as ui_cat
from ui.customs import add_custom, remove_custom
from ui.nav import link_to, setup
from ui.palette import colours_here

# (button label, name it suggests, expression)
EXAMPLES = (
    ("sin (tutorial method 1)", "sin", "tf.math.sin(x)"),
    ("2·tanh (tutorial method 2)", "tanh_times_2", "tf.math.tanh(x) * 2"),
    ("ELU-like (tutorial)", "elu_like", "tf.where(x > 0, x, tf.exp(x) - 1)"),
    ("swish with β", "swish_with_beta", "x * tf.sigmoid(beta * x)"),
)
EXPR, NAME, SETTINGS = "custom.expr", "custom.name", "custom.settings"
LEARNED = "custom.learned"  # each added custom's learned parameters: name -> {param: granularity}
RATIONAL = "custom.rational"  # the last rational fitted: its target, text, coefficients, errors
MAX_NAME = 40  # characters of a name, as activations/expression.py's NAME_PATTERN allows
NEW_PARAM = (1.0, -3.0, 3.0)  # default, lowest, highest of a parameter seen for the first time
PREVIEW_COLOUR = "#1f77b4"  # an expression not yet added has no colour of its own
TARGET_COLOUR = "#999999"  # a rational's target, drawn beside it
HELP = (
    "Allowed: x, numbers, + − * / **, comparisons, `a if cond else b`, pi, e and functions "
    "like sin, exp, log, tanh, sigmoid, softplus, erf, relu, maximum, minimum, where, clip, "
    "bspline(x, lo, hi, c0, …) — "
    "spelled bare or with tf., tf.math., tf.nn., np. or keras.ops."
)


def _load(text: str, name: str) -> None:
    st.session_state[EXPR], st.session_state[NAME] = text, name


def examples_ui() -> None:
    st.write("Start from:")
    for col, (label, name, text) in zip(st.columns(len(EXAMPLES)), EXAMPLES, strict=True):
        col.button(
            label, on_click=_load, args=(text, name), key=f"custom.example.{label}", width="stretch"
        )


def _into_editor(key: str, name: str, shape, target: str | None, rms: float | None) -> None:
    """Put a rational or spline (`shape`: its text, settings, range and error) into the editor
    under `name`, its coefficients as the parameters' defaults, and remember what it was fitted
    to under `key`, so the chart can draw the target beside it."""
    _load(shape.text, name[:MAX_NAME])
    settings = shape.settings()
    st.session_state[SETTINGS].update(settings)
    # A parameter's range boxes and slider keep their own state once drawn, and would write the
    # last load's values back over these: they are set, and the slider drawn afresh.
    for p, (default, low, high) in settings.items():
        st.session_state[f"custom.{p}.low"], st.session_state[f"custom.{p}.high"] = low, high
        st.session_state[f"custom.{p}.default"] = default
        for drawn in [k for k in st.session_state if str(k).startswith(f"custom.{p}.value.")]:
            del st.session_state[drawn]
    st.session_state[key] = {
        "target": target,
        "text": shape.text,
        "range": (shape.low, shape.high),
        "max_error": shape.max_error,
        "rms_error": rms,
    }


def _fit_rational(catalogue) -> None:
    """Fit the rational the section asks for and load it into the editor, its coefficients as
    the parameters' defaults; a fit that cannot be made is said in the section."""
    from core.study.shapes import rational

    target = catalogue.get(st.session_state[f"{RATIONAL}.target"])
    m, n = int(st.session_state[f"{RATIONAL}.m"]), int(st.session_state[f"{RATIONAL}.n"])
    low, high = st.session_state[f"{RATIONAL}.low"], st.session_state[f"{RATIONAL}.high"]
    try:
        fitted = rational.fit_activation(target, m, n, float(low), float(high))
    except ValueError as exc:
        st.session_state[RATIONAL] = {"error": str(exc)}
        return
    _into_editor(RATIONAL, f"{target.name}_pau", fitted, target.name, fitted.rms_error)


def rational_ui(catalogue) -> None:
    """PAU's rational activation P(x) / (1 + |B(x)|) fitted to any element-wise activation, loaded
    into the editor as an expression whose coefficients can learn."""
    from core.study.shapes.rational import MAX_ORDER, ORDERS, POINTS, RANGE

    with st.expander("Rational activation (Padé), fitted to an activation", expanded=False):
        st.caption(
            "Molina et al. 2019 (PAU, arXiv 1907.06732): f(x) = P(x) / (1 + |b1 x + … + bn x^n|), "
            "P of order m, a denominator that has no pole. Its coefficients start as the least-"
            f"squares fit to the activation you pick ({POINTS} points of the range) and are "
            "parameters: set them to learn per layer or per unit below, as PAU does."
        )
        names = [n for n in catalogue.names() if catalogue.get(n).pointwise]
        cols = st.columns([2, 1, 1, 1, 1], vertical_alignment="bottom")
        cols[0].selectbox("Fitted to", names, index=names.index("gelu"), key=f"{RATIONAL}.target")
        cols[1].number_input("m", 0, MAX_ORDER, ORDERS[0], key=f"{RATIONAL}.m")
        cols[2].number_input("n", 0, MAX_ORDER - 1, ORDERS[1], key=f"{RATIONAL}.n")
        cols[3].number_input("from", value=RANGE[0], key=f"{RATIONAL}.low")
        cols[4].number_input("to", value=RANGE[1], key=f"{RATIONAL}.high")
        st.button(
            "Fit and load into the editor",
            on_click=_fit_rational,
            args=(catalogue,),
            key=f"{RATIONAL}.go",
        )
        done = st.session_state.get(RATIONAL)
        if done and "error" in done:
            st.error(f"No fit: {done['error']}")
        elif done:
            low, high = done["range"]
            st.caption(
                f"Fitted to {done['target']} on [{low:g}, {high:g}]: largest error "
                f"{done['max_error']:.2g}, root-mean-square error {done['rms_error']:.2g}. The "
                "chart draws it beside its target while the editor holds it; outside the range "
                "it was fitted on it follows no target."
            )


SPLINE = "custom.spline"  # the last spline loaded: its target (None: silu), text, error
KAN_START = "silu (the spline at 0, as KAN)"


def _load_spline(catalogue) -> None:
    """Load KAN's φ = wb·silu + ws·spline into the editor, its spline at 0 or fitted so that φ is
    the chosen activation on the range."""
    from core.study.shapes import spline

    chosen = st.session_state[f"{SPLINE}.start"]
    g = int(st.session_state[f"{SPLINE}.g"])
    low, high = float(st.session_state[f"{SPLINE}.low"]), float(st.session_state[f"{SPLINE}.high"])
    try:
        if chosen == KAN_START:
            loaded = spline.silu_start(g, low, high)
        else:
            loaded = spline.fitted_activation(catalogue.get(chosen), g, low, high)
    except ValueError as exc:
        st.session_state[SPLINE] = {"error": str(exc)}
        return
    _into_editor(SPLINE, f"{loaded.target or 'silu'}_kan{g}", loaded, loaded.target, None)


def spline_ui(catalogue) -> None:
    """KAN's learnable edge function as an activation: wb·silu(x) + ws·(a cubic B-spline)."""
    from core.study.shapes.spline import GRID, MAX_GRID, RANGE

    with st.expander("Spline activation (KAN's φ), learnable shape", expanded=False):
        st.caption(
            "Liu et al. 2024 (KAN, arXiv 2404.19756): φ(x) = wb·silu(x) + ws·spline(x), the spline "
            "cubic on G equal intervals of the range, G + 3 coefficients, 0 beyond three "
            "intervals past either end. It starts as KAN starts it (the spline at 0: φ = silu) "
            "or fitted by least squares to an activation; set its coefficients to learn per "
            "layer or per unit below."
        )
        names = [KAN_START] + [n for n in catalogue.names() if catalogue.get(n).pointwise]
        cols = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
        cols[0].selectbox("Starts as", names, key=f"{SPLINE}.start")
        cols[1].number_input("G (intervals)", 1, MAX_GRID, GRID, key=f"{SPLINE}.g")
        cols[2].number_input("from", value=RANGE[0], key=f"{SPLINE}.low")
        cols[3].number_input("to", value=RANGE[1], key=f"{SPLINE}.high")
        st.button(
            "Load into the editor", on_click=_load_spline, args=(catalogue,), key=f"{SPLINE}.go"
        )
        done = st.session_state.get(SPLINE)
        if done and "error" in done:
            st.error(f"Not loaded: {done['error']}")
        elif done and done["target"]:
            low, high = done["range"]
            st.caption(
                f"Fitted to {done['target']} on [{low:g}, {high:g}]: largest error "
                f"{done['max_error']:.2g}. The chart draws it beside its target while the editor "
                "holds it; three intervals past either end it is silu again."
            )


def fitted_target(text: str):
    """The activation the editor's rational or spline was fitted to, while the editor holds it;
    else None."""
    for key in (RATIONAL, SPLINE):
        done = st.session_state.get(key)
        if done and "error" not in done and text == done["text"] and done["target"]:
            return done["target"]
    return None


def refusal_ui(text: str, error: ExpressionError) -> None:
    """Why the text was refused, with a caret under the column."""
    # The message quotes the user's text: escape it so `__class__` is not read as bold Markdown.
    message = re.sub(r"([\\`*_{}\[\]<>#+\-.!|~])", r"\\\1", error.message)
    where = f" (column {error.column})" if error.column else ""
    st.error(f"**Not accepted:** {message}{where}")
    if error.column and text:
        st.code(text + "\n" + " " * (error.column - 1) + "^ here", language=None)


def _box(label: str, value: float, key: str) -> float:
    if key in st.session_state:
        return st.number_input(label, key=key)
    return st.number_input(label, value=float(value), key=key)


def params_ui(params) -> tuple[dict[str, float], dict[str, tuple], dict[str, str]]:
    """A slider per parameter, each with an editable range, and whether it learns with the
    weights; the values, (default, lo, hi) and the learned ones (name -> "layer" or "unit")."""
    settings = st.session_state[SETTINGS]
    values, learn = {}, {}
    if params:
        st.markdown("**Parameters**")
    for p in params:
        default, low, high = settings.get(p, NEW_PARAM)
        # "alpha: -3 … 3": in a quarter of the page, "threshold: range -3 … 3" was cut.
        with st.popover(
            f"{p}: {low:g} … {high:g}", width="stretch", help=f"The range of {p}'s slider."
        ):
            # A loaded rational or spline sets these boxes' state (_into_editor): a value given
            # as well would be refused with a warning on the page.
            new_low = _box("lowest", low, f"custom.{p}.low")
            new_high = _box("highest", high, f"custom.{p}.high")
            new_default = _box("default", default, f"custom.{p}.default")
            if new_low >= new_high:
                st.error("The lowest value must be below the highest.")
            else:
                settings[p] = (min(max(new_default, new_low), new_high), new_low, new_high)
        default, low, high = settings.get(p, NEW_PARAM)
        values[p] = st.slider(
            p,
            float(low),
            float(high),
            float(default),
            step=(high - low) / 100,
            key=f"custom.{p}.value.{low}.{high}",
        )
        choice = st.radio(
            f"learn {p}",
            tuple(ui_cat.LEARN_CHOICES),
            format_func=ui_cat.LEARN_CHOICES.get,
            horizontal=True,
            key=f"custom.{p}.learn",
            help="Learn it: the parameter trains with the weights, starting from the slider's "
            "value. The Train page starts with this choice; the Keras code's Layer uses "
            "add_weight for it.",
        )
        if choice != "fixed":
            learn[p] = choice
    return values, {p: settings.get(p, NEW_PARAM) for p in params}, learn


def _use_name(name: str) -> None:
    st.session_state[NAME] = name


def _same_curve(candidate, values, existing) -> bool:
    try:
        return analysis.same_curve(candidate, existing, values)
    except Exception:  # TensorFlow refused one of them: then they are not known to be the same
        return False


def taken_name_ui(catalogue, candidate, values, existing) -> None:
    """The typed name belongs to a catalogue entry (the tutorial's elu_like, Keras's swish):
    lead to that entry when the expression is the same function, and offer a free name."""
    name = candidate.name
    alias = "" if name == existing.name else f" (Keras's alias of {existing.name})"
    if _same_curve(candidate, values, existing):
        st.info(
            f"This is the catalogue's **{existing.name}**{alias} ({existing.source}): the same "
            "curve. It is in every activation dropdown already."
        )
        # A short label: the link sits in the page's narrow right column and does not wrap.
        link_to("Gallery", "See it in the Gallery", pick=existing.name)
    else:
        st.info(
            f"“{name}” is the catalogue's **{existing.name}**{alias} ({existing.source}), a "
            "different curve: add yours under another name."
        )
    free = catalogue.free_name(name, max_length=MAX_NAME)
    st.button(
        f"Use the name {free}",
        on_click=_use_name,
        args=(free,),
        key="custom.free_name",
        width="stretch",
    )


def not_finite_ui(text: str, values: dict) -> bool:
    """Whether the user may add an expression that is NaN or ±inf somewhere on the plotted
    range: said in red with what it does to training, and added only when they tick that they
    know. Returns True when it is finite or confirmed."""
    try:
        props = analysis.properties(custom_activation("preview", text), values)
    except Exception:  # TensorFlow refused it: the preview says why
        return True
    bad = [p for p in props["problems"] if p.startswith("f is NaN/inf")]
    if not bad:
        return True
    # In the page's narrow right column: short, the figures in the help's long form.
    st.error(
        "**Not finite** on the plotted range: a network with it gets a NaN loss and is "
        "marked diverged, usually in its first epoch.",
        icon=":material/error:",
    )
    return st.checkbox(
        "Add anyway",
        key="custom.allow_nonfinite",
        help=f"{bad[0]}. Add it to see the failure happen on Train.",
    )


def add_ui(text: str, values: dict, ranges: dict, learn: dict):
    """The name and the Add/Update button; returns the candidate activation (None if refused)."""
    name = st.text_input(
        "Name", key=NAME, max_chars=MAX_NAME, placeholder="a name for it, e.g. my_swish"
    )
    gated = st.toggle(
        "Gated unit, f(u)·v",
        key="custom.gated",
        help="Use your f as the gate of two projections u and v of a layer's input, as SwiGLU "
        "uses silu: f(u)·v. The preview then shows the diagonal u = v = x, f(x)·x. On Train "
        "its hidden layers are 2/3 as wide (MLP: the closest width) for the same parameters.",
    )
    settings = {p: (values[p], low, high) for p, (_, low, high) in ranges.items()}
    try:
        candidate = custom_activation(name, text, settings, gated) if name else None
    except ExpressionError as exc:
        candidate = None
        st.error(exc.message)
    if not name:  # asked for, not invented: it was once saved as swish_beta, never typed
        st.info("Type a name to add it to your catalogue.")
    catalogue = ui_cat.session_catalogue()
    existing = None if candidate is None else catalogue.shared_entry(name)
    taken = existing is not None
    if taken:
        taken_name_ui(catalogue, candidate, values, existing)
    cannot_learn = [] if candidate is None else learn_problems(candidate, values, learn)
    for problem in cannot_learn:
        st.error(problem)
    finite_or_confirmed = candidate is None or not_finite_ui(text, values)
    replacing = candidate is not None and name in catalogue.customs
    label = "Update" if replacing else "Add to this session"
    refused = candidate is None or taken or bool(cannot_learn) or not finite_or_confirmed
    if st.button(label, type="primary", disabled=refused, key="custom.add", width="stretch"):
        add_custom(candidate)
        st.session_state[LEARNED] = {**st.session_state.get(LEARNED, {}), name: learn}
        for p in values:  # the Train page's popover starts with the same choice
            st.session_state[f"train.{name}.{p}.learn"] = learn.get(p, "fixed")
        st.toast(
            f"{name} is in your catalogue: find it in the Gallery and every activation dropdown."
        )
    return candidate


def preview_ui(act, values, label: str, title: str, beside: str | None = None):
    """f, f′ and f″ of the expression, labelled `label` (and those of the catalogue's `beside`
    in grey); its measured properties, or None if TensorFlow refused it."""
    try:
        curves = analysis.curves(act, values)
        props = analysis.properties(act, values)
    except Exception as exc:  # TensorFlow refused the computation (e.g. a dtype it cannot handle)
        detail = f"{type(exc).__name__}: {str(exc)[:300]}"
        st.error(f"TensorFlow could not compute this expression: {detail}")
        return None
    catalogue = ui_cat.session_catalogue()
    added = act.name in catalogue.customs
    colour = colours_here([act.name])[act.name] if added else PREVIEW_COLOUR
    items = [(label, curves, colour)]
    if beside is not None and beside in catalogue:
        items.append((beside, analysis.curves(catalogue.get(beside), {}), TARGET_COLOUR))
    fig = detail_chart(items, show=("f", "df", "d2f"), title=title)
    st.plotly_chart(fig, config=png_config(f"custom-{label}"), key="custom.preview")
    return props


def properties_ui(name: str, props) -> None:
    for note in analysis.warnings_for(props):
        st.warning(note)
    with st.expander("Measured properties", expanded=False):
        row = properties_row(name, "session", props, None)
        table = properties_table([row]).drop(columns=["cost vs relu"]).T.astype(str)
        st.dataframe(table, width="stretch", height="content")


def your_activations_ui() -> None:
    """This session's customs, each with Edit, Remove, its Keras code and a .py download."""
    catalogue = ui_cat.session_catalogue()
    st.subheader("Your activations in this session")
    if not catalogue.customs:
        st.info(
            "None yet. Add one above: it then appears in the Gallery and in every activation "
            "dropdown. Only this browser session sees it."
        )
    for custom in catalogue.customs.values():
        with st.container(border=True):
            head, edit, remove = st.columns([6, 1, 1])
            head.markdown(f"**{custom.name}** — `{custom.expression}`")
            edit.button(
                "Edit",
                key=f"custom.edit.{custom.name}",
                on_click=_load,
                args=(custom.expression, custom.name),
                width="stretch",
            )
            if remove.button("Remove", key=f"custom.remove.{custom.name}", width="stretch"):
                remove_custom(custom.name)
                st.rerun()
            learn = st.session_state.get(LEARNED, {}).get(custom.name, {})
            source = codegen.keras_module(custom, custom.defaults(), learn=learn)
            if learn:
                what = ", ".join(f"{p} ({ui_cat.LEARN_CHOICES[g]})" for p, g in learn.items())
                st.caption(f"Learns {what} with the weights.")
            with st.expander(
                "Keras code: a function for activation= and a Layer subclass, runs as-is"
            ):
                st.code(source, language="python", wrap_lines=True)  # no line out of sight
            st.download_button(
                "Download .py",
                source,
                file_name=f"{custom.name}.py",
                mime="text/x-python",
                key=f"custom.download.{custom.name}",
            )


def main() -> None:
    setup("Custom")
    st.session_state.setdefault(EXPR, "x * tf.sigmoid(beta * x)")
    # Kept while its box is off the page (a refused expression hides it): Streamlit drops a
    # widget's state then, and the box came back with a default name.
    st.session_state[NAME] = st.session_state.get(NAME, "swish_beta")
    st.session_state.setdefault(SETTINGS, {})
    st.title("Custom")
    st.caption(
        "Write an activation the way TensorFlow users write it — `tf.math.sin(x)`, "
        "`tf.where(x > 0, x, tf.exp(x) - 1)`, `x * tf.sigmoid(beta * x)` — and see it "
        "with f′ and f″ at once. Other names than x become parameters. Your text is "
        "parsed and checked, never run as Python."
    )
    examples_ui()
    rational_ui(ui_cat.session_catalogue())
    spline_ui(ui_cat.session_catalogue())
    text = st.text_input("f(x) =", key=EXPR, max_chars=400, help=HELP)
    try:
        compiled = compile_expression(text)
    except ExpressionError as exc:
        refusal_ui(text, exc)
        your_activations_ui()
        return
    left, right = st.columns([3, 1], gap="large")
    with right:
        values, ranges, learn = params_ui(compiled.params)
        candidate = add_ui(text, values, ranges, learn)
    with left:
        # A name that is refused still previews, under a placeholder name.
        gated = st.session_state.get("custom.gated", False)
        preview = candidate or custom_activation("preview", text, gated=gated)
        label = st.session_state[NAME] or "f"
        beside = fitted_target(text)
        props = preview_ui(preview, values, label, title=f"f(x) = {compiled.text}", beside=beside)
    if props is not None:
        properties_ui(label, props)
        your_activations_ui()


main()
