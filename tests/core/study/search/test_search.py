"""The search: a candidate's score is its plain-Keras run's validation accuracy, and regularised
evolution ages its population, keeps the best of a tournament, ends on its budgets, proposes
distinct batches side by side, and proposes exactly the same batches after a resume."""

import json
from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.serve.executors import CustomSpec, JobControl, JobSpec, LocalExecutor
from core.study.search import search as engine
from core.study.search.screen import Screened
from core.study.search.search import SearchSettings, SearchState, run
from core.study.search.space import Space
from core.train import datasets
from core.train.record import BranchHistory, Comparison
from core.train.training import learning_problems

# --- a candidate's score is its plain-Keras run ---

# The candidates of a space narrowed to σ(x1)·x2 with x1, x2 ∈ {x, erf(x)}, and the baselines,
# each written here by hand with TensorFlow ops (not the app's expression compiler).
BY_HAND = {
    "sigmoid(x) * x": lambda x: tf.sigmoid(x) * x,
    "sigmoid(x) * erf(x)": lambda x: tf.sigmoid(x) * tf.math.erf(x),
    "sigmoid(erf(x)) * x": lambda x: tf.sigmoid(tf.math.erf(x)) * x,
    "sigmoid(erf(x)) * erf(x)": lambda x: tf.sigmoid(tf.math.erf(x)) * tf.math.erf(x),
    "relu": lambda x: tf.maximum(x, 0.0),
    "silu": lambda x: x * tf.sigmoid(x),
}
TINY = SearchSettings(
    samples=600, depth=2, width=32, epochs=2, seeds=2, k=4, candidates=4,
    population=4, sample=2, unary=("x", "erf(x)"), binary=("σ(x1)·x2",),
)  # fmt: skip


def _local_train(records):
    """The search's `train` as the server's job does it, in this thread: each batch a JobSpec
    with its candidates as custom specs, trained by the LocalExecutor."""

    def train(batches):
        out = []
        for config, customs in batches:
            spec = JobSpec(config, tuple(CustomSpec(n, e, p) for n, e, p in customs))
            *_, last = LocalExecutor().run(spec, JobControl())
            records.append(last)
            out.append((last, None))
        return out

    return train


def _keras_run(activation, seed, settings, data):
    """The network trained alone, as a Keras user writes it: Dense layers with the documented
    seeded Glorot initialisers (biases zero), Adam, one fit per epoch over the documented batch
    order. Returns the correct validation predictions and the validation loss per epoch."""
    layers = [
        keras.layers.Dense(
            settings.width,
            activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=1 + 1000 * seed + layer),
        )
        for layer in range(settings.depth)
    ]
    out = keras.layers.Dense(
        10, kernel_initializer=keras.initializers.GlorotUniform(seed=1 + 1000 * seed + 2)
    )
    model = keras.Sequential([keras.Input(data.input_shape), *layers, out])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    val_losses = []
    for epoch in range(settings.epochs):
        order = np.random.default_rng([settings.data_seed, epoch]).permutation(len(data.x_train))
        model.fit(
            data.x_train[order],
            data.y_train[order],
            batch_size=settings.batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
        )
        val_losses.append(model.evaluate(data.x_val, data.y_val, verbose=0, batch_size=4096))
    logits = model.predict(data.x_val, verbose=0, batch_size=4096)
    correct = int(np.sum(np.argmax(logits, axis=-1) == data.y_val))
    return correct, val_losses


