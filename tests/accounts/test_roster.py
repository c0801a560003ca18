"""Roster import: the ugly rows, each with its exact outcome; preview writes nothing;
confirm creates all valid rows at once; values past their fields' limits are row problems,
the first of which are kept and all of which can be downloaded. Hostile files:
test_roster_files.py; organizations: test_roster_organizations.py; slips: test_slips.py."""

import io
import unicodedata

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ParticipantKind, RosterImport, User
from accounts.roster import COLUMNS
from accounts.scopes import Scope
from accounts.services.rosters import RosterAlreadyConfirmed, confirm_roster, preview_roster
from tests import factories
from tests.factories import UGLY, roster_file


def test_the_ugly_roster_gives_exactly_the_expected_outcomes(province_admin):
    factories.person(commune=factories.commune("00985"), phone="0977000111")
    roster = preview_roster(roster_file(UGLY), user=province_admin, scope=Scope.of(province_admin))

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
    assert User.objects.count() == 2  # the preview wrote no account


def test_confirm_creates_every_valid_row_once(province_admin):
    roster = preview_roster(roster_file(UGLY), user=province_admin, scope=Scope.of(province_admin))
    ids = confirm_roster(roster, now=timezone.now())
    assert len(ids) == 5  # row 10's phone has no account in this test
    created = User.objects.get(phone="0912345680")
    assert created.full_name == "Hoàng Văn Cường" and created.search_name == "hoang van cuong"
    assert not created.has_usable_password()
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


def test_a_missing_column_is_one_clear_problem(province_admin):
    headers = [c for c in COLUMNS if c != "Số điện thoại"]
    roster = preview_roster(
        roster_file([], headers=headers), user=province_admin, scope=Scope.of(province_admin)
    )
    assert roster.problems == [{"row": 1, "message": "Thiếu cột: Số điện thoại."}]


def test_upload_preview_confirm_through_the_pages(client, province_admin):
    from django.urls import reverse

    client.force_login(province_admin)
    template = client.get(reverse("accounts:roster_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(reverse("accounts:roster_upload"), {"file": roster_file(UGLY)})
    roster = RosterImport.objects.get()
    assert response.url == reverse("accounts:roster_preview", args=[roster.pk])
    page = client.get(response.url).content.decode()
    assert "Không tìm thấy xã, phường “Xã Không Có” trong tỉnh." in page
    assert "Số điện thoại 0912345678 trùng với dòng 2." in page
    client.post(response.url)
    assert User.objects.filter(phone="0912345679").exists()
    assert "Đã xác nhận lúc" in client.get(response.url).content.decode()
    client.post(response.url)  # a second press creates nothing more
    assert RosterImport.objects.get().created_count == 5


def test_someone_elses_roster_is_not_found(client, province_admin):
    from django.urls import reverse

    roster = preview_roster(
        roster_file(UGLY[:1]), user=province_admin, scope=Scope.of(province_admin)
    )
    other = factories.person(commune=factories.commune("02215"), full_name="Người Khác")
    other.is_superuser = True
    other.save()
    client.force_login(other)
    url = reverse("accounts:roster_preview", args=[roster.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not User.objects.filter(phone="0912345678").exists()


def test_only_the_first_problems_are_kept_and_every_one_can_be_downloaded(
    client, province_admin, monkeypatch
):
    from django.urls import reverse

    monkeypatch.setattr("accounts.services.rosters.MAX_STORED_PROBLEMS", 3)
    rows = [[f"Người {n}", f"1234{n}", 1980, "", "Giáp Trung", ""] for n in range(10)]
    rows.append(["Hợp Lệ", "0912000009", 1980, "", "Giáp Trung", ""])
    roster = preview_roster(roster_file(rows), user=province_admin, scope=Scope.of(province_admin))
    assert [p["row"] for p in roster.problems] == [2, 3, 4]
    assert roster.problem_count == 10 and len(roster.rows) == 1

    client.force_login(province_admin)
    page = client.get(reverse("accounts:roster_preview", args=[roster.pk])).content.decode()
    assert "còn 7 dòng lỗi nữa" in page
    download = client.get(reverse("accounts:roster_problems", args=[roster.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    listed = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [row[0] for row in listed] == list(range(2, 12))
    assert listed[0][1].startswith("Số điện thoại “12340”")

    other = factories.person(commune=factories.commune("02215"), full_name="Người Khác")
    other.is_superuser = True
    other.save()
    client.force_login(other)
    assert client.get(reverse("accounts:roster_problems", args=[roster.pk])).status_code == 404


def test_values_too_long_or_out_of_range_are_row_problems_and_confirm_stores_the_rest(
    province_admin,
):
    rows = [
        ["A" * 151, "0912000001", 1980, "", "Giáp Trung", ""],
        ["Cơ Quan Dài", "0912000002", 1980, "UBND " + "x" * 200, "Giáp Trung", ""],
        ["Năm Vô Hạn", "0912000003", "1e400", "", "Giáp Trung", ""],
        ["Mã Xã Dài", "0912000004", 1980, "", "9" * 400, ""],
        ["Năm Quá Lớn", "0912000005", 70000, "", "Giáp Trung", ""],
        ["Số Rất Dài", "0" * 5000, 1980, "", "Giáp Trung", ""],
        ["A" * 150, "0912000007", 1980, "U" * 200, "Giáp Trung", ""],
    ]
    factories.organization("U" * 200)  # a roster names only existing organizations
    roster = preview_roster(roster_file(rows), user=province_admin, scope=Scope.of(province_admin))
    problems = {p["row"]: p["message"] for p in roster.problems}
    assert problems == {
        2: "Họ và tên dài 151 ký tự; tối đa 150.",
        3: "Tên cơ quan, đơn vị dài 205 ký tự; tối đa 200.",
        4: "Năm sinh “1e400” không hợp lệ.",
        5: "Không tìm thấy xã, phường “" + "9" * 39 + "…” trong tỉnh.",
        6: "Năm sinh “70000” không hợp lệ.",
        7: problems[7],
    }
    assert problems[7].startswith("Số điện thoại “" + "0" * 39 + "…”:")
    assert [r["row"] for r in roster.rows] == [8]  # exactly at both limits
    ids = confirm_roster(roster, now=timezone.now())
    assert User.objects.get(pk=ids[0]).full_name == "A" * 150
