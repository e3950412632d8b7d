"""Klambauer et al. 2017's constants, solved for rather than copied: from ELU's shape and the
fixed point (mean 0, variance 1), core/study/selfnorm.py must give SELU's α and λ."""

from __future__ import annotations

from core.study.experiments.experiment import (
    NOT_REPRODUCED,
    REPRODUCED,
    Experiment,
    Verdict,
    quiet,
)

# The authors' values, as Keras's selu and the paper's Eq. (14) write them.
SELU_ALPHA = 1.6732632423543772
SELU_LAMBDA = 1.0507009873554805
TOLERANCE = 1e-6


class SeluFromElu(Experiment):
    id = "klambauer-2017-selu-constants"
    name = "SELU from ELU"
    title = "SELU's α and λ come back from ELU's shape and the fixed point (0, 1)"
    kind = "init"
    # One deterministic computation (quadrature and a root finder): no seed enters it.
    seeded = False
    claim = (
        "SELU's constants are not tuned: they are the one scale λ and ELU shape α for which "
        "mean 0 and variance 1 are a fixed point of the layer-to-layer map of mean and "
        "variance, α01 = 1.6733 and λ01 = 1.0507."
    )
    citation = (
        "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, “Self-Normalizing Neural "
        "Networks”, NeurIPS 2017: Eq. (14) and the authors' notebook getSELUparameters.ipynb "
        "(bioinf-jku/SNNs)."
    )
    schedule = (
        "core/study/selfnorm.py (the Custom page's “Self-normalising constants”) on the "
        "catalogue's elu, fixed point mean 0 and variance 1, weights of sum ω = 0 and squared sum "
        "τ = 1: E[λ·f(z)] and Var[λ·f(z)] for z ~ N(0, 1) by Gauss–Legendre quadrature of "
        "elu's own TensorFlow function in float64, split at 0, then a root finder on α and λ."
    )
    criterion = (
        f"Both |α − {SELU_ALPHA!r}| ≤ {TOLERANCE:g} and |λ − {SELU_LAMBDA!r}| ≤ {TOLERANCE:g}: "
        "reproduced; otherwise (or no solution): not reproduced. One deterministic computation, "
        "so there is no spread over seeds."
    )
    short_criterion = f"|α − α01| ≤ {TOLERANCE:g} and |λ − λ01| ≤ {TOLERANCE:g}"
    differs = (
        "the same equations as the paper's, solved by quadrature of the activation's code "
        "instead of its closed-form integrals."
    )

    def measure(self, records=(), progress=quiet):
        from activations import shared_catalogue
        from core.study import selfnorm

        progress(0.0, "solving for λ and α")
        constants = selfnorm.of_activation(shared_catalogue().get("elu"))
        progress(1.0, "solved")
        alpha = constants.shape[1] if constants.shape else float("nan")
        return {
            "curve": _curve(float(alpha), float(constants.scale)),
            "alpha": float(alpha),
            "lambda": float(constants.scale),
            "radius": float(constants.radius),
            "problem": constants.problem,
            "reference": {"alpha": SELU_ALPHA, "lambda": SELU_LAMBDA},
        }

    def verdict(self, measured):
        if measured["problem"]:
            return Verdict(NOT_REPRODUCED, f"no solution: {measured['problem']}")
        alpha, lam = measured["alpha"], measured["lambda"]
        d_alpha, d_lambda = abs(alpha - SELU_ALPHA), abs(lam - SELU_LAMBDA)
        # NaN compares False, so an unsolved number is never within the tolerance.
        ok = d_alpha <= TOLERANCE and d_lambda <= TOLERANCE
        text = (
            f"alpha = {alpha:.10f} (off by {d_alpha:.1e}), lambda = {lam:.10f} (off by "
            f"{d_lambda:.1e}); the fixed point's spectral radius {measured['radius']:.3f}"
        )
        return Verdict(REPRODUCED if ok else NOT_REPRODUCED, text)


def _curve(alpha: float, scale: float) -> dict[str, list[float]]:
    """λ·elu(x; α) at the solved constants beside Keras's own selu (float64), on [−4, 4]: the
    chart shows they are one function."""
    import keras
    import numpy as np

    x = np.linspace(-4.0, 4.0, 81)
    solved = scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
    plain = keras.ops.convert_to_numpy(keras.activations.selu(keras.ops.convert_to_tensor(x)))
    return {"x": x.tolist(), "solved": solved.tolist(), "keras": np.asarray(plain, float).tolist()}
