"""The compiled steps of one comparison: a whole epoch of training for every network at once, and
a validation pass.

The losses of the networks are summed; they share no weights, so the gradient of the sum with
respect to network k's weights is network k's own gradient, and each update rule updates each
weight from its own gradient alone. Each network therefore follows exactly the run it would
have had alone with the same seed and batch order (tests/core/train/test_training.py proves it
against plain Keras).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from core.train.datasets import Dataset
from core.train.network import diagnostics, optimizers
from core.train.network.blocks import (
    FusedResidual,
    FusedTransformer,
    Mixed,
    matched_width,
    mlp_params,
)
from core.train.network.models import (
    Branch,
    CatalogueActivation,
    FusedCNN,
    FusedMLP,
    Init,
    dense_layers,
    plain_model,
)
from core.train.settings import TrainConfig

VALIDATION_CHUNK = 4096  # samples per validation step: bounds memory on 70,000 MNIST digits
# The CNN's feature maps are 676 values per image and channel: 4096 images made each network's
# first layer ~180 MB and evaluation 2.7× slower than 512 (measured, K = 6).
CNN_VALIDATION_CHUNK = 512
# A Transformer's activations are (K, windows, 64 characters, 4·width): 256 windows at a time.
TEXT_VALIDATION_CHUNK = 256
BITS_PER_NAT = 1.0 / np.log(2.0)  # text losses are reported in bits per character


def mlp_width(config: TrainConfig, in_dim: int, n_outputs: int, gated: bool) -> int:
    """The hidden width of an MLP of gated units (or plain ones) with the parameters of the
    plain MLP of `config.width` (blocks.matched_width)."""
    count = lambda m, g: mlp_params(in_dim, n_outputs, config.depth, m, g)  # noqa: E731
    return matched_width(count, config.width, gated)


def fused_model(config: TrainConfig, data: Dataset, branches: Sequence[Branch]):
    """The fused model of `config.model` for these networks; gated and plain ones together in
    `Mixed` (a comparison of plain ones alone keeps FusedMLP's exact arithmetic)."""
    init, depth, width, n_out = Init.of(config), config.depth, config.width, data.n_outputs
    in_dim = int(np.prod(data.input_shape))
    if config.model == "cnn":
        gated = [b.act.name for b in branches if b.act.gated]
        if gated:
            raise ValueError(
                f"{gated[0]} is a gated unit, which the CNN does not have: choose the MLP, the "
                "residual MLP or the Transformer."
            )
        return FusedCNN(branches, data.input_shape, width, n_out, init)

    def build(group):
        gated = group[0].act.gated
        if config.model == "residual":
            return FusedResidual(group, in_dim, depth, width, n_out, init)
        if config.model == "transformer":
            return FusedTransformer(group, data.input_shape[0], n_out, depth, width, init)
        return FusedMLP(group, in_dim, depth, mlp_width(config, in_dim, n_out, gated), n_out, init)

    if len({b.act.gated for b in branches}) == 1:
        return build(list(branches))
    return Mixed(branches, build)


def per_network_loss(task: str, y, out, weights=None):
    """Mean loss and metric of each network over the batch; out is (K, B, outputs) (text:
    (K, B, T, outputs)); `weights` (B,) of 1 and 0 leaves samples out of the mean."""
    if task in ("classification", "text"):  # text: a class (the next character) per position
        labels = tf.broadcast_to(tf.cast(y, tf.int32), tf.shape(out)[:-1])
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=out)
        predicted = tf.argmax(out, axis=-1, output_type=tf.int32)
        hit = tf.cast(tf.equal(predicted, labels), out.dtype)
        axes = list(range(2, len(out.shape) - 1))  # per sample, then over the batch
        loss, hit = tf.reduce_mean(loss, axis=axes), tf.reduce_mean(hit, axis=axes)
        if weights is not None:
            total = tf.reduce_sum(weights)
            return tf.reduce_sum(loss * weights, 1) / total, tf.reduce_sum(hit * weights, 1) / total
        return tf.reduce_mean(loss, axis=1), tf.reduce_mean(hit, axis=1)
    err = out - y[None]
    return tf.reduce_mean(tf.square(err), axis=[1, 2]), tf.reduce_mean(tf.abs(err), axis=[1, 2])


