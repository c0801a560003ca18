"""The Content-Security-Policy in a real browser: the watch in conftest.py sees a violation
when there is one, and the pages no other browser test opens (the admin where courses are
authored, allauth's pages, a lesson with a video link, the error pages) load under it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from courses.models import Lesson
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reported(violations: list, page, directive: str) -> bool:
    """Whether the page reported a violation of `directive` (the report arrives a moment
    after the console's own message)."""
    for _ in range(50):
        if any(v.get("directive") == directive for v in violations):
            return True
        page.wait_for_timeout(100)
    return False


def test_the_watch_sees_an_inline_script_and_an_inline_style(live_server, phone, policy_violations):
    response = phone.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=(self)" in response.headers["permissions-policy"]
    phone.evaluate("document.body.setAttribute('style', 'color: red')")
    assert _reported(policy_violations, phone, "style-src-attr")
    policy_violations.clear()
    phone.evaluate(
        "var s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s)"
    )
    assert _reported(policy_violations, phone, "script-src-elem")
    assert phone.evaluate("window.ran") is None  # refused, not run
    policy_violations.clear()  # seen on purpose: the test itself must not fail for them


def test_authoring_in_the_admin_works_under_the_policy(live_server, tuyen_quang, phone):
    course = factories.sample_course()
    lesson = course.lessons.first()
    editor = factories.person(commune=factories.commune("00985"), phone="0911000999")
    editor.is_staff = editor.is_superuser = True
    editor.save()
    page = phone
    page.goto(live_server.url + "/tai-khoan/login/")
    page.get_by_label("Số điện thoại di động").fill("0911000999")
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    for path in (
        "/quan-tri/",
        "/quan-tri/courses/course/",
        f"/quan-tri/courses/course/{course.pk}/change/",
        "/quan-tri/courses/course/nhap/",
        "/quan-tri/courses/course/add/",
        f"/quan-tri/courses/lesson/{lesson.pk}/change/",
        "/quan-tri/courses/question/add/",
        "/tai-khoan/phone/change/",
        "/tai-khoan/password/change/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
    # The admin's own scripts run: the inline "add another" and the video link check.
    page.goto(live_server.url + f"/quan-tri/courses/lesson/{lesson.pk}/change/")
    page.locator("#id_video_url").fill("javascript:alert(document.cookie)")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    page.locator("#id_video_url").fill("https://youtu.be/dQw4w9WgXcQ")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Lesson.objects.get(pk=lesson.pk).video_url == "https://youtu.be/dQw4w9WgXcQ"
    page.goto(live_server.url + lesson.get_absolute_url())
    assert page.get_by_role("link", name="Xem video của bài").get_attribute("href") == (
        "https://youtu.be/dQw4w9WgXcQ"
    )


def test_sign_in_pages_and_error_pages_load_under_the_policy(live_server, tuyen_quang, phone):
    call_command("seed_demo")
    for path, status in (
        ("/tai-khoan/login/", 200),
        ("/tai-khoan/signup/", 200),
        ("/tai-khoan/login/code/", 200),
        ("/tai-khoan/password/reset/", 200),
        ("/hoc/", 200),
        ("/thi/", 200),
        ("/quyen-rieng-tu/", 200),
        ("/khong-co-trang-nay/", 404),
    ):
        response = phone.goto(live_server.url + path)
        assert response.status == status, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
