"""Coordinators' review of held certificates (issue 14): approving issues it, rejecting
reopens the course with the reason shown; each decision logged; only the holder's
coordinators see it; the queue, and the evidence a coordinator weighs."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from courses.imports import parse_markdown
from courses.models import Lesson
from courses.services import import_course
from learning import reviews
from learning.models import (
    Assignment,
    CertificateReview,
    Enrollment,
    LessonProgress,
    Notification,
    Review,
    Status,
)
from learning.services.final_test import start_final_test, submit_final_test
from tests import factories
from tests.factories import FINAL_TEST_COURSE, T0, finish, held, read_while_minimums_rise

LATER = T0 + datetime.timedelta(days=20)  # after the campaign's deadline


def decide(client, certificate, **fields):
    return client.post(reverse("learning:certificate_review", args=[certificate.pk]), fields)


# --- Approve --------------------------------------------------------------------------------


def test_approving_issues_it_logs_who_and_why_and_counts_from_the_completion(
    client, learner, course, campaign, coordinator
):
    certificate = held(learner, course)
    client.force_login(coordinator)
    page = client.get(reverse("learning:certificate_review", args=[certificate.pk]))
    html = page.content.decode()
    assert "Hoàn thành khoá học sau 0 giây, ít hơn tổng thời gian đọc tối thiểu" in html
    assert "chưa mở" in html  # no lesson was opened
    response = decide(client, certificate, decision="approved", reason="Đã gọi điện hỏi lại.")
    assert response.url == reverse("learning:certificate_reviews")

    certificate.refresh_from_db()
    assert certificate.review == Review.APPROVED and certificate.is_valid
    assert certificate.issued_at > T0  # issued when approved
    review = CertificateReview.objects.get()
    assert (review.decision, review.reason, review.by) == (
        "approved",
        "Đã gọi điện hỏi lại.",
        coordinator,
    )
    # Approved after the deadline, completed before it: on time.
    assignment = Assignment.objects.get(user=learner, campaign=campaign)
    assert assignment.completed_at == T0 and assignment.status_on(LATER.date()) == Status.ON_TIME
    assert Notification.objects.get(user=learner).title == "Giấy chứng nhận đã được duyệt"

    html = client.get(reverse("learning:certificate_review", args=[certificate.pk])).content
    assert "Đã gọi điện hỏi lại." in html.decode() and "Ghi quyết định" not in html.decode()
    client.logout()
    assert "Giấy chứng nhận hợp lệ" in client.get(certificate.get_verify_url()).content.decode()


# --- Reject ---------------------------------------------------------------------------------


def test_rejecting_shows_the_reason_and_the_lessons_are_read_again(
    client, learner, course, campaign, coordinator
):
    certificate = read_while_minimums_rise(learner, course)
    Lesson.objects.filter(course=course).update(min_read_seconds=30)
    reviews.decide_certificate(
        certificate.pk,
        decision=Review.REJECTED,
        reason="Học quá nhanh so với thời gian tối thiểu.",
        by=coordinator,
        now=LATER,
    )
    certificate.refresh_from_db()
    assert certificate.review == Review.REJECTED and not certificate.is_valid
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    assert set(LessonProgress.objects.values_list("credited_seconds", flat=True)) == {0}
    assert Enrollment.objects.get(user=learner).completed_at is None

    client.force_login(learner)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "Giấy chứng nhận chưa được duyệt" in page
    assert "Lý do: Học quá nhanh so với thời gian tối thiểu." in page
    assert "Hãy học lại từng bài cho đủ thời gian đọc tối thiểu." in page
    assert "Học tiếp" in page
    verify = client.get(certificate.get_verify_url()).content.decode()
    assert "Không được cấp" in verify and "hợp lệ" not in verify

    # Read again, each lesson for its minimum: issued on the same row, timed from the
    # rejection, and the campaign completes.
    again = finish(learner, course, start=LATER + datetime.timedelta(minutes=1))
    assert again.pk == certificate.pk and again.review == "" and again.is_valid
    assert again.seconds_taken == 60 + 93
    assert Assignment.objects.get(user=learner).completed_at is not None


def test_after_a_rejection_the_old_passing_try_does_not_issue_it(learner, coordinator):
    course = import_course(data=parse_markdown(FINAL_TEST_COURSE), publish=True)
    right = {q.pk: q.choices.get(is_correct=True).pk for q in course.questions.all()}
    attempt = start_final_test(learner, course=course, now=T0)
    first = submit_final_test(learner, attempt=attempt, choices=right, now=T0)
    reviews.decide_certificate(
        first.certificate.pk, decision=Review.REJECTED, reason="Nộp ngay.", by=coordinator,
        now=T0 + datetime.timedelta(minutes=1),
    )  # fmt: skip
    # The same try submitted again (a second tab): its first score, no new certificate.
    again = submit_final_test(
        learner, attempt=attempt, choices=right, now=T0 + datetime.timedelta(minutes=2)
    )
    assert again.certificate.review == Review.REJECTED
    # A new try, read at a human pace: issued.
    start = T0 + datetime.timedelta(minutes=3)
    attempt = start_final_test(learner, course=course, now=start)
    result = submit_final_test(
        learner, attempt=attempt, choices=right, now=start + datetime.timedelta(seconds=20)
    )
    assert result.certificate.review == "" and result.certificate.is_valid


def test_rejecting_needs_a_reason_and_the_confirmation(client, learner, course, coordinator):
    certificate = held(learner, course)
    client.force_login(coordinator)
    cases = [
        ({"decision": "rejected", "reason": "", "confirm": "on"}, "Hãy ghi lý do của quyết định."),
        ({"decision": "rejected", "reason": "Quá nhanh."}, "Hãy đánh dấu xác nhận trước khi"),
        ({"reason": "Quá nhanh."}, "Hãy chọn duyệt hoặc không duyệt."),
        ({"decision": "revoked", "reason": "x"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"decision": "approved", "reason": "x" * 1001}, "Lý do dài tối đa 1000 ký tự."),
        ({"decision": "approved", "reason": "   "}, "Hãy ghi lý do của quyết định."),
    ]
    for fields, says in cases:
        response = decide(client, certificate, **fields)
        assert response.status_code == 200, fields
        assert says in response.content.decode(), fields
    assert not CertificateReview.objects.exists()
    certificate.refresh_from_db()
    assert certificate.review == Review.HELD


def test_a_second_decision_is_refused_with_a_message(client, learner, course, coordinator):
    certificate = held(learner, course)
    client.force_login(coordinator)
    decide(client, certificate, decision="approved", reason="Được.")
    response = decide(client, certificate, decision="rejected", reason="Không.", confirm="on")
    assert response.status_code == 200
    assert "Giấy chứng nhận này không còn chờ xét duyệt." in response.content.decode()
    assert CertificateReview.objects.count() == 1
    with pytest.raises(reviews.ReviewRefused):
        reviews.decide_certificate(
            certificate.pk, decision="approved", reason="x", by=coordinator, now=LATER
        )


def test_a_decision_on_an_unknown_certificate_is_refused(coordinator, db):
    with pytest.raises(reviews.ReviewRefused, match="Không có giấy chứng nhận này."):
        reviews.decide_certificate(
            987654, decision="approved", reason="x", by=coordinator, now=LATER
        )


# --- Who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "answer"),
    [
        ("coordinator_A", 200),
        ("organization_coordinator_of_theirs", 200),
        ("province_admin", 200),
        ("coordinator_B", 404),
        ("organization_coordinator_elsewhere", 404),
        ("resident", 403),
        ("contest_host", 403),
    ],
)
def test_only_the_holders_coordinators_see_and_decide(
    client, learner, course, places, viewer, answer
):
    a, b = places
    theirs = factories.organization("UBND xã Giáp Trung", commune=a)
    learner.organization = theirs
    learner.save(update_fields=["organization"])
    elsewhere = factories.organization("Trường Minh Thanh", commune=b)
    grants = {
        "coordinator_A": (Role.COMMUNE_COORDINATOR, {"commune": a}),
        "organization_coordinator_of_theirs": (
            Role.ORGANIZATION_COORDINATOR,
            {"organization": theirs},
        ),
        "province_admin": (Role.PROVINCE_ADMIN, {}),
        "coordinator_B": (Role.COMMUNE_COORDINATOR, {"commune": b}),
        "organization_coordinator_elsewhere": (
            Role.ORGANIZATION_COORDINATOR,
            {"organization": elsewhere},
        ),
        "contest_host": (Role.CONTEST_HOST, {}),
    }
    user = factories.person(commune=b, full_name="Người Xem")
    if viewer in grants:
        role, where = grants[viewer]
        factories.with_role(user, role, **where)
    certificate = held(learner, course)
    client.force_login(user)
    url = reverse("learning:certificate_review", args=[certificate.pk])
    assert client.get(url).status_code == answer
    response = decide(client, certificate, decision="approved", reason="Được.")
    assert response.status_code == (302 if answer == 200 else answer)
    certificate.refresh_from_db()
    assert (certificate.review == Review.APPROVED) is (answer == 200)
    queue = client.get(reverse("learning:certificate_reviews"), {"xem": "approved"})
    if answer == 403:
        assert queue.status_code == 403
    else:
        assert (learner.full_name in queue.content.decode()) is (answer == 200)


def test_a_visitor_is_sent_to_sign_in(client, learner, course):
    certificate = held(learner, course)
    for url in (
        reverse("learning:certificate_reviews"),
        reverse("learning:certificate_review", args=[certificate.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/tai-khoan/login/" in response.url


@pytest.mark.parametrize("pk", ["987654", "9" * 18, "9" * 25])
def test_a_wrong_id_answers_404(client, coordinator, pk):
    client.force_login(coordinator)
    url = f"/dieu-phoi/giay-chung-nhan/{pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approved", "reason": "x"}).status_code == 404


# --- The queue and the evidence -----------------------------------------------------------------


def test_the_queue_pages_holds_its_tabs_and_says_when_empty(client, learner, course, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("learning:certificate_reviews")).content.decode()
    assert "Không có giấy chứng nhận nào chờ xét duyệt." in page
    people = [
        factories.person(commune=learner.commune, full_name=f"Người Học {n:02d}") for n in range(26)
    ]
    for n, person in enumerate(people):
        held(person, course, now=T0 + datetime.timedelta(minutes=n))
    first = client.get(reverse("learning:certificate_reviews"))
    assert "Đang chờ xét duyệt (26)" in first.content.decode()
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("learning:certificate_reviews"), {"page": "2"})
    names = [c.full_name for c in first.context["page"]] + [
        c.full_name for c in second.context["page"]
    ]
    assert sorted(names) == sorted(p.full_name for p in people)
    assert "Người Học 25" in second.content.decode()  # oldest first: the newest is last
    for odd in ("", "x", "²", "9" * 25):
        response = client.get(reverse("learning:certificate_reviews"), {"xem": odd, "page": odd})
        assert response.status_code == 200


def test_the_review_page_shows_each_lessons_credited_time_and_tries(
    client, learner, course, coordinator
):
    certificate = read_while_minimums_rise(learner, course)
    client.force_login(coordinator)
    response = client.get(reverse("learning:certificate_review", args=[certificate.pk]))
    evidence = response.context["evidence"]
    assert (evidence.seconds, evidence.min_seconds) == (18, 65)
    assert [(r.credited, r.min_seconds, r.short) for r in evidence.lessons] == [
        (6, 30, True),
        (6, 30, True),
        (6, 5, False),
    ]
    assert [r.right for r in evidence.lessons] == [
        lesson.questions.count() for lesson in course.lessons.order_by("module__order", "order")
    ]
    assert evidence.tries == []
    assert "Chưa làm bài kiểm tra cuối lần nào." in response.content.decode()