@pytest.mark.slow
def test_a_candidates_score_is_the_accuracy_of_its_plain_keras_run():
    # Fails if the search scores a candidate from the wrong network (a name matched to another
    # candidate's branch, seeds mixed up), the wrong epoch or the wrong split, if its customs
    # reach the worker as another function (a bracket or β lost on the way), or if a seed is
    # averaged in that did not train. Every candidate of the batch and both baselines are
    # rebuilt with keras.layers and hand-written TensorFlow functions, no app code.
    records = []
    state = run(SearchState(TINY), _local_train(records), classes=10)
    assert state.status == "finished" and len(state.scored) == 4 and state.refused == []
    data = datasets.mnist1d(TINY.samples, TINY.val_fraction, TINY.data_seed)
    n_val = len(data.y_val)
    assert n_val == 120
    scored = {e.expression: (e.accuracy, e.name) for e in state.scored}
    scored.update({name: (acc, name) for name, acc in state.baselines.items()})
    assert set(scored) == set(BY_HAND)
    baselines, batch = records
    for expression, (accuracy, name) in scored.items():
        record = baselines if name in engine.BASELINES else batch
        assert len(accuracy) == TINY.seeds
        for seed, acc in enumerate(accuracy):
            correct, val_losses = _keras_run(BY_HAND[expression], seed, TINY, data)
            # Exact: accuracy is a count of the 120 validation signals, so equal weights give
            # the same count; the app's float32 mean of 0/1 hits is count/120 to float32
            # rounding (6e-8 relative), far below one signal's 1/120.
            assert round(acc * n_val) == correct, f"{expression} seed {seed}"
            assert acc == pytest.approx(correct / n_val, abs=1e-6)
            # Losses: the fused engine's sums are ordered otherwise than Keras's, so they agree
            # to float32 rounding grown over 2 epochs, the tolerance of test_training.py.
            [branch] = [b for b in record.by_activation()[name] if b.seed == seed]
            np.testing.assert_allclose(branch.val_loss, val_losses, rtol=2e-4, atol=1e-6)
    assert state.scored[0].spread >= 0 and state.leaderboard()[0].score == max(
        e.score for e in state.scored
    )


# --- evolution, with a train that trains nothing ---


def _record(config, accuracies):
    """A finished comparison of `config` whose networks ended at `accuracies[name][seed]`."""
    branches = [
        BranchHistory(
            name,
            seed,
            loss=[1.0],
            val_loss=[1.0],
            metric=[0.5],
            val_metric=[accuracies[name][seed]],
            status="finished",
        )  # fmt: skip
        for name in config.activations
        for seed in range(config.seeds)
    ]
    return Comparison(
        config, "classification", "accuracy", "made up", branches, 0, [1.0], "finished"
    )


class FakeTrain:
    """Scores each candidate by a rule of its entry's index, and keeps every call's batches."""

    def __init__(self, accuracy=lambda index: 0.5, clock=None, seconds_per_call=0.0):
        self.accuracy, self.clock, self.seconds = accuracy, clock, seconds_per_call
        self.calls = []  # per call: [[(name, expression), ...] per batch]

    def __call__(self, batches):
        self.calls.append([[(n, e) for n, e, _ in customs] for _, customs in batches])
        if self.clock is not None:
            self.clock[0] += self.seconds
        out = []
        for config, customs in batches:
            accuracies = {"relu": [0.6] * config.seeds, "silu": [0.62] * config.seeds}
            for name, _, _ in customs:
                accuracies[name] = [self.accuracy(int(name[1:]))] * config.seeds
            out.append((_record(config, accuracies), None))
        return out

    def batches(self):
        return [b for call in self.calls for b in call if b]  # the baselines have no customs


SMALL_SPACE = dict(
    unary=("x", "-x", "|x|", "x²", "σ(x)", "tanh(x)", "erf(x)", "max(x,0)", "sin(x)"),
    binary=("x1·x2", "x1+x2", "max(x1,x2)", "σ(x1)·x2"),
)


def _distinct(index):
    """Accuracies in no order of the index, no two alike (for indices below 101)."""
    return 0.3 + ((index * 37) % 101) / 200


def _settings(**changes):
    base = dict(epochs=1, seeds=2, k=3, candidates=12, population=4, sample=4, **SMALL_SPACE)
    return SearchSettings(**{**base, **changes})


def _passing_screen(named, known, width):
    return [Screened(candidate, name) for name, candidate in named]


def _watch_parents(monkeypatch, state):
    """Record each mutation's parent with the scored entries it could have been drawn from.
    The screen (test_screen.py) is replaced by one that passes every new expression: these
    tests are about the draws, and a real screen costs ~0.3 s of TensorFlow per candidate."""
    monkeypatch.setattr(engine, "screen", _passing_screen)
    monkeypatch.setattr(engine, "_curve", lambda expression: None)
    seen = []
    mutate = Space.mutate

    def watched(space, parent, rng):
        seen.append((parent, [e.candidate for e in state.scored], dict(_scores(state))))
        return mutate(space, parent, rng)

    monkeypatch.setattr(Space, "mutate", watched)
    return seen


