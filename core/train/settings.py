"""The training settings: one table, a row per field of `TrainConfig`, with its URL name, range or
choices, default and widget. `TrainConfig` declares the fields (in the table's order, with the
table's defaults: a test checks both); its `problems()`, the Train page's URL fields and its
widgets are generated from the table.

No TensorFlow here: the run store and the exports read configurations without it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.train.datasets import DATASETS

# The values the Train page's sliders and its learning-rate sweep offer. Configurations built in
# code (tests, benchmarks, sweeps) may use any value in the setting's range.
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
BATCH_SIZES = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
MODELS = {
    "mlp": "MLP",
    "cnn": "small CNN (MNIST)",
    "residual": "residual MLP (pre-LN)",
    "transformer": "Transformer (text)",
}
# The blocks' limits: the Transformer is tiny on purpose (a comparison trains K of them on CPU).
TRANSFORMER_WIDTHS = (32, 64, 128, 256)
TRANSFORMER_MAX_DEPTH = 8
OPTIMIZERS = ("adam", "sgd", "rmsprop")


@dataclass(frozen=True)
class Initialiser:
    """One way a network's kernels start, for every page that initialises a network (Train,
    Sweep, Depth): its label, Keras's own initializer class when there is one (drawn with the
    seed of (seed, layer)), and its σ_w² = N·Var(W_ij) on square layers, where mean-field theory
    places it (None: the user sets σ_w²)."""

    label: str
    keras_class: str | None
    sigma_w2: float | None


# The one table of kernel initialisations (core/train/network/models.py `Init` draws them,
# seeded by (seed, layer); biases start at zero except under "mean_field"). Labels short enough
# for the Train page's select box at 1280 px (its help says the rest). σ_w²: Glorot's
# 2 / (fan_in + fan_out) and LeCun's 1 / fan_in give 1 on square layers, He's 2 / fan_in gives
# 2, an orthogonal kernel's rows have unit length (1 / N per entry), and U(±1/√fan_in) has
# variance 1 / (3 fan_in).
INITIALISERS = {
    "glorot_uniform": Initialiser("Glorot uniform (default)", "GlorotUniform", 1.0),
    "glorot_normal": Initialiser("Glorot normal", "GlorotNormal", 1.0),
    "he_normal": Initialiser("He normal", "HeNormal", 2.0),
    "lecun_normal": Initialiser("LeCun normal", "LecunNormal", 1.0),
    "orthogonal": Initialiser("Orthogonal", "Orthogonal", 1.0),
    # Glorot & Bengio 2010's "standard" initialisation, the one their saturation result is about.
    "standard_uniform": Initialiser("Standard U(±1/√fan_in)", None, 1 / 3),
    # The mean-field papers' network (Poole et al. 2016, Schoenholz et al. 2017).
    "mean_field": Initialiser("Gaussian, σ_w² and σ_b²", None, None),
    # The same Gaussian network, each activation at its own critical σ_w² (χ1 = 1) at σ_b²
    # (Schoenholz et al. 2017): core/train/theory.py edge_sigma_w2 solves for it.
    "edge_of_chaos": Initialiser("Edge of chaos, per activation", None, None),
}
INITS = {key: init.label for key, init in INITIALISERS.items()}
GRANULARITIES = ("layer", "unit")  # activations/learnable.py says what each means
# "Fair comparison": five rates a decade apart around each rule's usual rate (Keras's default
# 1e-3 for Adam and RMSprop, 1e-2 for SGD). Wide on purpose: half-decade presets
# (1e-4 … 1e-2 for Adam) put every activation's best rate at the top edge on short MNIST runs,
# which is a truncated sweep, not a fair one.
FAIR_RATES = {
    "adam": (1e-5, 1e-4, 1e-3, 1e-2, 0.1),
    "rmsprop": (1e-5, 1e-4, 1e-3, 1e-2, 0.1),
    "sgd": (1e-4, 1e-3, 1e-2, 0.1, 1.0),
}


@dataclass(frozen=True)
class Setting:
    """One field of a training configuration.

    `kind` is how values are checked: "int" and "float" within [low, high], "choice" one of
    `choices`, "names" a non-empty list without repeats, "params" activation parameters (checked
    by the activation itself), "learn" learnable activation parameters (each "layer" or "unit";
    their ranges and derivatives are checked against the activation before training), "bool" on
    or off, "rates" a list of "float"s without repeats (empty allowed). For "int"/"float"
    settings with `choices`, the
    widget offers those values and a link may only name one of them; code may use any value in
    range.
    """

    name: str
    param: str | None  # the URL name; links shared earlier depend on it, so it never changes
    label: str
    default: Any
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    labels: Mapping[Any, str] | None = None  # how a choice is shown
    widget: str = ""  # "multiselect", "select", "radio", "slider", "select_slider", "number",
    # "toggle"
    # Where the Train page draws it: "top", full-width rows above the columns (for long values:
    # activation chips, dataset names), the column "data", "model" or "fit", or "below", a row
    # under the columns (the learning rates: the sweep's chips).
    group: str = ""
    step: float | None = None
    help: str = ""
    shown_when: Callable[[Mapping[str, Any]], bool] | None = None  # given the values so far
    disabled_when: Callable[[Mapping[str, Any]], bool] | None = None

    @property
    def type(self) -> type:
        kinds = {"int": int, "float": float, "choice": str, "names": tuple, "params": tuple}
        kinds["learn"] = tuple
        return {**kinds, "bool": bool, "rates": tuple}[self.kind]

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value` for this setting, in words a user can act on."""
        what = self.label.split(" (")[0]
        if self.kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool) and self._in_range(value)
            return (
                None if ok else f"{what} must be a whole number from {self._range()} (got {value})."
            )
        if self.kind == "float":
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok = number and math.isfinite(value) and self._in_range(value)
            return None if ok else f"{what} must be a number from {self._range()} (got {value})."
        if self.kind == "choice":
            ok = value in self.choices
            return None if ok else f"{what} must be one of {', '.join(map(str, self.choices))}."
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"{what} must be on or off."
        if self.kind == "learn":
            bad = [f"{a}.{p}" for a, learn in value for p, g in learn if g not in GRANULARITIES]
            if bad:
                return f"A learned parameter is learned per layer or per unit ({bad[0]})."
        if self.kind == "names":
            if not value:
                return "Choose at least one activation."
            if len(set(value)) != len(value):
                return "Each activation can be chosen once."
        if self.kind == "rates":
            numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            if not numbers or not all(math.isfinite(v) and self._in_range(v) for v in value):
                return f"{what} must be numbers from {self._range()} (got {value})."
            if len(set(value)) != len(value):
                return f"{what}: each rate can be chosen once."
        return None

    def offered(self, value: Any) -> bool:
        """Whether a widget (and so a link) can show `value`."""
        if self.kind == "rates":
            return self.problem(value) is None and set(value) <= set(self.choices)
        return self.problem(value) is None and (not self.choices or value in self.choices)

    def _in_range(self, value: float) -> bool:
        # Only "int", "float" and "rates" settings ask, and every one of them has both limits.
        assert self.low is not None and self.high is not None
        return self.low <= value <= self.high

    def _range(self) -> str:
        return f"{self.low:g} to {self.high:g}"

    def range_text(self) -> str:
        """The limits in words, for a widget's help."""
        return f"From {self._range()}." if self.low is not None and self.high is not None else ""


