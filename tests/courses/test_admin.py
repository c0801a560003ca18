"""Authoring in the admin: a content editor edits courses, previews, exports, imports."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests import factories


@pytest.fixture
def editor(client, tuyen_quang):
    user = factories.with_role(
        factories.person(commune=factories.commune("02215"), full_name="Biên Tập"),
        Role.CONTENT_EDITOR,
    )
    client.force_login(user)
    return user


def test_an_editor_edits_a_course_with_its_modules_inline(client, editor, course):
    page = client.get(reverse("admin:courses_course_change", args=[course.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Quét mã QR" in html and "Giữ an toàn" in html  # module inline, in order
    assert f'href="{course.get_absolute_url()}"' in html  # preview
    assert reverse("admin:courses_course_export", args=[course.pk]) in html


def test_an_editor_previews_an_unpublished_course(client, editor, course):
    course.is_published = False
    course.save()
    lesson = course.lessons.first()
    assert client.get(lesson.get_absolute_url()).status_code == 200
    client.logout()
    assert client.get(lesson.get_absolute_url()).status_code == 404


def test_lesson_admin_shows_questions_and_preview(client, editor, course):
    lesson = course.lessons.get(title="Mở ứng dụng ngân hàng")
    html = client.get(reverse("admin:courses_lesson_change", args=[lesson.pk])).content.decode()
    assert "Trước khi xác nhận chuyển tiền" in html
    assert f'href="{lesson.get_absolute_url()}"' in html


def test_the_import_page_is_for_editors(client, editor, course):
    assert client.get(reverse("admin:courses_course_import")).status_code == 200
    export = client.get(reverse("admin:courses_course_export", args=[course.pk]))
    assert export["Content-Disposition"].endswith('.xlsx"')
    resident = factories.person(commune=factories.commune("02215"))
    client.force_login(resident)
    assert client.get(reverse("admin:courses_course_import")).status_code == 302  # to login


def _lesson_form(editor, lesson, **changes):
    """The admin's own change form for `lesson`, filled as the editor would submit it."""
    from django.contrib import admin
    from django.test import RequestFactory

    from courses.models import Lesson

    request = RequestFactory().get("/")
    request.user = editor
    form_class = admin.site._registry[Lesson].get_form(request, obj=lesson, change=True)
    data = {
        "module": lesson.module_id,
        "order": lesson.order,
        "title": lesson.title,
        "body": lesson.body,
        "estimated_minutes": lesson.estimated_minutes,
        "min_read_seconds": lesson.min_read_seconds,
        "video_url": "",
    }
    files = changes.pop("files", {})
    return form_class(data={**data, **changes}, files=files, instance=lesson)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.vn/bai-1.mp4",
        "https://www.youtube.com@evil.example/watch",
    ],
)
def test_the_lesson_admin_refuses_a_video_link_that_is_not_a_web_address(editor, course, link):
    lesson = course.lessons.first()
    form = _lesson_form(editor, lesson, video_url=link)
    assert not form.is_valid()
    assert "video_url" in form.errors
    lesson.refresh_from_db()
    assert lesson.video_url == ""


def test_the_lesson_admin_keeps_a_youtube_link(editor, course):
    form = _lesson_form(editor, course.lessons.first(), video_url="https://youtu.be/dQw4w9WgXcQ")
    assert form.is_valid(), form.errors
    assert form.save().video_url == "https://youtu.be/dQw4w9WgXcQ"


def test_the_lesson_admin_refuses_an_html_attachment(editor, course):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = SimpleUploadedFile("bai.html", b"<script>alert(document.cookie)</script>")
    form = _lesson_form(editor, course.lessons.first(), files={"attachment": page})
    assert not form.is_valid()
    assert "attachment" in form.errors


def test_a_script_link_stored_before_the_check_is_never_shown_as_a_link(client, course):
    from courses.models import Lesson

    lesson = course.lessons.first()
    Lesson.objects.filter(pk=lesson.pk).update(video_url="javascript:alert(document.cookie)")
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "javascript:" not in html
    assert "Xem video của bài" not in html
    Lesson.objects.filter(pk=lesson.pk).update(video_url="https://youtu.be/dQw4w9WgXcQ")
    course.save()  # bumps the content cache, as an edit in the admin does
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert 'href="https://youtu.be/dQw4w9WgXcQ"' in html
