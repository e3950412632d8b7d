"""Kolmogorov–Arnold networks (Liu et al. 2024, arXiv 2404.19756) for function fitting: a
learnable function on every edge, φ(x) = scale_base·silu(x) + scale_sp·spline(x), the spline
cubic on a uniform grid of G intervals of a range (the grammar's `bspline` closed form, so a KAN
edge and a spline activation are the same function), trained with Adam or L-BFGS, and grid
refinement: a finer grid's coefficients fitted by least squares to the coarser spline.

Where it differs from pykan (read from github:KindXiaoming/pykan, Example 1 and kan/): the grid
stays uniform on its range (pykan moves its knots toward the data's percentiles during the first
50 steps); refinement fits on evenly spaced points of the range (pykan: on the cached test
inputs); L-BFGS is SciPy's L-BFGS-B on the whole batch (pykan: its own L-BFGS with strong Wolfe
line search, 20 iterations a step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import tensorflow as tf
from scipy.optimize import minimize

from core.study.shapes.kan_settings import (
    ADAM_RATE,
    GRIDS,
    ITERATIONS,
    OPTIMISERS,
    SAMPLES,
    SHAPES,
    TARGETS,
)

K = 3  # cubic
GRID_RANGE = (-1.0, 1.0)  # pykan's default
NOISE_SCALE = 0.3  # pykan's noise_scale: the splines start as small noise
REFINE_POINTS = 1001


def basis(x, g: int, low, high):
    """The G + 3 cubic B-splines at x: x (..., in) -> (..., in, G + 3), in x's dtype
    (TensorFlow), `low` and `high` a number or one per input (in,). The closed form of
    activations/expression.py's bspline, knots extended 3 intervals each side."""
    low = tf.cast(tf.convert_to_tensor(low), x.dtype)
    high = tf.cast(tf.convert_to_tensor(high), x.dtype)
    h = (high - low) / g
    u = (x - low) / h
    u = u[..., None]
    r = tf.abs(u - (tf.range(g + 3, dtype=x.dtype) - 1))
    near = 2.0 / 3.0 - r**2 + r**3 / 2.0
    far = tf.where(r < 2.0, (2.0 - r) ** 3 / 6.0, tf.zeros_like(r))
    return tf.where(r < 1.0, near, far)


@dataclass
class KANLayer:
    """in_dim × out_dim edges, each φ_ij; out_j = Σ_i φ_ij(x_i). Variables: coef (in, out, G + 3),
    scale_base and scale_sp (in, out); each input's grid spans [low_i, high_i]."""

    in_dim: int
    out_dim: int
    g: int
    low: np.ndarray  # (in,)
    high: np.ndarray
    coef: tf.Variable
    scale_base: tf.Variable
    scale_sp: tf.Variable

    def edges(self, x):
        """Every edge's value: x (batch, in) -> (batch, in, out)."""
        spline = tf.einsum("bik,iok->bio", basis(x, self.g, self.low, self.high), self.coef)
        return self.scale_base * tf.nn.silu(x)[:, :, None] + self.scale_sp * spline

    def __call__(self, x):
        return tf.reduce_sum(self.edges(x), axis=1)

    @property
    def variables(self) -> list[tf.Variable]:
        return [self.coef, self.scale_base, self.scale_sp]


def _layer(in_dim, out_dim, g, low, high, rng: np.random.Generator, dtype) -> KANLayer:
    """pykan's start: scale_base uniform in ±1/√in, scale_sp 1, the spline a least-squares fit
    to uniform noise of ± noise_scale / (2G) at the grid's G + 1 points."""
    points = np.linspace(low, high, g + 1)
    noise = (rng.random((g + 1, in_dim, out_dim)) - 0.5) * NOISE_SCALE / g
    b = basis(tf.constant(points[:, None], tf.float64), g, low, high).numpy()[:, 0]  # (G+1, G+3)
    coef = np.linalg.lstsq(b, noise.reshape(g + 1, -1), rcond=None)[0]  # (G + 3, in·out)
    coef = coef.T.reshape(in_dim, out_dim, g + 3)
    low, high = np.full(in_dim, float(low)), np.full(in_dim, float(high))
    scale_base = (rng.random((in_dim, out_dim)) * 2 - 1) / np.sqrt(in_dim)
    return KANLayer(
        in_dim,
        out_dim,
        g,
        low,
        high,
        tf.Variable(coef, dtype=dtype, name="coef"),
        tf.Variable(scale_base, dtype=dtype, name="scale_base"),
        tf.Variable(np.ones((in_dim, out_dim)), dtype=dtype, name="scale_sp"),
    )


