"""A safe compiler from a user's activation expression in `x` to TensorFlow ops.

The text is parsed with `ast.parse(..., mode="eval")` and every node is checked against an
allow-list, then turned into a tree of Python closures over TensorFlow ops. Nothing the user
types is ever evaluated as Python: no eval/exec/compile, no attribute access beyond the
allowed module prefixes, no subscripts, no keywords but a few named ones.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import tensorflow as tf

from activations.activation import Activation, Param

MAX_LENGTH = 400
MAX_NODES = 200
MAX_DEPTH = 30
MAX_CONSTANT = 1e6
# 12: a rational activation of orders (6, 5) (core/study/shapes/rational.py); PAU uses (5, 4).
MAX_PARAMS = 12

# Spellings a TensorFlow/NumPy user types for the same allowed function.
PREFIXES = (
    "tf.math.",
    "tf.nn.",
    "tf.",
    "np.",
    "numpy.",
    "keras.ops.",
    "keras.activations.",
    "ops.",
    "math.",
)
RESERVED = {
    "x",
    "tf",
    "np",
    "numpy",
    "keras",
    "ops",
    "math",
    "self",
    "inputs",
    "kwargs",
    "super",
    "config",
}
CONSTANTS = {"pi": math.pi, "e": math.e}
PARAM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")


class ExpressionError(ValueError):
    """What is wrong with the expression and where (1-based column, when known)."""

    def __init__(self, message: str, column: int | None = None):
        self.message, self.column = message, column
        super().__init__(f"{message} (column {column})" if column else message)


@dataclass(frozen=True)
class Fn:
    """An allowed function: its arity, the TF op, and its spelling in generated code."""

    arity: tuple[int, int]  # min, max positional arguments
    op: Callable[..., Any]
    source: str
    keywords: tuple[str, ...] = ()


def _leaky_relu(x, alpha=0.2):
    return tf.nn.leaky_relu(x, alpha=alpha)


def _gelu(x, approximate=False):
    return tf.nn.gelu(x, approximate=bool(approximate))


def _clip(x, lo, hi):
    return tf.minimum(tf.maximum(x, lo), hi)


def bspline(x, lo, hi, *coefs):
    """Σ c_i B_i(x): KAN's cubic B-spline (Liu et al. 2024) on len(coefs) − 3 equal intervals of
    [lo, hi], its knots extended by three intervals each side, so it is 0 below lo − 3h and
    above hi + 3h (h = (hi − lo) / G). B_i is the cardinal cubic B-spline centred on knot i − 1
    of the grid, in closed form: 2/3 − r² + r³/2 for r < 1, (2 − r)³/6 for r < 2, else 0, with
    r = |u − (i − 1)| and u = (x − lo) / h. Generated code copies this function."""
    h = (hi - lo) / (len(coefs) - 3)
    u = (x - lo) / h
    out = tf.zeros_like(u)
    for i, c in enumerate(coefs):
        r = tf.abs(u - (i - 1))
        near = 2.0 / 3.0 - r**2 + r**3 / 2.0
        far = tf.where(r < 2.0, (2.0 - r) ** 3 / 6.0, tf.zeros_like(r))
        out = out + c * tf.where(r < 1.0, near, far)
    return out


# A spline of G intervals has G + 3 coefficients: from G = 1 to G = 50 (KAN's finest grid).
BSPLINE_COEFFICIENTS = (4, 53)

_F1 = (1, 1)
FUNCTIONS: dict[str, Fn] = {
    "sin": Fn(_F1, tf.math.sin, "tf.math.sin"),
    "cos": Fn(_F1, tf.math.cos, "tf.math.cos"),
    "tan": Fn(_F1, tf.math.tan, "tf.math.tan"),
    "asin": Fn(_F1, tf.math.asin, "tf.math.asin"),
    "acos": Fn(_F1, tf.math.acos, "tf.math.acos"),
    "atan": Fn(_F1, tf.math.atan, "tf.math.atan"),
    "sinh": Fn(_F1, tf.math.sinh, "tf.math.sinh"),
    "cosh": Fn(_F1, tf.math.cosh, "tf.math.cosh"),
    "tanh": Fn(_F1, tf.math.tanh, "tf.math.tanh"),
    "asinh": Fn(_F1, tf.math.asinh, "tf.math.asinh"),
    "atanh": Fn(_F1, tf.math.atanh, "tf.math.atanh"),
    "acosh": Fn(_F1, tf.math.acosh, "tf.math.acosh"),
    "exp": Fn(_F1, tf.math.exp, "tf.math.exp"),
    "expm1": Fn(_F1, tf.math.expm1, "tf.math.expm1"),
    "log": Fn(_F1, tf.math.log, "tf.math.log"),
    "log1p": Fn(_F1, tf.math.log1p, "tf.math.log1p"),
    "sqrt": Fn(_F1, tf.math.sqrt, "tf.math.sqrt"),
    "rsqrt": Fn(_F1, tf.math.rsqrt, "tf.math.rsqrt"),
    "square": Fn(_F1, tf.math.square, "tf.math.square"),
    "abs": Fn(_F1, tf.math.abs, "tf.math.abs"),
    "sign": Fn(_F1, tf.math.sign, "tf.math.sign"),
    "floor": Fn(_F1, tf.math.floor, "tf.math.floor"),
    "ceil": Fn(_F1, tf.math.ceil, "tf.math.ceil"),
    "round": Fn(_F1, tf.math.round, "tf.math.round"),
    "erf": Fn(_F1, tf.math.erf, "tf.math.erf"),
    "erfc": Fn(_F1, tf.math.erfc, "tf.math.erfc"),
    "sigmoid": Fn(_F1, tf.math.sigmoid, "tf.math.sigmoid"),
    "softplus": Fn(_F1, tf.math.softplus, "tf.math.softplus"),
    "softsign": Fn(_F1, tf.math.softsign, "tf.math.softsign"),
    "relu": Fn(_F1, tf.nn.relu, "tf.nn.relu"),
    "relu6": Fn(_F1, tf.nn.relu6, "tf.nn.relu6"),
    "elu": Fn(_F1, tf.nn.elu, "tf.nn.elu"),
    "selu": Fn(_F1, tf.nn.selu, "tf.nn.selu"),
    "silu": Fn(_F1, tf.nn.silu, "tf.nn.silu"),
    "swish": Fn(_F1, tf.nn.silu, "tf.nn.silu"),
    "gelu": Fn((1, 2), _gelu, "tf.nn.gelu", ("approximate",)),
    "leaky_relu": Fn((1, 2), _leaky_relu, "tf.nn.leaky_relu", ("alpha",)),
    "maximum": Fn((2, 2), tf.maximum, "tf.maximum"),
    "minimum": Fn((2, 2), tf.minimum, "tf.minimum"),
    "pow": Fn((2, 2), tf.pow, "tf.pow"),
    "where": Fn((3, 3), tf.where, "tf.where"),
    # where and clip are spelled in generated code by _Compiler, not as fn.source(args).
    "clip": Fn((3, 3), _clip, "tf.clip_by_value"),
    "clip_by_value": Fn((3, 3), _clip, "tf.clip_by_value"),
    "bspline": Fn((3 + BSPLINE_COEFFICIENTS[0], 3 + BSPLINE_COEFFICIENTS[1]), bspline, "bspline"),
}
ALIASES = {
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "absolute": "abs",
    "max": "maximum",
    "min": "minimum",
    "power": "pow",
}

_BINOPS = {
    ast.Add: ("+", tf.add),
    ast.Sub: ("-", tf.subtract),
    ast.Mult: ("*", tf.multiply),
    ast.Div: ("/", tf.math.truediv),
    ast.Pow: ("**", tf.pow),
}
_CMPOPS = {
    ast.Gt: (">", tf.greater),
    ast.GtE: (">=", tf.greater_equal),
    ast.Lt: ("<", tf.less),
    ast.LtE: ("<=", tf.less_equal),
    ast.Eq: ("==", tf.equal),
    ast.NotEq: ("!=", tf.not_equal),
}
_HINTS = {
    "−": "-",
    "×": "*",
    "·": "*",
    "÷": "/",
    "²": "**2",
    "³": "**3",
    "π": "pi",
    "≤": "<=",
    "≥": ">=",
}


@dataclass(frozen=True)
class _Node:
    """A checked sub-expression: builds its tensor from (x, params), prints itself for codegen."""

    build: Callable[[Any, dict], Any]
    source: str
    is_bool: bool = False
    constant: float | None = None  # folded value when the node is a pure number
    # Generated code spells it as a plain Python float (a number or a parameter), not a tensor.
    python_number: bool = False


def _constant_node(value: float) -> _Node:
    return _Node(lambda x, p: _as_number(value, x), repr(value), constant=value, python_number=True)


@dataclass(frozen=True)
class Compiled:
    text: str
    params: tuple[str, ...]
    source: str  # the same computation as Python over `tf`, for generated code
    _root: _Node

    def __call__(self, x, **params):
        missing = [p for p in self.params if p not in params]
        if missing:
            raise ExpressionError(f"missing value for parameter {missing[0]!r}")
        x = tf.convert_to_tensor(x)
        if not x.dtype.is_floating:
            x = tf.cast(x, tf.float32)
        out = _as_number(self._root.build(x, params), x)
        return tf.broadcast_to(out, tf.shape(x))


def _as_number(value, x):
    t = tf.convert_to_tensor(value)
    return tf.cast(t, x.dtype) if t.dtype != x.dtype else t


def _number_source(node: _Node) -> str:
    return f"tf.cast({node.source}, x.dtype)" if node.is_bool else node.source


def _operand_sources(a: _Node, b: _Node) -> tuple[str, str]:
    """Two operands of an operator as generated code spells them.

    Between two Python floats Python would compute, not TensorFlow: 1 / 0 raises, (-1) ** 0.5
    is complex, 0.3 < float32(0.3) holds in float64. Casting one to x's dtype makes it what the
    app computes.
    """
    a_source = _number_source(a)
    if a.python_number and b.python_number:
        a_source = f"tf.cast({a_source}, x.dtype)"
    return a_source, _number_source(b)


class _Compiler:
    def __init__(self, text: str):
        self.text = text
        self.params: list[str] = []
        self.nodes = 0

    def fail(self, message: str, node: ast.AST | None = None) -> NoReturn:
        col = getattr(node, "col_offset", None)
        raise ExpressionError(message, col + 1 if col is not None else None)

    def visit(self, node: ast.AST, depth: int = 0) -> _Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(
                f"the expression is too large (more than {MAX_NODES} parts); simplify it", node
            )
        if depth > MAX_DEPTH:
            self.fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node)
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            self.fail(f"{_describe(node)} is not allowed in an activation expression", node)
        return method(node, depth + 1)

    # --- leaves ---
    def visit_Constant(self, node, depth):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(
                f"only numbers are allowed as constants, not {type(value).__name__} {value!r:.20}",
                node,
            )
        if isinstance(value, int) and value.bit_length() > 64:
            column = node.col_offset + 1
            self.fail(f"the number at column {column} is too large (limit ±{MAX_CONSTANT:g})", node)
        value = float(value)
        if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
            self.fail(f"the number {value:g} is too large (limit ±{MAX_CONSTANT:g})", node)
        return _constant_node(value)

    def visit_Name(self, node, depth):
        name = node.id
        if name == "x":
            return _Node(lambda x, p: x, "x")
        if name in CONSTANTS:
            value = CONSTANTS[name]
            return _constant_node(value)
        if name in FUNCTIONS or name in ALIASES:
            self.fail(f"{name} is a function: call it, as in {name}(x)", node)
        if name in RESERVED or name.startswith("_") or not PARAM_NAME.match(name):
            self.fail(f"{name!r} cannot be used as a parameter name", node)
        if name not in self.params:
            if len(self.params) >= MAX_PARAMS:
                self.fail(f"at most {MAX_PARAMS} parameters are allowed", node)
            self.params.append(name)
        return _Node(lambda x, p, n=name: _as_number(p[n], x), name, python_number=True)

    def visit_Attribute(self, node, depth):
        dotted = _dotted(node)
        if dotted is None:
            self.fail("attribute access is only allowed on tf, tf.math, tf.nn, np, keras.ops", node)
        name = _strip_prefix(dotted)
        if name in CONSTANTS:
            value = CONSTANTS[name]
            return _constant_node(value)
        if name is not None and (name in FUNCTIONS or name in ALIASES):
            self.fail(f"{dotted} is a function: call it, as in {dotted}(x)", node)
        self.fail(f"{dotted!r} is not an allowed function or constant", node)

    # --- operators ---
    def visit_BinOp(self, node, depth):
        if type(node.op) not in _BINOPS:
            self.fail(f"the operator {_op_symbol(node.op)} is not allowed; use + - * / **", node)
        symbol, op = _BINOPS[type(node.op)]
        left, right = self.visit(node.left, depth), self.visit(node.right, depth)
        if left.constant is not None and right.constant is not None:
            return self._fold(node, symbol, left.constant, right.constant)
        left_source, right_source = _operand_sources(left, right)
        return _Node(
            lambda x, p: op(_as_number(left.build(x, p), x), _as_number(right.build(x, p), x)),
            f"({left_source} {symbol} {right_source})",
        )

    def _fold(self, node, symbol, a, b):
        # Float arithmetic on two numbers is O(1), so folding cannot be abused (9**9**9 overflows
        # at once instead of building a huge integer).
        try:
            value = {"+": a + b, "-": a - b, "*": a * b}.get(symbol)
            if symbol == "/":
                value = a / b
            elif symbol == "**":
                value = math.pow(a, b)
        except (OverflowError, ZeroDivisionError, ValueError) as exc:
            self.fail(f"the constant part {symbol!s} cannot be computed: {exc}", node)
        if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
            self.fail(f"a constant in the expression is too large (limit ±{MAX_CONSTANT:g})", node)
        return _constant_node(value)

    def visit_UnaryOp(self, node, depth):
        operand = self.visit(node.operand, depth)
        if isinstance(node.op, ast.USub):
            if operand.constant is not None:
                value = -operand.constant
                return _constant_node(value)
            return _Node(
                lambda x, p: -_as_number(operand.build(x, p), x),
                f"(-{_number_source(operand)})",
                python_number=operand.python_number,
            )
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return _Node(
                lambda x, p: tf.logical_not(_as_bool(operand.build(x, p), x)),
                f"tf.logical_not({_bool_source(operand)})",
                is_bool=True,
            )
        self.fail(f"the operator {_op_symbol(node.op)} is not allowed", node)

    def visit_Compare(self, node, depth):
        parts = [self.visit(node.left, depth)] + [self.visit(c, depth) for c in node.comparators]
        checks, sources = [], []
        for op_node, a, b in zip(node.ops, parts[:-1], parts[1:], strict=True):
            if type(op_node) not in _CMPOPS:
                self.fail(
                    f"the comparison {_op_symbol(op_node)} is not allowed; use < <= > >= == !=",
                    node,
                )
            symbol, op = _CMPOPS[type(op_node)]
            checks.append((op, a, b))
            a_source, b_source = _operand_sources(a, b)
            sources.append(f"({a_source} {symbol} {b_source})")

        def build(x, p):
            results = [
                op(_as_number(a.build(x, p), x), _as_number(b.build(x, p), x))
                for op, a, b in checks
            ]
            out = results[0]
            for r in results[1:]:  # a < x < b means both
                out = tf.logical_and(out, r)
            return out

        source = sources[0]
        for s in sources[1:]:
            source = f"tf.logical_and({source}, {s})"
        return _Node(build, source, is_bool=True)

    def visit_BoolOp(self, node, depth):
        values = [self.visit(v, depth) for v in node.values]
        op, name = (
            (tf.logical_and, "tf.logical_and")
            if isinstance(node.op, ast.And)
            else (tf.logical_or, "tf.logical_or")
        )

        def build(x, p):
            out = _as_bool(values[0].build(x, p), x)
            for v in values[1:]:
                out = op(out, _as_bool(v.build(x, p), x))
            return out

        source = _bool_source(values[0])
        for v in values[1:]:
            source = f"{name}({source}, {_bool_source(v)})"
        return _Node(build, source, is_bool=True)

    def visit_IfExp(self, node, depth):
        cond, a, b = (
            self.visit(node.test, depth),
            self.visit(node.body, depth),
            self.visit(node.orelse, depth),
        )
        return self._where(cond, a, b)

    def _where(self, cond, a, b):
        def build(x, p):
            c = _as_bool(cond.build(x, p), x)
            shape = tf.broadcast_dynamic_shape(tf.shape(c), tf.shape(x))
            return tf.where(
                tf.broadcast_to(c, shape),
                _as_number(a.build(x, p), x),
                _as_number(b.build(x, p), x),
            )

        return _Node(
            build, f"tf.where({_bool_source(cond)}, {_number_source(a)}, {_number_source(b)})"
        )

    # --- calls ---
    def visit_Call(self, node, depth):
        dotted = _dotted(node.func)
        name = _strip_prefix(dotted) if dotted else None
        name = ALIASES.get(name, name)
        if name not in FUNCTIONS:
            shown = dotted or _describe(node.func)
            self.fail(
                f"{shown} is not an allowed function; allowed: {', '.join(sorted(FUNCTIONS))}", node
            )
        fn = FUNCTIONS[name]
        if any(isinstance(a, ast.Starred) for a in node.args):
            self.fail("* unpacking is not allowed in a call", node)
        lo, hi = fn.arity
        if not lo <= len(node.args) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            self.fail(
                f"{dotted}() takes {want} argument{'s' if hi > 1 else ''}, got {len(node.args)}",
                node,
            )
        args = [self.visit(a, depth) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in fn.keywords:
                allowed = f"; it accepts {', '.join(fn.keywords)}" if fn.keywords else ""
                self.fail(
                    f"{dotted}() does not take the keyword {kw.arg or '**'}{allowed}", kw.value
                )
            if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
                flag = float(
                    kw.value.value
                )  # approximate=True: a flag, the one place a bool is allowed
                kwargs[kw.arg] = _Node(lambda x, p, v=flag: v, repr(kw.value.value), constant=flag)
            else:
                kwargs[kw.arg] = self.visit(kw.value, depth)
        if name == "where":
            return self._where(*args)
        if name == "bspline":
            low, high = args[1].constant, args[2].constant
            if low is None or high is None or not low < high:
                self.fail("bspline(x, lo, hi, c0, …)'s lo and hi are numbers with lo < hi", node)

        def build(x, p):
            values = [_as_number(a.build(x, p), x) for a in args]
            return fn.op(*values, **{k: _keyword_value(v, x, p) for k, v in kwargs.items()})

        if fn.op is _clip:
            # Not tf.clip_by_value: it refuses bounds that cross or are shaped unlike its input.
            value, low, high = (_number_source(a) for a in args)
            return _Node(build, f"tf.minimum(tf.maximum({value}, {low}), {high})")
        arg_src = [_number_source(a) for a in args] + [f"{k}={v.source}" for k, v in kwargs.items()]
        return _Node(build, f"{fn.source}({', '.join(arg_src)})")


def _keyword_value(node: _Node, x, params):
    # Keyword arguments of tf.nn.leaky_relu/gelu must be Python values, not tensors.
    if node.constant is not None:
        return node.constant
    return (
        float(params[node.source])
        if node.source in params
        else _as_number(node.build(x, params), x)
    )


def _as_bool(value, x):
    t = tf.convert_to_tensor(value)
    return t if t.dtype == tf.bool else tf.not_equal(_as_number(t, x), 0)


def _bool_source(node: _Node) -> str:
    if node.is_bool:
        return node.source
    number = f"tf.cast({node.source}, x.dtype)" if node.python_number else node.source
    return f"({number} != 0)"


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _strip_prefix(dotted: str) -> str | None:
    if "." not in dotted:
        return dotted
    for prefix in PREFIXES:
        if dotted.startswith(prefix) and "." not in dotted[len(prefix) :]:
            return dotted[len(prefix) :]
    return None


def _describe(node: ast.AST) -> str:
    names = {
        "Lambda": "a lambda",
        "ListComp": "a list comprehension",
        "GeneratorExp": "a generator",
        "SetComp": "a set comprehension",
        "DictComp": "a dict comprehension",
        "NamedExpr": "the := operator",
        "JoinedStr": "an f-string",
        "FormattedValue": "an f-string",
        "Subscript": "indexing with [ ]",
        "List": "a list",
        "Tuple": "a tuple",
        "Dict": "a dict",
        "Set": "a set",
        "Starred": "* unpacking",
        "Await": "await",
        "Yield": "yield",
        "YieldFrom": "yield",
        "Slice": "a slice",
        "Attribute": "attribute access",
    }
    return names.get(type(node).__name__, type(node).__name__)


def _op_symbol(op: ast.AST) -> str:
    return {
        "FloorDiv": "//",
        "Mod": "%",
        "LShift": "<<",
        "RShift": ">>",
        "BitOr": "|",
        "BitXor": "^",
        "BitAnd": "&",
        "MatMult": "@",
        "Invert": "~",
        "Is": "is",
        "IsNot": "is not",
        "In": "in",
        "NotIn": "not in",
    }.get(type(op).__name__, type(op).__name__)


def _precheck(text: str) -> None:
    """Limits that must hold before the parser sees the text."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    if not text.strip():
        raise ExpressionError(
            "the expression is empty: type something in x, like tf.math.tanh(x) * 2"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}"
        )
    for i, ch in enumerate(text):
        if ord(ch) > 127:
            hint = f"; type {_HINTS[ch]!r} instead" if ch in _HINTS else ""
            # The parser folds look-alikes (fullwidth letters, math italics) into plain names:
            # refuse them first.
            raise ExpressionError(f"the character {ch!r} is not plain ASCII{hint}", i + 1)
        if ch in "\r\n\t\x0b\x0c" or (ord(ch) < 32):
            raise ExpressionError("the expression must be a single line", i + 1)
    depth = 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth > MAX_DEPTH:
            raise ExpressionError(f"brackets are nested too deeply (more than {MAX_DEPTH})", i + 1)


