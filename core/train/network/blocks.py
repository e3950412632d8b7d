"""The blocks an activation lives in beyond the plain stack: a residual MLP of pre-LayerNorm
blocks, and a tiny decoder-only Transformer whose FFN activation is the variable; `Mixed`, which
trains gated and plain networks of one comparison together; and the widths that give a gated
unit the parameters of the plain one.

Every fused model here holds K networks of one kind (all gated, or none) stacked on a first
axis and computed by batched einsums, so their arithmetic is not bit-for-bit Keras's: each
network matches its plain-Keras twin (`twin`, keras.layers only) within float32 rounding, and
tests/core/train/test_blocks.py says how close and why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from core.train.network.diagnostics import activate_with_derivative
from core.train.network.models import (
    GLOROT,
    V_LAYER,
    Branch,
    Init,
    _learned_of,
    _one_kind,
    activation_layer,
    init_seed,
)

HEADS = 4
FFN_RATIO = 4  # a block's FFN is this many times the stream's width (the Transformer's usual)
LN_EPSILON = 1e-5  # LayerNorm's ε here and in the twins (Keras's default is 1e-3)
EMBEDDING_SCALE = 0.05  # Keras's Embedding starts U(±0.05)


def ffn_params(width: int, hidden: int, gated: bool) -> int:
    """Weights and biases of one FFN d → hidden → d: two projections up for gated units."""
    up = (2 if gated else 1) * (width + 1) * hidden
    return up + (hidden + 1) * width


def mlp_params(in_dim: int, n_outputs: int, depth: int, width: int, gated: bool) -> int:
    """Weights and biases of one MLP of `depth` hidden layers of `width` units."""
    per = 2 if gated else 1
    hidden = per * (in_dim + 1) * width + (depth - 1) * per * (width + 1) * width
    return hidden + (width + 1) * n_outputs


def block_params(kind: str, input_shape, n_outputs: int, depth: int, width: int) -> int:
    """Weights and biases of one plain (not gated) residual MLP or Transformer; a gated one has
    the same within a few hundred (its FFN width is matched)."""
    ffn = 2 * width + ffn_params(width, ffn_width(width, False), False)  # with its LayerNorm
    head = 2 * width + (width + 1) * n_outputs
    if kind == "residual":
        return (int(np.prod(input_shape)) + 1) * width + depth * ffn + head
    attention = 2 * width + 4 * (width + 1) * width  # with its LayerNorm
    embeddings = (n_outputs + int(input_shape[0])) * width
    return embeddings + depth * (ffn + attention) + head


def block_multiply_adds(kind: str, input_shape, n_outputs: int, depth: int, width: int) -> int:
    """Multiply-adds of one sample's forward pass: each weight once per position (per character
    for the Transformer), and attention's scores and weighted sums (T²·d each per layer)."""
    params = block_params(kind, input_shape, n_outputs, depth, width)
    if kind == "residual":
        return params
    t = int(input_shape[0])
    return t * (params - (n_outputs + t) * width) + depth * 2 * t * t * width


def matched_width(count, plain: int, gated: bool) -> int:
    """The hidden width whose network has the parameters of the plain one of width `plain`:
    `plain` itself, or for gated units the width m ≥ 1 with `count(m)` closest to
    `count(plain)` (`count(width, gated)`). In an FFN that is 2/3 of the plain width, Shazeer
    (2020)'s rule; in an MLP whose input is wide it is about half."""
    if not gated:
        return plain
    target = count(plain, False)
    return min(range(1, plain + 1), key=lambda m: (abs(count(m, True) - target), m))


def ffn_width(width: int, gated: bool) -> int:
    """The FFN hidden width of a block whose stream is `width` wide."""
    return matched_width(lambda m, g: ffn_params(width, m, g), FFN_RATIO * width, gated)


