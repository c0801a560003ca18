"""The lesson reader: visitors and learners, answers, the server's reading-time rule."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Audience, Course, Question
from learning.models import Answer, Certificate, Enrollment, LessonProgress
from tests import factories
from tests.factories import SIGNUP, sent_code
from tests.learning.reading import age_reading, answer, lesson_url, lessons


def complete(client, course, lesson):
    return client.post(reverse("learning:complete", args=[course.slug, lesson.pk]))


def test_a_visitor_reads_a_residents_course_without_an_account(client, course):
    first = lessons(course)[0]
    page = client.get(lesson_url(course, first)).content.decode()
    assert "Mở ứng dụng ngân hàng" in page
    assert "đăng ký bằng số điện thoại" in page
    assert 'aria-valuenow="0"' in page


def test_an_officials_course_asks_a_visitor_to_log_in(client, course):
    Course.objects.filter(pk=course.pk).update(audience=Audience.OFFICIALS)
    course.refresh_from_db()
    response = client.get(lesson_url(course, lessons(course)[0]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unpublished_course_is_not_found(client, course):
    Course.objects.filter(pk=course.pk).update(is_published=False)
    assert client.get(course.get_absolute_url()).status_code == 404
    assert client.get(lesson_url(course, lessons(course)[0])).status_code == 404


def test_a_lesson_of_another_course_is_not_found(client, course):
    other = Course.objects.create(
        title="Khác", slug="khac", summary=".", audience="residents", is_published=True
    )
    assert client.get(lesson_url(other, lessons(course)[0])).status_code == 404


def test_a_wrong_try_holds_back_the_explanation_and_a_right_one_gives_it(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    client.get(lesson_url(course, first))
    assert "Bạn có 2 lần trả lời" in client.get(lesson_url(course, first)).content.decode()
    answer(client, course, first, right=False)
    page = client.get(lesson_url(course, first)).content.decode()
    assert "Chưa đúng. Hãy đọc lại bài rồi chọn lại (còn 1 lần trả lời)." in page
    assert "tên người nhận và số tiền phải đúng" not in page  # it would give the answer away
    answer(client, course, first, right=True)
    page = client.get(lesson_url(course, first)).content.decode()
    assert "Đúng rồi!" in page and "tên người nhận và số tiền phải đúng" in page
    assert "Trả lời lại" not in page  # settled: no more tries
    stored = Answer.objects.get(user=learner)
    assert stored.is_correct and stored.tries == 2


def test_a_choice_from_another_question_is_refused(client, learner, course):
    client.force_login(learner)
    first, _, third = lessons(course)
    question = first.questions.get()
    foreign = third.questions.get().choices.first()
    url = reverse("learning:answer", args=[course.slug, first.pk, question.pk])
    response = client.post(url, {"choice": foreign.pk}, follow=True)
    assert "Hãy chọn một phương án" in response.content.decode()
    assert not Answer.objects.exists()


def test_lessons_opened_side_by_side_earn_their_reading_time_once(client, learner, course):
    """Every lesson opened (and answered) in its own tab, two minutes' wait, then "done" on
    each: the two minutes went to the lesson in front of the reader, the last one opened;
    the others still need their whole minimum, and the course is not complete."""
    client.force_login(learner)
    first, second, third = lessons(course)
    for lesson in (first, second, third):
        client.get(lesson_url(course, lesson))
        if lesson.questions.exists():
            answer(client, course, lesson, right=True)
    age_reading(client, 120)
    for lesson in (first, second):
        response = complete(client, course, lesson)
        assert response.url == lesson_url(course, lesson)
        page = client.get(response.url).content.decode()
        assert "Bạn đọc hơi nhanh. Hãy đọc thêm 30 giây nữa rồi bấm lại." in page
    complete(client, course, third)
    done = LessonProgress.objects.filter(completed_at__isnull=False)
    assert list(done.values_list("lesson_id", flat=True)) == [third.pk]
    assert not Certificate.objects.exists()

    # Read one after the other, each for its minimum: the course completes.
    for lesson in (first, second):
        client.get(lesson_url(course, lesson))
        age_reading(client, 30)
        complete(client, course, lesson)
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 3
    assert Certificate.objects.filter(user=learner, course=course).exists()


def test_the_seconds_left_are_what_the_lesson_still_needs(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    client.get(lesson_url(course, first))
    answer(client, course, first, right=True)
    age_reading(client, 12)
    page = client.post(reverse("learning:complete", args=[course.slug, first.pk]), follow=True)
    assert "Hãy đọc thêm 18 giây nữa" in page.content.decode()
    age_reading(client, 18)  # exactly what it said
    assert complete(client, course, first).url != lesson_url(course, first)
    assert LessonProgress.objects.get(lesson=first).credited_seconds == 30


def test_a_visitor_reading_side_by_side_earns_the_time_once(client, course):
    first, second, third = lessons(course)
    for lesson in (first, second, third):
        client.get(lesson_url(course, lesson))
        if lesson.questions.exists():
            answer(client, course, lesson, right=True)
    age_reading(client, 120)
    for lesson in (first, second, third):
        complete(client, course, lesson)
    read = client.session["reading"]["lessons"]
    assert [int(k) for k, v in read.items() if v.get("completed")] == [third.pk]
    assert "Đã xong 1/3 bài" in client.get(lesson_url(course, first)).content.decode()


def test_a_visitor_has_the_same_tries(client, course):
    first = lessons(course)[0]
    client.get(lesson_url(course, first))
    answer(client, course, first, right=False)
    answer(client, course, first, right=False)
    answer(client, course, first, right=True)  # too late: the answer was shown
    page = client.get(lesson_url(course, first)).content.decode()
    assert "Đáp án đúng là: Tên người nhận và số tiền" in page
    assert client.session["reading"]["tries"] == {str(first.questions.get().pk): 2}
    age_reading(client, 30)
    assert complete(client, course, first).url == lesson_url(course, lessons(course)[1])


def test_a_wrong_answer_holds_the_lesson_back(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    client.get(lesson_url(course, first))
    answer(client, course, first, right=False)
    age_reading(client, 60)
    response = complete(client, course, first)
    assert response.url == lesson_url(course, first)
    assert "trả lời đúng câu hỏi" in client.get(response.url).content.decode()
    assert not LessonProgress.objects.get().completed_at


def test_opening_a_lesson_logged_in_enrols(client, learner, course):
    client.force_login(learner)
    client.get(lesson_url(course, lessons(course)[1]))
    assert Enrollment.objects.filter(user=learner, course=course).exists()
    page = client.get(course.get_absolute_url()).content.decode()
    assert "Học tiếp" in page


def test_continue_where_i_left_off(client, learner, course):
    client.force_login(learner)
    first, second, _ = lessons(course)
    client.get(lesson_url(course, first))
    answer(client, course, first, right=True)
    age_reading(client, 31)
    assert complete(client, course, first).url == lesson_url(course, second)
    page = client.get(reverse("learning:my_learning")).content.decode()
    assert f'href="{lesson_url(course, second)}"' in page
    assert "Đã xong 1/3 bài" in page


def test_a_visitors_reading_is_kept_when_they_sign_up(client, course, tuyen_quang, sms_outbox):
    first, second, _ = lessons(course)
    client.get(lesson_url(course, first))
    answer(client, course, first, right=True)
    age_reading(client, 31)
    assert complete(client, course, first).url == lesson_url(course, second)
    client.get(lesson_url(course, second))
    client.post(reverse("account_signup"), {**SIGNUP, "next": lesson_url(course, second)})
    response = client.post(reverse("account_verify_phone"), {"code": sent_code(sms_outbox)})
    assert response.url == lesson_url(course, second)  # back where they were reading
    user = Enrollment.objects.get(course=course).user
    assert user.full_name == "Hoàng Thị Mai"
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(user=user)}
    assert set(progress) == {first.pk, second.pk}
    assert progress[first.pk].completed_at and not progress[second.pk].completed_at
    assert progress[first.pk].credited_seconds == 31
    assert Answer.objects.get(user=user, question=first.questions.get()).is_correct
    assert "Đã xong 1/3 bài" in client.get(course.get_absolute_url()).content.decode()
    # Still reading the second lesson: its time since the visitor opened it counts.
    age_reading(client, 30)
    complete(client, course, second)
    assert LessonProgress.objects.get(user=user, lesson=second).completed_at


def test_a_visitors_reading_done_while_the_account_read_keeps_no_time(client, learner, course):
    """One person, two browsers: the account reads the first lesson while a logged-out
    browser reads the second; logging in there keeps the opening, not the time."""
    first, second, _ = lessons(course)
    account = Client()
    account.force_login(learner)
    account.get(lesson_url(course, first))
    client.get(lesson_url(course, second))
    age_reading(client, 60)  # both browsers a minute later
    complete(client, course, second)  # done as a visitor
    assert client.session["reading"]["lessons"][str(second.pk)]["completed"]
    login = {"login": learner.phone, "password": factories.PASSWORD}
    client.post(reverse("account_login"), login)
    progress = LessonProgress.objects.get(user=learner, lesson=second)
    assert progress.credited_seconds == 0 and progress.completed_at is None
    page = client.get(lesson_url(course, second)).content.decode()
    assert "Đã xong 0/3 bài" in page
    assert "trùng với lúc tài khoản của bạn cũng đang đọc khoá này" in page


def test_a_logged_in_lesson_page_runs_at_most_six_queries(
    client, learner, course, django_assert_max_num_queries
):
    first = lessons(course)[0]
    client.get(lesson_url(course, first))  # someone read it before: content is cached
    client.force_login(learner)
    with django_assert_max_num_queries(6):  # first visit: enrols and records the opening
        assert client.get(lesson_url(course, first)).status_code == 200
    answer(client, course, first, right=True)
    with django_assert_max_num_queries(6):  # a return visit
        page = client.get(lesson_url(course, first))
    assert "Đúng rồi!" in page.content.decode()


def test_search_ignores_accents(client, course):
    from courses.models import Course as C

    C.objects.create(
        title="Dịch vụ công trực tuyến",
        slug="dvc",
        summary=".",
        audience="everyone",
        is_published=True,
    )
    page = client.get(reverse("learning:catalogue"), {"q": "dich vu cong"}).content.decode()
    assert "Dịch vụ công trực tuyến" in page and "Thanh toán không dùng" not in page
    page = client.get(reverse("learning:catalogue"), {"q": "NGUOI LA"}).content.decode()
    assert "Thanh toán không dùng tiền mặt" in page  # a lesson title matched
    page = client.get(reverse("learning:catalogue"), {"q": "khong co gi"}).content.decode()
    assert "Không có khoá học nào khớp" in page


@pytest.mark.parametrize("path", ["learning:my_learning"])
def test_my_learning_needs_an_account(client, path):
    assert client.get(reverse(path)).status_code == 302


def test_question_model_keeps_course_in_step(course):
    lesson = lessons(course)[0]
    question = Question(lesson=lesson, text="?")
    question.save()
    assert question.course_id == course.pk


def test_one_tap_enrols_and_opens_the_first_lesson(client, learner, course):
    client.force_login(learner)
    assert "Bắt đầu học" in client.get(course.get_absolute_url()).content.decode()
    response = client.post(reverse("learning:enroll", args=[course.slug]))
    assert response.url == lesson_url(course, lessons(course)[0])
    assert Enrollment.objects.filter(user=learner, course=course).exists()
