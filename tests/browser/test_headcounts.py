"""The Department sets a commune's expected adults on a phone (issue 14, denominators)."""

import pytest

from accounts.models import Commune, Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_department_sets_expected_adults_on_a_phone(live_server, tuyen_quang, phone, artifacts):
    factories.with_role(
        factories.person(commune=factories.commune("00985"), phone="0911000222"),
        Role.PROVINCE_ADMIN,
    )
    page = phone
    page.goto(live_server.url + "/tai-khoan/login/")
    page.get_by_label("Số điện thoại di động").fill("0911 000 222")
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Điều phối").click()
    page.get_by_role("link", name="Số người dự kiến của xã, cơ quan").click()

    page.get_by_label("Tìm theo tên hoặc mã xã").fill("giap trung")
    page.get_by_role("button", name="Lọc").click()
    page.get_by_label("Xã Giáp Trung").fill("4500")
    page.get_by_role("button", name="Lưu các số trên trang này").click()
    page.get_by_text("Đã lưu 1 thay đổi.").wait_for()
    assert page.get_by_label("Xã Giáp Trung").input_value() == "4500"
    assert Commune.objects.get(code="00985").expected_adults == 4500
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "department-headcounts-360.png", full_page=True)
