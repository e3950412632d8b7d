"""Activation searches as server-side jobs: a search runs in a thread of the server process and
trains each batch of candidates as an ordinary job of the server's queue (so it waits its turn
behind Train jobs, trains on Ray when EXPLORER_RAY_ADDRESS is set, and every batch is a run on
the Runs page, named "search N · batch B"). After the baselines and after every batch its state
is saved in the run store; a page only starts, stops, resumes and reads searches.

On a Ray cluster the search hands the queue as many batches at once as the cluster has job slots
(`JobQueue.max_running`), so its batches train side by side on the cluster's nodes.

A search whose server died (its owner process is gone) is marked interrupted when the next
server starts; Resume continues it from its last saved batch, proposing exactly the batches it
would have (core/study/search/search.py seeds each batch's draws by its number). No Streamlit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from core.serve.executors import CustomSpec, JobSpec
from core.serve.jobs import SERVER_ID, JobQueue
from core.serve.store import INTERRUPTED, RunStore, StoreError, owner_alive
from core.study.search import search as engine
from core.study.search.search import SearchSettings, SearchState
from core.train import datasets
from core.train.record import Comparison
from core.train.settings import TrainConfig

POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Live:
    """What a page shows about a search this server is running now (replaced, never changed in
    place, by the thread that owns it)."""

    phase: str = ""  # e.g. "training batch 3 (run 41): epoch 5/15"
    fraction: float = 0.0  # of the candidate budget
    error: str = ""


class SearchRunner:
    """The searches of one data folder: start, stop, resume, read."""

    def __init__(self, store: RunStore, queue: JobQueue):
        self.store, self.queue = store, queue
        self._lock = threading.Lock()
        self._resuming = threading.Lock()
        self._threads: dict[int, threading.Thread] = {}
        self._stops: dict[int, threading.Event] = {}
        self._live: dict[int, Live] = {}
        self._states: dict[int, SearchState] = {}
        self.interrupted = store.interrupt_searches(lambda o: o != SERVER_ID and owner_alive(o))

    # --- what pages call ---
    def start(self, settings: SearchSettings, owner: str = "", name: str = "") -> int:
        """Save a new search and start it; returns its id. Raises ValueError (bad settings) or
        StoreError (a search lives in the run store)."""
        problems = settings.problems()
        if problems:
            raise ValueError(" ".join(problems))
        state = SearchState(settings)
        name = name.strip() or default_name(settings)
        search_id = self.store.save_search(state.to_dict(), name, owner=SERVER_ID)
        self._launch(search_id, state, owner)
        return search_id

    def resume(self, search_id: int, owner: str = "") -> bool:
        """Continue a stopped or interrupted search from its last saved batch; False when it is
        running already or has finished."""
        # One resume at a time, from its read of the status to its thread's start: two
        # sessions clicking Resume together both read "stopped" and ran the search twice.
        with self._resuming:
            if self.running(search_id):
                return False
            state = SearchState.from_dict(self.store.search(search_id).state)
            if state.status not in ("stopped", INTERRUPTED, "failed"):
                return False
            state.entries = [e for e in state.entries if e.status != "pending"]
            state.status = "running"
            self.store.update_search(search_id, state.to_dict(), owner=SERVER_ID)
            self._launch(search_id, state, owner)
            return True

    def stop(self, search_id: int) -> None:
        """Stop a running search: its batch in training stops within a batch of samples and is
        not scored; what was scored stays."""
        with self._lock:
            event = self._stops.get(search_id)
        if event is not None:
            event.set()

    def running(self, search_id: int) -> bool:
        thread = self._threads.get(search_id)
        return thread is not None and thread.is_alive()

    def state(self, search_id: int) -> SearchState:
        """The search now: from memory while this server runs it, else from the store (raises
        MissingRun for an unknown id)."""
        with self._lock:
            if search_id in self._states and self.running(search_id):
                return SearchState.from_dict(self._states[search_id].to_dict())
        return SearchState.from_dict(self.store.search(search_id).state)

    def live(self, search_id: int) -> Live:
        with self._lock:
            return self._live.get(search_id, Live())

    def wait(self, search_id: int, timeout: float = 600) -> SearchState:
        """Until the search has ended (tests and benchmarks)."""
        thread = self._threads.get(search_id)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError(f"search {search_id} still running after {timeout:g} s")
        return self.state(search_id)

    # --- the thread ---
    def _launch(self, search_id: int, state: SearchState, owner: str) -> None:
        stop = threading.Event()
        thread = threading.Thread(
            target=self._work, args=(search_id, state, owner, stop), name=f"search-{search_id}"
        )
        thread.daemon = True
        with self._lock:
            # A copy: the thread changes `state` in place while a page may read this one.
            self._stops[search_id] = stop
            self._states[search_id] = SearchState.from_dict(state.to_dict())
            self._live[search_id] = Live("starting")
            self._threads[search_id] = thread
        thread.start()

    def _set(self, search_id: int, **changes) -> None:
        with self._lock:
            old = self._live.get(search_id, Live())
            self._live[search_id] = Live(**{**old.__dict__, **changes})

    def _work(self, search_id: int, state: SearchState, owner: str, stop: threading.Event):
        settings = state.settings

        def save(s: SearchState, who: str = SERVER_ID) -> None:
            with self._lock:
                self._states[search_id] = SearchState.from_dict(s.to_dict())
            try:
                self.store.update_search(search_id, s.to_dict(), owner=who)
            except StoreError as exc:  # the search goes on; the next batch saves again
                self._set(search_id, error=f"The search could not be saved just now ({exc}).")
            fraction = len(s.scored) / max(1, settings.candidates)
            self._set(search_id, fraction=min(1.0, fraction))

        def train(batches: list[tuple[TrainConfig, tuple]]) -> list[tuple[Comparison, int | None]]:
            first = state.batches
            jobs = []
            for i, (config, customs) in enumerate(batches):
                spec = JobSpec(config, tuple(CustomSpec(n, e, p) for n, e, p in customs))
                label = "baselines" if not customs else f"batch {first + i + 1}"
                job = self.queue.submit(
                    spec, owner, name=f"search {search_id} · {label}", tags="search"
                )
                jobs.append(job)
            while any(j.active for j in jobs):
                if stop.is_set():
                    for j in reversed(jobs):
                        self.queue.stop(j.id, keep=True)
                self._set(search_id, phase=_phase(jobs, first))
                time.sleep(POLL_SECONDS)
            failed = [j for j in jobs if j.record.status not in ("finished",) and not stop.is_set()]
            if failed:
                j = failed[0]
                raise RuntimeError(f"run {j.id} ended {j.record.status}: {j.error}".rstrip(": "))
            return [(j.record, j.id if j.saved else None) for j in jobs]

        try:
            classes = datasets.load_shared(
                settings.dataset, settings.samples or None, settings.val_fraction, 1.0,
                settings.data_seed,
            ).n_outputs  # fmt: skip
            self._set(search_id, phase="screening the first candidates")
            engine.run(
                state,
                train,
                classes,
                should_stop=stop.is_set,
                on_batch=save,
                parallel=self.queue.max_running,
            )
            self._set(search_id, phase=state.ended)
        except Exception as exc:  # the thread must end its search, whatever went wrong
            state.status, state.ended = "failed", f"{type(exc).__name__}: {exc}"
            self._set(search_id, error=f"The search failed: {state.ended}")
        finally:
            state.entries = [e for e in state.entries if e.status != "pending"]
            save(state, who="")


def _phase(jobs, first: int) -> str:
    parts = []
    for i, job in enumerate(jobs):
        if job.state == "queued":
            parts.append(f"batch {first + i + 1} (run {job.id}) waits for other jobs")
        elif job.active:
            p = job.progress()
            parts.append(
                f"batch {first + i + 1} (run {job.id}): epoch {p['epoch'] + 1}/{p['epochs']}"
            )
    return "; ".join(parts) or "screening candidates"


def default_name(settings: SearchSettings) -> str:
    beta = ", β learned" if settings.learn_beta else ""
    return f"{settings.dataset} · {settings.candidates} candidates · seed {settings.seed}{beta}"


_RUNNERS: dict[str, SearchRunner] = {}
_RUNNERS_LOCK = threading.Lock()


def runner_for(key: str, store: RunStore, queue: JobQueue) -> SearchRunner:
    """The process's one search runner for a data folder (`key`), made on first use; kept
    outside any Streamlit cache so clearing caches never loses a running search."""
    with _RUNNERS_LOCK:
        if key not in _RUNNERS:
            _RUNNERS[key] = SearchRunner(store, queue)
        return _RUNNERS[key]
