"""Every learnable built-in's TensorFlow form computes what Keras's own function computes."""

import keras
import numpy as np
import pytest

from activations import get
from activations.learnable import BUILTIN_FORMS, learnable_names

X = np.concatenate([np.linspace(-6, 6, 241), [-1e-4, 0.0, 1e-4, 50.0, -50.0]]).astype("float32")


def _settings(name):
    """The defaults, then each learnable parameter at its range's ends and middle."""
    act = get(name)
    yield act.resolve()
    for p in (p for p in act.params if p.name in BUILTIN_FORMS[name][1]):
        for value in (p.low, (p.low + p.high) / 2, p.high):
            if name in ("celu",) and value == 0:
                continue  # celu divides by alpha
            yield act.resolve({p.name: value})


@pytest.mark.parametrize("name", sorted(BUILTIN_FORMS))
def test_the_learnable_form_equals_keras(name):
    # Fails if a form drifts from Keras's definition: a learned run would then start from
    # another function than the one the user picked.
    form = BUILTIN_FORMS[name][0]
    keras_fn = getattr(keras.activations, name)
    for params in _settings(name):
        np.testing.assert_allclose(
            np.asarray(form(X, **params)),
            np.asarray(keras_fn(X, **params)),
            rtol=1e-6,
            atol=1e-6,
            err_msg=f"{name} {params}",
        )
    assert set(learnable_names(get(name))) <= {p.name for p in get(name).params}
