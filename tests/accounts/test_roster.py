"""Roster import: the ugly rows, each with its exact outcome; preview writes nothing;
confirm creates all valid rows at once; guards refuse bad files quickly."""

import io
import unicodedata
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Job, Organization, ParticipantKind, RosterImport, SignInCode, User
from accounts.roster import COLUMNS
from accounts.scopes import Scope
from accounts.services.rosters import RosterAlreadyConfirmed, confirm_roster, preview_roster
from common.spreadsheets import SpreadsheetError
from common.text import organization_key
from tests import factories
from tests.factories import UGLY, roster_file


@pytest.fixture
def admin_user(tuyen_quang):
    user = factories.person(commune=factories.commune("02215"), full_name="Quản Trị")
    user.is_superuser = True
    user.save()
    return user


def test_the_ugly_roster_gives_exactly_the_expected_outcomes(admin_user):
    factories.person(commune=factories.commune("00985"), phone="0977000111")
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
    assert User.objects.count() == 2  # the preview wrote no account


def test_confirm_creates_every_valid_row_once(admin_user):
    roster = preview_roster(roster_file(UGLY), user=admin_user, scope=Scope.of(admin_user))
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
    assert "Số điện thoại 0912345678 trùng với dòng 2." in page
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


def print_slips(client, roster, capture) -> bytes:
    """Press "In phiếu tài khoản": the job runs (inline in tests), then its file downloads."""
    from django.urls import reverse

    with capture(execute=True):
        response = client.post(reverse("accounts:roster_slips", args=[roster.pk]))
    job = Job.objects.latest("pk")
    assert response.url == reverse("accounts:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert job.state == Job.State.DONE, page
    download = client.get(reverse("accounts:job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    return b"".join(download.streaming_content)


def test_account_slips_sign_each_person_in_once(
    client, admin_user, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.qr import qr_in_pdf

    roster = preview_roster(roster_file(UGLY), user=admin_user, scope=Scope.of(admin_user))
    confirm_roster(roster, now=timezone.now())
    client.force_login(admin_user)
    urls = qr_in_pdf(print_slips(client, roster, django_capture_on_commit_callbacks))
    assert len(urls) == 5 and all(u.startswith("http://testserver/vao/") for u in urls)

    client.logout()
    response = client.post(urls[0])
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
    assert client.post(urls[0]).status_code == 404  # used once already

    client.force_login(admin_user)
    print_slips(client, roster, django_capture_on_commit_callbacks)  # printed again
    client.logout()
    old = client.post(urls[1])
    assert old.status_code == 404 and "đã được thay bằng phiếu mới" in old.content.decode()


def test_reprinted_slips_give_a_claimed_account_no_sign_in_code(
    client, admin_user, django_capture_on_commit_callbacks
):
    import pypdfium2

    from tests.qr import qr_in_pdf

    roster = preview_roster(roster_file(UGLY), user=admin_user, scope=Scope.of(admin_user))
    confirm_roster(roster, now=timezone.now())
    client.force_login(admin_user)
    first = qr_in_pdf(print_slips(client, roster, django_capture_on_commit_callbacks))
    # One person signs in with their slip (and so has claimed the account), another set a
    # password through "Quên mật khẩu" on their own phone without ever using the slip.
    signed_in = client_class()
    signed_in.post(first[0])
    by_slip = int(signed_in.session["_auth_user_id"])
    roster.refresh_from_db()
    reset = User.objects.filter(pk__in=roster.created_ids).exclude(pk=by_slip).first()
    reset.set_password("mật-khẩu-riêng-123")
    reset.save()

    again = print_slips(client, roster, django_capture_on_commit_callbacks)
    assert len(qr_in_pdf(again)) == 3  # 5 people; 2 claimed their accounts
    document = pypdfium2.PdfDocument(again)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert text.count("đã kích hoạt") == 2
    assert "2 người đã kích hoạt tài khoản" in Job.objects.latest("pk").message
    # The first print's code of the person who reset their password is dead too.
    assert not SignInCode.objects.filter(user=reset, used_at__isnull=True).exists()


def test_a_code_printed_before_the_account_was_claimed_signs_no_one_in(client, admin_user):
    from accounts.services.sign_in_codes import issue_sign_in_codes

    person = factories.person_without_consent(commune=factories.commune("00985"))
    token = issue_sign_in_codes([person], now=timezone.now())[person.pk]
    person.set_password("mật-khẩu-riêng-123")  # claimed since, through their own phone
    person.save()
    assert client.post(f"/vao/{token}/").status_code == 404
    assert "_auth_user_id" not in client.session


def client_class():
    from django.test import Client

    return Client()


def test_an_expired_sign_in_code_does_not_work(client, admin_user):
    import datetime

    from accounts.services.sign_in_codes import issue_sign_in_codes

    person = factories.person_without_consent(commune=factories.commune("00985"))
    long_ago = timezone.now() - datetime.timedelta(days=15)
    token = issue_sign_in_codes([person], now=long_ago)[person.pk]
    assert client.post(f"/vao/{token}/").status_code == 404
    assert "_auth_user_id" not in client.session


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


def test_a_roster_over_the_row_cap_is_refused_at_once_with_its_count(admin_user, monkeypatch):
    from accounts import roster as roster_module

    monkeypatch.setattr(roster_module, "MAX_ROSTER_ROWS", 50)
    # Rows that repeat one bad phone, and a <dimension> that claims two rows: the count is
    # made from the sheet itself.
    hostile = raw_xlsx(header=COLUMNS, rows=[text_row("Tên", "12345")] * 60, dimension="A1:F2")
    with pytest.raises(SpreadsheetError) as refusal:
        preview_roster(hostile, user=admin_user, scope=Scope.of(admin_user))
    assert str(refusal.value) == (
        "Tệp có 60 dòng; mỗi lần nhập tối đa 50 dòng. Hãy chia danh sách thành nhiều tệp nhỏ hơn."
    )
    assert not RosterImport.objects.exists()
    at_cap = raw_xlsx(header=COLUMNS, rows=[text_row("Tên", "12345")] * 50)
    roster = preview_roster(at_cap, user=admin_user, scope=Scope.of(admin_user))
    assert roster.problem_count == 50


def test_a_sheet_damaged_deep_inside_is_a_clear_refusal(admin_user):
    rows = [text_row("Tên", "0912000001", "", "", "Giáp Trung")] * 3
    rows.append(text_row("Tên &#0; có NUL", "0912000002", "", "", "Giáp Trung"))
    damaged = raw_xlsx(header=COLUMNS, rows=rows, dimension="A1:F5")
    with pytest.raises(SpreadsheetError, match="tệp bị hỏng"):
        preview_roster(damaged, user=admin_user, scope=Scope.of(admin_user))


def test_only_the_first_problems_are_kept_and_every_one_can_be_downloaded(
    client, admin_user, monkeypatch
):
    from django.urls import reverse

    monkeypatch.setattr("accounts.services.rosters.MAX_STORED_PROBLEMS", 3)
    rows = [[f"Người {n}", f"1234{n}", 1980, "", "Giáp Trung", ""] for n in range(10)]
    rows.append(["Hợp Lệ", "0912000009", 1980, "", "Giáp Trung", ""])
    roster = preview_roster(roster_file(rows), user=admin_user, scope=Scope.of(admin_user))
    assert [p["row"] for p in roster.problems] == [2, 3, 4]
    assert roster.problem_count == 10 and len(roster.rows) == 1

    client.force_login(admin_user)
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
    admin_user,
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
    roster = preview_roster(roster_file(rows), user=admin_user, scope=Scope.of(admin_user))
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


# --- Organizations: matched to the directory, never created ---------------------------------


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("Ủy ban xã Giáp Trung", "UBND xã Giáp Trung"),
        ("uỷ ban nhân dân xã giáp trung", "UBND xã Giáp Trung"),
        ("  UBND  xã Giáp Trung, ", "UBND xã Giáp Trung"),
        ("HĐND xã Giáp Trung", "Hội đồng nhân dân xã Giáp Trung"),
        ("THCS Minh Thanh", "Trường Trung học cơ sở Minh Thanh"),
        ("Trường THPT Sơn Dương", "THPT Sơn Dương"),
        ("TH Kim Quan", "Trường Tiểu học Kim Quan"),
        ("Trường MN Thái Hòa", "Mầm non Thái Hoà"),
        (unicodedata.normalize("NFD", "Trạm Y tế xã Thái Hoà"), "Trạm y tế xã Thái Hòa"),
    ],
)
def test_an_organization_is_recognised_without_accents_case_or_abbreviations(written, named):
    assert organization_key(written) == organization_key(named)


def test_distinct_organizations_keep_distinct_keys():
    keys = {
        organization_key(name)
        for name in [
            "UBND xã Giáp Trung",
            "Ủy ban MTTQ xã Giáp Trung",
            "HĐND xã Giáp Trung",
            "Trường THCS Giáp Trung",
            "Trường THPT Giáp Trung",
            "Trường TH Giáp Trung",
        ]
    }
    assert len(keys) == 6


@pytest.fixture
def units(tuyen_quang):
    giap_trung, minh_thanh = factories.commune("00985"), factories.commune("02554")
    return {
        "ubnd": factories.organization("UBND xã Giáp Trung", commune=giap_trung),
        "thcs": factories.organization("Trường Trung học cơ sở Minh Thanh", commune=minh_thanh),
        "ubnd_mt": factories.organization("UBND xã Minh Thanh", commune=minh_thanh),
        "station": factories.organization("Trạm y tế xã Giáp Trung", commune=giap_trung),
    }


def test_roster_rows_name_existing_organizations_however_written(admin_user, units):
    rows = [
        ["Một", "0912000001", 1980, "Ủy ban xã Giáp Trung", "Giáp Trung", ""],
        ["Hai", "0912000002", 1980, "uỷ ban nhân dân xã giáp trung", "Giáp Trung", ""],
        ["Ba", "0912000003", 1980, "  UBND xã Giáp Trung ", "Giáp Trung", ""],
        ["Bốn", "0912000004", 1980, "THCS Minh Thanh", "Minh Thanh", "Viên chức"],
    ]
    count = Organization.objects.count()
    roster = preview_roster(roster_file(rows), user=admin_user, scope=Scope.of(admin_user))
    assert roster.problems == []
    ubnd, thcs = units["ubnd"], units["thcs"]
    assert [(r["organization_id"], r["organization"]) for r in roster.rows] == [
        (ubnd.pk, ubnd.name),
        (ubnd.pk, ubnd.name),
        (ubnd.pk, ubnd.name),
        (thcs.pk, thcs.name),
    ]
    ids = confirm_roster(roster, now=timezone.now())
    people = User.objects.filter(pk__in=ids)
    assert sorted(p.organization_id for p in people) == sorted([ubnd.pk] * 3 + [thcs.pk])
    assert Organization.objects.count() == count


def test_an_unknown_organization_is_a_row_problem_naming_the_closest_and_creates_nothing(
    admin_user, units
):
    rows = [
        ["Một", "0912000001", 1980, "Ủy ban xã Giáp Trug", "Giáp Trung", ""],
        ["Hai", "0912000002", 1980, "Công ty Cổ phần Chè Hoàng Long", "Giáp Trung", ""],
        ["Ba", "0912000003", 1980, "", "Giáp Trung", ""],
    ]
    count = Organization.objects.count()
    roster = preview_roster(roster_file(rows), user=admin_user, scope=Scope.of(admin_user))
    problems = {p["row"]: p["message"] for p in roster.problems}
    assert problems[2].startswith(
        "Không có cơ quan “Ủy ban xã Giáp Trug” trong phạm vi của bạn. "
        "Gần nhất: UBND xã Giáp Trung; UBND xã Minh Thanh"
    )
    assert problems[3] == (
        "Không có cơ quan “Công ty Cổ phần Chè Hoàng Long” trong phạm vi của bạn; hãy để "
        "trống ô này, hoặc thêm cơ quan ở trang “Cơ quan, đơn vị” rồi tải tệp lên lại."
    )
    assert [r["row"] for r in roster.rows] == [4]
    confirm_roster(roster, now=timezone.now())
    assert Organization.objects.count() == count
    assert User.objects.get(phone="0912000003").organization is None


def test_a_coordinator_names_only_organizations_of_their_scope(units):
    from accounts.models import Role

    giap_trung = factories.commune("00985")
    coordinator = factories.with_role(
        factories.person(commune=giap_trung), Role.COMMUNE_COORDINATOR, commune=giap_trung
    )
    rows = [
        ["Trong", "0912000001", 1980, "Trạm Y tế xã Giáp Trung", "Giáp Trung", ""],
        ["Ngoài", "0912000002", 1980, "UBND xã Minh Thanh", "Giáp Trung", ""],
    ]
    roster = preview_roster(roster_file(rows), user=coordinator, scope=Scope.of(coordinator))
    assert [r["organization_id"] for r in roster.rows] == [units["station"].pk]
    [problem] = roster.problems
    assert problem["message"].startswith(
        "Không có cơ quan “UBND xã Minh Thanh” trong phạm vi của bạn. Gần nhất: "
    )
    assert "Minh Thanh" not in problem["message"].split("Gần nhất:")[1]  # nothing outside


def test_two_organizations_with_one_name_are_told_apart_by_the_rows_commune(admin_user):
    minh_xuan, thai_hoa = factories.commune("02215"), factories.commune("02419")
    there = factories.organization("Trường Tiểu học Hồng Quang", commune=minh_xuan)
    here = factories.organization("Trường TH Hồng Quang", commune=thai_hoa)
    rows = [
        ["Một", "0912000001", 1980, "TH Hồng Quang", minh_xuan.name, ""],
        ["Hai", "0912000002", 1980, "TH Hồng Quang", thai_hoa.name, ""],
        ["Ba", "0912000003", 1980, "TH Hồng Quang", "Giáp Trung", ""],
    ]
    roster = preview_roster(roster_file(rows), user=admin_user, scope=Scope.of(admin_user))
    assert [r["organization_id"] for r in roster.rows] == [there.pk, here.pk]
    assert roster.problems[0]["message"].startswith("Có nhiều cơ quan ứng với “TH Hồng Quang”")


def test_past_the_suggestion_cap_unknown_organizations_are_refused_without_suggestions(
    admin_user, units, monkeypatch
):
    monkeypatch.setattr("accounts.roster.MAX_SUGGESTED", 1)
    rows = [
        ["Một", "0912000001", 1980, "Ủy ban xã Giáp Trug", "Giáp Trung", ""],
        ["Hai", "0912000002", 1980, "Ủy ban xã Giáp Trunk", "Giáp Trung", ""],
        ["Ba", "0912000003", 1980, "Ủy ban xã Giáp Trug", "Giáp Trung", ""],  # already asked
    ]
    roster = preview_roster(roster_file(rows), user=admin_user, scope=Scope.of(admin_user))
    problems = {p["row"]: p["message"] for p in roster.problems}
    assert "Gần nhất: UBND xã Giáp Trung" in problems[2]
    assert problems[3].endswith("ở trang “Cơ quan, đơn vị” rồi tải tệp lên lại.")
    assert "Gần nhất" not in problems[3]
    assert problems[4] == problems[2]