def _is(field: str, value: Any) -> Callable[[Mapping[str, Any]], bool]:
    return lambda values: values.get(field) == value


def _is_not(field: str, value: Any) -> Callable[[Mapping[str, Any]], bool]:
    return lambda values: values.get(field) != value


SETTINGS = (
    Setting(
        name="activations",
        param="act",
        label="Activations",
        default=("relu", "tanh", "sigmoid", "SinActivation"),
        kind="names",
        widget="multiselect",
        group="top",
        help="Built-ins, the tutorial's customs and yours from the Custom page.",
    ),
    Setting(
        name="activation_params",
        param=None,
        label="Activation parameters",
        default=(),
        kind="params",
    ),
    Setting(
        name="learnable",
        param=None,
        label="Learned activation parameters",
        default=(),
        kind="learn",
    ),
    Setting(
        name="dataset",
        param="data",
        label="Dataset",
        default="mnist",
        kind="choice",
        choices=tuple(DATASETS),
        labels=DATASETS,
        widget="select",
        group="top",
    ),
    Setting(
        name="samples",
        param="n",
        label="Samples (0 = all)",
        default=0,
        kind="int",
        low=0,
        high=70000,
        widget="number",
        step=500,
        group="data",
        help="Take this many samples before the validation split.",
    ),
    Setting(
        name="val_fraction",
        param="val",
        label="Validation share",
        default=0.1,
        kind="float",
        low=0.05,
        high=0.5,
        widget="slider",
        step=0.05,
        group="data",
    ),
    Setting(
        name="noise",
        param="noise",
        label="Noise σ",
        default=1.0,
        kind="float",
        low=0.0,
        high=5.0,
        widget="slider",
        step=0.1,
        group="data",
        shown_when=_is("dataset", "friedman"),
    ),
    Setting(
        name="model",
        param="model",
        label="Model",
        default="mlp",
        kind="choice",
        choices=tuple(MODELS),
        labels=MODELS,
        widget="radio",
        group="model",
        help="MLP: Dense layers. Residual MLP: blocks x + FFN(LayerNorm(x)), the FFN 4× the "
        "width. Transformer: a tiny decoder over characters (4 heads, context 64, FFN 4× the "
        "width), for Python's own source. Gated units (swiglu, …) get 2/3 of the FFN's "
        "width, twice, so every network has the same parameters (Shazeer 2020).",
    ),
    Setting(
        name="depth",
        param="depth",
        label="Hidden layers",
        default=1,
        kind="int",
        low=1,
        # 100: the Experiments page's edge-of-chaos sweep (Schoenholz et al. 2017) trains up to
        # 64 layers; the Depth page also goes to 100.
        high=100,
        widget="slider",
        group="model",
        disabled_when=_is("model", "cnn"),
    ),
    Setting(
        name="width",
        param="width",
        label="Width",
        default=128,
        kind="int",
        low=1,
        high=1024,
        choices=WIDTHS,
        widget="select_slider",
        group="model",
    ),
    Setting(
        name="init",
        param="init",
        label="Initialisation",
        default="glorot_uniform",
        kind="choice",
        choices=tuple(INITS),
        labels=INITS,
        widget="select",
        group="model",
        help="How every layer's kernel is drawn (seeded by seed and layer). Glorot uniform: "
        "Keras's default; Glorot normal, He normal, LeCun normal and Orthogonal: Keras's own "
        "initializers of those names. Standard: Glorot & Bengio's U(±1/√fan_in). Gaussian: the "
        "mean-field papers' network, kernels N(0, σ_w²/fan_in) and biases N(0, σ_b²), σ_w² and "
        "σ_b² below. Edge of chaos: that network with each activation at its own critical σ_w² "
        "(χ1 = 1, mean-field theory) at the σ_b² below.",
    ),
    Setting(
        name="sigma_w2",
        param="sw2",
        label="σ_w² (weight variance × fan-in)",
        default=1.0,
        kind="float",
        low=0.01,
        high=20.0,
        widget="number",
        step=0.05,
        group="model",
        help="Gaussian initialisation only: kernels are N(0, σ_w²/fan_in) (under the edge of "
        "chaos each activation gets its own, solved when the run starts).",
        disabled_when=_is_not("init", "mean_field"),
    ),
    Setting(
        name="sigma_b2",
        param="sb2",
        label="σ_b² (bias variance)",
        default=0.05,
        kind="float",
        low=0.0,
        high=5.0,
        widget="number",
        step=0.01,
        group="model",
        help="Gaussian and edge-of-chaos initialisations: biases are N(0, σ_b²).",
        disabled_when=lambda values: values.get("init") not in ("mean_field", "edge_of_chaos"),
    ),
    Setting(
        name="optimizer",
        param="opt",
        label="Optimiser",
        default="adam",
        kind="choice",
        choices=OPTIMIZERS,
        widget="select",
        group="model",
    ),
    Setting(
        name="learning_rates",
        param="lrs",
        label="Learning-rate sweep",
        default=(),  # no sweep: every network trains at `learning_rate`
        kind="rates",
        low=1e-07,
        high=10.0,
        choices=LEARNING_RATES,
        widget="rates",
        group="below",
        help="Train every activation and seed at each of these rates, all in one run; results "
        "show each activation at its best rate (lowest final validation loss, mean over "
        "seeds). Empty: one rate, below.",
    ),
    Setting(
        name="learning_rate",
        param="lr",
        label="Learning rate",
        default=0.001,
        kind="float",
        low=1e-07,
        high=10.0,
        # Typed, not picked from LEARNING_RATES: an exact rate (3e-4, 2.5e-4) from a paper or
        # a tutorial must be reachable, and a link may carry any rate in range.
        widget="number",
        step=1e-4,
        group="below",
        help="Type any rate from 1e-07 to 10, e.g. 3e-4 or 0.0003.",
        disabled_when=lambda values: bool(values.get("learning_rates")),
    ),
    Setting(
        name="batch_size",
        param="bs",
        label="Batch size",
        default=256,
        kind="int",
        low=1,
        high=65536,
        choices=BATCH_SIZES,
        widget="select_slider",
        group="fit",
    ),
    Setting(
        name="epochs",
        param="ep",
        label="Epochs",
        default=5,
        kind="int",
        low=1,
        high=200,  # each epoch rewrites the stored run: thousands would slow the store down
        widget="number",
        group="fit",
        help="From 1 to 200. Every finished epoch is saved; Stop keeps the epochs done.",
    ),
    Setting(
        name="seeds",
        param="seeds",
        label="Seeds",
        default=1,
        kind="int",
        low=1,
        high=5,
        widget="slider",
        group="fit",
        help="Train each activation from this many initialisations; charts show mean ± std.",
    ),
    Setting(
        name="diagnostics",
        param="inside",
        label="Inside the network",
        default=True,
        kind="bool",
        widget="toggle",
        group="fit",
        help="Each epoch, record per-layer statistics on a fixed probe batch of validation "
        "samples: activation distributions, dead and saturated units, gradient norms. Shown "
        "under the results; costs a few percent of an epoch.",
    ),
    Setting(
        name="data_seed",
        param="dseed",
        label="Data seed",
        default=0,
        kind="int",
        low=0,
        high=10000,
        widget="number",
        group="data",
        help="Decides the split and the batch order, the same for every activation.",
    ),
)
BY_NAME = {s.name: s for s in SETTINGS}


