"""Spreadsheets out: rows in, .xlsx bytes back. Every text cell is written as text."""

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook. Formula-safe: a value such as "=HYPERLINK(…)" stays a string.

    openpyxl turns any str starting with "=" into a formula; forcing the cell type to
    string means Excel and LibreOffice show it and never evaluate it. Phone numbers keep
    their leading zero for the same reason.
    """
    return xlsx_sheets_bytes([(title, headers, rows)])


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = field(default_factory=tuple)  # characters, per column


def xlsx_sheets_bytes(sheets: Iterable[Sheet | tuple]) -> bytes:
    """A workbook with one sheet per Sheet (or (title, headers, rows)): bold header row,
    frozen so it stays in view, column widths, dates as dates. Write-only: rows stream
    through, memory stays flat for 100,000 rows."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        spec = spec if isinstance(spec, Sheet) else Sheet(*spec)
        sheet = workbook.create_sheet(title=spec.title[:31])
        sheet.freeze_panes = "A2"
        widths = spec.widths or [max(12, len(str(h)) + 2) for h in spec.headers]
        for number, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.append([_cell(sheet, header, font=bold) for header in spec.headers])
        for row in spec.rows:
            sheet.append([_cell(sheet, value) if _needs_cell(value) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _needs_cell(value) -> bool:
    """Plain values are written as they are (fast); text that openpyxl would take for a
    formula ("=…") and dates (for their display format) get a typed cell."""
    if isinstance(value, str):
        return value.startswith("=")
    return isinstance(value, datetime.date)


def _cell(sheet, value, font=None) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Stored in UTC, read in Vietnam: Excel has no time zones, so the local wall time.
        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with (=, +, -, @, tab)
    elif isinstance(value, datetime.datetime):
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "dd/mm/yyyy"
    if font:
        cell.font = font
    return cell
