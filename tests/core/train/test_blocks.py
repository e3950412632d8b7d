"""Gated units and the blocks they live in: each fused network equals its plain-Keras twin (built
here from keras.layers only and trained with model.fit on the same batches), and a gated
network has the parameters of the plain one it is compared with.

Float tolerance. The fused models compute K networks with batched einsums and matmuls (the
Transformer's step compiled by XLA, as model.fit compiles its twin's), Keras with EinsumDense
and Dense one network at a time: the same sums in another order, so each forward pass differs
in the last bits of float32 (relative 1e-7 per op), and Adam's steps carry that on. Measured on
this machine (2026-12-07): every loss and accuracy of these runs within 1e-6 relative of the
twin's. The test allows 1e-5 (room for another CPU's vector width) on losses and accuracies,
and 10·lr on weights (Adam moves a weight by about lr per step whatever the size of its
gradient, so a rounding difference in a tiny gradient can move it that far). Wrong wiring is far
outside: the Transformer's padded last batch counted as real samples moves its loss by 3e-3.
"""

import subprocess
import sys

import keras
import numpy as np
import pytest

from activations import get, shared_catalogue
from core.train import datasets
from core.train.codegen import reproduce_script
from core.train.network.blocks import FFN_RATIO, HEADS, LN_EPSILON, ffn_width
from core.train.network.engine import mlp_width
from core.train.network.models import V_LAYER
from core.train.settings import TrainConfig
from core.train.training import Training

pytestmark = pytest.mark.xdist_group("gated")
OFFLINE = lambda: (_ for _ in ()).throw(OSError("offline"))  # noqa: E731
RTOL = 1e-5


@pytest.fixture(scope="module")
def mnist_small():
    return datasets.mnist(samples=1000, download=OFFLINE)


@pytest.fixture(scope="module")
def text_small():
    return datasets.python_text(samples=120, val_fraction=0.2)


def _keras_activation(name):
    """The gate or activation as Keras's own layer: swiglu's gate is silu, geglu's gelu."""
    act = get(name)
    gate = {"swiglu": "silu", "geglu": "gelu", "reglu": "relu", "sigmoid_glu": "sigmoid"}
    return keras.layers.Activation(gate.get(name, name) if act.gated else name)


def _fit(model, config, x, y, xv, yv):
    """model.fit epoch by epoch in the app's batch order (seeded by data seed and epoch)."""
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    out = {"loss": [], "val_loss": [], "metric": [], "val_metric": []}
    n = len(y)
    for epoch in range(config.epochs):
        order = np.random.default_rng([config.data_seed, epoch]).permutation(n)
        xs = [a[order] for a in x] if isinstance(x, list) else x[order]
        h = model.fit(xs, y[order], batch_size=config.batch_size, epochs=1, shuffle=False,
                      verbose=0, validation_data=(xv, yv))  # fmt: skip
        for mine, theirs in (("loss", "loss"), ("val_loss", "val_loss"),
                             ("metric", "accuracy"), ("val_metric", "val_accuracy")):  # fmt: skip
            out[mine].append(h.history[theirs][0])
    return out


def _same_history(branch, alone, scale=1.0):
    for key, values in alone.items():
        mine = np.asarray(getattr(branch, key))
        if "loss" in key:
            mine = mine * scale
        np.testing.assert_allclose(mine, values, rtol=RTOL, err_msg=f"{branch.activation} {key}")


def _same_weights(app_twin, model, lr):
    for layer in model.layers:
        if not layer.weights:
            continue
        theirs = app_twin.get_layer(layer.name).get_weights()
        for mine, their in zip(theirs, layer.get_weights(), strict=True):
            np.testing.assert_allclose(mine, their, rtol=0, atol=10 * lr, err_msg=layer.name)


def _copy_weights(model, app_twin):
    """Start `model` (keras.layers only) from the fused network's initial weights, by layer
    name: the same init, whatever its recipe."""
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(app_twin.get_layer(layer.name).get_weights())


