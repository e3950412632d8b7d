"""Charts and number tables of the newer experiments: "make it trainable" (core/study/
experiments/trainable/) and the KANs (core/study/experiments/kans/). Measured numbers in,
`go.Figure` or DataFrame out. No Streamlit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.figures import _base_layout
from charts.palette import as_style
from core.study import experiments as ex
from core.study.experiments.experiment import nan_padded_mean
from core.study.experiments.kans import example_1
from core.study.experiments.trainable import rescue
from core.study.experiments.trainable import selu_from_elu as selu_constants

SELU_CONSTANTS, RESCUE, ISOMETRY = (
    "klambauer-2017-selu-constants",
    "martens-2021-dks-rescue",
    "pennington-2017-isometry",
)
EXAMPLE_1, KAN_OR_MLP = "liu-2024-kan-example-1", "yu-2024-kan-or-mlp"
GLU_VARIANTS = "shazeer-2020-glu-variants"
IDS = (SELU_CONSTANTS, RESCUE, ISOMETRY, EXAMPLE_1, KAN_OR_MLP, GLU_VARIANTS)
# The two sides of the rescue chart: each gets a colour of the view.
BEFORE, AFTER = "Glorot uniform", "DKS transform + orthogonal"


def activations_of(experiment_id: str, measured: dict) -> list[str]:
    if experiment_id == SELU_CONSTANTS:
        return ["solved λ·elu(x; α)", "Keras selu"]
    if experiment_id == RESCUE:
        return [BEFORE, AFTER]
    if experiment_id == EXAMPLE_1:
        return [f"seed {run['seed']}" for run in measured["runs"]]
    if experiment_id == KAN_OR_MLP:
        return ["KAN", "MLP"]
    if experiment_id == GLU_VARIANTS:
        return list(measured["seed_loss"])
    return ["tanh", "relu"]


def figure(experiment_id: str, m: dict, colours, theme) -> go.Figure:
    builders = {
        SELU_CONSTANTS: _constants,
        RESCUE: _rescue,
        ISOMETRY: _isometry,
        EXAMPLE_1: _example_1,
        KAN_OR_MLP: _kan_or_mlp,
        GLU_VARIANTS: _glu_variants,
    }
    return builders[experiment_id](m, colours)


def _glu_variants(m: dict, colours) -> go.Figure:
    """Validation bits per character by epoch, each FFN's mean over seeds with its band."""
    fig = go.Figure()
    for name, seeds in m["val_loss"].items():
        s = as_style(colours.get(name))
        curves = nan_padded_mean(seeds)
        spread = np.nanstd(np.asarray([c for c in seeds if len(c) == len(curves)], float), 0)
        epochs = list(range(1, len(curves) + 1))
        fig.add_trace(
            go.Scatter(
                x=epochs + epochs[::-1],
                y=list(curves + spread) + list((curves - spread)[::-1]),
                fill="toself", fillcolor=s.colour, opacity=0.15, line=dict(width=0),
                hoverinfo="skip", showlegend=False, legendgroup=name,
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=epochs, y=curves, name=name, legendgroup=name,
                line=dict(color=s.colour, dash=s.dash, width=2),
                hovertemplate=f"{name}: %{{y:.4f}} bits<extra></extra>",
            )
        )  # fmt: skip
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="validation bits per character (mean ± std over seeds)")
    return _legend_below(_base_layout(fig, height=420))


def _constants(m: dict, colours) -> go.Figure:
    curve = m["curve"]
    x, solved, plain = curve["x"], np.asarray(curve["solved"]), np.asarray(curve["keras"])
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("The solved activation and Keras's selu", "|solved − Keras's selu|"),
        horizontal_spacing=0.1,
    )
    names = activations_of(SELU_CONSTANTS, m)
    for name, y, dash in ((names[0], solved, None), (names[1], plain, "dot")):
        s = as_style(colours.get(name))
        fig.add_trace(
            go.Scatter(x=x, y=y, name=name, line=dict(color=s.colour, width=3, dash=dash)),
            row=1,
            col=1,
        )
    gap = np.abs(solved - plain)
    s = as_style(colours.get(names[0]))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=np.where(gap > 0, gap, np.nan),  # an exact 0 has no log: left out
            name="|difference|",
            mode="markers",
            marker=dict(color=s.colour, size=5),
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    fig.update_xaxes(title_text="x")
    return _legend_below(_base_layout(fig, height=420))


def _legend_below(fig: go.Figure) -> go.Figure:
    """The legend under two panels: above them it covers their titles."""
    fig.update_layout(
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
        margin=dict(b=110),
    )
    return fig


