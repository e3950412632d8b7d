"""Mean-field signal propagation in deep random networks, for any element-wise activation: the
length fixed point q*, the correlation map's slope χ1, the depth scales ξ_q and ξ_c, and the
critical line χ1 = 1 (Poole et al. 2016, arXiv 1606.05340; Schoenholz et al. 2017, arXiv
1611.01232).

The network is the papers' one: weights W_ij ~ N(0, σ_w²/N), biases b_i ~ N(0, σ_b²), N → ∞.
Every expectation over a Gaussian pre-activation is Gauss–Hermite quadrature of the activation's
own TensorFlow function, its derivatives taken by autodiff: nothing is typed per activation, so a
user's expression gets the same theory as relu. Results are plain NumPy data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

# 1-D quadrature for E over z ~ N(0, 1). An even count has no node at 0, so a kink or step at
# 0 (relu, its derivative) is integrated exactly by symmetry; 200 nodes put tanh's critical
# σ_w² (1.761 at σ_b² = 0.05) within 1e-10 of a 400-node rule. A kink elsewhere (relu6 at 6,
# hard_sigmoid at ±2.5) is integrated to about the weight of its nearest node.
NODES = 200
# 2-D quadrature (48² points) for the correlation map, only needed in the chaotic phase. Against
# 96²: tanh's ξ_c within 0.3 % at (σ_w², σ_b²) = (2.5, 0.05), (3.5, 0.2), (4, 0), (1.9, 0.01);
# elu's (a kink in φ″) 17.0 against 20.4 at (1.9, 0.01), where χ_c = 0.95 is near the edge and
# ξ_c = −1/log χ_c turns a 1 % error in χ_c into 16 % (the diagram's log colour scale hides it).
NODES_2D = 48
# Predicted trainable depth = 6 ξ_c: Schoenholz et al. find networks train only up to about six
# correlation lengths.
TRAINABLE_XI = 6.0
# A fixed point is looked for on this table of q (exactly 1.0 included: inputs start there);
# a stable q* beyond its top is reported as q* = inf ("the signal's length diverges").
Q_TABLE = np.unique(np.concatenate([[0.0, 1.0], np.geomspace(1e-9, 1e8, 1701)]))
Q_START = 1.0
Q_FLOOR = 1e-12


def _gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights with Σ w f(z) ≈ E f(z) for z ~ N(0, 1)."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / w.sum()


@dataclass(frozen=True)
class MeanField:
    """Mean-field measures on a set of (σ_w², σ_b²) points, arrays of one shape. q* is inf where
    the signal's length diverges (the measures that need q* are then NaN); ξ is inf on the
    critical line (χ1 = 1)."""

    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    chi1: np.ndarray
    c_star: np.ndarray
    xi_q: np.ndarray
    xi_c: np.ndarray

    @property
    def trainable_depth(self) -> np.ndarray:
        """Schoenholz et al.'s prediction: networks train up to about 6 ξ_c layers."""
        return TRAINABLE_XI * self.xi_c


def _depth_scale(rate: np.ndarray) -> np.ndarray:
    """ξ = −1 / log(rate): inf at rate 1, NaN where the rate is not a positive number."""
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = -1.0 / np.log(rate)
    xi = np.where(rate == 1.0, np.inf, xi)
    return np.where(np.isfinite(rate) & (rate > 0), np.abs(xi), np.nan)


