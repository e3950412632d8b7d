"""The expression compiler: hostile input is refused with a message and no side effect; valid
input computes what NumPy computes."""

import math
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from activations.expression import ExpressionError, compile_expression, custom_activation

# Stands for a file in the test's tmp_path: an expression that could write it would.
CANARY = "CANARY_PATH"
HOSTILE = [
    "__import__('os').system('touch CANARY_PATH')",
    "__import__('os')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.__class__.__mro__",
    "tf.__dict__",
    "tf.io.write_file('CANARY_PATH', 'x')",
    "tf.io.gfile.GFile('CANARY_PATH', 'w')",
    "np.save('CANARY_PATH', x)",
    "tf.py_function(print, [x], tf.float32)",
    "open('CANARY_PATH', 'w')",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'f', 'eval')",
    "getattr(x, '__class__')",
    "globals()",
    "locals()['x']",
    "vars()",
    "breakpoint()",
    "lambda: x",
    "(lambda y: y)(x)",
    "[x for x in range(10)]",
    "{x: 1 for x in range(3)}",
    "(y for y in [x])",
    "(y := x)",
    "f'{x}'",
    "f'{x.__class__}'",
    "'{0.__class__}'.format(x)",
    "'%s' % x",
    "x[0]",
    "x[::-1]",
    "[x, x]",
    "(x, x)",
    "{'a': x}",
    "{x}",
    "*x",
    "x if True else x",
    "9**9**9",
    "1<<10**7",
    "10**400",
    "1e400 * x",
    "x * 99999999999999999999999999999999",
    "2**1000 * x",
    "(" * 10000 + "x" + ")" * 10000,
    "-" * 1000 + "x",
    "x + " * 200 + "x",
    "ｅｘｐ(x)",  # fullwidth look-alike: NFKC would fold it into exp
    "𝐱 * 2",  # mathematical bold x
    "x ∗ 2",
    "x\n+ 1",
    "x; import os",
    "import os",
    "x @ x",
    "x // 2",
    "x % 2",
    "x | 1",
    "~x",
    "x is x",
    "x in [1]",
    "sin",
    "sin(x, x, x)",
    "tf.nn.leaky_relu(x, name='a')",
    "tf.nn.leaky_relu(x, **{'alpha': 0.1})",
    "'abc'",
    "b'abc' * x",
    "x * 1j",
    "None",
    "...",
    "await x",
    "tf.math.sin.__globals__",
    "keras.ops.relu.__code__",
    "np.random.rand(3)",
    "",
    "   ",
    "2 + 3",
    "_private * x",
    "__builtins__",
    "self * x",
]


def _imported():
    return set(sys.modules)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_refused_with_a_message_and_no_side_effect(text, tmp_path):
    canary = tmp_path / "canary"
    before = _imported()
    with pytest.raises(ExpressionError) as info:
        compile_expression(text.replace(CANARY, str(canary)))
    assert info.value.message and len(info.value.message) < 800
    assert not canary.exists()
    assert _imported() - before == set()


def test_errors_point_at_the_column():
    error = pytest.raises(ExpressionError, compile_expression, "x + foo.bar(x)").value
    assert error.column == 5 and "foo.bar" in error.message
    assert pytest.raises(ExpressionError, compile_expression, "x +").value.column is not None


