"""One image of a whole comparison, to paste in a chat or a slide: title, configuration line,
loss and accuracy side by side (the screen's colours, smoothing and log scale), the results
table, the app's name and the date. One Plotly figure; kaleido renders it at 2×.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from charts.figures import FONT, training_chart
from charts.palette import CHART_BACKGROUND, Style, theme_or_light
from charts.tables import compared, difference_text, mean_text, p_text, results_table
from core.train.rates import Shown

APP_NAME = "Activation Explorer"
DATASET_SHORT = {
    "mnist": "MNIST",
    "random": "random regression",
    "friedman": "Friedman #1",
    "mnist1d": "MNIST-1D",
    "pytext": "Python source (characters)",
}

# Logical size; the PNG is twice that. Shown at chat or slide size (about 800 px wide) the
# smallest text (16 px here) is still about 11 px on screen.
WIDTH = 1200
CHART_HEIGHT = 430
ROW_HEIGHT = 34
HEADER_HEIGHT = 58  # two lines: "final val accuracy" wraps

# Text, grid and table colours around the palette's chart background, per theme (Streamlit's own).
THEME_INK = {
    "light": dict(text="#31333f", muted="#6b6f7b", grid="#e6e9ef", header="#f0f2f6"),
    "dark": dict(text="#edebe8", muted="#a8a49d", grid="#3a3834", header="#2d2b27"),
}
# The share image's table: the figures people quote; time and parameters go in the config line.
LEFT_OUT = ("s/epoch (all)", "parameters", "status")
# Learned parameters under the table: the first layers only, so a line fits across the image.
LEARNED_LAYERS = 4
LEARNED_HEADING = (
    "<b>Learned activation parameters</b> after the last epoch, mean over seeds "
    "(one per unit: mean ± std over units)"
)


def setup_label(comparison) -> str:
    """What was trained, for titles: 'MNIST, MLP 1×128, adam 0.001'."""
    cfg = comparison.config
    playground = getattr(comparison, "playground", None)
    if playground is not None:  # its layers differ in width: Train's "MLP d×w" would not say them
        layers = "-".join(map(str, playground["layers"])) or "no hidden layer"
        return f"Playground {playground['dataset']}, layers {layers}, sgd {rate_label(cfg)}"
    data = DATASET_SHORT.get(cfg.dataset, cfg.dataset)
    return f"{data}, {cfg.model_label}, {cfg.optimizer} {rate_label(cfg)}"


def rate_label(cfg) -> str:
    """'0.001', or a sweep's range: 'lr sweep 0.0001–0.01 (5 rates), best per activation'."""
    if not cfg.learning_rates:
        return f"{cfg.learning_rate:g}"
    low, high, n = min(cfg.learning_rates), max(cfg.learning_rates), len(cfg.learning_rates)
    return f"lr sweep {low:g}–{high:g} ({n} rates), best per activation"


def quantity_label(comparison, key: str) -> str:
    """'Loss', 'Accuracy' or 'MAE': what the chart of `key` ("loss" or "metric") shows."""
    if key == "loss":
        return "Loss"
    return "Accuracy" if comparison.metric_name == "accuracy" else "MAE"


def config_line(comparison, data_break: str = " · ") -> str:
    """Dataset and source, model, optimiser and learning rate, epochs, seeds, batch size;
    `data_break` goes between the dataset and the rest ("<br>" breaks the line there)."""
    cfg = comparison.config
    seeds = f"{cfg.seeds} seed{'s' * (cfg.seeds != 1)}"
    epochs = f"{comparison.epochs_done} epochs"
    if comparison.epochs_done != cfg.epochs:
        epochs = f"{comparison.epochs_done} of {cfg.epochs} epochs ({comparison.status})"
    return (
        f"{comparison.dataset_source}{data_break}{cfg.model_label}, "
        f"{comparison.parameters:,} parameters · {cfg.optimizer}, learning rate "
        f"{rate_label(cfg)} · batch {cfg.batch_size} · {epochs} · {seeds}"
    )


