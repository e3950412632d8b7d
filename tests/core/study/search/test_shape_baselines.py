"""A learnable shape (a rational fitted to gelu, as the Custom page makes it) as a baseline of
the activation search: it trains beside relu and silu in the baselines' run, with every
coefficient learned per layer, and is scored and kept like them.

Catches: a shape that never reaches the baselines' run or its job (its customs missing: the job
would fail on an unknown name), one trained with its coefficients frozen, a saved search that
loses its shapes on the way through JSON, a digest of the search experiment changed by the new
field (the reference result would be hidden), and a bad shape that reaches training."""

import json

import numpy as np

from activations import shared_catalogue
from core.study import experiments as ex
from core.study.search import search as engine
from core.study.shapes import rational


def _gelu_rational() -> tuple:
    fit = rational.fit(
        lambda x: np.asarray(shared_catalogue().get("gelu").curve(x), np.float64), 3, 2
    )
    params = tuple((p, tuple(float(v) for v in bounds)) for p, bounds in fit.settings().items())
    return ("gelu_pau", fit.text, params)


SMALL = dict(samples=600, epochs=2, seeds=3, k=2, candidates=2, depth=1, width=8)


def test_a_shape_baseline_trains_beside_relu_and_silu_learning_every_coefficient():
    shape = _gelu_rational()
    settings = engine.SearchSettings(**SMALL, shapes=(shape,))
    assert settings.problems() == []
    config = settings.baselines_config()
    assert config.activations == ("relu", "silu", "gelu_pau")
    assert config.learn_for("gelu_pau") == {p: "layer" for p, _ in shape[2]}
    seen = []

    def train(batches):
        seen.extend(batches)
        return engine.train_here(batches)

    calls = iter(range(100))
    state = engine.run(engine.SearchState(settings), train, 10, lambda: next(calls) >= 1)
    (first_config, customs), *_ = seen
    assert first_config == config and customs == (shape,)
    assert set(state.baselines) == {"relu", "silu", "gelu_pau"}
    assert len(state.baselines["gelu_pau"]) == 3  # one score per seed


def test_its_coefficients_move_in_training():
    settings = engine.SearchSettings(**SMALL, shapes=(_gelu_rational(),))
    [(record, _)] = engine.train_here([(settings.baselines_config(), settings.shapes)])
    branch = record.by_activation()["gelu_pau"][0]
    start = dict((p, v[0]) for p, v in settings.shapes[0][2])
    moved = [abs(branch.learned[p][-1][0][0] - start[p]) for p in start]
    assert max(moved) > 1e-4 and set(branch.learned) == set(start)


def test_the_shapes_survive_json_and_bad_ones_are_refused_in_words():
    shape = _gelu_rational()
    settings = engine.SearchSettings(shapes=(shape,))
    again = engine.SearchSettings.from_dict(json.loads(json.dumps(settings.to_dict())))
    assert again == settings
    bad = [
        ("relu", "x", (("a", (1.0, 0.0, 2.0)),)),  # a baseline's own name
        ("c0012", "a * x", (("a", (1.0, 0.0, 2.0)),)),  # a candidate's name
        ("flat", "x", ()),  # nothing to learn
        ("broken", "a * __import__(x)", (("a", (1.0, 0.0, 2.0)),)),
    ]
    problems = engine.SearchSettings(shapes=tuple(bad)).problems()
    assert any("'relu' needs a name of its own" in p for p in problems)
    assert any("'c0012' needs a name of its own" in p for p in problems)
    assert any("flat has no parameters" in p for p in problems)
    assert any(p.startswith("The baseline broken does not compile") for p in problems)
    too_many = tuple((f"s{i}", "a * x", (("a", (1.0, 0.0, 2.0)),)) for i in range(5))
    assert (
        "At most 4 learnable-shape baselines." in engine.SearchSettings(shapes=too_many).problems()
    )


def test_the_search_experiments_digest_is_unchanged_and_counts_shapes():
    # The reference result was measured before shapes existed: its stored digest must still be
    # the experiment's (else the page hides it), and a search with shapes must digest apart.
    import dataclasses

    from core.serve.experiment_runs import REFERENCE

    e = ex.get("ramachandran-2017-search")
    stored = json.loads(REFERENCE.read_text())[e.id]["digest"]
    assert ex.digest(e) == stored
    with_shape = dataclasses.replace(e.searches()[0], shapes=(_gelu_rational(),))
    assert ex.experiment._search_text(with_shape) != ex.experiment._search_text(e.searches()[0])