class _Blocks(tf.Module):
    """What the residual MLP and the Transformer share: K networks of one kind, their pre-LN
    FFNs, the final LayerNorm and the output layer, with the Engine's interface (weights,
    kernels, probe, learning rates, learned parameters)."""

    def __init__(self, branches: Sequence[Branch], width: int, depth: int, init: Init):
        super().__init__()
        self.branches, self.k, self.width, self.depth = list(branches), len(branches), width, depth
        self.gated = _one_kind(branches)
        self.hidden = ffn_width(width, self.gated)
        self.inits = [init.for_act(b.act, b.params) for b in branches]
        self.activations = [[b.new_apply(self.hidden) for b in branches] for _ in range(depth)]
        self.variables_: list[tf.Variable] = []

    # Variables, each with the network on its first axis.
    def _var(self, value: np.ndarray, name: str) -> tf.Variable:
        v = tf.Variable(np.asarray(value, np.float32), name=name)
        self.variables_.append(v)
        return v

    def _draw(self, layer: int, shape, gated: bool = False) -> np.ndarray:
        """(K, *shape) kernels drawn as each network's Dense kernel of `layer` (2-D shapes);
        with `gated`, u's and v's side by side on the last axis."""

        def one(i: Init, seed: int) -> np.ndarray:
            w = np.asarray(i.kernel(seed, layer)(shape))
            if gated:
                w = np.concatenate([w, np.asarray(i.kernel(seed, layer + V_LAYER)(shape))], -1)
            return w

        return np.stack([one(i, b.seed) for i, b in zip(self.inits, self.branches, strict=True)])

    def _kernel(self, layer: int, shape, gated: bool = False) -> tf.Variable:
        return self._var(self._draw(layer, shape, gated), f"w{layer}")

    def _bias(self, layer: int, units: int, gated: bool = False) -> tf.Variable:
        def one(i: Init, seed: int) -> np.ndarray:
            b = i.bias_values(seed, layer, units)
            return np.concatenate([b, i.bias_values(seed, layer + V_LAYER, units)]) if gated else b

        stacked = [one(i, b.seed) for i, b in zip(self.inits, self.branches, strict=True)]
        return self._var(np.stack(stacked), f"b{layer}")

    def _norm(self, name: str) -> tuple[tf.Variable, tf.Variable]:
        gamma = self._var(np.ones((self.k, self.width)), f"{name}_gamma")
        return gamma, self._var(np.zeros((self.k, self.width)), f"{name}_beta")

    def _ffn(self, first_layer: int) -> dict:
        """One block's LayerNorm and FFN: up (K, d, P) with P = hidden, or 2·hidden for u and v
        side by side, then down (K, hidden, d)."""
        d, n = self.width, self.hidden
        gamma, beta = self._norm(f"ffn{first_layer}")
        return {
            "norm": (gamma, beta),
            "up": self._kernel(first_layer, (d, n), self.gated),
            "up_b": self._bias(first_layer, n, self.gated),
            "down": self._kernel(first_layer + 1, (n, d)),
            "down_b": self._bias(first_layer + 1, d),
        }

    def _ffn_names(self, first_layer: int) -> dict[str, str]:
        return {"up": f"up{first_layer}", "down": f"down{first_layer}"}

    @staticmethod
    def layer_norm(x, norm):
        """LayerNorm over the last axis; x is (K, ..., d), γ and β (K, d)."""
        gamma, beta = norm
        shape = [tf.shape(gamma)[0]] + [1] * (len(x.shape) - 2) + [gamma.shape[-1]]
        mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) * tf.math.rsqrt(var + LN_EPSILON) * tf.reshape(gamma, shape) + tf.reshape(
            beta, shape
        )

    @staticmethod
    def dense(x, w, b):
        """x (K, B, …, d_in) times each network's (d_in, d_out) kernel, plus its bias."""
        k, d_in = tf.shape(x)[0], x.shape[-1]
        rows = tf.reshape(x, [k, -1, d_in])
        out = tf.matmul(rows, w) + b[:, None, :]
        return tf.reshape(out, tf.concat([tf.shape(x)[:-1], [w.shape[-1]]], 0))

    def _activate(self, u, block):
        acts = self.activations[block]
        return tf.stack([f(u[i]) for i, f in enumerate(acts)])

    def _ffn_forward(self, x, ffn, block: int, keep: list | None):
        """x + FFN(LN(x)); with `keep`, the block's (u, f(u), f′(u)) as (K, tokens, hidden)."""
        z = self.dense(self.layer_norm(x, ffn["norm"]), ffn["up"], ffn["up_b"])
        n = self.hidden
        u, v = (z[..., :n], z[..., n:]) if self.gated else (z, None)
        if keep is not None:
            h, dh = activate_with_derivative(lambda t: self._activate(t, block), u)
            keep.append([tuple(tf.reshape(t, [self.k, -1, n]) for t in (u, h, dh))])
        else:
            h = self._activate(u, block)
        if self.gated:
            h = h * v
        return x + self.dense(h, ffn["down"], ffn["down_b"])

    def _head(self, x):
        return self.dense(self.layer_norm(x, self.final_norm), self.w_out, self.b_out)

    # The Engine's interface.
    @property
    def weights(self) -> list[tf.Variable]:
        learned = [v for row in self.activations for f in row for v in _learned_of(f).values()]
        return list(self.variables_) + learned

    @property
    def kernels(self) -> list[tf.Variable]:
        """One kernel per hidden layer (each block's FFN up-projection, where its activation
        acts), then the output layer's: what the diagnostics' gradient norms are of."""
        return [ffn["up"] for ffn in self.ffns] + [self.w_out]

    def kernel_norms(self, gradients) -> list:
        return [
            tf.sqrt(tf.reduce_sum(tf.square(tf.reshape(g, [self.k, -1])), 1)) for g in gradients
        ]

    def learned(self, index: int) -> list[dict]:
        return [_learned_of(row[index]) for row in self.activations]

    def learning_rates(self, rates: Sequence[float]) -> list[tf.Tensor]:
        column = np.asarray(rates, np.float32)
        tables = getattr(self, "tables", {})  # embedding tables: rows · K on the first axis

        def rate(v):
            per_row = np.repeat(column, tables.get(id(v), 1))
            return tf.constant(per_row.reshape(-1, *[1] * (len(v.shape) - 1)))

        own = [rate(v) for v in self.variables_]
        learned = [
            tf.constant(np.float32(rates[k]))
            for row in self.activations
            for k, f in enumerate(row)
            for _ in _learned_of(f).values()
        ]
        return own + learned

    def __call__(self, x):
        return self._forward(x, None)

    def probe(self, x):
        keep: list = []
        return self._forward(x, keep), keep

    def _forward(self, x, keep):
        raise NotImplementedError


