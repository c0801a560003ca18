"""Guarded reading of uploaded .xlsx files, shared by every import in the project."""

import posixpath
import re
import unicodedata
import zipfile

from defusedxml import ElementTree
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: a 1 MB file can expand to hundreds of MB. Refuse beyond this.
MAX_EXPANDED_BYTES = 50 * 1024 * 1024


class SpreadsheetError(ValueError):
    """An upload that is not a readable, sane .xlsx file; the message is for the user."""


def open_xlsx(
    upload,
    *,
    max_bytes: int = MAX_UPLOAD_BYTES,
    formulas: bool = False,
    max_rows: int | None = None,
):
    """A read-only openpyxl workbook from an uploaded file, after size and zip checks.

    With `formulas`, a formula cell reads as its text ("=…"), so a check can refuse it;
    otherwise it reads as the value Excel last computed. With `max_rows`, a first sheet of
    more data rows (below its header row) is refused at once, with its count."""
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
    with zipfile.ZipFile(upload) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise SpreadsheetError(_("Tệp không phải là tệp Excel .xlsx hợp lệ."))
        if sum(info.file_size for info in archive.infolist()) > MAX_EXPANDED_BYTES:
            raise SpreadsheetError(_("Tệp Excel giải nén ra quá lớn; hãy chia nhỏ tệp."))
        if max_rows is not None:
            rows = count_rows(archive)
            if rows is not None and rows - 1 > max_rows:
                raise too_many_rows(rows - 1, max_rows)
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=True, data_only=not formulas)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise SpreadsheetError(_("Không đọc được tệp Excel: tệp bị hỏng.")) from error


def sheet_rows(workbook):
    """The first sheet's rows as tuples of values. A read-only workbook parses as it goes,
    so damage deep in a sheet (bad XML, a character XML forbids) shows only here: it is a
    SpreadsheetError too, not a crash halfway through a check."""
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # openpyxl and the XML parser raise many kinds
            raise SpreadsheetError(_("Không đọc được tệp Excel: tệp bị hỏng.")) from error
        yield row


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
    """True for a cell read with `open_xlsx(..., formulas=True)` that holds a formula."""
    return isinstance(value, str) and value.strip().startswith("=")


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


# A <row> start tag, with any namespace prefix; not <rowBreaks> or <rows>.
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s/>]")
RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 1 << 20


def count_rows(archive: zipfile.ZipFile) -> int | None:
    """The rows of the workbook's first sheet, counted as <row> tags while its XML streams
    by (a million rows in about a second, in a megabyte of memory) rather than parsed;
    None when the first sheet cannot be found. Its <dimension> is not trusted: a hostile
    file can declare two rows and hold a million."""
    path = _first_sheet_path(archive)
    if path is None:
        return None
    count, carry = 0, b""
    # A tag that straddles two chunks is counted once: only matches that start before
    # the buffer's last 32 bytes count now; those bytes are looked at again with the next.
    with archive.open(path) as sheet:
        while chunk := sheet.read(CHUNK):
            buffer = carry + chunk
            cut = max(0, len(buffer) - 32)
            count += sum(1 for match in ROW_TAG.finditer(buffer) if match.start() < cut)
            carry = buffer[cut:]
    return count + len(ROW_TAG.findall(carry))


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        sheet = next(e for e in workbook.iter() if e.tag.rsplit("}", 1)[-1] == "sheet")
        rid = sheet.get(f"{{{RELATIONSHIP_NS}}}id")
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(
            e.get("Target") for e in relations.iter() if e.get("Id") == rid and e.get("Target")
        )
    except (KeyError, StopIteration, ElementTree.ParseError, ValueError):
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    path = posixpath.normpath(path)
    return path if path in archive.namelist() else None


def has_nul(value) -> bool:
    """True for a cell holding a NUL character ("_x0000_" in the file), which PostgreSQL
    refuses to store."""
    return isinstance(value, str) and "\x00" in value
