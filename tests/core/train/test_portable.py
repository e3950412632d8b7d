"""A downloaded `.keras` network loads in a Python that has Keras and nothing of this project: a
built-in's alone, any other with the one generated file offered beside it, and it predicts what
the app's network predicts."""

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import core
from activations import get, shared_catalogue
from activations.expression import custom_activation
from core.train import codegen, datasets, portable
from core.train.network.models import CatalogueActivation, plain_model
from core.train.settings import TrainConfig
from core.train.training import Training

PROJECT_ROOT = Path(core.__file__).resolve().parent.parent

# The run that is exported: the tutorial's regression data, a built-in at its defaults and one
# with an explicit parameter (Keras's own layers), the tutorial's ELU-like function and its
# method-1 layer, a typed expression learning a parameter per unit, a learned leaky_relu slope
# (Keras's PReLU), and a built-in whose parameter no Keras layer takes (gelu's approximate).
ELU_LIKE = "tf.where(x > 0, x, tf.exp(x) - 1)"
SWISH_B = "x * tf.sigmoid(b * x)"
CONFIG = TrainConfig(
    activations=("relu", "elu", "elu_like", "SinActivation", "swish_b", "leaky_relu", "gelu"),
    activation_params=(("elu", (("alpha", 0.5),)), ("gelu", (("approximate", True),))),
    learnable=(("swish_b", (("b", "unit"),)), ("leaky_relu", (("negative_slope", "unit"),))),
    dataset="random",
    epochs=2,
    width=16,
    depth=2,
    batch_size=64,
    learning_rates=(0.01,),
)
# How each network must load in a fresh Python: True means with the generated file.
NEEDS_FILE = {
    "relu": False,
    "elu": False,
    "leaky_relu": False,
    "elu_like": True,
    "SinActivation": True,
    "swish_b": True,
    "gelu": True,
}


@pytest.fixture(scope="module")
def run():
    data = datasets.random_regression(samples=1000)
    catalogue = shared_catalogue().with_customs(
        [custom_activation("swish_b", SWISH_B, {"b": (1.5, 0.0, 3.0)})]
    )
    training = Training(CONFIG, data, catalogue)
    training.run()
    # Pre-activations on both sides of zero: validation rows and wide random rows.
    wide = np.random.default_rng(7).normal(0.0, 3.0, (64, 10)).astype(np.float32)
    x = np.concatenate([data.x_val, wide])
    return training, x


def _downloads(training, folder):
    """Each network's files as the Train page's download buttons make them."""
    cases = []
    for name in CONFIG.activations:
        branch = training.branch(name)
        model_file = f"random-{name}-seed0.keras"
        (folder / model_file).write_bytes(portable.keras_file(training.keras_model(name)))
        objects = portable.custom_objects_file(branch.act, branch.params, branch.learn, model_file)
        module = None
        if objects is not None:
            module = codegen.objects_module_name(branch.act)
            (folder / f"{module}.py").write_text(objects)
        cases.append({"name": name, "model": model_file, "objects": module})
    return cases


# Run with `python -I` (no PYTHONPATH, no user site, not even the script's folder on sys.path)
# in a folder holding only the downloads and the inputs. It puts that folder on sys.path, as
# `python` started there would, then records whether the project's packages can be imported.
FRESH_PYTHON = textwrap.dedent("""
    import importlib, json, os, sys
    sys.path.insert(0, os.getcwd())
    project = {}
    for package in ("core", "activations"):
        try:
            importlib.import_module(package)
            project[package] = "imported"
        except ModuleNotFoundError as exc:
            project[package] = f"ModuleNotFoundError: {exc.name}"
    print("PROJECT", json.dumps(project))
    print("PATH", json.dumps(sys.path))
    import keras
    import numpy as np
    x = np.load("x.npy")
    for case in json.loads(sys.argv[1]):
        objects = importlib.import_module(case["objects"]).custom_objects if case["objects"] else {}
        model = keras.saving.load_model(case["model"], custom_objects=objects)
        np.save(case["model"] + ".npy", np.asarray(model(x)))
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("core", "activations"))
    print("PROJECT_MODULES", json.dumps(loaded))
""")


