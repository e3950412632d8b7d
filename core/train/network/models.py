"""Models: the plain Keras model one activation trains in, and the fused model that trains many
activations (and seeds) at once with exactly the same arithmetic.

Reproducibility never touches global state: every kernel comes from an initializer seeded by
(seed, layer), biases start at zero (or, under the mean-field initialisation, from one seeded
the same way), and batch order comes from `epoch_order`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from activations import Activation, get
from activations.expression import custom_activation
from activations.learnable import learnable_fn
from activations.tutorial import PACKAGE
from core.train.network.diagnostics import activate_with_derivative
from core.train.settings import INITIALISERS
from core.train.theory import edge_sigma_w2

# The small CNN's two convolutions (3×3, valid, each followed by its activation and 2×2 pooling).
CNN_FILTERS = (16, 32)


def init_seed(seed: int, layer: int) -> int:
    """The kernel initializer seed of `layer` in the model trained with `seed`."""
    return 1 + seed * 1000 + layer


# Bias seeds sit above every kernel seed of the same network (layers stay below 500).
BIAS_SEED_OFFSET = 500

# A gated layer's v projection draws its kernel and bias as layer `layer + V_LAYER` would
# (kernel seeds stay below the bias seeds' BIAS_SEED_OFFSET: networks stay under 250 layers).
V_LAYER = 250


@dataclass(frozen=True)
class Init:
    """How a network's weights start: `kind` is a key of core.train.settings.INITS; σ_w² and σ_b²
    are read only by "mean_field"."""

    kind: str = "glorot_uniform"
    sigma_w2: float = 1.0
    sigma_b2: float = 0.0

    @classmethod
    def of(cls, config) -> Init:
        return cls(config.init, config.sigma_w2, config.sigma_b2)

    def for_act(self, act: Activation, params: Mapping[str, Any] | None = None) -> Init:
        """The initialisation of `act`'s network: under "edge_of_chaos", the Gaussian one at
        the activation's own critical σ_w² at this σ_b² (mean-field theory, with its parameters
        at their starting values); every other kind is the same for every activation."""
        if self.kind != "edge_of_chaos":
            return self
        sigma_w2 = edge_sigma_w2(act, act.resolve(params or {}), self.sigma_b2)
        return Init("mean_field", sigma_w2, self.sigma_b2)

    def kernel(self, seed: int, layer: int):
        if self.kind == "edge_of_chaos":
            raise ValueError("The edge of chaos is per activation: draw from Init.for_act(act).")
        s = init_seed(seed, layer)
        if self.kind == "standard_uniform":
            # U[−1/√n, 1/√n]: VarianceScaling's uniform limit is √(3·scale/fan_in), so 1/3.
            return keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform", seed=s)
        if self.kind == "mean_field":
            scale = float(self.sigma_w2)
            return keras.initializers.VarianceScaling(scale, "fan_in", "untruncated_normal", seed=s)
        keras_class = INITIALISERS[self.kind].keras_class
        assert keras_class is not None, self.kind  # the two without one are drawn above
        return getattr(keras.initializers, keras_class)(seed=s)

    def bias(self, seed: int, layer: int):
        if self.kind == "edge_of_chaos":
            raise ValueError("The edge of chaos is per activation: draw from Init.for_act(act).")
        if self.kind == "mean_field" and self.sigma_b2 > 0:
            stddev = float(self.sigma_b2) ** 0.5  # as the exported script writes it
            seed = init_seed(seed, layer) + BIAS_SEED_OFFSET
            return keras.initializers.RandomNormal(stddev=stddev, seed=seed)
        return keras.initializers.Zeros()

    def bias_values(self, seed: int, layer: int, units: int) -> np.ndarray:
        return np.asarray(self.bias(seed, layer)((units,)), np.float32)


GLOROT = Init()


def kernel_initializer(seed: int, layer: int, init: Init = GLOROT):
    return init.kernel(seed, layer)


def epoch_order(data_seed: int, epoch: int, n: int) -> np.ndarray:
    """The batch order of `epoch`: the same for every activation and seed of a comparison."""
    return np.random.default_rng([data_seed, epoch]).permutation(n).astype(np.int32)


@keras.saving.register_keras_serializable(package=PACKAGE)
class CatalogueActivation(keras.layers.Layer):
    """Any catalogue activation as a Keras layer that saves to `.keras` and loads back.

    It stores the activation's name, parameters and (for session customs) the expression, and
    finds the function again through the catalogue or the safe expression compiler on load.
    Learned parameters (`learn`: name -> "layer" or "unit") are weights made with `add_weight`,
    starting from their value in `params`, so a `.keras` file carries what they learned.
    """

    def __init__(
        self,
        activation: str,
        params: Mapping[str, Any] | None = None,
        expression: str | None = None,
        learn: Mapping[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.activation, self.params, self.expression = activation, dict(params or {}), expression
        self.learn = dict(learn or {})
        self._act = _resolve(activation, self.params, expression)
        self._inner = self._act.layer() if self._act.layer is not None else None
        self.learned: dict[str, Any] = {}

    def build(self, input_shape):
        if self._inner is not None and not self._inner.built:
            self._inner.build(input_shape)
        for name, granularity in self.learn.items():
            self.learned[name] = self.add_weight(
                name=name,
                shape=learned_shape(granularity, input_shape[-1]),
                initializer=keras.initializers.Constant(self.params[name]),
            )
        super().build(input_shape)

    def call(self, inputs):
        if self._inner is not None:
            return self._inner(inputs)
        values = self._act.resolve(self.params)
        if not self.learn:
            return self._act.fn(inputs, **values)
        return learnable_fn(self._act)(inputs, **{**values, **self.learned})

    def get_config(self):
        return {
            **super().get_config(),
            "activation": self.activation,
            "params": self.params,
            "expression": self.expression,
            "learn": self.learn,
        }


def learned_shape(granularity: str, units: int) -> tuple[int, ...]:
    """A learned parameter's shape: one value per layer, or one per unit (per channel)."""
    return (int(units),) if granularity == "unit" else ()


