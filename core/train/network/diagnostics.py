"""What an activation does inside a network, layer by layer: the measures and their criteria.

One home for the definitions both views use (the Train page's per-epoch diagnostics and the Depth
page at initialisation), so "dead" means the same everywhere and the criterion shown next to a
number is the one that computed it.

Every function takes a layer's tensors for K networks at once, shaped (K, samples, units): the
pre-activations z, the activations h = f(z) and the derivative f′(z). For a convolution, every
spatial position counts as a sample and each channel is a unit.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

# The probe: a fixed batch of validation samples, the same every epoch and for every network.
PROBE_SAMPLES = 512
# Quantiles of the pre-activation and activation distributions; the 5-95 % range is the whisker.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# They are read from an even subset of at most this many of a layer's values (samples × units):
# sorting every value of a wide layer each epoch would cost more than the epoch's training.
QUANTILE_VALUES = 8192
# A unit is dead when its derivative is exactly zero on every probe sample: no gradient reaches
# its incoming weights through the activation, so no batch like the probe can revive it.
DEAD_RULE = "f′(z) = 0 on every probe sample"
# A unit is saturated when its derivative is tiny on most samples (and it is not dead).
SATURATED_BELOW = 0.01
SATURATED_SHARE = 0.5
SATURATED_RULE = "|f′(z)| < 0.01 on more than half of the probe samples, and not dead"
# Pre-activation histograms (drawn under each learned activation): equal bins over the values'
# range, except that the range stops one 5–95 % span beyond the 5 and 95 % quantiles, so a few
# far outliers do not squash the bulk into one bin; values beyond it are counted apart.
HISTOGRAM_BINS = 40
HISTOGRAM_RULE = (
    "40 equal bins from max(min z, q5 − (q95 − q5)) to min(max z, q95 + (q95 − q5)) over all "
    "probe samples × units; values beyond the ends are counted apart"
)


def quantile_subset(values):
    """The values the quantiles are read from: each network's (K, N, U) values flattened, then
    every s-th one, s the smallest stride leaving at most QUANTILE_VALUES."""
    flat = tf.reshape(values, [tf.shape(values)[0], -1])
    stride = (_length(flat) + QUANTILE_VALUES - 1) // QUANTILE_VALUES
    return flat[:, ::stride]


def _length(flat):
    """The row length of flat: a number when the graph knows it (a probe's is fixed), so the
    arithmetic on it is done once here instead of as ops in every probe's graph."""
    return flat.shape[1] if flat.shape[1] is not None else tf.shape(flat)[1]


def quantiles(values, qs=QUANTILES):
    """Quantiles over samples and units of each network (see quantile_subset): (K, N, U) ->
    (K, len(qs)). Linear interpolation between order statistics, as numpy.quantile's default."""
    flat = tf.sort(quantile_subset(values), axis=1)
    last = _length(flat) - 1
    if isinstance(last, int):  # the same float32 arithmetic as below, done in numpy
        dtype = values.dtype.as_numpy_dtype
        position = np.asarray(qs, dtype) * dtype(last)
        low, high = np.floor(position), np.ceil(position)
    else:
        position = tf.constant(qs, values.dtype) * tf.cast(last, values.dtype)
        low, high = tf.floor(position), tf.math.ceil(position)
    # All quantiles in one gather: a slice per quantile made the CNN probe's graph (K networks
    # × layers × quantiles) thousands of ops, and tracing it took longer than running it.
    a = tf.gather(flat, tf.cast(low, tf.int32), axis=1)
    b = tf.gather(flat, tf.cast(high, tf.int32), axis=1)
    return a + (b - a) * (position - low)


def histograms(values, bins: int = HISTOGRAM_BINS, value_quantiles=None) -> dict:
    """Each network's histogram of its (K, N, U) values over samples and units, by HISTOGRAM_RULE:
    lo, hi (K,), counts (K, bins) as numpy.histogram(values, bins, range=(lo, hi)) counts them
    (the last bin includes hi), and below, above (K,): the values outside [lo, hi].
    `value_quantiles`: quantiles(values) when the caller has them (their 5 and 95 % are these)."""
    k = tf.shape(values)[0]
    flat = tf.reshape(values, [k, -1])
    if value_quantiles is None:
        q5, q95 = tf.unstack(quantiles(values, (0.05, 0.95)), axis=1)
    else:
        q5 = value_quantiles[:, QUANTILES.index(0.05)]
        q95 = value_quantiles[:, QUANTILES.index(0.95)]
    span = q95 - q5
    lo = tf.maximum(tf.reduce_min(flat, axis=1), q5 - span)
    hi = tf.minimum(tf.reduce_max(flat, axis=1), q95 + span)
    # Every value equal (a layer of zeros): one unit-wide range around it, as numpy does.
    constant = tf.logical_not(hi > lo)
    lo, hi = tf.where(constant, lo - 0.5, lo), tf.where(constant, hi + 0.5, hi)
    low, high = tf.expand_dims(lo, 1), tf.expand_dims(hi, 1)
    inside = tf.logical_and(flat >= low, flat <= high)  # False for NaN: never binned
    position = tf.floor((flat - low) / (high - low) * bins)
    # An inside value's position is >= 0 (flat - low >= 0 exactly), and hi's is `bins`: it goes
    # in the last bin. Values outside go to index `bins`, which bincount's maxlength drops.
    index = tf.cast(tf.where(inside, tf.minimum(position, bins - 1.0), float(bins)), tf.int32)
    counts = tf.math.bincount(index, minlength=bins, maxlength=bins, axis=-1, dtype=tf.float32)
    count = lambda mask: tf.reduce_sum(tf.cast(mask, tf.float32), axis=1)  # noqa: E731
    return {
        "lo": lo,
        "hi": hi,
        "counts": counts,
        "below": count(flat < low),
        "above": count(flat > high),
    }


def dead_fraction(derivative):
    """Share of each network's units that are dead (see DEAD_RULE): (K, N, U) -> (K,)."""
    dead = tf.reduce_all(tf.equal(derivative, 0.0), axis=1)
    return tf.reduce_mean(tf.cast(dead, derivative.dtype), axis=1)


def saturated_fraction(derivative):
    """Share of each network's units that are saturated (see SATURATED_RULE): (K, N, U) -> (K,)."""
    small = tf.reduce_mean(tf.cast(tf.abs(derivative) < SATURATED_BELOW, derivative.dtype), axis=1)
    dead = tf.reduce_all(tf.equal(derivative, 0.0), axis=1)
    saturated = tf.logical_and(small > SATURATED_SHARE, tf.logical_not(dead))
    return tf.reduce_mean(tf.cast(saturated, derivative.dtype), axis=1)


def activate_with_derivative(activate, z):
    """h = activate(z) and f′(z) elementwise, in one pass: the gradient of sum(h) with respect to
    z is f′(z) for an elementwise activation. (For a vector activation such as softmax it is not
    a per-unit derivative; callers mark those networks as having no dead/saturated measure.)"""
    with tf.GradientTape() as tape:
        tape.watch(z)
        h = activate(z)
    return h, tape.gradient(h, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
