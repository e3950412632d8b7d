"""The training initialisations other than Glorot's (core/train/network/models.py `Init`): each
equals the plain-Keras initializer a reader would write from its definition, and a fused
comparison trained under it equals the same networks trained alone in plain Keras with no app
code."""

import keras
import numpy as np
import pytest

from core.train import datasets
from core.train.codegen import reproduce_script
from core.train.network.models import BIAS_SEED_OFFSET, Init, init_seed
from core.train.settings import TrainConfig
from core.train.training import train_compare
from tests.core.train.test_training import _fit


@pytest.mark.parametrize("shape", [(784, 64), (64, 64), (3, 3, 16, 32)])
@pytest.mark.parametrize("seed, layer", [(0, 0), (2, 5)])
def test_standard_uniform_is_keras_random_uniform_on_plus_minus_one_over_root_fan_in(
    shape, seed, layer
):
    """Catches Glorot & Bengio's "standard" initialisation drawn on the wrong bound (fan-in +
    fan-out, √3, or the whole kernel's size for a convolution) or with another seed than the
    layer's: the Glorot experiment's saturation part tests this distribution."""
    fan_in = int(np.prod(shape[:-1]))
    bound = 1 / np.sqrt(fan_in)
    expected = keras.initializers.RandomUniform(-bound, bound, seed=init_seed(seed, layer))(shape)
    drawn = Init("standard_uniform").kernel(seed, layer)(shape)
    np.testing.assert_allclose(np.asarray(drawn), np.asarray(expected), rtol=1e-6, atol=1e-9)
    assert np.abs(np.asarray(drawn)).max() <= bound


def test_mean_field_draws_kernels_with_variance_sigma_w2_over_fan_in_and_seeded_biases():
    """Catches σ_w² used as a standard deviation, a variance not divided by fan-in, biases left
    at zero, or a bias seed equal to a kernel seed (kernel and bias would then be correlated)."""
    init = Init("mean_field", sigma_w2=1.761, sigma_b2=0.05)
    seed, layer, shape = 1, 3, (128, 128)
    kernel_seed = init_seed(seed, layer)
    expected = keras.initializers.RandomNormal(stddev=np.sqrt(1.761 / 128), seed=kernel_seed)
    np.testing.assert_allclose(
        np.asarray(init.kernel(seed, layer)(shape)), np.asarray(expected(shape)), rtol=1e-6
    )
    bias = keras.initializers.RandomNormal(
        stddev=np.sqrt(0.05), seed=kernel_seed + BIAS_SEED_OFFSET
    )
    np.testing.assert_allclose(init.bias_values(seed, layer, 128), np.asarray(bias((128,))))
    assert np.std(init.bias_values(seed, layer, 128)) > 0.1
    assert not np.any(Init("glorot_uniform").bias_values(seed, layer, 8))


def _keras_only(config, data, seed, kernel, bias):
    """Dense(activation="tanh") layers with the given initializer makers, no app code."""
    dense = [
        keras.layers.Dense(
            config.width,
            activation="tanh",
            kernel_initializer=kernel(seed, i, data.input_shape[-1] if i == 0 else config.width),
            bias_initializer=bias(seed, i),
        )
        for i in range(config.depth)
    ]
    out = keras.layers.Dense(
        data.n_outputs,
        kernel_initializer=kernel(seed, config.depth, config.width),
        bias_initializer=bias(seed, config.depth),
    )
    return keras.Sequential([keras.Input(data.input_shape), *dense, out])


# Keras's own initializers as a reader writes them from the names on the page, seeded as the
# guide says (1 + 1000·seed + layer): the table in core/train/settings.py must draw exactly these.
KERAS_OWN = {
    "glorot_normal": lambda s: keras.initializers.GlorotNormal(seed=s),
    "he_normal": lambda s: keras.initializers.HeNormal(seed=s),
    "lecun_normal": lambda s: keras.initializers.LecunNormal(seed=s),
    "orthogonal": lambda s: keras.initializers.Orthogonal(gain=1.0, seed=s),
}