# --- parameter counts --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [32, 64, 128])
def test_a_gated_ffn_is_two_thirds_as_wide_and_has_the_plain_ones_parameters(width):
    # Fails if the gated FFN keeps the plain width (50 % more parameters) or if the matching
    # ignores the second projection. Counted by Keras, not by the app's formula.
    plain_hidden, gated_hidden = ffn_width(width, False), ffn_width(width, True)
    assert plain_hidden == FFN_RATIO * width
    assert abs(gated_hidden - 2 / 3 * plain_hidden) <= 1  # Shazeer (2020): d_ff scaled by 2/3

    def count(hidden, gated):
        x = keras.Input((width,))
        u = keras.layers.Dense(hidden)(x)
        h = keras.layers.Multiply()([u, keras.layers.Dense(hidden)(x)]) if gated else u
        return keras.Model(x, keras.layers.Dense(width)(h)).count_params()

    plain, gated = count(plain_hidden, False), count(gated_hidden, True)
    assert abs(gated - plain) / plain < 0.01, (plain, gated)


def test_a_gated_mlp_has_the_plain_mlps_parameters(mnist_small):
    # Fails if the gated MLP's width is not matched: at the plain width it would have twice the
    # hidden layers' parameters. Keras counts the parameters; one unit of width moves a gated
    # MLP on MNIST by ~1,700 (3 %), so "matched" is: no other width comes closer.
    config = TrainConfig(activations=("relu", "swiglu"), samples=1000, depth=2, width=64, epochs=1)
    training = Training(config, mnist_small)
    plain = training.keras_model("relu").count_params()
    gated = training.keras_model("swiglu").count_params()
    m = mlp_width(config, 784, 10, True)
    for other in (m - 1, m + 1):
        twin = _gated_mlp_twin(config, mnist_small, "swiglu", 0, other)
        assert abs(gated - plain) <= abs(twin.count_params() - plain), (plain, gated, other)
    assert abs(gated - plain) / plain < 0.02 and m < 64


@pytest.mark.parametrize("model, dataset", [("residual", "mnist"), ("transformer", "pytext")])
def test_a_gated_block_has_the_plain_blocks_parameters(model, dataset, mnist_small, text_small):
    data = mnist_small if dataset == "mnist" else text_small
    config = TrainConfig(
        activations=("gelu", "geglu"), dataset=dataset, model=model, depth=2, width=64, epochs=1
    )
    training = Training(config, data)
    plain = training.keras_model("gelu").count_params()
    gated = training.keras_model("geglu").count_params()
    assert abs(gated - plain) / plain < 0.01, (plain, gated)
    assert plain == training.record.parameters  # the record says the plain network's count


# --- twins -------------------------------------------------------------------------------------


def _gated_mlp_twin(config, data, name, seed, width):
    """The gated MLP as a Keras user writes it: Dense u and v seeded as documented (u at layer
    i, v at i + 250, Glorot uniform, seed 1 + 1000·seed + layer), gate on u, Multiply."""
    init = lambda layer: keras.initializers.GlorotUniform(seed=1 + seed * 1000 + layer)  # noqa
    x = keras.Input(data.input_shape)
    h = keras.layers.Flatten()(x)
    for i in range(config.depth):
        u = keras.layers.Dense(width, kernel_initializer=init(i))(h)
        v = keras.layers.Dense(width, kernel_initializer=init(i + V_LAYER))(h)
        h = keras.layers.Multiply()([_keras_activation(name)(u), v])
    return keras.Model(x, keras.layers.Dense(10, kernel_initializer=init(config.depth))(h))


