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
