"""The lesson reader: visitors and learners, answers, the server's reading-time rule."""

import pytest
from django.urls import reverse

from courses.models import Audience, Course, Question
from learning.models import Answer, Certificate, Enrollment, LessonProgress
from tests.accounts.test_signup import SIGNUP, sent_code
from tests.learning.conftest import age_reading


def lessons(course):
    return list(course.lessons.order_by("module__order", "order"))


def lesson_url(course, lesson):
    return reverse("learning:lesson", args=[course.slug, lesson.pk])


def answer(client, course, lesson, *, right: bool):
    question = lesson.questions.get()
    choice = (
        question.choices.get(is_correct=True)
        if right
        else question.choices.filter(is_correct=False).first()
    )
    url = reverse("learning:answer", args=[course.slug, lesson.pk, question.pk])
    return client.post(url, {"choice": choice.pk})


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


def test_feedback_and_explanation_follow_each_answer(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    client.get(lesson_url(course, first))
    answer(client, course, first, right=False)
    page = client.get(lesson_url(course, first)).content.decode()
    assert "Chưa đúng" in page
    assert "tên người nhận và số tiền phải đúng" in page
    answer(client, course, first, right=True)
    page = client.get(lesson_url(course, first)).content.decode()
    assert "Đúng rồi!" in page
    assert Answer.objects.get(user=learner).is_correct


def test_a_choice_from_another_question_is_refused(client, learner, course):
    client.force_login(learner)
    first, _, third = lessons(course)
    question = first.questions.get()
    foreign = third.questions.get().choices.first()
    url = reverse("learning:answer", args=[course.slug, first.pk, question.pk])
    response = client.post(url, {"choice": foreign.pk}, follow=True)
    assert "Hãy chọn một phương án" in response.content.decode()
    assert not Answer.objects.exists()


def test_reading_time_is_the_servers(client, learner, course):
    """Opening every lesson and pressing "done" at once does not complete anything."""
    client.force_login(learner)
    for lesson in lessons(course):
        client.get(lesson_url(course, lesson))
        answer(client, course, lesson, right=True) if lesson.questions.exists() else None
    for lesson in lessons(course):
        response = complete(client, course, lesson)
        assert response.status_code == 302 and response.url == lesson_url(course, lesson)
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    page = client.get(lesson_url(course, lessons(course)[0])).content.decode()
    assert "Bạn đọc hơi nhanh. Hãy đọc thêm" in page

    age_reading(client, 31)
    for lesson in lessons(course):
        complete(client, course, lesson)
    assert LessonProgress.objects.filter(completed_at__isnull=False).count() == 3
    assert Certificate.objects.filter(user=learner, course=course).exists()


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
    client.get(lesson_url(course, second))
    age_reading(client, 31)
    complete(client, course, first)
    client.post(reverse("account_signup"), {**SIGNUP, "next": lesson_url(course, second)})
    response = client.post(reverse("account_verify_phone"), {"code": sent_code(sms_outbox)})
    assert response.url == lesson_url(course, second)  # back where they were reading
    user = Enrollment.objects.get(course=course).user
    assert user.full_name == "Hoàng Thị Mai"
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(user=user)}
    assert set(progress) == {first.pk, second.pk}
    assert progress[first.pk].completed_at and not progress[second.pk].completed_at
    assert Answer.objects.get(user=user, question=first.questions.get()).is_correct
    assert "Đã xong 1/3 bài" in client.get(course.get_absolute_url()).content.decode()


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
