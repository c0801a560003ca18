"""Roster files that are not what they claim: a renamed document, a zip bomb, a sheet
over the row cap or damaged deep inside; each refused with a clear message, nothing
kept."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import RosterImport
from accounts.roster import COLUMNS
from accounts.scopes import Scope
from accounts.services.rosters import preview_roster
from common.spreadsheets import SpreadsheetError


def test_a_renamed_docx_is_refused(province_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())
    with pytest.raises(SpreadsheetError, match="không phải là tệp Excel .xlsx hợp lệ"):
        preview_roster(upload, user=province_admin, scope=Scope.of(province_admin))
    assert not RosterImport.objects.exists()


def test_a_zip_bomb_is_refused_without_expanding_it(province_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024  # 200 MB inside a file under 1 MB
    upload = SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())
    with pytest.raises(SpreadsheetError, match="giải nén ra quá lớn"):
        preview_roster(upload, user=province_admin, scope=Scope.of(province_admin))


def test_a_renamed_docx_gets_a_message_on_the_page(client, province_admin):
    from django.urls import reverse

    client.force_login(province_admin)
    upload = SimpleUploadedFile("danh-sach.xlsx", b"PK\x03\x04 not really a zip")
    page = client.post(reverse("accounts:roster_upload"), {"file": upload}).content.decode()
    assert "không phải là tệp Excel" in page


def raw_xlsx(*, header: list[str], rows: list[str], dimension: str = "") -> SimpleUploadedFile:
    """An .xlsx written as raw XML, as a hostile tool would: rows as given (XML), no cell
    references, and a <dimension> only if given (it may lie)."""
    from xml.sax.saxutils import escape

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    first = "".join(f'<c t="inlineStr"><is><t>{escape(h)}</t></is></c>' for h in header)
    dimension = f'<dimension ref="{dimension}"/>' if dimension else ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Danh sách" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId7" Type="{rel}/worksheet"'
            ' Target="/xl/worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}">{dimension}<sheetData><row>{first}</row>'
            + "".join(rows)
            + "</sheetData></worksheet>",
        )
    return SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())


def text_row(*values) -> str:
    return "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values) + "</row>"


def test_a_roster_over_the_row_cap_is_refused_at_once_with_its_count(province_admin, monkeypatch):
    from accounts import roster as roster_module

    monkeypatch.setattr(roster_module, "MAX_ROSTER_ROWS", 50)
    # Rows that repeat one bad phone, and a <dimension> that claims two rows: the count is
    # made from the sheet itself.
    hostile = raw_xlsx(header=COLUMNS, rows=[text_row("Tên", "12345")] * 60, dimension="A1:F2")
    with pytest.raises(SpreadsheetError) as refusal:
        preview_roster(hostile, user=province_admin, scope=Scope.of(province_admin))
    assert str(refusal.value) == (
        "Tệp có 60 dòng; mỗi lần nhập tối đa 50 dòng. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
    )
    assert not RosterImport.objects.exists()
    at_cap = raw_xlsx(header=COLUMNS, rows=[text_row("Tên", "12345")] * 50)
    roster = preview_roster(at_cap, user=province_admin, scope=Scope.of(province_admin))
    assert roster.problem_count == 50


def test_a_sheet_damaged_deep_inside_is_a_clear_refusal(province_admin):
    rows = [text_row("Tên", "0912000001", "", "", "Giáp Trung")] * 3
    rows.append(text_row("Tên &#0; có NUL", "0912000002", "", "", "Giáp Trung"))
    damaged = raw_xlsx(header=COLUMNS, rows=rows, dimension="A1:F5")
    with pytest.raises(SpreadsheetError, match="tệp bị hỏng"):
        preview_roster(damaged, user=province_admin, scope=Scope.of(province_admin))
