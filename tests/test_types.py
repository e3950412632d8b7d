"""`mypy` finds nothing in core/ and charts/ (the files and settings are in pyproject.toml). Fails
when a change there hands a module a value of the wrong kind: a `Shown` where a record is read, a
`TrainConfig` field that does not exist, an optional value used as if it were always there."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean_on_core_and_charts():
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "Success: no issues found" in done.stdout
