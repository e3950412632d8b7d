"""What a user takes away from a comparison: CSV/JSON history, PNG charts, an HTML report that
opens offline, and a plain-Keras script that reproduces the run."""

from __future__ import annotations

import asyncio
import atexit
import html
import io
import json
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.train.record import Comparison

COLUMNS = [
    "activation",
    "seed",
    "epoch",
    "loss",
    "val_loss",
    "metric",
    "val_metric",
    "status",
    "seconds",
]


def history_frame(comparison: Comparison) -> pd.DataFrame:
    """One row per activation, seed and epoch; `metric` is accuracy or MAE (see metric_name).

    A run that learns activation parameters adds, per parameter and hidden layer, its mean over
    units (`learned.<parameter>.layer<n>`) and their std (`….std`, 0 with one per layer) after
    each epoch, and a row at epoch 0 (no loss) with their initial values."""
    rows = []
    learns = any(b.learned for b in comparison.branches)
    for b in comparison.branches:
        first = 0 if learns else 1
        for epoch in range(first, len(b.loss) + 1):
            i = epoch - 1
            trained = epoch > 0
            rows.append(
                {
                    "activation": b.activation,
                    "seed": b.seed,
                    "epoch": epoch,
                    "loss": b.loss[i] if trained else None,
                    "val_loss": b.val_loss[i] if trained else None,
                    "metric": b.metric[i] if trained else None,
                    "val_metric": b.val_metric[i] if trained else None,
                    "status": b.status,
                    "seconds": _epoch_seconds(comparison, i) if trained else None,
                    **_learned_columns(b, epoch),
                }
            )
    frame = pd.DataFrame(rows)
    learned = sorted(c for c in frame.columns if c not in COLUMNS)
    return frame.reindex(columns=COLUMNS + learned)


def _epoch_seconds(comparison: Comparison, i: int) -> float | None:
    return comparison.epoch_seconds[i] if i < len(comparison.epoch_seconds) else None


def _learned_columns(branch, epoch: int) -> dict[str, float]:
    """Each learned parameter's [mean, std] over units per layer after `epoch` epochs."""
    out = {}
    for name, epochs in branch.learned.items():
        if epoch < len(epochs):
            for layer, (mean, std) in enumerate(epochs[epoch], start=1):
                out[f"learned.{name}.layer{layer}"] = mean
                out[f"learned.{name}.layer{layer}.std"] = std
    return out


def history_csv(comparison: Comparison) -> str:
    buf = io.StringIO()
    buf.write(f"# metric = {comparison.metric_name}; dataset = {comparison.dataset_source}\n")
    for name, expression in comparison.formulas().items():  # what a custom's name computes
        buf.write(f"# {name} = {expression}\n")
    history_frame(comparison).to_csv(buf, index=False, float_format="%.17g")
    return buf.getvalue()


def history_json(comparison: Comparison, versions: Mapping[str, str] | None = None) -> str:
    return json.dumps({**comparison.to_dict(), "versions": dict(versions or {})}, indent=1)


def chromium_path() -> str | None:
    """The system's Chromium (or Chrome), which PNG export and the browser tests drive."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class PngRenderer:
    """One Chromium, started at the first PNG and kept open, that renders every PNG of the
    process one at a time.

    Why: kaleido's one-shot call (plotly's `fig.to_image`) starts and stops a Chromium per
    image: about 3 of the 4 s of a share image on an idle 2-core machine, far more under load
    (bench/share.py). Kept open, a share image takes about 1 s. MathJax is off: kaleido would
    otherwise fetch it from a CDN for every page it loads, and no chart here uses LaTeX."""

    def __init__(self, timeout: float = 120):
        self._timeout = timeout
        self._lock = threading.Lock()  # one figure at a time: kaleido has one tab
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kaleido: Any = None  # kaleido.Kaleido once open; kaleido ships no types

    def _run(self, coroutine, timeout: float | None = None):
        assert self._loop is not None, "open() first"
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout or self._timeout)

    def _open(self) -> None:
        import kaleido  # imported on the first PNG: it is not needed to start the app

        loop = self._loop = asyncio.new_event_loop()

        def serve() -> None:
            loop.run_forever()
            loop.close()  # after _close() stops it

        threading.Thread(target=serve, name="png-renderer", daemon=True).start()

        async def start():
            k = kaleido.Kaleido(n=1, mathjax=False, timeout=self._timeout)
            await k.open()
            return k

        self._kaleido = self._run(start())

    def close(self) -> None:
        """Stop the browser (at exit, or after a failure so the next PNG starts a new one)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._kaleido is not None:
            try:
                self._run(self._kaleido.close(), timeout=10)
            except Exception:  # a browser that died is closed already
                pass
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._kaleido = self._loop = None

    def render(self, fig: go.Figure, width: int, height: int, scale: float = 2) -> bytes:
        opts = dict(format="png", width=width, height=height, scale=scale)
        with self._lock:
            try:
                if self._kaleido is None:
                    self._open()
                return self._run(self._kaleido.calc_fig(fig.to_dict(), opts=opts))
            except BaseException:
                self._close()  # a hung or dead browser is not reused
                raise


RENDERER = PngRenderer()
atexit.register(RENDERER.close)


def chart_png(fig: go.Figure, width: int = 700, height: int | None = None) -> bytes:
    """The chart as a PNG at 2× (kaleido drives the system's Chromium, kept open); its height is
    the figure's own (a long legend makes a chart taller) unless given."""
    try:
        return RENDERER.render(fig, width, height or fig.layout.height or 470)
    except Exception as exc:
        raise RuntimeError(
            f"PNG export needs Chromium (apt-get install chromium): {type(exc).__name__}: {exc}"
        ) from None


def html_report(
    comparison: Comparison,
    figures: list[go.Figure],
    table: pd.DataFrame,
    title: str,
    versions: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> str:
    """A single HTML file with both charts, the results table (`notes` under it: what its
    columns mean, in the page's Markdown, bold kept), the config and versions; plotly.js is
    inlined so it opens with no network."""
    charts = []
    for i, fig in enumerate(figures):
        charts.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs=(i == 0),
                default_width="100%",
                config={"displaylogo": False},
            )
        )
    config = json.dumps(comparison.config.to_dict(), indent=1)
    version_text = ", ".join(f"{k} {v}" for k, v in (versions or {}).items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: Inter, "Segoe UI", Helvetica, Arial, sans-serif; margin: 24px auto;
       max-width: 1400px; color: #222; }}
.charts {{ display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }}
table {{ border-collapse: collapse; font-size: 14px; }}
th, td {{ border: 1px solid #ddd; padding: 4px 8px; text-align: right; }}
th {{ background: #f4f4f4; }} pre {{ background: #f7f7f7; padding: 12px; font-size: 12px; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(" · ".join(comparison.named_with_formulas()))}</p>
<p>{html.escape(comparison.dataset_source)} · {comparison.epochs_done} epochs
· status {html.escape(comparison.status)} · generated {time.strftime("%Y-%m-%d %H:%M")}
by Activation Explorer ({html.escape(version_text)})</p>
<div class="charts">{"".join(f"<div>{c}</div>" for c in charts)}</div>
<h2>Results</h2>
{table.to_html(escape=True)}
{"".join(f"<p>{_bold(note)}</p>" for note in notes)}
<h2>Configuration</h2>
<pre>{html.escape(config)}</pre>
</body></html>
"""


def _bold(markdown: str) -> str:
    """A note's text escaped for HTML, its **bold** parts in <b>."""
    parts = html.escape(markdown).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))
