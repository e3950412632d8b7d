"""Dying ReLU at initialisation (Lu et al. 2019; the UvA course's narrowing net): deeper and
narrower ReLU networks are born with more dead units."""

from __future__ import annotations

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
    at_least,
    at_most,
    judge,
    quiet,
)

DYING_WIDTHS = (2, 4, 8, 16, 32, 64, 128)
DYING_DEPTH = 50
DYING_SEEDS = 20
DYING_INIT = "he_normal"
SHALLOW, DEEP = slice(0, 10), slice(40, 50)  # layers 1–10 and 41–50
BORN_DEAD_NARROWEST = 0.5  # at width 2, at least half the networks have a fully dead layer
MONTE_CARLO_SLACK = 0.1  # a wider net may show this much more born-dead share (2 seeds in 20)
# The course's network: 10 hidden layers narrowing from 256 to 128, PyTorch's default init.
UVA_LAYERS = (256,) * 5 + (128,) * 5
UVA_SEEDS = 20
UVA_DEAD_ABOVE = 0.5  # "more than half" of layer 9's units


class DyingRelu(Experiment):
    id = "dying-relu"
    name = "Dying ReLU"
    title = "ReLU networks are born with more dead units the deeper they are"
    kind = "init"
    claim = (
        "At initialisation, the share of dead ReLU units (units that output 0 for every input) "
        "grows with depth, and narrow networks die sooner: with symmetric initialisation a deep "
        "enough ReLU network is “born dead” (some whole layer outputs 0) with probability "
        "approaching 1. In a 10-layer MLP narrowing from 256 to 128 units, more than half of the "
        "second-to-last layer's units are dead under PyTorch's default initialisation."
    )
    citation = (
        "L. Lu, Y. Shin, Y. Su, G. E. Karniadakis, “Dying ReLU and Initialization: Theory and "
        "Numerical Examples”, Commun. Comput. Phys. 28 (2020), arXiv:1903.06733: Theorem 3.1 "
        "(a deep ReLU network dies in probability as depth grows) and the numerical examples of "
        "born-dead probability against depth for several widths. P. Lippe, UvA Deep Learning "
        "Tutorial 3 “Activation Functions”, section “Finding dead neurons in ReLU networks” "
        "(56 % of layer 9 dead in the 10-layer narrowing net)."
    )
    schedule = (
        f"Depth page networks: relu, He-normal kernels, zero biases, widths "
        f"{', '.join(map(str, DYING_WIDTHS))}, {DYING_DEPTH} layers, {DYING_SEEDS} seeds "
        "(Monte Carlo), 128 standard-normal inputs as wide as the layers; a unit is dead when "
        "f′(z) = 0 on all 128 inputs, a network is born dead by layer l when one of its first l "
        "layers is wholly dead. The course's check is computed separately (the Depth page has "
        "no biases and constant width): hidden layers "
        f"{'-'.join(map(str, UVA_LAYERS))} on 5,000 MNIST digits scaled to [−1, 1] (the course "
        "used FashionMNIST's 60,000 training images), weights and biases "
        f"U(±1/√fan_in) as PyTorch's nn.Linear draws them, {UVA_SEEDS} seeds; dead = output 0 "
        "on every digit."
    )
    criterion = (
        "(a) grows with depth: for every width, the dead share over layers 41–50 exceeds that "
        "over layers 1–10 (mean over seeds of each network's difference). (b) narrow nets die "
        f"sooner: the share of networks born dead by layer {DYING_DEPTH} is ≥ "
        f"{BORN_DEAD_NARROWEST:g} at width 2 and never rises by more than "
        f"{MONTE_CARLO_SLACK:g} (Monte Carlo slack) from one width to the next wider one. (c) "
        f"the course's net: mean dead share of layer 9 > {UVA_DEAD_ABOVE:g}. All three: "
        "reproduced; (a) and not both others: partly reproduced; (a) fails: not reproduced. "
        f"{SPREAD_RULE} (b)'s numbers are frequencies over {DYING_SEEDS} networks, each born "
        "dead or not; their spread is the standard error of that frequency (of a rise: of the "
        "mean of the per-seed differences), not the spread of single 0-or-1 outcomes."
    )
    short_criterion = (
        "dead share layers 41–50 > layers 1–10 at every width; born-dead share ≥ 0.5 at width 2 "
        "and not rising with width; narrowing net layer 9 > 50 % dead"
    )
    differs = (
        f"widths 2–128 at {DYING_DEPTH} layers and 128 Gaussian inputs, {DYING_SEEDS} seeds "
        "(Lu et al.: their own widths, depths and inputs, many more draws); the course's net on "
        "5,000 MNIST digits instead of FashionMNIST's 60,000 images, 20 seeds instead of one."
    )

    def depth_links(self):
        query = {"act": "relu", "init": DYING_INIT, "depth": str(DYING_DEPTH)}
        return tuple({**query, "width": str(w)} for w in (2, 16, 128))

    def measure(self, records=(), progress=quiet):
        from activations import shared_catalogue
        from core.study.signal import signal_at_init

        relu = shared_catalogue().get("relu")
        dead_by_width, born_dead_by_width, seeds_by_width, born_seeds = {}, {}, {}, {}
        steps = len(DYING_WIDTHS) * DYING_SEEDS + UVA_SEEDS
        done = 0
        for width in DYING_WIDTHS:
            rows = []
            for seed in range(DYING_SEEDS):
                signal = signal_at_init([relu], DYING_INIT, DYING_DEPTH, width, seed)
                rows.append(signal.dead[0])
                done += 1
                progress(done / steps, f"width {width}, seed {seed + 1}/{DYING_SEEDS}")
            dead = np.asarray(rows, float)  # seed × layer
            dead_by_width[str(width)] = dead.mean(axis=0).tolist()
            # Per seed: layers 41–50 minus layers 1–10, the difference (a) reads.
            deep_minus_shallow = dead[:, DEEP].mean(axis=1) - dead[:, SHALLOW].mean(axis=1)
            seeds_by_width[str(width)] = deep_minus_shallow.tolist()
            # Born dead by layer l: some layer ≤ l has every unit dead.
            whole = np.maximum.accumulate(dead >= 1.0, axis=1)
            born_dead_by_width[str(width)] = whole.mean(axis=0).tolist()
            born_seeds[str(width)] = whole[:, -1].astype(float).tolist()
        uva = []
        for seed in range(UVA_SEEDS):
            uva.append(narrowing_dead_shares(seed))
            done += 1
            progress(done / steps, f"narrowing net, seed {seed + 1}/{UVA_SEEDS}")
        return {
            "widths": list(DYING_WIDTHS),
            "depth": DYING_DEPTH,
            "dead": dead_by_width,  # width -> per-layer mean dead share
            "born_dead": born_dead_by_width,  # width -> per-layer share of networks born dead
            "narrowing_dead": np.mean(uva, axis=0).tolist(),  # per layer, mean over seeds
            "seed_deep_minus_shallow": seeds_by_width,  # width -> per seed
            "seed_born_dead": born_seeds,  # width -> per seed, 1 when born dead by the last layer
            "seed_layer9": [shares[8] for shares in uva],  # per seed
        }

    def verdict(self, measured):
        widths = [str(w) for w in measured["widths"]]
        growth = {w: Spread.of(measured["seed_deep_minus_shallow"][w]) for w in widths}
        grows = {w: at_least(growth[w], 0.0, strict=True) for w in widths}
        born = {w: np.asarray(measured["seed_born_dead"][w], float) for w in widths}
        narrowest = _frequency(born[widths[0]])
        rises = [_mean_of(born[b] - born[a]) for a, b in zip(widths, widths[1:], strict=False)]
        narrow_die = all_of(
            at_least(narrowest, BORN_DEAD_NARROWEST),
            *(at_most(r, MONTE_CARLO_SLACK) for r in rises),
        )
        layer9 = Spread.of(measured["seed_layer9"])
        uva = at_least(layer9, UVA_DEAD_ABOVE, strict=True)

        def rule(a, b, c):
            return (REPRODUCED if b and c else PARTLY) if a else NOT_REPRODUCED

        label = judge(rule, a=all_of(*grows.values()), b=narrow_die, c=uva)
        growing = sum(g is True for g in grows.values())
        undecided = sum(g is None for g in grows.values())
        largest_rise = max(rises, key=lambda r: r.mean) if rises else Spread(0.0, 0.0, 0)
        text = (
            f"dead share grows with depth at {growing}/{len(widths)} widths"
            + (f" ({undecided} undecided)" if undecided else "")
            + f"; born dead by layer {measured['depth']} ({DYING_SEEDS} seeds): "
            + ", ".join(f"w{w} {_frequency(born[w]).mean:.2f}" for w in widths)
            + f" (width 2: {narrowest.text(digits=2)}; largest rise {largest_rise.text(digits=2)})"
            + f"; narrowing net layer 9 dead {layer9.text()} ({layer9.n} seeds)"
        )
        return Verdict(label, text)


