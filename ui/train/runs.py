"""A comparison's charts, results table and export buttons, shared by the Train and Runs pages."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
import plotly.io
import streamlit as st

from charts import exports
from charts.exports import chromium_path
from charts.figures import png_config, sensitivity_chart, training_chart
from charts.share import (  # noqa: F401  (setup_label and quantity_label: pages import them here)
    DATASET_SHORT,
    quantity_label,
    setup_label,
    share_figure,
)
from charts.tables import compared, differences_note, fold_constant_columns, results_table
from core.serve.store import versions
from core.train import codegen, portable
from core.train.codegen import reproduce_script
from core.train.rates import CRITERION, Shown, is_sweep
from ui.palette import page_theme
from ui.runtime import download_button
from ui.serve.store import store  # noqa: F401  (kept for ui/study/search.py until it moves)
from ui.train.inside import inside_figures
from ui.train.learned import learned_figures


@st.cache_data(max_entries=16, show_spinner=False)
def share_png(figure_json: str) -> bytes:
    """The share image's PNG, drawn once per figure (the same runs, options, theme and date) and
    shared by the Runs page's screenshot mode and every Share image download."""
    fig = plotly.io.from_json(figure_json)
    return exports.chart_png(fig, fig.layout.width, fig.layout.height)


PNG_HELP = "The chart as drawn here, at twice its size (sharp on slides and high-DPI screens)."


def chart_title(comparison, key: str) -> str:
    return f"{quantity_label(comparison, key)} — {setup_label(comparison)}"


def comparison_figures(shown: Shown, colours: dict, options: dict) -> list:
    """The loss and the accuracy/MAE chart of one comparison, titled for sharing."""
    titles = {key: chart_title(shown.record, key) for key in ("loss", "metric")}
    return [
        training_chart([shown], colours, key, title=titles[key], **options)
        for key in ("loss", "metric")
    ]


def sweep_figures(shown: Shown, colours: dict) -> list:
    """A learning-rate sweep's sensitivity chart, titled for sharing; none for one rate."""
    if not shown.sweep:
        return []
    title = f"Learning-rate sensitivity — {setup_label(shown.record)}"
    return [sensitivity_chart(shown, colours, title=title)]


def sweep_ui(shown: Shown, colours: dict, key: str | None, run_label: str = "") -> None:
    """A sweep's sensitivity chart under the results, with how the best rate was chosen;
    `run_label` names the run when several are shown together."""
    comparison = shown.record
    for fig in sweep_figures(shown, colours):
        rates = ", ".join(f"{r:g}" for r in comparison.config.learning_rates)
        whose = f"{run_label}: learning-rate sweep" if run_label else "Learning-rate sweep"
        st.caption(
            f"**{whose}** ({rates}): the charts and table above show each "
            f"activation at its best rate, chosen on {CRITERION}. Below: every rate, "
            f"★ = the rate chosen"
            + (", band = ± 1 std over seeds." if comparison.config.seeds > 1 else ".")
        )
        edges = edge_note(shown)
        if edges:
            st.caption(edges)
        st.plotly_chart(fig, config=png_config(f"lr-sweep-{file_stem(comparison)}"), key=key)


def edge_note(shown: Shown) -> str:
    """A warning when an activation's best rate is the sweep's smallest or largest: its real best
    may lie outside the rates tried."""
    rates = sorted(shown.record.config.learning_rates)
    if len(rates) < 2:
        return ""
    best = shown.best
    low = [n for n, r in best.items() if r == rates[0]]
    high = [n for n, r in best.items() if r == rates[-1]]
    notes = []
    if high:
        notes.append(f"{', '.join(high)}: best at the largest rate tried; try larger rates too")
    if low:
        notes.append(f"{', '.join(low)}: best at the smallest rate tried; try smaller rates too")
    return "⚠ " + "; ".join(notes) + "." if notes else ""


def swatch_table(table, colours: dict):
    """A results table whose activation names are written in their chart colour (the table's
    swatches); the index (activation, or run and activation) becomes leading columns."""
    frame = table.reset_index()

    def ink(name: str) -> str:
        value = colours.get(name)
        colour = getattr(value, "colour", value)
        return f"color: {colour}; font-weight: 600" if colour else ""

    return frame.style.map(ink, subset=["activation"])