@pytest.mark.parametrize("init", list(KERAS_OWN))
@pytest.mark.parametrize("shape", [(784, 64), (64, 64), (3, 3, 16, 32)])
def test_keras_own_initialisers_draw_what_keras_draws(init, shape):
    """Catches a choice drawn by another class than its name, unseeded, or with another seed
    than its layer's (the runs of a comparison would then not be reproducible in Keras)."""
    seed, layer = 2, 5
    expected = KERAS_OWN[init](init_seed(seed, layer))(shape)
    drawn = Init(init).kernel(seed, layer)(shape)
    # Exact: the same Keras initializer with the same seed draws the same float32 numbers.
    np.testing.assert_array_equal(np.asarray(drawn), np.asarray(expected))


def test_an_orthogonal_kernel_is_orthogonal_at_the_scale_keras_gives():
    """Catches an "orthogonal" choice that is only a Gaussian (rows not orthonormal): the
    dynamical-isometry argument on the Depth page rests on it."""
    kernel = np.asarray(Init("orthogonal").kernel(0, 1)((64, 64)))
    np.testing.assert_allclose(kernel @ kernel.T, np.eye(64), atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("init", ["mean_field", "standard_uniform", *KERAS_OWN])
def test_fused_training_under_each_initialisation_equals_plain_keras(init):
    """Catches a fused network whose initial weights (kernels or biases) differ from the plain
    model's under the new initialisations: the whole comparison would then no longer be the
    runs a Keras user gets alone."""
    data = datasets.random_regression(samples=300, val_fraction=0.1, seed=0)
    sw2, sb2 = 2.0, 0.1
    config = TrainConfig(
        activations=("tanh",), dataset="random", samples=300, depth=3, width=16, epochs=2,
        batch_size=50, seeds=2, init=init, sigma_w2=sw2, sigma_b2=sb2, diagnostics=False,
    )  # fmt: skip

    def kernel(seed, layer, fan_in):
        s = 1 + seed * 1000 + layer
        if init == "mean_field":
            return keras.initializers.RandomNormal(stddev=np.sqrt(sw2 / fan_in), seed=s)
        if init in KERAS_OWN:
            return KERAS_OWN[init](s)
        bound = 1 / np.sqrt(fan_in)
        return keras.initializers.RandomUniform(-bound, bound, seed=s)

    def bias(seed, layer):
        if init != "mean_field":
            return "zeros"
        return keras.initializers.RandomNormal(stddev=np.sqrt(sb2), seed=501 + seed * 1000 + layer)

    fused = train_compare(config, data)
    for branch in fused.branches:
        alone = _fit(_keras_only(config, data, branch.seed, kernel, bias), config, data)
        np.testing.assert_allclose(branch.loss, alone["loss"], rtol=2e-4, atol=1e-6)
        np.testing.assert_allclose(branch.val_loss, alone["val_loss"], rtol=2e-4, atol=1e-6)


def test_exported_script_draws_the_runs_initial_weights():
    """Catches a reproduce script that still draws Glorot kernels and zero biases for a run
    trained under another initialisation (it would reproduce some other run)."""
    from activations import shared_catalogue
    from core.train.network.models import plain_model

    catalogue = shared_catalogue()
    for init in ("standard_uniform", "mean_field", *KERAS_OWN):
        config = TrainConfig(activations=("tanh",), dataset="random", depth=2, width=8,
                             init=init, sigma_w2=1.5, sigma_b2=0.2)  # fmt: skip
        record = type("R", (), {"config": config, "task": "regression", "dataset_source": "x"})
        namespace = {"__name__": "not_main"}
        exec(compile(reproduce_script(record, catalogue), "script", "exec"), namespace)
        build = namespace["build"]
        theirs = build(lambda: keras.layers.Activation("tanh"), 1, (10,))
        ours = plain_model(
            catalogue.get("tanh"), {}, 1, (10,), 1, "mlp", 2, 8, init=Init.of(config)
        )
        for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        assert any(np.any(w != 0) for w in theirs.get_weights()[1::2]) == (init == "mean_field")


def _plain_gaussian(config, data, activation, sigma_w2, seed):
    """Dense layers of `activation` with N(0, σ_w²/fan_in) kernels and zero biases, no app code."""
    sizes = [data.input_shape[-1]] + [config.width] * config.depth
    layers = [
        keras.layers.Dense(
            config.width,
            activation=activation,
            kernel_initializer=keras.initializers.RandomNormal(
                stddev=np.sqrt(sigma_w2 / sizes[i]), seed=1 + seed * 1000 + i
            ),
        )
        for i in range(config.depth)
    ]
    out = keras.layers.Dense(
        data.n_outputs,
        kernel_initializer=keras.initializers.RandomNormal(
            stddev=np.sqrt(sigma_w2 / config.width), seed=1 + seed * 1000 + config.depth
        ),
    )
    return keras.Sequential([keras.Input(data.input_shape), *layers, out])


@pytest.mark.slow
def test_the_edge_of_chaos_gives_each_activation_its_own_critical_sigma_w2():
    """Catches the edge-of-chaos initialisation drawing one σ_w² for every network of a run, or
    another one than the theory's: at σ_b² = 0 the edge is known in closed form, σ_w² = 2 for
    relu (χ1 = σ_w²/2) and 1 for tanh (q* = 0, χ1 = σ_w² tanh′(0)²), so each fused network must
    equal the plain-Keras Gaussian network at its own value, trained alone (the solver's 1e-9
    bisection error moves the kernels far less than the float32 tolerance of the other twin
    tests, 2e-4, which the different summation order of the fused matmuls needs)."""
    data = datasets.random_regression(samples=300, val_fraction=0.1, seed=0)
    config = TrainConfig(
        activations=("relu", "tanh"), dataset="random", samples=300, depth=3, width=16,
        epochs=2, batch_size=50, seeds=1, init="edge_of_chaos", sigma_b2=0.0, diagnostics=False,
    )  # fmt: skip
    fused = train_compare(config, data)
    assert fused.init_sigma_w2 == pytest.approx({"relu": 2.0, "tanh": 1.0}, abs=1e-6)
    for branch, sigma_w2 in zip(fused.branches, (2.0, 1.0), strict=True):
        plain = _plain_gaussian(config, data, branch.activation, sigma_w2, branch.seed)
        alone = _fit(plain, config, data)
        np.testing.assert_allclose(branch.loss, alone["loss"], rtol=2e-4, atol=1e-6)
        np.testing.assert_allclose(branch.val_loss, alone["val_loss"], rtol=2e-4, atol=1e-6)


def test_an_activation_without_an_edge_is_refused_in_words_before_training():
    """Catches a run that would silently draw sigmoid at some σ_w² and call it the edge of chaos:
    sigmoid's χ1 stays below 1 up to σ_w² = 12 at σ_b² = 0 (the Depth page's table says so)."""
    from core.train.training import Training

    config = TrainConfig(activations=("relu", "sigmoid"), dataset="random", samples=100,
                         init="edge_of_chaos", sigma_b2=0.0)  # fmt: skip
    data = datasets.random_regression(samples=100, val_fraction=0.1, seed=0)
    with pytest.raises(ValueError, match="sigmoid has no edge of chaos at σ_b² = 0"):
        Training(config, data)


def test_the_exported_script_draws_each_activations_edge_of_chaos():
    """Catches a reproduce script that draws one σ_w² for every activation of an edge-of-chaos
    run: each network's initial weights must be the app's."""
    from activations import shared_catalogue
    from core.train.network.models import plain_model

    catalogue = shared_catalogue()
    config = TrainConfig(activations=("relu", "tanh"), dataset="random", depth=2, width=8,
                         init="edge_of_chaos", sigma_b2=0.0)  # fmt: skip
    record = type("R", (), {"config": config, "task": "regression", "dataset_source": "x"})
    namespace = {"__name__": "not_main"}
    exec(compile(reproduce_script(record, catalogue), "script", "exec"), namespace)
    for name, sigma_w2 in (("relu", 2.0), ("tanh", 1.0)):
        theirs = namespace["build"](lambda n=name: keras.layers.Activation(n), 1, (10,), name)
        ours = plain_model(catalogue.get(name), {}, 1, (10,), 1, "mlp", 2, 8, init=Init.of(config))
        for a, b in zip(theirs.get_weights(), ours.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6)
        assert namespace["SIGMA_W2"][name] == pytest.approx(sigma_w2, abs=1e-6)
    # A run's script draws the σ_w² the run recorded when it started, not a later solve.
    record.init_sigma_w2 = {"relu": 2.5, "tanh": 1.25}
    namespace = {"__name__": "not_main"}
    exec(compile(reproduce_script(record, catalogue), "script", "exec"), namespace)
    assert namespace["SIGMA_W2"] == {"relu": 2.5, "tanh": 1.25}