class Propagation:
    """The mean-field theory of one activation `fn` (a TensorFlow function of a float64 tensor,
    element-wise, parameters already bound)."""

    def __init__(self, fn: Callable):
        self.fn = fn
        self.z, self.w = _gauss_hermite(NODES)
        z1, w1 = _gauss_hermite(NODES_2D)
        self.z1, self.z2 = (a.reshape(-1) for a in np.meshgrid(z1, z1, indexing="ij"))
        self.w2 = np.outer(w1, w1).reshape(-1)
        self._length_table: np.ndarray | None = None
        # The 2-D rules' compiled functions, traced on first use.
        self._pair_mean: Callable[..., tuple] | None = None
        self._pair_slope: Callable[..., tuple] | None = None

    # --- the activation and its derivatives, by autodiff ---
    def values(self, x: np.ndarray, order: int = 0) -> list[np.ndarray]:
        """[φ(x), φ′(x), φ″(x)] up to `order`, in one call, float64."""
        t = tf.constant(x, tf.float64)
        zero = tf.UnconnectedGradients.ZERO
        with tf.GradientTape() as outer:
            outer.watch(t)
            with tf.GradientTape() as inner:
                inner.watch(t)
                y = tf.cast(self.fn(t), tf.float64)
            d1 = inner.gradient(y, t, unconnected_gradients=zero) if order >= 1 else None
        d2 = outer.gradient(d1, t, unconnected_gradients=zero) if order >= 2 else None
        return [np.asarray(v, np.float64) for v in (y, d1, d2)[: order + 1]]

    def _expect(self, values: np.ndarray) -> np.ndarray:
        return values @ self.w  # over the last axis, the nodes

    # --- the length map q -> σ_w² E φ(√q z)² + σ_b² ---
    def length_table(self) -> np.ndarray:
        """E φ(√q z)² on Q_TABLE: the length map for every (σ_w², σ_b²) at once."""
        if self._length_table is None:
            (phi,) = self.values(np.sqrt(Q_TABLE)[:, None] * self.z)
            self._length_table = self._expect(phi**2)
        return self._length_table

    def fixed_length(self, sigma_w2, sigma_b2) -> np.ndarray:
        """The stable q* that the length map reaches from q = 1 (inputs of unit length per
        coordinate), for each point; inf where the length grows without bound."""
        sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))
        shape, sw, sb = sw.shape, sw.reshape(-1), sb.reshape(-1)
        table = self.length_table()
        gap = sw[:, None] * table[None, :] + sb[:, None] - Q_TABLE[None, :]  # map(q) − q
        # A value that overflowed counts as growing: the signal blows up there.
        growing = (gap > 0) | ~np.isfinite(gap)
        start = int(np.searchsorted(Q_TABLE, Q_START))
        rows = np.arange(len(sw))
        # Growing at q = 1: q rises to the first crossing above 1, or without bound.
        stops = ~growing[:, start:]
        up_b = start + np.argmax(stops, axis=1)
        bounded = stops.any(axis=1)
        # Shrinking at q = 1: q falls to the last crossing below it (map(0) − 0 = σ_w² φ(0)²
        # + σ_b² ≥ 0, so there is one).
        holds = (gap[:, : start + 1] >= 0)[:, ::-1]
        down_a = start - np.argmax(holds, axis=1)
        up = growing[:, start]
        a = np.where(up, up_b - 1, down_a)
        b = np.minimum(a + 1, len(Q_TABLE) - 1)
        ga, gb = gap[rows, a], gap[rows, b]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(np.isfinite(gb) & (ga != gb), ga / (ga - gb), 0.0)
        low, high = Q_TABLE[a], Q_TABLE[b]
        q = low + np.clip(fraction, 0.0, 1.0) * (high - low)
        q = np.where(gap[:, start] == 0, Q_START, q)
        q = np.where(up & ~bounded, np.inf, q)
        q = self._polish(q, sw, sb, low, high)
        return q.reshape(shape)

    def _polish(self, q, sw, sb, low, high, steps: int = 3) -> np.ndarray:
        """Newton steps on map(q) − q from the table's interpolation, kept inside the table's
        bracket: the interpolation is good to ~1e-4, Newton makes it exact to float64."""
        inside = np.isfinite(q) & (high > 1e-8)  # at q* ≈ 0 the table is exact enough
        if not inside.any():
            return q
        qi, s_w, s_b = q[inside], sw[inside], sb[inside]
        for _ in range(steps):
            gap, slope = self._length_step(qi, s_w, s_b)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = np.where(slope != 0, gap / slope, 0.0)
            qi = np.clip(qi - step, low[inside], high[inside])
        q = q.copy()
        q[inside] = qi
        return q

    def _length_step(self, q, sw, sb) -> tuple[np.ndarray, np.ndarray]:
        """map(q) − q and its slope in q, for Newton's step."""
        root = np.sqrt(q)
        phi, dphi = self.values(root[:, None] * self.z, order=1)
        gap = sw * self._expect(phi**2) + sb - q
        # d/dq E φ(√q z)² = E φ φ′(√q z) z / √q
        return gap, sw * self._expect(phi * dphi * self.z) / root - 1.0

    def _slopes(self, q, sw) -> tuple[np.ndarray, np.ndarray]:
        """χ1 and χ_q at lengths q (> 0): σ_w² E φ′², and χ1 + σ_w² E φ″ φ."""
        phi, dphi, ddphi = self.values(np.sqrt(q)[:, None] * self.z, order=2)
        chi1 = sw * self._expect(dphi**2)
        return chi1, chi1 + sw * self._expect(ddphi * phi)

    def _chaotic_slope(self, c, q, sw) -> np.ndarray:
        """χ_c at the correlation fixed point c* < 1: σ_w² E φ′(u_a) φ′(u_b)."""
        if self._pair_slope is None:
            self._pair_slope = self._pair_expectation(order=1)
        slope, _ = self._pair_slope(*(tf.constant(v, tf.float64) for v in (c, q)))
        return sw * np.asarray(slope)

    # --- the correlation map, needed only where χ1 > 1 ---
    def _correlation_gap(self, c, q, sw, sb) -> np.ndarray:
        """map(c) − c with map(c) = (σ_w² E φ(u1) φ(u2) + σ_b²) / q*, corr(u1, u2) = c.

        q* here is the length map's value under the same 2-D rule (its u1 alone), not the 1-D
        rule's q*: then map(1) = 1 exactly, and the sign of map(c) − c just below 1 is the
        slope's, not the two rules' ~1e-7 disagreement (with q* from the 1-D rule, the root
        search found c* = 1 for tanh at (2.5, 0.05) on 48² nodes, c* = 0.447 on 96²)."""
        if self._pair_mean is None:
            self._pair_mean = self._pair_expectation(order=0)
        pair, same = self._pair_mean(*(tf.constant(v, tf.float64) for v in (c, q)))
        return (sw * np.asarray(pair) + sb) / (sw * np.asarray(same) + sb) - c

    def _pair_expectation(self, order: int):
        """E g(u1) g(u2) and E g(u1)² over the 2-D rule, g = φ (order 0) or φ′ (order 1), for
        vectors of c and q: the chaotic phase's cost, in TensorFlow ops that use every core
        (NumPy's took twice as long on one). Eager, not a tf.function: a graph per activation
        traced for one diagram was no faster here and filled the log with retracing warnings."""
        z1, z2, w2 = (tf.constant(v, tf.float64) for v in (self.z1, self.z2, self.w2))
        fn = self.fn

        def expectation(c, q):
            root = tf.sqrt(q)[:, None]
            u = tf.stack([root * z1, root * (c[:, None] * z1 + tf.sqrt(1 - c[:, None] ** 2) * z2)])
            with tf.GradientTape() as tape:
                tape.watch(u)
                g = tf.cast(fn(u), tf.float64)
            if order == 1:
                g = tape.gradient(g, u, unconnected_gradients=tf.UnconnectedGradients.ZERO)
            return tf.linalg.matvec(g[0] * g[1], w2), tf.linalg.matvec(g[0] * g[0], w2)

        return expectation

    def fixed_correlation(self, q, sw, sb, steps: int = 40) -> np.ndarray:
        """The stable c* < 1 of the correlation map where χ1 > 1, by regula falsi (Illinois) on
        [−1, 1 − 1e-9]: map(c) − c ≥ 0 at −1 and < 0 just below 1 when the slope there is > 1."""
        lo, hi = np.full(q.shape, -1.0), np.full(q.shape, 1 - 1e-9)
        f_lo, f_hi = self._correlation_gap(lo, q, sw, sb), self._correlation_gap(hi, q, sw, sb)
        c = hi.copy()
        side = np.zeros(q.shape)
        for _ in range(steps):
            c = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
            c = np.clip(np.where(np.isfinite(c), c, (lo + hi) / 2), lo, hi)
            f = self._correlation_gap(c, q, sw, sb)
            left = f * f_lo > 0  # the root is right of c
            lo, f_lo = np.where(left, c, lo), np.where(left, f, f_lo)
            hi, f_hi = np.where(left, hi, c), np.where(left, f_hi, f)
            # Illinois: halve the kept end's value when the same end is kept twice running.
            f_hi = np.where(left & (side > 0), f_hi / 2, f_hi)
            f_lo = np.where(~left & (side < 0), f_lo / 2, f_lo)
            side = np.where(left, 1.0, -1.0)
            if np.all(np.abs(hi - lo) < 1e-10):
                break
        return c

    # --- everything at once ---
    def measures(self, sigma_w2, sigma_b2) -> MeanField:
        """q*, χ1, c*, ξ_q and ξ_c at each (σ_w², σ_b²) point (arrays broadcast together)."""
        sw, sb = np.broadcast_arrays(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))
        shape, sw, sb = sw.shape, sw.reshape(-1), sb.reshape(-1)
        q, chi1, chi_q = self._length_and_slopes(sw, sb)
        finite = np.isfinite(q)
        c_star = np.where(finite, 1.0, np.nan)
        chi_c = chi1.copy()
        chaotic = finite & (chi1 > 1) & (q > 0)
        if chaotic.any():
            qc, swc, sbc = q[chaotic], sw[chaotic], sb[chaotic]
            c = self.fixed_correlation(qc, swc, sbc)
            c_star[chaotic] = c
            chi_c[chaotic] = self._chaotic_slope(c, qc, swc)
        return MeanField(
            sigma_w2=sw.reshape(shape),
            sigma_b2=sb.reshape(shape),
            q_star=q.reshape(shape),
            chi1=chi1.reshape(shape),
            c_star=c_star.reshape(shape),
            xi_q=_depth_scale(chi_q).reshape(shape),
            xi_c=_depth_scale(chi_c).reshape(shape),
        )

    def _length_and_slopes(self, sw, sb) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """q*, χ1 and χ_q at each (σ_w², σ_b²) point (flat arrays): `measures` without the
        correlation map's fixed point."""
        q = self.fixed_length(sw, sb).reshape(-1)
        finite = np.isfinite(q)
        chi1, chi_q = np.full(q.shape, np.nan), np.full(q.shape, np.nan)
        if finite.any():
            # At q* = 0 (the signal has died out) the measures are their limit q → 0+: taken
            # at Q_FLOOR, where relu's derivative averages its two slopes as the limit does.
            chi1[finite], chi_q[finite] = self._slopes(np.maximum(q[finite], Q_FLOOR), sw[finite])
        return q, chi1, chi_q

    def critical_sigma_w2(self, sigma_b2: float, low: float = 0.05, high: float = 12.0) -> float:
        """The σ_w² where χ1 crosses 1 at this σ_b² (the edge of chaos), the first crossing
        from below on [low, high]; NaN when χ1 never reaches 1 there."""
        grid = np.linspace(low, high, 240)
        above = np.nonzero(self._expanding(grid, sigma_b2))[0]
        if not len(above) or above[0] == 0:
            return float("nan")
        a, b = grid[above[0] - 1], grid[above[0]]
        while b - a > 1e-10:  # bisection: about 30 halvings of the grid's step
            mid = (a + b) / 2
            if self._expanding(np.array([mid]), sigma_b2)[0]:
                b = mid
            else:
                a = mid
        return float((a + b) / 2)

    def _expanding(self, sigma_w2: np.ndarray, sigma_b2: float) -> np.ndarray:
        """χ1 ≥ 1, or the signal's length diverges (no finite q*: the same side of the edge;
        relu at σ_b² = 0 goes from q* = 0 to q* = inf at its critical σ_w² = 2)."""
        # q* and χ1 alone: the correlation map's fixed point, which `measures` also finds
        # where χ1 > 1, took 90 % of the edge's search and decides nothing here.
        sw = np.asarray(sigma_w2, float).reshape(-1)
        q, chi1, _ = self._length_and_slopes(sw, np.full(sw.shape, float(sigma_b2)))
        return (chi1 >= 1) | np.isinf(q)