def results_config(columns) -> dict:
    """Column settings that keep the results table within 1280 px: "epochs to accuracy ≥ 0.9"
    is headed "epochs to ≥ 0.9", "best learning rate" "best lr", "final val loss" "final loss"
    (the full name is the tooltip), the run number is narrow."""
    config = {}
    for column in columns:
        short = re.sub(r"^epochs to (accuracy|MAE) ", "epochs to ", column)
        short = short.replace("best learning rate", "best lr")
        # "final loss", "best accuracy": the note under the table says they are validation's.
        short = re.sub(r"^(final|best) val ", r"\1 ", short)
        if short != column:
            config[column] = st.column_config.TextColumn(short, help=column)
    if "run" in columns:
        config["run"] = st.column_config.NumberColumn("run", width="small", format="%d")
    return config


# The table's room beside the sidebar at 1280 px, and the grid's text as measured there
# (bench/clipped.js measures with the grid's own font: digits and letters average under 7.4 px
# in 14 px Source Sans; a cell adds 8 px of padding a side, a header its sort-icon room).
TABLE_PX = 806
CHAR_PX = 7.4
CELL_PAD_PX = 20
WRAP_ROW_PX = 66  # Streamlit wraps a cell's text in rows taller than 64 px: three lines


HEADER_PAD_PX = 24  # a header's padding and the room its sort icon keeps


def _text_px(text: str) -> float:
    return CHAR_PX * len(text) + CELL_PAD_PX


def _header_px(text: str) -> float:
    return CHAR_PX * len(text) + HEADER_PAD_PX


def fitted_widths(frame, headers: dict[str, str]) -> dict[str, int] | None:
    """Column widths that bring a table wider than TABLE_PX within it, cells wrapping on up to
    three lines (the widest columns narrowed first, never below their heading); None when it
    fits as it is. A learning-rate sweep over two seeds with a reference and a long custom name
    ran 63 to 223 px past the page."""
    natural = {
        c: max([_header_px(headers.get(c, c)), *(_text_px(str(v)) for v in frame[c])])
        for c in frame.columns
    }
    if sum(natural.values()) <= TABLE_PX:
        return None
    # Never below the heading (a heading does not wrap), nor below a third of the longest cell
    # (its text then needs more than the row's three lines).
    floor = {
        c: max(_header_px(headers.get(c, c)), (natural[c] - CELL_PAD_PX) / 3 + CELL_PAD_PX)
        for c in frame.columns
    }
    # The cap that fills the room: each column min(natural, cap), never below its heading.
    low, high = 0.0, max(natural.values())
    for _ in range(40):
        cap = (low + high) / 2
        total = sum(max(floor[c], min(natural[c], cap)) for c in frame.columns)
        low, high = (cap, high) if total <= TABLE_PX else (low, cap)
    return {c: int(max(floor[c], min(natural[c], low))) for c in frame.columns}


def results_ui(table, colours: dict) -> None:
    """The results table, whole: as tall as its rows (no scrolling inside it), activation names
    in their chart colour, and the columns with one value for every row said once beneath.
    Wider than the page, its cells wrap in taller rows instead of scrolling out of sight."""
    shown, note = fold_constant_columns(table.reset_index())
    index = [c for c in ("run", "activation") if c in shown.columns]
    styled = swatch_table(shown.set_index(index), colours)
    config = results_config(shown.columns)  # column settings are plain dicts
    headers = {c: v.get("label") or c for c, v in config.items()}
    widths = fitted_widths(shown, headers)
    for column, width in (widths or {}).items():
        config[column] = {**config.get(column, {"label": column}), "width": width}
    st.dataframe(
        styled,
        width="stretch",
        height="content",
        hide_index=True,
        column_config=config,
        row_height=WRAP_ROW_PX if widths else None,
    )
    said = "final and best: on the validation data"
    st.caption(f"{said} · {note}" if note else said)


REFERENCE_HELP = (
    "The activation the others are compared with in the “vs” column: each one's final "
    "validation accuracy (regression: MAE) minus this one's, paired by seed, with a paired "
    "t-test and Holm's correction across the activations."
)


def reference_choices(shown: Sequence[Shown]) -> list[str]:
    """The activations every view has, in the order first chosen; none when a view has only
    one activation (nothing to compare within it)."""
    names = [list(view.chosen.by_activation()) for view in shown]
    if not names or any(len(n) < 2 for n in names):
        return []
    return [n for n in names[0] if all(n in other for other in names[1:])]


