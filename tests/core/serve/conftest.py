"""One local Ray cluster for the tests that need one (the "ray" xdist group runs them on one
worker): started once for this package's tests (shut down after them, not kept for the rest of
the worker's run) as the app starts it, from a thread that ends right after (a
Streamlit script run's). A cluster per module took its start and its workers' TensorFlow import
twice, a quarter of a minute each on a quiet machine."""

import threading

import pytest


@pytest.fixture(scope="package")
def ray_executor():
    import ray

    from core.serve.ray_executor import RayExecutor

    made = []
    thread = threading.Thread(target=lambda: made.append(RayExecutor("local", num_cpus=2)))
    thread.start()
    thread.join()
    yield made[0]
    ray.shutdown()
