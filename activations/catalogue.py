"""The one catalogue of activations and its `get`: Keras built-ins, the tutorial's customs,
activations from files in `user_activations/`, and one session's own customs.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from activations import tutorial
from activations.activation import Activation, as_gated
from activations.discovery import keras_builtins
from activations.user_files import load_user_files

# The activations people compare most come first: they lead every list, and the chart colours,
# handed out in catalogue order, give them the most distinct ones. The rest follow by name.
PREFERRED_ORDER = (
    "relu", "tanh", "sigmoid", "gelu", "silu", "elu", "leaky_relu", "softplus", "selu", "mish",
    "SinActivation", "scaled_tanh", "elu_like",
)  # fmt: skip


@dataclass(frozen=True)
class Catalogue:
    """The shared entries plus one session's customs, read-only; `with_customs` makes a new one."""

    shared: Mapping[str, Activation]
    customs: Mapping[str, Activation] = field(default_factory=dict)
    load_errors: tuple[str, ...] = ()

    def all(self) -> list[Activation]:
        return list(self.shared.values()) + list(self.customs.values())

    def names(self, gated: bool = True) -> list[str]:
        """Every entry's name; without the gated units when `gated` is False (pages whose
        networks apply f(x) to each unit alone: Playground, Depth, Custom's starting points)."""
        return [a.name for a in self.all() if gated or not a.gated]

    def get(self, identifier: str | Activation) -> Activation:
        """The entry named `identifier` (a name, alias or Activation); ValueError if unknown."""
        if isinstance(identifier, Activation):
            return identifier
        if not isinstance(identifier, str):
            raise ValueError(f"Could not interpret activation identifier: {identifier!r}")
        if identifier in self.customs:
            return self.customs[identifier]
        if identifier in self.shared:
            return self.shared[identifier]
        for act in self.shared.values():
            if identifier in act.aliases:
                return act
        close = difflib.get_close_matches(identifier, self.names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"Unknown activation {identifier!r}{hint}")

    def aliases(self) -> dict[str, str]:
        """Each alias of a shared entry and the name it stands for (Keras's swish -> silu)."""
        return {alias: act.name for act in self.shared.values() for alias in act.aliases}

    def shared_entry(self, name: str) -> Activation | None:
        """The shared entry called `name` by its name or an alias, or None."""
        canonical = self.aliases().get(name, name)
        return self.shared.get(canonical)

    def free_name(self, name: str, max_length: int | None = None) -> str:
        """`name` if no entry or alias has it, else the first free `name_2`, `name_3`, …,
        `name` shortened so that the whole stays within `max_length` characters."""
        candidate, suffix = name, 1
        while candidate in self:
            suffix += 1
            tail = f"_{suffix}"
            keep = len(name) if max_length is None else max_length - len(tail)
            candidate = name[:keep] + tail
        return candidate

    def __contains__(self, name: str) -> bool:
        try:
            self.get(name)
        except ValueError:
            return False
        return True

    def with_customs(self, acts: Iterable[Activation]) -> Catalogue:
        """This catalogue with `acts` as session customs, replacing customs of the same name.

        A name (or alias) that belongs to a shared activation is a ValueError.
        """
        customs = dict(self.customs)
        for act in acts:
            taken_by = self.shared_entry(act.name)
            if taken_by is not None:
                kind = taken_by.source
                raise ValueError(
                    f"{act.name!r} is already a {kind} activation; choose another name"
                )
            # The UI caches shared entries by name; "session" is what keeps a custom out of them.
            if act.source != "session":
                act = dataclasses.replace(act, source="session")
            customs[act.name] = act
        return dataclasses.replace(self, customs=customs)


SHAZEER_2020 = "https://arxiv.org/abs/2002.05202"  # Shazeer 2020, GLU Variants Improve Transformer
# The gated units of Shazeer (2020), Table 1: (name, gate, LaTeX, what it is). GLU itself is
# Dauphin et al. (2017)'s; Keras's own `glu` is the same unit over the two halves of one vector,
# so it stays a vector activation and this one is called sigmoid_glu.
GATED_UNITS = (
    ("sigmoid_glu", "sigmoid", r"\sigma(u)\cdot v",
     "GLU (Dauphin et al. 2017): a sigmoid gate of two projections of the input."),
    ("bilinear", "linear", r"u\cdot v", "Bilinear: the product of two projections, no gate."),
    ("reglu", "relu", r"\max(0, u)\cdot v", "ReGLU: a relu gate."),
    ("geglu", "gelu", r"\mathrm{GELU}(u)\cdot v", "GEGLU: a GELU gate (exact, with erf)."),
    ("swiglu", "silu", r"\mathrm{Swish}_1(u)\cdot v",
     "SwiGLU: a Swish (silu) gate, the FFN of LLaMA, PaLM and Qwen."),
)  # fmt: skip


def gated_units(entries: Iterable[Activation]) -> list[Activation]:
    """Shazeer's gated units, each on its gate's Keras entry (its parameters too)."""
    by_name = {a.name: a for a in entries}
    return [
        as_gated(by_name[gate], name, formula, summary, SHAZEER_2020)
        for name, gate, formula, summary in GATED_UNITS
        if gate in by_name
    ]


def _ordered(entries: Iterable[Activation]) -> dict[str, Activation]:
    rank = {n: i for i, n in enumerate(PREFERRED_ORDER)}

    def position(act: Activation):
        return rank.get(act.name, len(rank)), act.source != "keras", act.name

    return {a.name: a for a in sorted(entries, key=position)}


@functools.cache
def shared_catalogue() -> Catalogue:
    """Built-ins, tutorial customs and user files: the same for every session, built once."""
    user, errors = load_user_files()
    builtins = keras_builtins()
    entries = builtins + gated_units(builtins) + tutorial.catalogue_entries()
    taken = {a.name for a in entries}
    for act in user:
        if act.name in taken:
            errors.append(f"{act.origin}: {act.name!r} is already taken by a built-in; skipped")
        else:
            entries.append(act)
            taken.add(act.name)
    return Catalogue(shared=_ordered(entries), load_errors=tuple(errors))


def get(identifier: str | Activation) -> Activation:
    """The shared activation named `identifier` (a name, alias or Activation); ValueError if
    unknown. A session's customs are found through its catalogue's `get`."""
    return shared_catalogue().get(identifier)