def reference_ui(shown: Sequence[Shown], key: str, where=None) -> str | None:
    """The reference the other activations are compared with (default: the first chosen), in
    `where` (a column or container; the page's flow by default); None with nothing to pick."""
    choices = reference_choices(shown)
    if not choices:
        return None
    if st.session_state.get(key) not in choices:  # another run, without the one picked before
        st.session_state.pop(key, None)
    return (where or st).selectbox("Differences vs", choices, key=key, help=REFERENCE_HELP)


def results_section_ui(
    shown: Sequence[Shown],
    colours: dict,
    key: str | None,
    target: float | None = None,
    run_ids: Sequence[int] | None = None,
) -> str | None:
    """The results table of one comparison or several overlaid (`run_ids` says whose each row
    is), and each activation against a reference: its column in the table, what it means
    under the table, beside the picker for it (widget `key`). Without a key (the live view) the
    table alone. Returns the reference."""
    table_area = st.container()
    reference = None
    if key is not None:
        note_col, pick_col = st.columns([6, 1])
        reference = reference_ui(shown, key, pick_col)
    tables = [results_table(view, target, reference) for view in shown]
    if run_ids:  # overlaid: each row says whose it is
        tables = [
            t.assign(run=run_id).set_index("run", append=True).swaplevel()
            for run_id, t in zip(run_ids, tables, strict=True)
        ]
    # The p-values are said in the note: at 1280 px the table has room for the differences
    # with their intervals and verdicts, not for another column (the HTML report keeps it).
    combined = pd.concat(tables).drop(columns=["p (Holm)", "p"], errors="ignore")
    if target is None:
        combined = combined.drop(columns=[c for c in combined.columns if c.startswith("epochs to")])
    with table_area:
        results_ui(combined, colours)
    notes = []
    for i, view in enumerate(shown):
        result = compared(view, reference)
        if result is not None:
            whose = f"Run {run_ids[i]} " if run_ids else ""
            notes.append(whose + differences_note(result))
    if notes:
        note_col.caption("  \n".join(notes))
    return reference


def file_stem(comparison) -> str:
    cfg = comparison.config
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{cfg.dataset}-{'-'.join(cfg.activations[:5])}")


def export_panel(
    shown: Shown,
    colours: dict,
    catalogue,
    key: str,
    options: dict | None = None,
    training=None,
) -> None:
    """Download buttons: the share image, CSV, JSON, PNGs, HTML report, plain-Keras script, and
    the trained .keras model when the live `training` (core.train.training.Training) is given.
    `colours` is the view's (ui.palette.styles_here).

    Files are made when their button is clicked (callables), not on every rerun of the page."""
    comparison = shown.record
    options = dict(options or {})
    target = options.pop("target", None)
    reference = options.pop("reference", None)
    stem = file_stem(comparison)
    figures = comparison_figures(shown, colours, options)
    table = results_table(shown, target, reference)
    result = compared(shown, reference)
    notes = [differences_note(result)] if result is not None else []
    report_title = f"Activation comparison — {setup_label(comparison)}"
    if chromium_path() is not None:
        theme = page_theme()

        def share_image() -> bytes:  # on the click, in a server thread (no st.* shows there)
            fig = share_figure(
                [shown], colours, options, theme=theme, target=target, reference=reference
            )
            return share_png(fig.to_json())

        download_button(
            st,
            "Share image (PNG)",
            share_image,
            f"{stem}-share.png",
            "image/png",
            key=f"{key}.share",
            on_click="ignore",
            icon=":material/share:",
            help="One picture of the whole comparison for a chat or a slide: title, "
            "configuration, both charts as shown here, the results, at 2× in this theme.",
        )
    cols = st.columns(6)
    download_button(
        cols[0],
        "History CSV",
        lambda: exports.history_csv(comparison),
        f"{stem}.csv",
        "text/csv",
        key=f"{key}.csv",
        on_click="ignore",
        width="stretch",
    )
    download_button(
        cols[1],
        "History JSON",
        lambda: exports.history_json(comparison, versions()),
        f"{stem}.json",
        "application/json",
        key=f"{key}.json",
        on_click="ignore",
        width="stretch",
    )
    download_button(
        cols[2],
        "HTML report",
        lambda: exports.html_report(
            comparison,
            figures
            + sweep_figures(shown, colours)
            + learned_figures(shown, colours)
            + inside_figures(shown, colours),
            table,
            report_title,
            versions(),
            notes,
        ),
        f"{stem}-report.html",
        "text/html",
        key=f"{key}.html",
        on_click="ignore",
        width="stretch",
    )
    if chromium_path() is None:
        cols[3].caption(
            "PNG download needs Chromium on the server (apt-get install chromium); each chart's "
            "camera "
            "button saves a PNG in the browser."
        )
    else:
        # "(2×)" is in the help: in a sixth of the page "Accuracy PNG (2×)" was cut.
        download_button(
            cols[3],
            "Loss PNG",
            lambda: exports.chart_png(figures[0]),
            f"loss-{stem}.png",
            "image/png",
            key=f"{key}.png_loss",
            on_click="ignore",
            width="stretch",
            help=PNG_HELP,
        )
        metric = "accuracy" if comparison.metric_name == "accuracy" else "mae"
        download_button(
            cols[4],
            f"{'MAE' if metric == 'mae' else 'Accuracy'} PNG",
            lambda: exports.chart_png(figures[1]),
            f"{metric}-{stem}.png",
            "image/png",
            key=f"{key}.png_metric",
            on_click="ignore",
            width="stretch",
            help=PNG_HELP,
        )
    try:
        script = reproduce_script(comparison, catalogue)
    except (ValueError, KeyError) as exc:
        cols[5].caption(f"No script: {exc}")
    else:
        cols[5].download_button(
            "Keras script",
            script,
            f"reproduce-{stem}.py",
            "text/x-python",
            key=f"{key}.script",
            on_click="ignore",
            width="stretch",
        )
    if training is not None:
        _model_download(training, stem, key)