@pytest.mark.slow
def test_a_gated_mlp_trains_as_its_plain_keras_twin(mnist_small):
    # Fails if gated and plain networks of one comparison mix (Mixed's order), if u and v are
    # swapped or seeded otherwise than documented, or if the gate acts on v.
    config = TrainConfig(
        activations=("relu", "swiglu", "geglu"), samples=1000, depth=2, width=32, epochs=2,
        batch_size=128,
    )  # fmt: skip
    record = Training(config, mnist_small).run()
    width = mlp_width(config, 784, 10, True)
    d = mnist_small
    for branch in record.branches[1:]:
        twin = _gated_mlp_twin(config, d, branch.activation, branch.seed, width)
        _same_history(branch, _fit(twin, config, d.x_train, d.y_train, d.x_val, d.y_val))


def _residual_twin(config, data, name, hidden, gated):
    x = keras.Input(data.input_shape)
    h = keras.layers.Dense(config.width, name="in")(keras.layers.Flatten()(x))
    for b in range(config.depth):
        n = keras.layers.LayerNormalization(epsilon=LN_EPSILON, name=f"ffn_norm{b}")(h)
        u = keras.layers.Dense(hidden, name=f"u{b}")(n)
        f = _keras_activation(name)(u)
        if gated:
            f = keras.layers.Multiply()([f, keras.layers.Dense(hidden, name=f"v{b}")(n)])
        h = keras.layers.Add()([h, keras.layers.Dense(config.width, name=f"down{b}")(f)])
    h = keras.layers.LayerNormalization(epsilon=LN_EPSILON, name="final_norm")(h)
    return keras.Model(x, keras.layers.Dense(10, name="out")(h))


