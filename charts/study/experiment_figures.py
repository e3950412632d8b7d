"""The Experiments page's charts and number tables: an experiment's measured numbers (plain data,
as core/study/experiments.py returns them) in, `go.Figure` or DataFrame out. No streamlit."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout, _hex_to_rgba
from charts.palette import Style, as_style, theme_or_light
from charts.study import trainable_figures
from core.study import experiments as ex
from core.study.experiments import dying_relu, search_swish, selu
from core.study.experiments import edge_of_chaos as eoc
from core.study.experiments import glorot_bengio as glorot

# Widths and layers are ordered quantities, not categories: one sequential scale (light to dark
# blue, then near-black), so "narrower" reads as "lighter" on every chart.
SEQUENTIAL = {
    "light": ("#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b", "#252525"),
    # On the dark background the ramp runs the other way, so the widest stays the most visible.
    "dark": ("#3182bd", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef", "#deebf7", "#f7fbff"),
}
# Layers of one network (Glorot's first panel): greys, so no layer looks like an activation of
# the view (whose colours the other panels use).
GREYS = {
    "light": ("#bdbdbd", "#969696", "#636363", "#252525"),
    "dark": ("#636363", "#969696", "#bdbdbd", "#f0f0f0"),
}


def _ramp(n: int, theme: str, ramps=SEQUENTIAL) -> list[str]:
    ramp = ramps[theme_or_light(theme)]
    picks = np.linspace(0, len(ramp) - 1, n).round().astype(int)
    return [ramp[i] for i in picks]


def _line(fig, x, y, name, style: Style | str, row=1, col=1, legend=True, dash=None, group=None):
    s = as_style(style)
    grid = dict(row=row, col=col) if fig._has_subplots() else {}
    fig.add_trace(
        go.Scatter(
            x=list(x),
            y=[None if v is None or not np.isfinite(v) else v for v in y],
            name=name,
            mode="lines+markers" if len(list(x)) <= 30 else "lines",
            line=dict(color=s.colour, dash=dash or s.dash, width=2),
            marker=dict(symbol=s.symbol, size=6),
            showlegend=legend,
            legendgroup=group or name,
        ),
        **grid,
    )


def figure(
    experiment_id: str,
    measured: dict,
    colours: Mapping[str, Style | str],
    theme: str | None = "light",
) -> go.Figure:
    """The experiment's chart; `colours` maps activation names to the view's styles, `theme`
    picks the ramps for widths and layers."""
    if experiment_id in trainable_figures.IDS:
        return trainable_figures.figure(experiment_id, measured, colours, theme)
    builders = {
        "schoenholz-2017-edge-of-chaos": _edge_of_chaos,
        "glorot-bengio-2010": _glorot,
        "dying-relu": _dying,
        "klambauer-2017-selu": _selu,
        "misra-2019-mish": _mish,
        "tutorial-random-regression": _tutorial,
        "ramachandran-2017-search": _search,
    }
    return builders[experiment_id](measured, colours, theme)


def activations_of(experiment_id: str, measured: dict) -> list[str]:
    """The activations a chart shows, in order (they get the view's colours)."""
    if experiment_id in trainable_figures.IDS:
        return trainable_figures.activations_of(experiment_id, measured)
    if experiment_id in ("glorot-bengio-2010",):
        return list(measured["activations"])
    if experiment_id == "klambauer-2017-selu":
        return list(measured["activations"])
    if experiment_id == "misra-2019-mish":
        return list(measured["accuracy"])
    if experiment_id == "dying-relu":
        return ["relu"]
    if experiment_id == "schoenholz-2017-edge-of-chaos":
        return ["tanh"]
    if experiment_id == "ramachandran-2017-search":
        return ["relu", "silu"]
    return ["elu_like"]


GLOROT_ROWS = (
    ("activations", "standard init U(±1/√n), judged"),
    ("glorot_init", "Glorot uniform init, shown"),
)


def _glorot(m: dict, colours, theme) -> go.Figure:
    rows = [(key, label) for key, label in GLOROT_ROWS if key in m]
    titles = []
    for _, label in rows:
        titles += [
            f"{label}<br>sigmoid: median per hidden layer",
            "Top hidden layer: median, 5–95 %",
            "Validation accuracy",
        ]
    fig = make_subplots(
        rows=len(rows),
        cols=3,
        subplot_titles=titles,
        horizontal_spacing=0.07,
        vertical_spacing=0.2,
    )
    top = m["layers"] - 1
    for row, (key, _) in enumerate(rows, start=1):
        acts = m[key]
        sigmoid = np.asarray(acts["sigmoid"]["quantiles"], float)  # epoch × layer × 5
        epochs = list(range(sigmoid.shape[0]))
        for layer, colour in enumerate(_ramp(m["layers"], theme, GREYS)):
            name = f"sigmoid layer {layer + 1}"
            _line(fig, epochs, sigmoid[:, layer, 2], name, colour, row=row, legend=row == 1)
        for name, data in acts.items():
            q = np.asarray(data["quantiles"], float)
            style = as_style(colours.get(name))
            _band(fig, epochs, q[:, top, 0], q[:, top, 4], style.colour, row=row, col=2)
            _line(fig, epochs, q[:, top, 2], name, style, row=row, col=2, legend=row == 1)
            accuracy = data["val_accuracy"]
            epochs_run = range(1, len(accuracy) + 1)
            _line(fig, epochs_run, accuracy, name, style, row=row, col=3, legend=False)
        fig.add_hline(
            y=glorot.SATURATED_MEDIAN,
            line=dict(dash="dot", color="#888"),
            annotation_text="criterion: ≤ 0.1" if row == 1 else "",
            annotation_position="top right",
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text="activation", row=row, col=1)
        fig.update_yaxes(title_text="accuracy", row=row, col=3)
    for col in (1, 2, 3):
        fig.update_xaxes(
            title_text="epoch (0 = initialisation)" if col < 3 else "epoch",
            row=len(rows),
            col=col,
        )
    _base_layout(fig, height=380 * len(rows) + 80)
    fig.update_layout(margin=dict(t=70))  # room for the first row's two-line panel titles
    return _below(fig)


def _below(fig: go.Figure) -> go.Figure:
    """The legend under the panels: above them it covers the panel titles."""
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
        margin=dict(b=110),
    )
    return fig


