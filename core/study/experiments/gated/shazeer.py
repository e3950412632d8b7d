"""Shazeer 2020: at matched parameters, GEGLU and SwiGLU FFNs reach a lower loss than ReLU and
GELU FFNs in a Transformer. Here on the app's tiny character-level Transformer, 3 seeds, with
Primer's squared ReLU (So et al. 2021) trained in the same run and reported beside them."""

from __future__ import annotations

from core.study.experiments.experiment import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    SPREAD_RULE,
    Experiment,
    Spread,
    Verdict,
    at_least,
    final_value,
    judge,
    quiet,
)
from core.train.settings import TrainConfig

SQUARED_RELU = ("squared_relu", "tf.square(tf.nn.relu(x))")  # Primer's FFN activation
GATED = ("geglu", "swiglu")
PLAIN = ("relu", "gelu")
CONFIG = TrainConfig(
    activations=(*PLAIN, *GATED, SQUARED_RELU[0]),
    dataset="pytext",
    model="transformer",
    depth=2,
    width=64,
    optimizer="adam",
    learning_rate=0.001,
    batch_size=32,
    epochs=8,
    seeds=3,
    diagnostics=False,
    data_seed=0,
)


class GluVariants(Experiment):
    id = "shazeer-2020-glu-variants"
    name = "GLU variants (Shazeer 2020)"
    title = "GEGLU and SwiGLU FFNs against ReLU and GELU in a tiny Transformer"
    claim = (
        "In the feed-forward sublayers of a Transformer, at the same number of parameters "
        "(the gated FFN 2/3 as wide), GEGLU and SwiGLU reach a lower loss than the usual ReLU "
        "and GELU. The paper's abstract: some GLU variants “yield quality improvements over the "
        "typically-used ReLU or GELU activations”."
    )
    citation = (
        "N. Shazeer, “GLU Variants Improve Transformer”, arXiv:2002.05202 (2020): Table 1 "
        "(pre-training log-perplexity of the FFN variants). Squared ReLU: D. So et al., "
        "“Primer: Searching for Efficient Transformers for Language Modeling”, "
        "arXiv:2109.08668 (2021)."
    )
    schedule = (
        f"Reduced: the app's decoder-only Transformer, {CONFIG.depth} layers, width "
        f"{CONFIG.width}, 4 heads, context 64, FFN 4× the width (gated: 2/3 of that, twice), "
        "pre-LayerNorm, on the character corpus of Python's standard library source (12 "
        "modules, last 10 % of the text for validation), Adam at 0.001, batch 32, "
        f"{CONFIG.epochs} epochs, {CONFIG.seeds} seeds, every network from Glorot uniform "
        "kernels; squared ReLU, relu(x)², trained in the same run."
    )
    criterion = (
        "Loss: validation loss in bits per character after the last epoch. For each gated "
        "unit g (geglu, swiglu) and plain unit p (relu, gelu), each seed's difference "
        "loss(p) − loss(g) (the same seed and batches); the pair holds when the mean "
        "difference is > 0. All four pairs hold: reproduced. At least one holds: partly "
        "reproduced. None: not reproduced. Squared ReLU is reported (its difference with relu), "
        f"not judged. {SPREAD_RULE}"
    )
    short_criterion = "geglu and swiglu each beat relu and gelu in validation bits per character"
    differs = (
        "A 2-layer, width-64 decoder on 190 thousand characters of Python for 8 epochs on a CPU "
        "(paper: a T5 sequence-to-sequence model pre-trained on C4, with FFNs without biases); "
        "validation bits per character instead of log-perplexity; 3 seeds."
    )

    def configs(self):
        return (CONFIG,)

    def customs(self, progress=quiet):
        return (SQUARED_RELU,)

    def link_customs(self):
        return (SQUARED_RELU,)

    def smoke(self) -> GluVariants:
        return _Smoke()

    def measure(self, records, progress=quiet):
        by = records[0].by_activation()
        loss = {n: [final_value(b, "val_loss") for b in by[n]] for n in by}
        accuracy = {n: [final_value(b, "val_metric") for b in by[n]] for n in by}
        curves = {n: [list(b.val_loss) for b in by[n]] for n in by}
        return {"seed_loss": loss, "seed_accuracy": accuracy, "val_loss": curves}

    def verdict(self, measured):
        loss = measured["seed_loss"]

        def diff(p, g):
            return Spread.of([a - b for a, b in zip(loss[p], loss[g], strict=True)])

        pairs = {
            f"{g}_vs_{p}": at_least(diff(p, g), 0.0, strict=True) for g in GATED for p in PLAIN
        }
        label = judge(glu_label, **pairs)
        seeds = len(loss[PLAIN[0]])
        text = f"{seeds} seeds, validation bits per character: " + ", ".join(
            f"{n} {Spread.of(loss[n]).text(digits=4)}" for n in (*PLAIN, *GATED)
        )
        text += "; each seed's difference: " + ", ".join(
            f"{p} − {g} {diff(p, g).text(digits=2)}" for p in PLAIN for g in GATED
        )
        sq = SQUARED_RELU[0]
        if sq in loss:
            text += f"; squared relu {Spread.of(loss[sq]).text(digits=4)} (relu − it: "
            text += f"{diff('relu', sq).text(digits=2)})"
        return Verdict(label, text)


def glu_label(**pairs: bool) -> str:
    held = sum(pairs.values())
    return REPRODUCED if held == len(pairs) else PARTLY if held else NOT_REPRODUCED


class _Smoke(GluVariants):
    """The same path on a 1-layer, width-32 Transformer for 1 epoch on 200 windows."""

    def configs(self):
        import dataclasses

        return (dataclasses.replace(CONFIG, depth=1, width=32, epochs=1, samples=200),)
