"""A held certificate on a 360 px phone with JavaScript off: the learner sees it waiting for
review and what happens next, the commune coordinator reads the evidence and rejects it
(the confirmation box asked for first), and the learner then sees the reason."""

import pytest

from accounts.models import Role
from learning.models import CertificateReview
from tests import factories
from tests.browser.pages import fits_the_screen, sign_in
from tests.factories import read_while_minimums_rise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_held_certificate_is_reviewed_on_a_phone_without_javascript(
    live_server,
    tuyen_quang,
    no_js_phone,
    artifacts,
):
    commune = factories.commune("00985")
    learner = factories.person(commune=commune, full_name="Nhanh Như Gió", phone="0911000666")
    factories.with_role(
        factories.person(commune=commune, full_name="Điều Phối Xã", phone="0911000777"),
        Role.COMMUNE_COORDINATOR,
        commune=commune,
    )
    course = factories.sample_course()
    assert read_while_minimums_rise(learner, course).is_pending

    page, base = no_js_phone, live_server.url
    course_page = course.get_absolute_url()
    sign_in(page, base, "0911000666", course_page)
    assert page.get_by_text("Giấy chứng nhận đang chờ xét duyệt").is_visible()
    assert page.get_by_text("Người điều phối của xã, phường hoặc cơ quan của bạn").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "certificate-held-360.png", full_page=True)

    queue = "/dieu-phoi/giay-chung-nhan/"
    sign_in(page, base, "0911000777", queue)
    assert page.get_by_text("Nhanh Như Gió").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "certificate-review-queue-360.png", full_page=True)
    page.get_by_role("link", name="Xem bằng chứng và quyết định").click()
    page.get_by_text("Hoàn thành khoá học sau 18 giây").wait_for()
    assert fits_the_screen(page)
    page.get_by_label("Không duyệt: người học phải hoàn thành lại khoá học").check()
    page.get_by_label("Lý do").fill("Học quá nhanh, hãy đọc lại từng bài.")
    page.get_by_role("button", name="Ghi quyết định").click()
    page.get_by_text("Hãy đánh dấu xác nhận trước khi không duyệt.").wait_for()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "certificate-review-360.png", full_page=True)
    assert not CertificateReview.objects.exists()
    page.get_by_label("Tôi xác nhận không duyệt giấy chứng nhận này").check()
    page.get_by_role("button", name="Ghi quyết định").click()
    page.get_by_text("Không có giấy chứng nhận nào chờ xét duyệt.").wait_for()
    assert CertificateReview.objects.get().reason == "Học quá nhanh, hãy đọc lại từng bài."

    sign_in(page, base, "0911000666", course_page)
    assert page.get_by_text("Lý do: Học quá nhanh, hãy đọc lại từng bài.").is_visible()
    assert page.get_by_role("link", name="Học tiếp").is_visible()
    assert fits_the_screen(page)