def _default(name: str) -> Any:
    """The settings table's default for field `name` of TrainConfig."""
    return BY_NAME[name].default


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a comparison's numbers; the same configuration gives the same
    history. One field per row of SETTINGS, in the table's order, with the row's default
    (tests/core/train/test_settings.py checks that they agree); the table gives each its URL
    name, range or choices, label and widget."""

    activations: tuple[str, ...] = _default("activations")
    # activation -> ((parameter, value), ...), sorted by parameter
    activation_params: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = _default(
        "activation_params"
    )
    # activation -> ((parameter, "layer" or "unit"), ...), sorted by parameter
    learnable: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = _default("learnable")
    dataset: str = _default("dataset")
    samples: int = _default("samples")
    val_fraction: float = _default("val_fraction")
    noise: float = _default("noise")
    model: str = _default("model")
    depth: int = _default("depth")
    width: int = _default("width")
    init: str = _default("init")
    sigma_w2: float = _default("sigma_w2")
    sigma_b2: float = _default("sigma_b2")
    optimizer: str = _default("optimizer")
    learning_rates: tuple[float, ...] = _default("learning_rates")
    learning_rate: float = _default("learning_rate")
    batch_size: int = _default("batch_size")
    epochs: int = _default("epochs")
    seeds: int = _default("seeds")
    diagnostics: bool = _default("diagnostics")
    data_seed: int = _default("data_seed")

    @property
    def model_label(self) -> str:
        return {
            "mlp": f"MLP {self.depth}×{self.width}",
            "cnn": f"CNN + {self.width}",
            "residual": f"residual MLP {self.depth} blocks × {self.width}",
            "transformer": f"Transformer {self.depth} layers × {self.width}",
        }.get(self.model, self.model)

    @property
    def rates(self) -> tuple[float, ...]:
        """The learning rates trained: the sweep's, or the one learning rate."""
        return self.learning_rates or (self.learning_rate,)

    @property
    def networks(self) -> int:
        return len(self.activations) * len(self.rates) * self.seeds

    def params_for(self, name: str) -> dict[str, Any]:
        return dict(dict(self.activation_params).get(name, ()))

    def learn_for(self, name: str) -> dict[str, str]:
        """The parameters activation `name` learns: parameter -> "layer" or "unit"."""
        return dict(dict(self.learnable).get(name, ()))

    def problems(self) -> list[str]:
        """What is wrong with this configuration, in words a user can act on; empty when fine."""
        out = [p for s in SETTINGS if (p := s.problem(getattr(self, s.name))) is not None]
        if self.model == "cnn" and self.dataset != "mnist":
            out.append("The CNN is for MNIST images; choose the MLP for regression data.")
        if (self.model == "transformer") != (self.dataset == "pytext"):
            out.append(
                "The Transformer trains on Python's source text, and that text needs the "
                "Transformer: choose both, or neither."
            )
        if self.model == "transformer" and self.width not in TRANSFORMER_WIDTHS:
            widths = ", ".join(map(str, TRANSFORMER_WIDTHS))
            out.append(f"The Transformer's width is one of {widths} (4 heads share it).")
        if self.model == "transformer" and self.depth > TRANSFORMER_MAX_DEPTH:
            out.append(f"The Transformer has at most {TRANSFORMER_MAX_DEPTH} layers here.")
        if (
            self.model in ("residual", "transformer")
            and INITIALISERS[self.init].keras_class is None
        ):
            out.append(
                f"The {MODELS[self.model]} starts from one of Keras's initializers (Glorot, He, "
                "LeCun, orthogonal): the Gaussian and edge-of-chaos ones are for plain stacks."
            )
        unchosen = [name for name, _ in self.learnable if name not in self.activations]
        if unchosen:
            out.append(f"{unchosen[0]} learns parameters but is not one of the activations.")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["activations"] = list(self.activations)
        d["activation_params"] = {n: dict(p) for n, p in self.activation_params}
        d["learnable"] = {n: dict(p) for n, p in self.learnable}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TrainConfig:
        d = dict(d)
        d["activations"] = tuple(d.get("activations", ()))
        d["learning_rates"] = tuple(d.get("learning_rates", ()))  # absent before sweeps
        params = dict(d.get("activation_params", {}))
        d["activation_params"] = tuple((n, tuple(sorted(p.items()))) for n, p in params.items())
        learnable = dict(d.get("learnable", {}))  # runs stored before issue 14 learn nothing
        d["learnable"] = tuple((n, tuple(sorted(p.items()))) for n, p in learnable.items())
        if d.get("samples") is None:  # runs stored before the table said 0 for "all"
            d["samples"] = 0
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})
