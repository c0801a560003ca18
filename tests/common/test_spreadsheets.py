"""The uploads' reader (common/spreadsheets.py): values read as openpyxl's read-only mode
read them, whatever wrote the file; formulas and errors found where the sheet's XML has
them; what a strict XML parser refuses, and sheets too large to hold, refused."""

import datetime
import io
import struct
import unicodedata
import zipfile
import zlib
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from common.spreadsheets import SpreadsheetError, has_nul, is_formula, open_xlsx, sheet_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def raw_xlsx(sheet_data: str, *, strings=(), root: str = "", prefix: str = "") -> bytes:
    """An .xlsx written as raw XML, as another tool would: `sheet_data` inside <sheetData>,
    `strings` as its shared strings; with `prefix`, every element of the sheet carries it."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{MAIN}">'
            + "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
            + "</sst>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"{root}<{p}worksheet {xmlns}><{p}sheetData>{sheet_data}</{p}sheetData></{p}worksheet>",
        )
    return buffer.getvalue()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("danh-sach.xlsx", content)


def read(content: bytes, **options) -> list[tuple]:
    workbook = open_xlsx(upload(content), **options)
    try:
        return list(sheet_rows(workbook))
    finally:
        workbook.close()


def read_with_openpyxl(content: bytes, *, formulas: bool = False) -> list[tuple]:
    """The rows as the reader before python-calamine read them (read-only, values only)."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=not formulas)
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def trimmed(rows: list[tuple]) -> list[tuple]:
    """Rows without their trailing empty cells: how wide a row reads is the reader's own
    (openpyxl padded rows to the declared width), what is in it is not."""
    result = []
    for row in rows:
        row = tuple(row)
        while row and row[-1] is None:
            row = row[:-1]
        result.append(row)
    return result


def assert_read_as_openpyxl(content: bytes, *, formulas: bool = False) -> list[tuple]:
    rows = read(content, formulas=formulas)
    assert trimmed(rows) == trimmed(read_with_openpyxl(content, formulas=formulas))
    return rows


def openpyxl_file() -> bytes:
    book = Workbook()
    sheet = book.active
    # The data starts at C3, as a sheet with a title block would.
    sheet["C3"], sheet["D3"], sheet["E3"] = "Họ và tên", "Số điện thoại", "Năm sinh"
    rows = [
        [unicodedata.normalize("NFD", "Hoàng Văn Cường"), "0912345678", 1985],
        ["Lý Thị Dung", 912345680, 1988.0],  # a phone typed as a number
        ["  Ô  trống  ", None, None],
        [None, 3.25, -7],
        [True, False, 1e20],
        [datetime.date(2025, 10, 1), datetime.datetime(2025, 10, 1, 9, 30), datetime.time(9, 30)],
        ["00985", "=không phải công thức", "#N/A"],
    ]
    for offset, values in enumerate(rows, start=4):
        for column, value in zip("CDE", values, strict=True):
            sheet[f"{column}{offset}"] = value
    sheet["D10"].data_type = "s"  # "=…" typed as text stays text
    sheet.merge_cells("C12:E13")
    sheet["C12"] = "Ô gộp"
    sheet["G15"] = "xa"
    sheet["A20"].font = Font(bold=True)  # formatted, never filled: an empty last row
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_values_read_as_openpyxl_read_them():
    content = openpyxl_file()
    rows = assert_read_as_openpyxl(content)
    assert len(rows) == 20
    assert rows[3][2:5] == (
        unicodedata.normalize("NFD", "Hoàng Văn Cường"),
        "0912345678",
        1985,
    )
    assert rows[4][3] == 912345680 and type(rows[4][3]) is int
    assert rows[6][3:5] == (3.25, -7)
    assert rows[8][2] == datetime.datetime(2025, 10, 1)  # a datetime, as openpyxl gave
    assert rows[9][2] == "00985"
    assert rows[11][2] == "Ô gộp" and rows[12] == (None,) * len(rows[12])
    assert rows[19] == () or set(rows[19]) == {None}
    assert_read_as_openpyxl(content, formulas=True)


def test_shared_strings_rows_without_references_and_prefixes_read_as_openpyxl_read_them():
    strings = ["Họ và tên", "Số điện thoại", "Nguyễn Văn An", "0912345678"]
    plain = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'
        '<row r="4"><c r="B4"><v>1985</v></c></row>'
    )
    no_references = (
        '<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
        '<row><c t="s"><v>2</v></c><c/><c r="D2"><v>7</v></c><c><v>8</v></c></row>'
        "<row></row>"
        '<row r="6"><c t="s"><v>3</v></c></row><row><c><v>1</v></c></row>'
    )
    for sheet_data in (plain, no_references):
        assert_read_as_openpyxl(raw_xlsx(sheet_data, strings=strings))
    prefixed = plain.replace("<", "<x:").replace("<x:/", "</x:")
    rows = assert_read_as_openpyxl(raw_xlsx(prefixed, strings=strings, prefix="x"))
    assert rows[1][:2] == ("Nguyễn Văn An", "0912345678")


FORMULAS = (
    '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c></row>'
    '<row r="2"><c r="A2"><v>3</v></c><c r="B2"><f t="shared" ref="B2:B3" si="0">A2*2</f>'
    "<v>6</v></c></row>"
    '<row r="3"><c r="A3"><v>5</v></c><c r="B3"><f t="shared" si="0"/><v>10</v></c></row>'
    '<row r="4"><c r="A4" t="e"><v>#N/A</v></c><c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    "</row>"
    '<row r="5"><c r="C5"><f>SUM(A1:A3)</f></c></row>'  # never computed: no value
)


