"""Held certificates (issue 14): a completion faster than the course's minimum reading time,
or a final test passed faster than its questions can be read, is held for a coordinator's
review instead of issued; the course report and the campaign workbook count it apart."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses.imports import parse_markdown
from courses.services import import_course
from learning import reviews
from learning.models import Assignment, Certificate, Enrollment, Review, Status
from learning.services.campaigns import assign_campaign
from learning.services.completion import issue_certificate
from learning.services.final_test import start_final_test, submit_final_test
from tests import factories
from tests.factories import FINAL_TEST_COURSE, T0, finish, held, read_while_minimums_rise

# --- Held, not issued -------------------------------------------------------------------------


def test_a_completion_faster_than_the_course_reads_is_held_not_issued(
    client, learner, course, campaign
):
    certificate = read_while_minimums_rise(learner, course)
    assert certificate.review == Review.HELD and certificate.held_for == "course_fast"
    assert certificate.seconds_taken == 18 and not certificate.is_valid
    # The learner finished the course; the campaign does not count it yet.
    assert Enrollment.objects.get(user=learner, course=course).completed_at is not None
    assignment = Assignment.objects.get(user=learner, campaign=campaign)
    assert assignment.completed_at is None
    assert assignment.status_on(T0.date()) == Status.IN_PROGRESS
    assert not Certificate.objects.counted().exists()

    page = client.get(certificate.get_verify_url()).content.decode()
    assert "Chưa được cấp: đang chờ xét duyệt" in page and "hợp lệ" not in page
    assert certificate.full_name not in page

    client.force_login(learner)
    for url in (certificate.get_absolute_url(), course.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Giấy chứng nhận đang chờ xét duyệt" in page
        assert "Người điều phối của xã, phường hoặc cơ quan của bạn sẽ xem lại." in page
        assert "<svg" not in page and certificate.code not in page  # no QR, no code
    pdf = client.get(reverse("learning:certificate_pdf", args=[certificate.code]), follow=True)
    assert pdf["Content-Type"].startswith("text/html")
    assert "chưa tải được bản PDF" in pdf.content.decode()
    mine = client.get(reverse("learning:my_learning")).content.decode()
    assert "Giấy chứng nhận đang chờ xét duyệt" in mine and "đang chờ xét duyệt" in mine


def test_reading_each_lesson_for_its_minimum_is_issued_at_once(learner, course, campaign):
    certificate = finish(learner, course)  # 93 s for 90 s of minimum reading
    assert certificate.review == "" and certificate.is_valid
    assert Assignment.objects.get(user=learner).completed_at is not None


def test_a_certificate_issued_by_hand_is_not_held(learner, course):
    """An administrator's or a fixture's certificate is issued; only completions of the
    learner's own go through the rule."""
    certificate = issue_certificate(learner, course=course, now=T0)
    assert certificate.review == "" and certificate.seconds_taken == 0


@pytest.mark.parametrize(("seconds", "review"), [(2, Review.HELD), (4, "")])
def test_a_final_test_passed_faster_than_its_questions_read_is_held(learner, seconds, review):
    """Two questions of 2 words with two 1-word choices: 8 words ÷ 5 + 2 taps = 3 s."""
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    attempt = start_final_test(learner, course=course, now=T0)
    right = {q.pk: q.choices.get(is_correct=True).pk for q in course.questions.all()}
    later = T0 + datetime.timedelta(seconds=seconds)
    result = submit_final_test(learner, attempt=attempt, choices=right, now=later)
    assert result.passed and result.certificate.review == review
    assert result.certificate.held_for == ("test_fast" if review else "")


def test_a_held_final_test_says_so_to_the_learner(client, learner):
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    client.post(url, {"start": "1"})
    attempt = learner.final_test_tries.get()
    answers = {f"q{q.pk}": q.choices.get(is_correct=True).pk for q in course.questions.all()}
    response = client.post(url, {"try": attempt.pk, **answers}, follow=True)
    page = response.content.decode()
    assert "Bạn đã đạt bài kiểm tra. Giấy chứng nhận đang chờ xét duyệt." in page
    assert "Bạn nộp bài kiểm tra cuối nhanh hơn thời gian cần để đọc đề" in page


# --- The reports -----------------------------------------------------------------------------


def test_the_course_report_counts_held_apart_and_links_its_flags(
    client, learner, course, coordinator
):
    certificate = held(learner, course)
    finish(factories.person(commune=learner.commune, full_name="Đọc Đủ"), course)
    client.force_login(coordinator)
    row = next(
        r
        for r in client.get(reverse("learning:report_list")).context["rows"]
        if r["course"] == course
    )
    assert (row["completed"], row["held"], row["fast"]) == (1, 1, 1)
    page = client.get(reverse("learning:report_detail", args=[course.slug])).content.decode()
    review_url = reverse("learning:certificate_review", args=[certificate.pk])
    assert f'href="{review_url}"' in page and "Đang chờ xét duyệt" in page


def test_the_campaign_workbook_names_held_and_rejected_certificates(
    client, learner, course, campaign, coordinator, django_capture_on_commit_callbacks
):
    held(learner, course)
    other = factories.person(commune=learner.commune, full_name="Trần Văn Bị Từ Chối")
    assign_campaign(campaign, now=T0)
    rejected = held(other, course)
    reviews.decide_certificate(
        rejected.pk, decision="rejected", reason="Không.", by=coordinator, now=T0
    )
    client.force_login(coordinator)
    dashboard = client.get(reverse("learning:campaign", args=[campaign.pk]))
    assert dashboard.context["held"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post(reverse("learning:campaign_export", args=[campaign.pk]))
    job = client.get(job.url).context["job"]
    download = client.get(reverse("learning:export_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = {row[0]: row for row in book["Người học"].iter_rows(values_only=True)}
    assert rows["Họ và tên"][-1] == "Giấy chứng nhận (chờ xét duyệt, không được duyệt)"
    assert rows[learner.full_name][-1] == f"Đang chờ xét duyệt: {course.title}"
    assert rows[other.full_name][-1] == f"Không được duyệt: {course.title}"
    assert rows[coordinator.full_name][-1] is None
    assert rows[learner.full_name][6] not in ("Hoàn thành đúng hạn", "Hoàn thành muộn")
