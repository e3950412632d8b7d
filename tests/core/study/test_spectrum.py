"""The Depth page's Jacobian spectrum: the singular values it computes against the Jacobian of a
plain-Keras network taken by TensorFlow's autodiff, and free probability's moments against a
wide random network."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from activations import shared_catalogue
from core.study.spectrum import predicted, probe, spectrum


def _keras_singular(activation: str, weights: str, sigma_w2: float, depth: int, width: int, seed):
    """The singular values of ∂x_L/∂x_0 of a Sequential of Dense layers (no biases), float64,
    kernels drawn by Keras's own initializers with the Train page's seeds (1 + 1000 seed + l),
    the Jacobian by GradientTape.jacobian."""
    layers = []
    for layer in range(depth):
        s = 1 + 1000 * seed + layer
        if weights == "orthogonal":
            init = keras.initializers.Orthogonal(gain=math.sqrt(sigma_w2), seed=s)
        else:
            init = keras.initializers.RandomNormal(stddev=math.sqrt(sigma_w2 / width), seed=s)
        kernel = np.asarray(init((width, width)), np.float64)  # drawn in float32, as the app's
        dense = keras.layers.Dense(width, activation=activation, use_bias=False, dtype="float64")
        dense.build((None, width))
        dense.set_weights([kernel])
        layers.append(dense)
    model = keras.Sequential([keras.Input((width,), dtype="float64"), *layers])
    x = tf.constant(probe(width, seed)[None], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)
    jac = tape.jacobian(y, x)[0, :, 0, :].numpy()  # (outputs, inputs)
    return np.linalg.svd(jac, compute_uv=False)


@pytest.mark.parametrize(
    "activation, weights, sigma_w2, depth",
    [
        ("tanh", "orthogonal", 1.0, 40),
        ("relu", "gaussian", 2.0, 20),
        ("gelu", "orthogonal", 1.5, 8),
    ],
)
def test_the_singular_values_are_those_of_a_plain_keras_networks_jacobian(
    activation, weights, sigma_w2, depth
):
    # Fails if the page's product of kernels and slopes is not the network's Jacobian: factors in
    # the wrong order, a slope taken at the wrong pre-activation, another seed per layer, or
    # Keras's gain/stddev misread. Both sides are float64 products of the same float32-drawn
    # kernels, summed in different orders, so they agree to rounding: 1e-9 of the largest
    # singular value is ~1e7 × float64's epsilon, room for depth 40's accumulated rounding and
    # far below any of those bugs (they change singular values by more than 1 %).
    width, seed = 48, 3
    ours = spectrum(shared_catalogue().get(activation), weights, sigma_w2, depth, width, seed)
    theirs = _keras_singular(activation, weights, sigma_w2, depth, width, seed)
    assert ours.singular.shape == theirs.shape
    assert np.max(np.abs(ours.singular - theirs)) <= 1e-9 * theirs[0]
    if activation == "relu":  # dead units make exact zeros: counted below the floor
        assert ours.resolved.size < width


@pytest.mark.parametrize("activation, sigma_w2", [("tanh", 1.5), ("relu", 2.0), ("selu", 1.0)])
@pytest.mark.parametrize("weights", ["orthogonal", "gaussian"])
def test_free_probability_predicts_a_wide_networks_spectrum(activation, sigma_w2, weights):
    # Fails if the theory's moments are not the spectrum's: orthogonal and Gaussian weights'
    # s_W swapped (the spread moves by L = 10), μ_2/μ_1² dropped or taken of φ′ instead of φ′²,
    # or q_l not followed through the layers. At width 1024 and depth 10 the measured
    # normalised variance was within 2 % of the theory in every case tried, so 6 % is the
    # bound. The mean s² of one network is a product of L per-layer factors, each off by
    # O(√(2/N)) at finite width: its log fluctuates by about √(2L/N) = 0.14, so it is held to
    # 2 × that (a factor 1.32); each bug above moves it by more at depth 10.
    width, depth = 1024, 10
    s = spectrum(shared_catalogue().get(activation), weights, sigma_w2, depth, width, seed=0)
    assert s.measured_spread == pytest.approx(s.predicted_spread, rel=0.06)
    assert abs(math.log(s.measured_mean / s.predicted_mean)) <= 2 * math.sqrt(2 * depth / width)


def test_orthogonal_tanh_near_the_edge_is_near_an_isometry_and_relu_never_is():
    # Fails if the theory loses Pennington et al.'s contrast: at depth 100, tanh just off the
    # edge with a small signal has μ_2/μ_1² ≈ 1, so orthogonal weights keep the spread small
    # while Gaussian ones give it about L; relu's μ_2/μ_1² is 2 at any q, so even orthogonal
    # relu's spread is L.
    tanh, relu = (shared_catalogue().get(n) for n in ("tanh", "relu"))
    _, tanh_orthogonal = predicted(tanh, "orthogonal", 1.05, 100, q0=1.0)
    _, tanh_gaussian = predicted(tanh, "gaussian", 1.05, 100, q0=1.0)
    _, relu_orthogonal = predicted(relu, "orthogonal", 2.0, 100, q0=1.0)
    assert tanh_orthogonal < 10 < 100 <= tanh_gaussian
    assert relu_orthogonal == pytest.approx(100.0, rel=1e-9)  # 100 layers × (2 − 1), exactly


def test_bad_input_is_refused_in_words():
    # Fails if a vector activation or a σ_w² that is not positive reaches the product.
    catalogue = shared_catalogue()
    with pytest.raises(ValueError, match="element-wise"):
        spectrum(catalogue.get("softmax"), "gaussian", 1.0, 3, 8)
    with pytest.raises(ValueError, match="positive"):
        spectrum(catalogue.get("tanh"), "gaussian", -1.0, 3, 8)
    with pytest.raises(ValueError, match="Unknown weights"):
        spectrum(catalogue.get("tanh"), "uniform", 1.0, 3, 8)
