"""Guarded reading of uploaded .xlsx files, shared by every import in the project."""

import unicodedata
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: a 1 MB file can expand to hundreds of MB. Refuse beyond this.
MAX_EXPANDED_BYTES = 50 * 1024 * 1024


class SpreadsheetError(ValueError):
    """An upload that is not a readable, sane .xlsx file; the message is for the user."""


def open_xlsx(upload, *, max_bytes: int = MAX_UPLOAD_BYTES, formulas: bool = False):
    """A read-only openpyxl workbook from an uploaded file, after size and zip checks.

    With `formulas`, a formula cell reads as its text ("=…"), so a check can refuse it;
    otherwise it reads as the value Excel last computed."""
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
    upload.seek(0)
    try:
        return load_workbook(upload, read_only=True, data_only=not formulas)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise SpreadsheetError(_("Không đọc được tệp Excel: tệp bị hỏng.")) from error


def cell_text(value) -> str:
    """A cell as clean text: NFC (decomposed Vietnamese from some tools), single spaces,
    and whole numbers without the ".0" Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def is_formula(value) -> bool:
    """True for a cell read with `open_xlsx(..., formulas=True)` that holds a formula."""
    return isinstance(value, str) and value.strip().startswith("=")