class FusedResidual(_Blocks):
    """K residual MLPs: the input projected to the stream (width d), `depth` pre-LayerNorm
    blocks x + FFN(LN(x)) with the FFN d → 4d → d (2/3 of that, twice, for gated units), a
    final LayerNorm and the output layer."""

    def __init__(self, branches, in_dim: int, depth: int, width: int, n_outputs: int, init=GLOROT):
        super().__init__(branches, width, depth, init)
        self.w_in, self.b_in = self._kernel(0, (in_dim, width)), self._bias(0, width)
        self.ffns = [self._ffn(1 + 2 * block) for block in range(depth)]
        self.final_norm = self._norm("final")
        self.w_out = self._kernel(1 + 2 * depth, (width, n_outputs))
        self.b_out = self._bias(1 + 2 * depth, n_outputs)

    def _forward(self, x, keep):
        x = tf.reshape(x, [tf.shape(x)[0], -1])
        h = tf.einsum("bi,kid->kbd", x, self.w_in) + self.b_in[:, None, :]
        for block, ffn in enumerate(self.ffns):
            h = self._ffn_forward(h, ffn, block, keep)
        return self._head(h)

    def twin(self, index: int, input_shape, n_outputs: int) -> keras.Model:
        """Network `index` in plain Keras (keras.layers only) holding its weights now."""
        branch = self.branches[index]
        inputs = keras.Input(tuple(input_shape))
        h = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
        h = _dense(self.width, "in", self.w_in, self.b_in, index)(h)
        for block, ffn in enumerate(self.ffns):
            h = _twin_ffn(self, h, ffn, block, branch, index)
        return keras.Model(inputs, _twin_head(self, h, n_outputs, index))


