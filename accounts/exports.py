"""Spreadsheets out: rows in, .xlsx bytes back. Every text cell is written as text."""

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook. Formula-safe: a value such as "=HYPERLINK(…)" stays a string.

    openpyxl turns any str starting with "=" into a formula; forcing the cell type to
    string means Excel and LibreOffice show it and never evaluate it. Phone numbers keep
    their leading zero for the same reason.
    """
    return xlsx_sheets_bytes([(title, headers, rows)])


def xlsx_sheets_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per (title, headers, rows), written as xlsx_bytes writes."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([_cell(sheet, header, font=bold) for header in headers])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font:
        cell.font = font
    return cell
