"""What watching costs: three small Train jobs trained by the server while three browser tabs
follow them live, against the same three jobs trained by a job queue in this process with no
page open. Both train one job at a time, so the ratio is the server's overhead: page reruns
(each live tab redraws every second) competing with the training thread for the GIL.

`--streamlit-gc` adds a run with Streamlit's default `runner.postScriptGC = true` (a full
gc.collect after every script run, which this app turns off in .streamlit/config.toml) to show
what that setting costs. Last line: `server with 3 live tabs/in-process = R`.

    python bench/live_pages.py [--streamlit-gc]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playwright.sync_api import sync_playwright  # noqa: E402

import core  # noqa: E402,F401  (TensorFlow's process settings, set before it loads)
from bench.browser import CHROMIUM_ARGS, chromium_path, streamlit_server  # noqa: E402
from core.serve.executors import JobSpec, LocalExecutor  # noqa: E402
from core.serve.jobs import JobQueue  # noqa: E402
from core.serve.store import RunStore  # noqa: E402
from core.train.settings import TrainConfig  # noqa: E402

# Three Train links and the configurations they stand for (MNIST, the app's defaults otherwise).
QUERIES = (
    "act=relu,tanh&ep=2&n=800",
    "act=gelu,elu&ep=2&n=800&opt=sgd&lr=0.1",
    "act=elu,sigmoid&ep=2&n=800&depth=2&width=32&seeds=2",
)
CONFIGS = (
    TrainConfig(activations=("relu", "tanh"), epochs=2, samples=800),
    TrainConfig(
        activations=("gelu", "elu"), epochs=2, samples=800, optimizer="sgd", learning_rate=0.1
    ),
    TrainConfig(activations=("elu", "sigmoid"), epochs=2, samples=800, depth=2, width=32, seeds=2),
)


def in_process() -> float:
    queue = JobQueue(RunStore(Path(tempfile.mkdtemp()) / "runs.sqlite"), LocalExecutor(), 1)
    start = time.perf_counter()
    jobs = [queue.submit(JobSpec(config)) for config in CONFIGS]
    for job in jobs:
        queue.wait(job.id)
    return time.perf_counter() - start


def in_server(browser, env: dict[str, str]) -> float:
    env = {"EXPLORER_DATA_DIR": tempfile.mkdtemp(), **env}
    with streamlit_server("explorer.py", env=env) as (url, _, _):
        contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in QUERIES]
        pages = [c.new_page() for c in contexts]
        # Warm-up, as in-process had: TensorFlow's one-off tracing costs, the MNIST read.
        pages[0].goto(f"{url}/train?{QUERIES[0]}")
        pages[0].get_by_role("button", name="Train", exact=True).click()
        pages[0].get_by_text("Saved as run").first.wait_for(timeout=600_000)
        for page, query in zip(pages, QUERIES, strict=True):
            page.goto(f"{url}/train?{query}")
            page.get_by_role("button", name="Train", exact=True).wait_for(timeout=120_000)
        start = time.perf_counter()
        for page in pages:
            page.get_by_role("button", name="Train", exact=True).click()
        for page in pages:
            page.get_by_text("Saved as run").first.wait_for(timeout=600_000)
        seconds = time.perf_counter() - start
        for c in contexts:
            c.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streamlit-gc", action="store_true")
    args = parser.parse_args()
    in_process()  # warm-up: TensorFlow's one-off costs, the packaged MNIST read
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        base = in_process()
        print(f"in-process: {base:.1f} s", flush=True)
        if args.streamlit_gc:
            slow = in_server(browser, {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"})
            print(f"server, Streamlit's postScriptGC: {slow:.1f} s", flush=True)
            print(f"server with Streamlit's postScriptGC/in-process = {slow / base:.2f}")
        app = in_server(browser, {})
        print(f"server as configured: {app:.1f} s", flush=True)
        browser.close()
    print(f"server with 3 live tabs/in-process = {app / base:.2f}")


if __name__ == "__main__":
    main()
