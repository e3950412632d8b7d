"""Training a comparison: every activation and seed of a configuration trained together, one
optimiser step for all, each network getting exactly its own gradient.

The losses of the networks are summed; they share no weights, so the gradient of the sum with
respect to network k's weights is network k's own gradient, and Adam/RMSprop/SGD update each
weight from its own gradient alone. Each network therefore follows exactly the run it would
have had alone with the same seed and batch order (tests/core/test_training.py proves it).
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from activations.registry import Catalogue, get
from core.datasets import Dataset
from core.models import Branch, FusedMLP, Towers, epoch_order, parameter_count, plain_model

OPTIMIZERS = ("adam", "sgd", "rmsprop")
LIMITS = dict(depth=(1, 20), width=(1, 1024), epochs=(1, 200), seeds=(1, 5), batch_size=(1, 65536))


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a comparison's numbers; the same config gives the same history."""

    activations: tuple[str, ...] = ("relu", "tanh", "sigmoid", "SinActivation")
    activation_params: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    dataset: str = "mnist"
    samples: int | None = None
    val_fraction: float = 0.1
    noise: float = 1.0
    model: str = "mlp"
    depth: int = 1
    width: int = 128
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 256
    epochs: int = 5
    seeds: int = 1
    data_seed: int = 0

    @property
    def model_label(self) -> str:
        return f"MLP {self.depth}×{self.width}" if self.model == "mlp" else f"CNN + {self.width}"

    def params_for(self, name: str) -> dict[str, Any]:
        return dict(dict(self.activation_params).get(name, ()))

    def problems(self) -> list[str]:
        """What is wrong with this configuration, in words a user can act on; empty when fine."""
        out = []
        if not self.activations:
            out.append("Choose at least one activation.")
        if len(set(self.activations)) != len(self.activations):
            out.append("Each activation can be chosen once.")
        for key, (lo, hi) in LIMITS.items():
            value = getattr(self, key)
            if not isinstance(value, int) or not lo <= value <= hi:
                out.append(f"{key.replace('_', ' ')} must be a whole number from {lo} to {hi} (got {value}).")
        if self.optimizer not in OPTIMIZERS:
            out.append(f"optimizer must be one of {', '.join(OPTIMIZERS)}.")
        if not (isinstance(self.learning_rate, (int, float)) and math.isfinite(self.learning_rate) and self.learning_rate > 0):
            out.append("The learning rate must be a positive number.")
        if self.model not in ("mlp", "cnn"):
            out.append("model must be mlp or cnn.")
        if self.model == "cnn" and self.dataset != "mnist":
            out.append("The CNN is for MNIST images; choose the MLP for regression data.")
        if not 0 < self.val_fraction < 0.9:
            out.append("The validation share must be between 0 and 0.9.")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["activations"] = list(self.activations)
        d["activation_params"] = {n: dict(p) for n, p in self.activation_params}
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "TrainConfig":
        d = dict(d)
        d["activations"] = tuple(d.get("activations", ()))
        d["activation_params"] = tuple((n, tuple(sorted(p.items()))) for n, p in dict(d.get("activation_params", {})).items())
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass
class BranchHistory:
    activation: str
    seed: int
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    metric: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    status: str = "running"  # running, finished, stopped, diverged
    diverged_epoch: int | None = None


@dataclass
class Comparison:
    config: TrainConfig
    task: str
    metric_name: str  # "accuracy" or "mae"
    dataset_source: str
    branches: list[BranchHistory]
    parameters: int
    epoch_seconds: list[float] = field(default_factory=list)  # wall time of each epoch, all networks together
    status: str = "running"
    started: float = field(default_factory=time.time)
    # The trained networks (this session only; never stored): see `trained_model`.
    engine: Any = field(default=None, repr=False, compare=False)
    stop_requested: bool = field(default=False, repr=False, compare=False)

    @property
    def epochs_done(self) -> int:
        return len(self.epoch_seconds)

    def by_activation(self) -> dict[str, list[BranchHistory]]:
        out: dict[str, list[BranchHistory]] = {}
        for b in self.branches:
            out.setdefault(b.activation, []).append(b)
        return out


