"""Mean-field theory (core/train/theory.py): the edge of chaos of reference activations, and the
time of a phase diagram (50 × 50 (σ_w², σ_b²) grid, 4 activations) against a baseline measured in
the same run: the same number of activation evaluations done once as plain TensorFlow calls
(what any quadrature of the grid must at least cost).

Last line: `tanh sigma_b2=0.05 critical sigma_w2 = <value>`."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import tensorflow as tf

import core  # noqa: F401  (oneDNN on before TensorFlow loads)
from activations import shared_catalogue
from core.train.theory import NODES, Propagation, phase_diagram

GRID = 50
NAMES = ("relu", "tanh", "selu", "gelu")


def main() -> None:
    catalogue = shared_catalogue()
    fns = {n: catalogue.get(n).curve for n in NAMES}
    sw, sb = np.linspace(0.1, 4.0, GRID), np.linspace(0.0, 0.5, GRID)
    phase_diagram(fns["tanh"], sw[:5], sb[:5])  # TensorFlow's first-call costs, out of the figure

    start = time.perf_counter()
    fields = {n: phase_diagram(fn, sw, sb) for n, fn in fns.items()}
    grid_seconds = time.perf_counter() - start

    # Baseline: the plain way to a length fixed point, 60 iterations of the length map by the
    # same quadrature on every grid point, for the same activations (no correlation map).
    z, w = np.polynomial.hermite_e.hermegauss(NODES)
    w = w / w.sum()
    grid_w, grid_b = (a.reshape(-1, 1) for a in np.meshgrid(sw, sb))
    start = time.perf_counter()
    for fn in fns.values():
        q = np.ones_like(grid_w)
        for _ in range(60):
            phi = np.asarray(fn(tf.constant(np.sqrt(q) * z)))
            q = grid_w * (phi**2 @ w)[:, None] + grid_b
    baseline = time.perf_counter() - start

    for name, field in fields.items():
        chaotic = np.mean(field.chi1 > 1)
        diverges = np.mean(np.isinf(field.q_star))
        print(f"{name}: chaotic share {chaotic:.2f}, q* diverges on {diverges:.2f} of the grid")
    print(
        f"phase diagram {GRID}x{GRID}, {len(NAMES)} activations: {grid_seconds:.2f} s "
        f"(goal <= 2 s on 2 cores); 60 plain length-map iterations {baseline:.2f} s; "
        f"ratio {grid_seconds / baseline:.2f}"
    )
    relu = Propagation(fns["relu"]).critical_sigma_w2(0.0)
    print(f"relu sigma_b2=0 critical sigma_w2 = {relu:.4f} (theory: 2)")
    tanh = Propagation(tf.math.tanh)
    for sigma_b2, reference in ((0.01, 1.424), (0.1, 1.986)):
        value = tanh.critical_sigma_w2(sigma_b2)
        print(f"tanh sigma_b2={sigma_b2} critical sigma_w2 = {value:.4f} (reference {reference})")
    value = tanh.critical_sigma_w2(0.05)
    q_star = float(tanh.measures(value, 0.05).q_star)
    print(f"tanh sigma_b2=0.05 q* at the edge = {q_star:.4f} (reference 0.570)")
    print(f"tanh sigma_b2=0.05 critical sigma_w2 = {value:.4f}")


if __name__ == "__main__":
    main()
