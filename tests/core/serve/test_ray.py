"""Jobs on Ray: a local Ray cluster (`ray.init(num_cpus=2)`, as CI runs it) trains the same
numbers as this process, reports its epochs as they end, stops within a batch, and an
unreachable address falls back to local training with a notice."""

import time

import pytest
import ray  # requirements-test.txt installs it: without it these tests fail, never skip

from activations import shared_catalogue
from core.serve import jobs
from core.serve.executors import JobSpec, LocalExecutor
from core.serve.grid import Grid
from core.serve.jobs import JobQueue, submit_sweep
from core.serve.store import RunStore
from core.train.settings import TrainConfig

SMALL = dict(dataset="friedman", samples=600, width=16, batch_size=64, epochs=3)

# One worker runs every test that starts a Ray cluster (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("ray")


def test_the_cluster_outlives_the_thread_that_started_it(ray_executor):
    # Fails if the local cluster's processes die with the thread that started them (Linux's
    # PR_SET_PDEATHSIG is per thread): the app starts Ray from a script run's thread, and a
    # minute later Ray's driver aborted the whole server. Dead, no task can run here.
    time.sleep(3)
    assert ray.get(ray.remote(lambda: 42).remote(), timeout=45) == 42


class _Recording(RunStore):
    def __init__(self, path):
        super().__init__(path)
        self.writes = []

    def update(self, run_id, comparison, owner=None):
        self.writes.append((run_id, comparison.epochs_done, comparison.status))
        super().update(run_id, comparison, owner)


def _histories(record):
    return [
        (b.activation, b.seed, b.loss, b.val_loss, b.metric, b.val_metric) for b in record.branches
    ]


def test_a_sweep_on_ray_equals_local_training_and_is_saved_epoch_by_epoch(tmp_path, ray_executor):
    # Fails if a job on Ray trains different numbers (another config, data, seed or rate reaches
    # the actor), if its epochs only come back at the end, or if a sweep's runs do not all land
    # in the store under their own depth.
    assert ray_executor.slots == 2
    store = _Recording(tmp_path / "ray.sqlite")
    queue = JobQueue(store, ray_executor)
    assert queue.max_running == 2  # the cluster's room, not this server's one job
    base = TrainConfig(activations=("relu", "tanh"), learning_rates=(0.001, 0.01), seeds=2, **SMALL)
    grid = Grid(base, (1, 3), (16,))
    row = store.sweep(submit_sweep(queue, grid, shared_catalogue()))
    local = JobQueue(RunStore(tmp_path / "local.sqlite"), LocalExecutor())
    for depth, width, run_id in row.runs:
        job = queue.wait(run_id, 600)
        assert job.error == "" and job.record.status == "finished"
        saved = store.load(run_id)
        assert (saved.config.depth, saved.config.width) == (depth, width)
        alone = local.wait(local.submit(JobSpec(grid.config(depth, width))).id, 600)
        assert _histories(saved) == _histories(alone.record)
        per_epoch = [e for i, e, s in store.writes if i == run_id and s == "running"]
        assert per_epoch[:4] == [0, 1, 2, 3]  # each epoch written as it ended


def test_a_ray_job_stops_within_a_batch_and_keeps_its_finished_epochs(tmp_path, ray_executor):
    # Fails if Stop never reaches the actor (the job would train all 50 epochs) or if progress
    # by batch does not come back from the cluster: on a loaded CI machine the executor's
    # 0.5 s get-timeout dropped every progress answer, and this test waited 300 s for nothing.
    # It waits for events only: the progress it needs, or the job's end (a worker that never
    # starts ends the job with RayExecutor's message, which the assertion shows).
    config = TrainConfig(
        activations=("relu",), dataset="friedman", samples=8_000, width=128, depth=3,
        batch_size=16, epochs=50,
    )  # fmt: skip
    queue = JobQueue(RunStore(tmp_path / "runs.sqlite"), ray_executor)
    job = queue.submit(JobSpec(config), "a session")
    while not (job.record.epochs_done >= 1 and (job.control.batches() or (0, 0))[0] > 5):
        assert job.active, f"the job ended before any progress came back: {job.error!r}"
        time.sleep(0.1)
    assert queue.stop(job.id, "a session")
    job = queue.wait(job.id, 600)
    assert job.record.status == "stopped"
    assert 1 <= job.record.epochs_done < 50


def test_an_unreachable_cluster_falls_back_to_local_training_with_a_notice(monkeypatch):
    # Fails if a wrong address breaks every page (the queue could not be made) or is silent.
    monkeypatch.setenv(jobs.RAY_ENV, "ray://nowhere.invalid:1")
    monkeypatch.setattr(ray, "is_initialized", lambda: False)

    def refuse(*args, **kwargs):
        raise ConnectionError("cannot reach nowhere.invalid")

    monkeypatch.setattr(ray, "init", refuse)
    executor, notice = jobs.default_executor()
    assert isinstance(executor, LocalExecutor)
    assert "ray://nowhere.invalid:1" in notice and "cannot reach" in notice
