"""Mean-field theory of gated units, y = f(u)·v (GLU with f = σ, ReGLU, GEGLU, SwiGLU with f =
relu, gelu, silu; Bilinear with f = 1; Shazeer 2020, arXiv 2002.05202), in a deep stack of such
layers: u = W_u x + b_u and v = W_v x + b_v, two projections of the same input with independent
weights W ~ N(0, σ_w²/N) and biases b ~ N(0, σ_b²), N → ∞.

Derived here, as core/train/theory.py's element-wise theory (Poole et al. 2016, Schoenholz et al.
2017) is, from the layer's own maps. u and v are independent Gaussians of the same variance q
(they share the input, not the weights), so for z ~ N(0, 1):

- the length map:  q′ = σ_w² E[(f(u)·v)²] + σ_b² = σ_w² · q · E f(√q z)² + σ_b²;
- the correlation map, inputs a and b whose pre-activations correlate c (u and v alike):
  q′_ab = σ_w² E[f(u_a) f(u_b)] · E[v_a v_b] + σ_b² = σ_w² · q c · E[f(u_a) f(u_b)] + σ_b²;
- its slope at c = 1 (Price's theorem: ∂/∂c E[f(u_a) f(u_b)] = q E[f′(u_a) f′(u_b)]):
  χ1 = σ_w² (E f(u)² + q* E f′(u)²), u ~ N(0, q*) — which is also the mean squared singular
  value of one layer's Jacobian, diag(f′(u)·v) W_u + diag(f(u)) W_v;
- the length map's slope: χ_q = χ1 + σ_w² q* E[f(u) f″(u)] (Stein's lemma on E[f f′(√q z) z]).

The element-wise machinery (the q table, the fixed point's search and polish, the chaotic
phase's c*) is theory.py's, with these maps in place of φ's. f is the gate's TensorFlow function
(any element-wise activation, a typed one too), its derivatives by autodiff. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import tensorflow as tf

from core.train.theory import Q_TABLE, Propagation


class GatedPropagation(Propagation):
    """The mean-field theory of the gated unit f(u)·v, `fn` the gate f (a TensorFlow function
    of a float64 tensor, element-wise, parameters bound)."""

    def length_table(self) -> np.ndarray:
        """q · E f(√q z)² on Q_TABLE: E[(f(u)·v)²] for every q at once."""
        if self._length_table is None:
            (f,) = self.values(np.sqrt(Q_TABLE)[:, None] * self.z)
            self._length_table = Q_TABLE * self._expect(f**2)
        return self._length_table

    # --- one layer's maps, at any (q, c): what a network's layer does to its input ---
    def length_map(self, q, sigma_w2, sigma_b2) -> np.ndarray:
        """q′ = σ_w² q E f(√q z)² + σ_b², element by element."""
        q = np.asarray(q, float)
        (f,) = self.values(np.sqrt(q)[..., None] * self.z)
        return sigma_w2 * q * self._expect(f**2) + sigma_b2

    def slopes(self, q, sigma_w2) -> np.ndarray:
        """χ1 at a length q (not only at q*): σ_w² (E f(u)² + q E f′(u)²), u ~ N(0, q)."""
        q = np.asarray(q, float)
        chi1, _ = self._slopes(q.reshape(-1), sigma_w2)
        return chi1.reshape(q.shape)

    def correlation_map(self, c, q, sigma_w2, sigma_b2) -> tuple[np.ndarray, np.ndarray]:
        """For two inputs of length q whose pre-activations correlate c (vectors): c′, and
        ∂q′_ab/∂q_ab = σ_w² (E f(u_a) f(u_b) + c q E f′(u_a) f′(u_b)), the growth of a layer's
        cross term, which is χ_c at the fixed point (q*, c*)."""
        # A measured correlation can round past ±1; the 2-D rule needs √(1 − c²).
        c, q = np.broadcast_arrays(np.clip(np.asarray(c, float), -1.0, 1.0), np.asarray(q, float))
        if self._pair_mean is None:  # the 2-D rules, built once per theory (theory.py's)
            self._pair_mean = self._pair_expectation(order=0)
        if self._pair_slope is None:
            self._pair_slope = self._pair_expectation(order=1)
        pair, same = (np.asarray(v) for v in self._pair_mean(_tensor(c), _tensor(q)))
        d_pair, _ = self._pair_slope(_tensor(c), _tensor(q))
        new = (sigma_w2 * q * c * pair + sigma_b2) / (sigma_w2 * q * same + sigma_b2)
        chi = sigma_w2 * (pair + c * q * np.asarray(d_pair))
        return new, chi

    # --- the hooks of theory.py's machinery, with the gated maps ---
    def _length_step(self, q, sw, sb) -> tuple[np.ndarray, np.ndarray]:
        """σ_w² q E f(√q z)² + σ_b² − q, and its slope σ_w² (E f² + √q E[f f′ z]) − 1."""
        root = np.sqrt(q)
        f, df = self.values(root[:, None] * self.z, order=1)
        square = self._expect(f**2)
        return sw * q * square + sb - q, sw * (square + root * self._expect(f * df * self.z)) - 1.0

    def _slopes(self, q, sw) -> tuple[np.ndarray, np.ndarray]:
        """χ1 = σ_w² (E f² + q E f′²) and χ_q = χ1 + σ_w² q E[f f″] at lengths q."""
        f, df, ddf = self.values(np.sqrt(q)[:, None] * self.z, order=2)
        chi1 = sw * (self._expect(f**2) + q * self._expect(df**2))
        return chi1, chi1 + sw * q * self._expect(f * ddf)

    def _correlation_gap(self, c, q, sw, sb) -> np.ndarray:
        """map(c) − c, map(c) = (σ_w² q c E f(u_a) f(u_b) + σ_b²) / (σ_w² q E f(u)² + σ_b²),
        both expectations on the same 2-D rule (so map(1) = 1 exactly; theory.py says why)."""
        if self._pair_mean is None:
            self._pair_mean = self._pair_expectation(order=0)
        pair, same = (np.asarray(v) for v in self._pair_mean(*map(_tensor, (c, q))))
        return (sw * q * c * pair + sb) / (sw * q * same + sb) - c

    def _chaotic_slope(self, c, q, sw) -> np.ndarray:
        """χ_c at c* < 1: ∂/∂c of σ_w² q c E f(u_a) f(u_b) / q* at q = q*, that is
        σ_w² (E f f + c q* E f′ f′)."""
        _, growth = self.correlation_map(c, q, sw, 0.0)
        return growth


def _tensor(values) -> tf.Tensor:
    return tf.constant(np.asarray(values, float), tf.float64)


# The gates of Shazeer (2020)'s variants, by name: f in f(u)·v.
GATES: dict[str, Callable] = {
    "GLU": tf.math.sigmoid,
    "Bilinear": tf.ones_like,
    "ReGLU": tf.nn.relu,
    "GEGLU": lambda x: tf.nn.gelu(x, approximate=False),
    "SwiGLU": tf.nn.silu,
}
