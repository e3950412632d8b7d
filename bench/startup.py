"""Seconds from `streamlit run explorer.py` to the home page painted in headless Chromium, against a
one-line Streamlit app measured the same way in the same run. Last line: `startup app/hello = R`.

    python bench/startup.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.browser import CHROMIUM_ARGS, ROOT, chromium_path, streamlit_server  # noqa: E402


def time_to_paint(browser, script: Path, text: str) -> float:
    with streamlit_server(script, wait=False) as (url, proc, started):
        page = browser.new_page()
        while True:
            try:
                page.goto(url, timeout=5000)
                break
            except Exception:
                if proc.poll() is not None:
                    raise RuntimeError("the server exited") from None
                time.sleep(0.05)
        page.get_by_text(text, exact=True).first.wait_for(timeout=60000)
        elapsed = time.perf_counter() - started
        page.close()
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        sys.exit("no Chromium found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        hello = Path(tmp) / "hello.py"
        hello.write_text('import streamlit as st\nst.title("Hello")\n')
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            apps, hellos = [], []
            for r in range(args.rounds):
                hellos.append(time_to_paint(browser, hello, "Hello"))
                apps.append(time_to_paint(browser, ROOT / "explorer.py", "Activation Explorer"))
                print(f"round {r + 1}: app {apps[-1]:.2f} s, hello {hellos[-1]:.2f} s")
            browser.close()
    app, hi = min(apps), min(hellos)
    print(f"app {app:.2f} s, hello {hi:.2f} s (best of {args.rounds})")
    print(f"startup app/hello = {app / hi:.3f}")


if __name__ == "__main__":
    main()