class FusedTransformer(_Blocks):
    """K tiny decoder-only Transformers over characters: token and position embeddings, `depth`
    pre-LayerNorm blocks (causal multi-head attention with HEADS heads, then the FFN whose
    activation is the variable), a final LayerNorm and logits over the vocabulary at every
    position."""

    def __init__(self, branches, context: int, vocab: int, depth: int, width: int, init=GLOROT):
        super().__init__(branches, width, depth, init)
        if width % HEADS:
            raise ValueError(f"the Transformer's width must be a multiple of {HEADS}")
        self.context, self.vocab, self.head_dim = context, vocab, width // HEADS
        # Tables of all K networks one under the other, (K·rows, d): a lookup of row k·rows + i
        # is then an IndexedSlices gradient, as keras.layers.Embedding's is (see optimizers.py
        # _square: Keras's Adam treats such a gradient its own way, and the twin must match).
        self.tokens = self._var(self._embedding(0, vocab).reshape(-1, width), "tokens")
        self.positions = self._var(self._embedding(1, context).reshape(-1, width), "positions")
        self.tables = {id(self.tokens): vocab, id(self.positions): context}
        self.attention, self.ffns = [], []
        d, shape_in, shape_out = width, (width, HEADS, self.head_dim), (HEADS, self.head_dim, width)
        for block in range(depth):
            first = 2 + 6 * block
            gamma_beta = self._norm(f"attn{block}")
            # Drawn as (d, d) Dense kernels, then split into heads as MultiHeadAttention holds
            # them: query, key and value (d, heads, head_dim), output (heads, head_dim, d).
            qkv = [
                self._var(self._draw(first + i, (d, d)).reshape(self.k, *shape_in), f"{n}{block}")
                for i, n in enumerate("qkv")
            ]
            biases = [
                self._var(np.zeros((self.k, HEADS, self.head_dim)), f"b{n}{block}") for n in "qkv"
            ]
            out = self._var(self._draw(first + 3, (d, d)).reshape(self.k, *shape_out), f"o{block}")
            self.attention.append(
                {"norm": gamma_beta, "qkv": qkv, "b": biases, "out": out,
                 "out_b": self._var(np.zeros((self.k, d)), f"bo{block}")}
            )  # fmt: skip
            self.ffns.append(self._ffn(first + 4))
        self.final_norm = self._norm("final")
        self.w_out = self._kernel(2 + 6 * depth, (width, vocab))
        self.b_out = self._bias(2 + 6 * depth, vocab)
        mask = np.tril(np.ones((context, context), bool))
        self.mask = tf.constant(mask)

    def _embedding(self, layer: int, rows: int) -> np.ndarray:
        return np.stack(
            [
                keras.initializers.RandomUniform(
                    -EMBEDDING_SCALE, EMBEDDING_SCALE, seed=init_seed(b.seed, layer)
                )((rows, self.width))
                for b in self.branches
            ]
        )

    def _attend(self, x, attn):
        """Causal multi-head self-attention of LN(x), as keras.layers.MultiHeadAttention."""
        h = self.layer_norm(x, attn["norm"])
        q, k, v = (
            tf.einsum("kbtd,kdhe->kbthe", h, w) + b[:, None, None]
            for w, b in zip(attn["qkv"], attn["b"], strict=True)
        )
        q = q * (1.0 / math.sqrt(self.head_dim))
        scores = tf.einsum("kbshe,kbthe->kbhts", k, q)
        t = tf.shape(x)[2]
        mask = self.mask[:t, :t]
        scores = tf.where(mask, scores, tf.constant(-1e9, scores.dtype))
        probs = tf.nn.softmax(scores, axis=-1)
        o = tf.einsum("kbhts,kbshe->kbthe", probs, v)
        return x + tf.einsum("kbthe,khed->kbtd", o, attn["out"]) + attn["out_b"][:, None, None]

    def _forward(self, x, keep):
        x = tf.cast(x, tf.int32)
        b, t = tf.shape(x)[0], tf.shape(x)[1]
        network = tf.range(self.k)[:, None, None]
        tokens = tf.gather(self.tokens, network * self.vocab + x[None])  # (K, B, T, d)
        where = network * self.context + tf.broadcast_to(tf.range(t)[None, None], [1, b, t])
        h = tokens + tf.gather(self.positions, where)
        for block in range(self.depth):
            h = self._attend(h, self.attention[block])
            h = self._ffn_forward(h, self.ffns[block], block, keep)
        return self._head(h)  # (K, B, T, vocab)

    def twin(self, index: int, input_shape, n_outputs: int) -> keras.Model:
        """Network `index` in plain Keras (keras.layers only: Embedding, MultiHeadAttention,
        LayerNormalization, Dense, Multiply, Add) holding its weights now. It takes the
        characters and their positions (0 … T − 1), two inputs."""
        branch, d = self.branches[index], self.width
        chars = keras.Input((None,), dtype="int32", name="chars")
        positions = keras.Input((None,), dtype="int32", name="positions")
        token = keras.layers.Embedding(self.vocab, d, name="tokens")
        position = keras.layers.Embedding(self.context, d, name="positions_table")
        h = keras.layers.Add()([token(chars), position(positions)])
        v, c = self.vocab, self.context
        token.set_weights([np.asarray(self.tokens[index * v : (index + 1) * v])])
        position.set_weights([np.asarray(self.positions[index * c : (index + 1) * c])])
        for block in range(self.depth):
            attn = self.attention[block]
            norm = _twin_norm(attn["norm"], index, f"attn_norm{block}")
            mha = keras.layers.MultiHeadAttention(HEADS, self.head_dim, name=f"attention{block}")
            normed = norm(h)
            mha(normed, normed, use_causal_mask=True)  # builds its weights
            qkv = [
                w
                for kernel, bias in zip(attn["qkv"], attn["b"], strict=True)
                for w in (kernel[index], bias[index])
            ]
            mha.set_weights(
                [np.asarray(w) for w in (*qkv, attn["out"][index], attn["out_b"][index])]
            )
            h = keras.layers.Add()([h, mha(normed, normed, use_causal_mask=True)])
            h = _twin_ffn(self, h, self.ffns[block], block, branch, index)
        return keras.Model([chars, positions], _twin_head(self, h, n_outputs, index))