def test_formulas_are_found_where_the_sheet_has_them():
    content = raw_xlsx(FORMULAS)
    rows = assert_read_as_openpyxl(content, formulas=True)
    assert [row[1] for row in rows[:4]] == ["=A1*2", "=A2*2", "=A3*2", "=1/0"]
    assert rows[3][0] == "#N/A"
    assert rows[4] == (None, None, "=SUM(A1:A3)")
    assert all(is_formula(row[1]) for row in rows[:4]) and is_formula(rows[4][2])
    assert not is_formula(rows[3][0])


def test_without_formulas_a_formula_reads_as_its_last_value():
    rows = assert_read_as_openpyxl(raw_xlsx(FORMULAS))
    assert [row[1] for row in rows[:4]] == [4, 6, 10, "#DIV/0!"]
    assert rows[3][0] == "#N/A" and rows[4] == ()


def test_text_that_looks_like_a_formula_is_refused_as_one():
    book = Workbook()
    book.active.append(['=HYPERLINK("http://x.example")'])
    book.active["A1"].data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    assert is_formula(read(buffer.getvalue(), formulas=True)[0][0])


def test_an_array_formula_is_a_formula_too():
    # openpyxl read it as an ArrayFormula object, which the checks took for text.
    content = raw_xlsx('<row r="1"><c r="A1"><f t="array" ref="A1:A2">{1;2}</f><v>1</v></c></row>')
    cell = read(content, formulas=True)[0][0]
    assert is_formula(cell) and cell == "={1;2}"


def test_excel_escapes_are_read_as_excel_means_them():
    content = raw_xlsx(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        strings=["Dòng một_x000D_\nDòng hai", "Tên_x0000_"],
    )
    rows = read(content)
    assert rows[0][0] == "Dòng một\r\nDòng hai"
    assert has_nul(rows[0][1])  # a NUL PostgreSQL cannot store: the checks refuse it


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên \x01 lạ</t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên &#1; lạ</t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên &#0; lạ</t></is></c></row>',
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên</t></is></row>',
        '<row><c r="1A"><v>1</v></c></row>',
    ],
    ids=["control-character", "control-reference", "nul-reference", "broken-tag", "reference"],
)
def test_xml_a_strict_parser_refuses_is_a_damaged_file(sheet_data):
    with pytest.raises(SpreadsheetError, match="tệp bị hỏng"):
        read(raw_xlsx(sheet_data))


def test_an_entity_declaration_is_refused():
    root = '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    content = raw_xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>', root=root
    )
    with pytest.raises(SpreadsheetError, match="tệp bị hỏng"):
        read(content)


@pytest.mark.parametrize(
    "sheet_data",
    [
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="200"><c r="XFD200"><v>2</v></c></row>',
        # The same reach with no references: 3,000 cells in a row, 1,000 rows down.
        '<row r="1">' + "<c><v>1</v></c>" * 3000 + '</row><row r="1000"><c><v>2</v></c></row>',
    ],
    ids=["column-XFD", "cells-without-references"],
)
def test_a_sheet_too_large_to_hold_is_refused_before_it_is_loaded(sheet_data):
    # The reader holds a sheet as one grid of its rows × columns: 200 × 16,384 cells here.
    with pytest.raises(SpreadsheetError, match="giải nén ra quá lớn"):
        read(raw_xlsx(sheet_data))


def test_rows_numbered_past_the_cap_are_refused_at_open():
    content = raw_xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="90"><c r="A90"><v>2</v></c></row>'
    )
    with pytest.raises(SpreadsheetError, match="^Tệp có hơn 50 dòng; mỗi lần nhập tối đa 50"):
        open_xlsx(upload(content), max_rows=50)
    assert len(read(content, max_rows=89)) == 90


def test_a_member_larger_than_the_zip_says_is_refused():
    # A shared-strings part that says it holds 80 bytes and expands to 60 MB.
    big = f'<sst xmlns="{MAIN}"><si><t>'.encode() + b"a" * (60 << 20) + b"</t></si></sst>"
    content = bytearray(raw_xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=["x"]))
    source = zipfile.ZipFile(io.BytesIO(bytes(content)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = big if info.filename == "xl/sharedStrings.xml" else source.read(info)
            archive.writestr(info.filename, data)
    content = bytearray(buffer.getvalue())
    name = b"xl/sharedStrings.xml"
    for signature, name_at, crc_at in ((b"PK\x03\x04", 30, 14), (b"PK\x01\x02", 46, 16)):
        at = content.find(signature)
        while at >= 0:
            if content[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<I", content, at + crc_at + 8, 80)  # its expanded size
                struct.pack_into("<I", content, at + crc_at, zlib.crc32(big[:80]))
            at = content.find(signature, at + 4)
    with pytest.raises(SpreadsheetError):
        read(bytes(content))


def test_a_sheet_far_over_the_cap_is_refused_with_its_exact_count():
    # 5 MB of rows: past the cap, the chunks after the first are only counted.
    rows = '<row><c t="s"><v>0</v></c></row>' * 150_000
    content = raw_xlsx('<row><c t="s"><v>0</v></c></row>' + rows, strings=["Tên"])
    with pytest.raises(SpreadsheetError, match=r"^Tệp có 150[.,]?000 dòng; mỗi lần nhập tối đa 50"):
        open_xlsx(upload(content), max_rows=50)