REFERENCE = {
    "tf.math.sin(x)": np.sin,
    "tf.math.tanh(x) * 2": lambda x: 2 * np.tanh(x),
    "tf.where(x > 0, x, tf.exp(x) - 1)": lambda x: np.where(x > 0, x, np.expm1(x)),
    "sin(x)": np.sin,
    "maximum(0.1*x, x)": lambda x: np.maximum(0.1 * x, x),
    "x**2": lambda x: x**2,
    "(x > 0) * x": lambda x: (x > 0) * x,
    "x if x > 0 else 0.5 * x": lambda x: np.where(x > 0, x, 0.5 * x),
    "-1 < x < 1": lambda x: ((x > -1) & (x < 1)).astype(float),
    "x > 0 and x < 2": lambda x: ((x > 0) & (x < 2)).astype(float),
    "not x > 0": lambda x: (~(x > 0)).astype(float),
    "abs(x) + np.exp(-x**2)": lambda x: np.abs(x) + np.exp(-(x**2)),
    "log(1 + exp(x))": lambda x: np.log1p(np.exp(x)),
    "tf.nn.softplus(x) - keras.ops.softplus(x) + softplus(x)": lambda x: np.logaddexp(0, x),
    "erf(x / sqrt(2))": lambda x: np.vectorize(math.erf)(x / np.sqrt(2)),
    "pi * x + e": lambda x: np.pi * x + np.e,
    "np.pi * x": lambda x: np.pi * x,
    "tf.math.sigmoid(x) * x": lambda x: x / (1 + np.exp(-x)),
    "clip(x, -1, 1)": lambda x: np.clip(x, -1, 1),
    "tf.nn.leaky_relu(x, alpha=0.3)": lambda x: np.where(x > 0, x, 0.3 * x),
    "minimum(x, 0) + relu(x)": lambda x: x,
    "x / (1 + abs(x))": lambda x: x / (1 + np.abs(x)),
    "2": None,  # constant: refused below
}


@pytest.mark.parametrize("text", [t for t, ref in REFERENCE.items() if ref is not None])
def test_valid_expressions_match_numpy(text):
    x = np.linspace(-4, 4, 81) + 0.013
    got = np.asarray(compile_expression(text)(x), dtype=np.float64)
    np.testing.assert_allclose(got, REFERENCE[text](x), rtol=1e-6, atol=1e-7)
    assert got.shape == x.shape


def test_constant_is_refused_as_not_an_activation():
    with pytest.raises(ExpressionError, match="does not use x"):
        compile_expression("2")


def test_parameters_are_found_in_order_and_used():
    compiled = compile_expression("x * tf.sigmoid(beta * x) + gamma")
    assert compiled.params == ("beta", "gamma")
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(
        compiled(x, beta=2.0, gamma=0.5), x / (1 + np.exp(-2 * x)) + 0.5, rtol=1e-6
    )
    with pytest.raises(ExpressionError, match="missing"):
        compiled(x, beta=1.0)


def test_custom_activation_checks_name_and_ranges():
    act = custom_activation("swish_beta", "x * tf.sigmoid(beta * x)", {"beta": (1.5, 0.0, 4.0)})
    assert act.source == "session" and act.params[0].default == 1.5 and act.expression
    with pytest.raises(ExpressionError, match="name"):
        custom_activation("1bad name", "x")
    with pytest.raises(ExpressionError, match="range"):
        custom_activation("ok", "x * b", {"b": (1.0, 2.0, 1.0)})


# --- fuzzing: the compiler raises ExpressionError or nothing, whatever it is given ---------

_atoms = st.sampled_from(
    ["x", "1", "2.5", "beta", "pi", "e", "1e9", "0", "-x", "tf", "np", "__class__", "'s'", "[]"]
)
_funcs = st.sampled_from(
    [
        "sin",
        "tf.math.exp",
        "np.tanh",
        "where",
        "maximum",
        "foo",
        "tf.io.read_file",
        "getattr",
        "clip",
    ]
)
_ops = st.sampled_from(
    [
        " + ",
        " - ",
        " * ",
        " / ",
        " ** ",
        " < ",
        " == ",
        " and ",
        " // ",
        " % ",
        " << ",
        ".",
        ", ",
        " if ",
        " else ",
    ]
)


@st.composite
def _expressions(draw, depth=0):
    if depth > 4 or draw(st.booleans()):
        return draw(_atoms)
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(_expressions(depth + 1)) + draw(_ops) + draw(_expressions(depth + 1))
    if kind == 1:
        args = draw(st.lists(_expressions(depth + 1), min_size=0, max_size=3))
        return f"{draw(_funcs)}({', '.join(args)})"
    if kind == 2:
        return f"({draw(_expressions(depth + 1))})"
    return f"-{draw(_expressions(depth + 1))}"


def _only_expression_errors(text):
    try:
        compiled = compile_expression(text)
    except ExpressionError:
        return
    compiled(np.linspace(-2, 2, 5), **{p: 1.0 for p in compiled.params})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_expressions())