def _band(fig, x, low, high, colour: str, row=1, col=1) -> None:
    rgba = _hex_to_rgba(colour, 0.15)
    xs = list(x) + list(x)[::-1]
    ys = list(high) + list(low)[::-1]
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, fill="toself", fillcolor=rgba, line=dict(width=0), hoverinfo="skip",
            showlegend=False,
        ),
        row=row,
        col=col,
    )  # fmt: skip


def _dying(m: dict, colours, theme) -> go.Figure:
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            "Mean share of dead units, per layer",
            "Networks born dead (a layer wholly dead) by layer l",
        ),
        horizontal_spacing=0.08,
    )
    widths = [str(w) for w in m["widths"]]
    for width, colour in zip(widths, _ramp(len(widths), theme), strict=True):
        layers = range(1, len(m["dead"][width]) + 1)
        _line(fig, layers, m["dead"][width], f"width {width}", colour, col=1, group=width)
        born = m["born_dead"][width]
        _line(fig, layers, born, f"width {width}", colour, col=2, legend=False, group=width)
    fig.update_xaxes(title_text="layer (depth)")
    fig.update_yaxes(range=[0, 1.02])
    return _below(_base_layout(fig, height=430))


def _selu(m: dict, colours, theme) -> go.Figure:
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Mean of the activations", "Variance of the activations (log)"),
        horizontal_spacing=0.08,
    )
    for name in m["activations"]:
        layers = range(1, len(m["mean"][name]) + 1)
        style = colours.get(name)
        _line(fig, layers, m["mean"][name], name, style, col=1, group=name)
        variance = [v if v and v > 0 else None for v in m["variance"][name]]
        _line(fig, layers, variance, name, style, col=2, legend=False, group=name)
    band = dict(fillcolor="rgba(120,120,120,0.15)", line_width=0)
    fig.add_hrect(y0=-selu.MEAN_BAND, y1=selu.MEAN_BAND, row=1, col=1, **band)
    low, high = np.log10(1 - selu.VARIANCE_BAND), np.log10(1 + selu.VARIANCE_BAND)
    fig.add_hrect(y0=10**low, y1=10**high, row=1, col=2, **band)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_xaxes(title_text="layer")
    return _below(_base_layout(fig, height=430))


