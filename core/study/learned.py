"""What a comparison's learned activation parameters did, as plain data for the charts: each
parameter's mean ± std over units per layer and epoch (the mean over seeds), and each layer's
activation at its initial and its final parameters, with the spread of its units' shapes, over
that layer's pre-activation histogram on the probe batch. A sweep counts each activation at its
best learning rate, as the training charts do.

No Streamlit; TensorFlow only to evaluate the curves (charts/learned_figures.py draws them).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import tensorflow as tf

from activations import Catalogue
from activations.learnable import learnable_fn
from core.train.rates import Shown

CURVE_POINTS = 241
# Deeper networks show their first layers: the panels stay readable, and a live page does not
# evaluate every unit's curve of 20 layers each second.
MAX_SHAPE_LAYERS = 6
# The band of unit shapes: at each input, this range of the units' values (over every unit of
# every seed); the line is their median.
BAND = (5, 95)
BAND_RULE = "5–95 % of the units' values at each input (all seeds), line at their median"
# The shape's path between its initial and final ones: at most this many epochs in between,
# evenly spaced, each at that epoch's mean parameters (units are kept only at the ends).
EPOCH_LINES = 8
EPOCHS_RULE = "thin lines: the shape after epochs in between, at that epoch's mean parameters"


def between_epochs(last: int, lines: int = EPOCH_LINES) -> list[int]:
    """Up to `lines` epochs strictly between 0 (initial) and `last` (final), evenly spaced."""
    inner = list(range(1, last))
    if len(inner) <= lines:
        return inner
    picks = np.linspace(0, len(inner) - 1, lines).round().astype(int)
    return [inner[i] for i in sorted(set(picks))]


def learned_series(shown: Shown) -> dict[str, dict[str, np.ndarray]]:
    """{activation: {parameter: (epochs, layers, 2) array of [mean, std over units]}}, the mean
    over seeds; a seed that diverged drops out of the epochs after it (NaN there)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, seeds in shown.chosen.by_activation().items():
        for param in seeds[0].learned:
            rows = [np.asarray(b.learned.get(param, []), dtype=float) for b in seeds]
            rows = [r for r in rows if r.size]
            if not rows:
                continue
            epochs = max(len(r) for r in rows)
            padded = [
                np.concatenate([r, np.full((epochs - len(r), *r.shape[1:]), np.nan)]) for r in rows
            ]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=RuntimeWarning)
                out.setdefault(name, {})[param] = np.nanmean(np.stack(padded), axis=0)
    return out


def _histogram(seeds, layer: int, entry: int) -> dict | None:
    """The first network's pre-activation histogram of `layer` (entry 0 at initialisation, -1
    after the last epoch) as bin edges and a density (share of all probe values per unit z), or
    None when the run recorded none."""
    for b in seeds:
        if b.pre_histograms and layer < len(b.pre_histograms[entry]):
            h = b.pre_histograms[entry][layer]
            counts = np.asarray(h["counts"], dtype=float)
            edges = np.linspace(h["lo"], h["hi"], len(counts) + 1)
            total = counts.sum() + h["below"] + h["above"]
            density = counts / max(total, 1.0) / np.diff(edges)
            outside = (h["below"] + h["above"]) / max(total, 1.0)
            return dict(edges=edges, density=density, outside=outside, seed=b.seed)
    return None


def _quantiles(seeds, layer: int) -> list[float] | None:
    """The last recorded pre-activation quantiles (runs stored before histograms were)."""
    for b in seeds:
        if b.pre_quantiles and b.pre_quantiles[-1][layer] is not None:
            return [float(q) for q in b.pre_quantiles[-1][layer]]
    return None


def _x_range(histograms, quantiles) -> tuple[float, float]:
    """At least −3 … 3, and the histograms' ranges (or, without them, the 5–95 % quantile range
    widened by half on each side)."""
    lo, hi = -3.0, 3.0
    for h in histograms:
        if h is not None:
            lo, hi = min(lo, float(h["edges"][0])), max(hi, float(h["edges"][-1]))
    if quantiles is not None and all(h is None for h in histograms):
        spread = max(quantiles[-1] - quantiles[0], 1e-3)
        lo, hi = min(lo, quantiles[0] - spread / 2), max(hi, quantiles[-1] + spread / 2)
    return lo, hi


def _unit_curves(fn, fixed, seeds, layer: int, entry: int, x) -> np.ndarray | None:
    """f(x) for every unit of every seed (one row each) from the recorded whole parameter
    values, or None when the run kept only their mean (stored before they were kept)."""
    rows = []
    for b in seeds:
        if not b.learned_units or any(len(v) == 0 for v in b.learned_units.values()):
            return None
        values = {
            p: np.asarray(v[entry][layer], dtype=np.float32) for p, v in b.learned_units.items()
        }
        units = max(v.size for v in values.values())
        columns = {p: tf.constant(np.broadcast_to(v, (units,))[:, None]) for p, v in values.items()}
        y = np.asarray(fn(tf.constant(x[None, :]), **{**fixed, **columns}), dtype=float)
        rows.append(np.broadcast_to(y, (units, x.size)))
    return np.concatenate(rows) if rows else None


