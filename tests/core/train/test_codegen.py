"""Generated Keras code runs as-is in a plain Python process."""

import json
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from activations import get
from activations.expression import custom_activation
from core.train import codegen


def test_usage_string_only_for_plain_builtins():
    assert codegen.usage_string(get("relu")) == 'keras.layers.Dense(64, activation="relu")'
    assert codegen.usage_string(get("relu"), {"negative_slope": 0.1}) is None
    assert codegen.usage_string(get("scaled_tanh")) is None


def test_module_has_both_tutorial_forms():
    src = codegen.keras_module(get("elu"), {"alpha": 0.5})
    assert "def elu(x, alpha=0.5):" in src
    assert "class EluActivation(keras.layers.Layer):" in src
    assert "def get_config(self):" in src and "register_keras_serializable" in src


@pytest.mark.slow
def test_generated_modules_run_in_plain_python(tmp_path):
    cases = [
        ("relu", {"negative_slope": 0.1, "max_value": 6.0, "threshold": 0.0}),
        ("SinActivation", {}),
        ("scaled_tanh", {}),
        ("elu_like", {}),
        ("gelu", {"approximate": True}),
        ("softmax", {}),
    ]
    paths = []
    for name, params in cases:
        path = tmp_path / f"gen_{name}.py"
        path.write_text(codegen.keras_module(get(name), params))
        paths.append(str(path))
    runner = textwrap.dedent("""
        import runpy, sys
        for p in sys.argv[1:]:
            runpy.run_path(p, run_name="__main__")
    """)
    done = subprocess.run(
        [sys.executable, "-c", runner, *paths],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count(" loss ") == 2 * len(cases)


@pytest.mark.slow
def test_generated_code_for_session_customs_computes_the_same_values(tmp_path):
    customs = [
        custom_activation("swish_beta", "x * tf.sigmoid(beta * x)", {"beta": (1.7, 0.0, 4.0)}),
        custom_activation("elu_typed", "tf.where(x > 0, x, tf.exp(x) - 1)"),
        custom_activation("gate", "(x > 0) * x + (-1 < x < 1) * 0.5 + (x if x < -2 else 0)"),
        # bspline has no TensorFlow spelling: the module must carry its definition.
        custom_activation(
            "kan3",
            "wb*silu(x) + ws*bspline(x, -2, 2, c0, c1, c2, c3, c4, c5)",
            {f"c{i}": (v, -3.0, 3.0) for i, v in enumerate((0.5, -1.0, 0.3, 2.0, -0.7, 0.1))},
        ),
    ]
    x = np.linspace(-4, 4, 41).astype("float32")
    runner = textwrap.dedent("""
        import json, runpy, sys
        import numpy as np
        out = {}
        for path, fname, cname in zip(sys.argv[1::3], sys.argv[2::3], sys.argv[3::3]):
            ns = runpy.run_path(path, run_name="__main__")
            x = np.linspace(-4, 4, 41).astype("float32")
            out[fname] = [np.asarray(ns[fname](x)).tolist(), np.asarray(ns[cname]()(x)).tolist()]
        print("JSON" + json.dumps(out))
    """)
    args = []
    for act in customs:
        path = tmp_path / f"{act.name}.py"
        source = codegen.keras_module(act, act.defaults())
        path.write_text(source)
        fname = codegen._snake(act.name)
        cname = source.split("class ")[1].split("(")[0]
        args += [str(path), fname, cname]
    done = subprocess.run(
        [sys.executable, "-c", runner, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.split("JSON", 1)[1])
    for act in customs:
        expected = np.asarray(act.curve(x), dtype=np.float64)
        as_function, as_layer = out[codegen._snake(act.name)]
        np.testing.assert_allclose(as_function, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(as_layer, expected, rtol=1e-5, atol=1e-6)


LEARNED_RUNNER = textwrap.dedent("""
    import runpy, sys
    import keras
    import numpy as np
    ns = runpy.run_path(sys.argv[1], run_name="__main__")
    layer = ns[sys.argv[2]]()
    x = np.random.default_rng(0).random((256, 10)).astype("float32")
    y = np.random.default_rng(1).random((256, 1)).astype("float32")
    dense = keras.layers.Dense
    model = keras.Sequential([keras.Input((10,)), dense(8), layer, dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=3, verbose=0)
    learned = np.asarray(layer.weights[0])
    model.save(sys.argv[3])
    del ns  # plain Keras reloads it through the registered class of the generated module
    loaded = keras.saving.load_model(sys.argv[3])
    again = np.asarray(loaded.layers[1].weights[0])
    print("SHAPE", learned.shape, "MOVED", float(np.abs(learned - float(sys.argv[4])).max()))
    print("SAME", bool(np.array_equal(learned, again)))
""")


@pytest.mark.slow
@pytest.mark.parametrize(
    "act, params, learn, shape",
    [
        (
            custom_activation("swish_beta", "x * tf.sigmoid(beta * x)", {"beta": (1.0, 0.0, 4.0)}),
            {"beta": 1.0},
            {"beta": "unit"},
            "(8,)",
        ),
        (get("leaky_relu"), {"negative_slope": 0.25}, {"negative_slope": "layer"}, "()"),
    ],
)
def test_generated_learned_layer_trains_its_parameter_and_reloads(
    tmp_path, act, params, learn, shape
):
    # Fails if the generated Layer does not make its parameter a weight (it would not move), has
    # the wrong shape for the granularity, or a .keras file loses the learned value.
    path = tmp_path / "gen.py"
    source = codegen.keras_module(act, params, learn=learn)
    assert "self.add_weight(" in source and "def get_config(self):" in source
    path.write_text(source)
    cname = re.search(r"^class (\w+)", source, re.MULTILINE).group(1)
    start = str(next(iter(params.values())))
    done = subprocess.run(
        [sys.executable, "-c", LEARNED_RUNNER, str(path), cname, str(tmp_path / "m.keras"), start],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = done.stdout.split("SHAPE ", 1)[1].splitlines()[0]
    assert line.startswith(shape + " MOVED") and float(line.split()[-1]) > 1e-3, done.stdout
    assert "SAME True" in done.stdout