def compile_expression(text: str) -> Compiled:
    """Check `text` and compile it; raises ExpressionError (and only that) when it is refused."""
    _precheck(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"this is not a valid expression: {exc.msg}", exc.offset) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"this expression cannot be read: {type(exc).__name__}") from None
    compiler = _Compiler(text)
    try:
        root = compiler.visit(tree.body)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    if "x" not in _names(tree):
        raise ExpressionError(
            "the expression does not use x, so it is a constant, not an activation"
        )
    return Compiled(
        text=text.strip(), params=tuple(compiler.params), source=_number_source(root), _root=root
    )


def _names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


def custom_activation(
    name: str,
    text: str,
    settings: dict[str, tuple[float, float, float]] | None = None,
    gated: bool = False,
):
    """A session activation from the user's expression; with `gated`, a gated unit f(u)·v whose
    gate f is the expression.

    `settings` maps each parameter to (default, low, high); missing ones get (1, −3, 3).
    """
    if not NAME_PATTERN.match(name or ""):
        raise ExpressionError(
            "a name starts with a letter and has only letters, digits and _ (at most 40)"
        )
    compiled = compile_expression(text)
    params = []
    for p in compiled.params:
        default, low, high = (settings or {}).get(p, (1.0, -3.0, 3.0))
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ExpressionError(f"the range of {p} must have its low end below its high end")
        default = min(max(default, low), high)
        params.append(Param(p, float(default), float(low), float(high), step=(high - low) / 100))
    return Activation(
        name=name,
        fn=compiled,
        source="session",
        params=tuple(params),
        summary=f"Your expression{' as the gate f of f(u)·v' if gated else ''}: {compiled.text}",
        expression=compiled.text,
        code=compiled.source,
        gated=gated,
    )