def _scores(state):
    return {e.candidate: e.score for e in state.scored}


def test_only_the_most_recent_population_can_be_parents_and_the_best_of_all_ages_out(
    monkeypatch,
):
    # Older is better here (accuracy falls with the index), so a search without ageing would
    # take c0000, the best ever, as the parent of every mutation; regularised evolution takes
    # the best of the 4 most recent scored (sample = population: the whole window).
    settings = _settings(candidates=24)
    state = SearchState(settings)
    parents = _watch_parents(monkeypatch, state)
    run(state, FakeTrain(accuracy=lambda i: 0.9 - 0.01 * i), classes=10)
    assert state.ended == "the budget of 24 candidates is spent"
    assert len(parents) > 3
    for parent, scored, scores in parents:
        window = scored[-settings.population :]
        assert parent in window
        assert scores[parent] == max(scores[c] for c in window)  # the best of the window
    assert state.scored[0].candidate not in [p for p, _, _ in parents[-3:]]  # aged out


@pytest.mark.parametrize("sample", [1, 2])
def test_the_tournament_takes_the_best_of_its_sample(monkeypatch, sample):
    # With a sample of 2 the worst of the window can never win; with a sample of 1 (a parent
    # drawn at random) it does, which shows this test can see the difference.
    settings = _settings(candidates=40, population=4, sample=sample)
    state = SearchState(settings)
    parents = _watch_parents(monkeypatch, state)
    run(state, FakeTrain(accuracy=_distinct), classes=10)
    worst_chosen = 0
    for parent, scored, scores in parents:
        window = scored[-settings.population :]
        assert parent in window
        worst_chosen += scores[parent] == min(scores[c] for c in window)
    if sample == 1:
        assert worst_chosen > 0
    else:
        assert worst_chosen == 0


def test_the_candidate_budget_ends_the_search_with_its_reason():
    train = FakeTrain()
    state = run(SearchState(_settings(candidates=7, k=3)), train, classes=10)
    assert (state.status, state.ended) == ("finished", "the budget of 7 candidates is spent")
    assert len(state.scored) == 7
    assert [len(b) for b in train.batches()] == [3, 3, 1]  # the last batch only fills the budget