def _per_network(measure, layers) -> list[dict]:
    """`measure` of each hidden layer, a layer given as groups of networks (the probe's
    (z, f(z), f′(z)) of all K networks at once, or of one network each): each result joined on
    the network axis, (K, ...). The measures are per network, so grouping changes no number."""
    out = []
    for groups in layers:
        parts = [measure(*group) for group in groups]
        out.append(tf.nest.map_structure(lambda *p: _joined(list(p)), *parts))
    return out


def _joined(parts):
    return parts[0] if len(parts) == 1 else tf.concat(parts, axis=0)


def _by_layer(per_layer: list[dict]) -> dict:
    """Per-layer results stacked on a layer axis after the network's: (K, L, ...) each."""
    return tf.nest.map_structure(lambda *p: tf.stack(p, axis=1), *per_layer)


def _inside(z, h, dh) -> dict:
    """The diagnostics of one layer for a group of networks ((K', N, U) each)."""
    pre = diagnostics.quantiles(z)
    return {
        "pre_quantiles": pre,
        "act_quantiles": diagnostics.quantiles(h),
        "dead": diagnostics.dead_fraction(dh),
        "saturated": diagnostics.saturated_fraction(dh),
        "pre_histograms": diagnostics.histograms(z, value_quantiles=pre),
    }


def _histograms(z, h, dh) -> dict:
    return diagnostics.histograms(z)


