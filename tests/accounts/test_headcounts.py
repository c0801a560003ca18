"""Expected headcounts (issue 14, denominators): the Department's import from Excel (good
file, bad rows refused whole, abbreviations matched, over-size refused), its page (only the
Department; edits a page at a time), the export (formula-safe, the import's template)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts import headcounts
from accounts.headcounts import ADULTS, CODE, COMMUNE_NAME, ORGANIZATION_NAME, STAFF
from accounts.models import Commune, HeadcountImport, Organization, Role
from accounts.services.headcounts import (
    HeadcountsNotImported,
    confirm_headcounts,
    preview_headcounts,
    set_expected_headcounts,
)
from common.spreadsheets import MAX_UPLOAD_BYTES, SpreadsheetError
from tests import factories

NOW = timezone.now()
HEADS = [CODE, COMMUNE_NAME, ADULTS]


def workbook_file(headers, rows, *, name="so-du-kien.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def department(tuyen_quang):
    return factories.with_role(
        factories.person(commune=factories.commune("00985"), full_name="Sở Khoa Học"),
        Role.PROVINCE_ADMIN,
    )


@pytest.fixture
def units(tuyen_quang):
    giap_trung, bac_me = factories.commune("00985"), factories.commune("00991")
    return {
        "ubnd": factories.organization("UBND xã Giáp Trung", commune=giap_trung),
        "thcs": factories.organization("Trường THCS Minh Thanh", commune=giap_trung),
        "hoa_sen_a": factories.organization("Trường Mầm non Hoa Sen", commune=giap_trung),
        "hoa_sen_b": factories.organization("Trường Mầm non Hoa Sen", commune=bac_me),
    }


def adults(code: str) -> int | None:
    return Commune.objects.get(code=code).expected_adults


# --- The import ---------------------------------------------------------------------------


def test_a_good_commune_file_previews_without_writing_then_confirms_every_row_at_once(
    department,
):
    set_expected_headcounts(unit="commune", values={factories.commune("02215").pk: 800},
                            source="", now=NOW)  # fmt: skip
    upload = workbook_file(
        HEADS,
        [
            ["00985", "", 4500],
            [None, "thai hoa", "12.345"],  # no accents; Vietnamese thousands
            [991, None, 3000.0],  # Excel dropped the code's zeros; a float cell
            ["", "Xã Minh Thanh", None],  # no number: left as it is
            [None, None, None],
            ["02215", "", 800],  # the same as stored
        ],
    )
    record = preview_headcounts(upload, user=department)
    assert record.unit == "commune" and record.problems == []
    assert [(r["row"], r["name"], r["old"], r["new"]) for r in record.rows] == [
        (2, "Giáp Trung", None, 4500),
        (3, "Thái Hòa", None, 12345),
        (4, "Bắc Mê", None, 3000),
    ]
    assert (record.unchanged, record.empty_rows) == (1, 1)
    assert adults("00985") is None  # the preview wrote nothing

    assert confirm_headcounts(record, now=NOW) == 3
    assert (adults("00985"), adults("02419"), adults("00991")) == (4500, 12345, 3000)
    giap_trung = Commune.objects.get(code="00985")
    assert (giap_trung.expected_source, giap_trung.expected_set_at) == ("so-du-kien.xlsx", NOW)
    with pytest.raises(HeadcountsNotImported, match="đã được xác nhận"):
        confirm_headcounts(record, now=NOW)


def test_bad_rows_are_each_listed_with_a_reason_and_nothing_is_imported(department):
    upload = workbook_file(
        HEADS,
        [
            ["00985", "", 4500],  # good, but the file has bad rows
            ["", "Xã Không Có", 100],
            ["", "Bắc Mê", 0],
            ["", "Bắc Mê", -5],
            ["", "Bắc Mê", "khoảng 3 nghìn"],
            ["", "Bắc Mê", 2.5],
            ["", "Bắc Mê", 2_000_000],
            ["", "Bắc Mê", "=B2*2"],
            ["00991", "Giáp Trung", 10],
            ["", "giáp trung", 4600],
            ["", "", 50],
        ],
    )
    record = preview_headcounts(upload, user=department)
    number = "“Số người trưởng thành dự kiến” là “%s”: hãy ghi một số nguyên từ 1 đến 1.000.000."
    assert [(p["row"], p["message"]) for p in record.problems] == [
        (3, "Không tìm thấy xã, phường “Xã Không Có” trong tỉnh."),
        (4, number % "0"),
        (5, number % "-5"),
        (6, number % "khoảng 3 nghìn"),
        (7, number % "2.5"),
        (8, number % "2000000"),
        (9, "Cột “Số người trưởng thành dự kiến” chứa công thức (=B2*2); hãy nhập giá trị, "
            "không nhập công thức."),
        (10, "Mã xã “00991” và tên “Giáp Trung” là hai xã, phường khác nhau; "
             "hãy sửa một trong hai."),
        (11, "“giáp trung” trùng với dòng 2."),
        (12, "Thiếu mã xã hoặc tên xã, phường."),
    ]  # fmt: skip
    with pytest.raises(HeadcountsNotImported, match="dòng lỗi"):
        confirm_headcounts(record, now=NOW)
    assert not Commune.objects.filter(expected_adults__isnull=False).exists()


def test_organizations_are_matched_however_abbreviated_and_told_apart_by_commune(department, units):
    upload = workbook_file(
        [ORGANIZATION_NAME, CODE, STAFF],
        [
            ["Ủy ban xã Giáp Trung", "", 35],
            ["THCS Minh Thanh", "", "1 200"],
            ["Trường Mầm non Hoa Sen", "00991", 18],
            ["Trường Mầm non Hoa Sen", "", 20],
            ["Trường THCS Minh Thah", "", 40],
            ["Trạm y tế Không Có", "", 9],
        ],
    )
    record = preview_headcounts(upload, user=department)
    assert record.unit == "organization"
    assert [(r["id"], r["name"], r["new"]) for r in record.rows] == [
        (units["ubnd"].pk, "UBND xã Giáp Trung", 35),
        (units["thcs"].pk, "Trường THCS Minh Thanh", 1200),
        (units["hoa_sen_b"].pk, "Trường Mầm non Hoa Sen", 18),
    ]
    assert [(p["row"], p["message"]) for p in record.problems] == [
        (5, "Có nhiều cơ quan ứng với “Trường Mầm non Hoa Sen”: Trường Mầm non Hoa Sen; "
            "Trường Mầm non Hoa Sen; hãy ghi đúng tên một cơ quan, hoặc ghi thêm mã xã."),
        (6, "Không có cơ quan “Trường THCS Minh Thah” trong danh mục. "
            "Gần nhất: Trường THCS Minh Thanh"),
        (7, "Không có cơ quan “Trạm y tế Không Có” trong danh mục."),
    ]  # fmt: skip
    assert not Organization.objects.filter(expected_staff__isnull=False).exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            [CODE, COMMUNE_NAME, "Dân số"],
            "Thiếu cột số dự kiến: “Số người trưởng thành dự kiến” (cho xã, phường) hoặc “Số "
            "cán bộ, nhân viên dự kiến” (cho cơ quan, đơn vị). Hãy dùng tệp tải về từ trang "
            "này làm mẫu.",
        ),
        ([COMMUNE_NAME, ADULTS, STAFF], "mỗi tệp chỉ nhập một loại"),
        ([ADULTS], "Thiếu cột: Mã xã / Xã, phường."),
        ([COMMUNE_NAME, STAFF], "Thiếu cột: Cơ quan, đơn vị."),
    ],
)
def test_a_file_without_the_right_columns_is_one_clear_problem(department, header, message):
    record = preview_headcounts(workbook_file(header, [["00985", 1, 1]]), user=department)
    assert len(record.problems) == 1 and record.problems[0]["row"] == 1
    assert message in record.problems[0]["message"]
    assert record.rows == []


def test_an_oversized_or_overlong_file_is_refused_before_any_row_is_read(department, monkeypatch):
    too_big = SimpleUploadedFile("lon.xlsx", b"PK" + b"\0" * MAX_UPLOAD_BYTES)
    with pytest.raises(SpreadsheetError, match="Tệp quá lớn"):
        preview_headcounts(too_big, user=department)
    monkeypatch.setattr(headcounts, "MAX_HEADCOUNT_ROWS", 3)
    rows = [["00985", "", 1]] * 4
    with pytest.raises(SpreadsheetError, match="Tệp có 4 dòng; mỗi lần nhập tối đa 3 dòng."):
        preview_headcounts(workbook_file(HEADS, rows), user=department)
    assert not HeadcountImport.objects.exists()


def test_the_export_uploaded_again_changes_nothing(client, department, units):
    set_expected_headcounts(unit="organization", values={units["ubnd"].pk: 30,
                            units["hoa_sen_b"].pk: 18}, source="", now=NOW)  # fmt: skip
    client.force_login(department)
    response = client.get(reverse("accounts:headcounts_export"), {"loai": "co-quan"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:5] == [ORGANIZATION_NAME, CODE, COMMUNE_NAME, STAFF, "Số tài khoản đã đăng ký"]
    rows = [[c.value for c in row[:4]] for row in sheet.iter_rows(min_row=2)]
    assert rows == [
        ["Trường Mầm non Hoa Sen", "00985", "Giáp Trung", None],
        ["Trường Mầm non Hoa Sen", "00991", "Bắc Mê", 18],  # told apart by the code
        ["Trường THCS Minh Thanh", "00985", "Giáp Trung", None],
        ["UBND xã Giáp Trung", "00985", "Giáp Trung", 30],
    ]
    again = SimpleUploadedFile("lai.xlsx", response.content)
    record = preview_headcounts(again, user=department)
    assert (record.problems, record.rows, record.unchanged) == ([], [], 2)
    communes = client.get(reverse("accounts:headcounts_export"), {"loai": "xa"})
    record = preview_headcounts(SimpleUploadedFile("xa.xlsx", communes.content), user=department)
    assert (record.unit, record.problems, record.rows, record.empty_rows) == ("commune", [], [], 0)


def test_the_export_writes_formula_like_text_as_text(client, department):
    odd = factories.organization('=HYPERLINK("http://x.example","Bấm")')
    set_expected_headcounts(unit="organization", values={odd.pk: 12},
                            source="=cmd|' /c calc'!A1.xlsx", now=NOW)  # fmt: skip
    client.force_login(department)
    response = client.get(reverse("accounts:headcounts_export"), {"loai": "co-quan"})
    row = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
    odd.refresh_from_db()
    assert [row[0].value, row[3].value, row[6].value] == [odd.name, 12, odd.expected_source]
    assert row[0].data_type == row[6].data_type == "s"  # shown as text, never evaluated


def test_the_import_pages_upload_preview_and_confirm(client, department):
    client.force_login(department)
    upload = workbook_file(HEADS, [["00985", "", 4500]])
    response = client.post(reverse("accounts:headcounts_upload"), {"file": upload})
    record = HeadcountImport.objects.get()
    assert response.url == reverse("accounts:headcounts_preview", args=[record.pk])
    page = client.get(response.url).content.decode()
    assert "Giáp Trung" in page and "Xác nhận và cập nhật" in page
    assert adults("00985") is None
    page = client.post(response.url, follow=True).content.decode()
    assert "Đã cập nhật số dự kiến của 1 đơn vị." in page and adults("00985") == 4500

    bad = workbook_file(HEADS, [["00985", "", 1], ["", "Xã Không Có", 2]])
    response = client.post(reverse("accounts:headcounts_upload"), {"file": bad}, follow=True)
    page = response.content.decode()
    assert "Tệp có dòng lỗi nên chưa nhập dòng nào." in page and "Xác nhận và cập nhật" not in page
    assert "Không tìm thấy xã, phường “Xã Không Có” trong tỉnh." in page
    refused = client.post(response.wsgi_request.path, follow=True).content.decode()
    assert "chưa nhập gì" in refused and adults("00985") == 4500

    renamed = SimpleUploadedFile("so.xlsx", b"not a zip at all")
    page = client.post(reverse("accounts:headcounts_upload"), {"file": renamed})
    assert page.status_code == 200 and "không phải là tệp Excel" in page.content.decode()


# --- The Department's page ------------------------------------------------------------------


def test_only_the_department_opens_the_pages(client, department, tuyen_quang):
    giap_trung = factories.commune("00985")
    record = preview_headcounts(workbook_file(HEADS, [["00985", "", 1]]), user=department)
    other_department = factories.with_role(
        factories.person(commune=giap_trung, full_name="Sở Khác"), Role.PROVINCE_ADMIN
    )
    coordinator = factories.with_role(
        factories.person(commune=giap_trung, full_name="Điều Phối Xã"),
        Role.COMMUNE_COORDINATOR,
        commune=giap_trung,
    )
    host = factories.with_role(factories.person(commune=giap_trung), Role.CONTEST_HOST)
    resident = factories.person(commune=giap_trung, full_name="Người Dân")
    pages = [
        reverse("accounts:headcounts"),
        reverse("accounts:headcounts_export"),
        reverse("accounts:headcounts_upload"),
        reverse("accounts:headcounts_preview", args=[record.pk]),
    ]
    for url in pages:
        client.logout()
        assert client.get(url).status_code == 302  # anonymous: to the login page
        for person in (coordinator, host, resident):
            client.force_login(person)
            assert client.get(url).status_code == 403, (url, person)
        client.force_login(department)
        assert client.get(url).status_code == 200, url
    client.force_login(coordinator)
    url = reverse("accounts:headcounts")
    assert client.post(url, {f"u{giap_trung.pk}": "9"}).status_code == 403
    assert adults("00985") is None
    client.force_login(other_department)  # someone else's import is not even known
    assert client.get(pages[3]).status_code == 404
    assert client.post(pages[3]).status_code == 404


def test_the_page_saves_a_page_of_numbers_all_or_nothing(client, department):
    giap_trung, bac_me = factories.commune("00985"), factories.commune("00991")
    client.force_login(department)
    url = reverse("accounts:headcounts") + "?q=giap"
    page = client.get(url).content.decode()
    assert "Giáp Trung" in page and "Bắc Mê" not in page
    refused = client.post(url, {f"u{giap_trung.pk}": "4500", f"u{bac_me.pk}": "0"})
    assert refused.status_code == 200
    assert "Số dự kiến phải từ 1 trở lên" in refused.content.decode()
    assert adults("00985") is None and adults("00991") is None

    saved = client.post(url, {f"u{giap_trung.pk}": "4500", f"u{bac_me.pk}": ""}, follow=True)
    assert "Đã lưu 1 thay đổi." in saved.content.decode()
    assert saved.redirect_chain[-1][0] == url  # back to the same filtered page
    giap_trung.refresh_from_db()
    assert (giap_trung.expected_adults, giap_trung.expected_source) == (4500, "")
    assert giap_trung.expected_set_at is not None
    cleared = client.post(url, {f"u{giap_trung.pk}": ""}, follow=True)
    assert "Đã lưu 1 thay đổi." in cleared.content.decode() and adults("00985") is None


def test_the_page_lists_every_commune_by_pages_and_those_missing_a_number(client, department):
    client.force_login(department)
    url = reverse("accounts:headcounts")
    first = client.get(url)
    assert first.context["page"].paginator.count == 124
    assert len(first.context["rows"]) == 50
    set_expected_headcounts(unit="commune", values={factories.commune("00985").pk: 10},
                            source="", now=NOW)  # fmt: skip
    missing = client.get(url, {"thieu": "1", "page": "3"})
    assert missing.context["page"].paginator.count == 123
    assert "Giáp Trung" not in [str(c) for c, _f, _n in missing.context["rows"]]
    by_code = client.get(url, {"q": "00985"}).context["rows"]
    assert [str(c) for c, _f, _n in by_code] == ["Xã Giáp Trung"]
    organizations = client.get(url, {"loai": "co-quan", "q": "không có"})
    assert organizations.context["unit"] == "organization"
    assert "Không có đơn vị nào khớp bộ lọc." in organizations.content.decode()


def test_the_rates_read_a_change_once_it_is_committed(
    department, django_capture_on_commit_callbacks
):
    giap_trung = factories.commune("00985")
    assert headcounts.expected("commune") == {}  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        set_expected_headcounts(unit="commune", values={giap_trung.pk: 4500}, source="", now=NOW)
    assert headcounts.expected("commune") == {giap_trung.pk: 4500}
    later = NOW + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            set_expected_headcounts(
                unit="commune", values={giap_trung.pk: 4500}, source="x", now=later
            )
            == 0  # the same number: not changed, not re-dated
        )
    giap_trung.refresh_from_db()
    assert giap_trung.expected_set_at == NOW
