"""Issue 34's rescue: of the activations a vanilla 50-layer MLP cannot train on MNIST-1D under
Glorot initialisation, how many train after "make it trainable" (Deep Kernel Shaping's transform
at depth 50, core/study/trainable.py, under orthogonal initialisation)?"""

from __future__ import annotations

import dataclasses
import functools

from core.study.experiments.experiment import (
    NOT_REPRODUCED,
    REPRODUCED,
    SPREAD_RULE,
    Customs,
    Experiment,
    Spread,
    Verdict,
    all_of,
    at_least,
    at_most,
    judge,
    quiet,
)
from core.train.settings import TrainConfig

DEPTH = 50
CHANCE = 0.10  # MNIST-1D has ten classes
FAILS_AT_MOST = CHANCE + 0.10  # "cannot train": within 10 points of chance
RESCUED_AT_LEAST = 0.60
MIN_FAILING, GOAL = 20, 15  # the issue's: ≥ 15 rescued of ≥ 20 that cannot train
SUFFIX = "_dks"
# Built-ins the expression grammar can spell (the transform wraps that text), and typed ones.
BUILTINS = (
    "relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softplus", "selu", "mish",
    "celu", "hard_sigmoid", "hard_silu", "hard_tanh", "log_sigmoid", "tanh_shrink",
    "squareplus", "softsign", "relu6", "sparse_plus", "soft_shrink", "sparse_sigmoid",
)  # fmt: skip
TYPED = (
    ("typed_sin", "sin(x)"),
    ("typed_x_erf", "x * erf(x)"),
    ("typed_tanh_leak", "tanh(x) + 0.1 * x"),
    ("typed_gelu_sig", "x * sigmoid(1.702 * x)"),
    ("typed_cube_root", "sign(x) * pow(abs(x) + 1e-6, 1 / 3)"),
)
NAMES = (*BUILTINS, *(name for name, _ in TYPED))
GLOROT = TrainConfig(
    activations=NAMES,
    dataset="mnist1d",
    samples=0,  # all 5,000 signals: 4,000 to train, 1,000 to validate
    val_fraction=0.2,
    model="mlp",
    depth=DEPTH,
    width=64,
    init="glorot_uniform",
    optimizer="adam",
    learning_rate=1e-3,
    batch_size=128,
    epochs=20,
    seeds=3,
)
SMOKE_NAMES = ("relu", "tanh", "typed_sin")  # a built-in with a rule of its own, one without


def transformed(config: TrainConfig) -> TrainConfig:
    """The same runs with each activation's transform, under orthogonal initialisation."""
    names = tuple(n + SUFFIX for n in config.activations)
    return dataclasses.replace(config, activations=names, init="orthogonal")


@functools.lru_cache(maxsize=2)
def transforms(names: tuple[str, ...] = NAMES) -> tuple[Customs, dict[str, str]]:
    """Each activation's transformed custom (name + SUFFIX, expression) and a note on it:
    "solved", or why there is no transform (then the custom is the activation itself, trained
    as the others are but never counted as rescued). Solved once a process (seconds each)."""
    from activations import shared_catalogue
    from activations.expression import custom_activation
    from core.study import trainable

    catalogue = shared_catalogue().with_customs(custom_activation(n, t) for n, t in TYPED)
    customs, notes = [], {}
    for name in names:
        act = catalogue.get(name)
        inner = trainable.inner_text(act)
        if inner is None:  # every name above has a spelling (a test holds them to it)
            raise ValueError(f"{name} has no expression text to transform")
        t = trainable.of_activation(act, DEPTH)
        notes[name] = t.problem or "solved"
        customs.append((name + SUFFIX, t.expression(inner) if t.found else inner))
    return tuple(customs), notes


def _finals(record, names) -> dict[str, list[float]]:
    """Each activation's final validation accuracy per seed; a diverged seed counts as chance (it
    did not train)."""
    groups = record.by_activation()
    out = {}
    for name in names:
        out[name] = [
            float(b.val_metric[-1]) if b.status != "diverged" and b.val_metric else CHANCE
            for b in groups[name]
        ]
    return out


def judged(measured: dict) -> tuple[dict[str, bool | None], dict[str, bool | None]]:
    """Per activation, by the criterion (None: undecided by the seeds' spread): whether it
    cannot train under Glorot, and whether it was rescued (it cannot train, its transform was
    solved, and it reaches RESCUED_AT_LEAST after)."""
    names = measured["activations"]
    fails = {n: at_most(Spread.of(measured["glorot"][n]), FAILS_AT_MOST) for n in names}
    rescued = {
        n: all_of(
            fails[n],
            measured["transform"][n] == "solved"
            and at_least(Spread.of(measured["transformed"][n]), RESCUED_AT_LEAST),
        )
        for n in names
    }
    return fails, rescued


def _count(cells, at_least_n: int) -> bool | None:
    """At least `at_least_n` of `cells` hold, undecided cells counted both ways."""
    sure = sum(c is True for c in cells)
    maybe = sum(c is not False for c in cells)
    return True if sure >= at_least_n else False if maybe < at_least_n else None