def formulas_text(shown: Sequence[Shown], width: int = 110) -> str:
    """What each custom of the image computes ("<br>my_sin = tf.math.sin(x) · …"), one line,
    or one line each when they do not fit: a name alone says nothing to whoever reads it."""
    formulas: dict[str, str] = {}
    for view in shown:
        formulas.update(view.record.formulas())
    parts = [f"{name} = {expression}" for name, expression in formulas.items()]
    if not parts:
        return ""
    joined = " · ".join(parts)
    return "<br>" + (joined if len(joined) <= width else "<br>".join(parts))


def share_title(shown: Sequence[Shown]) -> str:
    names = dict.fromkeys(n for view in shown for n in view.record.config.activations)
    return f"{', '.join(names)} — {setup_label(shown[0].record)}"


def share_table(
    shown: Sequence[Shown], target: float | None = None, run_labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """The results table of each comparison, one row per activation (and run)."""
    frames = []
    for i, view in enumerate(shown):
        frame = results_table(view, target).drop(columns=list(LEFT_OUT))
        if target is None:
            frame = frame.drop(columns=[c for c in frame.columns if c.startswith("epochs to")])
        if run_labels:
            frame.index = [f"{name} · {run_labels[i]}" for name in frame.index]
        frame.index.name = "activation"
        frames.append(frame)
    return pd.concat(frames)


def learned_lines(shown: Shown) -> list[tuple[str, str]]:
    """(activation, text) per learned parameter: its start, then its final value per layer as
    the record has it (mean over units, their std), the mean over seeds; a sweep at each
    activation's best rate."""
    out = []
    for name, seeds in shown.chosen.by_activation().items():
        learn = shown.record.config.learn_for(name)
        for param in seeds[0].learned:
            finals = [b.learned[param][-1] for b in seeds if b.learned.get(param)]
            if not finals:
                continue
            start = seeds[0].learned[param][0][0][0]
            layers = []
            for layer in range(min(LEARNED_LAYERS, len(finals[0]))):
                mean = sum(f[layer][0] for f in finals) / len(finals)
                std = sum(f[layer][1] for f in finals) / len(finals)
                spread = f" ± {std:.3g}" if learn.get(param) == "unit" else ""
                layers.append(f"layer {layer + 1}: {mean:.3g}{spread}")
            if len(finals[0]) > LEARNED_LAYERS:
                layers.append(f"… ({len(finals[0])} layers)")
            kind = "per unit" if learn.get(param) == "unit" else "per layer"
            out.append((name, f"{param} ({kind}, from {start:.3g}) → " + ", ".join(layers)))
    return out


def verdict_lines(
    shown: Shown, reference: str | None, label: str | None = None
) -> list[tuple[str | None, str]]:
    """The differences from `reference` under the table, as (activation, text) lines: first a
    heading (activation None) that names the test, or says that one seed gives no verdict and
    what the seed counts assume, then one line per activation. `label` names the run when
    several are overlaid. Empty when there is nothing to compare."""
    result = compared(shown, reference)
    if result is None:
        return []
    ref = f"{label}, " * bool(label) + f"<b>vs {result.reference}</b>"
    lines: list[tuple[str | None, str]] = []
    if result.assumed_spread is not None:
        scale, unit = (100, " pts") if result.metric == "accuracy" else (1, "")
        spread = f"{result.assumed_spread * scale:.2g}{unit}"
        lines.append((None, f"{ref}: no verdict with 1 seed (it takes 2 or more, paired by seed)."))
        lines.append(
            (None, f"Seeds for 80 % power if per-seed differences spread by {spread} (assumed):")
        )
        for row in result.rows:
            needed = row.seeds_needed
            count = f"{needed} seeds" if needed else "more than 1,000 seeds" if row.mean else ""
            text = mean_text(row, result.metric)
            lines.append((row.activation, f"{text} · {count}" if count else text))
        return lines
    lines.append((None, f"{ref}: {result.test}; intervals at Holm's levels (≥ 95 %)."))
    for row in result.rows:
        text = difference_text(row, result.metric)
        if row.tested:
            text += f" · p {p_text(row.p_holm)}"
        lines.append((row.activation, text))
    return lines


def _swatch(colours: Mapping[str, Style | str], activation: str, ink) -> str:
    """The activation's colour in this view (the text colour when it has none)."""
    value = colours.get(activation)
    return value.colour if isinstance(value, Style) else value or ink["text"]


def _legend_rows(names: Sequence[str], font_size: int) -> int:
    """How many rows a horizontal legend of `names` takes across the image (an estimate)."""
    rows, used = 1, 0.0
    for name in names:
        width = 0.65 * font_size * len(name) + 75  # text, line sample and gap, generously
        if used + width > WIDTH - 60 and used:
            rows, used = rows + 1, 0.0
        used += width
    return rows


def share_figure(
    shown: Sequence[Shown],
    colours: Mapping[str, Style | str],
    options: Mapping | None = None,
    *,
    theme: str | None = "light",
    target: float | None = None,
    run_labels: Sequence[str] | None = None,
    date: str | None = None,
    reference: str | None = None,
) -> go.Figure:
    """The whole comparison as one figure, WIDTH wide and as tall as its table needs.

    `colours` and `options` (log_y, smoothing, x_axis) are the screen's, so the image shows what
    the page shows; `theme` ("light"/"dark") sets its background to the palette's. Each of
    `shown` is one comparison as the page selected it (a sweep: each activation at its best
    rate). With a `reference`, each activation's difference from it, and its verdict, under
    the table (`verdict_lines`)."""
    theme = theme_or_light(theme)
    ink = THEME_INK[theme]
    options = dict(options or {})
    first = shown[0].record
    charts = [
        training_chart(shown, colours, key, run_labels=run_labels, **options)
        for key in ("loss", "metric")
    ]
    table = share_table(shown, target, run_labels)
    # The footer says which dash is train and which validation: the legend is the activations.
    for chart in charts:
        chart.data = [t for t in chart.data if t.legendgroup != "_style"]
    legend_names = [t.name for t in charts[0].data if t.showlegend is not False]

    # Layout from the top, in logical pixels. The config line breaks before the model when it
    # would not fit on one line (an annotation does not wrap by itself).
    setup = config_line(first)
    if len(setup) > 110:
        setup = config_line(first, "<br>")
    setup += formulas_text(shown)
    legend_font = 17
    legend_top = 62 + 26 * (setup.count("<br>") + 1) + 30
    legend_height = 30 * _legend_rows(legend_names, legend_font)
    chart_top = legend_top + legend_height + 44  # room for the chart titles
    chart_bottom = chart_top + CHART_HEIGHT
    table_top = chart_bottom + 70  # x-axis ticks and title
    table_height = HEADER_HEIGHT + ROW_HEIGHT * len(table) + 4
    verdicts = [
        (name, text, run_labels[i] if run_labels else None)
        for i, view in enumerate(shown)
        for name, text in verdict_lines(view, reference, run_labels[i] if run_labels else None)
    ]
    verdicts_top = table_top + table_height + 24
    verdicts_height = 23 * len(verdicts) + 8 if verdicts else 0
    learned = [
        (name, text, run_labels[i] if run_labels else None)
        for i, view in enumerate(shown)
        for name, text in learned_lines(view)
    ]
    learned_top = verdicts_top + verdicts_height + 16 if verdicts else verdicts_top
    learned_height = 23 * (len(learned) + 1) + 8 if learned else 0  # 16 px text, <br> lines
    height = learned_top + learned_height + 56

    def y(px: float) -> float:
        return 1 - px / height

    fig = go.Figure()
    for column, chart in enumerate(charts, start=1):
        axis = "" if column == 1 else str(column)
        for trace in chart.data:
            trace.update(xaxis=f"x{axis}", yaxis=f"y{axis}")
            if column == 2:  # one legend for both charts
                trace.showlegend = False
            fig.add_trace(trace)
        for note in chart.layout.annotations:  # "diverged" notes, placed on their chart
            fig.add_annotation(note.update(xref=f"x{axis}", yref=f"y{axis} domain"))
        domain = [0.0, 0.47] if column == 1 else [0.53, 1.0]
        fig.layout[f"xaxis{axis}"] = chart.layout.xaxis.update(
            domain=domain, anchor=f"y{axis}", title_standoff=6
        )
        fig.layout[f"yaxis{axis}"] = chart.layout.yaxis.update(
            domain=[y(chart_bottom), y(chart_top)], anchor=f"x{axis}"
        )
        fig.add_annotation(
            text=f"<b>{quantity_label(first, 'loss' if column == 1 else 'metric')}</b>",
            x=domain[0],
            y=y(chart_top - 10),
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=21, color=ink["text"]),
        )
    fig.update_xaxes(gridcolor=ink["grid"], zerolinecolor=ink["grid"], linecolor=ink["grid"])
    fig.update_yaxes(gridcolor=ink["grid"], zerolinecolor=ink["grid"], linecolor=ink["grid"])
    fig.update_xaxes(tickfont=dict(size=16), title_font=dict(size=17))
    fig.update_yaxes(tickfont=dict(size=16), title_font=dict(size=17))

    # The table; each activation's name in its colour, after a swatch in that colour.
    names = list(table.index)
    swatch_colours = [_swatch(colours, name.split(" · ")[0], ink) for name in names]
    cells = [[f"<b>━━ {n}</b>" for n in names]] + [table[c].tolist() for c in table.columns]
    cell_font = [swatch_colours] + [ink["text"]] * len(table.columns)
    fig.add_trace(
        go.Table(
            domain=dict(x=[0, 1], y=[y(table_top + table_height), y(table_top)]),
            columnwidth=[1.5] + [1.0] * len(table.columns),
            header=dict(
                values=[f"<b>{c}</b>" for c in ["activation", *table.columns]],
                fill_color=ink["header"],
                line_color=ink["grid"],
                font=dict(size=16, color=ink["text"]),
                align="left",
                height=HEADER_HEIGHT,
            ),
            cells=dict(
                values=cells,
                fill_color=CHART_BACKGROUND[theme],
                line_color=ink["grid"],
                font=dict(size=16, color=cell_font),
                align="left",
                height=ROW_HEIGHT,
            ),
        )
    )

    if verdicts:
        lines = []
        for name, text, label in verdicts:
            if name is None:  # a heading: the test, or why there is no verdict
                lines.append(text)
                continue
            who = f"{name} · {label}" if label else name
            colour = _swatch(colours, name, ink)
            lines.append(f"<span style='color:{colour}'><b>━━ {who}</b></span>  {text}")
        _left_text(fig, "<br>".join(lines), y(verdicts_top), 16, ink["text"])

    if learned:
        lines = [LEARNED_HEADING]
        for name, text, label in learned:
            who = f"{name} · {label}" if label else name
            colour = _swatch(colours, name, ink)
            lines.append(f"<span style='color:{colour}'><b>━━ {who}</b></span>  {text}")
        _left_text(fig, "<br>".join(lines), y(learned_top), 16, ink["text"])

    footer = (
        f"<b>{APP_NAME}</b> · {date or time.strftime('%Y-%m-%d')} · solid = train, "
        f"dashed = validation"
        + (", band = ± 1 std over seeds" if first.config.seeds > 1 else "")
        + (f" · smoothing {options['smoothing']:g}" if options.get("smoothing") else "")
    )
    texts = [
        (share_title(shown), 16, 28, "text"),
        (setup, 62, 18, "muted"),
        (footer, height - 40, 16, "muted"),
    ]
    for text, top, size, colour in texts:
        _left_text(fig, text, y(top), size, ink[colour])
    fig.update_layout(
        template="plotly_dark" if theme == "dark" else "plotly_white",
        font=dict(FONT, size=16, color=ink["text"]),
        paper_bgcolor=CHART_BACKGROUND[theme],
        plot_bgcolor=CHART_BACKGROUND[theme],
        width=WIDTH,
        height=height,
        margin=dict(l=28, r=28, t=0, b=0),
        hovermode="x unified",
        legend=dict(
            orientation="h",
            x=0,
            y=y(legend_top),
            xanchor="left",
            yanchor="top",
            font=dict(size=legend_font, color=ink["text"]),
            bgcolor="rgba(0,0,0,0)",
        ),
    )
    return fig


def _left_text(fig: go.Figure, text: str, top: float, size: int, colour: str) -> None:
    """A block of text at the image's left edge, its top at `top` (paper coordinates)."""
    fig.add_annotation(
        text=text,
        x=0,
        y=top,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font=dict(size=size, color=colour),
    )
