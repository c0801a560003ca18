"""The lessons acceptance walk on a 360×740 phone: a visitor from a course link reads,
answers, signs up, keeps their progress, finishes, downloads the certificate and its QR
opens the verification page."""

import re

import pytest
from django.core.management import call_command

from courses.models import Course, Lesson
from tests import factories
from tests.browser.pages import fill_sign_up, fits_the_screen, verify_phone
from tests.qr import qr_in_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READ_SECONDS = 3


@pytest.fixture
def course(tuyen_quang):
    course = factories.sample_course()
    Lesson.objects.update(min_read_seconds=READ_SECONDS)  # short, so the test stays quick
    return course


def finish_lesson(page):
    """Wait out the minimum reading time, then press the lesson's finish button."""
    page.wait_for_timeout(READ_SECONDS * 1000 + 300)
    page.locator("form.finish button").click()


def read_the_first_lesson(page, artifacts) -> None:
    """A tap on a choice saves it at once (no button press) and shows the feedback; a wrong
    try keeps the explanation back (it would give the answer away) and says what is left."""
    assert page.get_by_role("heading", name="Mở ứng dụng ngân hàng").is_visible()
    assert fits_the_screen(page)
    assert page.get_by_text("Bạn có 2 lần trả lời").is_visible()
    page.get_by_label("Màu của mã QR").check()
    page.wait_for_selector("form.question.wrong")
    assert page.get_by_text("còn 1 lần trả lời").is_visible()
    assert not page.get_by_text("tên người nhận và số tiền phải đúng").is_visible()
    page.get_by_label("Tên người nhận và số tiền").check()
    page.wait_for_selector("form.question.right")
    assert page.get_by_text("Đúng rồi!").is_visible()
    assert page.get_by_text("tên người nhận và số tiền phải đúng").is_visible()
    page.screenshot(path=artifacts / "lesson-question-360.png", full_page=True)


def read_two_lessons_without_an_account(page) -> None:
    page.locator("form.finish button").click()  # too early: the server says so
    assert page.get_by_text(re.compile("Bạn đọc hơi nhanh")).is_visible()
    finish_lesson(page)
    page.wait_for_selector("h1:has-text('Kiểm tra tên người nhận')")
    assert page.get_by_text("Đã xong 1/3 bài").is_visible()
    finish_lesson(page)
    page.wait_for_selector("h1:has-text('Không chuyển tiền cho người lạ')")
    assert page.get_by_text("Đã xong 2/3 bài").is_visible()


def sign_up_from_the_banner(page, sms_outbox) -> None:
    page.get_by_role("link", name="đăng ký bằng số điện thoại").click()
    fill_sign_up(page, full_name="Vàng Thị Mỷ", phone="0388 555 111")
    page.get_by_label("Xã, phường nơi bạn sống hoặc làm việc").press_sequentially("giap trung")
    page.get_by_role("option", name="Xã Giáp Trung").click()
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Đăng ký").click()
    verify_phone(page, sms_outbox)


def finish_the_last_lesson_signed_in(page) -> None:
    """Back on the lesson they were reading, progress kept."""
    page.wait_for_selector("h1:has-text('Không chuyển tiền cho người lạ')")
    assert page.get_by_text("Đã xong 2/3 bài").is_visible()
    assert not page.get_by_text("chưa có tài khoản").is_visible()
    page.get_by_label("Từ chối và báo cho người thân hoặc công an xã").check()
    page.wait_for_selector("form.question.right")
    finish_lesson(page)


def download_the_certificate(page, artifacts) -> bytes:
    page.wait_for_selector("text=Chúc mừng! Bạn đã hoàn thành khoá học.")
    assert page.get_by_text("Vàng Thị Mỷ").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "certificate-360.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải bản PDF").click()
    pdf = download.value.path().read_bytes()
    (artifacts / "certificate.pdf").write_bytes(pdf)
    return pdf


def test_a_visitor_reads_signs_up_finishes_and_verifies(
    live_server, course, phone, sms_outbox, artifacts
):
    page = phone
    page.goto(f"{live_server.url}/hoc/{course.slug}/")
    page.get_by_role("link", name="Bắt đầu học").click()
    page.wait_for_url(re.compile(r"/bai/\d+/$"))
    read_the_first_lesson(page, artifacts)
    read_two_lessons_without_an_account(page)
    sign_up_from_the_banner(page, sms_outbox)
    finish_the_last_lesson_signed_in(page)
    pdf = download_the_certificate(page, artifacts)

    [url] = qr_in_pdf(pdf)
    assert re.fullmatch(rf"{live_server.url}/xac-minh/[0-9A-Z]{{10}}/", url)
    page.goto(url)
    assert page.get_by_text("Giấy chứng nhận hợp lệ").is_visible()
    assert page.get_by_text("Vàng T. M.").is_visible()
    page.screenshot(path=artifacts / "certificate-verify-360.png", full_page=True)


def test_the_starter_courses_read_well_on_a_phone(live_server, tuyen_quang, phone, artifacts):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    courses = list(Course.objects.published())
    assert {c.slug for c in courses} == {
        "ky-nang-so-co-ban",
        "dich-vu-cong-truc-tuyen",
        "ai-du-lieu-truyen-thong-so-can-bo-xa",
    }
    page = phone
    page.goto(f"{live_server.url}/hoc/")
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "catalogue-360.png", full_page=True)
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.get_by_label("Số điện thoại di động").fill("0310000001")  # a demo resident
    page.locator("input[name=password]").fill("HocSo@2025")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/ho-so/$"))
    for course in courses:
        page.goto(f"{live_server.url}{course.get_absolute_url()}")
        assert fits_the_screen(page)
        page.screenshot(path=artifacts / f"course-{course.slug}-360.png", full_page=True)
        first = course.lessons.order_by("module__order", "order").first()
        page.goto(f"{live_server.url}{first.get_absolute_url()}")
        assert page.get_by_role("heading", name=first.title).is_visible()
        assert fits_the_screen(page)
        page.screenshot(path=artifacts / f"lesson-{course.slug}-360.png", full_page=True)