class DksRescues(Experiment):
    id = "martens-2021-dks-rescue"
    name = "DKS rescue"
    title = "Deep Kernel Shaping makes a vanilla 50-layer MLP trainable with any activation"
    claim = (
        "A deep vanilla network (no normalisation, no skip connections) that does not train "
        "under a standard initialisation trains once its activation is transformed so that the "
        "network's kernel maps stay well behaved: φ̂(x) = γ·(f(α·x + β) + δ), with α, β, γ, δ "
        "solved so lengths are kept and the correlation map's slope over all L layers is ζ."
    )
    citation = (
        "J. Martens, A. Ballard, G. Desjardins, G. Swirszcz, V. Dalibard, J. Sohl-Dickstein, "
        "S. S. Schoenholz, “Rapid training of deep neural networks without skip connections or "
        "normalization layers using Deep Kernel Shaping”, arXiv 2110.01765 (2021); the "
        "conditions as google-deepmind/dks solves them."
    )
    schedule = (
        f"MNIST-1D (the mnist1d package: 4,000 training and 1,000 validation signals of 40 "
        f"samples, 10 classes); a plain MLP of {DEPTH} hidden layers × {GLOROT.width} units; "
        f"Adam at {GLOROT.learning_rate:g}, batch {GLOROT.batch_size}, {GLOROT.epochs} epochs; "
        f"seeds 0–{GLOROT.seeds - 1}. {len(NAMES)} activations ({len(BUILTINS)} built-ins and "
        f"{len(TYPED)} typed: " + ", ".join(f"{n} = {t}" for n, t in TYPED) + "), first "
        "under Glorot uniform, then each one's DKS transform (ζ = 1.5 over the 50 layers, "
        "the Custom page's “Make it trainable”) under orthogonal initialisation, zero biases."
    )
    criterion = (
        f"“Cannot train”: under Glorot uniform the final validation accuracy is at most "
        f"{FAILS_AT_MOST:.0%} (within 10 points of chance); a diverged seed counts as chance. "
        f"“Rescued”: one that cannot train whose transform was solved reaches at least "
        f"{RESCUED_AT_LEAST:.0%} after the transform. Reproduced when at least {MIN_FAILING} "
        f"cannot train and at least {GOAL} of them are rescued; otherwise not reproduced. "
        f"{SPREAD_RULE}"
    )
    short_criterion = (
        f"≥ {GOAL} of ≥ {MIN_FAILING} that cannot train (≤ {FAILS_AT_MOST:.0%} under Glorot) "
        f"reach ≥ {RESCUED_AT_LEAST:.0%} after the transform, depth {DEPTH}"
    )
    differs = (
        f"Adam instead of K-FAC, width {GLOROT.width} instead of thousands of units, MNIST-1D "
        f"instead of ImageNet, {GLOROT.epochs} epochs, {GLOROT.seeds} seeds."
    )

    def __init__(self, names: tuple[str, ...] = NAMES):
        self.names = names
        self.glorot = dataclasses.replace(GLOROT, activations=names)

    def smoke(self) -> DksRescues:
        # Three activations instead of 27: the 27 networks' graphs alone take minutes to build
        # and the 27 transforms a minute to solve; the path (typed customs, solved transforms,
        # two runs, the count) is the same.
        return DksRescues(SMOKE_NAMES)

    def configs(self):
        return (self.glorot, transformed(self.glorot))

    def link_customs(self):
        return tuple((n, t) for n, t in TYPED if n in self.names)

    def train_links(self):
        # The transformed customs are solved by the run (seconds each, with TensorFlow), not by
        # the page; after a run its records bring them (the "training runs on Runs" link).
        return (("Open the Glorot run on Train", self.glorot),)

    def customs(self, progress=quiet):
        count = f"{len(self.names)} activations"
        progress(0.0, f"solving the transform of {count} at depth {DEPTH} (seconds each)")
        solved, _ = transforms(self.names)
        return (*self.link_customs(), *solved)

    def measure(self, records, progress=quiet):
        glorot, after = records
        _, notes = transforms(self.names)
        finals = _finals(after, [n + SUFFIX for n in self.names])
        return {
            "activations": list(self.names),
            "glorot": _finals(glorot, self.names),
            "transformed": {n: finals[n + SUFFIX] for n in self.names},
            "transform": notes,
            "expressions": {
                n: after.customs.get(n + SUFFIX, {}).get("expression", "") for n in self.names
            },
        }

    def verdict(self, measured):
        names = measured["activations"]
        fails, rescued = judged(measured)
        enough = _count(list(fails.values()), MIN_FAILING)
        many = _count(list(rescued.values()), GOAL)
        label = judge(lambda a, b: REPRODUCED if a and b else NOT_REPRODUCED, a=enough, b=many)
        failing = [n for n in names if fails[n] is True]
        best = max(names, key=lambda n: Spread.of(measured["transformed"][n]).mean)
        text = (
            f"{len(failing)} of {len(names)} cannot train under Glorot "
            f"({sum(v is None for v in fails.values())} undecided); rescued "
            f"{sum(v is True for v in rescued.values())} of them "
            f"({sum(v is None for v in rescued.values())} undecided); best after the transform "
            f"{best} {Spread.of(measured['transformed'][best]).text(100)} %"
        )
        return Verdict(label, text)
