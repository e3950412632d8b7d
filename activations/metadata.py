"""What cannot be discovered from `keras.activations`: LaTeX formulas and slider ranges.

Keyed by the Keras function name; a test checks every built-in has a formula.
"""

from typing import Any

FORMULAS = {
    "celu": r"\max(0, x) + \min\!\left(0,\ \alpha\,(e^{x/\alpha} - 1)\right)",
    "elu": r"\begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}",
    "exponential": r"e^{x}",
    "gelu": r"x\,\Phi(x) = \tfrac{x}{2}\left(1 + \operatorname{erf}(x/\sqrt{2})\right)",
    "glu": r"\operatorname{glu}([a, b]) = a \odot \sigma(b)",
    "hard_shrink": r"\begin{cases} x & |x| > \lambda \\ 0 & |x| \le \lambda \end{cases}",
    "hard_sigmoid": r"\max\!\left(0, \min\!\left(1, \tfrac{x}{6} + \tfrac{1}{2}\right)\right)",
    "hard_silu": r"x \cdot \max\!\left(0, \min\!\left(1, \tfrac{x}{6} + \tfrac{1}{2}\right)\right)",
    "hard_tanh": r"\max(-1, \min(1, x))",
    "leaky_relu": r"\begin{cases} x & x > 0 \\ s\,x & x \le 0 \end{cases}",
    "linear": r"x",
    "log_sigmoid": r"\log \sigma(x) = -\log(1 + e^{-x})",
    "log_softmax": r"x_i - \log \textstyle\sum_j e^{x_j}",
    "mish": r"x \tanh\!\left(\log(1 + e^{x})\right)",
    "relu": r"\begin{cases} \min(x, m) & x \ge \theta \\ s\,(x - \theta) & x < \theta \end{cases}",
    "relu6": r"\min(\max(0, x), 6)",
    # The constants on a line of their own: on one line it is wider than the Gallery's column.
    "selu": (
        r"\begin{gathered} \lambda \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0"
        r" \end{cases} \\ \lambda \approx 1.0507,\ \alpha \approx 1.6733 \end{gathered}"
    ),
    "sigmoid": r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    "silu": r"x\,\sigma(x) = \frac{x}{1 + e^{-x}}",
    "soft_shrink": (
        r"\begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\"
        r" 0 & \text{otherwise} \end{cases}"
    ),
    "softmax": r"\frac{e^{x_i}}{\sum_j e^{x_j}}",
    "softplus": r"\log(1 + e^{x})",
    "softsign": r"\frac{x}{1 + |x|}",
    "sparse_plus": (
        r"\begin{cases} 0 & x \le -1 \\ \tfrac{1}{4}(x + 1)^2 & -1 < x < 1 \\"
        r" x & x \ge 1 \end{cases}"
    ),
    "sparse_sigmoid": (
        r"\begin{cases} 0 & x \le -1 \\ \tfrac{1}{2}(x + 1) & -1 < x < 1 \\"
        r" 1 & x \ge 1 \end{cases}"
    ),
    "sparsemax": r"\arg\min_{p \in \Delta} \lVert p - x \rVert^2",
    "squareplus": r"\tfrac{1}{2}\left(x + \sqrt{x^2 + b}\right)",
    "tanh": r"\tanh(x)",
    "tanh_shrink": r"x - \tanh(x)",
    "threshold": r"\begin{cases} x & x > \theta \\ v & x \le \theta \end{cases}",
}

# (activation, parameter) -> slider range and, for required parameters, a default to start from.
PARAM_HINTS: dict[tuple[str, str], dict[str, Any]] = {
    ("celu", "alpha"): dict(low=0.1, high=3.0),
    ("elu", "alpha"): dict(low=0.0, high=3.0),
    ("gelu", "approximate"): dict(kind="bool"),
    ("hard_shrink", "threshold"): dict(low=0.0, high=3.0),
    ("soft_shrink", "threshold"): dict(low=0.0, high=3.0),
    ("leaky_relu", "negative_slope"): dict(low=0.0, high=1.0, step=0.01),
    ("relu", "negative_slope"): dict(low=0.0, high=1.0, step=0.01),
    ("relu", "max_value"): dict(low=0.5, high=10.0, step=0.1, kind="optional"),
    ("relu", "threshold"): dict(low=-3.0, high=3.0),
    ("squareplus", "b"): dict(low=0.0, high=16.0, step=0.1),
    ("threshold", "threshold"): dict(default=0.5, low=-3.0, high=3.0),
    ("threshold", "default_value"): dict(default=0.0, low=-3.0, high=3.0),
}

# Where the installed Keras computes something other than its own definition. Shown next to
# the curve; a strict xfail test notices when a Keras release fixes it.
KNOWN_ISSUES = {
    "sparsemax": (
        "Keras 3.15's TensorFlow sparsemax sums the whole cumulative sum over the support when it "
        "computes the threshold τ, so its outputs need not sum to 1: sparsemax([0.2, 0]) gives "
        "[0.5, 0.3] instead of [0.6, 0.4]. The curve shows what Keras computes."
    ),
}