@dataclass
class KAN:
    """A KAN of widths like [2, 5, 1]."""

    widths: tuple[int, ...]
    g: int
    layers: list[KANLayer] = field(default_factory=list)
    low: float = GRID_RANGE[0]
    high: float = GRID_RANGE[1]

    @classmethod
    def new(cls, widths: Sequence[int], g: int, seed: int = 0, dtype=tf.float64,
            grid_range=GRID_RANGE) -> KAN:  # fmt: skip
        if len(widths) < 2 or min(widths) < 1 or g < 1:
            raise ValueError(
                "A KAN needs two widths or more, each ≥ 1, and a grid of ≥ 1 interval."
            )
        rng = np.random.default_rng(seed)
        low, high = grid_range
        layers = [
            _layer(a, b, g, low, high, rng, dtype)
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        ]
        return cls(tuple(widths), g, layers, low, high)

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def variables(self) -> list[tf.Variable]:
        return [v for layer in self.layers for v in layer.variables]

    def parameter_count(self) -> int:
        return sum(int(np.prod(v.shape)) for v in self.variables)

    def refine(self, g: int, x=None) -> KAN:
        """The same network on a grid of `g` intervals: every edge's spline fitted by least squares
        to this one's at REFINE_POINTS evenly spaced points of each input's range (or at each
        layer's inputs for the samples `x`); scale_base and scale_sp are kept, as pykan keeps
        them."""
        return self._regrid(g, x, move=False)

    def update_grid(self, x) -> KAN:
        """The same network with each input's grid moved to span the range of that input over
        the samples `x` (pykan moves its grids to its inputs in the first steps), every spline
        refitted by least squares at those inputs."""
        return self._regrid(self.g, x, move=True)

    def _regrid(self, g: int, x, move: bool) -> KAN:
        out, inputs = [], None if x is None else tf.constant(x, self.layers[0].coef.dtype)
        for layer in self.layers:
            if inputs is None:
                z = np.linspace(layer.low, layer.high, REFINE_POINTS)  # (n, in)
                points = tf.constant(z, layer.coef.dtype)
            else:
                points = inputs
            low, high = layer.low, layer.high
            if move:
                values_np = points.numpy()
                low, high = values_np.min(axis=0), values_np.max(axis=0)
                high = np.where(high > low, high, low + 1e-3)
            old = basis(points, layer.g, layer.low, layer.high)  # (n, in, G + 3)
            new = basis(points, g, low, high).numpy()  # (n, in, g + 3)
            values = tf.einsum("bik,iok->bio", old, layer.coef).numpy()  # (n, in, out)
            coef = np.empty((layer.in_dim, layer.out_dim, g + 3))
            for i in range(layer.in_dim):
                coef[i] = np.linalg.lstsq(new[:, i, :], values[:, i, :], rcond=None)[0].T
            out.append(
                KANLayer(layer.in_dim, layer.out_dim, g, low, high,
                         tf.Variable(coef, dtype=layer.coef.dtype, name="coef"),
                         tf.Variable(layer.scale_base.numpy(), name="scale_base"),
                         tf.Variable(layer.scale_sp.numpy(), name="scale_sp"))
            )  # fmt: skip
            if inputs is not None:
                inputs = layer(inputs)
        return KAN(self.widths, g, out, self.low, self.high)


def _targets(model: KAN, x, y) -> np.ndarray:
    """y as (n, outputs): a (n,) target would broadcast against (n, 1) predictions into (n, n)."""
    y = np.asarray(y, np.float64)
    expected = (len(x), model.widths[-1])
    if y.shape != expected:
        raise ValueError(f"Targets must be shaped {expected}; they are {y.shape}.")
    return y


def rmse(model: Callable, x, y) -> float:
    pred = model(tf.constant(x, tf.float64)).numpy()
    if pred.shape != np.shape(y):
        raise ValueError(f"Targets must be shaped {pred.shape}; they are {np.shape(y)}.")
    return float(np.sqrt(np.mean((pred - np.asarray(y)) ** 2)))


def fit_lbfgs(model: KAN, x, y, iterations: int, stopping: Callable[[], bool] = lambda: False):
    """Full-batch L-BFGS (SciPy's L-BFGS-B) on the mean squared error; returns the final RMSE.
    `stopping` is asked after every iteration: True ends the run there (a Stop)."""
    variables = model.variables
    shapes = [v.shape for v in variables]
    sizes = [int(np.prod(s)) for s in shapes]
    xt, yt = tf.constant(x, tf.float64), tf.constant(_targets(model, x, y), tf.float64)

    @tf.function
    def loss_and_grad():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(xt) - yt) ** 2)
        return loss, tape.gradient(loss, variables)

    def assign(theta):
        for v, part, shape in zip(variables, np.split(theta, np.cumsum(sizes)[:-1]), shapes,
                                  strict=True):  # fmt: skip
            v.assign(part.reshape(shape))

    def objective(theta):
        assign(theta)
        loss, grads = loss_and_grad()
        return float(loss), np.concatenate([g.numpy().ravel() for g in grads])

    start = np.concatenate([v.numpy().ravel() for v in variables])
    # No tolerance stops it early: pykan runs its steps whatever the loss (tolerances 1e-32).
    options = {"maxiter": iterations, "maxcor": 10, "ftol": 0.0, "gtol": 0.0}

    def callback(intermediate_result) -> None:
        if stopping():
            raise StopIteration  # SciPy ends the run and returns the iterate so far

    result = minimize(
        objective, start, jac=True, method="L-BFGS-B", options=options, callback=callback
    )
    assign(result.x)
    return rmse(model, x, y)