SCRIPT_RUNS = {
    # relu with its own slope beside reglu: the script once defined both as `def relu`, and
    # the network of plain relu trained reglu's gate without the slope.
    "gated-mlp": dict(activations=("relu", "reglu", "swiglu", "geglu"), dataset="friedman",
                      samples=400, activation_params=(("relu", (("negative_slope", 0.1),)),)),
    "residual": dict(activations=("gelu", "reglu"), dataset="friedman", samples=400,
                     model="residual"),
    "transformer": dict(activations=("relu", "swiglu"), dataset="pytext", samples=120,
                        val_fraction=0.2, model="transformer", batch_size=40),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("run", SCRIPT_RUNS)
def test_a_runs_script_trains_its_networks_in_plain_keras(run, tmp_path):
    # Fails if the downloaded script of a run builds another network than the app trained: a
    # gated unit's gate on the wrong projection, v's weights drawn from u's seeds, an unmatched
    # width, swiglu's gate written as something else than silu; a block's LayerNorm, residual
    # or FFN otherwise; attention's heads split or drawn otherwise, the mask missing, the
    # corpus cut otherwise, or the loss not in bits per character. It runs in its own Python
    # process, as a user runs it, and prints every epoch's loss. Tolerance as the twins' (the
    # docstring): the script is the twin, written out.
    config = TrainConfig(**{"depth": 2, "width": 16 if run != "transformer" else 32,
                            "epochs": 3 if run != "transformer" else 2, "batch_size": 32,
                            **SCRIPT_RUNS[run]})  # fmt: skip
    data = datasets.load(
        config.dataset, config.samples, config.val_fraction, config.noise, config.data_seed
    )
    record = Training(config, data).run()
    script = tmp_path / "reproduce.py"
    script.write_text(reproduce_script(record, shared_catalogue()))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed: dict[str, dict[str, list[float]]] = {}
    for line in done.stdout.splitlines():  # "<name> seed 0 lr 0.001 epoch 1 loss … val_loss …"
        if " seed " not in line:
            continue  # e.g. the note that this Python's corpus text differs from the run's
        name, rest = line.split(" seed ", 1)
        words = rest.split()
        for key in ("loss", "val_loss"):
            value = float(words[words.index(key) + 1])
            printed.setdefault(name, {}).setdefault(key, []).append(value)
    for branch in record.branches:
        for key in ("loss", "val_loss"):
            mine = getattr(branch, key)
            np.testing.assert_allclose(printed[branch.activation][key], mine, rtol=RTOL)


@pytest.mark.slow
def test_a_residual_mlp_trains_as_its_plain_keras_twin(mnist_small):
    # Fails if the residual is left out, LayerNorm normalises the wrong axis or comes after the
    # FFN (post-LN), or gated and plain blocks mix.
    config = TrainConfig(
        activations=("gelu", "geglu"), model="residual", depth=2, width=32, epochs=2,
        batch_size=128,
    )  # fmt: skip
    training = Training(config, mnist_small)
    starts = {b.activation: training.keras_model(b.activation) for b in training.record.branches}
    record = training.run()
    d = mnist_small
    for branch in record.branches:
        gated = get(branch.activation).gated
        twin = _residual_twin(config, d, branch.activation, ffn_width(32, gated), gated)
        _copy_weights(twin, starts[branch.activation])
        _same_history(branch, _fit(twin, config, d.x_train, d.y_train, d.x_val, d.y_val))
        _same_weights(training.keras_model(branch.activation), twin, config.learning_rate)


def _transformer_twin(config, data, name, hidden, gated):
    t, d = data.input_shape[0], config.width
    chars = keras.Input((t,), dtype="int32")
    positions = keras.Input((t,), dtype="int32")
    h = keras.layers.Add()(
        [
            keras.layers.Embedding(data.n_outputs, d, name="tokens")(chars),
            keras.layers.Embedding(t, d, name="positions_table")(positions),
        ]
    )
    for b in range(config.depth):
        n = keras.layers.LayerNormalization(epsilon=LN_EPSILON, name=f"attn_norm{b}")(h)
        mha = keras.layers.MultiHeadAttention(HEADS, d // HEADS, name=f"attention{b}")
        h = keras.layers.Add()([h, mha(n, n, use_causal_mask=True)])
        n = keras.layers.LayerNormalization(epsilon=LN_EPSILON, name=f"ffn_norm{b}")(h)
        f = _keras_activation(name)(keras.layers.Dense(hidden, name=f"u{b}")(n))
        if gated:
            f = keras.layers.Multiply()([f, keras.layers.Dense(hidden, name=f"v{b}")(n)])
        h = keras.layers.Add()([h, keras.layers.Dense(d, name=f"down{b}")(f)])
    h = keras.layers.LayerNormalization(epsilon=LN_EPSILON, name="final_norm")(h)
    return keras.Model([chars, positions], keras.layers.Dense(data.n_outputs, name="out")(h))


@pytest.mark.slow
def test_a_transformer_trains_as_its_plain_keras_twin(text_small):
    # Fails if the causal mask lets a position see the next character (the loss then falls far
    # faster than the twin's), if heads are split otherwise than MultiHeadAttention splits them,
    # if the reported bits per character are not the twin's nats / ln 2, or if the padded last
    # batch (96 windows in batches of 40: 16 real, 24 padding) trains on its padding.
    config = TrainConfig(
        activations=("relu", "swiglu"), dataset="pytext", model="transformer", depth=2, width=32,
        epochs=2, batch_size=40,
    )  # fmt: skip
    training = Training(config, text_small)
    starts = {b.activation: training.keras_model(b.activation) for b in training.record.branches}
    record = training.run()
    d = text_small
    pos = lambda x: np.broadcast_to(np.arange(x.shape[1]), x.shape).astype(np.int32)  # noqa: E731
    for branch in record.branches:
        gated = get(branch.activation).gated
        twin = _transformer_twin(config, d, branch.activation, ffn_width(32, gated), gated)
        _copy_weights(twin, starts[branch.activation])
        alone = _fit(twin, config, [d.x_train, pos(d.x_train)], d.y_train,
                     [d.x_val, pos(d.x_val)], d.y_val)  # fmt: skip
        _same_history(branch, alone, scale=np.log(2.0))  # bits → nats
        _same_weights(training.keras_model(branch.activation), twin, config.learning_rate)
