"""The Playground's settings: a declared dataclass, the values its controls offer (Playground's
own), the checks a link or a caller gets, and its URL fields. No TensorFlow here."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.playground.data import DATASETS, FEATURES
from core.train.settings import Setting

# Playground's menus.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATIONS = {"none": "None", "l1": "L1", "l2": "L2"}
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_LAYERS = 6  # Playground's limits: 6 hidden layers of at most 8 neurons
MAX_UNITS = 8
MAX_ACTIVATIONS = 8  # networks side by side: one panel each, and the palette's size
MAX_SEED = 10_000


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that decides a Playground run's numbers. Defaults are Playground's, with its
    four activations side by side instead of one."""

    activations: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear")
    dataset: str = "circle"
    noise: int = 0  # percent
    train_percent: int = 50
    batch_size: int = 10
    features: tuple[str, ...] = ("x1", "x2")
    layers: tuple[int, ...] = (4, 2)  # neurons per hidden layer
    learning_rate: float = 0.03
    regularization: str = "none"
    reg_rate: float = 0.0
    seed: int = 0  # the data and every network's initial weights

    @property
    def task(self) -> str:
        return DATASETS[self.dataset][1]

    def problems(self) -> list[str]:
        """What is wrong, in words a user can act on; empty when fine."""
        out = []
        if not self.activations:
            out.append("Choose at least one activation.")
        elif len(self.activations) > MAX_ACTIVATIONS:
            out.append(f"At most {MAX_ACTIVATIONS} activations side by side; remove some.")
        if len(set(self.activations)) != len(self.activations):
            out.append("Each activation can be chosen once.")
        if not self.features or not set(self.features) <= set(FEATURES):
            out.append("Choose at least one input feature.")
        if len(self.layers) > MAX_LAYERS or not all(1 <= n <= MAX_UNITS for n in self.layers):
            out.append(f"Up to {MAX_LAYERS} hidden layers of 1 to {MAX_UNITS} neurons.")
        for setting in SETTINGS:  # each range is typed once, in the table below
            problem = setting.problem(getattr(self, setting.name))
            if problem:
                out.append(problem)
        return out

    def ordered_features(self) -> tuple[str, ...]:
        """The chosen features in the networks' input order (Playground's)."""
        return tuple(k for k in FEATURES if k in self.features)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlaygroundConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in known
        }
        return cls(**values)


DEFAULT = PlaygroundConfig()
_SHOWN = "{:g}".format

# The settings with one value each, as Train's table types them (core/train/settings.py): each
# range once, for the widget (ui/playground.py), the link (ui/url.py) and the check above.
# Playground's limits; a menu's values are the ones a widget and a link offer, while code may
# use any value in range.
SETTINGS = (
    Setting(
        "dataset", "data", "Dataset", DEFAULT.dataset, "choice", choices=tuple(DATASETS),
        labels={key: label for key, (label, _) in DATASETS.items()}, widget="select",
    ),
    Setting("noise", "noise", "Noise (%)", DEFAULT.noise, "int", 0, 50, widget="slider", step=5),
    Setting(
        "train_percent", "train", "Training data (%)", DEFAULT.train_percent, "int", 10, 90,
        widget="slider", step=10,
    ),
    Setting("batch_size", "batch", "Batch size", DEFAULT.batch_size, "int", 1, 30, widget="slider"),
    Setting(
        "learning_rate", "lr", "Learning rate", DEFAULT.learning_rate, "float",
        LEARNING_RATES[0], LEARNING_RATES[-1], choices=LEARNING_RATES,
        labels={r: _SHOWN(r) for r in LEARNING_RATES}, widget="select",
    ),
    Setting(
        "regularization", "reg", "Regularisation", DEFAULT.regularization, "choice",
        choices=tuple(REGULARIZATIONS), labels=REGULARIZATIONS, widget="select",
    ),
    Setting(
        "reg_rate", "regrate", "Regularisation rate", DEFAULT.reg_rate, "float",
        REG_RATES[0], REG_RATES[-1], choices=REG_RATES, labels={r: _SHOWN(r) for r in REG_RATES},
        widget="select",
    ),
    Setting("seed", "seed", "Seed (data and weights)", DEFAULT.seed, "int", 0, MAX_SEED),
)  # fmt: skip
BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Preset:
    """A setting measured to learn one dataset (bench/playground_presets.py trains it with this
    package's code for tanh, relu and sigmoid over seeds 0–2, at no noise and half the points
    to train). It sets the network and its training, not the activations, data or seed."""

    features: tuple[str, ...]
    layers: tuple[int, ...]
    learning_rate: float
    measured: str  # what the benchmark found, in words for the page
    date: str  # when

    def settings(self) -> dict[str, Any]:
        """The settings it sets, by field name (batch 10 and no regularisation, as measured)."""
        return {
            "features": self.features,
            "layers": self.layers,
            "learning_rate": self.learning_rate,
            "batch_size": 10,
            "regularization": "none",
            "reg_rate": 0.0,
        }

    def applied(self, config: PlaygroundConfig) -> PlaygroundConfig:
        return dataclasses.replace(config, **self.settings())

    def matches(self, config: PlaygroundConfig) -> bool:
        """Whether `config` already has these settings (features in any order)."""
        mine = self.applied(config)
        return (
            mine.ordered_features() == config.ordered_features()
            and dataclasses.replace(mine, features=config.features) == config
        )

    def describe(self) -> str:
        """Its settings in words: "x₁, x₂, sin(x₁), sin(x₂) · layers 8, 8 · rate 0.1"."""
        names = ", ".join(FEATURES[k][0] for k in FEATURES if k in self.features)
        return f"{names} · layers {layers_text(self.layers)} · rate {self.learning_rate:g}"


