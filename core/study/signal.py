"""What an untrained deep network does to a signal: per layer, for several activations side by
side, the mean and variance of the activations, the share of dead units and the gradient norm of
each layer's kernel after one backward pass.

The network is the one `core.train.network.models.plain_model` builds for a Keras user (Dense
layers with the activation after each, zero biases, a linear read-out), with the input as wide
as the layers. Every activation gets the same seeded kernels, so the differences between them
are the activation's alone. The K networks run together: one matmul per layer over the K batches
stacked, in one `tf.function` whose loops are graph loops (it is traced once per set of
activations, not once per depth), and activations are taken in groups of `GROUP` so memory stays
bounded.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from activations import Activation
from core.study.signal_settings import INITIALISERS, MAX_DEPTH, WIDTHS
from core.train.network.diagnostics import activate_with_derivative, dead_fraction
from core.train.network.models import Branch, init_seed

# The input batch. The work is matmul-bound (3 × 2·samples·width²·depth flops per activation):
# at depth 100 and width 1024, four activations took 25 CPU-seconds with the Train page's
# 512-sample probe and 6 with 128, so this page probes 128 samples and says so next to "dead".
SAMPLES = 128
# Activations computed in one call: at depth 100 and width 1024 the pre-activations kept for the
# backward pass take 50 MB per activation.
GROUP = 4
LOSS_TEXT = (
    "Loss: mean squared error between a linear read-out (one output, same initialiser) and a "
    "fixed standard-normal target; gradient norm is the Frobenius norm of ∂loss/∂kernel of each "
    "layer (biases start at zero)."
)


# Measured on the 2-core development machine: the work runs at about 36 GFLOP per CPU-second,
# and Keras's orthogonal initializer spends 0.2 CPU-seconds on a 1024 × 1024 kernel (a QR).
FLOPS_PER_CPU_SECOND = 36e9
QR_SECONDS_1024 = 0.2
CORES = 2


def estimate_seconds(k: int, init: str, depth: int, width: int) -> float:
    """Roughly how long `signal_at_init` takes on an idle machine like the development one, kernels
    not yet drawn: forward, backward and kernel-gradient matmuls, plus orthogonal's QRs."""
    matmuls = 3 * 2 * SAMPLES * width**2 * depth * k / FLOPS_PER_CPU_SECOND / CORES
    draws = depth * QR_SECONDS_1024 * (width / 1024) ** 3 if init == "orthogonal" else 0.0
    return matmuls + draws


@dataclass(frozen=True)
class Signal:
    """The per-layer measures of each activation's network: arrays shaped (K, depth), row k for
    `names[k]`; layer l (1-based) is column l − 1. Plain data (NumPy), safe to cache and pickle.
    Values that overflowed float32 are inf or NaN, as TensorFlow computed them."""

    names: tuple[str, ...]
    init: str
    depth: int
    width: int
    seed: int
    mean: np.ndarray
    variance: np.ndarray
    dead: np.ndarray
    grad_norm: np.ndarray
    seconds: float

    def row(self, name: str) -> dict[str, np.ndarray]:
        k = self.names.index(name)
        return {
            "mean": self.mean[k],
            "variance": self.variance[k],
            "dead": self.dead[k],
            "grad_norm": self.grad_norm[k],
        }


def initializer(init: str, seed: int):
    """The Keras initializer `init` (a key of INITIALISERS), seeded."""
    if init not in INITIALISERS:
        raise ValueError(f"Unknown initialiser {init!r}; choose one of {', '.join(INITIALISERS)}")
    return getattr(keras.initializers, INITIALISERS[init][1])(seed=seed)


def kernels(init: str, depth: int, width: int, seed: int) -> list[np.ndarray]:
    """The hidden kernels (width × width) of layers 1..depth, then the read-out (width × 1):
    layer l's kernel seeded by `init_seed(seed, l − 1)`, as `plain_model` seeds its layers."""
    hidden = [_kernel(init, width, width, seed, layer) for layer in range(depth)]
    return hidden + [_kernel(init, width, 1, seed, depth)]


# Drawing kernels is not free (an orthogonal 1024 × 1024 kernel is a QR decomposition, 0.2 s), and
# a kernel depends only on these arguments: another activation set, or a depth change, reuses
# them. At most 128 kernels (512 MB at width 1024) are kept; they are returned read-only.
@functools.lru_cache(maxsize=128)
def _kernel(init: str, fan_in: int, fan_out: int, seed: int, layer: int) -> np.ndarray:
    kernel = np.asarray(
        initializer(init, init_seed(seed, layer))((fan_in, fan_out)), dtype=np.float32
    )
    kernel.flags.writeable = False
    return kernel