def _dense(units: int, name: str, kernel, bias, index: int) -> keras.layers.Dense:
    layer = keras.layers.Dense(units, name=name)
    layer.build((None, kernel.shape[-2]))
    layer.set_weights([np.asarray(kernel[index]), np.asarray(bias[index])])
    return layer


def _twin_norm(norm, index: int, name: str) -> keras.layers.LayerNormalization:
    layer = keras.layers.LayerNormalization(epsilon=LN_EPSILON, name=name)
    gamma, beta = norm
    layer.build((None, gamma.shape[-1]))
    layer.set_weights([np.asarray(gamma[index]), np.asarray(beta[index])])
    return layer


def _twin_ffn(net: _Blocks, h, ffn: dict, block: int, branch: Branch, index: int):
    n = net.hidden
    normed = _twin_norm(ffn["norm"], index, f"ffn_norm{block}")(h)
    up, up_b = np.asarray(ffn["up"][index]), np.asarray(ffn["up_b"][index])
    u = _dense(n, f"u{block}", up[None, :, :n], up_b[None, :n], 0)(normed)
    act = activation_layer(branch.act, branch.params, branch.learn)
    if net.gated:
        v = _dense(n, f"v{block}", up[None, :, n:], up_b[None, n:], 0)(normed)
        hidden = keras.layers.Multiply()([act(u), v])
    else:
        hidden = act(u)
    down = _dense(net.width, f"down{block}", ffn["down"], ffn["down_b"], index)(hidden)
    for name, value in net.learned(index)[block].items():
        act.learned[name].assign(np.asarray(value))
    return keras.layers.Add()([h, down])