def make_optimizer(name: str, learning_rate: float) -> keras.optimizers.Optimizer:
    """The Keras optimizer a plain `model.compile` would use (the baseline and the tests)."""
    return {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD, "rmsprop": keras.optimizers.RMSprop}[name](
        learning_rate=learning_rate)


class StepOptimizer(tf.Module):
    """Keras's Adam / RMSprop / SGD update rules with Keras's defaults, written in TensorFlow ops.

    The same arithmetic as `keras.optimizers.*.update_step`, but without a Keras optimizer inside
    the traced epoch: one of those there keeps ~5 MB of TensorFlow runtime memory alive per
    comparison even after everything is collected, which a long-running server cannot afford.
    """

    def __init__(self, name: str, learning_rate: float, weights: Sequence[tf.Variable]):
        super().__init__()
        self.kind, self.lr = name, float(learning_rate)
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        zeros = lambda: [tf.Variable(tf.zeros_like(w), trainable=False) for w in weights]  # noqa: E731
        self.slots = {"adam": lambda: (zeros(), zeros()), "rmsprop": lambda: (zeros(),), "sgd": lambda: ()}[name]()

    def apply(self, grads, weights) -> None:
        if self.kind == "sgd":
            for g, w in zip(grads, weights):
                w.assign_sub(g * tf.cast(self.lr, w.dtype))
        elif self.kind == "rmsprop":
            rho, eps = 0.9, 1e-7
            for g, w, v in zip(grads, weights, self.slots[0]):
                v.assign(rho * v + (1 - rho) * tf.square(g))
                w.assign_sub((self.lr * g) / tf.sqrt(v + eps))
        else:
            beta_1, beta_2, eps = 0.9, 0.999, 1e-7
            step = tf.cast(self.iterations + 1, tf.float32)
            alpha = self.lr * tf.sqrt(1 - tf.pow(beta_2, step)) / (1 - tf.pow(beta_1, step))
            for g, w, m, v in zip(grads, weights, *self.slots):
                m.assign_add((g - m) * (1 - beta_1))
                v.assign_add((tf.square(g) - v) * (1 - beta_2))
                w.assign_sub((m * alpha) / (tf.sqrt(v) + eps))
        self.iterations.assign_add(1)


def _per_network_loss(task: str, y, out):
    """Mean loss and metric of each network over the batch; out is (K, B, outputs)."""
    if task == "classification":
        labels = tf.broadcast_to(y, tf.shape(out)[:2])
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=out)
        hit = tf.cast(tf.equal(tf.argmax(out, axis=-1, output_type=tf.int32), labels), out.dtype)
        return tf.reduce_mean(loss, axis=1), tf.reduce_mean(hit, axis=1)
    err = out - y[None]
    return tf.reduce_mean(tf.square(err), axis=[1, 2]), tf.reduce_mean(tf.abs(err), axis=[1, 2])