def test_the_time_budget_ends_the_search_with_its_reason(monkeypatch):
    # The search's clock is replaced by one that each batch moves on 40 s: no wall time.
    clock = [1000.0]
    monkeypatch.setattr(engine, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    train = FakeTrain(clock=clock, seconds_per_call=40.0)
    state = run(SearchState(_settings(minutes=1.5, candidates=100)), train, classes=10)
    # baselines 40 s, batch 1 at 80 s, batch 2 at 120 s >= 90 s: no batch starts after that.
    assert (state.status, state.ended) == ("finished", "the time budget of 1.5 minutes is spent")
    assert len(train.batches()) == 2 and state.seconds == 120.0


def test_a_diverged_seed_counts_as_chance():
    config = _settings().config(("c0000",))
    record = _record(config, {"c0000": [0.7, 0.8]})
    record.branches[1].status, record.branches[1].val_metric = "diverged", []
    assert engine.score(record, "c0000", classes=10) == ([0.7, 0.1], 1)


def test_two_batches_at_once_are_distinct_and_numbered_in_turn():
    # Fails if batches proposed side by side (a cluster's slots) repeat each other's
    # candidates or names, or share a batch number (their draws would be the same).
    train = FakeTrain()
    state = run(SearchState(_settings(candidates=12, k=3)), train, classes=10, parallel=2)
    calls = [c for c in train.calls if any(c)]
    assert [len(c) for c in calls] == [2, 2]
    for first, second in calls:
        assert not {n for n, _ in first} & {n for n, _ in second}
        assert not {e for _, e in first} & {e for _, e in second}
    numbers = []
    for batch in train.batches():
        names = {n for n, _ in batch}
        numbers.append(sorted({e.batch for e in state.scored if e.name in names}))
    assert numbers == [[0], [1], [2], [3]]
    expressions = [e.expression for e in state.entries]
    assert len(expressions) == len(set(expressions))


def _batches_of(train):
    return [tuple(b) for b in train.batches()]


def _resumed(saved: dict, train, **kwargs):
    """A search continued from its saved state, as SearchRunner.resume does (through JSON, as
    the store keeps it; entries still pending when it stopped are dropped)."""
    state = SearchState.from_dict(json.loads(json.dumps(saved)))
    state.entries = [e for e in state.entries if e.status != "pending"]
    return run(state, train, classes=10, **kwargs)


@pytest.mark.parametrize("dropped", [False, True])
def test_a_resumed_search_proposes_exactly_the_batches_of_an_uninterrupted_one(dropped):
    # Fails if a batch's draws depend on anything but (seed, batch number) and the saved state:
    # a generator carried in memory across batches, a set iterated in hash order, an entry
    # numbering that counts dropped candidates. Stopped after batch 2 (dropped: while batch 3
    # trained, so batch 3 is thrown away and must come back the same).
    settings = _settings(candidates=18, k=3, population=4, sample=2)
    whole = FakeTrain(accuracy=_distinct)
    uninterrupted = run(SearchState(settings), whole, classes=10)

    first = FakeTrain(accuracy=whole.accuracy)
    state = SearchState(settings)

    def should_stop():
        if dropped:  # seen as batch 3's training returns: it is dropped, not scored
            return len(first.batches()) >= 3
        return state.batches >= 2  # seen once batch 2 is settled

    stopped = run(state, first, classes=10, should_stop=should_stop)
    assert stopped.status == "stopped" and stopped.batches == 2
    second = FakeTrain(accuracy=whole.accuracy)
    resumed = _resumed(stopped.to_dict(), second)

    assert _batches_of(first)[:2] + _batches_of(second) == _batches_of(whole)
    assert resumed.status == uninterrupted.status == "finished"
    strip = lambda entries: [{**e.to_dict(), "run_id": None} for e in entries]  # noqa: E731
    assert strip(resumed.entries) == strip(uninterrupted.entries)
    assert all(all(call) for call in second.calls)  # the baselines did not train again


def test_settings_and_state_round_trip_through_json():
    state = run(SearchState(_settings(candidates=4)), FakeTrain(), classes=10)
    again = SearchState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again.to_dict() == state.to_dict() and again.settings == state.settings


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(seeds=6), "Seeds"),
        (dict(k=17), "per batch"),
        (dict(sample=40, population=32), "sample"),
        (dict(unary=()), "unary"),
        (dict(minutes=0), "Max minutes must be 0.5 to 1,440"),
    ],
)
def test_bad_settings_are_explained(change, message):
    assert message in " ".join(SearchSettings(**change).problems())


@pytest.mark.parametrize("learn_beta", [False, True])
def test_beta_is_learned_per_unit_only_when_asked_and_only_where_a_candidate_has_it(
    monkeypatch, learn_beta
):
    # Fails if "learn β" is ignored (every β stays 1), or a candidate without β is given a
    # learnable β (the comparison would be refused: it has no such parameter), or β starts
    # elsewhere than 1 or outside the experiment's range [−4, 4].
    monkeypatch.setattr(engine, "screen", _passing_screen)
    monkeypatch.setattr(engine, "_curve", lambda expression: None)
    settings = _settings(
        learn_beta=learn_beta, k=8, unary=("x", "βx", "σ(x)"), binary=("x1·x2", "x1+x2")
    )
    batch = engine.propose(SearchState(settings))
    pending = [e for e in batch.entries if e.status == "pending"]
    assert len(pending) == 8 and any(e.candidate.uses_beta for e in pending)
    assert any(not e.candidate.uses_beta for e in pending)
    learned = dict(batch.config.learnable)
    for entry, (name, expression, params) in zip(pending, batch.customs, strict=True):
        assert (name, expression) == (entry.name, entry.expression)
        if entry.candidate.uses_beta:
            assert params == (("beta", (1.0, -4.0, 4.0)),)
            assert learned.get(name) == ((("beta", "unit"),) if learn_beta else None)
        else:
            assert params == () and name not in learned
    # ... and the comparison is one a job accepts: each learned β is a parameter it has.
    spec = JobSpec(batch.config, tuple(CustomSpec(*c) for c in batch.customs))
    assert batch.config.problems() == [] and learning_problems(batch.config, spec.catalogue()) == []