def fit_adam(
    model: KAN, x, y, steps: int, learning_rate: float = 1e-2,
    stopping: Callable[[], bool] = lambda: False,
) -> float:  # fmt: skip
    """Full-batch Adam on the mean squared error; returns the final RMSE. `stopping` is asked
    every 50 steps: True ends the run there (a Stop)."""
    import keras

    optimizer = keras.optimizers.Adam(learning_rate)
    xt, yt = tf.constant(x, tf.float64), tf.constant(_targets(model, x, y), tf.float64)
    variables = model.variables

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(xt) - yt) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))

    for k in range(steps):
        if k % 50 == 0 and stopping():
            break
        step()
    return rmse(model, x, y)


# --- The KAN page's fitting run: plain data in, plain data out (a task of the server) ---

CURVE_POINTS = 60


def data(target: str, seed: int) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): SAMPLES points each, uniform on [−1, 1]²."""
    rng = np.random.default_rng(seed)
    x_train, x_test = rng.uniform(-1, 1, (SAMPLES, 2)), rng.uniform(-1, 1, (SAMPLES, 2))
    f = TARGETS[target]
    return x_train, f(x_train), x_test, f(x_test)


def edge_curves(model: KAN, x) -> list[list[dict]]:
    """Every edge's learned function over the range its inputs take on the samples `x`: per
    layer, {"i", "j", "x", "y"} lists (plain data)."""
    out, inputs = [], tf.constant(x, model.layers[0].coef.dtype)
    for layer in model.layers:
        values = inputs.numpy()
        low, high = values.min(axis=0), values.max(axis=0)
        grid = np.linspace(low, high, CURVE_POINTS)  # (points, in)
        edges = layer.edges(tf.constant(grid, layer.coef.dtype)).numpy()  # (points, in, out)
        out.append(
            [
                {"i": i, "j": j, "x": grid[:, i].tolist(), "y": edges[:, i, j].tolist()}
                for i in range(layer.in_dim)
                for j in range(layer.out_dim)
            ]
        )
        inputs = layer(inputs)
    return out


def check_request(
    target: str, shape: str, grids: Sequence[int], iterations: int, optimiser: str = "lbfgs"
) -> None:
    if optimiser not in OPTIMISERS:
        raise ValueError(f"Unknown optimiser {optimiser!r}; choose one of {', '.join(OPTIMISERS)}.")
    if target not in TARGETS:
        raise ValueError(f"Unknown target {target!r}; choose one of {', '.join(TARGETS)}.")
    if shape not in SHAPES:
        raise ValueError(f"Unknown widths {shape!r}; choose one of {', '.join(SHAPES)}.")
    if not grids or any(g not in GRIDS for g in grids):
        raise ValueError(f"Pick grids among {', '.join(map(str, GRIDS))}.")
    if not ITERATIONS[0] <= iterations <= ITERATIONS[1]:
        raise ValueError(f"Iterations per grid are {ITERATIONS[0]} to {ITERATIONS[1]:,}.")


def ladder(state: dict, report: Callable[[float, str], None], stopping: Callable[[], bool]):
    """Fit `state`'s target with a KAN of its widths on each of its grids in turn, as bench/kan.py
    does (refine, L-BFGS, grid moved to the inputs, L-BFGS); the rows so far, each grid's edge
    curves, and whether it stopped early."""
    grids = sorted(int(g) for g in state["grids"])
    iterations, optimiser = int(state["iterations"]), state.get("optimizer", "lbfgs")
    check_request(state["target"], state["shape"], grids, iterations, optimiser)

    def fit(model: KAN, n: int) -> float:
        if optimiser == "adam":
            return fit_adam(model, x_train, y_train, n, ADAM_RATE, stopping)
        return fit_lbfgs(model, x_train, y_train, n, stopping)

    x_train, y_train, x_test, y_test = data(state["target"], int(state["seed"]))
    model = KAN.new(SHAPES[state["shape"]], grids[0], seed=int(state["seed"]))
    rows: list[dict] = []
    for k, g in enumerate(grids):
        if stopping():
            return {"rows": rows, "edges": edge_curves(model, x_train), "stopped": True}
        report(k / len(grids), f"grid {g} ({k + 1} of {len(grids)})")
        if k:
            model = model.refine(g, x_train)
        fit(model, max(1, iterations // 2))
        model = model.update_grid(x_train)
        train = fit(model, max(1, iterations - iterations // 2))
        if stopping():  # this grid's fit was cut short: not a result
            return {"rows": rows, "edges": edge_curves(model, x_train), "stopped": True}
        rows.append(
            {"grid": g, "parameters": model.parameter_count(), "train_rmse": train,
             "test_rmse": rmse(model, x_test, y_test)}
        )  # fmt: skip
    report(1.0, "done")
    return {"rows": rows, "edges": edge_curves(model, x_train), "stopped": False}
