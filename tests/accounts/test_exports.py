import io

import pytest
from openpyxl import load_workbook

from common.exports import xlsx_bytes


def test_cells_that_look_like_formulas_stay_text():
    dangerous = [
        '=HYPERLINK("http://evil.example","bấm")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "0912345678",
    ]
    content = xlsx_bytes(title="Thử", headers=["Giá trị"], rows=[[v] for v in dangerous] + [[7]])
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells[:-1]] == dangerous
    assert all(c.data_type == "s" for c in cells[:-1])
    assert cells[-1].value == 7  # numbers stay numbers


@pytest.mark.parametrize("value", ["=1+1", "+84912345678", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_any_formula_looking_text_is_written_as_text(value):
    book = load_workbook(io.BytesIO(xlsx_bytes(title="T", headers=["A"], rows=[[value]])))
    cell = book.active["A2"]
    # XML reads a carriage return back as a line feed; what matters is the text type.
    assert (cell.value.replace("\n", "\r"), cell.data_type) == (value.replace("\n", "\r"), "s")
