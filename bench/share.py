"""How long the Share image (PNG) of a finished 6-activation comparison takes to render, cold (the
first PNG of the process: Chromium starts) and warm (Chromium kept open), against a baseline
measured in the same run: kaleido's one-shot render of a trivial one-trace figure of the same
size at 2×, which is what each click cost before the browser was kept (plotly's `to_image`
starts and stops a Chromium per image). The comparison is made up (bench/made_up.py): no
training. Last line: `share image seconds = C (warm W), ratio to a trivial kaleido render = R`.

    python bench/share.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plotly.graph_objects as go  # noqa: E402

from bench.made_up import SIX, comparison  # noqa: E402
from charts import exports  # noqa: E402
from charts.palette import view_styles  # noqa: E402
from charts.share import share_figure  # noqa: E402
from core.train.rates import Shown  # noqa: E402


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def one_shot(fig: go.Figure, width: int, height: int) -> bytes:
    # plotly's own path: kaleido starts a Chromium for this image and stops it after.
    return fig.to_image(format="png", width=width, height=height, scale=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="warm renders (median taken)")
    args = parser.parse_args()
    if exports.chromium_path() is None:
        sys.exit("no Chromium: apt-get install chromium")

    # A finished comparison as the Runs page shows it: 6 activations, 3 seeds, 20 epochs.
    record = comparison(SIX, seeds=3, epochs=20)
    fig = share_figure([Shown.of(record)], view_styles(SIX, "light"), {}, theme="light", target=0.9)
    width, height = fig.layout.width, fig.layout.height
    trivial = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    print(f"share figure: {width}×{height} px at 2×, {len(fig.data)} traces")

    baseline = seconds(lambda: one_shot(trivial, width, height))
    print(f"baseline, trivial one-trace figure, kaleido one-shot: {baseline:.2f} s")
    before = seconds(lambda: one_shot(fig, width, height))
    print(f"share image, kaleido one-shot (each click before): {before:.2f} s")

    cold = seconds(lambda: exports.chart_png(fig, width, height))
    warm = [seconds(lambda: exports.chart_png(fig, width, height)) for _ in range(args.repeats)]
    print(f"share image, kept Chromium, cold (starts it): {cold:.2f} s")
    print("share image, kept Chromium, warm: " + ", ".join(f"{w:.2f} s" for w in warm))
    at_1x = seconds(lambda: exports.RENDERER.render(fig, width, height, scale=1))
    print(f"share image at 1× (what scale 2 costs), warm: {at_1x:.2f} s")
    exports.RENDERER.close()

    w = statistics.median(warm)
    print(
        f"share image seconds = {cold:.2f} (warm {w:.2f}), "
        f"ratio to a trivial kaleido render = {cold / baseline:.2f}"
    )


if __name__ == "__main__":
    main()