def test_fuzz_structured(text):
    _only_expression_errors(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_fuzz_any_text(text):
    try:
        compile_expression(text)
    except ExpressionError:
        pass


# --- generated code: the Python source codegen emits computes what the app computes ---------

_VALID_ATOMS = ["x", "x", "1", "2.5", "0.3", "0", "beta", "gamma", "pi", "-x"]
_VALID_CALLS = {
    1: ["sin", "tf.math.tanh", "exp", "tf.sigmoid", "softplus", "abs", "tf.nn.relu", "erf",
        "log1p", "sqrt", "square", "sign", "floor", "np.cos", "keras.ops.silu", "elu"],
    2: ["maximum", "minimum", "pow"],
    3: ["where", "clip"],
}  # fmt: skip
_VALID_OPS = [" + ", " - ", " * ", " / ", " ** ", " < ", " >= ", " == ", " and ", " or "]


@st.composite
def _valid_expressions(draw, depth=0):
    """Expressions built only from allowed parts; most compile, all that do must run."""
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(_VALID_ATOMS))
    inner = _valid_expressions(depth + 1)
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return f"({draw(inner)}{draw(st.sampled_from(_VALID_OPS))}{draw(inner)})"
    if kind == 1:
        arity = draw(st.sampled_from(sorted(_VALID_CALLS)))
        args = ", ".join(draw(inner) for _ in range(arity))
        return f"{draw(st.sampled_from(_VALID_CALLS[arity]))}({args})"
    if kind == 2:
        return f"({draw(inner)} if {draw(inner)} else {draw(inner)})"
    if kind == 3:
        keyword = draw(st.sampled_from(["leaky_relu(x, alpha=0.1)", "gelu(x, approximate=True)"]))
        return keyword.replace("(x", f"({draw(inner)}", 1)
    return f"(not {draw(inner)})"


def _run_generated(compiled, x, params):
    """`compiled.source` as generated Keras code uses it: the body of a function of x and the
    parameters, called on a float32 tensor. exec runs only the app's own generated code."""
    signature = "".join(f", {p}" for p in compiled.params)
    scope = {"tf": tf, "np": np, "keras": keras}
    exec(f"def activation(x{signature}):\n    return {compiled.source}\n", scope)
    out = scope["activation"](tf.constant(x), **params)
    return np.broadcast_to(np.asarray(out, dtype=np.float64), x.shape)


_X = np.array([-2.0, 0.0, 0.5, 3.0], dtype=np.float32)
_F32_POINT_3 = float(np.float32(0.3))  # a slider value just above 0.3 in float64, 0.3 in float32


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Parameters are Python floats in generated code: arithmetic between two of them must still be
# TensorFlow's float32 arithmetic, as in the app, not Python's (1 / 0 raises, (-1) ** 2.5 is
# complex, 0.3 < float32(0.3) and 1e-46 != 0 in float64).
@example(text="x + 1 / beta", x=_X, beta=0.0, gamma=0.0)
@example(text="x * beta ** 2.5", x=_X, beta=-1.0, gamma=0.0)
@example(text="where(beta > 0.3, x, -x)", x=_X, beta=_F32_POINT_3, gamma=0.0)
@example(text="where(beta, x, -x)", x=_X, beta=1e-46, gamma=0.0)  # 0 in float32
# clip's bounds may cross or be tensors: tf.clip_by_value refuses what min(max()) computes.
@example(text="clip(x, 2.5, 1)", x=_X, beta=0.0, gamma=0.0)
@example(text="clip(1, x, 2)", x=_X, beta=0.0, gamma=0.0)
@given(
    text=st.one_of(
        st.sampled_from([t for t, ref in REFERENCE.items() if ref]), _valid_expressions()
    ),
    x=st.lists(st.floats(-8, 8, width=32), min_size=1, max_size=16).map(
        lambda v: np.array(v, dtype=np.float32)
    ),
    beta=st.floats(-3, 3, width=32),
    gamma=st.floats(-3, 3, width=32),
)
def test_generated_source_computes_what_the_compiled_expression_computes(text, x, beta, gamma):
    try:
        compiled = compile_expression(text)
    except ExpressionError:
        return
    params = {"beta": beta, "gamma": gamma}
    params = {p: params[p] for p in compiled.params}
    expected = np.asarray(compiled(x, **params), dtype=np.float64)
    got = _run_generated(compiled, x, params)
    np.testing.assert_allclose(
        got, expected, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=compiled.source
    )