def custom_definition(act: Activation) -> dict[str, Any]:
    """A session custom as plain data, what runs and links carry: its expression text and each
    parameter's [default, low, high]. Compiled again only by `custom_from_definition`."""
    if act.expression is None:
        raise ValueError(f"{act.name} is not a session custom: it has no expression")
    params = {p.name: [float(p.default), float(p.low), float(p.high)] for p in act.params}
    out: dict[str, Any] = {"expression": act.expression, "params": params}
    if act.gated:  # only then: definitions stored before gated units stay as they were
        out["gated"] = True
    return out


def custom_from_definition(name: str, definition: Any) -> Activation:
    """The custom `definition` (as `custom_definition` writes it, e.g. read from a link or a
    stored run) compiled again by the safe compiler; ExpressionError says what is wrong."""
    if not isinstance(definition, dict) or not isinstance(definition.get("expression"), str):
        raise ExpressionError(f"{name}: a definition needs its expression as text")
    params = definition.get("params") or {}
    if not isinstance(params, dict):
        raise ExpressionError(f"{name}: its parameters must be name → [default, low, high]")
    settings: dict[str, tuple[float, float, float]] = {}
    for p, values in params.items():
        try:
            default, low, high = (float(v) for v in values)
        except (TypeError, ValueError):
            raise ExpressionError(
                f"{name}: parameter {str(p)[:20]} needs three numbers, [default, low, high]"
            ) from None
        settings[str(p)] = (default, low, high)
    gated = definition.get("gated", False)
    if not isinstance(gated, bool):
        raise ExpressionError(f"{name}: gated is true or false")
    return custom_activation(name, definition["expression"], settings, gated)
