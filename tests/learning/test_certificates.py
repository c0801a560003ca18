"""Completion → certificate (page, PDF with a QR) → public verification; final tests; the
course report's speed flag, in scope."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from common.text import mask_name
from courses.imports import parse_markdown
from courses.services import import_course
from learning.models import Certificate, FinalTestTry
from learning.services import final_test
from learning.services.completion import complete_lesson, issue_certificate
from learning.services.reading import LessonNotDone, answer_question, open_lesson
from tests import factories
from tests.factories import FINAL_TEST_COURSE, T0, finish
from tests.qr import qr_in_pdf


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
    assert issue_certificate(learner, course=course, now=timezone.now()) == certificate
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


def start_final_test(client, course) -> FinalTestTry:
    """Press "start" on the course's final test; the try it drew."""
    url = reverse("learning:final_test", args=[course.slug])
    assert client.post(url, {"start": "1"}).url == url
    return FinalTestTry.objects.filter(course=course).open().get()


def test_a_final_test_course_completes_on_a_pass(client, learner):
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    questions = list(course.questions.filter(lesson__isnull=True))
    right = {q.pk: q.choices.get(is_correct=True).pk for q in questions}
    wrong = {q.pk: q.choices.get(is_correct=False).pk for q in questions}
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    assert "Trong 24 giờ, bạn còn 3 lần làm bài." in client.get(url).content.decode()
    attempt = start_final_test(client, course)
    answers = {**right, questions[1].pk: wrong[questions[1].pk]}
    page = client.post(url, {"try": attempt.pk, **{f"q{k}": v for k, v in answers.items()}})
    html = page.content.decode()
    assert "Bạn đúng 1/2 câu (50%), chưa đạt" in html
    assert "Trong 24 giờ, bạn còn 2 lần làm bài." in html and "Làm lại" in html
    assert not Certificate.objects.exists()
    attempt = start_final_test(client, course)
    response = client.post(url, {"try": attempt.pk, **{f"q{k}": v for k, v in right.items()}})
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
    attempt = start_final_test(client, course)
    page = client.post(url, {"try": attempt.pk, f"q{first.pk}": right, f"q{second.pk}": odd})
    assert page.status_code == 200
    assert "Hãy trả lời tất cả các câu hỏi." in page.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not Certificate.objects.exists()
    assert not learner.answers.exists()


@pytest.mark.parametrize("odd", ["", "x", "²", "9" * 25, "another learner's"])
def test_a_submission_naming_no_try_of_ones_own_scores_nothing(client, learner, odd):
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    answers = {
        f"q{q.pk}": q.choices.get(is_correct=True).pk
        for q in course.questions.filter(lesson__isnull=True)
    }
    if odd == "another learner's":
        other = factories.person(commune=learner.commune, full_name="Người Khác")
        odd = final_test.start_final_test(other, course=course, now=timezone.now()).pk
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    assert client.post(url, {"try": odd, **answers}).url == url
    assert not FinalTestTry.objects.filter(submitted_at__isnull=False).exists()
    assert not Certificate.objects.exists()


def test_lessons_read_side_by_side_earn_no_certificate(learner, course):
    lessons = list(course.lessons.order_by("module__order", "order"))
    for lesson in lessons:  # every lesson opened and answered in a tab of its own
        open_lesson(learner, lesson=lesson, now=T0)
        for question in lesson.questions.all():
            right = question.choices.get(is_correct=True).pk
            answer_question(learner, question=question, choice_id=right, now=T0)
    later = T0 + datetime.timedelta(minutes=2)
    refused = []
    for lesson in lessons:  # "done" in each tab, two minutes later
        try:
            complete_lesson(learner, lesson=lesson, now=later)
        except LessonNotDone as not_done:
            refused.append((lesson.pk, not_done.seconds_left))
    assert refused == [(lessons[0].pk, 30), (lessons[1].pk, 30)]
    assert not Certificate.objects.exists()
    assert finish(learner, course, start=T0 + datetime.timedelta(hours=1)) is not None


def test_report_flags_a_certificate_earned_faster_than_the_course_reads(client, learner, course):
    """Reading time is credited one lesson at a time now, so only a certificate issued
    before that (or by hand) can be faster than the sum of the lessons' minimums."""
    finish(learner, course)  # 93 s for 90 s of minimum reading
    quick = factories.person(commune=learner.commune, full_name="Hà Văn Nhanh")
    Certificate.objects.filter(pk=finish(quick, course).pk).update(seconds_taken=31)
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
