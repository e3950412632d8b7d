"""What a comparison's learned activation parameters did, as plain data for the charts: each
parameter's mean ± std over units per layer and epoch (the mean over seeds), and each layer's
activation at its initial and its final parameters over that layer's pre-activation range.

No Streamlit; TensorFlow only to evaluate the curves (core/learned_figures.py draws them).
"""

from __future__ import annotations

import warnings

import numpy as np

from activations import Catalogue
from activations.learnable import learnable_fn

CURVE_POINTS = 241


def learned_series(comparison) -> dict[str, dict[str, np.ndarray]]:
    """{activation: {parameter: (epochs, layers, 2) array of [mean, std over units]}}, the mean
    over seeds; a seed that diverged drops out of the epochs after it (NaN there)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, seeds in comparison.by_activation().items():
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


def _pre_range(comparison, name: str, layer: int) -> tuple[float, float, list[float] | None]:
    """The x range of a layer's curve (the 5–95 % pre-activation range widened by half on each
    side, at least −3 … 3) and the last recorded pre-activation quantiles (None if none)."""
    quantiles = None
    for b in comparison.by_activation()[name]:
        if b.pre_quantiles and b.pre_quantiles[-1][layer] is not None:
            quantiles = [float(q) for q in b.pre_quantiles[-1][layer]]
            break
    if quantiles is None:
        return -3.0, 3.0, None
    lo, hi = quantiles[0], quantiles[-1]
    spread = max(hi - lo, 1e-3)
    return min(lo - spread / 2, -3.0), max(hi + spread / 2, 3.0), quantiles


def learned_curves(comparison, catalogue: Catalogue) -> dict[str, list[dict]]:
    """{activation: one dict per hidden layer with x, initial and final f(x) (a per-unit parameter
    at its mean over units, over seeds) and the layer's last pre-activation quantiles}."""
    series = learned_series(comparison)
    out: dict[str, list[dict]] = {}
    for name, params in series.items():
        act = catalogue.get(name)
        fixed = act.resolve(comparison.config.params_for(name))
        fn = learnable_fn(act)
        layers = next(iter(params.values())).shape[1]
        for layer in range(layers):
            lo, hi, quantiles = _pre_range(comparison, name, layer)
            x = np.linspace(lo, hi, CURVE_POINTS, dtype=np.float32)
            shapes = {}
            for when, epoch in (("initial", 0), ("final", _last_finite(params))):
                values = {p: np.float32(v[epoch, layer, 0]) for p, v in params.items()}
                shapes[when] = np.asarray(fn(x, **{**fixed, **values}), dtype=float)
            entry = dict(x=x.astype(float), quantiles=quantiles, **shapes)
            out.setdefault(name, []).append(entry)
    return out


def _last_finite(params: dict[str, np.ndarray]) -> int:
    first = next(iter(params.values()))
    finite = [e for e in range(len(first)) if np.isfinite(first[e, :, 0]).all()]
    return finite[-1] if finite else 0
