"""The search space: core units b(u1(x), u2(x)) with the unary and binary sets of Ramachandran,
Zoph & Le (2017, section 3), each written in the app's expression grammar, so a candidate is
plain text that the safe compiler checks (nothing is evaluated as Python) and that travels to a
Ray worker as a string.

β is one parameter named `beta` shared by every place a candidate uses it (the paper gives each
its own per-channel β). It starts at 1 and is fixed, or learned per unit when the search says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

BETA = "beta"
EPSILON = "1e-07"  # the paper's ε in log(|x| + ε) and x1 / (x2 + ε)


@dataclass(frozen=True)
class Unary:
    name: str  # as the page lists it
    template: str  # the grammar's text with {} for the argument
    atomic: bool = True  # a call or a name: needs no brackets as an operand


@dataclass(frozen=True)
class Binary:
    name: str
    template: str  # the grammar's text with {a} and {b}


UNARY = {
    u.name: u
    for u in (
        Unary("x", "{}"),
        Unary("-x", "-{}", atomic=False),
        Unary("|x|", "abs({})"),
        Unary("x²", "{}**2", atomic=False),
        Unary("x³", "{}**3", atomic=False),
        Unary("√x", "sqrt({})"),
        Unary("βx", f"{BETA}*{{}}", atomic=False),
        Unary("x+β", f"{{}} + {BETA}", atomic=False),
        Unary("log(|x|+ε)", f"log(abs({{}}) + {EPSILON})"),
        Unary("exp(x)", "exp({})"),
        Unary("sin(x)", "sin({})"),
        Unary("cos(x)", "cos({})"),
        Unary("sinh(x)", "sinh({})"),
        Unary("cosh(x)", "cosh({})"),
        Unary("tanh(x)", "tanh({})"),
        Unary("asinh(x)", "asinh({})"),
        Unary("atan(x)", "atan({})"),
        # sin(x)/x with 1 at 0; the inner where keeps the unused branch's gradient finite at 0.
        Unary("sinc(x)", "where({0} == 0, 1, sin({0}) / where({0} == 0, 1, {0}))"),
        Unary("max(x,0)", "maximum({}, 0)"),
        Unary("min(x,0)", "minimum({}, 0)"),
        Unary("σ(x)", "sigmoid({})"),
        Unary("log(1+eˣ)", "softplus({})"),
        Unary("exp(-x²)", "exp(-{}**2)"),
        Unary("erf(x)", "erf({})"),
        Unary("β", BETA),
    )
}
BINARY = {
    b.name: b
    for b in (
        Binary("x1+x2", "{a} + {b}"),
        Binary("x1·x2", "{a} * {b}"),
        Binary("x1−x2", "{a} - {b}"),
        Binary("x1/(x2+ε)", f"{{a}} / ({{b}} + {EPSILON})"),
        Binary("max(x1,x2)", "maximum({a}, {b})"),
        Binary("min(x1,x2)", "minimum({a}, {b})"),
        Binary("σ(x1)·x2", "sigmoid({a}) * {b}"),
        Binary("exp(-β(x1−x2)²)", f"exp(-{BETA} * ({{a}} - {{b}})**2)"),
        Binary("exp(-β|x1−x2|)", f"exp(-{BETA} * abs({{a}} - {{b}}))"),
        Binary("βx1+(1−β)x2", f"{BETA} * {{a}} + (1 - {BETA}) * {{b}}"),
    )
}


@dataclass(frozen=True)
class Candidate:
    """One core unit b(u1(x), u2(x)) by the names of its parts."""

    binary: str
    u1: str
    u2: str

    @property
    def expression(self) -> str:
        """The candidate in the expression grammar (what is compiled and trained)."""
        template = BINARY[self.binary].template
        a, b = (_operand(UNARY[u], template, slot) for u, slot in ((self.u1, "a"), (self.u2, "b")))
        return template.format(a=a, b=b)

    @property
    def formula(self) -> str:
        """As the paper writes it: b(u1(x), u2(x)) with the parts' names."""
        return f"{self.binary} with x1 = {self.u1}, x2 = {self.u2}"

    @property
    def uses_beta(self) -> bool:
        return BETA in self.expression

    def to_list(self) -> list[str]:
        return [self.binary, self.u1, self.u2]

    @classmethod
    def from_list(cls, parts) -> Candidate:
        binary, u1, u2 = (str(p) for p in parts)
        return cls(binary, u1, u2)


def _operand(unary: Unary, template: str, slot: str) -> str:
    """The unary's text as the slot's operand: bracketed unless it is atomic or the slot is a
    whole argument of a call already (`sigmoid({a})`, `maximum({a}, {b})`)."""
    text = unary.template.format("x")
    whole_argument = re.search(r"[(,] ?\{" + slot + r"\}[),]", template) is not None
    return text if unary.atomic or whole_argument else f"({text})"


@dataclass(frozen=True)
class Space:
    """The unary and binary sets a search draws from (a user may narrow them)."""

    unary: tuple[str, ...] = tuple(UNARY)
    binary: tuple[str, ...] = tuple(BINARY)

    def problems(self) -> list[str]:
        out = []
        unknown = [u for u in self.unary if u not in UNARY] + [
            b for b in self.binary if b not in BINARY
        ]
        if unknown:
            out.append(f"Unknown building block {unknown[0]!r}: choose from the lists.")
        if not self.unary:
            out.append("Choose at least one unary function.")
        if not self.binary:
            out.append("Choose at least one binary function.")
        return out

    @property
    def size(self) -> int:
        return len(self.binary) * len(self.unary) ** 2

    def random(self, rng: np.random.Generator) -> Candidate:
        binary = self.binary[int(rng.integers(len(self.binary)))]
        u1, u2 = (self.unary[int(rng.integers(len(self.unary)))] for _ in range(2))
        return Candidate(binary, u1, u2)

    def mutate(self, parent: Candidate, rng: np.random.Generator) -> Candidate:
        """The parent with one part (b, u1 or u2) replaced by another of its set; the parent
        itself when that part's set has a single member."""
        part = int(rng.integers(3))
        choices = self.binary if part == 0 else self.unary
        current = parent.to_list()[part]
        others = [c for c in choices if c != current]
        if not others:
            return parent
        parts = parent.to_list()
        parts[part] = others[int(rng.integers(len(others)))]
        return Candidate.from_list(parts)


# The Swish family x·σ(βx): how near a curve is to it, for the search experiment.
SWISH_X = np.linspace(-5.0, 5.0, 1001)
SWISH_BETAS = np.linspace(-4.0, 4.0, 801)


def swish_distance(curve: np.ndarray) -> tuple[float, float]:
    """The smallest root-mean-square difference on x ∈ [−5, 5] (1,001 points) between `curve`
    (the candidate's values at SWISH_X) and x·σ(βx) for β on [−4, 4] (step 0.01), and that β.
    A curve that is not finite everywhere is at distance inf."""
    curve = np.asarray(curve, np.float64)
    if curve.shape != SWISH_X.shape or not np.isfinite(curve).all():
        return math.inf, math.nan
    family = SWISH_X[None, :] / (1.0 + np.exp(-SWISH_BETAS[:, None] * SWISH_X[None, :]))
    rms = np.sqrt(np.mean((family - curve[None, :]) ** 2, axis=1))
    best = int(np.argmin(rms))
    return float(rms[best]), float(SWISH_BETAS[best])
