"""Roster import: the ugly rows, each with its exact outcome; preview writes nothing;
confirm creates all valid rows at once; guards refuse bad files quickly."""

import io
import unicodedata
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import Organization, ParticipantKind, RosterImport, User
from accounts.roster import COLUMNS
from accounts.scopes import Scope
from accounts.services import RosterAlreadyConfirmed, confirm_roster, preview_roster
from accounts.spreadsheets import SpreadsheetError
from tests import factories

UGLY = [
    ["Nguyễn Văn An", "+84 912 345 678", 1980, "UBND xã Giáp Trung", "Giáp Trung", "Cán bộ cấp xã"],
    ["Trần Thị Bình", "0912.345.679", 1990, "Trạm y tế xã Thái Hòa", "Thái Hoà", "Viên chức"],
    [unicodedata.normalize("NFD", "Hoàng Văn Cường"), 912345680, None, "", "thai hoa", ""],
    ["Lò Văn Dũng", "0912345681", 1975, "", "Xã Không Có", "Công chức"],
    ["Nguyễn Văn Trùng", "0912 345 678", 1980, "", "Giáp Trung", "Công chức"],
    [None, None, None, None, None, None],
    ['=HYPERLINK("http://x.example","Bấm vào")', "0912345682", 1980, "", "Giáp Trung", ""],
    [
        "  Lý Thị   Dung  ",
        " 0388 000 111 ",
        "1988",
        "  UBND xã Giáp Trung ",
        "  00985 ",
        "Công chức ",
    ],
    ["Đã Có Tài Khoản", "0977000111", 1970, "", "Giáp Trung", "Công chức"],
    ["Số Sai", "12345", 1970, "", "Giáp Trung", "Công chức"],
    ["Năm Sai", "0912345683", 1850, "", "Giáp Trung", "Công chức"],
    ["Kiểu Sai", "0912345684", 1980, "", "Giáp Trung", "Bộ trưởng"],
]