def probe(width: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The standard-normal input batch (SAMPLES × width) and the read-out's target (SAMPLES × 1)."""
    rng = np.random.default_rng([seed, width])
    x = rng.standard_normal((SAMPLES, width), dtype=np.float32)
    y = rng.standard_normal((SAMPLES, 1), dtype=np.float32)
    return x, y


# Why the page leaves vector activations out (the page's warning and problems() both say it).
VECTOR_REASON = (
    "map a whole layer to a vector (glu even halves its width), so a unit has no derivative of "
    "its own and “dead” is not defined"
)


def problems(acts: Sequence[Activation], depth: int, width: int) -> list[str]:
    """What makes this choice impossible to compute, in words a user can act on."""
    out = []
    if not acts:
        out.append("Pick at least one activation.")
    vector = [a.name for a in acts if not a.elementwise]
    if vector:
        out.append(f"{', '.join(vector)} {VECTOR_REASON}: pick element-wise activations here.")
    if not 1 <= depth <= MAX_DEPTH:
        out.append(f"Depth must be between 1 and {MAX_DEPTH}; it is {depth}.")
    if width not in WIDTHS:
        out.append(f"Width must be one of {', '.join(map(str, WIDTHS))}; it is {width}.")
    return out


def signal_at_init(
    acts: Sequence[Activation], init: str, depth: int, width: int, seed: int = 0
) -> Signal:
    """Push the probe through the untrained network of each activation (default parameters) and
    measure every layer; ValueError when `problems` finds any."""
    found = problems(acts, depth, width)
    if found:
        raise ValueError(" ".join(found))
    started = time.perf_counter()
    weights = kernels(init, depth, width, seed)
    stack = tf.constant(np.stack(weights[:-1]))
    readout = tf.constant(weights[-1])
    x, y = (tf.constant(a) for a in probe(width, seed))
    parts = []
    for start in range(0, len(acts), GROUP):
        group = tuple(acts[start : start + GROUP])
        parts.append([t.numpy() for t in _runner(group)(stack, readout, x, y)])
    mean, variance, dead, grad = (np.concatenate(columns) for columns in zip(*parts, strict=True))
    return Signal(
        names=tuple(a.name for a in acts),
        init=init,
        depth=depth,
        width=width,
        seed=seed,
        mean=mean,
        variance=variance,
        dead=dead,
        grad_norm=grad,
        seconds=time.perf_counter() - started,
    )


# Traced functions by activation group: tracing costs about a second, a rerun with another depth,
# width, initialiser or seed reuses the graph. Bounded, oldest dropped first.
_RUNNERS: dict[tuple, tf.types.experimental.GenericFunction] = {}
_MAX_RUNNERS = 32


def _group_key(group: Sequence[Activation]) -> tuple:
    # Customs are keyed by their expression and parameter defaults: two sessions' customs of the
    # same name may differ.
    return tuple((a.name, a.source, a.expression, tuple(a.defaults().items())) for a in group)


def _runner(group: Sequence[Activation]):
    key = _group_key(group)
    if key not in _RUNNERS:
        if len(_RUNNERS) >= _MAX_RUNNERS:
            _RUNNERS.pop(next(iter(_RUNNERS)))
        _RUNNERS[key] = _build_runner(group)
    return _RUNNERS[key]


def _build_runner(group: Sequence[Activation]):
    applies = [Branch(act, {}, 0).new_apply() for act in group]
    k = len(applies)

    def activate(z):
        """(K, B, W) pre-activations -> activations and f′, slice i through activation i."""
        pairs = [activate_with_derivative(f, z[i]) for i, f in enumerate(applies)]
        return tf.stack([h for h, _ in pairs]), tf.stack([d for _, d in pairs])

    def dense(h, kernel, transpose=False):
        """(K, B, W) @ kernel (or its transpose) as one 2-D matmul over the K batches stacked:
        a broadcasting batched matmul was 2.5× slower here."""
        shape = tf.shape(h)
        out = tf.matmul(tf.reshape(h, [-1, shape[2]]), kernel, transpose_b=transpose)
        return tf.reshape(out, [k, shape[1], -1])

    spec = tf.TensorSpec
    signature = [
        spec([None, None, None], tf.float32),  # hidden kernels, (depth, W, W)
        spec([None, 1], tf.float32),  # read-out kernel
        spec([None, None], tf.float32),  # input batch
        spec([None, 1], tf.float32),  # target
    ]

    @tf.function(input_signature=signature)
    def run(stack, readout, x, y):
        depth = tf.shape(stack)[0]
        samples = tf.cast(tf.shape(x)[0], tf.float32)
        # Forward: measure each layer, keep its pre-activations for the backward pass.
        zs = tf.TensorArray(tf.float32, size=depth)
        means = tf.TensorArray(tf.float32, size=depth)
        variances = tf.TensorArray(tf.float32, size=depth)
        deads = tf.TensorArray(tf.float32, size=depth)
        h = tf.tile(x[None], [k, 1, 1])
        for layer in tf.range(depth):
            z = dense(h, stack[layer])
            h, derivative = activate(z)
            zs = zs.write(layer, z)
            means = means.write(layer, tf.reduce_mean(h, axis=[1, 2]))
            variances = variances.write(layer, tf.math.reduce_variance(h, axis=[1, 2]))
            deads = deads.write(layer, dead_fraction(derivative))
        # Backward, by the chain rule with the f′ measured above: loss_k = mean((h_L·r − y)²).
        output = dense(h, readout)  # (K, B, 1)
        upstream = dense(2.0 * (output - y[None]) / samples, readout, transpose=True)
        grads = tf.TensorArray(tf.float32, size=depth)
        _, derivative = activate(zs.read(depth - 1))
        for layer in tf.range(depth - 1, -1, -1):
            delta = upstream * derivative  # ∂loss/∂z of this layer, (K, B, W)
            if layer > 0:
                below, below_derivative = activate(zs.read(layer - 1))
            else:
                below, below_derivative = tf.tile(x[None], [k, 1, 1]), derivative
            kernel_grad = tf.matmul(below, delta, transpose_a=True)  # (K, W, W)
            grads = grads.write(layer, tf.norm(kernel_grad, axis=[1, 2]))
            upstream = dense(delta, stack[layer], transpose=True)
            derivative = below_derivative
        # TensorArrays stack layers first: (depth, K) -> (K, depth).
        return tuple(tf.transpose(a.stack()) for a in (means, variances, deads, grads))

    return run
