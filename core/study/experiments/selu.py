"""Klambauer et al. 2017: SELU networks keep mean 0 and variance 1 through many layers at
initialisation; relu and tanh networks do not."""

from __future__ import annotations

import warnings

import numpy as np

from core.study.experiments.experiment import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    SPREAD_RULE,
    Experiment,
    Spread,
    Verdict,
    all_of,
    judge,
    negate,
    quiet,
    within,
)

SELU_ACTS = ("selu", "relu", "tanh")
SELU_INIT = "lecun_normal"
SELU_DEPTH = 50
SELU_WIDTH = 256
SELU_SEEDS = 5
MEAN_BAND = 0.1  # |mean| ≤ 0.1
VARIANCE_BAND = 0.2  # |variance − 1| ≤ 0.2


class SeluSelfNormalises(Experiment):
    id = "klambauer-2017-selu"
    name = "SELU (Klambauer 2017)"
    title = "SELU keeps mean 0 and variance 1 through many layers; relu and tanh do not"
    kind = "init"
    claim = (
        "With LeCun-normal initialisation, SELU networks are self-normalising: the activations "
        "of every layer stay near mean 0 and variance 1 however deep the network is, because "
        "(0, 1) is a stable, attracting fixed point of the layer-to-layer map of mean and "
        "variance. Other activations such as relu and tanh drift away from those values."
    )
    citation = (
        "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, “Self-Normalizing Neural "
        "Networks”, NeurIPS 2017: Theorem 1 (stable and attracting fixed point (0, 1)) and "
        "Figure 2 (the mapping of mean and variance)."
    )
    schedule = (
        f"Depth page networks: {', '.join(SELU_ACTS)}, LeCun-normal kernels, zero biases, "
        f"{SELU_DEPTH} layers × {SELU_WIDTH} units, 128 standard-normal inputs, {SELU_SEEDS} "
        "seeds; mean and variance of each layer's activations over inputs and units, averaged "
        "over seeds. No training (the claim is about the forward signal)."
    )
    criterion = (
        f"SELU stays in the band at every layer (|mean| ≤ {MEAN_BAND:g} and |variance − 1| ≤ "
        f"{VARIANCE_BAND:g}) and relu and tanh are both outside it at layer {SELU_DEPTH}: "
        "reproduced. SELU stays in but only one of relu, tanh leaves: partly reproduced. SELU "
        "leaves the band, or neither other does: not reproduced. Means and variances are over "
        "inputs and units, then over seeds; a value that overflowed is outside the band. "
        f"{SPREAD_RULE}"
    )
    short_criterion = (
        f"selu |mean| ≤ {MEAN_BAND:g}, |var − 1| ≤ {VARIANCE_BAND:g} at all {SELU_DEPTH} layers; "
        f"relu and tanh outside at layer {SELU_DEPTH}"
    )
    differs = (
        f"a numerical check of the forward signal in {SELU_DEPTH} × {SELU_WIDTH} random "
        f"networks on Gaussian inputs, {SELU_SEEDS} seeds (paper: a proof of the fixed point "
        "and its mean–variance mapping figure); no training."
    )

    def depth_links(self):
        acts = ",".join(SELU_ACTS)
        query = {"init": SELU_INIT, "depth": str(SELU_DEPTH), "width": str(SELU_WIDTH)}
        return ({"act": acts, **query},)

    def measure(self, records=(), progress=quiet):
        from activations import shared_catalogue
        from core.study.signal import signal_at_init

        acts = [shared_catalogue().get(n) for n in SELU_ACTS]
        means, variances = [], []
        for seed in range(SELU_SEEDS):
            signal = signal_at_init(acts, SELU_INIT, SELU_DEPTH, SELU_WIDTH, seed)
            means.append(signal.mean)
            variances.append(signal.variance)
            progress((seed + 1) / SELU_SEEDS, f"seed {seed + 1}/{SELU_SEEDS}")
        means, variances = np.asarray(means, float), np.asarray(variances, float)  # seed × k × L
        with warnings.catch_warnings():  # "mean of empty slice" where every seed overflowed
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, variance = np.nanmean(means, axis=0), np.nanmean(variances, axis=0)
        return {
            "activations": list(SELU_ACTS),
            "mean": {n: mean[k].tolist() for k, n in enumerate(SELU_ACTS)},
            "variance": {n: variance[k].tolist() for k, n in enumerate(SELU_ACTS)},
            # seed × layer, for the spread of each layer's mean and variance
            "seed_mean": {n: means[:, k].tolist() for k, n in enumerate(SELU_ACTS)},
            "seed_variance": {n: variances[:, k].tolist() for k, n in enumerate(SELU_ACTS)},
        }

    def verdict(self, measured):
        m, v = measured["seed_mean"], measured["seed_variance"]

        def inside(name: str, layer: int) -> bool | None:
            mean = Spread.of(np.asarray(m[name], float)[:, layer])
            variance = Spread.of(np.asarray(v[name], float)[:, layer])
            return all_of(within(mean, 0.0, MEAN_BAND), within(variance, 1.0, VARIANCE_BAND))

        layers = len(m["selu"][0])
        selu_in = all_of(*(inside("selu", layer) for layer in range(layers)))
        leaves = {n: negate(inside(n, layers - 1)) for n in ("relu", "tanh")}

        def rule(selu, relu, tanh):
            if selu and relu and tanh:
                return REPRODUCED
            return PARTLY if selu and (relu or tanh) else NOT_REPRODUCED

        label = judge(rule, selu=selu_in, **leaves)
        mean_at = lambda n, layer: Spread.of(np.asarray(m[n], float)[:, layer])  # noqa: E731
        var_at = lambda n, layer: Spread.of(np.asarray(v[n], float)[:, layer])  # noqa: E731
        worst_mean = max(range(layers), key=lambda layer: abs(mean_at("selu", layer).mean))
        worst_var = max(range(layers), key=lambda layer: abs(var_at("selu", layer).mean - 1.0))
        last = layers - 1
        text = (
            f"{len(m['selu'])} seeds: selu mean at its worst layer ({worst_mean + 1}) "
            f"{mean_at('selu', worst_mean).text()}, variance at its worst layer "
            f"({worst_var + 1}) {var_at('selu', worst_var).text()}; at layer {layers}: relu "
            f"variance {var_at('relu', last).text()}, tanh variance {var_at('tanh', last).text()}"
        )
        return Verdict(label, text)
