"""Completion → certificate (page, PDF with a QR) → public verification; final tests; the
course report's speed flag, in scope."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.text import mask_name
from courses.imports import parse_markdown
from courses.services import import_course
from learning import services
from learning.models import Certificate
from tests import factories
from tests.qr import qr_in_pdf

T0 = timezone.make_aware(datetime.datetime(2025, 10, 20, 8, 0))


def finish(user, course, *, start=T0, seconds_per_lesson=31, side_by_side=False):
    """Read every lesson (one after another, or all opened at once) and answer right."""
    now = start
    lessons = list(course.lessons.order_by("module__order", "order"))
    if side_by_side:
        for lesson in lessons:
            services.open_lesson(user, lesson=lesson, now=now)
    certificate = None
    for lesson in lessons:
        if not side_by_side:
            services.open_lesson(user, lesson=lesson, now=now)
        for question in lesson.questions.all():
            choice = question.choices.get(is_correct=True)
            services.answer_question(user, question=question, choice_id=choice.pk, now=now)
        now = now + datetime.timedelta(seconds=seconds_per_lesson)
        if side_by_side:
            now = start + datetime.timedelta(seconds=seconds_per_lesson)
        certificate = services.complete_lesson(user, lesson=lesson, now=now)
    return certificate


def test_mask_name():
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert mask_name("  Lý   Thị Mỷ ") == "Lý T. M."
    assert mask_name("Pao") == "Pao"
    assert mask_name("") == ""


def test_completing_every_lesson_issues_one_certificate(learner, course):
    certificate = finish(learner, course)
    assert certificate.full_name == "Nguyễn Văn An"
    assert certificate.course_title == course.title
    assert certificate.seconds_taken == 93
    assert len(certificate.code) == 10
    assert services.issue_certificate(learner, course=course, now=timezone.now()) == certificate
    assert learner.enrollments.get().completed_at is not None


def test_certificate_page_pdf_and_verification(client, learner, course):
    certificate = finish(learner, course)
    client.force_login(learner)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "Nguyễn Văn An" in page and certificate.code in page and "<svg" in page

    response = client.get(reverse("learning:certificate_pdf", args=[certificate.code]))
    assert response["Content-Type"] == "application/pdf"
    url = f"http://testserver/xac-minh/{certificate.code}/"
    assert qr_in_pdf(response.content) == [url]

    client.logout()
    page = client.get(url).content.decode()
    assert "Giấy chứng nhận hợp lệ" in page
    assert "Nguyễn V. A." in page and "Nguyễn Văn An" not in page
    assert course.title in page and "20/10/2025" in page


def test_a_revoked_certificate_says_so(client, learner, course):
    certificate = finish(learner, course)
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    page = client.get(certificate.get_verify_url()).content.decode()
    assert "đã bị thu hồi" in page and "hợp lệ" not in page


def test_an_unknown_code_is_not_found(client, db):
    response = client.get(reverse("learning:verify", args=["ABCDEFGHJK"]))
    assert response.status_code == 404
    assert "Không tìm thấy giấy chứng nhận" in response.content.decode()


def test_a_certificate_page_is_only_its_owners(client, learner, course):
    certificate = finish(learner, course)
    other = factories.person(commune=learner.commune, full_name="Trần Thị Bình")
    client.force_login(other)
    assert client.get(certificate.get_absolute_url()).status_code == 404
    pdf = reverse("learning:certificate_pdf", args=[certificate.code])
    assert client.get(pdf).status_code == 404


FINAL_TEST_COURSE = """---
title: AI cho cán bộ xã
slug: ai-can-bo
audience: officials
summary: Thử.
estimated_minutes: 10
completion: test 80
---

# Module: Một

## Lesson: Bài một
minutes: 2
min_read_seconds: 30

Nội dung.

# Final test
### Question: Câu 1
- [x] Đúng
- [ ] Sai
> Vì thế.
### Question: Câu 2
- [x] Đúng
- [ ] Sai
> Vì thế.
"""


def test_a_final_test_course_completes_on_a_pass(client, learner):
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    questions = list(course.questions.filter(lesson__isnull=True))
    right = {q.pk: q.choices.get(is_correct=True).pk for q in questions}
    wrong = {q.pk: q.choices.get(is_correct=False).pk for q in questions}
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    page = client.post(
        url, {f"q{k}": v for k, v in {**right, questions[1].pk: wrong[questions[1].pk]}.items()}
    )
    assert "Bạn đúng 1/2 câu (50%), chưa đạt" in page.content.decode()
    assert not Certificate.objects.exists()
    response = client.post(url, {f"q{k}": v for k, v in right.items()})
    certificate = Certificate.objects.get(user=learner, course=course)
    assert response.url == certificate.get_absolute_url()


@pytest.mark.parametrize("odd", ["²", "9" * 25, "99999999999", "-1", "١", "another question's"])
def test_an_odd_final_test_answer_asks_again_and_scores_nothing(client, learner, odd):
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    first, second = course.questions.filter(lesson__isnull=True).order_by("pk")
    right = first.choices.get(is_correct=True).pk
    if odd == "another question's":
        odd = str(first.choices.get(is_correct=True).pk)  # not one of the second's
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    page = client.post(url, {f"q{first.pk}": right, f"q{second.pk}": odd})
    assert page.status_code == 200
    assert "Hãy trả lời tất cả các câu hỏi." in page.content.decode()
    assert not learner.answers.exists() and not Certificate.objects.exists()


def test_report_flags_a_course_read_side_by_side(client, learner, course):
    """Each lesson's minimum held, but the course took less than their sum."""
    finish(learner, course)  # 93 s for 90 s of minimum reading
    quick = factories.person(commune=learner.commune, full_name="Hà Văn Nhanh")
    finish(quick, course, side_by_side=True)  # every lesson open at once: 31 s
    flags = dict(Certificate.objects.with_min_seconds().values_list("full_name", "too_fast"))
    assert flags == {"Nguyễn Văn An": False, "Hà Văn Nhanh": True}

    coordinator = factories.with_role(
        factories.person(commune=learner.commune, full_name="Điều Phối"),
        Role.COMMUNE_COORDINATOR,
        commune=learner.commune,
    )
    client.force_login(coordinator)
    page = client.get(reverse("learning:report_list")).content.decode()
    assert "⚠ 1" in page
    page = client.get(
        reverse("learning:report_detail", args=[course.slug]), {"nhanh": "1"}
    ).content.decode()
    assert "Hà Văn Nhanh" in page and "Nguyễn Văn An" not in page


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [("coordinator_A", True), ("coordinator_B", False), ("province_admin", True)],
)
def test_report_shows_only_the_viewers_scope(client, learner, course, viewer, sees):
    finish(learner, course)  # lives in Giáp Trung (A)
    a, b = factories.commune("00985"), factories.commune("02554")
    grants = {
        "coordinator_A": (Role.COMMUNE_COORDINATOR, a),
        "coordinator_B": (Role.COMMUNE_COORDINATOR, b),
        "province_admin": (Role.PROVINCE_ADMIN, None),
    }
    role, commune = grants[viewer]
    user = factories.with_role(
        factories.person(commune=b, full_name="Người Xem"), role, commune=commune
    )
    client.force_login(user)
    page = client.get(reverse("learning:report_detail", args=[course.slug])).content.decode()
    assert ("Nguyễn Văn An" in page) is sees


def test_report_is_for_coordinators_only(client, learner, course):
    client.force_login(learner)
    assert client.get(reverse("learning:report_list")).status_code == 403
