"""Generated Keras code runs as-is in a plain Python process."""
import subprocess
import sys
import textwrap

import pytest

from activations import get
from core import codegen


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
    cases = [("relu", {"negative_slope": 0.1, "max_value": 6.0, "threshold": 0.0}), ("SinActivation", {}),
             ("scaled_tanh", {}), ("elu_like", {}), ("gelu", {"approximate": True}), ("softmax", {})]
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
    done = subprocess.run([sys.executable, "-c", runner, *paths], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count(" loss ") == 2 * len(cases)
