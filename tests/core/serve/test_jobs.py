"""Jobs: a comparison trains in a worker owned by the queue, is saved epoch by epoch, stops
within a batch, waits its turn, and a job cut off by a dead server is found as interrupted."""

import pickle
import socket
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from activations import shared_catalogue
from activations.expression import custom_activation
from core.serve import jobs
from core.serve.executors import JobSpec, LocalExecutor
from core.serve.jobs import JobQueue
from core.serve.store import RunStore
from core.train import datasets
from core.train.settings import TrainConfig
from core.train.training import new_record, train_compare

SMALL = dict(dataset="friedman", samples=600, width=16, batch_size=64, epochs=3)

OWNER = "the session that submitted it"


@pytest.fixture()
def store(tmp_path):
    return RunStore(tmp_path / "runs.sqlite")


def _alone(config: TrainConfig, catalogue=None):
    data = datasets.load_shared(
        config.dataset, config.samples or None, config.val_fraction, config.noise, config.data_seed
    )
    return train_compare(config, data, catalogue)


class _Recording(RunStore):
    """A store that remembers what each update wrote (epochs done, status)."""

    def __init__(self, path):
        super().__init__(path)
        self.writes = []

    def update(self, run_id, comparison, owner=None):
        self.writes.append((comparison.epochs_done, comparison.status))
        super().update(run_id, comparison, owner)


def test_a_job_trains_and_writes_every_epoch_as_it_ends(tmp_path):
    # Fails if a job saves only at the end (a closed tab or a dead server would lose it all),
    # or if training in a worker changes the numbers.
    store = _Recording(tmp_path / "runs.sqlite")
    config = TrainConfig(activations=("relu", "tanh"), **SMALL)
    queue = JobQueue(store, max_running=1)
    job = queue.submit(JobSpec(config))
    assert store.load(job.id).status in ("queued", "running")  # in the store before training
    queue.wait(job.id, 300)
    # Each epoch is written as it ends (while the job is still running), then the outcome.
    assert store.writes[:4] == [(0, "running"), (1, "running"), (2, "running"), (3, "running")]
    assert store.writes[-1] == (3, "finished")
    saved, alone = store.load(job.id), _alone(config)
    assert saved.status == "finished" and [s.status for s in store.runs()] == ["finished"]
    for a, b in zip(saved.branches, alone.branches, strict=True):
        assert a.loss == b.loss and a.val_metric == b.val_metric
    assert store.runs()[0].owner == ""  # nobody is training it any more


def test_stop_mid_epoch_drops_the_unfinished_epoch_and_keeps_the_rest(store):
    # Big epochs: a stop that only took effect between epochs would finish this one.
    config = TrainConfig(
        activations=("relu",), dataset="friedman", samples=60_000, width=256, depth=4,
        batch_size=16, epochs=50,
    )  # fmt: skip
    queue = JobQueue(store, max_running=1)
    job = queue.submit(JobSpec(config), OWNER)
    deadline = time.monotonic() + 300
    while True:  # well inside the second epoch (the counter still shows 3375 as it ends)
        done_at_stop = job.record.epochs_done
        batch_at_stop, per_epoch = job.control.batches() or (0, 1)
        if done_at_stop == 1 and 5 <= batch_at_stop <= per_epoch // 2:
            break
        assert time.monotonic() < deadline and done_at_stop < 2
        time.sleep(0.01)
    assert queue.stop(job.id, OWNER)
    queue.wait(job.id, 120)
    saved = store.load(job.id)
    assert saved.status == "stopped" and saved.branches[0].status == "stopped"
    assert saved.epochs_done == done_at_stop == len(saved.branches[0].loss)
    assert batch_at_stop < per_epoch  # it was stopped inside an epoch
    batches_run, _ = job.trained.batches()  # the trained networks of the latest job
    assert batches_run < per_epoch  # and that epoch never ran to its end


def test_stop_before_the_first_epoch_leaves_a_stopped_run_with_its_configuration(store):
    config = TrainConfig(
        activations=("relu", "tanh"), dataset="friedman", samples=60_000, width=256,
        batch_size=16, epochs=5,
    )  # fmt: skip
    queue = JobQueue(store, max_running=1)
    job = queue.submit(JobSpec(config), OWNER)
    while not (job.control.batches() or (0, 0))[0]:
        time.sleep(0.02)
    assert queue.stop(job.id, OWNER)
    queue.wait(job.id, 120)
    saved = store.load(job.id)
    assert saved.status == "stopped" and saved.epochs_done == 0
    assert saved.config == config


def test_jobs_wait_their_turn_and_each_equals_its_run_alone(store):
    queue = JobQueue(store, max_running=1)
    first = TrainConfig(activations=("relu", "elu"), **SMALL)
    second = TrainConfig(activations=("gelu",), **{**SMALL, "data_seed": 3})
    a, b = queue.submit(JobSpec(first)), queue.submit(JobSpec(second))
    assert b.state == "queued" and queue.position(b.id) == 1
    assert [j.id for j in queue.active()] == [a.id, b.id]
    queue.wait(b.id, 300)
    assert a.state == b.state == "finished" and not a.active
    for job, config in ((a, first), (b, second)):
        alone = _alone(config)
        for x, y in zip(store.load(job.id).branches, alone.branches, strict=True):
            assert x.loss == y.loss


