"""The training loop of a comparison: every activation and seed of a configuration trained together
(core/train/network/engine.py), epoch by epoch, into a plain record (core/train/record.py).

`Training` is the live side: the engine with the networks' weights and the stop flag. It fills
its record under a lock, so a stop from another thread never sees histories of unequal length.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import keras
import numpy as np
import tensorflow as tf

from activations import Catalogue, shared_catalogue
from activations.expression import custom_definition
from activations.learnable import learn_problems
from core.train.datasets import Dataset
from core.train.network.blocks import block_multiply_adds, block_params
from core.train.network.engine import Engine
from core.train.network.models import (
    CNN_FILTERS,
    Branch,
    Init,
    epoch_order,
    parameter_count,
)
from core.train.record import BranchHistory, Comparison
from core.train.settings import TrainConfig

# Fitted by bench/estimate.py to warm epochs on the 2-core machine the app is developed on
# (diagnostics on, the machine shared with other work): the training rate in FLOPs per second
# per model kind (the CNN's convolutions run slower per FLOP) and the fixed cost of a batch
# (dispatch, shuffling, the stop check). Used only to say how long a run will take before it
# starts; once it trains, the progress bar's estimate comes from its own epochs.
MEASURED_FLOPS = {"mlp": 9e10, "cnn": 4.5e10, "residual": 9e10, "transformer": 2e10}
SECONDS_PER_BATCH = 2.5e-3
ESTIMATE_BASIS = "from the network's size and the training speed measured on a 2-core machine"


def branches_for(config: TrainConfig, catalogue: Catalogue | None = None) -> list[Branch]:
    """One network per activation, learning rate and seed, in the order of the configuration."""
    catalogue = catalogue or shared_catalogue()
    problems = learning_problems(config, catalogue)
    if problems:
        raise ValueError(" ".join(problems))
    out = []
    for name in config.activations:
        act = catalogue.get(name)
        params, learn = act.resolve(config.params_for(name)), config.learn_for(name)
        for rate in config.rates:
            out += [
                Branch(act, params, seed, learn=learn, learning_rate=rate)
                for seed in range(config.seeds)
            ]
    return out


def shape_problems(branches: list[Branch]) -> list[str]:
    """Activations whose output is not their input's shape (Activation.keeps_shape)."""
    out: dict[str, str] = {}
    for b in branches:
        if b.act.name in out:
            continue
        try:
            kept = b.act.keeps_shape(b.params)
        except Exception:  # a user's vector activation made for other widths: the network says
            continue
        if not kept:
            width = int(b.act.fn(tf.zeros((1, 4)), **b.params).shape[-1])
            out[b.act.name] = (
                f"{b.act.name} turns 4 values into {width}, so it cannot be a hidden layer's "
                "activation here. For a gated unit over two projections of the layer's input, "
                "pick sigmoid_glu (glu's σ gate), reglu, geglu or swiglu."
            )
    return list(out.values())


def edge_problems(config: TrainConfig, catalogue: Catalogue) -> list[str]:
    """Under the edge-of-chaos initialisation, the activations without an edge at the run's σ_b²
    (each solved once, then cached: Init.for_act draws from the same values). A solve takes up
    to 2 s, so it runs where the job does (`Training`), never in a page's script run."""
    if config.init != "edge_of_chaos":
        return []
    out = []
    for name in config.activations:
        act = catalogue.get(name)
        try:
            Init.of(config).for_act(act, config.params_for(name))
        except ValueError as e:
            out.append(str(e))
    return out


def learning_problems(config: TrainConfig, catalogue: Catalogue | None = None) -> list[str]:
    """What stops the configuration's learned activation parameters from training (a start out
    of range or without a derivative), checked against the activations themselves."""
    catalogue = catalogue or shared_catalogue()
    out = []
    for name, _ in config.learnable:
        if name in catalogue:
            act = catalogue.get(name)
            params = act.resolve(config.params_for(name))
            out += learn_problems(act, params, config.learn_for(name))
    return out


