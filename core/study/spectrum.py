"""The input–output Jacobian of an untrained deep network at one input, its singular values, and
what free probability predicts for them (Pennington, Schoenholz & Ganguli 2017, "Resurrecting
the sigmoid in deep learning through dynamical isometry", NeurIPS).

The network is the Depth page's: square Dense layers x_l = φ(x_{l−1} K_l), no biases, the
input as wide as the layers. Its Jacobian ∂x_L/∂x_0 is the product K_1 D_1 K_2 D_2 … K_L D_L,
with D_l = diag φ′(x_{l−1} K_l). It is formed layer by layer in float64 (so singular values far
below the largest one are still resolved), with φ and φ′ from the activation's own TensorFlow
function and autodiff.

Theory. For wide layers the squared singular values of J (the eigenvalues λ of JJᵀ) follow
the free multiplicative convolution of the laws of every D_l² and every K_l K_lᵀ. For free
positive a and b, E(ab) = E(a) E(b) and E(abab) = E(a²) E(b)² + E(a)² E(b²) − E(a)² E(b)², so
the normalised variance Var/mean² of a product is the sum of its factors'. Hence, with
μ_k(l) = E φ′(h)^(2k) over h ~ N(0, q_l) (q_l from the mean-field length map):

    mean λ          = Π_l σ_w² μ_1(l)                      (= χ1^L at the fixed point)
    Var λ / mean λ² = Σ_l [μ_2(l) / μ_1(l)² − 1 + s_W]

where s_W is the normalised variance of K Kᵀ: 0 for a scaled orthogonal K (K Kᵀ = σ_w² I) and
1 for i.i.d. entries of variance σ_w²/N (Marchenko–Pastur at ratio 1). The second term is what
orthogonal weights remove: with μ_2 ≈ μ_1² (φ near-linear where the signal is, e.g. tanh with a
small q*) and χ1 = 1, an orthogonal network is close to an isometry at any depth, a Gaussian one
is not (its spread grows as L), and relu cannot get there (μ_2/μ_1² = 2 for any q).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from activations import Activation
from core.train.network.models import init_seed
from core.train.theory import NODES, _gauss_hermite

# The weights compared: Keras's scaled orthogonal initializer and i.i.d. Gaussian entries.
WEIGHTS = {"orthogonal": ("Orthogonal", 0.0), "gaussian": ("Gaussian", 1.0)}
# The Jacobian is a product of depth N × N matrices in float64: 3.4 GFLOP at N = 256 and depth
# 100 (about 0.4 s here); at N = 1024 it would be 64 × that, so the page cuts wider layers to this.
MAX_WIDTH = 256
# A singular value below this fraction of the largest is at float64's rounding floor of the
# product (or exactly 0, a dead unit's); it is counted, not placed on a log scale.
FLOOR = 1e-13


@dataclass(frozen=True)
class Spectrum:
    """One network's Jacobian singular values (descending) and the theory's two moments of their
    squares. Plain NumPy data."""

    name: str
    weights: str
    sigma_w2: float
    depth: int
    width: int
    singular: np.ndarray
    predicted_mean: float  # of λ = s²
    predicted_spread: float  # Var λ / mean λ²

    @property
    def measured_mean(self) -> float:
        return float(np.mean(self.singular**2))

    @property
    def measured_spread(self) -> float:
        lam = self.singular**2
        return float(np.var(lam) / np.mean(lam) ** 2) if np.mean(lam) > 0 else float("nan")

    @property
    def resolved(self) -> np.ndarray:
        """The singular values above FLOOR × the largest."""
        top = self.singular[0] if self.singular.size else 0.0
        return self.singular[self.singular > FLOOR * top] if top > 0 else self.singular[:0]


def kernel(weights: str, sigma_w2: float, width: int, seed: int, layer: int) -> np.ndarray:
    """Layer `layer`'s kernel (width × width): Keras's Orthogonal(gain=σ_w) or
    RandomNormal(stddev=σ_w/√N), seeded as the Train page seeds its layers."""
    if weights not in WEIGHTS:
        raise ValueError(f"Unknown weights {weights!r}; choose one of {', '.join(WEIGHTS)}")
    s = init_seed(seed, layer)
    if weights == "orthogonal":
        init = keras.initializers.Orthogonal(gain=float(np.sqrt(sigma_w2)), seed=s)
    else:
        init = keras.initializers.RandomNormal(stddev=float(np.sqrt(sigma_w2 / width)), seed=s)
    return np.asarray(init((width, width)), np.float64)


def probe(width: int, seed: int) -> np.ndarray:
    """The one standard-normal input the Jacobian is taken at."""
    return np.random.default_rng([seed, width, 7]).standard_normal(width)


def _values(act: Activation, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """φ(x) and φ′(x), float64, the activation's parameters at their defaults."""
    t = tf.constant(x, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.cast(act.curve(t), tf.float64)
    d = tape.gradient(y, t, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return np.asarray(y, np.float64), np.asarray(d, np.float64)


def jacobian(act: Activation, weights: str, sigma_w2: float, depth: int, width: int, seed: int):
    """∂x_L/∂x_0 at `probe(width, seed)` (rows: inputs, columns: outputs)."""
    x = probe(width, seed)
    product = np.eye(width)
    for layer in range(depth):
        k = kernel(weights, sigma_w2, width, seed, layer)
        x, slope = _values(act, x @ k)
        product = (product @ k) * slope[None, :]
    return product


def predicted(act: Activation, weights: str, sigma_w2: float, depth: int, q0: float):
    """(mean λ, Var λ / mean λ²) by the free-probability moments above, the pre-activation
    variance of each layer from the length map q_l = σ_w² E φ(√q_{l−1} z)² starting at the
    input's mean square q0."""
    z, w = _gauss_hermite(NODES)
    s_w = WEIGHTS[weights][1]
    q, mean, spread = sigma_w2 * q0, 1.0, 0.0
    for _ in range(depth):
        phi, slope = _values(act, np.sqrt(q) * z)
        mu1, mu2 = float(slope**2 @ w), float(slope**4 @ w)
        mean *= sigma_w2 * mu1
        spread += (mu2 / mu1**2 - 1.0 if mu1 > 0 else float("inf")) + s_w
        q = sigma_w2 * float(phi**2 @ w)
    return mean, spread


def spectrum(
    act: Activation, weights: str, sigma_w2: float, depth: int, width: int, seed: int = 0
) -> Spectrum:
    """The singular values of one network's Jacobian and the theory's prediction for them."""
    if not act.pointwise:
        raise ValueError(
            f"{act.name} is not one element-wise f(x) per unit: its Jacobian has no diagonal D_l."
        )
    if not (np.isfinite(sigma_w2) and sigma_w2 > 0):
        raise ValueError(f"σ_w² must be a positive number; it is {sigma_w2}.")
    x = probe(width, seed)
    with np.errstate(over="ignore", invalid="ignore"):
        singular = np.linalg.svd(
            jacobian(act, weights, sigma_w2, depth, width, seed), compute_uv=False
        )
        mean, spread = predicted(act, weights, sigma_w2, depth, float(np.mean(x**2)))
    return Spectrum(act.name, weights, float(sigma_w2), depth, width, singular, mean, spread)
