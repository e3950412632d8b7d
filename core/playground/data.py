"""TensorFlow Playground's datasets and input features, generated here from a seed (no download).

The generators follow Playground's `src/dataset.ts` (same shapes, radii, label rules and noise
rules; numpy's generator instead of its seeded Math.random, so the points themselves differ). Points
lie in [-6, 6]²; a classification label is ±1 (the output is a tanh), a regression label lies in
[-1, 1]. As in Playground, the points are shuffled once and split by the train share, and every
epoch visits the training points in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SAMPLES = 500  # Playground's numSamples
DOMAIN = 6.0  # the input plane drawn: [-6, 6]², Playground's xDomain

# key -> (label, task). Keys are URL values: they never change.
DATASETS: dict[str, tuple[str, str]] = {
    "circle": ("Circle", "classification"),
    "xor": ("Exclusive or", "classification"),
    "gauss": ("Two Gaussians", "classification"),
    "spiral": ("Spiral", "classification"),
    "plane": ("Plane (regression)", "regression"),
    "multigauss": ("Multi-Gaussian (regression)", "regression"),
}

# Playground's input features, in its order; key -> (label, function of x1, x2).
FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x₁", lambda a, b: a),
    "x2": ("x₂", lambda a, b: b),
    "x1sq": ("x₁²", lambda a, b: a * a),
    "x2sq": ("x₂²", lambda a, b: b * b),
    "x1x2": ("x₁x₂", lambda a, b: a * b),
    "sinx1": ("sin(x₁)", lambda a, b: np.sin(a)),
    "sinx2": ("sin(x₂)", lambda a, b: np.sin(b)),
}


def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    points, labels = [], []
    for r_lo, r_hi in ((0.0, radius * 0.5), (radius * 0.7, radius)):  # inside, then the ring
        for _ in range(n // 2):
            r = rng.uniform(r_lo, r_hi)
            angle = rng.uniform(0, 2 * np.pi)
            x, y = r * np.sin(angle), r * np.cos(angle)
            nx, ny = rng.uniform(-radius, radius, 2) * noise
            inside = np.hypot(x + nx, y + ny) < radius * 0.5  # the label of the noisy point
            points.append((x, y))
            labels.append(1.0 if inside else -1.0)
    return np.array(points), np.array(labels)


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3
    points, labels = [], []
    for _ in range(n):
        x, y = rng.uniform(-5, 5, 2)
        x += padding if x > 0 else -padding
        y += padding if y > 0 else -padding
        nx, ny = rng.uniform(-5, 5, 2) * noise
        points.append((x, y))
        labels.append(1.0 if (x + nx) * (y + ny) >= 0 else -1.0)
    return np.array(points), np.array(labels)


def _gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    # Playground's variance grows linearly from 0.5 at no noise to 4 at 50 % noise.
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5
    points, labels = [], []
    for centre, label in ((2.0, 1.0), (-2.0, -1.0)):
        points.append(rng.normal(centre, variance, (n // 2, 2)))
        labels.append(np.full(n // 2, label))
    return np.concatenate(points), np.concatenate(labels)


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    half = n // 2
    points, labels = [], []
    for delta, label in ((0.0, 1.0), (np.pi, -1.0)):
        i = np.arange(half)
        r = i / half * 5
        t = 1.75 * i / half * 2 * np.pi + delta
        x = r * np.sin(t) + rng.uniform(-1, 1, half) * noise
        y = r * np.cos(t) + rng.uniform(-1, 1, half) * noise
        points.append(np.stack([x, y], axis=1))
        labels.append(np.full(half, label))
    return np.concatenate(points), np.concatenate(labels)


def _uniform_plane(rng: np.random.Generator, n: int, noise: float):
    xy = rng.uniform(-6, 6, (n, 2))
    return xy, xy + rng.uniform(-6, 6, (n, 2)) * noise  # the points, and where they are labelled


def _plane(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    xy, noisy = _uniform_plane(rng, n, noise)
    return xy, noisy.sum(axis=1) / 10.0  # Playground's x + y scaled from [-10, 10] to [-1, 1]


GAUSSIANS = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def multigauss_label(points: np.ndarray) -> np.ndarray:
    """Playground's regressGaussian label: the strongest of six signed bumps, each 1 at its centre
    falling linearly to 0 at distance 2."""
    label = np.zeros(len(points))
    for cx, cy, sign in GAUSSIANS:
        bump = sign * np.clip(1 - np.hypot(points[:, 0] - cx, points[:, 1] - cy) / 2, 0, 1)
        label = np.where(np.abs(bump) > np.abs(label), bump, label)
    return label


def _multigauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    xy, noisy = _uniform_plane(rng, n, noise)
    return xy, multigauss_label(noisy)


GENERATORS = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "plane": _plane,
    "multigauss": _multigauss,
}


def features(points: np.ndarray, chosen: tuple[str, ...]) -> np.ndarray:
    """The network's inputs for points (N, 2): one column per chosen feature, in FEATURES order
    (float32, what the networks compute in)."""
    a, b = points[:, 0], points[:, 1]
    columns = [fn(a, b) for key, (_, fn) in FEATURES.items() if key in chosen]
    return np.stack(columns, axis=1).astype(np.float32)


@dataclass(frozen=True)
class PlaneData:
    """One generated dataset: points and labels, split into train and test."""

    kind: str
    task: str
    train_points: np.ndarray  # (N, 2)
    train_labels: np.ndarray  # (N,)
    test_points: np.ndarray
    test_labels: np.ndarray


def generate(kind: str, noise: float, train_share: float, seed: int) -> PlaneData:
    """Playground's dataset `kind` with `noise` (0–0.5, Playground's 0–50 %) split so that
    `train_share` (0.1–0.9) of the shuffled points train."""
    if kind not in GENERATORS:
        raise ValueError(f"unknown dataset {kind!r}; choose one of {', '.join(DATASETS)}")
    rng = np.random.default_rng(seed)
    points, labels = GENERATORS[kind](rng, SAMPLES, noise)
    order = rng.permutation(len(points))
    points, labels = points[order], labels[order]
    split = int(len(points) * train_share)  # Playground's Math.floor
    return PlaneData(
        kind,
        DATASETS[kind][1],
        points[:split],
        labels[:split].astype(np.float32),
        points[split:],
        labels[split:].astype(np.float32),
    )


def grid(resolution: int) -> np.ndarray:
    """The centres of a resolution × resolution grid over the drawn plane, row by row from the
    top (y = +6) down, as an image is drawn: (resolution², 2)."""
    step = 2 * DOMAIN / resolution
    centres = -DOMAIN + step * (np.arange(resolution) + 0.5)
    xs, ys = np.meshgrid(centres, centres[::-1])
    return np.stack([xs.ravel(), ys.ravel()], axis=1)