def _resolve(name: str, params: Mapping[str, Any], expression: str | None) -> Activation:
    return custom_activation(name, expression) if expression is not None else get(name)


def activation_layer(
    act: Activation, params: Mapping[str, Any] | None = None, learn: Mapping[str, str] | None = None
) -> keras.layers.Layer:
    return CatalogueActivation(act.name, act.resolve(params), act.expression, learn)


def plain_model(
    act: Activation,
    params: Mapping[str, Any] | None,
    seed: int,
    input_shape: Sequence[int],
    n_outputs: int,
    kind: str = "mlp",
    depth: int = 1,
    width: int = 128,
    learn: Mapping[str, str] | None = None,
    init: Init = GLOROT,
) -> keras.Model:
    """One activation's model, the way a Keras user writes it: Dense layers (or a small CNN), the
    activation after each hidden layer, a linear output (logits for classification)."""
    init = init.for_act(act, params)
    layers: list[keras.layers.Layer] = [keras.Input(tuple(input_shape))]
    layer = 0
    if kind == "cnn":
        for filters in CNN_FILTERS:
            layers += [
                keras.layers.Conv2D(
                    filters,
                    3,
                    kernel_initializer=init.kernel(seed, layer),
                    bias_initializer=init.bias(seed, layer),
                ),
                activation_layer(act, params, learn),
                keras.layers.MaxPooling2D(),
            ]
            layer += 1
        layers.append(keras.layers.Flatten())
        depth = 1
    elif len(input_shape) > 1:
        layers.append(keras.layers.Flatten())
    if act.gated:
        return _plain_gated(act, params, seed, layers, n_outputs, depth, width, learn, init)
    for _ in range(depth):
        layers += [
            keras.layers.Dense(
                width,
                kernel_initializer=init.kernel(seed, layer),
                bias_initializer=init.bias(seed, layer),
            ),
            activation_layer(act, params, learn),
        ]
        layer += 1
    layers.append(
        keras.layers.Dense(
            n_outputs,
            kernel_initializer=init.kernel(seed, layer),
            bias_initializer=init.bias(seed, layer),
        )
    )
    return keras.Sequential(layers)


