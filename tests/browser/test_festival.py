"""The festival on phones: a resident without an account opens a booth's short link, signs
up with the commune already filled in and is checked in, once; a volunteer's scan page
reads a resident's personal QR from the camera (a fake camera stream) and records it."""

import re
from pathlib import Path

import pytest
import qrcode
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import Role, User
from learning.festival import short_link
from learning.models import Booth, CheckIn, Event
from tests import factories
from tests.browser.pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    fill_sign_up,
    fits_the_screen,
    verify_phone,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def booth(tuyen_quang):
    event = Event.objects.create(
        commune=factories.commune("00985"),
        title="Ngày hội Bình dân học vụ số xã Giáp Trung",
        date=timezone.localdate(),
        venue="Nhà văn hoá xã",
    )
    return Booth.objects.create(event=event, title="Cài đặt và kích hoạt VNeID")


def test_a_resident_scans_a_booth_code_signs_up_and_is_checked_in_once(
    live_server, booth, phone, sms_outbox, artifacts
):
    target = reverse("learning:booth_check_in", args=[booth.event_id, booth.pk])
    link = short_link(target=target, label=booth.title, event=booth.event)
    page = phone
    page.goto(f"{live_server.url}/Q/{link.code}")  # what the printed QR holds

    page.wait_for_url(re.compile(r"/tai-khoan/signup/\?commune=00985"))
    assert page.get_by_label("Xã, phường nơi bạn sống hoặc làm việc").input_value() == "Giáp Trung"
    fill_sign_up(page, full_name="Lục Thị Hoa", phone="0388 765 432")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Đăng ký").click()
    verify_phone(page, sms_outbox)

    page.wait_for_url(re.compile(re.escape(target) + "$"))  # back at the booth
    page.get_by_role("button", name="Điểm danh").click()
    page.get_by_text("Đã điểm danh. Chúc bạn học vui!").wait_for()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "festival-check-in-360.png", full_page=True)

    page.goto(f"{live_server.url}/q/{link.code.lower()}")  # the same code, scanned again
    assert page.get_by_text("Bạn đã điểm danh lúc").is_visible()
    resident = User.objects.get(phone="0388765432")
    assert resident.commune.code == "00985"
    assert CheckIn.objects.filter(user=resident, booth=booth).count() == 1


def fake_camera(path: Path, text: str) -> Path:
    """A Y4M video of `text` as a QR code, for Chromium's fake camera."""
    qr = qrcode.QRCode(border=4, box_size=8)
    qr.add_data(text)
    picture = qr.make_image().convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(picture.resize((400, 400)), (120, 40))
    luma = frame.tobytes()
    chroma = bytes([128]) * (320 * 240)
    with path.open("wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def test_a_volunteer_scans_a_residents_personal_code_with_the_camera(
    live_server, booth, playwright, tmp_path, artifacts
):
    commune = booth.event.commune
    factories.with_role(
        factories.person(commune=commune, full_name="Tình Nguyện Viên", phone="0911000444"),
        Role.DIGITAL_VOLUNTEER,
        commune=commune,
    )
    resident = factories.person(commune=commune, full_name="Hà Văn Sáng")
    personal = live_server.url + reverse("learning:attendee", args=[resident.attendee_code])
    video = fake_camera(tmp_path / "qr.y4m", personal)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/tai-khoan/login/")
        page.get_by_label("Số điện thoại di động").fill("0911000444")
        page.locator("input[name=password]").fill(factories.PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.get_by_role("link", name="Ngày hội").click()
        page.get_by_role("link", name="Quét điểm danh").click()
        page.get_by_label("Gian").select_option(label="Cài đặt và kích hoạt VNeID")
        page.get_by_text("Đã điểm danh cho Hà V. S.").wait_for()
        page.screenshot(path=artifacts / "festival-scan-360.png", full_page=True)
    finally:
        browser.close()
    (checkin,) = CheckIn.objects.filter(user=resident)
    assert checkin.booth == booth and checkin.recorded_by.phone == "0911000444"