def _mish(m: dict, colours, theme) -> go.Figure:
    fig = go.Figure()
    for name, accuracy in m["accuracy"].items():
        _line(fig, m["depths"], accuracy, name, colours.get(name))
    fig.update_xaxes(title_text="hidden layers", tickvals=m["depths"])
    fig.update_yaxes(title_text="validation accuracy (mean over seeds)")
    return _base_layout(fig, title="Validation accuracy against depth", height=380)


def _edge_of_chaos(m: dict, colours, theme) -> go.Figure:
    """Training accuracy over σ_w² × depth (cells evenly spaced, labelled with their values) with
    the predicted trainable depth 6 ξ_c, and 12 ξ_c, drawn over it. The lines are placed on the
    cell axes by interpolating log σ_w² and log depth between the cells' values."""
    sigma, depths = list(m["sigma_w2"]), list(m["depths"])
    cells = np.asarray(m["accuracy"], float)  # σ_w² × depth × seed
    mean, std = np.nanmean(cells, axis=2), np.nanstd(cells, axis=2, ddof=1)
    text = [[f"{mean[i, j]:.2f}<br>± {std[i, j]:.2f}" for i in range(len(sigma))]
            for j in range(len(depths))]  # fmt: skip
    fig = go.Figure(
        go.Heatmap(
            z=mean.T,  # rows: depths, columns: σ_w²
            x=list(range(len(sigma))),
            y=list(range(len(depths))),
            zmin=0.0,
            zmax=1.0,
            colorscale="Viridis",
            text=text,
            texttemplate="%{text}",
            colorbar=dict(title="training<br>accuracy"),
            hovertemplate="σ_w² %{customdata[0]:g}, depth %{customdata[1]}<br>"
            "accuracy %{z:.3f}<extra></extra>",
            customdata=[[[s, d] for s in sigma] for d in depths],
            name="accuracy",
            showscale=True,
        )
    )
    curve_sigma = np.asarray(m["curve"]["sigma_w2"], float)
    curve_xi = np.asarray(m["curve"]["xi_c"], float)
    x = np.interp(np.log(curve_sigma), np.log(sigma), np.arange(len(sigma)))
    top = len(depths) - 0.5
    for factor, dash, label in ((1, "solid", "6 ξ_c (predicted trainable depth)"),
                                (eoc.EOC_BEYOND, "dash", "12 ξ_c (well beyond)")):  # fmt: skip
        depth = eoc.TRAINABLE_XI * factor * curve_xi
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.interp(np.log(depth), np.log(depths), np.arange(len(depths)), right=np.inf)
        drawn = y.astype(object)
        drawn[~(np.isfinite(y) & (y <= top))] = None  # above the grid: not drawn
        fig.add_trace(
            go.Scatter(
                x=x, y=drawn, mode="lines", name=label,
                line=dict(color="#d62728", width=3, dash=dash),
                hoverinfo="skip", connectgaps=False,
            )
        )  # fmt: skip
    fig.update_xaxes(
        title_text=f"σ_w² (σ_b² = {m['sigma_b2']:g})",
        tickvals=list(range(len(sigma))),
        ticktext=[f"{s:g}" for s in sigma],
        range=[-0.5, len(sigma) - 0.5],
    )
    fig.update_yaxes(
        title_text="hidden layers",
        tickvals=list(range(len(depths))),
        ticktext=[str(d) for d in depths],
        range=[-0.5, top],
    )
    title = "Training accuracy (last epoch, mean ± std over seeds) with 6 ξ_c"
    return _below(_base_layout(fig, title=title, height=480))