def learned_curves(shown: Shown, catalogue: Catalogue) -> dict[str, list[dict]]:
    """{activation: one dict per hidden layer}: x; initial and final f(x) (the median over units
    and seeds; a run stored before unit values were kept: at the mean parameters); the final
    band (BAND over units, None when every unit has the same shape) and how many unit curves
    made it; the layer's pre-activation histograms at initialisation and after the last epoch
    (None if not recorded) and, for runs stored before those, its last quantiles; and
    "epochs", [(epoch, f(x))] for epochs in between (`between_epochs`, EPOCHS_RULE), so a live
    run shows the path its shape took."""
    series = learned_series(shown)
    by_activation = shown.chosen.by_activation()
    out: dict[str, list[dict]] = {}
    for name, params in series.items():
        act, seeds = catalogue.get(name), by_activation[name]
        fixed = act.resolve(shown.record.config.params_for(name))
        fn = learnable_fn(act)
        layers = next(iter(params.values())).shape[1]
        for layer in range(min(layers, MAX_SHAPE_LAYERS)):
            histograms = {
                when: _histogram(seeds, layer, e) for when, e in (("initial", 0), ("final", -1))
            }
            quantiles = _quantiles(seeds, layer)
            lo, hi = _x_range(histograms.values(), quantiles)
            x = np.linspace(lo, hi, CURVE_POINTS, dtype=np.float32)
            entry: dict[str, Any] = dict(
                x=x.astype(float), quantiles=quantiles, histograms=histograms, band=None
            )
            for when, epoch in (("initial", 0), ("final", -1)):
                curves = _unit_curves(fn, fixed, seeds, layer, epoch, x)
                if curves is None:  # only the mean is stored: the shape at the mean parameters
                    e = 0 if when == "initial" else _last_finite(params)
                    values = {p: np.float32(v[e, layer, 0]) for p, v in params.items()}
                    entry[when] = np.asarray(fn(x, **{**fixed, **values}), dtype=float)
                    continue
                entry[when] = np.median(curves, axis=0)
                if when == "final":
                    entry["units"] = len(curves)
                    low, high = np.percentile(curves, BAND, axis=0)
                    if np.max(high - low) > 1e-6 * max(1.0, np.max(np.abs(high))):
                        entry["band"] = (low, high)
            entry["epochs"] = [
                (e, np.asarray(fn(x, **{**fixed, **_means(params, e, layer)}), dtype=float))
                for e in between_epochs(_last_finite(params))
            ]
            out.setdefault(name, []).append(entry)
    return out


def _means(params: dict[str, np.ndarray], epoch: int, layer: int) -> dict[str, np.float32]:
    return {p: np.float32(v[epoch, layer, 0]) for p, v in params.items()}


def _last_finite(params: dict[str, np.ndarray]) -> int:
    first = next(iter(params.values()))
    finite = [e for e in range(len(first)) if np.isfinite(first[e, :, 0]).all()]
    return finite[-1] if finite else 0


# Mean-field theory at the learned values (core/train/theory.py): the network the Train page builds,
# Glorot uniform on square hidden layers (σ_w² = 1) with zero biases.
THEORY_SIGMA_W2, THEORY_SIGMA_B2 = 1.0, 0.0
THEORY_RULE = (
    "Mean-field theory (Schoenholz et al. 2017) of each layer's activation at its parameters "
    "(the mean over units and seeds), as if every layer had it, at σ_w² = 1, σ_b² = 0 (Glorot "
    "uniform on square layers, zero biases): χ1 = 1 is the edge of chaos, and a network of "
    "that activation trains to about 6 ξ_c layers."
)


def learned_parameter_values(shown: Shown) -> list[tuple[str, int, str, dict[str, float]]]:
    """(activation, hidden layer from 1, "initial" or "final", {parameter: value}) for every
    learned activation and layer, values the mean over units and seeds (the final ones from the
    last epoch every seed finished)."""
    rows = []
    for name, params in learned_series(shown).items():
        layers = next(iter(params.values())).shape[1]
        for layer in range(layers):
            for when, epoch in (("initial", 0), ("final", _last_finite(params))):
                values = {p: float(v[epoch, layer, 0]) for p, v in params.items()}
                rows.append((name, layer + 1, when, values))
    return rows


def theory_at(act, fixed: dict, values: dict[str, float]) -> tuple[float, float]:
    """χ1 and the predicted trainable depth 6 ξ_c of `act` with its fixed parameters and the
    learned `values`, at THEORY_SIGMA_W2, THEORY_SIGMA_B2 (NaN for a vector activation)."""
    from core.train.theory import TRAINABLE_XI, Propagation

    if not act.pointwise:
        return float("nan"), float("nan")
    fn = learnable_fn(act)
    field = Propagation(lambda x: fn(x, **{**fixed, **values})).measures(
        THEORY_SIGMA_W2, THEORY_SIGMA_B2
    )
    return float(field.chi1), float(TRAINABLE_XI * field.xi_c)
