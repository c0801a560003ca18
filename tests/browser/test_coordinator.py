import pytest

from accounts.models import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_commune_coordinator_reads_their_people_on_a_phone(
    live_server, tuyen_quang, phone, artifacts
):
    giap_trung, minh_thanh = factories.commune("00985"), factories.commune("02554")
    factories.with_role(
        factories.person(commune=giap_trung, phone="0911000111"),
        Role.COMMUNE_COORDINATOR,
        commune=giap_trung,
    )
    factories.person(commune=giap_trung, full_name="Hoàng Thị Nga")
    factories.person(commune=minh_thanh, full_name="Triệu Văn Pao")

    page = phone
    page.goto(live_server.url + "/tai-khoan/login/")
    page.get_by_label("Số điện thoại di động").fill("0911 000 111")
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Điều phối").click()

    assert page.get_by_role("link", name="Hoàng Thị Nga").is_visible()
    assert page.get_by_text("Triệu Văn Pao").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=artifacts / "coordinator-people-360.png", full_page=True)
