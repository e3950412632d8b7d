"""The results table's "vs <reference>" column and the note under it (charts/tables.py): what the
page, the HTML report and the share image say about the differences core/train/stats.py finds."""

import dataclasses
import re

import pytest

from bench.made_up import comparison
from charts import exports, share
from charts.palette import view_styles
from charts.tables import compared, difference_text, differences_note, results_table
from core.train import stats
from core.train.rates import Shown

NAMES = ("relu", "gelu", "silu")


def _row(**fields) -> stats.Difference:
    base = dict(
        activation="gelu",
        seeds=(0, 1, 2),
        mean=0.003,
        std=0.002,
        low=-0.001,
        high=0.007,
        level=0.95,
        p=0.12,
        p_holm=0.24,
        verdict=stats.WITHIN_NOISE,
    )
    return stats.Difference(**{**base, **fields})


def test_a_difference_reads_as_points_with_its_interval_and_verdict():
    # Fails if accuracy is shown as a fraction (0.003) rather than points, if the interval's
    # digits hide it (±0.4 points shown to 0 decimals), or if a minus is a hyphen.
    assert difference_text(_row(), "accuracy") == "+0.3 pts [−0.1, +0.7] within noise"
    worse = _row(mean=-0.0123, low=-0.0151, high=-0.0096, verdict=stats.WORSE)
    assert difference_text(worse, "accuracy") == "−1.2 pts [−1.5, −1.0] worse"
    one = _row(mean=-0.0062, low=float("nan"), high=float("nan"), verdict=stats.NO_VERDICT)
    one = dataclasses.replace(one, why="one seed", p=float("nan"))
    assert difference_text(one, "accuracy") == "−0.62 pts, no verdict (one seed)"
    # Float32 arithmetic: 0.75 − 0.76 is −0.0099999905, shown as −1.0, not −1.00.
    near = dataclasses.replace(one, mean=-0.0099999905)
    assert difference_text(near, "accuracy", unit=False) == "−1.0, no verdict"
    # In the table, whose heading says the unit and whose note says why.
    assert difference_text(_row(), "accuracy", unit=False) == "+0.3 [−0.1, +0.7] within noise"
    assert difference_text(one, "accuracy", unit=False) == "−0.62, no verdict"


def test_an_mae_difference_keeps_its_units_and_a_lower_mae_is_better():
    # Fails if an MAE is shown in "points" or if the sign is flipped for regression.
    finals = {"relu": {0: 11.2, 1: 11.6, 2: 11.3}, "gelu": {0: 10.9, 1: 11.2, 2: 11.05}}
    row = stats.paired_differences(finals, "relu", "mae", 3).rows[0]
    text = difference_text(row, "mae")
    assert text.startswith("−0.32 [") and text.endswith("] better") and "pts" not in text


def test_the_table_gets_the_column_only_with_a_reference_it_has():
    # Fails if the column appears without a reference (the share image's table and an overlay
    # of runs without a common activation have none), or with one the run lacks.
    shown = Shown.of(comparison(NAMES, seeds=3))
    assert not [c for c in results_table(shown).columns if c.startswith("vs ")]
    assert not [c for c in results_table(shown, reference="tanh").columns if c.startswith("vs ")]
    table = results_table(shown, reference="gelu")
    column = "vs gelu (pts)"  # the unit in the heading, not in every cell
    assert table.loc["gelu", column] == "reference" and table.loc["gelu", "p (Holm)"] == "—"
    assert table.loc["relu", column].endswith("better")  # the made-up relu learns fastest
    assert "pts" not in table.loc["relu", column]
    after = list(table.columns).index("final val accuracy") + 1
    assert list(table.columns)[after : after + 2] == [column, "p (Holm)"]


