"""AppTest helpers shared by the page tests."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import jobs

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
    the page's self-refreshing fragment on a clock)."""
    for queue in list(jobs._QUEUES.values()):
        for job in queue.active():
            queue.wait(job.id, timeout)
    app.run()
    assert not app.exception
    return app


def spec(chart) -> dict:
    return json.loads(chart.proto.spec)