def _plain_gated(act, params, seed, layers, n_outputs, depth, width, learn, init) -> keras.Model:
    """The gated MLP in Keras's functional API: each hidden layer is Dense u and Dense v (named
    u{i}, v{i}), the activation on u, and their product (Multiply); then the linear output."""
    inputs = layers[0]
    h = inputs
    for layer in layers[1:]:
        h = layer(h)
    for i in range(depth):
        u, v = (
            keras.layers.Dense(
                width,
                kernel_initializer=init.kernel(seed, i + shift),
                bias_initializer=init.bias(seed, i + shift),
                name=f"{part}{i}",
            )(h)
            for part, shift in (("u", 0), ("v", V_LAYER))
        )
        h = keras.layers.Multiply()([activation_layer(act, params, learn)(u), v])
    out = keras.layers.Dense(
        n_outputs,
        kernel_initializer=init.kernel(seed, depth),
        bias_initializer=init.bias(seed, depth),
        name="out",
    )(h)
    return keras.Model(inputs, out)


def dense_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's Conv2D and Dense layers in the order `network_weights` lists their weights:
    the order they were added, or for a gated MLP u0, v0, u1, v1, …, out (by name)."""
    kinds = (keras.layers.Conv2D, keras.layers.Dense)
    weighted = [layer for layer in model.layers if isinstance(layer, kinds)]
    if not any(layer.name == "u0" for layer in weighted):
        return weighted

    def order(layer) -> int:
        if layer.name == "out":
            return 1 << 30
        return 2 * int(layer.name[1:]) + (layer.name[0] == "v")

    return sorted(weighted, key=order)


@dataclass(frozen=True)
class Branch:
    """One trained network of a comparison: an activation with its parameters and a seed, which
    parameters it learns (name -> "layer" or "unit"; they start from `params`), and its own
    learning rate (None: the configuration's one rate)."""

    act: Activation
    params: Mapping[str, Any]
    seed: int
    learn: Mapping[str, str] = field(default_factory=dict)
    learning_rate: float | None = None

    def new_apply(self, units: int = 1):
        """A callable applying this branch's activation to `units` units (a fresh layer for
        method-1 ones, fresh variables for learned parameters)."""
        if self.act.layer is not None:
            return self.act.layer()
        params = self.act.resolve(self.params)
        if self.learn:
            return LearnedActivation(self.act, params, self.learn, units)
        return lambda h: self.act.fn(h, **params)


class LearnedActivation(tf.Module):
    """One layer's activation whose parameters `learn` are variables of the network."""

    def __init__(
        self, act: Activation, params: Mapping[str, Any], learn: Mapping[str, str], units: int
    ):
        super().__init__()
        self.fn, self.fixed = learnable_fn(act), {k: v for k, v in params.items() if k not in learn}
        self.learned = {
            name: tf.Variable(
                tf.fill(learned_shape(granularity, units), np.float32(params[name])), name=name
            )
            for name, granularity in learn.items()
        }

    def __call__(self, h):
        return self.fn(h, **self.fixed, **self.learned)


def _one_kind(branches: Sequence[Branch]) -> bool:
    """Whether these networks are gated; ValueError when some are and some are not (`Mixed`
    splits a comparison into groups of one kind)."""
    kinds = {b.act.gated for b in branches}
    if len(kinds) != 1:
        raise ValueError("a fused model holds gated units or plain ones, not both")
    return kinds.pop()


# Eigen and oneDNN evaluate an element-wise op in vectors of up to 16 floats (AVX-512), with a
# scalar path for a remainder that can differ in the last bit (exp, tanh): slices of a multiple of
# this many values each meet the same vectors in one call over several slices as alone.
_VECTOR_FLOATS = 16


def _shared_groups(branches: Sequence[Branch], width: int) -> list[tuple[int, int]]:
    """[start, end) runs of consecutive networks whose activation is the same fixed element-wise
    function with the same parameters (nothing learned, no Keras layer), each run computed by one
    call. Only when `width` is a multiple of _VECTOR_FLOATS, so every network's values are exactly
    those it gets alone (tests/core/train/test_training.py compares them with plain Keras)."""
    groups: list[tuple[int, int]] = []
    shareable = width % _VECTOR_FLOATS == 0

    def key(b: Branch):
        if not shareable or b.learn or b.act.layer is not None or not b.act.elementwise:
            return None
        return (id(b.act), repr(sorted(b.act.resolve(b.params).items())))

    for i, branch in enumerate(branches):
        k = key(branch)
        if groups and k is not None and k == key(branches[groups[-1][0]]):
            groups[-1] = (groups[-1][0], i + 1)
        else:
            groups.append((i, i + 1))
    return groups


class FusedMLP(tf.Module):
    """K MLPs that share no weights, computed together.

    The first layer is one matmul against the K kernels side by side (784 → K·width); deeper
    layers are batched matmuls over a (K, width, width) stack. Slice k gets activation k. Each
    network's numbers are exactly those of `plain_model` with the same seed.

    Gated units (every branch gated, or none: `Mixed` joins the two kinds) project each layer
    twice, u and v, side by side ([u | v], 2·width columns per network), and pass f(u)·v on.
    """

    def __init__(
        self,
        branches: Sequence[Branch],
        in_dim: int,
        depth: int,
        width: int,
        n_outputs: int,
        init: Init = GLOROT,
    ):
        super().__init__()
        self.k, self.width = len(branches), width
        self.gated = _one_kind(branches)
        # One activation instance per hidden layer and branch, as the plain model has.
        self.activations = [[b.new_apply(width) for b in branches] for _ in range(depth)]
        self.groups = _shared_groups(branches, width)
        inits = [init.for_act(b.act, b.params) for b in branches]

        def kernel(k: int, layer: int, shape) -> np.ndarray:  # [u | v] when gated
            seed = branches[k].seed
            if not self.gated or layer == depth:
                return np.asarray(inits[k].kernel(seed, layer)(shape))
            u = np.asarray(inits[k].kernel(seed, layer)(shape))
            return np.concatenate(
                [u, np.asarray(inits[k].kernel(seed, layer + V_LAYER)(shape))], -1
            )

        def biases(layer: int, units: int) -> np.ndarray:  # (K, 1, units), [u | v] when gated
            def one(i: Init, seed: int) -> np.ndarray:
                b = i.bias_values(seed, layer, units)
                if self.gated and layer < depth:
                    b = np.concatenate([b, i.bias_values(seed, layer + V_LAYER, units)])
                return b[None]

            return np.stack([one(i, b.seed) for i, b in zip(inits, branches, strict=True)])

        self.w0 = tf.Variable(
            np.concatenate([kernel(k, 0, (in_dim, width)) for k in range(self.k)], axis=1),
            name="w0",
        )
        self.b0 = tf.Variable(biases(0, width).reshape(-1), name="b0")
        self.hidden = [
            (
                tf.Variable(
                    np.stack([kernel(k, layer, (width, width)) for k in range(self.k)]),
                    name=f"w{layer}",
                ),
                tf.Variable(biases(layer, width), name=f"b{layer}"),
            )
            for layer in range(1, depth)
        ]
        self.w_out = tf.Variable(
            np.stack([kernel(k, depth, (width, n_outputs)) for k in range(self.k)]), name="w_out"
        )
        self.b_out = tf.Variable(biases(depth, n_outputs), name="b_out")

    @property
    def projected(self) -> int:
        """Columns of one network's projection: u and v side by side for gated units."""
        return 2 * self.width if self.gated else self.width

    def _unit(self, z, layer, keep: bool = False):
        """A hidden layer's output from its projection z (K, B, projected): f(z), or f(u)·v;
        with `keep`, also (u, f(u), f′(u)) for the diagnostics."""
        u, v = (z[..., : self.width], z[..., self.width :]) if self.gated else (z, None)
        if keep:
            h, dh = activate_with_derivative(lambda t: self._activate(t, layer), u)
        else:
            h, dh = self._activate(u, layer), None
        out = h * v if self.gated else h
        return (out, (u, h, dh)) if keep else out

    def _activate(self, h, layer):  # h: (K, B, width)
        """Activation k on slice k; a run of networks that share one fixed activation (the seeds
        of an activation) in one call over their slices: a third of the ops with 3 seeds, the
        same numbers (see `_shared_groups`)."""
        acts = self.activations[layer]
        if len(self.groups) == self.k:
            return tf.stack([f(h[i]) for i, f in enumerate(acts)])
        return tf.concat([acts[start](h[start:end]) for start, end in self.groups], axis=0)

    def __call__(self, x):
        x = tf.reshape(x, [tf.shape(x)[0], -1])
        h = tf.matmul(x, self.w0) + self.b0  # (B, K·projected)
        h = tf.transpose(tf.reshape(h, [-1, self.k, self.projected]), [1, 0, 2])
        h = self._unit(h, 0)
        for layer, (w, b) in enumerate(self.hidden, start=1):
            h = self._unit(tf.matmul(h, w) + b, layer)
        return tf.matmul(h, self.w_out) + self.b_out  # (K, B, outputs)

    def probe(self, x):
        """The output, and each hidden layer's (z, f(z), f′(z)) as one group of all K networks,
        each (K, B, width): the forward pass of `__call__` keeping what the diagnostics measure
        (for gated units z is the gate's projection u). (Layers are lists of groups, as
        FusedCNN.probe's are.)"""
        x = tf.reshape(x, [tf.shape(x)[0], -1])
        z = tf.matmul(x, self.w0) + self.b0
        z = tf.transpose(tf.reshape(z, [-1, self.k, self.projected]), [1, 0, 2])
        h, kept = self._unit(z, 0, keep=True)
        layers = [[kept]]
        for layer, (w, b) in enumerate(self.hidden, start=1):
            h, kept = self._unit(tf.matmul(h, w) + b, layer, keep=True)
            layers.append([kept])
        return tf.matmul(h, self.w_out) + self.b_out, layers

    @property
    def kernels(self) -> list[tf.Variable]:
        """Every layer's kernel, input to output."""
        return [self.w0, *[w for w, _ in self.hidden], self.w_out]

    def kernel_norms(self, gradients) -> list:
        """Each network's L2 norm of each kernel gradient (as `kernels` orders them): (K,) each."""
        first = tf.reshape(gradients[0], [-1, self.k, self.projected])
        norms = [tf.sqrt(tf.reduce_sum(tf.square(first), axis=[0, 2]))]
        return norms + [tf.sqrt(tf.reduce_sum(tf.square(g), axis=[1, 2])) for g in gradients[1:]]

    def network_weights(self, index: int) -> list[np.ndarray]:
        """Network `index`'s kernels and biases, in the order of its plain model's Dense layers
        (for gated units each layer's u, then its v)."""
        n = self.projected
        columns = slice(index * n, (index + 1) * n)
        layers = [(np.asarray(self.w0[:, columns]), np.asarray(self.b0[columns]))]
        layers += [(np.asarray(w[index]), np.asarray(b[index, 0])) for w, b in self.hidden]
        out = []
        for kernel, bias in layers:
            if self.gated:
                w = self.width
                out += [kernel[:, :w], bias[:w], kernel[:, w:], bias[w:]]
            else:
                out += [kernel, bias]
        return out + [np.asarray(self.w_out[index]), np.asarray(self.b_out[index, 0])]

    def learned(self, index: int) -> list[dict[str, tf.Variable]]:
        """Network `index`'s learned activation parameters, per hidden layer."""
        return [_learned_of(row[index]) for row in self.activations]

    def learning_rates(self, rates: Sequence[float]) -> list[tf.Tensor]:
        """Network k's rate `rates[k]` for every variable of `weights`, shaped to broadcast over
        that variable's network axis (the columns of w0 and b0, the first axis of the stacks)."""
        per_unit = tf.constant(np.repeat(np.asarray(rates, np.float32), self.projected))
        stacked = tf.constant(np.asarray(rates, np.float32).reshape(-1, 1, 1))
        hidden = [stacked for _ in self.hidden for _ in range(2)]
        own = [per_unit[None, :], per_unit, *hidden, stacked, stacked]
        return own + _activation_rates(self.activations, rates)

    @property
    def weights(self):
        own = [self.w0, self.b0, *[v for pair in self.hidden for v in pair], self.w_out, self.b_out]
        return own + _activation_weights(self.activations)


def _learned_of(f) -> dict[str, Any]:
    return dict(f.learned) if isinstance(f, (LearnedActivation, CatalogueActivation)) else {}


class FusedCNN(tf.Module):
    """K small CNNs (`plain_model(kind="cnn")`) that share no weights, computed together.

    Each network runs the ops its plain model runs (Conv2D, BiasAdd, MaxPool, MatMul), one per
    network, so its numbers are those of `plain_model` with the same seed. Measured and dropped:
    one convolution with K·16 channels split per network (4× slower: the split's copies forward
    and back), a grouped second convolution (TensorFlow has its gradient on CPU only with oneDNN,
    and there 1.4× slower than K convolutions), a batched matmul over patches (4-6× slower), and
    the first convolution as one matmul of image patches cut once per batch (as fast as K
    convolutions with oneDNN on, see core/__init__.py, but its kernel gradient then rounds
    differently from Conv2D's, and one validation digit in a thousand came out differently).
    """

    def __init__(
        self,
        branches: Sequence[Branch],
        input_shape: Sequence[int],
        width: int,
        n_outputs: int,
        init: Init = GLOROT,
    ):
        super().__init__()
        self.k, self.width = len(branches), width
        c1, c2 = CNN_FILTERS
        height, breadth, channels = input_shape
        height, breadth = (height - 2) // 2, (breadth - 2) // 2
        height, breadth = (height - 2) // 2, (breadth - 2) // 2
        self.flat = height * breadth * c2  # what Flatten hands the dense layer
        # One activation instance per hidden layer and branch; a channel is a unit.
        self.activations = [[b.new_apply(units) for b in branches] for units in (c1, c2, width)]
        shapes = [(3, 3, channels, c1), (3, 3, c1, c2), (self.flat, width), (width, n_outputs)]
        inits = [init.for_act(b.act, b.params) for b in branches]
        # Every variable has the network on its first axis, so network k's weights are [k].
        self.kernel_vars = [
            tf.Variable(
                np.stack(
                    [i.kernel(b.seed, layer)(shape) for i, b in zip(inits, branches, strict=True)]
                ),
                name=f"w{layer}",
            )
            for layer, shape in enumerate(shapes)
        ]
        self.bias_vars = [
            tf.Variable(
                np.stack(
                    [
                        i.bias_values(b.seed, layer, units)
                        for i, b in zip(inits, branches, strict=True)
                    ]
                ),
                name=f"b{layer}",
            )
            for layer, units in enumerate((c1, c2, width, n_outputs))
        ]

    def _forward(self, x, keep: bool):
        """The output (K, B, outputs) and, when `keep`, each hidden layer's (z, f(z), f′(z)) per
        network, each (1, samples, units): in a convolution every position counts as a sample."""
        found: list[list] = [[], [], []]

        def activate(k, layer, z):
            f = self.activations[layer][k]
            if not keep:
                return f(z)
            h, dh = activate_with_derivative(f, z)
            # A reshape, not a copy: stacking the K networks' feature maps into one (K, N, U)
            # tensor copied ~400 MB per probe (K = 6) for measures taken per network anyway.
            units = z.shape[-1]
            found[layer].append(tuple(tf.reshape(t, [1, -1, units]) for t in (z, h, dh)))
            return h

        # Per network, with Keras's ops (see the class docstring). unstack, not w[k]: its
        # gradient is one stack, where each slice's would be a zero-padded copy of the variable.
        w1, w2, w3, w_out = [tf.unstack(w) for w in self.kernel_vars]
        b1, b2, b3, b_out = [tf.unstack(b) for b in self.bias_vars]
        outs = []
        for k in range(self.k):
            z = tf.nn.bias_add(tf.nn.conv2d(x, w1[k], 1, "VALID"), b1[k])
            h = tf.nn.max_pool2d(activate(k, 0, z), 2, 2, "VALID")
            z = tf.nn.bias_add(tf.nn.conv2d(h, w2[k], 1, "VALID"), b2[k])
            h = tf.nn.max_pool2d(activate(k, 1, z), 2, 2, "VALID")
            z = tf.nn.bias_add(tf.matmul(tf.reshape(h, [-1, self.flat]), w3[k]), b3[k])
            h = activate(k, 2, z)
            outs.append(tf.nn.bias_add(tf.matmul(h, w_out[k]), b_out[k]))
        layers = found if keep else []
        return tf.stack(outs), layers

    def __call__(self, x):
        return self._forward(x, keep=False)[0]

    def probe(self, x):
        """As FusedMLP.probe, but each hidden layer is K groups of one network: (z, f(z), f′(z)),
        each (1, samples, units); in a convolution every position counts as a sample."""
        return self._forward(x, keep=True)

    @property
    def kernels(self) -> list[tf.Variable]:
        """Every layer's kernel, input to output."""
        return list(self.kernel_vars)

    def kernel_norms(self, gradients) -> list:
        """Each network's L2 norm of each kernel gradient (as `kernels` orders them): (K,) each."""
        per_network = [tf.reshape(g, [self.k, -1]) for g in gradients]
        return [tf.sqrt(tf.reduce_sum(tf.square(g), axis=1)) for g in per_network]

    def network_weights(self, index: int) -> list[np.ndarray]:
        """Network `index`'s kernels and biases, in the order of its plain model's Conv2D and
        Dense layers."""
        out = []
        for kernel, bias in zip(self.kernel_vars, self.bias_vars, strict=True):
            out += [np.asarray(kernel[index]), np.asarray(bias[index])]
        return out

    def learned(self, index: int) -> list[dict[str, tf.Variable]]:
        """Network `index`'s learned activation parameters, per hidden layer."""
        return [_learned_of(row[index]) for row in self.activations]

    def learning_rates(self, rates: Sequence[float]) -> list[tf.Tensor]:
        """Network k's rate `rates[k]` for every variable of `weights`, shaped to broadcast over
        that variable's first axis (the network's)."""
        column = np.asarray(rates, np.float32)
        own = [
            tf.constant(column.reshape(-1, *[1] * (len(v.shape) - 1)))
            for pair in zip(self.kernel_vars, self.bias_vars, strict=True)
            for v in pair
        ]
        return own + _activation_rates(self.activations, rates)

    @property
    def weights(self):
        own = [v for pair in zip(self.kernel_vars, self.bias_vars, strict=True) for v in pair]
        return own + _activation_weights(self.activations)


def _activation_weights(activations) -> list[tf.Variable]:
    """The trainable variables of the activations (`activations[layer][k]`): method-1 layers'
    own weights, then learned parameters."""
    layer_weights = [
        v
        for row in activations
        for f in row
        if isinstance(f, keras.layers.Layer)
        for v in f.trainable_variables
    ]
    learned = [v for row in activations for f in row for v in _learned_of(f).values()]
    return layer_weights + learned


def _activation_rates(activations, rates: Sequence[float]) -> list[tf.Tensor]:
    """Network k's rate for each variable of `_activation_weights`, in the same order."""
    layer_rates = [
        tf.constant(np.float32(rates[k]))
        for row in activations
        for k, f in enumerate(row)
        if isinstance(f, keras.layers.Layer)
        for _ in f.trainable_variables
    ]
    # Learned activation parameters (one per layer or per unit) get their network's rate.
    learned = [
        tf.constant(np.float32(rates[k]))
        for row in activations
        for k, f in enumerate(row)
        for _ in _learned_of(f).values()
    ]
    return layer_rates + learned


def parameter_count(
    kind: str, input_shape: Sequence[int], n_outputs: int, depth: int, width: int
) -> int:
    """Trainable parameters of one network (activation weights, if any, not included)."""
    if kind == "cnn":
        h, w = input_shape[0], input_shape[1]
        f1, f2 = CNN_FILTERS
        c1 = (3 * 3 * input_shape[2] + 1) * f1
        h, w = (h - 2) // 2, (w - 2) // 2
        c2 = (3 * 3 * f1 + 1) * f2
        h, w = (h - 2) // 2, (w - 2) // 2
        return c1 + c2 + (h * w * f2 + 1) * width + (width + 1) * n_outputs
    in_dim = int(np.prod(input_shape))
    return (in_dim + 1) * width + (depth - 1) * (width + 1) * width + (width + 1) * n_outputs
