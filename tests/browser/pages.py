"""What the browser tests share: the Chromium they launch, and what they check or do on
a page (fit a 360 px screen, sign up, sign in)."""

import os
import re

from tests import factories

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
SIGN_UP_PASSWORD = "Hoc-tap-so-2025"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def fill_sign_up(page, *, full_name: str, phone: str) -> None:
    """Type a name, a number and the password twice on the sign-up page."""
    page.get_by_label("Họ và tên").fill(full_name)
    page.get_by_label("Số điện thoại di động").fill(phone)
    page.locator("input[name=password1]").fill(SIGN_UP_PASSWORD)
    page.locator("input[name=password2]").fill(SIGN_UP_PASSWORD)


def verify_phone(page, sms_outbox) -> None:
    """On the verification page, type the code of the last text message and confirm."""
    page.wait_for_url(re.compile(r"/tai-khoan/phone/verify/"))
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1].body).group(1)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Xác nhận").click()


def sign_in(page, base: str, phone: str, then: str) -> None:
    """Log in afresh as `phone` (factories.PASSWORD) and land on `then`."""
    page.context.clear_cookies()
    page.goto(f"{base}/tai-khoan/login/?next={then}")
    page.get_by_label("Số điện thoại di động").fill(phone)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}{then}")
