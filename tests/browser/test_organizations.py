"""A commune coordinator adds a missing school on a 360 px phone with JavaScript off, past
the warning about a name like another's (issue 14)."""

import pytest

from accounts.models import Organization, Role
from tests import factories
from tests.browser.pages import fits_the_screen, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_adds_a_school_on_a_phone_without_javascript(
    live_server,
    tuyen_quang,
    no_js_phone,  # noqa: F811  (the fixture imported above)
    artifacts,
):
    giap_trung = factories.commune("00985")
    factories.organization(
        "Trường THCS Giáp Trung", kind=Organization.Kind.SCHOOL, commune=giap_trung
    )
    factories.with_role(
        factories.person(commune=giap_trung, phone="0911000666"),
        Role.COMMUNE_COORDINATOR,
        commune=giap_trung,
    )
    page = no_js_phone
    sign_in(page, live_server.url, "0911000666", "/dieu-phoi/nguoi-hoc/")
    page.get_by_role("link", name="Cơ quan, đơn vị: xem, thêm").click()
    page.get_by_text("Trường THCS Giáp Trung").wait_for()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "organizations-360.png", full_page=True)

    page.get_by_role("link", name="Thêm cơ quan, đơn vị").click()
    page.get_by_label("Tên cơ quan, đơn vị").fill("Trường THCS Giáp Trug")
    page.get_by_label("Loại").select_option(label="Trường học")
    page.get_by_role("button", name="Thêm đơn vị").click()
    page.get_by_text("Ở cùng xã, phường đã có đơn vị tên gần giống").wait_for()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "organization-similar-360.png", full_page=True)
    assert not Organization.objects.filter(name="Trường THCS Giáp Trug").exists()

    page.get_by_role("button", name="Vẫn tạo đơn vị mới").click()
    page.get_by_text("Đã thêm “Trường THCS Giáp Trug”.").wait_for()
    made = Organization.objects.get(name="Trường THCS Giáp Trug")
    assert (made.commune, made.kind) == (giap_trung, Organization.Kind.SCHOOL)