def _tutorial(m: dict, colours, theme) -> go.Figure:
    fig = go.Figure()
    style = colours.get("elu_like")
    epochs = range(1, len(m["val_mse"]) + 1)
    _line(fig, epochs, m["train_mse"], "elu_like train MSE", style, dash="solid")
    _line(fig, epochs, m["val_mse"], "elu_like validation MSE", style, dash="dash")
    fig.add_hline(
        y=m["var_y"], line=dict(dash="dot", color="#888"), annotation_text="Var(y) = 1/12"
    )
    fig.add_hline(
        y=m["mean_baseline"],
        line=dict(dash="dashdot", color="#555"),
        annotation_text="predicting the mean of y",
        annotation_position="bottom right",
    )
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="MSE")
    return _base_layout(fig, title="MSE per epoch (mean over seeds)", height=380)


SWISH_FLOOR = 1e-3


def _search(m: dict, colours, theme) -> go.Figure:
    """Each search's top 10: score against distance from the Swish family, the criterion's
    distance as a vertical line and the searches' relu and silu as horizontal ones."""
    fig = go.Figure()
    ramp = _ramp(len(m["searches"]) + 4, theme)[2:]
    symbols = ("circle", "square", "diamond", "triangle-up", "cross")
    for i, search in enumerate(m["searches"]):
        top = search["top"]
        fig.add_trace(
            go.Scatter(
                # A log axis has no 0: Swish itself (distance 0) is drawn at SWISH_FLOOR.
                x=[min(max(t["swish_distance"], SWISH_FLOOR), 10.0) for t in top],
                y=[t["score"] for t in top],
                mode="markers+text",
                text=[str(t["rank"]) for t in top],
                textposition="top center",
                marker=dict(size=9, color=ramp[i], symbol=symbols[i % len(symbols)]),
                name=f"search seed {search['seed']}",
                hovertext=[t["expression"] for t in top],
            )
        )
    for name in ("relu", "silu"):
        values = [s["baselines"][name] for s in m["searches"] if name in s["baselines"]]
        if values:
            style = as_style(colours.get(name, "#888888"))
            fig.add_hline(
                y=float(np.mean(values)),
                line=dict(color=style.colour, dash="dot", width=1.5),
                annotation_text=f"{name} (mean of the searches)",
                annotation_position="bottom right",
            )
    fig.add_vline(x=search_swish.SWISH_NEAR, line=dict(color="#555555", dash="dash", width=1))
    fig.update_xaxes(
        title_text="RMS distance from x·σ(βx), best β on [−4, 4] "
        f"(log; 0 drawn at {SWISH_FLOOR:g})",
        type="log",
    )
    fig.update_yaxes(title_text="score: validation accuracy, mean over seeds")
    return _base_layout(fig, title="Each search's top 10 (numbers: rank)", height=420)