def _twin_head(net: _Blocks, h, n_outputs: int, index: int):
    h = _twin_norm(net.final_norm, index, "final_norm")(h)
    return _dense(n_outputs, "out", net.w_out, net.b_out, index)(h)


class Mixed(tf.Module):
    """The networks of one comparison in fused models of one kind each (gated units and plain
    ones have different shapes): outputs, diagnostics and rates come back in the comparison's
    order of networks."""

    def __init__(self, branches: Sequence[Branch], build):
        super().__init__()
        groups: dict[bool, list[int]] = {}
        for i, b in enumerate(branches):
            groups.setdefault(b.act.gated, []).append(i)
        self.indices = [idx for idx in groups.values()]
        self.models = [build([branches[i] for i in idx]) for idx in self.indices]
        self.order = [i for idx in self.indices for i in idx]
        self.inverse = tf.constant(np.argsort(self.order), tf.int32)
        self.activations = [[None] * len(branches) for _ in range(len(self.models[0].activations))]
        for model, idx in zip(self.models, self.indices, strict=True):
            for layer, row in enumerate(model.activations):
                for local, i in enumerate(idx):
                    self.activations[layer][i] = row[local]

    def reorder(self, t):
        """A tensor with the networks on its first axis in the models' order, in the
        comparison's."""
        return tf.gather(t, self.inverse)

    def __call__(self, x):
        return self.reorder(tf.concat([m(x) for m in self.models], axis=0))

    def probe(self, x):
        """As a fused model's probe, but the layers' groups are in the models' order: the
        Engine puts its per-network results back in order with `reorder`."""
        outs, layers = [], None
        for m in self.models:
            out, found = m.probe(x)
            outs.append(out)
            layers = (
                found if layers is None else [a + b for a, b in zip(layers, found, strict=True)]
            )
        return self.reorder(tf.concat(outs, 0)), layers

    @property
    def kernels(self):
        return [w for m in self.models for w in m.kernels]

    def kernel_norms(self, gradients):
        out, start = [], 0
        for m in self.models:
            n = len(m.kernels)
            out.append(m.kernel_norms(gradients[start : start + n]))
            start += n
        return [self.reorder(tf.concat(parts, 0)) for parts in zip(*out, strict=True)]

    def _where(self, index: int):
        for model, idx in zip(self.models, self.indices, strict=True):
            if index in idx:
                return model, idx.index(index)
        raise IndexError(index)

    def learned(self, index: int):
        model, local = self._where(index)
        return model.learned(local)

    def network_weights(self, index: int):
        model, local = self._where(index)
        return model.network_weights(local)

    def twin(self, index: int, input_shape, n_outputs: int):
        model, local = self._where(index)
        return model.twin(local, input_shape, n_outputs)

    def learning_rates(self, rates: Sequence[float]):
        return [r for m, idx in zip(self.models, self.indices, strict=True)
                for r in m.learning_rates([rates[i] for i in idx])]  # fmt: skip

    @property
    def weights(self):
        return [w for m in self.models for w in m.weights]
