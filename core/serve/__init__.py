"""Serving the work: jobs owned by the server process (the queue; executors that train here or
on a Ray cluster), the run store, and the runners of sweeps and experiments."""