def numbers(experiment_id: str, measured: dict) -> pd.DataFrame:
    """The numbers the verdict reads, as a table."""
    m = measured
    if experiment_id in trainable_figures.IDS:
        return trainable_figures.numbers(experiment_id, measured)
    if experiment_id == "ramachandran-2017-search":
        rows = [
            {
                "search seed": s["seed"],
                "rank": t["rank"],
                "candidate": t["expression"],
                "score": t["score"],
                "± std": t["std"],
                "Swish distance": t["swish_distance"],
                "best β": t["swish_beta"],
                "relu distance": t["relu_distance"],
            }
            for s in m["searches"]
            for t in s["top"]
        ]
        return pd.DataFrame(rows).set_index(["search seed", "rank"])
    if experiment_id == "glorot-bengio-2010":
        top = m["layers"] - 1
        rows = []
        for key, init in (("activations", "standard"), ("glorot_init", "Glorot")):
            for name, data in m.get(key, {}).items():
                q = np.asarray(data["quantiles"], float)
                early = ex.Spread.of(data["seed_top_early"])
                accuracy = ex.Spread.of(data["seed_accuracy"])
                rows.append(
                    {
                        "network, init": f"{name}, {init}",
                        f"top median, lowest ep. 1–{glorot.EARLY_EPOCHS}": early.mean,
                        "± std": early.std,
                        "top median, last ep.": float(q[-1, top, 2]),
                        "saturated, last ep.": data["saturated"][-1][top],
                        "val accuracy": accuracy.mean,
                        "accuracy ± std": accuracy.std,
                    }
                )
        return pd.DataFrame(rows).set_index("network, init")
    if experiment_id == "schoenholz-2017-edge-of-chaos":
        cells = np.asarray(m["accuracy"], float)
        by_sigma = {}
        for i, (sigma, xi) in enumerate(zip(m["sigma_w2"], m["xi_c"], strict=True)):
            row = {"6 ξ_c (layers)": eoc.TRAINABLE_XI * xi}
            for j, depth in enumerate(m["depths"]):
                row[f"{depth} layers"] = float(np.nanmean(cells[i, j]))
            by_sigma[f"σ_w² = {sigma:g}"] = row
        return pd.DataFrame(by_sigma).T
    if experiment_id == "dying-relu":
        rows = []
        for w in m["widths"]:
            dead = np.asarray(m["dead"][str(w)], float)
            rows.append(
                {
                    "width": w,
                    "dead share, layers 1–10": float(dead[dying_relu.SHALLOW].mean()),
                    "dead share, layers 41–50": float(dead[dying_relu.DEEP].mean()),
                    f"born dead by layer {m['depth']}": m["born_dead"][str(w)][-1],
                }
            )
        table = pd.DataFrame(rows).set_index("width")
        return table
    if experiment_id == "klambauer-2017-selu":
        rows = []
        for name in m["activations"]:
            mean, variance = np.asarray(m["mean"][name]), np.asarray(m["variance"][name])
            rows.append(
                {
                    "activation": name,
                    "max |mean| over layers": float(np.nanmax(np.abs(mean))),
                    "max |variance − 1| over layers": float(np.nanmax(np.abs(variance - 1))),
                    "mean at last layer": float(mean[-1]),
                    "variance at last layer": float(variance[-1]),
                }
            )
        return pd.DataFrame(rows).set_index("activation")
    if experiment_id == "misra-2019-mish":
        table = pd.DataFrame(m["accuracy"], index=[f"{d} layers" for d in m["depths"]]).T
        drops = {
            n: ex.Spread.of(np.asarray(a[0], float) - np.asarray(a[-1], float))
            for n, a in m["seed_accuracy"].items()
        }
        table["drop 15→25 (points)"] = [drops[n].mean * 100 for n in table.index]
        table["± (std over seeds)"] = [drops[n].std * 100 for n in table.index]
        return table
    return pd.DataFrame(
        [
            {
                "final validation MSE": m["final_val_mse"],
                "÷ Var(y) = 1/12": m["final_val_mse"] / m["var_y"],
                "predict-the-mean MSE": m["mean_baseline"],
                "÷ predict-the-mean MSE": m["final_val_mse"] / m["mean_baseline"],
            }
        ],
        index=["elu_like"],
    )


def notes(experiment_id: str, measured: dict) -> list[str]:
    """Lines under an experiment's numbers (none for most)."""
    if experiment_id not in trainable_figures.IDS:
        return []
    return trainable_figures.notes(experiment_id, measured)


def numbers_layout(experiment_id: str) -> dict:
    """How `numbers(experiment_id, …)` is laid out (st.dataframe's row_height and column_config):
    a search's candidates wrap (Streamlit wraps a cell's text only in rows taller than 64 px)
    in a column of their own width, so every column of the table fits 1280 px; other tables
    need nothing."""
    if experiment_id == "ramachandran-2017-search":
        return {"row_height": 66, "column_config": {"candidate": {"width": 270}}}
    if experiment_id == "martens-2021-dks-rescue":
        # All 27 activations, none behind a scroll bar; the names column as wide as the longest.
        return {"height": "content", "column_config": {"_index": {"width": 140}}}
    return {}


def narrowing_table(measured: dict) -> pd.DataFrame:
    """The dying-ReLU experiment's second check: dead share per layer of the course's net."""
    shares = measured["narrowing_dead"]
    return pd.DataFrame(
        {"units": list(dying_relu.UVA_LAYERS), "dead share (mean over seeds)": shares},
        index=[f"layer {i + 1}" for i in range(len(shares))],
    ).T
