"""The record of a comparison: its configuration, each network's history and its status, as plain
data that is stored, shown and exported. No TensorFlow here; the live engine that fills a record
lives in core/train/training.py.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.train.settings import TrainConfig


@dataclass
class BranchHistory:
    """One network of a comparison: an activation, a seed and its learning rate, and its numbers
    per epoch."""

    activation: str
    seed: int
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    status: str = "running"  # running, finished, stopped, diverged
    diverged_epoch: int | None = None
    # Inside the network (core/train/network/diagnostics.py), on the probe batch: entry e is after
    # e epochs (entry 0 at initialisation), per hidden layer. None where a measure does not apply.
    pre_quantiles: list[list[list[float]]] = field(default_factory=list)  # epoch × layer × Q
    act_quantiles: list[list[list[float]]] = field(default_factory=list)
    dead: list[list[float | None]] = field(default_factory=list)  # epoch × layer
    saturated: list[list[float | None]] = field(default_factory=list)
    grad_norm: list[list[float]] = field(default_factory=list)  # epoch × (layers + output)
    # Learned activation parameters: name -> epoch × layer × [mean, std over units] (std 0 when
    # one per layer); entry 0 at initialisation, entry e after e epochs. The whole per-unit vector
    # is kept only at the ends (learned_units): every epoch's, for 200 epochs × 20 layers × 1024
    # units, would be megabytes of JSON.
    learned: dict[str, list[list[list[float]]]] = field(default_factory=dict)
    # Last, so records built positionally before sweeps keep their meaning.
    learning_rate: float | None = None  # None: the configuration's learning_rate (older runs)
    # Recorded when the run has diagnostics or learned parameters; runs stored before have none.
    # Each hidden layer's pre-activation histogram on the probe batch at initialisation and
    # after the last finished epoch: [init, last] × layer × {"lo", "hi", "counts", "below",
    # "above"} (core/train/network/diagnostics.py, HISTOGRAM_RULE).
    pre_histograms: list[list[dict]] = field(default_factory=list)
    # Each learned parameter's values per layer (one, or one per unit) at initialisation and
    # after the last finished epoch: name -> [init, last] × layer × values.
    learned_units: dict[str, list[list[list[float]]]] = field(default_factory=dict)


def named_with_formulas(
    activations: Sequence[str], customs: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """`activations`, each custom among them as "name = expression" (a record's `customs`)."""
    return [f"{n} = {customs[n]['expression']}" if n in customs else n for n in activations]


@dataclass
class Comparison:
    config: TrainConfig
    task: str
    metric_name: str  # "accuracy" or "mae"
    dataset_source: str
    branches: list[BranchHistory]
    parameters: int
    epoch_seconds: list[float] = field(default_factory=list)  # each epoch, all networks together
    status: str = "running"
    started: float = field(default_factory=time.time)
    probe_samples: int = 0  # the diagnostics' probe batch (0: no diagnostics recorded)
    # A Playground run's own settings (core/playground/config.py), None for every other run.
    playground: dict[str, Any] | None = None
    # Each session custom it trained, as activations.expression.custom_definition writes it
    # (expression text, parameters with ranges): a run opened in another session, a shared file
    # and a script carry what the name computes. Runs stored before have none.
    customs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Under the edge-of-chaos initialisation, each activation's σ_w² as solved when the run
    # started (the script draws these, not a later solve). Empty for every other run.
    init_sigma_w2: dict[str, float] = field(default_factory=dict)

    @property
    def epochs_done(self) -> int:
        return len(self.epoch_seconds)

    @property
    def has_diagnostics(self) -> bool:
        return any(b.grad_norm for b in self.branches)

    def by_activation(self) -> dict[str, list[BranchHistory]]:
        out: dict[str, list[BranchHistory]] = {}
        for b in self.branches:
            out.setdefault(b.activation, []).append(b)
        return out

    def formulas(self) -> dict[str, str]:
        """Each custom's name -> its expression, in the order of the activations."""
        return {
            name: self.customs[name]["expression"]
            for name in self.config.activations
            if name in self.customs
        }

    def named_with_formulas(self) -> list[str]:
        """The activations, a custom as "name = expression": what a shared output shows."""
        return named_with_formulas(self.config.activations, self.customs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "task": self.task,
            "metric_name": self.metric_name,
            "dataset_source": self.dataset_source,
            "parameters": self.parameters,
            "epoch_seconds": list(self.epoch_seconds),
            "status": self.status,
            "started": self.started,
            "probe_samples": self.probe_samples,
            **({"playground": self.playground} if self.playground is not None else {}),
            **({"customs": self.customs} if self.customs else {}),
            **({"init_sigma_w2": self.init_sigma_w2} if self.init_sigma_w2 else {}),
            "branches": [dataclasses.asdict(b) for b in self.branches],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Comparison:
        return cls(
            config=TrainConfig.from_dict(d["config"]),
            task=d["task"],
            metric_name=d["metric_name"],
            dataset_source=d["dataset_source"],
            parameters=int(d["parameters"]),
            branches=[BranchHistory(**b) for b in d["branches"]],
            epoch_seconds=list(d["epoch_seconds"]),
            status=d["status"],
            started=float(d.get("started", 0.0)),
            probe_samples=int(d.get("probe_samples", 0)),
            playground=d.get("playground"),
            customs=dict(d.get("customs") or {}),
            init_sigma_w2={k: float(v) for k, v in (d.get("init_sigma_w2") or {}).items()},
        )
