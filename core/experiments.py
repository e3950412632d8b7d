"""Classic results about activations, reproduced with a criterion written down before the first run.

Each experiment is plain data (the claim in our words, the citation, the reduced schedule, the
criterion) plus `measure` (numbers, as a JSON-able dict) and `verdict` (a pure function of those
numbers, so it can be tested on plain numbers). Training experiments are ordinary `TrainConfig`s
trained by whoever calls `run` (the page submits them as jobs, the bench trains them in-process);
experiments at initialisation use the Depth page's `signal_at_init`, so "Open on Depth" shows the
very numbers measured here. No Streamlit here.

The criteria and schedules were committed before any experiment ran; they are not tuned.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import itertools
import json
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.record import Comparison
from core.settings import SETTINGS, TrainConfig
from core.state import encode, train_fields

REPRODUCED, PARTLY, NOT_REPRODUCED = "reproduced", "partly reproduced", "not reproduced"
# A verdict that would change if a condition whose margin lies inside its spread went the other
# way: the seeds do not settle it.
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, INCONCLUSIVE)
MIN_SEEDS = 3  # every verdict is judged on at least this many seeds
SPREAD_RULE = (
    "Every number is a mean over seeds shown with its spread (± the standard deviation over "
    "seeds); a condition whose margin (mean − threshold) is smaller than that spread is "
    "undecided, and a verdict that depends on how an undecided condition turns out is "
    "“inconclusive”."
)

Train = Callable[[TrainConfig], Comparison]
Progress = Callable[[float, str], None]


def _quiet(fraction: float, text: str) -> None:
    pass


@dataclass(frozen=True)
class Verdict:
    label: str  # one of VERDICTS
    measured: str  # the numbers the verdict was judged on, in words


@dataclass(frozen=True)
class Spread:
    """A quantity measured on several seeds: the mean and standard deviation (ddof 1) of its
    finite values, and how many there were (a diverged seed's NaN is left out)."""

    mean: float
    std: float
    n: int

    @classmethod
    def of(cls, values) -> Spread:
        a = np.asarray(values, float).ravel()
        a = a[np.isfinite(a)]
        if not a.size:
            return cls(float("nan"), float("nan"), 0)
        if a.size > 1 and np.all(a == a[0]):  # equal seeds: their value (np.mean rounds)
            return cls(float(a[0]), 0.0, int(a.size))
        std = float(a.std(ddof=1)) if a.size > 1 else float("nan")
        return cls(float(a.mean()), std, int(a.size))

    def text(self, scale: float = 1.0, digits: int = 3) -> str:
        if not self.n:
            return "n/a"
        return f"{self.mean * scale:.{digits}g} ± {self.std * scale:.2g}"


def _decide(spread: Spread, margin: float, strict: bool = False) -> bool | None:
    """Whether a condition with this margin (> 0 or ≥ 0: it holds) holds: None when the margin
    is inside the spread or the spread is unknown (one seed left), False when no seed has a
    number (every seed diverged: a value not measured never supports a verdict)."""
    if spread.n == 0 or not np.isfinite(margin):
        return False
    if not np.isfinite(spread.std) or abs(margin) < spread.std:
        return None
    return margin > 0 if strict else margin >= 0


def at_least(spread: Spread, threshold: float, strict: bool = False) -> bool | None:
    return _decide(spread, spread.mean - threshold, strict)


def at_most(spread: Spread, threshold: float) -> bool | None:
    return _decide(spread, threshold - spread.mean)


def within(spread: Spread, centre: float, band: float) -> bool | None:
    """|mean − centre| ≤ band."""
    return _decide(spread, band - abs(spread.mean - centre))


def all_of(*parts: bool | None) -> bool | None:
    """Three-valued "and": False if any is False, else None if any is undecided."""
    if any(p is False for p in parts):
        return False
    return None if any(p is None for p in parts) else True


def any_of(*parts: bool | None) -> bool | None:
    if any(p is True for p in parts):
        return True
    return None if any(p is None for p in parts) else False


def negate(part: bool | None) -> bool | None:
    return None if part is None else not part


def judge(rule: Callable[..., str], **parts: bool | None) -> str:
    """The label `rule` gives the parts, tried with every way the undecided (None) parts could
    turn out: one label for all, that label; several, INCONCLUSIVE."""
    unknown = [k for k, v in parts.items() if v is None]
    labels = {
        rule(**{**parts, **dict(zip(unknown, combo, strict=True))})
        for combo in itertools.product((False, True), repeat=len(unknown))
    }
    return labels.pop() if len(labels) == 1 else INCONCLUSIVE


def share_holds(cells: Sequence[bool | None], share: float) -> bool | None:
    """At least `share` of `cells` hold, undecided cells counted both ways; no cells: False."""
    if not cells:
        return False
    sure = sum(c is True for c in cells) / len(cells)
    maybe = sum(c is not False for c in cells) / len(cells)
    if sure >= share:
        return True
    return False if maybe < share else None


class Experiment:
    """One experiment. Subclasses fill in the texts and the three methods."""

    id: str = ""
    name: str = ""  # a short label (a tab)
    title: str = ""
    claim: str = ""  # the published claim, in our own words
    citation: str = ""  # paper, and figure or table
    schedule: str = ""  # our reduced setup, and where it differs from the paper
    criterion: str = ""  # how the verdict is decided, with its thresholds
    short_criterion: str = ""  # the same, in a few words for the bench line
    differs: str = ""  # one line: how the setup differs from the paper's (schedule, data, width)
    kind: str = "train"  # "train": TrainConfigs run as jobs; "init": computed at initialisation

    def configs(self) -> tuple[TrainConfig, ...]:
        """The training runs this experiment needs (none at initialisation)."""
        return ()

    def depth_links(self) -> tuple[dict[str, str], ...]:
        """Depth page URLs (as query dicts) showing this experiment's networks."""
        return ()

    def train_links(self) -> tuple[tuple[str, TrainConfig], ...]:
        """(label, configuration) of the "Open on Train" links: every run, by its depth."""
        configs = self.configs()
        if len(configs) == 1:
            return (("Open on Train", configs[0]),)
        return tuple((f"Open {c.depth} layers on Train", c) for c in configs)

    def measure(self, records: Sequence[Comparison], progress: Progress = _quiet) -> dict:
        raise NotImplementedError

    def verdict(self, measured: dict) -> Verdict:
        raise NotImplementedError


def train_query(config: TrainConfig) -> dict[str, str]:
    """The Train page's URL for `config`: every setting filled in."""
    state = {f"train.{s.name}": getattr(config, s.name) for s in SETTINGS if s.param}
    return encode(state, train_fields(config.activations))


def _mean_over_seeds(record: Comparison, name: str, field: str) -> float:
    """The final value of `field` (e.g. "val_metric"), mean over the seeds of `name` that did not
    diverge; NaN when every seed diverged."""
    branches = record.by_activation()[name]
    kept = [b for b in branches if b.status != "diverged" and getattr(b, field)]
    finals = [getattr(b, field)[-1] for b in kept]
    return float(np.mean(finals)) if finals else float("nan")


def _finite(value: float) -> bool:
    return value is not None and bool(np.isfinite(value))


def _nan_padded_mean(series: Sequence[Sequence]) -> np.ndarray:
    """Mean over seeds of per-epoch series whose lengths differ because a diverged seed stopped
    recording: each is padded with NaN to the longest, and the mean at an epoch is over the seeds
    that reached it (NaN where none did). np.mean over the ragged lists would raise instead."""
    arrays = [np.asarray(x, float) for x in series]
    longest = max(len(a) for a in arrays)
    tail = next((a.shape[1:] for a in arrays if len(a)), ())
    stacked = np.full((len(arrays), longest, *tail), np.nan)
    for i, a in enumerate(arrays):
        if len(a):
            stacked[i, : len(a)] = a
    with warnings.catch_warnings():  # "mean of empty slice" where every seed had diverged
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(stacked, axis=0)


# --- 1. Glorot & Bengio 2010 -----------------------------------------------------------------
# The paper's claim is about its "standard" initialisation U[−1/√n, 1/√n]; the verdict is judged
# on that run. The same networks under Glorot uniform (the paper's own fix, Keras's default) are
# trained beside it and shown, not judged.
GLOROT_STANDARD = TrainConfig(
    activations=("sigmoid", "tanh", "softsign"),
    dataset="mnist",
    samples=5000,
    val_fraction=0.1,
    model="mlp",
    depth=4,
    width=256,
    init="standard_uniform",
    optimizer="sgd",
    learning_rate=0.1,
    batch_size=32,
    epochs=10,
    seeds=3,
    diagnostics=True,
    data_seed=0,
)
GLOROT_CONFIG = dataclasses.replace(GLOROT_STANDARD, init="glorot_uniform")
SATURATED_MEDIAN = 0.1  # the top layer's median sigmoid output at or below this: saturated at 0
EARLY_EPOCHS = 3  # "early": after one of the first three epochs
ACCURACY_MARGIN = 0.02  # tanh and softsign each beat sigmoid by at least 2 accuracy points


class GlorotBengio(Experiment):
    id = "glorot-bengio-2010"
    name = "Glorot & Bengio 2010"
    title = "Sigmoid saturates its top hidden layer; tanh and softsign train better"
    claim = (
        "In a deep MLP with the usual initialisation, the sigmoid network's top hidden layer is "
        "driven to saturation (outputs near 0) early in training and recovers only slowly, so "
        "the sigmoid network learns more slowly; tanh and softsign networks do not get stuck "
        "this way and reach better accuracy."
    )
    citation = (
        "X. Glorot and Y. Bengio, “Understanding the difficulty of training deep feedforward "
        "neural networks”, AISTATS 2010: Figure 2 (sigmoid: mean and spread of each hidden "
        "layer's activations during learning; layer 4 drops to 0), Figure 3 (tanh and softsign "
        "percentiles), Table 1 (test errors)."
    )
    schedule = (
        "Reduced: 5,000 MNIST digits (4,500 train / 500 validation), an MLP of 4 hidden layers × "
        "256 units, SGD at learning rate 0.1, batch 32, 10 epochs, 3 seeds. Kernels are drawn "
        "from the paper's *standard* initialisation U[−1/√n, 1/√n] (n = fan-in; the Train "
        "page's “Standard U(±1/√fan_in)”), biases zero: the one its Figure 2 was measured under "
        "and the verdict is judged on. The same networks under Keras's Glorot uniform (the "
        "paper's *normalised* initialisation, its fix) are trained beside them and shown, not "
        "judged. Activation statistics come from the Train page's diagnostics: a fixed probe of "
        "500 validation digits after every epoch (not every few hundred updates)."
    )
    criterion = (
        f"Judged on the standard initialisation. (A) saturation: the sigmoid network's top (4th) "
        f"hidden layer's median output on the probe, at its lowest after one of the first "
        f"{EARLY_EPOCHS} epochs, is ≤ {SATURATED_MEDIAN:g} (mean over seeds). (B) accuracy: "
        f"after the last epoch, tanh's and softsign's validation accuracy each exceed sigmoid's "
        f"by at least {ACCURACY_MARGIN * 100:g} points (mean over seeds of the difference "
        "between networks of the same seed). Both: reproduced; one: partly reproduced; "
        "neither: not reproduced. A seed that diverges is left out of the numbers that need it; "
        f"when every seed of an activation diverged, a part that needs its numbers fails. "
        f"{SPREAD_RULE}"
    )
    short_criterion = (
        f"standard init: sigmoid top-layer median ≤ {SATURATED_MEDIAN:g} within {EARLY_EPOCHS} "
        f"epochs; tanh and softsign ≥ sigmoid + {ACCURACY_MARGIN * 100:g} accuracy points"
    )
    differs = (
        "5,000 MNIST digits and 10 epochs of SGD (paper: its own datasets, up to millions of "
        "updates), 4 hidden layers × 256 units (paper: 4–5 × 1,000), statistics on a 500-digit "
        "probe once per epoch, 3 seeds."
    )

    def configs(self):
        return (GLOROT_STANDARD, GLOROT_CONFIG)

    def measure(self, records, progress=_quiet):
        standard, glorot = records
        return {
            "layers": GLOROT_STANDARD.depth,
            "activations": _glorot_run(standard),  # the standard initialisation: judged
            "glorot_init": _glorot_run(glorot),  # Keras's Glorot uniform: shown
        }

    def verdict(self, measured):
        acts = measured["activations"]
        sigmoid = acts["sigmoid"]
        # Each seed's lowest early median; NaN (the seed diverged by then) is left out.
        saturates = at_most(Spread.of(sigmoid["seed_top_early"]), SATURATED_MEDIAN)
        gaps = {
            n: Spread.of(
                np.asarray(acts[n]["seed_accuracy"], float)
                - np.asarray(sigmoid["seed_accuracy"], float)
            )
            for n in ("tanh", "softsign")
        }
        better = all_of(*(at_least(g, ACCURACY_MARGIN) for g in gaps.values()))
        label = judge(_two_parts, a=saturates, b=better)
        text = (
            f"standard init, {_seeds(sigmoid['seed_accuracy'])}: sigmoid top-layer median "
            f"{Spread.of(sigmoid['seed_top_early']).text()} at best in epochs 1–{EARLY_EPOCHS}; "
            f"final accuracy sigmoid {Spread.of(sigmoid['seed_accuracy']).text()}, tanh − "
            f"sigmoid {gaps['tanh'].text(100)} points, softsign − sigmoid "
            f"{gaps['softsign'].text(100)} points"
        )
        return Verdict(label, text)


def _seeds(values) -> str:
    return f"{len(values)} seeds"


def _glorot_run(record: Comparison) -> dict:
    """One initialisation's numbers: per activation the seed-mean quantiles and saturated shares
    (for the charts), and per seed what the verdict reads."""
    out = {}
    top = GLOROT_STANDARD.depth - 1
    for name, branches in record.by_activation().items():
        # act_quantiles: epoch × layer × (5, 25, 50, 75, 95 %); entry 0 is initialisation.
        # A diverged seed stops recording: NaN-padded, so each epoch is the mean over the
        # seeds that reached it.
        quantiles = _nan_padded_mean([b.act_quantiles for b in branches])
        saturated = _nan_padded_mean([b.saturated for b in branches])
        early = []
        for b in branches:
            q = np.asarray(b.act_quantiles, float)
            medians = q[1 : EARLY_EPOCHS + 1, top, 2] if q.ndim == 3 else np.array([])
            finite = medians[np.isfinite(medians)]
            early.append(float(finite.min()) if finite.size else float("nan"))
        out[name] = {
            "quantiles": quantiles.tolist(),  # epoch × layer × 5
            "saturated": saturated.tolist(),  # epoch × layer
            "val_accuracy": _nan_padded_mean([b.val_metric for b in branches]).tolist(),
            "final_accuracy": _mean_over_seeds(record, name, "val_metric"),
            "seed_accuracy": [_final(b, "val_metric") for b in branches],
            "seed_top_early": early,
        }
    return out


def _final(branch, field: str) -> float:
    """A seed's last value of `field`; NaN when it diverged (left out of every spread)."""
    values = getattr(branch, field)
    return float(values[-1]) if branch.status != "diverged" and values else float("nan")


def _two_parts(a: bool, b: bool) -> str:
    return REPRODUCED if a and b else PARTLY if a or b else NOT_REPRODUCED


# --- 2. Dying ReLU at initialisation ---------------------------------------------------------
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
    name = "Dying ReLU at init"
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

    def measure(self, records=(), progress=_quiet):
        from activations import shared_catalogue
        from core.signal import signal_at_init

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
    from core.datasets import load_shared

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


# --- 3. Klambauer et al. 2017, SELU ----------------------------------------------------------
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

    def measure(self, records=(), progress=_quiet):
        from activations import shared_catalogue
        from core.signal import signal_at_init

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


# --- 4. Misra 2019, Mish ---------------------------------------------------------------------
MISH_DEPTHS = (15, 20, 25)
MISH_BASE = TrainConfig(
    activations=("relu", "silu", "mish"),
    dataset="mnist",
    samples=5000,
    val_fraction=0.1,
    model="mlp",
    depth=15,
    width=128,
    optimizer="adam",
    learning_rate=0.001,
    batch_size=128,
    epochs=5,
    seeds=3,
    diagnostics=False,
    data_seed=0,
)
SHARP_DROP = 0.10  # relu's and swish's accuracy falls ≥ 10 points from 15 to 25 layers
HOLDS_DROP = 0.03  # mish's falls ≤ 3 points
MNIST_CHANCE = 0.1  # ten classes
# Mish must train at 15 layers: a mish net at chance at both depths has a drop of 0, which
# would otherwise read as "holds" (added after review; the thresholds above are unchanged).
MISH_TRAINS_ABOVE_CHANCE = 0.20  # accuracy ≥ chance + 20 points at 15 layers


class MishHoldsWithDepth(Experiment):
    id = "misra-2019-mish"
    name = "Mish (Misra 2019)"
    title = "Deep MLPs on MNIST: ReLU and Swish fall apart with depth, Mish holds"
    claim = (
        "On MNIST, as a fully connected network grows from 15 to 25 layers, the test accuracy "
        "of ReLU and Swish networks drops sharply while Mish networks keep their accuracy."
    )
    citation = (
        "D. Misra, “Mish: A Self Regularized Non-Monotonic Neural Activation Function”, "
        "arXiv:1908.08681 (2019): the figure “Testing accuracy v/s number of layers on MNIST” "
        "(Fig. 2 of v2; Swish is silu in Keras)."
    )
    schedule = (
        "Reduced: 5,000 MNIST digits (4,500 train / 500 validation; accuracy is validation "
        f"accuracy), MLPs of {', '.join(map(str, MISH_DEPTHS))} hidden layers × 128 units, Glorot "
        "uniform kernels, Adam at 0.001, batch 128, 5 epochs, 3 seeds. No batch normalisation "
        "or dropout (the Train page has neither). The paper trained on the full dataset for "
        "longer; with 5 epochs a network that trains slowly looks worse here than it would."
    )
    criterion = (
        "Drop = validation accuracy at 15 layers − at 25 layers (mean over seeds of each seed's "
        f"drop). Mish's own claim: its drop is ≤ {HOLDS_DROP * 100:g} points and it actually "
        f"trains (its 15-layer accuracy is ≥ {(MNIST_CHANCE + MISH_TRAINS_ABOVE_CHANCE) * 100:g} "
        f"%: chance, {MNIST_CHANCE * 100:g} %, + {MISH_TRAINS_ABOVE_CHANCE * 100:g} points). "
        f"The contrast: relu's and silu's drops are each ≥ {SHARP_DROP * 100:g} points. Mish's "
        "claim and the contrast: reproduced. Mish's claim without the contrast: partly "
        "reproduced. Mish's claim fails: not reproduced, whatever relu and silu did. A seed "
        "that diverged is left out; when every seed diverged, the conditions that need its "
        f"numbers fail. {SPREAD_RULE}"
    )
    short_criterion = (
        f"15→25 layers: mish drops ≤ {HOLDS_DROP * 100:g} points (and is ≥ "
        f"{(MNIST_CHANCE + MISH_TRAINS_ABOVE_CHANCE) * 100:g} % at 15 layers); relu and silu "
        f"drop ≥ {SHARP_DROP * 100:g}"
    )
    differs = (
        "5,000 MNIST digits and 5 epochs of Adam (paper: the full dataset, longer training), "
        "width 128, no batch normalisation or dropout, validation instead of test accuracy, "
        "3 seeds."
    )

    def configs(self):
        return tuple(_replace(MISH_BASE, depth=d) for d in MISH_DEPTHS)

    def measure(self, records, progress=_quiet):
        names = MISH_BASE.activations
        accuracy = {n: [_mean_over_seeds(r, n, "val_metric") for r in records] for n in names}
        seeds = {
            n: [[_final(b, "val_metric") for b in r.by_activation()[n]] for r in records]
            for n in names
        }
        # accuracy: mean over seeds per depth; seed_accuracy: depth × seed
        return {"depths": list(MISH_DEPTHS), "accuracy": accuracy, "seed_accuracy": seeds}

    def verdict(self, measured):
        acc = {n: np.asarray(a, float) for n, a in measured["seed_accuracy"].items()}
        # Each seed's drop; a NaN (that seed diverged) is left out of the spread.
        drops = {n: Spread.of(a[0] - a[-1]) for n, a in acc.items()}
        mish_15 = Spread.of(acc["mish"][0])
        trains = at_least(mish_15, MNIST_CHANCE + MISH_TRAINS_ABOVE_CHANCE)
        holds = all_of(trains, at_most(drops["mish"], HOLDS_DROP))
        sharp = all_of(*(at_least(drops[n], SHARP_DROP) for n in ("relu", "silu")))
        label = judge(mish_label, holds=holds, sharp=sharp)
        text = f"{acc['mish'].shape[1]} seeds, accuracy drop 15→25 layers: " + ", ".join(
            f"{n} {drops[n].text(100)} points" for n in ("relu", "silu", "mish")
        )
        text += f"; mish at 15 layers {mish_15.text()}"
        text += " (did not train)" if trains is False else ""
        return Verdict(label, text)


def mish_label(holds: bool, sharp: bool) -> str:
    """The claim is that Mish keeps its accuracy while relu and silu lose theirs: when Mish's own
    part fails the claim fails, however much worse the others did (a smaller drop than
    theirs is not "keeps"); the contrast alone missing leaves it partly reproduced."""
    if not holds:
        return NOT_REPRODUCED
    return REPRODUCED if sharp else PARTLY


def _replace(config: TrainConfig, **changes) -> TrainConfig:
    import dataclasses

    return dataclasses.replace(config, **changes)


# --- 5. The tutorial's own example -----------------------------------------------------------
TUTORIAL_CONFIG = TrainConfig(
    activations=("elu_like",),
    dataset="random",
    samples=1000,
    val_fraction=0.2,
    model="mlp",
    depth=1,
    width=64,
    optimizer="adam",
    learning_rate=0.001,
    batch_size=32,
    epochs=10,
    seeds=3,
    diagnostics=False,
    data_seed=0,
)
VAR_Y = 1.0 / 12.0  # variance of U(0, 1)
NEAR_VAR_Y = (0.8, 1.25)  # validation MSE within these multiples of 1/12
BEATS_MEAN_BY = 0.05  # "learns nothing": validation MSE ≥ 95 % of the predict-the-mean MSE


class TutorialLearnsNothing(Experiment):
    id = "tutorial-random-regression"
    name = "The tutorial's example"
    title = "The tutorial's ELU-like example learns nothing beyond the mean of y"
    claim = (
        "The seed tutorial trains its ELU-like activation, tf.where(x > 0, x, tf.exp(x) − 1), "
        "in Dense(64) → Dense(1) on X = rand(1000, 10), y = rand(1000, 1) with Adam and MSE for "
        "10 epochs. y is noise independent of X, so no model can beat predicting its mean: the "
        "validation MSE stays near Var(y) = 1/12 ≈ 0.083. (This is our claim about the "
        "tutorial's example, not the tutorial's own: it presents the run as a demonstration.)"
    )
    citation = (
        "TensorFlow tutorial on custom activation functions (the app's seed): the ELU-like "
        "example trained on random regression data; Var(U(0, 1)) = 1/12."
    )
    schedule = (
        "As in the tutorial: 1,000 samples (seeded; 800 train / 200 validation), Dense(64, "
        "elu_like) → Dense(1), Adam at 0.001, batch 32, MSE, 10 epochs; 3 seeds. Not reduced."
    )
    criterion = (
        f"Final validation MSE (mean over seeds) (a) within {NEAR_VAR_Y[0]:g}–{NEAR_VAR_Y[1]:g} "
        f"× 1/12 and (b) at least {1 - BEATS_MEAN_BY:.0%} of the MSE of predicting the training "
        "mean of y on the validation set (it learns nothing beyond the mean). Both: reproduced; "
        "one: partly reproduced; neither: not reproduced. Seeds that diverged are left out of "
        f"the mean; if every seed diverged the MSE is NaN and both parts fail. {SPREAD_RULE}"
    )
    short_criterion = (
        f"val MSE within {NEAR_VAR_Y[0]:g}–{NEAR_VAR_Y[1]:g} × 1/12 and ≥ "
        f"{1 - BEATS_MEAN_BY:.0%} of predict-the-mean MSE"
    )
    differs = (
        "the tutorial's data, model and schedule as written; we add a 20 % validation split to "
        "measure on and train 3 seeds."
    )

    def configs(self):
        return (TUTORIAL_CONFIG,)

    def measure(self, records, progress=_quiet):
        from core.datasets import load_shared

        (record,) = records
        cfg = TUTORIAL_CONFIG
        data = load_shared(cfg.dataset, cfg.samples, cfg.val_fraction, cfg.noise, cfg.data_seed)
        baseline = float(np.mean((data.y_val - data.y_train.mean()) ** 2))
        branches = record.by_activation()["elu_like"]
        return {
            # A diverged seed stops recording: NaN-padded, mean over the seeds at each epoch.
            "val_mse": _nan_padded_mean([b.val_loss for b in branches]).tolist(),
            "train_mse": _nan_padded_mean([b.loss for b in branches]).tolist(),
            "final_val_mse": _mean_over_seeds(record, "elu_like", "val_loss"),
            "seed_val_mse": [_final(b, "val_loss") for b in branches],
            "mean_baseline": baseline,
            "var_y": VAR_Y,
        }

    def verdict(self, measured):
        mse, baseline = Spread.of(measured["seed_val_mse"]), measured["mean_baseline"]
        # No seed left (every one diverged): n = 0, and both parts fail.
        near = all_of(at_least(mse, NEAR_VAR_Y[0] * VAR_Y), at_most(mse, NEAR_VAR_Y[1] * VAR_Y))
        nothing = at_least(mse, (1.0 - BEATS_MEAN_BY) * baseline)
        ratio = Spread(mse.mean / VAR_Y, mse.std / VAR_Y, mse.n)
        text = (
            f"{mse.n} seeds: final validation MSE {mse.text(digits=3)} = {ratio.text()} × 1/12; "
            f"predicting the mean gives {baseline:.4f} (ratio {mse.mean / baseline:.2f})"
        )
        return Verdict(judge(_two_parts, a=near, b=nothing), text)


# --- 6. Schoenholz et al. 2017, the edge of chaos -----------------------------------------------
EOC_SIGMA_W2 = (0.5, 1.0, 1.761, 3.0, 8.0)  # ordered, ordered, critical (at σ_b² 0.05), chaotic ×2
EOC_SIGMA_B2 = 0.05
EOC_DEPTHS = (4, 8, 16, 32, 64)
EOC_BASE = TrainConfig(
    activations=("tanh",),
    dataset="mnist",
    samples=2000,
    val_fraction=0.1,
    model="mlp",
    depth=EOC_DEPTHS[0],
    width=128,
    init="mean_field",
    sigma_w2=EOC_SIGMA_W2[0],
    sigma_b2=EOC_SIGMA_B2,
    optimizer="rmsprop",
    learning_rate=0.001,
    batch_size=64,
    epochs=3,
    seeds=3,
    diagnostics=False,
    data_seed=0,
)
EOC_TRAINS = 0.5  # a network "trains": last-epoch training accuracy ≥ 50 % (chance: 10 %)
EOC_SHARE = 0.8  # each prediction must hold in at least 80 % of its cells
EOC_BEYOND = 2.0  # "well beyond": depth ≥ 2 × 6 ξ_c
EOC_CURVE_POINTS = 61  # ξ_c on a fine σ_w² grid, for the figure's 6 ξ_c line
TRAINABLE_XI = 6.0  # core.theory.TRAINABLE_XI (not imported here: it loads TensorFlow)


class EdgeOfChaos(Experiment):
    id = "schoenholz-2017-edge-of-chaos"
    name = "Edge of chaos (Schoenholz 2017)"
    title = "Random tanh networks train only up to about 6 ξ_c layers"
    claim = (
        "Mean-field theory gives a depth scale ξ_c over which a random network keeps two inputs "
        "apart (and gradients flowing); it diverges at the edge of chaos (χ1 = 1) and is short "
        "deep in the ordered or the chaotic phase. Networks are trainable only when their depth "
        "is below about 6 ξ_c: deep networks train only near the edge of chaos."
    )
    citation = (
        "S. S. Schoenholz, J. Gilmer, S. Ganguli, J. Sohl-Dickstein, “Deep Information "
        "Propagation”, ICLR 2017, arXiv:1611.01232: Figure 5 and Section 5 (training accuracy "
        "over σ_w² × depth on MNIST and CIFAR-10, with 6 ξ_c drawn over it)."
    )
    schedule = (
        f"tanh MLPs of width 128, weights N(0, σ_w²/fan_in) and biases N(0, σ_b²) with σ_b² = "
        f"{EOC_SIGMA_B2:g} (the Train page's Gaussian initialisation) at σ_w² = "
        f"{', '.join(f'{v:g}' for v in EOC_SIGMA_W2)} (critical: 1.761) and depths "
        f"{', '.join(map(str, EOC_DEPTHS))}; 2,000 MNIST digits (1,800 train), RMSProp at "
        "Keras's default rate 0.001 (untuned), batch 64, 3 epochs (about 85 steps), 3 seeds "
        "per cell; ξ_c from the app's mean-field theory (core/theory.py) at each σ_w²."
    )
    criterion = (
        f"A cell (σ_w², depth) trains when its training accuracy over the last epoch (mean over "
        f"3 seeds; a diverged seed counts as chance, 10 %) is ≥ {EOC_TRAINS:.0%}. (1) Of the "
        f"cells with depth ≤ 6 ξ_c, at least {EOC_SHARE:.0%} train. (2) Of the cells well "
        f"beyond, depth ≥ {EOC_BEYOND:g} × 6 ξ_c, at least {EOC_SHARE:.0%} do not train. Cells "
        "in between are not judged. Both: reproduced; one: partly reproduced; neither: not "
        "reproduced; a part with no cells fails. A cell whose mean is within one standard "
        "deviation (over its seeds) of the threshold is undecided and counts both ways; a part "
        "that holds one way and fails the other is undecided, and a verdict that depends on an "
        "undecided part is “inconclusive”."
    )
    short_criterion = (
        f"≥ {EOC_SHARE:.0%} of cells with depth ≤ 6 ξ_c reach {EOC_TRAINS:.0%} training accuracy "
        f"and ≥ {EOC_SHARE:.0%} of cells with depth ≥ 12 ξ_c do not"
    )
    differs = (
        "width 128 (paper: 300), 2,000 MNIST digits and 3 epochs of RMSProp, about 85 steps "
        "(paper: full MNIST and CIFAR-10, SGD and RMSProp, thousands of steps), a 5 × 5 grid "
        "(paper: a fine one), 3 seeds per cell."
    )

    def configs(self):
        return tuple(
            _replace(EOC_BASE, sigma_w2=w, depth=d) for w in EOC_SIGMA_W2 for d in EOC_DEPTHS
        )

    def train_links(self):
        # 25 runs: the deepest net in the ordered phase, at the edge and in the chaotic phase.
        deepest = [c for c in self.configs() if c.depth == EOC_DEPTHS[-1]]
        picked = [c for c in deepest if c.sigma_w2 in (1.0, 1.761, 8.0)]
        return tuple((f"Open σ_w² {c.sigma_w2:g}, {c.depth} layers on Train", c) for c in picked)

    def measure(self, records, progress=_quiet):
        import tensorflow as tf

        from core.theory import Propagation

        by_cell = iter(records)
        accuracy = []  # σ_w² × depth × seed
        for _ in EOC_SIGMA_W2:
            row = []
            for _ in EOC_DEPTHS:
                branches = next(by_cell).by_activation()["tanh"]
                row.append([_last_or_chance(b) for b in branches])
            accuracy.append(row)
        theory = Propagation(tf.math.tanh)
        fine = np.geomspace(min(EOC_SIGMA_W2), max(EOC_SIGMA_W2), EOC_CURVE_POINTS)
        return {
            "sigma_w2": list(EOC_SIGMA_W2),
            "sigma_b2": EOC_SIGMA_B2,
            "depths": list(EOC_DEPTHS),
            "accuracy": accuracy,
            "xi_c": theory.measures(np.asarray(EOC_SIGMA_W2), EOC_SIGMA_B2).xi_c.tolist(),
            "curve": {
                "sigma_w2": fine.tolist(),
                "xi_c": theory.measures(fine, EOC_SIGMA_B2).xi_c.tolist(),
            },
        }

    def verdict(self, measured):
        inside, beyond = [], []
        for row, xi in zip(measured["accuracy"], measured["xi_c"], strict=True):
            limit = TRAINABLE_XI * float(xi)
            for cell, depth in zip(row, measured["depths"], strict=True):
                trains = at_least(Spread.of(cell), EOC_TRAINS)
                if depth <= limit:
                    inside.append(trains)
                elif depth >= EOC_BEYOND * limit:
                    beyond.append(negate(trains))
        first, second = share_holds(inside, EOC_SHARE), share_holds(beyond, EOC_SHARE)
        label = judge(_two_parts, a=first, b=second)

        def count(cells, what):
            sure = sum(c is True for c in cells)
            undecided = sum(c is None for c in cells)
            extra = f" ({undecided} undecided)" if undecided else ""
            return f"{sure}/{len(cells)} {what}{extra}"

        text = (
            f"depth ≤ 6 ξ_c: {count(inside, 'cells train')}; depth ≥ 12 ξ_c: "
            f"{count(beyond, 'cells do not')}"
        )
        return Verdict(label, text)


def _last_or_chance(branch) -> float:
    """A network's last-epoch training accuracy; chance when it diverged (it did not train)."""
    if branch.status == "diverged" or not branch.metric:
        return MNIST_CHANCE
    return float(branch.metric[-1])


EXPERIMENTS: dict[str, Experiment] = {
    e.id: e
    for e in (
        GlorotBengio(),
        DyingRelu(),
        SeluSelfNormalises(),
        MishHoldsWithDepth(),
        TutorialLearnsNothing(),
        EdgeOfChaos(),
    )
}


def get(experiment_id: str) -> Experiment:
    if experiment_id not in EXPERIMENTS:
        known = ", ".join(EXPERIMENTS)
        raise ValueError(f"Unknown experiment {experiment_id!r}; choose one of {known}")
    return EXPERIMENTS[experiment_id]


def digest(experiment: Experiment) -> str:
    """A short fingerprint of what a result was measured and judged under: the training
    configurations, the schedule (which states the init experiments' widths, depths and seeds)
    and the criterion text. A saved result whose digest differs was measured or judged by an
    older definition and is not shown as this experiment's result."""
    text = json.dumps(
        {
            "id": experiment.id,
            "configs": [repr(c) for c in experiment.configs()],
            "schedule": experiment.schedule,
            "criterion": experiment.criterion,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def run(experiment: Experiment, train: Train, progress: Progress = _quiet) -> dict:
    """Run `experiment` (training its configurations with `train`), judge it, and return the
    result as plain data: measured numbers, verdict, the date and how long it took."""
    started = time.perf_counter()
    records = []
    configs = experiment.configs()
    for i, config in enumerate(configs):
        progress(i / max(1, len(configs)), f"training run {i + 1}/{len(configs)}")
        records.append(train(config))
    measured = experiment.measure(records, progress)
    verdict = experiment.verdict(measured)
    return {
        "id": experiment.id,
        "digest": digest(experiment),
        "measured": measured,
        "verdict": verdict.label,
        "verdict_measured": verdict.measured,
        "date": datetime.date.today().isoformat(),
        "seconds": time.perf_counter() - started,
    }


def verdict_line(experiment: Experiment, result: dict) -> str:
    """The bench's line for one experiment."""
    return (
        f"experiment {experiment.id}: verdict = {result['verdict']} (measured "
        f"{result['verdict_measured']}, criterion {experiment.short_criterion})"
    )