class Engine:
    """The networks of one comparison with their optimiser, the compiled epoch and evaluation."""

    def __init__(self, config: TrainConfig, data: Dataset, branches: Sequence[Branch]):
        self.config, self.branches, self.task = config, list(branches), data.task
        self.input_shape, self.n_outputs = data.input_shape, data.n_outputs
        self.net = fused_model(config, data, branches)
        chunks = {"cnn": CNN_VALIDATION_CHUNK, "transformer": TEXT_VALIDATION_CHUNK}
        self.validation_chunk = chunks.get(config.model, VALIDATION_CHUNK)
        # Gradients come from the loss in nats; a text loss is reported in bits per character.
        self.reported = BITS_PER_NAT if data.task == "text" else 1.0
        self.weights = self.net.weights
        rates = [
            config.learning_rate if b.learning_rate is None else b.learning_rate for b in branches
        ]
        # One rate for all keeps the scalar arithmetic; a sweep gives each network its own.
        rate = rates[0] if len(set(rates)) == 1 else self.net.learning_rates(rates)
        self.optimizer = optimizers.make(config.optimizer, rate, self.weights)
        self.n_train = len(data.x_train)
        self.x, self.y = tf.constant(data.x_train), tf.constant(data.y_train)
        self.x_val, self.y_val = tf.constant(data.x_val), tf.constant(data.y_val)
        # The diagnostics' probe: the first validation samples, the same every epoch.
        # A text window is 64 samples of the FFN (one per character): as many characters.
        per_sample = int(np.prod(data.y_val.shape[1:])) if data.task == "text" else 1
        probe = max(1, diagnostics.PROBE_SAMPLES // per_sample)
        self.x_probe, self.y_probe = self.x_val[:probe], self.y_val[:probe]
        # Dead and saturated units need a per-unit derivative; a vector activation has none.
        self.elementwise = tf.constant([b.act.elementwise for b in self.branches])
        # Read between batches inside the compiled epoch, so a stop from another thread lands
        # within one batch, and a page can show progress by batch while an epoch runs.
        self.stop_flag = tf.Variable(False, trainable=False)
        self.batches_done = tf.Variable(0, dtype=tf.int64, trainable=False)
        # The Transformer's step compiles with XLA, as model.fit compiles its twin's (Keras's
        # jit_compile="auto" on TensorFlow): XLA fuses its many small ops (LayerNorms, softmax,
        # 64-wide matmuls), an epoch 1.4× faster here (K = 4). The other models keep
        # TensorFlow's kernels, which their exactness tests compare bit for bit.
        # Without AutoGraph: the step has no Python control flow on tensors, and converting
        # every layer and activation it calls took 2.4 s of a 6 s trace (K = 4).
        self._xla = None
        if config.model == "transformer":
            self._xla = tf.function(self._step_fn, jit_compile=True, autograph=False)
        self.train_epoch = tf.function(self._train_epoch, reduce_retracing=True)
        self.evaluate = tf.function(self._evaluate, reduce_retracing=True)
        # The probe has no loop or branch on tensors: without AutoGraph, tracing it no longer
        # converts every measure and activation it calls (about a third of its trace, CNN K = 6).
        self.probe = tf.function(self._probe, autograph=False)
        self.pre_histograms = tf.function(self._pre_histograms, autograph=False)

    def batches_per_epoch(self) -> int:
        return -(-self.n_train // self.config.batch_size)

    def release_data(self) -> None:
        """Drop the data and the compiled steps, keeping the trained weights (for keras_model):
        a finished comparison then holds no copy of its dataset."""
        self.train_epoch = self.evaluate = self.probe = self.pre_histograms = None
        self.x = self.y = self.x_val = self.y_val = self.x_probe = self.y_probe = None

    def _plain(self, branch: Branch) -> keras.Model:
        cfg = self.config
        in_dim = int(np.prod(self.input_shape))
        width = (
            mlp_width(cfg, in_dim, self.n_outputs, branch.act.gated)
            if cfg.model == "mlp"
            else cfg.width
        )
        return plain_model(
            branch.act,
            branch.params,
            branch.seed,
            self.input_shape,
            self.n_outputs,
            cfg.model,
            cfg.depth,
            width,
            branch.learn,
            Init.of(cfg),
        )

    def _train_epoch(self, order):
        n, batch = tf.shape(order)[0], self.config.batch_size
        k = len(self.branches)
        loss_sum, metric_sum = tf.zeros([k]), tf.zeros([k])
        self.batches_done.assign(0)
        for i in tf.range((n + batch - 1) // batch):
            if self.stop_flag:
                break  # the epoch is unfinished; the training loop drops it
            idx = order[i * batch : tf.minimum((i + 1) * batch, n)]
            loss, metric = self._step(idx, batch)
            size = tf.cast(tf.shape(idx)[0], tf.float32)
            loss_sum += loss * size
            metric_sum += metric * size
            self.batches_done.assign_add(1)
        count = tf.cast(n, tf.float32)
        return loss_sum / count * self.reported, metric_sum / count

    # The epoch's loop needs AutoGraph (a tf.range loop with a break); what it calls does not: a
    # step has no Python control flow on tensors (the probe, traced without AutoGraph, calls the
    # same network and activations). Left to AutoGraph, converting the network, the loss and
    # every activation took about a second of the MLP's first epoch (K = 6).
    @tf.autograph.experimental.do_not_convert
    def _step(self, idx, batch: int):
        """One step on the samples `idx`. The Transformer's is XLA's, compiled once for one
        shape: the epoch's last, smaller batch is padded to `batch` samples (the first ones
        again) that weigh nothing, so its loss and gradient are those of its own samples (a
        second compile for its shape cost 5 s, TensorFlow's kernels for it 3.5 s of tracing)."""
        if self._xla is None:
            return self._step_fn(tf.gather(self.x, idx), tf.gather(self.y, idx))
        real = tf.shape(idx)[0]
        padded = tf.concat([idx, idx[: batch - real]], 0)
        padded = tf.concat([padded, tf.zeros([batch - tf.shape(padded)[0]], padded.dtype)], 0)
        weights = tf.cast(tf.range(batch) < real, tf.float32)
        return self._xla(tf.gather(self.x, padded), tf.gather(self.y, padded), weights)

    def _step_fn(self, xb, yb, weights=None):
        """One optimiser step of every network on one batch (samples weighted by `weights`,
        1 or 0); each network's loss and metric."""
        with tf.GradientTape() as tape:
            loss, metric = per_network_loss(self.task, yb, self.net(xb), weights)
            total = tf.reduce_sum(loss)
        self.optimizer.apply(tape.gradient(total, self.weights), self.weights)
        return loss, metric

    def _evaluate(self):
        n, chunk = tf.shape(self.x_val)[0], self.validation_chunk
        k = len(self.branches)
        loss_sum, metric_sum = tf.zeros([k]), tf.zeros([k])
        for i in tf.range((n + chunk - 1) // chunk):
            part = slice(i * chunk, (i + 1) * chunk)
            xb, yb = self.x_val[part], self.y_val[part]
            loss, metric = self._validation_chunk(xb, yb)
            size = tf.cast(tf.shape(xb)[0], tf.float32)
            loss_sum += loss * size
            metric_sum += metric * size
        count = tf.cast(n, tf.float32)
        return loss_sum / count * self.reported, metric_sum / count

    @tf.autograph.experimental.do_not_convert
    def _validation_chunk(self, xb, yb):
        return per_network_loss(self.task, yb, self.net(xb))

    def _probe(self):
        """Inside the network on the probe batch, per network (K) and layer (L hidden layers):
        quantiles of pre-activations and activations (K, L, Q), dead and saturated fractions
        (K, L; NaN for vector activations) and the norm of each kernel's gradient of the mean
        loss (K, L + 1: the hidden layers, then the output layer); and the pre-activation
        histograms of `_pre_histograms` under "pre_histograms"."""
        with tf.GradientTape() as tape:
            out, layers = self.net.probe(self.x_probe)
            loss, _ = per_network_loss(self.task, self.y_probe, out)
            total = tf.reduce_sum(loss)
        kernels = self.net.kernels
        norms = self.net.kernel_norms(tape.gradient(total, kernels))
        inside = _by_layer(_per_network(_inside, layers))
        # Dead and saturated units need a per-unit derivative; a vector activation has none.
        nan = tf.fill([len(self.branches), len(layers)], np.float32("nan"))
        if isinstance(self.net, Mixed):  # its layers' groups come in its models' order
            inside = tf.nest.map_structure(self.net.reorder, inside)
        for name in ("dead", "saturated"):
            inside[name] = tf.where(self.elementwise[:, None], inside[name], nan)
        return {**inside, "grad_norm": tf.stack(norms, axis=1)}

    def _pre_histograms(self):
        """Each network's histogram of each hidden layer's pre-activations on the probe batch
        (diagnostics.histograms): lo, hi, below, above (K, L) and counts (K, L, bins). The
        forward pass alone, for runs that learn activation parameters without diagnostics."""
        _, layers = self.net.probe(self.x_probe)
        found = _by_layer(_per_network(_histograms, layers))
        if isinstance(self.net, Mixed):
            found = tf.nest.map_structure(self.net.reorder, found)
        return found

    def learned_values(self) -> list[dict[str, list[np.ndarray]]]:
        """Each network's learned activation parameters now: name -> one array per layer."""
        out = []
        for index in range(len(self.branches)):
            per_layer = self.net.learned(index)
            names = per_layer[0].keys() if per_layer else ()
            out.append(
                {n: [np.asarray(layer[n], dtype=np.float64) for layer in per_layer] for n in names}
            )
        return out

    def keras_model(self, index: int) -> keras.Model:
        """Network `index` as a plain Keras model holding its trained weights (learned
        activation parameters included)."""
        if self.config.model in ("residual", "transformer"):
            return self.net.twin(index, self.input_shape, self.n_outputs)
        model = self._plain(self.branches[index])
        kernels = dense_layers(model)
        weights = self.net.network_weights(index)
        for i, layer in enumerate(kernels):
            layer.set_weights(weights[2 * i : 2 * i + 2])
        acts = [layer for layer in model.layers if isinstance(layer, CatalogueActivation)]
        for layer, learned in zip(acts, self.net.learned(index), strict=True):
            for name, weight in layer.learned.items():
                weight.assign(np.asarray(learned[name]))
        return model