def _load_where_the_project_is_out_of_reach(folder: Path, cases: list[dict]) -> None:
    """Run FRESH_PYTHON in `folder` on `cases` (each model's output saved beside it) and check
    that the project was out of reach there."""
    # The environment carries the app's TensorFlow settings (TF_ENABLE_ONEDNN_OPTS, set by
    # core/__init__.py), so both sides run the same kernels; `-I` ignores its PYTHON* variables.
    done = subprocess.run(
        [sys.executable, "-I", "-c", FRESH_PYTHON, json.dumps(cases)],
        cwd=folder,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    # The proof that the project was out of reach: importing it failed, on the very sys.path
    # the models were loaded with (the project's folder is not on it), and nothing of it ran.
    assert json.loads(lines["PROJECT"]) == {
        "core": "ModuleNotFoundError: core",
        "activations": "ModuleNotFoundError: activations",
    }
    assert str(PROJECT_ROOT) not in json.loads(lines["PATH"])
    assert json.loads(lines["PROJECT_MODULES"]) == []


@pytest.mark.slow
def test_downloads_load_and_predict_like_the_app_in_a_python_without_the_project(run, tmp_path):
    # Fails if a built-in's network still names the app's activation layer (plain Keras raises
    # TypeError: the issue), if a custom's network needs anything but its generated file, or if
    # the loaded network computes anything else than the app's: a parameter, a learned value,
    # a different formula in the generated code, weights copied into the wrong layer.
    training, x = run
    folder = tmp_path / "downloads"
    folder.mkdir()
    cases = _downloads(training, folder)
    assert {c["name"]: c["objects"] is not None for c in cases} == NEEDS_FILE
    np.save(folder / "x.npy", x)
    _load_where_the_project_is_out_of_reach(folder, cases)
    for index, case in enumerate(cases):
        loaded = np.load(folder / (case["model"] + ".npy"))
        in_app = np.asarray(training.keras_model(case["name"])(x))
        # Exact: the loaded network runs the same TensorFlow ops on the same float32 weights as
        # the app's (Keras's own layer calls the keras.activations function the app calls; the
        # generated function is the app's own code for it: the safe compiler's source of the
        # expression, the tutorial's text, BUILTIN_FORMS for a learned parameter), in the same
        # TensorFlow build with the same kernels, so every bit agrees.
        np.testing.assert_array_equal(loaded, in_app, err_msg=case["name"])
        # What trained (all networks fused in one computation) sums its matmuls in another
        # order: equal to float32 rounding, as tests/charts/test_exports.py holds it.
        fused = np.asarray(training.engine.net(tf.constant(x))[index])
        np.testing.assert_allclose(loaded, fused, rtol=1e-5, atol=1e-5, err_msg=case["name"])


def test_learned_values_reach_the_download(run):
    # Fails if the exported layer holds the starting value of a learned parameter instead of
    # what it learned (the exact comparison above would then only compare starts).
    training, _ = run
    for name, start in (("swish_b", 1.5), ("leaky_relu", 0.2)):
        model = portable.portable_model(training.keras_model(name))
        learned = np.concatenate([np.ravel(layer.get_weights()) for layer in model.layers[1:4:2]])
        assert learned.size == 2 * CONFIG.width and np.abs(learned - start).max() > 1e-3, name


def _saved_modules(model: keras.Model) -> set[str]:
    """The module of every layer and nested object the `.keras` file names."""
    buffer = io.BytesIO(portable.keras_file(model))
    config = json.loads(zipfile.ZipFile(buffer).read("config.json"))
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if "module" in node and "class_name" in node:
                found.add(node["module"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return found


def _assign_weights(model: keras.Model, start: float = 0.3) -> None:
    rng = np.random.default_rng(1)
    for layer in model.layers:
        for weight in layer.weights:
            values = rng.normal(0.0, 0.5, weight.shape) if len(weight.shape) else start
            weight.assign(np.asarray(values, np.float32))


BUILTINS = [a.name for a in shared_catalogue().all() if a.source == "keras"]


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_exports_as_keras_own_layer_that_computes_the_same(name):
    # Fails if a built-in at its catalogue defaults is exported with anything but Keras's own
    # objects (plain Keras could not load it alone), or if Keras's layer computes other bits
    # than the app's call of the same function (a default that differs, a parameter dropped).
    # Two go with the generated file: `threshold` has no defaults in Keras, so Keras's
    # Activation layer cannot call it, and `glu` halves its input, which Activation says it
    # does not (a Dense after it would be built for the wrong width).
    act = get(name)
    model = plain_model(act, None, 0, (10,), 3, depth=2, width=16)
    _assign_weights(model)
    x = np.random.default_rng(2).normal(0.0, 3.0, (128, 10)).astype(np.float32)
    if name in ("threshold", "glu"):
        assert portable.custom_objects_file(act, act.defaults()) is not None
        exported = portable.portable_model(model)
        np.testing.assert_array_equal(np.asarray(exported(x)), np.asarray(model(x)))
        return
    assert portable.custom_objects_file(act, act.defaults()) is None
    exported = portable.portable_model(model)
    assert not any(isinstance(layer, CatalogueActivation) for layer in exported.layers)
    assert all(module.startswith("keras") for module in _saved_modules(model))
    np.testing.assert_array_equal(np.asarray(exported(x)), np.asarray(model(x)))


@pytest.mark.parametrize(
    "name, params, learn, kind, keras_class",
    [
        ("relu", {"negative_slope": 0.1, "max_value": 6.0, "threshold": 0.5}, {}, "mlp", "ReLU"),
        ("leaky_relu", {"negative_slope": 0.05}, {}, "mlp", "LeakyReLU"),
        ("elu", {"alpha": 0.5}, {}, "cnn", "ELU"),
        ("leaky_relu", {}, {"negative_slope": "unit"}, "cnn", "PReLU"),
        ("leaky_relu", {}, {"negative_slope": "layer"}, "cnn", "PReLU"),
        ("leaky_relu", {}, {"negative_slope": "layer"}, "mlp", "PReLU"),
        ("leaky_relu", {"negative_slope": -0.1}, {}, "mlp", None),  # LeakyReLU refuses < 0
        ("relu", {}, {"threshold": "layer"}, "mlp", None),  # no Keras layer learns a threshold
        ("gelu", {"approximate": True}, {}, "mlp", None),
    ],
)
def test_parameters_go_to_keras_layers_that_take_them_or_to_the_file(
    name, params, learn, kind, keras_class, tmp_path
):
    # Fails if a parameter is lost on the way into a Keras layer (ELU keeps alpha only through
    # Keras's own auto-config), if a learned slope gets PReLU's shape wrong for the layer or the
    # granularity (a CNN shares it over positions), or if a value Keras's layer refuses breaks
    # the export instead of going with the generated file.
    act = get(name)
    shape = (12, 12, 1) if kind == "cnn" else (10,)
    model = plain_model(act, params, 0, shape, 3, kind=kind, depth=1, width=16, learn=learn)
    _assign_weights(model)
    exported = portable.portable_model(model)
    x = np.random.default_rng(2).normal(0.0, 3.0, (16, *shape)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(exported(x)), np.asarray(model(x)))
    classes = {type(layer).__name__ for layer in exported.layers}
    if keras_class is None:
        assert portable.custom_objects_file(act, params, learn) is not None
        assert codegen.layer_class_name(act) in classes
        return
    assert keras_class in classes and portable.custom_objects_file(act, params, learn) is None
    path = tmp_path / "m.keras"
    path.write_bytes(portable.keras_file(model))
    assert all(module.startswith("keras") for module in _saved_modules(model))
    reloaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(np.asarray(reloaded(x)), np.asarray(model(x)))


# A user_activations file as a user writes one: a function with a parameter and a Layer
# subclass with a weight of its own (both kinds the folder's README, example.py, describes),
# after a `from __future__` line (which must open a module: the generated file moves it up).
USER_FILE = '''"""My activations."""
from __future__ import annotations

import keras
import tensorflow as tf


def soft_step(x, k=2.0):
    """x·σ(k·x), with a slope to set or learn."""
    return x * tf.sigmoid(k * x)


class ScaledTanh(keras.layers.Layer):
    """A tanh with a learned output scale."""

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, inputs):
        return self.scale * tf.tanh(inputs)
'''


@pytest.mark.slow
def test_a_user_files_network_loads_with_its_generated_file_alone(tmp_path, monkeypatch):
    # Fails if a network of an activation from the user's own user_activations file still
    # needs the project to load (the app's layer was saved, the page said "loads where this
    # project can be imported"), if the generated file does not carry the user's code, or if
    # what loads computes anything else: a parameter or the user layer's own weight lost on the
    # way. (A user file's parameters are set, not learned: only typed expressions and
    # built-ins learn theirs, activations/learnable.py.)
    from activations.user_files import load_user_files
    from core.train.network import models

    folder = tmp_path / "user_activations"
    folder.mkdir()
    (folder / "mine.py").write_text(USER_FILE)
    found, errors = load_user_files(folder)
    assert errors == [] and {a.name for a in found} == {"soft_step", "ScaledTanh"}
    # Edited after the import (and so after any training): the download carries the code the
    # app ran, not the file's text now.
    (folder / "mine.py").write_text("# rewritten since\n")
    mine = {a.name: a for a in found}
    catalogue = shared_catalogue()
    # The app's layer finds an activation by name in the shared catalogue, which reads the
    # project's own user_activations folder: here it reads this one too.
    monkeypatch.setattr(models, "get", lambda n: mine[n] if n in mine else catalogue.get(n))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    x = np.random.default_rng(3).normal(0.0, 2.0, (64, 10)).astype(np.float32)
    np.save(downloads / "x.npy", x)
    cases, expected = [], {}
    for tag, name, params, learn in (
        ("fixed", "soft_step", {"k": 0.7}, {}),
        ("layer", "ScaledTanh", {}, {}),
    ):
        model = plain_model(mine[name], params, 0, (10,), 3, depth=2, width=16, learn=learn)
        _assign_weights(model, start=0.3)  # the user layer's scale: not its start of 1
        model_file = f"{tag}.keras"
        (downloads / model_file).write_bytes(portable.keras_file(model))
        objects = portable.custom_objects_file(mine[name], params, learn, model_file)
        assert objects is not None and "def soft_step(x, k=2.0):" in objects
        module = f"{tag}_{codegen.objects_module_name(mine[name])}"
        (downloads / f"{module}.py").write_text(objects)
        cases.append({"name": name, "model": model_file, "objects": module})
        expected[model_file] = np.asarray(model(x))
    _load_where_the_project_is_out_of_reach(downloads, cases)
    for model_file, in_app in expected.items():
        # Exact: the same TensorFlow ops (the user's own function or layer, run from the same
        # text) on the same float32 weights in the same build.
        np.testing.assert_array_equal(np.load(downloads / f"{model_file}.npy"), in_app)
