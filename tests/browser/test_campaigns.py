"""The compliance walk on a phone: a coordinator imports the sample roster, reads the
preview's errors, confirms, opens the dashboard and downloads the export, whose numbers
equal the dashboard's."""

import io
import re

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from tests import factories
from tests.browser.pages import fits_the_screen
from tests.factories import UGLY, make_campaign, roster_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(tuyen_quang):
    return factories.sample_course()


def test_a_coordinator_imports_a_roster_and_reports(
    live_server, course, phone, artifacts, tmp_path
):
    campaign = make_campaign(course)  # every commune official, every commune
    coordinator = factories.with_role(
        factories.person(commune=factories.commune("02215"), phone="0911000222"),
        Role.PROVINCE_ADMIN,
    )
    assert coordinator.is_superuser
    roster = tmp_path / "danh-sach-can-bo.xlsx"
    roster.write_bytes(roster_file(UGLY).read())

    page = phone
    page.goto(live_server.url + "/tai-khoan/login/")
    page.get_by_label("Số điện thoại di động").fill("0911000222")
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Điều phối").click()
    page.get_by_role("link", name="Nhập danh sách cán bộ từ Excel").click()
    page.locator("input[type=file]").set_input_files(roster)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()

    page.wait_for_url(re.compile(r"/nhap-danh-sach/\d+/$"))
    assert page.get_by_text("Không tìm thấy xã, phường “Xã Không Có” trong tỉnh.").is_visible()
    assert page.get_by_text("Số điện thoại 0912345678 trùng với dòng 2.").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "roster-preview-360.png", full_page=True)
    page.get_by_role("button", name="Xác nhận và tạo tài khoản").click()
    assert page.get_by_text("Đã tạo 5 tài khoản.").is_visible()
    # Slips are a background job (issue 13): the button starts it, its page offers the PDF.
    page.get_by_role("button", name="In phiếu tài khoản (PDF)").click()
    page.wait_for_url(re.compile(r"/cong-viec/\d+/$"))
    with page.expect_download() as slips:
        page.get_by_role("link", name=re.compile(r"^Tải về ")).click()
    pdf = slips.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    (artifacts / "account-slips.pdf").write_bytes(pdf)

    page.goto(live_server.url + f"/dieu-phoi/dot-hoc/{campaign.pk}/")
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "campaign-dashboard-360.png", full_page=True)
    shown = {
        cells[0]: [int(c) for c in cells[1:]]
        for cells in (
            [td.inner_text().strip() for td in row.locator("td").all()]
            for row in page.locator("table").first.locator("tbody tr").all()
        )
    }
    assert sum(v[0] for v in shown.values()) == 2  # the rule names commune officials: 2 of 5
    page.get_by_role("button", name="Tạo báo cáo Excel").click()
    with page.expect_download() as export:
        page.get_by_role("link", name="Tải về (.xlsx)").click()
    book = load_workbook(io.BytesIO(export.value.path().read_bytes()))
    exported = {
        row[0]: list(row[1:])
        for row in book["Theo xã, phường"].iter_rows(min_row=2, values_only=True)
    }
    assert exported == shown
    assert len(list(book["Người học"].iter_rows(min_row=2))) == 2