def phase_diagram(fn: Callable, sigma_w2: np.ndarray, sigma_b2: np.ndarray) -> MeanField:
    """The measures on the grid σ_w2 × σ_b2 (rows σ_b², columns σ_w²)."""
    sw, sb = np.meshgrid(np.asarray(sigma_w2, float), np.asarray(sigma_b2, float))
    return Propagation(fn).measures(sw, sb)


# The edge of chaos is looked for up to this σ_w² (the Depth page's table says the same).
EDGE_HIGH = 12.0
_EDGES: dict[tuple, float] = {}
_MAX_EDGES = 512  # oldest dropped first


def edge_sigma_w2(act, params: dict, sigma_b2: float) -> float:
    """The critical σ_w² of activation `act` with parameters `params` at `sigma_b2`: where its
    network sits at the edge of chaos (χ1 = 1). ValueError, in words a user can act on, when it
    has none up to σ_w² = 12 or is not element-wise. Cached: a solve takes up to 2 s (tanh)."""
    if not act.pointwise:
        raise ValueError(
            f"{act.name} is not one element-wise f(x) per unit, so mean-field theory gives it "
            "no edge of chaos: choose another initialisation or leave it out."
        )
    # What defines the function: a custom's expression, a user file's code and file.
    key = (act.name, act.source, act.expression, act.code, act.origin,
           tuple(sorted(params.items())), float(sigma_b2))  # fmt: skip
    if key not in _EDGES:
        if len(_EDGES) >= _MAX_EDGES:
            _EDGES.pop(next(iter(_EDGES)))
        fn = lambda x: act.fn(x, **params)  # noqa: E731
        _EDGES[key] = Propagation(fn).critical_sigma_w2(float(sigma_b2), high=EDGE_HIGH)
    value = _EDGES[key]
    if not np.isfinite(value):
        raise ValueError(
            f"{act.name} has no edge of chaos at σ_b² = {sigma_b2:g}: χ1 stays below 1 up to "
            f"σ_w² = {EDGE_HIGH:g}. Choose another initialisation or leave it out."
        )
    return value