def roster_file(rows, *, name="danh-sach.xlsx", headers=COLUMNS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def admin_user(tuyen_quang):
    user = factories.person(commune=factories.commune("02215"), full_name="Quản Trị")
    user.is_superuser = True
    user.save()
    return user


def test_the_ugly_roster_gives_exactly_the_expected_outcomes(admin_user):
    factories.person(commune=factories.commune("00985"), phone="0977000111")
    factories.organization("UBND xã Giáp Trung", commune=factories.commune("00985"))
    roster = preview_roster(roster_file(UGLY), user=admin_user, scope=Scope.of(admin_user))

    assert [(r["row"], r["phone"], r["full_name"]) for r in roster.rows] == [
        (2, "0912345678", "Nguyễn Văn An"),
        (3, "0912345679", "Trần Thị Bình"),
        (4, "0912345680", "Hoàng Văn Cường"),  # NFC now
        (9, "0388000111", "Lý Thị Dung"),
    ]
    assert roster.rows[2]["full_name"] == unicodedata.normalize("NFC", "Hoàng Văn Cường")
    thai_hoa = factories.commune("02419").pk
    assert roster.rows[1]["commune_id"] == roster.rows[2]["commune_id"] == thai_hoa
    assert roster.rows[2]["participant_kind"] == ParticipantKind.COMMUNE_OFFICIAL  # default
    assert roster.rows[3]["participant_kind"] == ParticipantKind.CIVIL_SERVANT
    assert roster.rows[3]["birth_year"] == 1988
    assert [r["row"] for r in roster.existing] == [10]
    problems = {p["row"]: p["message"] for p in roster.problems}
    assert set(problems) == {5, 6, 8, 11, 12, 13}
    assert problems[5] == "Không tìm thấy xã, phường “Xã Không Có” trong tỉnh."
    assert problems[6] == "Số điện thoại 0912345678 trùng với dòng 2."
    assert problems[8].startswith("Cột “Họ và tên” chứa công thức")
    assert problems[11].startswith("Số điện thoại “12345”: Số điện thoại di động không hợp lệ")
    assert problems[12] == "Năm sinh “1850” không hợp lệ."
    assert problems[13].startswith("Đối tượng “Bộ trưởng” không có trong danh mục")
    assert roster.empty_rows == 1
    assert roster.new_organizations == ["Trạm y tế xã Thái Hòa"]
    assert User.objects.count() == 2  # the preview wrote no account


def test_confirm_creates_every_valid_row_once(admin_user):
    roster = preview_roster(roster_file(UGLY), user=admin_user, scope=Scope.of(admin_user))
    ids = confirm_roster(roster, now=timezone.now())
    assert len(ids) == 5  # row 10's phone has no account in this test
    created = User.objects.get(phone="0912345680")
    assert created.full_name == "Hoàng Văn Cường" and created.search_name == "hoang van cuong"
    assert not created.has_usable_password()
    station = Organization.objects.get(name="Trạm y tế xã Thái Hòa")
    assert station.kind == Organization.Kind.HEALTH_STATION
    assert User.objects.get(phone="0912345679").organization == station
    with pytest.raises(RosterAlreadyConfirmed):
        confirm_roster(roster, now=timezone.now())
    assert User.objects.filter(phone__startswith="09123456").count() == 3


def test_a_commune_coordinator_imports_only_into_their_commune(tuyen_quang):
    from accounts.models import Role

    giap_trung = factories.commune("00985")
    coordinator = factories.with_role(
        factories.person(commune=giap_trung), Role.COMMUNE_COORDINATOR, commune=giap_trung
    )
    rows = [
        ["Trong Phạm Vi", "0912000001", 1980, "", "Giáp Trung", ""],
        ["Ngoài Phạm Vi", "0912000002", 1980, "", "Thái Hòa", ""],
    ]
    roster = preview_roster(roster_file(rows), user=coordinator, scope=Scope.of(coordinator))
    assert [r["full_name"] for r in roster.rows] == ["Trong Phạm Vi"]
    assert "ngoài phạm vi" in roster.problems[0]["message"]


def test_a_missing_column_is_one_clear_problem(admin_user):
    headers = [c for c in COLUMNS if c != "Số điện thoại"]
    roster = preview_roster(
        roster_file([], headers=headers), user=admin_user, scope=Scope.of(admin_user)
    )
    assert roster.problems == [{"row": 1, "message": "Thiếu cột: Số điện thoại."}]


def test_a_renamed_docx_is_refused(admin_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())
    with pytest.raises(SpreadsheetError, match="không phải là tệp Excel .xlsx hợp lệ"):
        preview_roster(upload, user=admin_user, scope=Scope.of(admin_user))
    assert not RosterImport.objects.exists()


def test_a_zip_bomb_is_refused_without_expanding_it(admin_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024  # 200 MB inside a file under 1 MB
    upload = SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())
    with pytest.raises(SpreadsheetError, match="giải nén ra quá lớn"):
        preview_roster(upload, user=admin_user, scope=Scope.of(admin_user))


def test_upload_preview_confirm_through_the_pages(client, admin_user):
    from django.urls import reverse

    client.force_login(admin_user)
    template = client.get(reverse("accounts:roster_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(reverse("accounts:roster_upload"), {"file": roster_file(UGLY)})
    roster = RosterImport.objects.get()
    assert response.url == reverse("accounts:roster_preview", args=[roster.pk])
    page = client.get(response.url).content.decode()
    assert "Không tìm thấy xã, phường “Xã Không Có” trong tỉnh." in page
    assert "Trạm y tế xã Thái Hòa" in page
    client.post(response.url)
    assert User.objects.filter(phone="0912345679").exists()
    assert "Đã xác nhận lúc" in client.get(response.url).content.decode()
    client.post(response.url)  # a second press creates nothing more
    assert RosterImport.objects.get().created_count == 5


def test_a_renamed_docx_gets_a_message_on_the_page(client, admin_user):
    from django.urls import reverse

    client.force_login(admin_user)
    upload = SimpleUploadedFile("danh-sach.xlsx", b"PK\x03\x04 not really a zip")
    page = client.post(reverse("accounts:roster_upload"), {"file": upload}).content.decode()
    assert "không phải là tệp Excel" in page


def test_someone_elses_roster_is_not_found(client, admin_user):
    from django.urls import reverse

    roster = preview_roster(roster_file(UGLY[:1]), user=admin_user, scope=Scope.of(admin_user))
    other = factories.person(commune=factories.commune("02215"), full_name="Người Khác")
    other.is_superuser = True
    other.save()
    client.force_login(other)
    url = reverse("accounts:roster_preview", args=[roster.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not User.objects.filter(phone="0912345678").exists()


def test_account_slips_sign_each_person_in_once(client, admin_user):
    from django.urls import reverse

    from tests.qr import qr_in_pdf

    roster = preview_roster(roster_file(UGLY), user=admin_user, scope=Scope.of(admin_user))
    confirm_roster(roster, now=timezone.now())
    client.force_login(admin_user)
    response = client.get(reverse("accounts:roster_slips", args=[roster.pk]))
    assert response["Content-Type"] == "application/pdf"
    urls = qr_in_pdf(response.content)
    assert len(urls) == 5 and all(u.startswith("http://testserver/vao/") for u in urls)

    client.logout()
    response = client.get(urls[0])
    assert response.url.startswith(reverse("accounts:consent"))  # asked once, explicitly
    assert "Bạn cần đồng ý" in client.post(response.url, {}).content.decode()
    person = User.objects.get(pk=int(client.session["_auth_user_id"]))
    assert person.consent_at is None
    agreed = client.post(response.url, {"consent": "on"})
    assert agreed.url.startswith(reverse("account_set_password"))
    person.refresh_from_db()
    assert person.consent_at is not None
    roster.refresh_from_db()
    assert person.pk in roster.created_ids
    client.logout()
    assert client.get(urls[0]).status_code == 404  # used once already

    client.force_login(admin_user)
    client.get(reverse("accounts:roster_slips", args=[roster.pk]))  # printed again
    client.logout()
    old = client.get(urls[1])
    assert old.status_code == 404 and "đã được thay bằng phiếu mới" in old.content.decode()


def test_an_expired_sign_in_code_does_not_work(client, admin_user):
    import datetime

    from accounts.services import issue_sign_in_codes

    person = factories.person(commune=factories.commune("00985"))
    long_ago = timezone.now() - datetime.timedelta(days=15)
    token = issue_sign_in_codes([person], now=long_ago)[person.pk]
    assert client.get(f"/vao/{token}/").status_code == 404
    assert "_auth_user_id" not in client.session
