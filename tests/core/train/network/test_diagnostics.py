"""Inside the network: the per-layer numbers a comparison records equal what plain Keras and
numpy compute for a network holding the same weights, on the same probe batch."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.train import datasets
from core.train.network.diagnostics import HISTOGRAM_BINS, PROBE_SAMPLES, QUANTILE_VALUES, QUANTILES
from core.train.settings import TrainConfig
from core.train.training import Training


@pytest.fixture(scope="module")
def mnist_small():
    return datasets.mnist(samples=1500, download=lambda: (_ for _ in ()).throw(OSError("offline")))


def _keras_measures(kernels_and_biases, activation, x, y):
    """Plain Keras: Dense layers with `activation` between them, holding the given weights; per
    hidden layer the derivative by a GradientTape, each kernel's gradient by another."""
    pairs = list(zip(kernels_and_biases[::2], kernels_and_biases[1::2], strict=True))
    dense = []
    for kernel, bias in pairs:
        layer = keras.layers.Dense(kernel.shape[1])
        layer.build((None, kernel.shape[0]))
        layer.set_weights([kernel, bias])
        dense.append(layer)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    zs, hs, dhs = [], [], []
    with tf.GradientTape(persistent=True) as tape:
        h = tf.reshape(tf.constant(x), [len(x), -1])
        for layer in dense[:-1]:
            z = layer(h)
            tape.watch(z)
            h = activation(z)
            zs.append(z)
            hs.append(h)
        loss = loss_fn(y, dense[-1](h))
    for z, h in zip(zs, hs, strict=True):
        dhs.append(np.asarray(tape.gradient(h, z)))  # elementwise f′(z)
    grads = tape.gradient(loss, [layer.kernel for layer in dense])
    return (
        [np.asarray(z) for z in zs],
        [np.asarray(h) for h in hs],
        dhs,
        [float(np.linalg.norm(np.asarray(g))) for g in grads],
    )