def _rescue(m: dict, colours) -> go.Figure:
    """Each activation's final validation accuracy under Glorot and after its transform (mean ±
    std over seeds), with the criterion's two lines; the rows sorted by the accuracy after."""
    names = sorted(m["activations"], key=lambda n: ex.Spread.of(m["transformed"][n]).mean)
    fig = go.Figure()
    for key, label in (("glorot", BEFORE), ("transformed", AFTER)):
        spreads = [ex.Spread.of(m[key][n]) for n in names]
        s = as_style(colours.get(label))
        fig.add_trace(
            go.Scatter(
                x=[sp.mean * 100 for sp in spreads],
                y=names,
                error_x=dict(array=[sp.std * 100 if sp.n > 1 else 0 for sp in spreads]),
                mode="markers",
                name=label,
                marker=dict(color=s.colour, symbol=s.symbol, size=9),
            )
        )
    for at, text in (
        (rescue.FAILS_AT_MOST, "cannot train ≤ 20 %"),
        (rescue.RESCUED_AT_LEAST, "rescued ≥ 60 %"),
    ):
        fig.add_vline(
            x=at * 100, line_dash="dash", line_color="grey", annotation_text=text,
            annotation_position="top",
        )  # fmt: skip
    fig.update_xaxes(title_text="final validation accuracy, % (mean ± std over seeds)")
    fig.update_layout(hovermode="y unified")
    return _base_layout(fig, height=max(380, 22 * len(names) + 120))


def _isometry(m: dict, colours) -> go.Figure:
    """Training accuracy by step of each seed, orthogonal tanh against He relu, with the
    threshold the verdict reads."""
    fig = go.Figure()
    per_epoch = m["steps_per_epoch"]
    labels = {"tanh": "tanh, orthogonal", "relu": "relu, He normal"}
    for key in ("tanh", "relu"):
        s = as_style(colours.get(key))
        for seed, curve in enumerate(m[key]["accuracy"]):
            steps = [(i + 1) * per_epoch for i in range(len(curve))]
            fig.add_trace(
                go.Scatter(
                    x=steps, y=[v * 100 for v in curve], name=labels[key],
                    legendgroup=key, showlegend=seed == 0,
                    line=dict(color=s.colour, dash=s.dash, width=2),
                    hovertemplate=f"{labels[key]}, seed {seed}: %{{y:.1f}} %<extra></extra>",
                )
            )  # fmt: skip
    fig.add_hline(
        y=m["threshold"] * 100, line_dash="dash", line_color="grey",
        annotation_text=f"threshold {m['threshold']:.0%}", annotation_position="top left",
    )  # fmt: skip
    fig.update_xaxes(title_text="training steps (an epoch's mean accuracy at its end)")
    fig.update_yaxes(title_text="training accuracy, % (each seed)")
    return _base_layout(fig, height=400)


def _example_1(m: dict, colours) -> go.Figure:
    """Test RMSE after each grid, one line per seed, over pykan's values and the × 3 band the
    verdict reads (log scales: the values span four decades)."""
    fig = go.Figure()
    grids = list(example_1.GRIDS)
    reference = [m["reference"][str(g)] for g in grids]
    within = example_1.WITHIN
    fig.add_trace(
        go.Scatter(
            x=grids + grids[::-1],
            y=[r * within for r in reference] + [r / within for r in reference[::-1]],
            fill="toself", fillcolor="rgba(120,120,120,0.15)", line=dict(width=0),
            name=f"pykan × {within:g} either way", hoverinfo="skip",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=grids, y=reference, name="pykan's notebook", mode="lines+markers",
            line=dict(color="grey", dash="dash"),
        )
    )  # fmt: skip
    for run in m["runs"]:
        name = f"seed {run['seed']}"
        s = as_style(colours.get(name))
        rows = run["rows"]
        fig.add_trace(
            go.Scatter(
                x=[r["grid"] for r in rows], y=[r["test_rmse"] for r in rows], name=name,
                mode="lines+markers", line=dict(color=s.colour, dash=s.dash),
                marker=dict(symbol=s.symbol, size=8),
            )
        )  # fmt: skip
    fig.update_xaxes(title_text="grid intervals G", type="log", tickvals=grids)
    fig.update_yaxes(title_text="test RMSE", type="log", exponentformat="power")
    return _base_layout(fig, height=400)