def test_one_seed_has_no_p_column_and_its_note_says_what_it_assumes():
    # Fails if one seed shows a p-value, or if the note hides that its seed counts rest on an
    # assumed spread (the record has none to measure).
    shown = Shown.of(comparison(NAMES, seeds=1))
    table = results_table(shown, reference="relu")
    assert "p (Holm)" not in table.columns and "p" not in table.columns
    note = differences_note(compared(shown, "relu"))
    assert note.startswith("**vs relu: no verdict with 1 seed.**")
    assert "spread by 0.8 pts" in note and "yours may differ" in note
    assert "(at 5 % ÷ 2, Holm's strictest step)" in note and "80 % power" in note


def test_the_note_names_the_test_and_what_it_could_not_judge():
    finals = {
        "relu": {0: 0.92, 1: 0.93, 2: 0.91},
        "gelu": {0: 0.925, 1: 0.931, 2: 0.916},
        "silu": {0: 0.93},  # seeds 1 and 2 diverged
    }
    note = differences_note(stats.paired_differences(finals, "relu", "accuracy", 3))
    assert "**Paired t-test over 3 seeds**: better or worse when p < 0.05" in note
    assert "the 95 % interval holds 0; p: gelu " in note
    assert "No verdict for silu, only seed 0 pairs." in note
    assert "Seeds paired where a network diverged: silu 1 of 3." in note


def test_the_share_image_says_the_verdicts_under_its_table():
    # Fails if the share image loses the verdicts (or the test's name) that the page shows.
    view = Shown.of(comparison(NAMES, seeds=3))
    styles = view_styles(NAMES, "light")
    fig = share.share_figure([view], styles, {}, reference="relu")
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert (
        "<b>vs relu</b>: paired t-test over 3 seeds, Holm-corrected across 2 comparisons" in texts
    )
    result = compared(view, "relu")
    for row in result.rows:
        said = difference_text(row, "accuracy")  # with its unit: the image has no heading
        assert f"{row.activation}</b></span>  {said} · p " in texts and " pts [" in said
    plain = share.share_figure([view], styles, {})
    assert "vs relu" not in " ".join(a.text for a in plain.layout.annotations)
    assert fig.layout.height > plain.layout.height  # room made for the lines, not drawn over


def test_the_html_report_carries_the_note_with_its_bold():
    shown = Shown.of(comparison(NAMES, seeds=2))
    note = differences_note(compared(shown, "relu"))
    html = exports.html_report(
        shown.record, [], results_table(shown, reference="relu"), "Report", {}, [note]
    )
    assert "<th>vs relu (pts)</th>" in html and "<b>vs relu</b>" in html and "**" not in html


@pytest.mark.parametrize("seeds", [1, 3])
def test_every_row_of_a_view_gets_a_cell(seeds):
    shown = Shown.of(comparison(NAMES, seeds=seeds))
    table = results_table(shown, reference="silu")
    assert table["vs silu (pts)"].notna().all()
    assert table.loc["silu", "vs silu (pts)"] == "reference"


def test_the_share_images_verdict_lines_fit_its_width_when_runs_are_overlaid():
    # Fails if a line under the table would run past the image's edge (an annotation does not
    # wrap): at 16 px about 120 characters fit in its 1,200 px. Two overlaid runs, one with one
    # seed, the longest heading each kind has.
    many = Shown.of(comparison(("relu", "SinActivation", "gelu", "silu", "mish"), seeds=3))
    one = Shown.of(comparison(("relu", "SinActivation"), seeds=1))
    styles = view_styles(("relu", "SinActivation", "gelu", "silu", "mish"), "light")
    fig = share.share_figure(
        [many, one], styles, {}, run_labels=["run 1234", "run 1235"], reference="relu"
    )
    block = next(a.text for a in fig.layout.annotations if "vs relu" in a.text)
    lines = [re.sub(r"<[^>]+>", "", line) for line in block.split("<br>")]
    assert len(lines) == (1 + 4) + (2 + 1)  # a heading and 4 rows; two headings and a row
    assert lines[0].startswith("run 1234, vs relu: paired t-test over 3 seeds")
    assert lines[5].startswith("run 1235, vs relu: no verdict with 1 seed")
    assert max(len(line) for line in lines) <= 120