def _quantiles(values):
    flat = values.reshape(-1)
    stride = -(-flat.size // QUANTILE_VALUES)
    return np.quantile(flat[::stride], QUANTILES)


def _check_histogram(recorded, z, z_tolerance=1e-5):
    """A recorded histogram against the plain Keras pre-activations z: its range by
    HISTOGRAM_RULE (quantiles read as the record reads them), then each bin's count.

    What is exact and why: the app bins its own z (TensorFlow's floor((z - lo) / (hi - lo) *
    bins)), the test bins Keras's z (numpy's edges). Two things may legitimately differ, and
    only for values next to a bin edge: the two bin formulas round differently by a few ulp,
    and where the app's z comes from another summation order (the CNN's fused towers) it
    differs from Keras's by up to `z_tolerance`. So a value within `margin` of an edge may land
    on either side; every other value must land in the same bin. The invariant checked per bin
    is inner <= recorded <= outer: inner counts the values inside the bin by more than the
    margin, outer the values inside the bin widened by the margin on both sides. A wrong layer,
    network or weights, or an off-by-one bin, moves hundreds of values and breaks it; a value
    rounding across an edge (a count off by 2 on a loaded CI run) does not."""
    z = np.asarray(z, dtype=np.float32).reshape(-1).astype(np.float64)
    q5, q95 = _quantiles(z)[[0, -1]]
    lo, hi = max(z.min(), q5 - (q95 - q5)), min(z.max(), q95 + (q95 - q5))
    assert recorded["lo"] == pytest.approx(lo, abs=1e-4) and recorded["hi"] == pytest.approx(
        hi, abs=1e-4
    )
    low, high = float(recorded["lo"]), float(recorded["hi"])
    edges = low + (high - low) * np.arange(HISTOGRAM_BINS + 1) / HISTOGRAM_BINS
    # 8 float32 ulps of the largest magnitude involved covers both bin formulas' rounding.
    scale = max(abs(low), abs(high), float(np.abs(z).max()))
    margin = z_tolerance + 8 * float(np.spacing(np.float32(scale)))
    counts = np.asarray(recorded["counts"])
    assert len(counts) == HISTOGRAM_BINS
    for b in range(HISTOGRAM_BINS):
        left, right = edges[b], edges[b + 1]
        inner = np.sum((z > left + margin) & (z < right - margin))
        outer = np.sum((z >= left - margin) & (z <= right + margin))
        assert inner <= counts[b] <= outer, (b, inner, counts[b], outer)
    assert np.sum(z < low - margin) <= recorded["below"] <= np.sum(z < low + margin)
    assert np.sum(z > high + margin) <= recorded["above"] <= np.sum(z > high - margin)
    assert sum(counts) + recorded["below"] + recorded["above"] == z.size


def _check(branch, entry, weights, activation, probe_x, probe_y):
    zs, hs, dhs, norms = _keras_measures(weights, activation, probe_x, probe_y)
    np.testing.assert_allclose(branch.grad_norm[entry], norms, rtol=2e-4)
    for layer, (z, h, dh) in enumerate(zip(zs, hs, dhs, strict=True)):
        dead = np.mean(np.all(dh == 0, axis=0))
        assert branch.dead[entry][layer] == pytest.approx(dead, abs=1e-6)
        small = np.mean(np.abs(dh) < 0.01, axis=0) > 0.5
        saturated = np.mean(small & ~np.all(dh == 0, axis=0))
        assert branch.saturated[entry][layer] == pytest.approx(saturated, abs=1e-6)
        np.testing.assert_allclose(branch.pre_quantiles[entry][layer], _quantiles(z), atol=1e-5)
        np.testing.assert_allclose(branch.act_quantiles[entry][layer], _quantiles(h), atol=1e-5)
        _check_histogram(branch.pre_histograms[entry][layer], z)


def test_recorded_layers_equal_plain_keras_at_init_and_after_training(mnist_small):
    """Catches a probe that reads the wrong network's slice of the fused weights, the wrong
    layer, a norm over the wrong axes (e.g. all networks together), a dead test that is not
    "zero on every sample", or an entry recorded before the epoch's weights were updated."""
    config = TrainConfig(
        activations=("relu", "sigmoid", "tanh"),
        samples=1500,
        depth=3,
        width=48,
        epochs=2,
        seeds=2,
        optimizer="sgd",
        learning_rate=0.5,  # big steps: some relu units die, so "dead" is not trivially 0
    )
    training = Training(config, mnist_small)
    probe_x = mnist_small.x_val[:PROBE_SAMPLES]
    probe_y = mnist_small.y_val[:PROBE_SAMPLES]
    initial = [training.engine.net.network_weights(i) for i in range(len(training.record.branches))]
    record = training.run()
    assert record.probe_samples == min(PROBE_SAMPLES, len(mnist_small.x_val))
    acts = {"relu": tf.nn.relu, "sigmoid": tf.sigmoid, "tanh": tf.tanh}
    for i, branch in enumerate(record.branches):
        assert len(branch.grad_norm) == record.epochs_done + 1  # init, then each epoch
        assert len(branch.pre_histograms) == 2  # init, then the last epoch's (not epoch 1's)
        trained = training.engine.net.network_weights(i)
        _check(branch, 0, initial[i], acts[branch.activation], probe_x, probe_y)
        _check(branch, -1, trained, acts[branch.activation], probe_x, probe_y)
    relu_dead = [d for b in record.branches if b.activation == "relu" for d in b.dead[-1]]
    assert max(relu_dead) > 0  # the case the dead check above is meant to exercise


def test_cnn_layers_equal_plain_keras(mnist_small):
    """The CNN's diagnostics come from its Keras models layer by layer: catches treating a
    convolution's positions or channels the wrong way round, or skipping a layer."""
    config = TrainConfig(
        activations=("relu", "tanh"), samples=1500, model="cnn", width=16, epochs=1
    )
    training = Training(config, mnist_small)
    record = training.run()
    probe_x = mnist_small.x_val[:PROBE_SAMPLES]
    probe_y = mnist_small.y_val[:PROBE_SAMPLES]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    for i, branch in enumerate(record.branches):
        model = training.engine.keras_model(i)
        act = [layer for layer in model.layers if "catalogue_activation" in layer.name]
        with tf.GradientTape() as tape:
            loss = loss_fn(probe_y, model(probe_x))
        kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
        norms = [float(np.linalg.norm(np.asarray(g))) for g in tape.gradient(loss, kernels)]
        np.testing.assert_allclose(branch.grad_norm[-1], norms, rtol=2e-4)
        # Pre-activations of each activation layer, channel last: a unit is a channel.
        zs = keras.Model(model.inputs, [layer.input for layer in act])(probe_x)
        for layer, z in enumerate(zs):
            z = np.asarray(z).reshape(-1, np.shape(z)[-1])
            dh = (z > 0).astype(np.float32) if branch.activation == "relu" else 1 - np.tanh(z) ** 2
            assert branch.dead[-1][layer] == pytest.approx(np.mean(np.all(dh == 0, axis=0)))
            np.testing.assert_allclose(branch.pre_quantiles[-1][layer], _quantiles(z), atol=1e-5)
            _check_histogram(branch.pre_histograms[-1][layer], z)


def test_switched_off_records_nothing_and_vector_activations_have_no_dead_share(mnist_small):
    """Catches diagnostics recorded (and paid for) when the user switched them off, and softmax
    units reported dead because the gradient of a sum of softmax outputs is zero."""
    off = TrainConfig(activations=("relu",), samples=1500, width=16, epochs=1, diagnostics=False)
    record = Training(off, mnist_small).run()
    assert not record.has_diagnostics and record.probe_samples == 0
    on = TrainConfig(activations=("softmax", "relu"), samples=1500, width=16, epochs=1)
    record = Training(on, mnist_small).run()
    softmax, relu = record.branches
    assert softmax.dead[-1] == [None] and softmax.saturated[-1] == [None]
    assert softmax.grad_norm[-1][0] > 0 and relu.dead[-1][0] is not None


def test_learned_parameters_get_histograms_with_diagnostics_off(mnist_small):
    """The learned shapes are drawn over their layer's input: catches histograms recorded only
    with diagnostics on, or taken before the last epoch's update (a Dense stack in plain Keras
    holding the trained weights, with the learned slopes, gives the pre-activations)."""
    config = TrainConfig(
        activations=("leaky_relu",),
        learnable=(("leaky_relu", (("negative_slope", "unit"),)),),
        samples=1500,
        depth=2,
        width=32,
        epochs=2,
        learning_rate=0.01,
        diagnostics=False,
    )
    training = Training(config, mnist_small)
    record = training.run()
    assert not record.has_diagnostics  # the switch still means no diagnostics
    (branch,) = record.branches
    weights = training.engine.net.network_weights(0)
    slopes = [np.asarray(layer["negative_slope"]) for layer in training.engine.net.learned(0)]
    h = tf.reshape(tf.constant(mnist_small.x_val[:PROBE_SAMPLES]), [-1, 784])
    for layer, slope in enumerate(slopes):
        dense = keras.layers.Dense(config.width)
        dense.build((None, h.shape[1]))
        dense.set_weights(weights[2 * layer : 2 * layer + 2])
        z = dense(h)
        _check_histogram(branch.pre_histograms[-1][layer], z)
        h = keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(slope))(z)
    assert branch.learned_units["negative_slope"][-1][0] == pytest.approx(slopes[0].tolist())
