"""The expression compiler: hostile input is refused with a message and no side effect; valid
input computes what NumPy computes."""
import math
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activations.expression import ExpressionError, compile_expression, custom_activation

CANARY = "/tmp/activation_explorer_canary"
HOSTILE = [
    "__import__('os').system('touch /tmp/activation_explorer_canary')",
    "__import__('os')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.__class__.__mro__",
    "tf.__dict__",
    "tf.io.write_file('/tmp/activation_explorer_canary', 'x')",
    "tf.io.gfile.GFile('/tmp/activation_explorer_canary', 'w')",
    "np.save('/tmp/activation_explorer_canary', x)",
    "tf.py_function(print, [x], tf.float32)",
    "open('/tmp/activation_explorer_canary', 'w')",
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
    before = _imported()
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert info.value.message and len(info.value.message) < 800
    assert not __import__("os").path.exists(CANARY)
    assert _imported() - before == set()


def test_the_corpus_is_large_enough():
    assert len(set(HOSTILE)) >= 40


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
    "abs(x) + np.exp(-x**2)": lambda x: np.abs(x) + np.exp(-x**2),
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
    np.testing.assert_allclose(compiled(x, beta=2.0, gamma=0.5), x / (1 + np.exp(-2 * x)) + 0.5, rtol=1e-6)
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

_atoms = st.sampled_from(["x", "1", "2.5", "beta", "pi", "e", "1e9", "0", "-x", "tf", "np", "__class__", "'s'", "[]"])
_funcs = st.sampled_from(["sin", "tf.math.exp", "np.tanh", "where", "maximum", "foo", "tf.io.read_file", "getattr", "clip"])
_ops = st.sampled_from([" + ", " - ", " * ", " / ", " ** ", " < ", " == ", " and ", " // ", " % ", " << ", ".", ", ", " if ", " else "])


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
