import re

import pytest

from accounts.models import User
from tests.browser.pages import fill_sign_up, fits_the_screen, verify_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_signs_up_on_a_360px_phone(
    live_server, tuyen_quang, phone, sms_outbox, artifacts
):
    page = phone
    page.goto(live_server.url + "/")
    assert fits_the_screen(page)
    page.get_by_role("link", name="Đăng ký bằng số điện thoại").click()

    fill_sign_up(page, full_name="Ma Thị Sáng", phone="0388 123 456")
    commune = page.get_by_label("Xã, phường nơi bạn sống hoặc làm việc")
    commune.press_sequentially("giap trung")
    page.get_by_role("option", name="Xã Giáp Trung").click()
    assert commune.input_value() == "Giáp Trung"
    page.locator("input[name=birth_year]").fill("1990")
    consent = page.locator("input[name=consent]")
    assert not consent.is_checked()
    consent.check()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "signup-form-360.png", full_page=True)
    page.get_by_role("button", name="Đăng ký").click()

    verify_phone(page, sms_outbox)

    page.wait_for_url(re.compile(r"/ho-so/$"))
    assert page.get_by_role("heading", name="Hồ sơ của tôi").is_visible()
    assert page.get_by_text("Xã Giáp Trung").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "signup-profile-360.png", full_page=True)

    user = User.objects.get(phone="0388123456")
    assert (user.full_name, user.commune.code, user.phone_verified) == (
        "Ma Thị Sáng",
        "00985",
        True,
    )
    assert user.consent_at is not None


def test_the_commune_box_works_without_javascript(live_server, tuyen_quang, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/tai-khoan/signup/")
    fill_sign_up(page, full_name="Nông Văn Pao", phone="+84 977 000 111")
    page.get_by_label("Xã, phường nơi bạn sống hoặc làm việc").fill("minh thanh")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(re.compile(r"/tai-khoan/phone/verify/"))
    assert User.objects.get(phone="0977000111").commune.code == "02554"
    context.close()
