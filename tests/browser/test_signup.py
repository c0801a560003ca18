import re

import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_signs_up_on_a_360px_phone(
    live_server, tuyen_quang, phone, sms_outbox, artifacts
):
    page = phone
    page.goto(live_server.url + "/")
    assert fits_the_screen(page)
    page.get_by_role("link", name="Đăng ký bằng số điện thoại").click()

    page.get_by_label("Họ và tên").fill("Ma Thị Sáng")
    page.get_by_label("Số điện thoại di động").fill("0388 123 456")
    page.locator("input[name=password1]").fill("Hoc-tap-so-2025")
    page.locator("input[name=password2]").fill("Hoc-tap-so-2025")
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

    page.wait_for_url(re.compile(r"/tai-khoan/phone/verify/"))
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Xác nhận").click()

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
    page.get_by_label("Họ và tên").fill("Nông Văn Pao")
    page.get_by_label("Số điện thoại di động").fill("+84 977 000 111")
    page.locator("input[name=password1]").fill("Hoc-tap-so-2025")
    page.locator("input[name=password2]").fill("Hoc-tap-so-2025")
    page.get_by_label("Xã, phường nơi bạn sống hoặc làm việc").fill("minh thanh")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url(re.compile(r"/tai-khoan/phone/verify/"))
    assert User.objects.get(phone="0977000111").commune.code == "02554"
    context.close()