# One setting known to learn each dataset: measured, not guessed. "Learnt" = test loss at most a
# tenth of an output stuck at 0 (core/playground/progress.py: 0.05 for classification), within
# 300 epochs; `measured` is what `python bench/playground_presets.py` printed (2026-12-06, 2
# cores at load ≈ 6: 162 s). Rerun it after changing a row and copy its lines.
MEASURED_ON = "2026-12-06"
PRESETS: dict[str, Preset] = {
    # Playground's classic: the squares make the circle a line; sigmoid too, by epoch 26–32.
    "circle": Preset(
        ("x1", "x2", "x1sq", "x2sq"),
        (4,),
        0.03,
        "test loss ≤ 0.05 within 300 epochs: tanh by epoch 8–11 (3 of 3 seeds), relu by epoch "
        "8 (3 of 3 seeds), sigmoid by epoch 26–32 (3 of 3 seeds)",
        MEASURED_ON,
    ),
    # x₁x₂ is XOR's label up to its sign.
    "xor": Preset(
        ("x1", "x2", "x1x2"),
        (4,),
        0.03,
        "test loss ≤ 0.05 within 300 epochs: tanh by epoch 2 (3 of 3 seeds), relu by epoch 3–4 "
        "(3 of 3 seeds), sigmoid by epoch 9 (3 of 3 seeds)",
        MEASURED_ON,
    ),
    # Playground's defaults already learn it.
    "gauss": Preset(
        ("x1", "x2"),
        (4, 2),
        0.03,
        "test loss ≤ 0.05 within 300 epochs: tanh by epoch 3–4 (3 of 3 seeds), relu by epoch "
        "6–7 (3 of 3 seeds), sigmoid by epoch 33–53 (3 of 3 seeds)",
        MEASURED_ON,
    ),
    # The case. Sigmoid needs longer: here (seed 0) it sat at 0.47 until epoch ~300 and
    # was at 0.065 by 500; at rate 0.3 with one layer of 8 it learnt in 3 of 3 seeds by epoch
    # 170–210, but relu then did not (0.06–0.32 at 300).
    "spiral": Preset(
        ("x1", "x2", "sinx1", "sinx2"),
        (8, 8),
        0.1,
        "test loss ≤ 0.05 within 300 epochs: tanh by epoch 40–57 (3 of 3 seeds), relu by epoch "
        "65–116 (3 of 3 seeds), sigmoid in 0 of 3 (0.17–0.46 at 300)",
        MEASURED_ON,
    ),
    "plane": Preset(
        ("x1", "x2"),
        (4,),
        0.03,
        "test loss ≤ 0.011–0.012 (a tenth of an output stuck at 0) within 300 epochs: tanh by "
        "epoch 1–3 (3 of 3 seeds), relu by epoch 2–37 (3 of 3 seeds), sigmoid by epoch 5–17 (3 "
        "of 3 seeds)",
        MEASURED_ON,
    ),
    # The hardest: only tanh, and seed 0 only just (epoch 295). With 2 layers, tanh 2 of 3;
    # with x₁, x₂ alone or all seven features, none of the three within 300 epochs.
    "multigauss": Preset(
        ("x1", "x2", "sinx1", "sinx2"),
        (8, 8, 8),
        0.3,
        "test loss ≤ 0.0041 (a tenth of an output stuck at 0) within 300 epochs: tanh by epoch "
        "81–295 (3 of 3 seeds), relu in 0 of 3 (0.0065–0.012 at 300), sigmoid in 0 of 3 "
        "(0.012–0.028 at 300)",
        MEASURED_ON,
    ),
}


def parse_layers(text: str) -> tuple[int, ...]:
    """Neurons per hidden layer as typed ("8, 8"; empty for none). Raises ValueError saying what
    is wrong and what to type."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in parts):
        raise ValueError(
            f"Neurons per layer are whole numbers separated by commas, e.g. “8, 8” (got “{text}”)."
        )
    layers = tuple(int(p) for p in parts)
    if len(layers) > MAX_LAYERS or not all(1 <= n <= MAX_UNITS for n in layers):
        raise ValueError(
            f"Up to {MAX_LAYERS} hidden layers of 1 to {MAX_UNITS} neurons each (got “{text}”)."
        )
    return layers


def layers_text(layers: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in layers)
