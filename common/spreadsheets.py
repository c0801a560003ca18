"""Guarded reading of uploaded .xlsx files, shared by every import in the project.

An upload is checked before anything reads it: its size, a real zip holding a workbook,
the size it expands to, and, when the caller caps rows, its first sheet's rows counted.
Its sheets are then read with python-calamine (Rust): a 20,000-row roster, checks
included, reads about seven times faster than with openpyxl's read-only mode
(docs/BENCHMARKS.md, "Reading uploads with python-calamine"). What calamine does not tell
comes from the sheet's own XML (common/sheet_scan.py): which cells hold a formula, so a
check can refuse it, and how far the cells reach, so a sheet too large to hold is refused
before it is loaded. Values read as openpyxl read them: an empty cell None, a whole number
an int, a date a datetime, a formula (with `formulas`) its text "=…", an error its name
"#N/A"."""

import datetime
import io
import unicodedata
import zipfile
import zlib

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from common.sheet_scan import DamagedXml, Formula, SheetScan, scan_cells, scan_rows, sheet_paths

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: a 1 MB file can expand to hundreds of MB. Refuse beyond this.
MAX_EXPANDED_BYTES = 50 * 1024 * 1024
# Cells a sheet's rows and columns may span (calamine holds the sheet as one grid of
# 32-byte cells, about 64 MB at most): a 20,000-row roster 100 columns wide.
MAX_SHEET_CELLS = 2_000_000
# Whole numbers up to this read as int, as openpyxl read a number written without a point;
# past it Excel and Python write an exponent ("1E+16"), which openpyxl read as a float.
WHOLE = 10**16
# What zipfile and zlib raise on a damaged member, besides a sheet's own XML.
ZIP_ERRORS = (DamagedXml, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)


class SpreadsheetError(ValueError):
    """An upload that is not a readable, sane .xlsx file; the message is for the user."""


def _damaged() -> SpreadsheetError:
    return SpreadsheetError(_("Không đọc được tệp Excel: tệp bị hỏng."))


def open_xlsx(
    upload,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    formulas: bool = False,
    max_rows: int | None = None,
) -> "Workbook":
    """A Workbook from an uploaded file, after size and zip checks.

    With `formulas`, a formula cell reads as its text ("=…", a Formula), so a check can
    refuse it; otherwise it reads as the value Excel last computed. With `max_rows`, a first
    sheet of more data rows (below its header row) is refused at once, with its count."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > max_bytes:
        raise SpreadsheetError(
            _("Tệp quá lớn (%(size)s MB). Giới hạn là %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": max_bytes // 1048576}
        )
    upload.seek(0)
    if not zipfile.is_zipfile(upload):
        raise SpreadsheetError(_("Tệp không phải là tệp Excel .xlsx (có thể chỉ bị đổi tên)."))
    upload.seek(0)
    content = upload.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except ZIP_ERRORS as error:
        raise _damaged() from error
    try:
        workbook = Workbook(archive, content, formulas=formulas)
        if max_rows is not None:
            workbook._refuse_over(max_rows)
        workbook._load()
    except BaseException:
        archive.close()
        raise
    return workbook


class Workbook:
    """An upload opened by open_xlsx: its sheets' names, and each sheet's rows on demand."""

    def __init__(self, archive: zipfile.ZipFile, content: bytes, *, formulas: bool):
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise SpreadsheetError(_("Tệp không phải là tệp Excel .xlsx hợp lệ."))
        if sum(info.file_size for info in archive.infolist()) > MAX_EXPANDED_BYTES:
            raise SpreadsheetError(_("Tệp Excel giải nén ra quá lớn; hãy chia nhỏ tệp."))
        try:
            self._paths = sheet_paths(archive)
        except DamagedXml as error:
            raise _damaged() from error
        self._archive, self._content, self._formulas = archive, content, formulas
        self._book = None
        self._scans: dict[str, SheetScan] = {}
        self.sheetnames = list(self._paths)

    def _load(self) -> None:
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self._content))
        except Exception as error:  # calamine raises its own kinds, and ValueError
            raise _damaged() from error
        self._content = None

    def first(self) -> str:
        """The name of the first worksheet (not a chart sheet)."""
        for name, (_path, worksheet) in self._paths.items():
            if worksheet:
                return name
        raise _damaged()

    def _refuse_over(self, max_rows: int) -> None:
        """Refuse a first sheet of more than `max_rows` rows below its header: counted as
        <row> tags (the count is told), or numbered past it."""
        name = self.first()
        count = self._scan(name, exact=False, count_past=max_rows + 1).rows
        if count - 1 > max_rows:
            raise too_many_rows(count - 1, max_rows)
        if self.last_row(name) - 1 > max_rows:
            raise too_many_rows(None, max_rows)

    def row_count(self, name: str) -> int:
        """The sheet's <row> elements, counted without reading them."""
        return self._scan(name, exact=False).rows

    def last_row(self, name: str) -> int:
        """The number of the sheet's last row (0: an empty sheet)."""
        return self._scan(name, exact=True).last_row

    def rows(self, name: str | None = None):
        """The sheet's rows (the first worksheet's by default), as tuples of values."""
        name = name or self.first()
        scan = self._scan(name, exact=True)
        if scan.last_row * scan.width > MAX_SHEET_CELLS:
            raise SpreadsheetError(_("Tệp Excel giải nén ra quá lớn; hãy chia nhỏ tệp."))
        try:
            sheet = self._book.get_sheet_by_name(name)
            start = sheet.start
            grid = sheet.iter_rows() if start is not None else iter(())
        except Exception as error:  # calamine's XmlError, ZipError, CalamineError, …
            raise _damaged() from error
        return _rows(grid, (None,) * (start[1] if start else 0), scan)

    def close(self) -> None:
        self._archive.close()
        if self._book is not None:
            self._book.close()
            self._book = None

    def _scan(self, name: str, *, exact: bool, count_past: int | None = None) -> SheetScan:
        path, _worksheet = self._paths.get(name, (None, False))
        if path is None:
            raise _damaged()
        try:
            if name not in self._scans:
                scan = scan_rows(self._archive, path, count_past=count_past)
                if not scan.complete:
                    return scan  # only its count, for a refusal
                self._scans[name] = scan
            scan = self._scans[name]
            if exact and not scan.exact and (not scan.plain or scan.marked):
                self._scans[name] = scan = scan_cells(self._archive, path, formulas=self._formulas)
        except ZIP_ERRORS as error:
            raise _damaged() from error
        return scan