class _Engine:
    """The compiled steps of one comparison: an epoch of training and a validation pass."""

    def __init__(self, config: TrainConfig, data: Dataset, branches: Sequence[Branch]):
        self.task = data.task
        if config.model == "mlp":
            self.net = FusedMLP(branches, int(np.prod(data.input_shape)), config.depth, config.width, data.n_outputs)
        else:
            self.net = Towers([plain_model(b.act, b.params, b.seed, data.input_shape, data.n_outputs, "cnn",
                                           width=config.width) for b in branches])
        weights = self.net.weights
        self.optimizer = StepOptimizer(config.optimizer, config.learning_rate, weights)
        self.x, self.y = tf.constant(data.x_train), tf.constant(data.y_train)
        self.x_val, self.y_val = tf.constant(data.x_val), tf.constant(data.y_val)
        self.batch = config.batch_size
        self.k = len(branches)

        @tf.function(reduce_retracing=True)
        def train_epoch(order):
            n = tf.shape(order)[0]
            steps = (n + self.batch - 1) // self.batch
            loss_sum, metric_sum = tf.zeros([self.k]), tf.zeros([self.k])
            for i in tf.range(steps):
                idx = order[i * self.batch: tf.minimum((i + 1) * self.batch, n)]
                xb, yb = tf.gather(self.x, idx), tf.gather(self.y, idx)
                with tf.GradientTape() as tape:
                    loss, metric = _per_network_loss(self.task, yb, self.net(xb))
                    total = tf.reduce_sum(loss)
                grads = tape.gradient(total, weights)
                self.optimizer.apply(grads, weights)
                size = tf.cast(tf.shape(idx)[0], tf.float32)
                loss_sum += loss * size
                metric_sum += metric * size
            count = tf.cast(n, tf.float32)
            return loss_sum / count, metric_sum / count

        @tf.function(reduce_retracing=True)
        def evaluate():
            n = tf.shape(self.x_val)[0]
            chunk = 4096
            loss_sum, metric_sum = tf.zeros([self.k]), tf.zeros([self.k])
            for i in tf.range((n + chunk - 1) // chunk):
                xb, yb = self.x_val[i * chunk:(i + 1) * chunk], self.y_val[i * chunk:(i + 1) * chunk]
                loss, metric = _per_network_loss(self.task, yb, self.net(xb))
                size = tf.cast(tf.shape(xb)[0], tf.float32)
                loss_sum += loss * size
                metric_sum += metric * size
            count = tf.cast(n, tf.float32)
            return loss_sum / count, metric_sum / count

        self.train_epoch, self.evaluate = train_epoch, evaluate
        self.config, self.data_shape, self.n_outputs, self.branches = config, data.input_shape, data.n_outputs, branches

    def keras_model(self, index: int) -> keras.Model:
        """Network `index` as a plain Keras model holding its trained weights."""
        b = self.branches[index]
        if isinstance(self.net, Towers):
            return self.net.models[index]
        cfg, w = self.config, self.config.width
        model = plain_model(b.act, b.params, b.seed, self.data_shape, self.n_outputs, "mlp", cfg.depth, w)
        dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
        net = self.net
        dense[0].set_weights([np.asarray(net.w0[:, index * w:(index + 1) * w]), np.asarray(net.b0[index * w:(index + 1) * w])])
        for layer, (kernel, bias) in zip(dense[1:-1], net.hidden):
            layer.set_weights([np.asarray(kernel[index]), np.asarray(bias[index, 0])])
        dense[-1].set_weights([np.asarray(net.w_out[index]), np.asarray(net.b_out[index, 0])])
        return model


def branches_for(config: TrainConfig, catalogue: Catalogue | None = None) -> list[Branch]:
    lookup = catalogue.get if catalogue is not None else get
    return [Branch(lookup(name), lookup(name).resolve(config.params_for(name)), seed)
            for name in config.activations for seed in range(config.seeds)]


def train_compare(config: TrainConfig, data: Dataset, catalogue: Catalogue | None = None,
                  on_epoch: Callable[[Comparison], None] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> Comparison:
    """Train every activation × seed of `config` on `data` together; return their histories.

    `on_epoch` sees the comparison after every epoch (the page redraws its charts there). When
    `should_stop` says so, or `on_epoch` raises (Streamlit's Stop does), training ends and the
    epochs done so far are kept, marked stopped.
    """
    problems = config.problems()
    if problems:
        raise ValueError(" ".join(problems))
    branches = branches_for(config, catalogue)
    comparison = Comparison(
        config=config, task=data.task, metric_name="accuracy" if data.task == "classification" else "mae",
        dataset_source=data.describe(),
        branches=[BranchHistory(b.act.name, b.seed) for b in branches],
        parameters=parameter_count(config.model, data.input_shape, data.n_outputs, config.depth, config.width),
    )
    engine = _Engine(config, data, branches)
    comparison.engine = engine
    try:
        for epoch in range(config.epochs):
            if comparison.stop_requested or (should_stop is not None and should_stop()):
                _finish(comparison, "stopped")
                return comparison
            start = time.perf_counter()
            loss, metric = engine.train_epoch(tf.constant(epoch_order(config.data_seed, epoch, len(data.x_train))))
            val_loss, val_metric = engine.evaluate()
            _record(comparison, epoch, time.perf_counter() - start,
                    *(np.asarray(t, dtype=np.float64) for t in (loss, metric, val_loss, val_metric)))
            if comparison.stop_requested:
                break
            if all(b.status == "diverged" for b in comparison.branches):
                break
            if on_epoch is not None:
                on_epoch(comparison)
    except BaseException:
        _finish(comparison, "stopped")
        raise
    _finish(comparison, "stopped" if comparison.stop_requested else "finished")
    return comparison


def request_stop(comparison: Comparison) -> None:
    """Stop a comparison that another thread is training: it ends before its next epoch, and the
    epoch it is in now is not added, so what the caller sees (and saves) now stays as it is."""
    comparison.stop_requested = True
    _finish(comparison, "stopped")


def _record(comparison: Comparison, epoch: int, seconds: float, loss, metric, val_loss, val_metric) -> None:
    if comparison.stop_requested:
        return  # stopped while this epoch ran: what was shown and saved stays as it was
    comparison.epoch_seconds.append(seconds)
    for i, b in enumerate(comparison.branches):
        if b.status == "diverged":
            continue
        if not (np.isfinite(loss[i]) and np.isfinite(val_loss[i])):
            # Its weights are now NaN/inf; the other networks are untouched (they share nothing).
            b.status, b.diverged_epoch = "diverged", epoch + 1
            continue
        b.loss.append(float(loss[i]))
        b.metric.append(float(metric[i]))
        b.val_loss.append(float(val_loss[i]))
        b.val_metric.append(float(val_metric[i]))


def _finish(comparison: Comparison, status: str) -> None:
    if comparison.status == "stopped":
        return  # a stop already recorded stays a stop
    comparison.status = status
    for b in comparison.branches:
        if b.status == "running":
            b.status = status


# A conservative rate for this kind of CPU (2 cores): used only to warn before long runs.
ASSUMED_FLOPS = 2e10


def estimate_seconds(config: TrainConfig, data: Dataset) -> float:
    """Rough wall time of a comparison: 6 FLOPs per parameter per sample (forward + backward)."""
    params = parameter_count(config.model, data.input_shape, data.n_outputs, config.depth, config.width)
    networks = len(config.activations) * config.seeds
    return 6.0 * params * len(data.x_train) * config.epochs * networks / ASSUMED_FLOPS


def trained_model(comparison: Comparison, activation: str, seed: int = 0) -> keras.Model:
    """The trained network of `activation` and `seed` as a plain Keras model (saves to `.keras`)."""
    if comparison.engine is None:
        raise ValueError("this run's trained weights are not in memory (it was loaded from the run store); "
                         "train it again to export the model")
    for i, b in enumerate(comparison.branches):
        if b.activation == activation and b.seed == seed:
            return comparison.engine.keras_model(i)
    raise ValueError(f"the run has no network {activation!r} with seed {seed}")


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    return {
        "config": c.config.to_dict(), "task": c.task, "metric_name": c.metric_name,
        "dataset_source": c.dataset_source, "parameters": c.parameters, "epoch_seconds": list(c.epoch_seconds),
        "status": c.status, "started": c.started,
        "branches": [dataclasses.asdict(b) for b in c.branches],
    }


def comparison_from_dict(d: Mapping[str, Any]) -> Comparison:
    return Comparison(
        config=TrainConfig.from_dict(d["config"]), task=d["task"], metric_name=d["metric_name"],
        dataset_source=d["dataset_source"], parameters=int(d["parameters"]),
        branches=[BranchHistory(**b) for b in d["branches"]], epoch_seconds=list(d["epoch_seconds"]),
        status=d["status"], started=float(d.get("started", 0.0)),
    )