def _kan_or_mlp(m: dict, colours) -> go.Figure:
    """Both tasks' curves, each seed a line: MNIST-1D validation accuracy by epoch, the
    formula's test RMSE every 50 steps (log)."""
    params = m["parameters"]
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            f"MNIST-1D: validation accuracy ({params['mnist1d']['kan']:,} parameters)",
            f"exp(sin(πx) + y²): test RMSE ({params['formula']['kan']} parameters)",
        ),
        horizontal_spacing=0.1,
    )
    for key, label in (("kan", "KAN"), ("mlp", "MLP")):
        s = as_style(colours.get(label))
        for col, task in ((1, "mnist1d"), (2, "formula")):
            for seed, curve in enumerate(m["curves"][task][key]):
                every = 1 if task == "mnist1d" else 50
                fig.add_trace(
                    go.Scatter(
                        x=[(i + 1) * every for i in range(len(curve))],
                        y=[v * 100 for v in curve] if task == "mnist1d" else curve,
                        name=label, legendgroup=label, showlegend=col == 1 and seed == 0,
                        line=dict(color=s.colour, dash=s.dash, width=1.5),
                        hovertemplate=f"{label}, seed {seed}: %{{y:.3g}}<extra></extra>",
                    ),
                    row=1, col=col,
                )  # fmt: skip
    fig.update_xaxes(title_text="epoch", row=1, col=1)
    fig.update_xaxes(title_text="full-batch Adam steps", row=1, col=2)
    fig.update_yaxes(title_text="%", row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    return _legend_below(_base_layout(fig, height=440))


def notes(experiment_id: str, m: dict) -> list[str]:
    """Lines the page prints under the numbers: the rescue's activations without a transform,
    each with the solver's reason."""
    if experiment_id != RESCUE:
        return []
    return [
        f"No transform for {n}: {why} It trained as itself, under orthogonal initialisation, and "
        "is never counted as rescued."
        for n, why in m["transform"].items()
        if why != "solved"
    ]


def numbers(experiment_id: str, m: dict) -> pd.DataFrame:
    if experiment_id == SELU_CONSTANTS:
        pairs = {
            "α": (m["alpha"], selu_constants.SELU_ALPHA),
            "λ": (m["lambda"], selu_constants.SELU_LAMBDA),
        }
        # As text: the page's three significant digits would hide what the verdict compares.
        return pd.DataFrame(
            [
                {"solved": f"{a:.16g}", "paper": f"{b!r}", "|difference|": f"{abs(a - b):.1e}"}
                for a, b in pairs.values()
            ],
            index=list(pairs),
        )
    if experiment_id == RESCUE:
        table = []
        for n in m["activations"]:
            before, after = ex.Spread.of(m["glorot"][n]), ex.Spread.of(m["transformed"][n])
            table.append(
                {
                    "activation": n,
                    "Glorot, %": before.mean * 100,
                    "Glorot ± std": before.std * 100,
                    "after transform, %": after.mean * 100,
                    "after ± std": after.std * 100,
                    "transform": "solved" if m["transform"][n] == "solved" else "none (below)",
                }
            )
        return pd.DataFrame(table).set_index("activation")
    if experiment_id == EXAMPLE_1:
        runs = {"pykan's notebook": {f"G = {g}": m["reference"][str(g)] for g in example_1.GRIDS}}
        for run in m["runs"]:
            runs[f"seed {run['seed']}"] = {f"G = {r['grid']}": r["test_rmse"] for r in run["rows"]}
        return pd.DataFrame(runs).T
    if experiment_id == GLU_VARIANTS:
        return pd.DataFrame(
            [
                {
                    "FFN": n,
                    "validation bits per character": ex.Spread.of(m["seed_loss"][n]).text(digits=4),
                    "next-character accuracy, %": ex.Spread.of(m["seed_accuracy"][n]).text(100),
                }
                for n in m["seed_loss"]
            ]
        ).set_index("FFN")
    if experiment_id == KAN_OR_MLP:
        p = m["parameters"]
        return pd.DataFrame(
            [
                {
                    "task": task,
                    "score": score,
                    "KAN": ex.Spread.of(m[task]["kan"]).text(),
                    "MLP": ex.Spread.of(m[task]["mlp"]).text(),
                    "parameters KAN / MLP": f"{p[task]['kan']:,} / {p[task]['mlp']:,}",
                }
                for task, score in (
                    ("mnist1d", "validation accuracy"),
                    ("formula", "test RMSE"),
                )
            ]
        ).set_index("task")
    per_epoch = m["steps_per_epoch"]
    shown = lambda e: "never" if e is None else f"{e * per_epoch}"  # noqa: E731
    return pd.DataFrame(
        {
            f"tanh (orthogonal): steps to {m['threshold']:.0%}": [
                shown(e) for e in m["tanh"]["epochs_to"]
            ],
            f"relu (He): steps to {m['threshold']:.0%}": [shown(e) for e in m["relu"]["epochs_to"]],
            "best training accuracy, tanh": [max(c) for c in m["tanh"]["accuracy"]],
            "best training accuracy, relu": [max(c) for c in m["relu"]["accuracy"]],
        },
        index=[f"seed {i}" for i in range(len(m["tanh"]["epochs_to"]))],
    )
