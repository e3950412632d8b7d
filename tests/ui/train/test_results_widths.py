"""The results table's column widths at 1280 px (ui/train/runs.py `fitted_widths`)."""

import pandas as pd

from ui.train.runs import (
    CELL_PAD_PX,
    TABLE_PX,
    _header_px,
    _text_px,
    fitted_widths,
    results_config,
)


def _table(rows: int, name: str = "relu") -> pd.DataFrame:
    cell = "0.4743 ± 0.0224"
    return pd.DataFrame(
        {
            "activation": [name] * rows,
            "final val loss": [cell] * rows,
            "best val loss": [cell] * rows,
            "final val accuracy": [cell] * rows,
            "vs relu (pts)": ["−2 [−41, +36] within noise"] * rows,
            "best val accuracy": [cell] * rows,
            "epochs to accuracy ≥ 0.9": ["not reached"] * rows,
        }
    )


def test_a_table_that_fits_keeps_its_own_widths():
    # Fails if a narrow table is forced into wrapped rows it does not need.
    small = pd.DataFrame({"activation": ["relu"], "final val loss": ["0.47"]})
    assert fitted_widths(small, {}) is None


def test_a_wide_table_fits_the_room_within_three_lines_a_cell():
    # Fails if the widths overflow the room (the table scrolls sideways: the bug, 63 to 223 px
    # past the page), cut a heading, or leave a cell needing more than its row's three lines.
    frame = _table(3, name="elu_sin_with_a_rather_long_name")
    # The headings the page gives them ("final loss", "epochs to ≥ 0.9").
    headers = {c: v["label"] for c, v in results_config(frame.columns).items()}
    widths = fitted_widths(frame, headers)
    assert widths is not None and sum(widths.values()) <= TABLE_PX
    for column, width in widths.items():
        assert width >= int(_header_px(headers.get(column, column))), column
        longest = max(_text_px(str(v)) for v in frame[column]) - CELL_PAD_PX
        assert 3 * (width - CELL_PAD_PX) >= longest - 3, column  # int() rounds down ≤ 1 px


def test_a_table_with_no_rows_is_sized_by_its_headings():
    # Fails if an empty table (every network diverged before an epoch) raises.
    frame = _table(0)
    headers = {c: v["label"] for c, v in results_config(frame.columns).items()}
    widths = fitted_widths(frame, headers)  # sized by the headings alone, no error
    assert widths is None or sum(widths.values()) <= TABLE_PX