def _frequency(outcomes: np.ndarray) -> Spread:
    """A share of 0-or-1 outcomes with its standard error √(p(1 − p)/n)."""
    n = len(outcomes)
    p = float(np.mean(outcomes)) if n else float("nan")
    return Spread(p, float(np.sqrt(p * (1 - p) / n)) if n else float("nan"), n)


def _mean_of(values: np.ndarray) -> Spread:
    """The mean of per-seed values with its standard error (std over seeds / √n)."""
    spread = Spread.of(values)
    return Spread(spread.mean, spread.std / np.sqrt(spread.n) if spread.n else spread.std, spread.n)


def narrowing_dead_shares(seed: int, samples: int = 5000) -> list[float]:
    """Dead share of each hidden layer of the course's narrowing ReLU net (UVA_LAYERS) at
    initialisation, weights and biases drawn as PyTorch's nn.Linear does (U(±1/√fan_in)), on
    `samples` MNIST digits scaled to [−1, 1]. A unit is dead when it outputs 0 on every digit."""
    from core.train.datasets import load_shared

    data = load_shared("mnist", samples, 0.1, 1.0, 0)
    x = np.concatenate([data.x_train, data.x_val]).reshape(-1, 784) * 2.0 - 1.0
    rng = np.random.default_rng([seed, 784])
    h = x.astype(np.float32)
    shares = []
    for units in UVA_LAYERS:
        bound = 1.0 / np.sqrt(h.shape[1])
        kernel = rng.uniform(-bound, bound, (h.shape[1], units)).astype(np.float32)
        bias = rng.uniform(-bound, bound, units).astype(np.float32)
        h = np.maximum(h @ kernel + bias, 0.0)
        shares.append(float(np.mean(np.all(h == 0.0, axis=0))))
    return shares
