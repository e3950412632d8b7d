"""AppTest helpers shared by the page tests."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest, element_tree, local_script_runner

from core.serve import jobs
from core.serve.store import data_dir

APP = str(Path(__file__).resolve().parents[2] / "explorer.py")


def open_app(page: str | None = None) -> AppTest:
    """A fresh session of the app (TensorFlow's import needs more than AppTest's default 3 s),
    switched to `page` when given, checked to have run without an exception."""
    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    if page:
        app.switch_page(page).run()
    assert not app.exception
    return app


def open_link(page: str, **query: str) -> AppTest:
    """A fresh session opened from a link to `page` with `query` in its URL, checked to have run
    without an exception."""
    app = AppTest.from_file(APP, default_timeout=300)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception
    return app


def finish_jobs(app: AppTest, timeout: float = 300) -> AppTest:
    """Wait until every job the app started has ended, then rerun the page (AppTest does not run
    the page's self-refreshing fragment on a clock). The pages queue every job in the one queue
    of the data folder in use (ui.jobs.job_queue), and each test has its own folder."""
    queue = jobs.queue_for(str(data_dir()), None)  # the page's queue; None leaves its store be
    for job in queue.active():
        queue.wait(job.id, timeout)
    app.run()
    assert not app.exception
    return app


def finish_task(app: AppTest, kind: str, key: str, timeout: float = 600) -> AppTest:
    """Wait for the page's task of `kind` and `key` to end (it runs on the server, not in the
    page), then rerun the page as its self-refreshing view would."""
    from core.serve.tasks import runner_for

    runner = runner_for(str(data_dir()), None)
    task = runner.latest(kind, key)
    assert task is not None, "no task was started"
    ended = runner.wait(task.id, timeout=timeout)
    assert not ended.error, ended.error
    app.run()
    assert not app.exception
    return app


def spec(chart) -> dict:
    return json.loads(chart.proto.spec)


@pytest.fixture()
def layouts(monkeypatch):
    """Each dataframe's height as the page asked for it, in order, from the app's last run:
    "content" (every row shown), an int of pixels, or "stretch". AppTest's element tree drops
    the Element proto that carries it, so the messages are read before the tree is built."""
    seen: list[list] = []

    def parse(messages):
        seen.append(messages)
        return element_tree.parse_tree_from_messages(messages)

    monkeypatch.setattr(local_script_runner, "parse_tree_from_messages", parse)

    def dataframe_heights() -> list:
        heights = []
        for msg in seen[-1]:
            element = msg.delta.new_element if msg.HasField("delta") else None
            if element is None or element.WhichOneof("type") != "dataframe":
                continue
            spec = element.height_config.WhichOneof("height_spec")
            if spec == "pixel_height":
                heights.append(element.height_config.pixel_height)
            else:
                heights.append({"use_content": "content", "use_stretch": "stretch"}.get(spec))
        return heights

    return dataframe_heights