def _rows(grid, indent: tuple, scan: SheetScan):
    """calamine's rows as openpyxl gave them: from row 1 and column A (calamine starts at
    the first column holding a value), values converted, formulas and errors put back where
    the XML has them, and rows up to the sheet's last <row> (formatted but empty, calamine
    leaves them out)."""
    marks: dict[int, dict[int, str]] = {}
    for (row, column), value in scan.marks.items():
        marks.setdefault(row, {})[column] = value
    read = 0
    for read, values in enumerate(grid, start=1):
        row = indent + tuple(map(_value, values))
        yield _marked(row, marks.pop(read)) if read in marks else row
    # Marks past the grid are cells calamine left out (a formula without a value), and
    # the scan's last row counts them.
    for number in range(read + 1, scan.last_row + 1):
        yield _marked((), marks.pop(number)) if number in marks else ()


def _value(value):
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and -WHOLE < value < WHOLE else value
    if kind is datetime.date:  # calamine gives a whole day as a date, openpyxl a datetime
        return datetime.datetime(value.year, value.month, value.day)
    return value


def _marked(row: tuple, marks: dict[int, str]) -> tuple:
    cells = list(row) + [None] * (max(marks) - len(row))
    for column, value in marks.items():
        cells[column - 1] = value
    return tuple(cells)


def sheet_rows(workbook: Workbook, name: str | None = None):
    """A sheet's rows as tuples of values: the first worksheet's, or the one named. Damage
    calamine finds while reading is a SpreadsheetError too, not a crash halfway through a
    check."""
    try:
        yield from workbook.rows(name)
    except SpreadsheetError:
        raise
    except Exception as error:
        raise _damaged() from error


def cell_text(value) -> str:
    """A cell as clean text: NFC (decomposed Vietnamese from some tools), single spaces,
    and whole numbers without the ".0" Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


SHOWN_CHARS = 40  # of a bad value quoted back in a problem


def shown(value) -> str:
    """A cell's text as quoted back in a problem: long values cut, so a problem stays short."""
    text = cell_text(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def is_formula(value) -> bool:
    """True for a cell read with `open_xlsx(..., formulas=True)` that holds a formula, and
    for text typed to look like one ("=…")."""
    return isinstance(value, Formula) or isinstance(value, str) and value.strip().startswith("=")


def data_rows(rows, index: dict[str, int], *, limit: int):
    """(row number, {column: value}) for each row below the header, by the header's `index`
    of each column; an empty row gives (number, None). Past `limit` rows, too_many_rows (a
    sheet whose rows could not be counted before it was opened)."""
    for number, row in enumerate(rows, start=2):
        if number - 1 > limit:
            raise too_many_rows(None, limit)
        cells = {c: (row[i] if i < len(row) else None) for c, i in index.items()}
        yield number, None if all(cell_text(v) == "" for v in cells.values()) else cells


def cell_problem(cells: dict) -> str | None:
    """Why a row's cells ({column: value}, read with formulas) cannot be taken: the first
    holding a formula or a NUL; None when none does."""
    for column, value in cells.items():
        if is_formula(value):
            return _(
                "Cột “%(c)s” chứa công thức (%(v)s); hãy nhập giá trị, không nhập công thức."
            ) % {"c": column, "v": value.strip()[:30]}
        if has_nul(value):
            return _("Cột “%(c)s” chứa ký tự không hợp lệ (NUL); hãy gõ lại ô này.") % {"c": column}
    return None


def too_many_rows(count: int | None, limit: int) -> SpreadsheetError:
    """The refusal of a sheet over a row limit; `count` None: known only to be over it."""
    values = {
        "n": number_format(count or 0, force_grouping=True),
        "max": number_format(limit, force_grouping=True),
    }
    if count is None:
        message = _("Tệp có hơn %(max)s dòng; mỗi lần nhập tối đa %(max)s dòng.")
    else:
        message = _("Tệp có %(n)s dòng; mỗi lần nhập tối đa %(max)s dòng.")
    return SpreadsheetError(
        (message % values) + " " + _("Hãy chia danh sách thành nhiều tệp nhỏ hơn.")
    )


def has_nul(value) -> bool:
    """True for a cell holding a NUL character ("_x0000_" in the file), which PostgreSQL
    refuses to store."""
    return isinstance(value, str) and "\x00" in value
