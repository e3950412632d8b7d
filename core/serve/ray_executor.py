"""Jobs on a Ray cluster: each job trains in a Ray actor, anywhere on the cluster, and sends its
record back after every epoch, as the local executor yields it.

Chosen when EXPLORER_RAY_ADDRESS is set (core/serve/jobs.py `default_executor`): `auto` or
`ray://head:10001` for a running cluster, `local` to start one on this machine. Ray is the
engine; this module only adapts it to the `Executor` interface. The app's code travels with each
job (`runtime_env` `py_modules`), so the cluster's nodes need the pinned packages of
requirements.txt plus Ray, not a copy of the app.

Progress by batch and Stop work as locally: the actor serves `batches()` and `stop()` while it
trains (`max_concurrency=2`). The trained weights stay on the cluster, so a Ray job's run has no
.keras download (the page says to train again without Ray for it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import activations
import core
from core.serve.executors import Executor, JobControl, JobSpec, LocalExecutor
from core.serve.tasks import start_thread
from core.train.record import Comparison

CONNECT_SECONDS = 120  # a local start on a busy 2-core machine took 15–40 s
POLL_SECONDS = 0.5  # how often progress by batch is fetched while an epoch trains
START_SECONDS = 600  # an actor that has not started by then never will (a busy start: ~40 s)
_CONNECT_LOCK = threading.Lock()


def connect(address: str, num_cpus: int | None = None) -> int:
    """Join the Ray cluster at `address` (or start a local one for "local") once per process;
    returns the cluster's CPU count.

    `ray.init` runs in a thread of its own that lives as long as the process: a local cluster's
    processes get PR_SET_PDEATHSIG, a signal when the *thread* that started them ends, and a
    Streamlit script run's thread ends with the run (the cluster then died a minute later,
    taking the server with it: Ray's driver aborts when its GCS is gone)."""
    import ray

    with _CONNECT_LOCK:
        if not ray.is_initialized():
            started, failure = threading.Event(), []

            def keeper() -> None:
                try:
                    _init(ray, address, num_cpus)
                except BaseException as exc:  # handed to the caller below
                    failure.append(exc)
                started.set()
                if not failure:
                    threading.Event().wait()  # never returns: the cluster's parent thread

            start_thread(keeper, "ray-keeper")
            if not started.wait(CONNECT_SECONDS):
                raise TimeoutError(f"no answer from Ray at {address} in {CONNECT_SECONDS} s")
            if failure:
                raise failure[0]
    return int(ray.cluster_resources().get("CPU", 1))


def _init(ray, address: str, num_cpus: int | None) -> None:
    runtime_env = {"py_modules": [activations, core]}
    common = dict(runtime_env=runtime_env, log_to_driver=False, include_dashboard=False)
    if address == "local":
        ray.init(num_cpus=num_cpus or os.cpu_count(), **common)
    else:
        ray.init(address=address, **common)


class _Trainer:
    """One job, inside a Ray actor: the local executor's loop, stepped one epoch per call."""

    def __init__(self, spec: JobSpec):
        self.control = JobControl()
        self.epochs = LocalExecutor().run(spec, self.control)

    def next(self) -> dict | None:
        """Train to the next record (one epoch, or the end); None when the job is over."""
        try:
            record = next(self.epochs)
        except StopIteration:
            self.control.trained = None
            return None
        return record.to_dict()

    def stop(self) -> None:
        self.control.request_stop()

    def batches(self) -> tuple[int, int] | None:
        return self.control.batches()


class RayExecutor(Executor):
    """Trains each job as a Ray actor that needs `cpus_per_job` of the cluster's CPUs."""

    def __init__(self, address: str, cpus_per_job: float = 1, num_cpus: int | None = None):
        self.address = address
        self.cpus_per_job = cpus_per_job
        self.cluster_cpus = connect(address, num_cpus)

    @property
    def slots(self) -> int:
        """How many jobs the cluster can train at once."""
        return max(1, int(self.cluster_cpus // self.cpus_per_job))

    def run(self, spec: JobSpec, control: JobControl) -> Iterator[Comparison]:
        import ray

        # Ray's type stubs leave out the actor options (max_concurrency); Ray accepts them.
        options = dict(num_cpus=self.cpus_per_job, max_concurrency=2)
        trainer = ray.remote(**options)(_Trainer)  # type: ignore[call-overload]
        actor = trainer.remote(spec)
        progress: list = [None]
        control.watch_batches(lambda: progress[0])
        control.on_stop(lambda: actor.stop.remote())
        try:
            self._wait_started(ray, actor, control)
            while True:
                ref = actor.next.remote()
                # One progress request is outstanding at a time and read when it answers,
                # however long that takes: a fixed get-timeout (0.5 s) dropped every answer
                # on a loaded machine, where the actor, busy training, replied later than that,
                # and the page never saw a batch.
                asked = actor.batches.remote()
                while True:
                    done, _ = ray.wait([ref, asked], num_returns=1, timeout=POLL_SECONDS)
                    if ref in done:
                        break
                    if asked in done:
                        progress[0] = ray.get(asked)
                        asked = actor.batches.remote()
                record = ray.get(ref)
                if record is None:
                    return
                yield Comparison.from_dict(record)
        finally:
            ray.kill(actor)

    @staticmethod
    def _wait_started(ray, actor, control: JobControl) -> None:
        """Until the actor runs (its constructor loads the data and builds the networks); a
        worker that never starts ends the job with that said, instead of a silent wait."""
        ready = actor.__ray_ready__.remote()
        waited = 0.0
        while not ray.wait([ready], timeout=POLL_SECONDS)[0]:
            waited += POLL_SECONDS
            if control.stop_requested():
                return  # the next call finds the stop and ends at once
            if waited >= START_SECONDS:
                raise RuntimeError(
                    f"the Ray worker for this job did not start within {START_SECONDS} s: "
                    "the cluster may have no free CPU or its nodes may lack the packages of "
                    "requirements.txt"
                )
        ray.get(ready)  # a constructor that failed raises its error here