def test_a_queued_job_can_be_cancelled(store):
    queue = JobQueue(store, max_running=1)
    long = TrainConfig(activations=("relu",), **{**SMALL, "epochs": 200})
    running, waiting = queue.submit(JobSpec(long), OWNER), queue.submit(JobSpec(long), OWNER)
    # The task model's owner rule: another session, or none, stops nothing.
    assert not queue.stop(waiting.id, "another session") and not queue.stop(waiting.id, None)
    assert waiting.state == "queued"
    assert queue.stop(waiting.id, OWNER)
    assert waiting.state == "cancelled" and queue.position(waiting.id) is None
    assert waiting.id not in {r.id for r in store.runs()}  # it trained nothing
    assert queue.stop(running.id, OWNER)
    queue.wait(running.id, 120)
    time.sleep(0.5)  # a cancelled job that was still in line would start now
    assert waiting.state == "cancelled" and queue.active() == []
    assert waiting.record.epochs_done == 0


def test_a_session_custom_travels_in_the_spec_as_plain_data(store):
    custom = custom_activation("sw", "x * tf.sigmoid(b * x)", {"b": (1.5, 0.0, 3.0)})
    catalogue = shared_catalogue().with_customs([custom])
    config = TrainConfig(activations=("sw", "relu"), **SMALL)
    spec = JobSpec.of(config, catalogue)
    assert pickle.loads(pickle.dumps(spec)) == spec  # no closures or TF objects inside
    queue = JobQueue(store, max_running=1)
    job = queue.wait(queue.submit(spec).id, 300)
    alone = _alone(config, catalogue)
    assert [b.loss for b in job.record.branches] == [b.loss for b in alone.branches]


def test_a_job_cut_off_by_a_dead_server_is_found_interrupted_with_its_epochs(store):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    config = TrainConfig(activations=("relu",), **SMALL)
    record = new_record(config, JobSpec(config).dataset())
    record.status = "running"
    run_id = store.save(record, owner=f"{dead.pid}@{socket.gethostname()}")
    queue = JobQueue(store, max_running=1)
    assert queue.interrupted == [run_id]
    assert store.load(run_id).status == "interrupted"


def test_without_a_store_jobs_still_train(tmp_path):
    queue = JobQueue(None, max_running=1)
    job = queue.wait(queue.submit(JobSpec(TrainConfig(activations=("relu",), **SMALL))).id, 300)
    assert job.id < 0 and not job.saved and job.record.status == "finished"
    assert np.isfinite(job.record.branches[0].loss).all()


def test_bad_configurations_are_refused_at_submit(store):
    queue = JobQueue(store, max_running=1)
    with pytest.raises(ValueError, match="at least one"):
        queue.submit(JobSpec(TrainConfig(activations=(), **SMALL)))
    with pytest.raises(ValueError, match="nope"):
        queue.submit(JobSpec(TrainConfig(activations=("nope",), **SMALL)))
    assert store.runs() == []


class _FailsFirst:
    """An executor whose first job raises before training; the others train as usual."""

    def __init__(self):
        self.calls = 0
        self.local = LocalExecutor()

    def run(self, spec, control):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("worker lost")
        yield from self.local.run(spec, control)


def test_a_job_whose_worker_fails_ends_failed_and_the_next_one_runs(store):
    # Without the worker's finally, the failed job would stay "running" and hold the only slot.
    queue = JobQueue(store, executor=_FailsFirst(), max_running=1)
    config = TrainConfig(activations=("relu",), **SMALL)
    first, second = queue.submit(JobSpec(config)), queue.submit(JobSpec(config))
    queue.wait(second.id, 300)
    assert first.state == "failed" and "worker lost" in first.error
    failed = store.load(first.id)
    assert failed.status == "failed" and {b.status for b in failed.branches} == {"failed"}
    assert store.load(second.id).status == "finished"


class _FlakyStore(RunStore):
    """Its second update fails as a locked database would."""

    def __init__(self, path):
        super().__init__(path)
        self.updates = 0

    def update(self, run_id, comparison, owner=None):
        self.updates += 1
        if self.updates == 2:
            raise sqlite3.OperationalError("database is locked")
        super().update(run_id, comparison, owner)


def test_one_failed_write_does_not_stop_the_saving(tmp_path):
    store = _FlakyStore(tmp_path / "runs.sqlite")
    queue = JobQueue(store, max_running=1)
    job = queue.wait(queue.submit(JobSpec(TrainConfig(activations=("relu",), **SMALL))).id, 300)
    saved = store.load(job.id)
    assert job.saved and saved.status == "finished" and saved.epochs_done == 3


def test_a_run_owned_by_this_process_id_at_start_is_an_orphan(store):
    # In a container a restarted server often gets the same pid (and host) as the dead one.
    config = TrainConfig(activations=("relu",), **SMALL)
    record = new_record(config, JobSpec(config).dataset())
    record.status = "running"
    run_id = store.save(record, owner=jobs.SERVER_ID)
    assert JobQueue(store, max_running=1).interrupted == [run_id]
