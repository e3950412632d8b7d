"""One activation call over the slices of several networks (the seeds of an activation) instead
of one call per network: core/train/network/models.py `_shared_groups`.

It saves two thirds of the activation ops of a search batch (3 seeds), and it is only allowed
because TensorFlow's element-wise kernels give every value the same bits on a slice as alone
when each slice holds a multiple of 16 floats (the widest vector, AVX-512). The first test checks
that premise on TensorFlow itself, no app code; the second that the grouping asks for it and
never groups what must stay apart.
"""

import numpy as np
import pytest
import tensorflow as tf

from activations import get
from activations.expression import custom_activation
from core.train.network.models import Branch, _shared_groups

OPS = {
    "tanh": tf.math.tanh,
    "sigmoid": tf.math.sigmoid,
    "exp": tf.math.exp,
    "softplus": tf.math.softplus,
    "erf": tf.math.erf,
    "sinh": tf.math.sinh,
    "asinh": tf.math.asinh,
    "elu": tf.nn.elu,
    "gelu": tf.nn.gelu,
    "silu": tf.nn.silu,
}


@pytest.mark.parametrize("batch, width", [(128, 32), (100, 16), (7, 48), (1000, 64)])
def test_an_element_wise_op_gives_each_slice_the_bits_it_gets_alone(batch, width):
    # Fails if TensorFlow computed a value differently inside a larger tensor: grouping the
    # seeds would then change the networks' numbers (exact equality: the same bits).
    h = tf.random.stateless_normal([3, batch, width], seed=(1, 2)) * 3.0
    for name, op in OPS.items():
        whole = op(h).numpy()
        alone = np.stack([op(h[i]).numpy() for i in range(3)])
        assert np.array_equal(whole, alone), name


def test_only_the_seeds_of_one_fixed_element_wise_activation_share_a_call():
    # Fails if networks with learned parameters, a Keras layer, a vector activation, other
    # parameter values or a width that is not a multiple of 16 were grouped.
    relu, elu, softmax = get("relu"), get("elu"), get("softmax")
    custom = custom_activation("c0001", "sigmoid(beta*x) * x")
    seeds = lambda act, params=None, **kw: [  # noqa: E731
        Branch(act, params or {}, s, **kw) for s in range(3)
    ]
    branches = seeds(relu) + seeds(custom, {"beta": 1.0}) + seeds(custom, {"beta": 2.0})
    assert _shared_groups(branches, 32) == [(0, 3), (3, 6), (6, 9)]
    assert _shared_groups(branches, 24) == [(i, i + 1) for i in range(9)]
    learned = seeds(custom, {"beta": 1.0}, learn={"beta": "unit"})
    assert _shared_groups(learned, 32) == [(0, 1), (1, 2), (2, 3)]
    assert _shared_groups(seeds(softmax), 32) == [(0, 1), (1, 2), (2, 3)]
    assert _shared_groups(seeds(elu)[:1] + seeds(relu) + seeds(elu)[1:], 32) == [
        (0, 1),
        (1, 4),
        (4, 6),
    ]
    sin = get("SinActivation")  # a Keras layer (the tutorial's method 1)
    assert _shared_groups(seeds(sin), 32) == [(0, 1), (1, 2), (2, 3)]
