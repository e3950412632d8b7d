"""The catalogue: discovered from keras.activations, one get(), tutorial customs registered."""

import keras
import numpy as np
import pytest
from keras.src import activations as keras_activations

from activations import Activation, Catalogue, get, shared_catalogue
from activations.user_files import load_user_files

CATALOGUE = shared_catalogue()
# Written out by hand, not derived the way discovery derives them: a discovery that drops real
# activations (or lets Keras's tools in) fails here.
WELL_KNOWN = [
    "relu", "sigmoid", "tanh", "gelu", "silu", "elu", "selu", "softplus", "softsign",
    "leaky_relu", "mish", "exponential", "linear", "hard_sigmoid", "softmax",
]  # fmt: skip
KERAS_TOOLS = ["get", "serialize", "deserialize"]


@pytest.mark.parametrize("name", WELL_KNOWN)
def test_well_known_keras_activations_are_discovered(name):
    act = CATALOGUE.get(name)
    assert act.source == "keras" and act.fn is getattr(keras.activations, name)


@pytest.mark.parametrize("name", KERAS_TOOLS)
def test_keras_tools_are_not_activations(name):
    assert name not in CATALOGUE


def test_aliases_resolve_to_their_canonical_function():
    assert get("swish").name == "silu"
    assert get("hard_swish").name == "hard_silu"
    assert "silu" in CATALOGUE.names() and "swish" not in CATALOGUE.names()


# Every identifier Keras's own `keras.activations.get` accepts, aliases included, read from
# Keras rather than typed: an alias a new Keras adds is checked without editing this file.
KERAS_IDENTIFIERS = sorted(keras_activations.ALL_OBJECTS_DICT)


@pytest.mark.parametrize("identifier", KERAS_IDENTIFIERS)
def test_get_resolves_every_identifier_keras_resolves_to_the_same_function(identifier):
    """Catches an alias (swish, hard_swish) that Keras resolves and the catalogue does not, or
    resolves to another function."""
    assert get(identifier).fn is keras.activations.get(identifier)


def test_a_keras_alias_is_not_free_for_a_custom():
    """Catches a session custom named `swish`: get("swish") would then return the custom in
    that session while Keras's swish is silu."""
    own = Activation(name="swish", fn=lambda x: x, source="session")
    with pytest.raises(ValueError, match="already a keras activation"):
        CATALOGUE.with_customs([own])
    assert CATALOGUE.shared_entry("swish").name == "silu"
    assert CATALOGUE.shared_entry("no_such_one") is None


def test_free_name_skips_entries_aliases_and_customs_and_keeps_the_length_limit():
    """Catches a suggested name that is itself taken (an alias, a custom already added) or too
    long for the Custom page to accept."""
    assert CATALOGUE.free_name("my_act") == "my_act"
    assert CATALOGUE.free_name("elu_like") == "elu_like_2"
    assert CATALOGUE.free_name("swish") == "swish_2"
    taken = CATALOGUE.with_customs([Activation(name="elu_like_2", fn=abs, source="session")])
    assert taken.free_name("elu_like") == "elu_like_3"
    long = CATALOGUE.with_customs([Activation(name="a" * 40, fn=abs, source="session")])
    assert long.free_name("a" * 40, max_length=40) == "a" * 38 + "_2"


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_get_round_trip(name):
    act = get(name)
    assert act.name == name
    assert get(act) is act


def test_unknown_name_is_named_in_the_error_with_suggestions():
    with pytest.raises(ValueError, match=r"'rleu'.*relu"):
        get("rleu")
    with pytest.raises(ValueError, match="identifier"):
        get(42)


def test_tutorial_customs_present_with_the_tutorial_forms():
    sin = get("SinActivation")
    assert sin.layer is not None and issubclass(sin.layer, keras.layers.Layer)
    assert get("scaled_tanh").layer is None
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(
        get("elu_like").curve(x), np.where(x > 0, x, np.exp(x) - 1), rtol=1e-6
    )


def test_parametric_builtins_expose_their_parameters():
    assert [p.name for p in get("relu").params] == ["negative_slope", "max_value", "threshold"]
    assert get("gelu").params[0].kind == "bool"
    threshold = {p.name: p for p in get("threshold").params}
    assert threshold["threshold"].required and threshold["default_value"].required
    with pytest.raises(ValueError, match="no parameter 'beta'"):
        get("elu").resolve({"beta": 1.0})


def test_vector_activations_are_marked_and_explained():
    vector = {a.name for a in CATALOGUE.all() if not a.elementwise}
    assert vector == {"softmax", "log_softmax", "sparsemax", "glu"}
    assert all(get(n).view for n in vector)


def test_every_builtin_has_a_formula():
    assert [
        a.name for a in CATALOGUE.all() if a.source in ("keras", "tutorial") and not a.formula
    ] == []


def test_session_customs_stay_in_their_catalogue():
    mine = Activation(name="mine", fn=lambda x: x * 3, source="user file")
    with_mine = CATALOGUE.with_customs([mine])
    assert "mine" in with_mine and "mine" not in CATALOGUE and "mine" not in shared_catalogue()
    assert with_mine.get("mine").source == "session"  # so the UI never caches it as shared
    assert with_mine.names()[-1] == "mine" and with_mine.load_errors == CATALOGUE.load_errors
    replaced = with_mine.with_customs([Activation(name="mine", fn=lambda x: x, source="session")])
    assert len(replaced.customs) == 1 and replaced.get("mine").fn(2.0) == 2.0
    with pytest.raises(ValueError, match="already"):
        CATALOGUE.with_customs([Activation(name="relu", fn=lambda x: x, source="session")])


def test_user_files_load_and_broken_ones_are_reported(tmp_path):
    (tmp_path / "good.py").write_text(
        "import keras, tensorflow as tf\n"
        "def cube(x):\n    '''x cubed.'''\n    return x ** 3\n"
        "class Halver(keras.layers.Layer):\n"
        "    def call(self, inputs):\n        return inputs / 2\n"
    )
    (tmp_path / "broken.py").write_text("raise RuntimeError('nope')\n")
    found, errors = load_user_files(tmp_path)
    assert {a.name for a in found} == {"cube", "Halver"}
    assert all(a.source == "user file" and a.origin == "good.py" for a in found)
    assert len(errors) == 1 and "broken.py" in errors[0] and "nope" in errors[0]
    assert Catalogue(shared={a.name: a for a in found}).get("Halver").layer is not None


def test_a_user_file_that_branches_on_a_tensor_in_python_is_refused_when_loaded(tmp_path):
    # Fails if such a function loads and then breaks a run mid-way: training traces every
    # activation without AutoGraph, where `if tf.reduce_any(x > 0):` cannot be a Python bool.
    (tmp_path / "branchy.py").write_text(
        "import tensorflow as tf\n\n"
        "def branchy(x):\n    if tf.reduce_any(x > 0):\n        return x\n    return -x\n"
    )
    found, errors = load_user_files(tmp_path)
    assert found == [] and len(errors) == 1 and "branchy.py: branchy" in errors[0]


def test_the_shipped_example_user_file_is_in_the_catalogue():
    act = get("bent_identity")
    assert act.source == "user file"
    np.testing.assert_allclose(
        act.curve(np.array([0.0, 2.0])), [0.0, 2.0 + (np.sqrt(5) - 1) / 2], rtol=1e-6
    )