def new_record(
    config: TrainConfig,
    data: Dataset,
    catalogue: Catalogue | None = None,
    branches: list[Branch] | None = None,
) -> Comparison:
    """The record of a comparison before its first epoch. Raises ValueError with a user-facing
    message when the configuration has problems or names an unknown activation."""
    problems = config.problems()
    if problems:
        raise ValueError(" ".join(problems))
    branches = branches if branches is not None else branches_for(config, catalogue)
    shape, outputs = data.input_shape, data.n_outputs
    return Comparison(
        config=config,
        task=data.task,
        metric_name="mae" if data.task == "regression" else "accuracy",
        dataset_source=data.describe(),
        branches=[
            BranchHistory(b.act.name, b.seed, learning_rate=b.learning_rate) for b in branches
        ],
        parameters=network_parameters(config.model, shape, outputs, config.depth, config.width),
        customs=custom_definitions(b.act for b in branches),
    )


def custom_definitions(acts) -> dict[str, dict]:
    """The definitions of the session customs among `acts` (a record carries them)."""
    return {a.name: custom_definition(a) for a in acts if a.expression is not None}


class Training:
    """One comparison being trained: its record, its engine and its stop flag.

    Raises ValueError with a user-facing message when the configuration has problems or names
    an activation the catalogue does not have.
    """

    def __init__(self, config: TrainConfig, data: Dataset, catalogue: Catalogue | None = None):
        problems = config.problems()
        if problems:
            raise ValueError(" ".join(problems))
        branches = branches_for(config, catalogue)
        edges = shape_problems(branches) + edge_problems(config, catalogue or shared_catalogue())
        if edges:
            raise ValueError(" ".join(edges))
        self.record = new_record(config, data, catalogue, branches)
        if config.init == "edge_of_chaos":  # solved above, so read from the cache
            self.record.init_sigma_w2 = {
                b.act.name: Init.of(config).for_act(b.act, b.params).sigma_w2 for b in branches
            }
        self.engine = Engine(config, data, branches)
        if config.diagnostics:
            self.record.probe_samples = int(self.engine.x_probe.shape[0])
        self._n_train = len(data.x_train)
        self._lock = threading.Lock()
        self._stopped = False
        # The learned shapes are drawn over their layer's input distribution: a run that learns
        # records the pre-activation histograms even with diagnostics off (a forward pass alone).
        self._histograms_alone = bool(config.learnable) and not config.diagnostics
        self._record_learned(self.engine.learned_values())  # at initialisation: entry 0

    @property
    def stopped(self) -> bool:
        return self._stopped

    def epochs(self, should_stop: Callable[[], bool] | None = None) -> Iterator[Comparison]:
        """Train epoch by epoch, yielding the record after each finished epoch, until done,
        stopped or every network diverged. An epoch cut short by a stop is dropped."""
        record, config = self.record, self.record.config
        if config.diagnostics and not any(b.grad_norm for b in record.branches):
            self._record_inside(self.engine.probe())  # at initialisation: entry 0
        elif self._histograms_alone and not any(b.pre_histograms for b in record.branches):
            self._record_inside({"pre_histograms": self.engine.pre_histograms()})
        for epoch in range(config.epochs):
            if self._stopped or (should_stop is not None and should_stop()):
                self.stop()
                break
            start = time.perf_counter()
            order = epoch_order(config.data_seed, epoch, self._n_train)
            loss, metric = self.engine.train_epoch(tf.constant(order))
            if self._stopped:
                break  # stopped between two batches of this epoch
            val_loss, val_metric = self.engine.evaluate()
            loss, metric, val_loss, val_metric = (
                np.asarray(t, dtype=np.float64) for t in (loss, metric, val_loss, val_metric)
            )
            inside = self.engine.probe() if config.diagnostics else None
            if self._histograms_alone:
                inside = {"pre_histograms": self.engine.pre_histograms()}
            learned = self.engine.learned_values()
            seconds = time.perf_counter() - start
            self._record(
                epoch, seconds, loss, metric, val_loss, val_metric, inside=inside, learned=learned
            )
            if self._stopped or all(b.status == "diverged" for b in record.branches):
                break
            yield record
        self._finish("finished")  # a stop recorded above stays a stop

    def run(
        self,
        on_epoch: Callable[[Comparison], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Comparison:
        """Train to the end (see `epochs`); returns the record.

        `on_epoch` sees the record after every epoch. When `should_stop` says so, or `on_epoch`
        raises, training ends and the epochs done so far are kept, marked stopped.
        """
        try:
            for record in self.epochs(should_stop):
                if on_epoch is not None:
                    on_epoch(record)
        except BaseException:
            self.stop()
            raise
        return self.record

    def batches(self) -> tuple[int, int]:
        """Batches done in the epoch running now, and batches per epoch."""
        return int(self.engine.batches_done.numpy()), self.engine.batches_per_epoch()

    def stop(self) -> None:
        """End training within one batch; the epoch running now is not added, so what a caller
        sees (and saves) now stays as it is."""
        with self._lock:  # first, so an epoch cut short by the flag below is never recorded
            self._stopped = True
            self._finish_locked("stopped")
        self.engine.stop_flag.assign(True)

    def snapshot(self) -> Comparison:
        """A copy of the record as it is now, safe to read while training goes on."""
        with self._lock:
            return Comparison.from_dict(self.record.to_dict())

    def keras_model(
        self, activation: str, seed: int = 0, learning_rate: float | None = None
    ) -> keras.Model:
        """The trained network of `activation` and `seed` (at `learning_rate`, in a sweep; the
        first rate when None) as a plain Keras model."""
        return self.engine.keras_model(self._index(activation, seed, learning_rate))

    def branch(self, activation: str, seed: int = 0, learning_rate: float | None = None) -> Branch:
        """What that network is: its activation, parameters and the parameters it learns."""
        return self.engine.branches[self._index(activation, seed, learning_rate)]

    def _index(self, activation: str, seed: int, learning_rate: float | None) -> int:
        for i, b in enumerate(self.record.branches):
            rate_ok = learning_rate is None or b.learning_rate == learning_rate
            if b.activation == activation and b.seed == seed and rate_ok:
                return i
        raise ValueError(f"the run has no network {activation!r} with seed {seed}")

    def _record(
        self,
        epoch: int,
        seconds: float,
        loss,
        metric,
        val_loss,
        val_metric,
        inside=None,
        learned=None,
    ) -> None:
        with self._lock:
            if self._stopped:
                return  # stopped while this epoch ran: what was shown and saved stays as it was
            self.record.epoch_seconds.append(seconds)
            for i, b in enumerate(self.record.branches):
                if b.status == "diverged":
                    continue
                finite_learned = learned is None or _all_finite(learned[i])
                if not (np.isfinite(loss[i]) and np.isfinite(val_loss[i]) and finite_learned):
                    # Its weights are now NaN/inf; the others are untouched (they share nothing).
                    b.status, b.diverged_epoch = "diverged", epoch + 1
                    continue
                b.loss.append(float(loss[i]))
                b.metric.append(float(metric[i]))
                b.val_loss.append(float(val_loss[i]))
                b.val_metric.append(float(val_metric[i]))
            if inside is not None:
                self._record_inside_locked(inside)
            if learned is not None:
                self._record_learned_locked(learned)

    def _record_learned(self, learned) -> None:
        with self._lock:
            self._record_learned_locked(learned)

    def _record_learned_locked(self, learned) -> None:
        """Append each learned parameter's mean and std over units, per layer; keep its whole
        values at initialisation and now."""
        for b, values in zip(self.record.branches, learned, strict=True):
            if b.status == "diverged":
                continue
            for name, layers in values.items():
                summary = [[float(np.mean(v)), float(np.std(v))] for v in layers]
                b.learned.setdefault(name, []).append(summary)
                units = [_float32_list(v) for v in layers]
                _keep_ends(b.learned_units.setdefault(name, []), units)

    def _record_inside(self, inside) -> None:
        with self._lock:
            self._record_inside_locked(inside)

    def _record_inside_locked(self, inside) -> None:
        """Append one epoch's diagnostics to every network still training (the histograms
        replace the last ones: only initialisation and now are kept)."""
        histograms = inside.pop("pre_histograms", None)
        numbers = {name: np.asarray(t, dtype=np.float64) for name, t in inside.items()}
        if histograms is not None:
            histograms = {key: np.asarray(t, dtype=np.float64) for key, t in histograms.items()}
        for i, b in enumerate(self.record.branches):
            if b.status == "diverged":
                continue
            for name, values in numbers.items():
                getattr(b, name).append(_plain(values[i]))
            finite = histograms is not None and all(
                np.isfinite(histograms[end][i]).all() for end in ("lo", "hi")
            )  # a range with an infinite end has no bins to speak of
            if finite:
                _keep_ends(b.pre_histograms, _histogram_layers(histograms, i))

    def _finish(self, status: str) -> None:
        with self._lock:
            self._finish_locked(status)

    def _finish_locked(self, status: str) -> None:
        record = self.record
        if record.status == "stopped":
            return  # a stop already recorded stays a stop
        record.status = status
        for b in record.branches:
            if b.status == "running":
                b.status = status


def _float32_list(values) -> list[float]:
    """The values as the shortest decimals that give back the same float32 (the variables'
    precision): a JSON record with 20 layers × 1024 units per network stays about half as big
    as with float64 digits."""
    return [float(str(v)) for v in np.ravel(np.asarray(values, dtype=np.float32))]


def _keep_ends(entries: list, now) -> None:
    """entries becomes [first, now]: the first ever recorded and the latest."""
    if len(entries) < 2:
        entries.append(now)
    else:
        entries[-1] = now


def _histogram_layers(histograms: dict[str, np.ndarray], index: int) -> list[dict]:
    """Network `index`'s histogram of each layer as plain data (counts as whole numbers)."""
    layers = histograms["lo"].shape[1]
    return [
        {
            "lo": float(histograms["lo"][index, layer]),
            "hi": float(histograms["hi"][index, layer]),
            "counts": [int(c) for c in histograms["counts"][index, layer]],
            "below": int(histograms["below"][index, layer]),
            "above": int(histograms["above"][index, layer]),
        }
        for layer in range(layers)
    ]


def _all_finite(learned: dict[str, list[np.ndarray]]) -> bool:
    return all(np.isfinite(v).all() for layers in learned.values() for v in layers)


def _plain(values: np.ndarray) -> list | float | None:
    """Nested lists of floats for the record, None where a measure does not apply (NaN)."""
    if values.ndim == 0:
        return float(values) if np.isfinite(values) else None
    return [_plain(v) for v in values]


def train_compare(
    config: TrainConfig,
    data: Dataset,
    catalogue: Catalogue | None = None,
    on_epoch: Callable[[Comparison], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Comparison:
    """Train every activation × seed of `config` on `data` together; return the record."""
    return Training(config, data, catalogue).run(on_epoch, should_stop)


def network_parameters(kind: str, input_shape, n_outputs: int, depth: int, width: int) -> int:
    """Trainable parameters of one plain network of `kind` (activation weights not included)."""
    if kind in ("residual", "transformer"):
        return block_params(kind, input_shape, n_outputs, depth, width)
    return parameter_count(kind, input_shape, n_outputs, depth, width)


def multiply_adds(kind: str, input_shape, n_outputs: int, depth: int, width: int) -> int:
    """Multiply-adds of one network's forward pass on one sample: each weight once in a dense
    layer, once per output position in a convolution (a CNN does far more than its weights)."""
    if kind in ("residual", "transformer"):
        return block_multiply_adds(kind, input_shape, n_outputs, depth, width)
    if kind != "cnn":
        return parameter_count(kind, input_shape, n_outputs, depth, width)
    h, w = input_shape[0] - 2, input_shape[1] - 2  # 3×3 valid convolutions, 2×2 pooling
    f1, f2 = CNN_FILTERS
    first = 3 * 3 * input_shape[2] * f1 * h * w
    h, w = h // 2 - 2, w // 2 - 2
    second = 3 * 3 * f1 * f2 * h * w
    dense = parameter_count(kind, input_shape, n_outputs, depth, width) - (
        (3 * 3 * input_shape[2] + 1) * f1 + (3 * 3 * f1 + 1) * f2
    )
    return first + second + dense


def estimate_seconds(config: TrainConfig, data: Dataset) -> float:
    """Wall time of a comparison on this kind of machine: per epoch, a fixed cost per batch plus
    6 FLOPs per multiply-add per sample (forward + backward) at a measured rate.
    ESTIMATE_BASIS says where the constants come from (bench/estimate.py measures them)."""
    adds = multiply_adds(config.model, data.input_shape, data.n_outputs, config.depth, config.width)
    n = len(data.x_train)
    batches = -(-n // config.batch_size)
    flops = 6.0 * adds * n * config.networks  # networks: activations × learning rates × seeds
    return config.epochs * (batches * SECONDS_PER_BATCH + flops / MEASURED_FLOPS[config.model])