def _model_download(training, stem: str, key: str) -> None:
    """A .keras file of one trained network (only while its weights are in memory) and, for an
    activation that is not Keras's own, the generated .py it loads with."""
    branches = training.record.branches
    networks = [(b.activation, b.seed, b.learning_rate) for b in branches if b.status != "diverged"]
    if not networks:
        return
    sweep = is_sweep(training.record)
    pick_col, button_col, objects_col, note_col = st.columns([2, 1, 1, 2])
    name, seed, rate = pick_col.selectbox(
        "Trained model to download",
        networks,
        key=f"{key}.model_pick",
        format_func=lambda n: f"{n[0]} · seed {n[1]}" + (f" · lr {n[2]:g}" if sweep else ""),
    )
    lr = f"-lr{rate:g}" if sweep else ""
    model_file = f"{stem}-{name}-seed{seed}{lr}.keras"
    download_button(
        button_col,
        ".keras model",
        lambda: portable.keras_file(training.keras_model(name, seed, rate)),
        model_file,
        "application/octet-stream",
        key=f"{key}.keras",
        on_click="ignore",
        width="stretch",
    )
    branch = training.branch(name, seed, rate)
    try:
        objects = portable.custom_objects_file(branch.act, branch.params, branch.learn, model_file)
    except ValueError as exc:  # a user file's text that was never read: say what to do
        note_col.caption(
            f"The .keras file names {name}'s layer, but its generated file cannot be made ({exc}): "
            "restart the app so that user_activations/ is read again, then train once more."
        )
        return
    if objects is None:
        note_col.caption(
            "Plain Keras loads it as it is, `keras.saving.load_model(path)`: its activation "
            "is one of Keras's own layers, nothing of this app is needed."
        )
        return
    module = codegen.objects_module_name(branch.act)
    objects_col.download_button(
        "custom_objects (.py)",
        objects,
        f"{module}.py",
        "text/x-python",
        key=f"{key}.objects",
        on_click="ignore",
        width="stretch",
        help=f"{name} is not one of Keras's own activations: this file defines it for Keras"
        + (
            f" (it holds your user_activations/{branch.act.origin} as it is now)."
            if branch.act.source == "user file"
            else "."
        ),
    )
    note_col.caption(
        f"Loads in plain Keras with `{module}.py` beside it: `from {module} import "
        "custom_objects`, then `keras.saving.load_model(path, custom_objects=custom_objects)` "
        "(the README's *Loading a downloaded model*)."
    )
