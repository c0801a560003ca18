"""The lesson page is shared by its readers and cached: what each reader sees stays theirs,
and an editor's change shows on the next view."""

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from courses.models import Choice, Course, Lesson, Module, Question
from learning import reads
from learning.services.completion import complete_lesson
from learning.services.reading import answer_question, open_lesson
from tests import factories
from tests.learning.reading import age_reading, answer, lesson_url, lessons

EXPLANATION = "tên người nhận và số tiền phải đúng"


def page(client, course, lesson) -> str:
    response = client.get(lesson_url(course, lesson))
    assert response.status_code == 200
    return response.content.decode()


def question_form(html: str) -> str:
    return re.search(r'<form id="q\d+".*?</form>', html, re.S).group()


def test_the_explanation_is_sent_only_once_the_question_is_settled(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    assert EXPLANATION not in page(client, course, first)
    answer(client, course, first, right=False)
    assert EXPLANATION not in page(client, course, first)  # one try left
    answer(client, course, first, right=False)
    html = question_form(page(client, course, first))
    assert EXPLANATION in html and "Đáp án đúng là: Tên người nhận và số tiền" in html
    assert 'class="question wrong shown"' in html and "<fieldset disabled>" in html


def test_a_course_with_more_tries_says_how_many_are_left(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    assert "Bạn có 2 lần trả lời" in page(client, course, first)
    course.check_tries = 4
    course.save()  # an editor's change: the next view shows it
    assert "Bạn có 4 lần trả lời" in page(client, course, first)
    answer(client, course, first, right=False)
    assert "còn 3 lần trả lời" in page(client, course, first)


def test_each_learner_sees_only_their_own_answers_and_progress(client, learner, course):
    other = factories.person(commune=learner.commune, full_name="Trần Văn Bình")
    first, second, _ = lessons(course)
    client.force_login(learner)
    page(client, course, first)
    answer(client, course, first, right=False)
    mine = question_form(page(client, course, first))
    assert 'class="question wrong"' in mine and " checked" in mine

    neighbour = Client()
    neighbour.force_login(other)
    theirs = page(neighbour, course, first)
    assert 'class="question"' in question_form(theirs) and " checked" not in theirs
    assert EXPLANATION not in theirs
    answer(neighbour, course, first, right=True)
    assert 'class="question right"' in question_form(page(neighbour, course, first))
    assert 'class="question wrong"' in question_form(page(client, course, first))

    visitor = page(Client(), course, first)
    assert " checked" not in visitor and EXPLANATION not in visitor
    assert 'aria-valuenow="0"' in visitor and "đăng ký bằng số điện thoại" in visitor
    assert "đăng ký bằng số điện thoại" not in page(client, course, second)


def test_completing_a_lesson_shows_on_its_page_and_the_progress_bar(client, learner, course):
    client.force_login(learner)
    second = lessons(course)[1]
    page(client, course, second)
    age_reading(client, 300)
    client.post(reverse("learning:complete", args=[course.slug, second.pk]))
    html = page(client, course, second)
    assert "Bạn đã học xong bài này" in html and "Đã xong 1/3 bài" in html
    assert 'aria-valuenow="33"' in html


def test_every_reader_gets_a_working_csrf_token(learner, course):
    first = lessons(course)[0]
    question = first.questions.get()
    url = reverse("learning:answer", args=[course.slug, first.pk, question.pk])
    right = question.choices.get(is_correct=True).pk
    tokens = []
    for reader in (learner, None):
        client = Client(enforce_csrf_checks=True)
        if reader:
            client.force_login(reader)
        html = page(client, course, first)
        found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        assert len(found) == 1 and "csrf" not in next(iter(found))  # no marker left behind
        tokens += found
        assert client.post(url, {"choice": right}).status_code == 403  # no token, refused
        response = client.post(url, {"choice": right, "csrfmiddlewaretoken": found.pop()})
        assert response.status_code == 302
        assert 'class="question right"' in question_form(page(client, course, first))
    assert len(set(tokens)) == 2


def test_an_editors_change_shows_on_the_next_view(client, learner, course):
    client.force_login(learner)
    first, second, _ = lessons(course)
    page(client, course, first)  # cached now

    first.body = "Mở ứng dụng và chọn **Thanh toán**."
    first.save()
    assert "chọn <strong>Thanh toán</strong>" in page(client, course, first)

    question = first.questions.get()
    question.text = "Bạn kiểm tra điều gì trước khi chuyển?"
    question.save()
    assert "Bạn kiểm tra điều gì trước khi chuyển?" in page(client, course, first)

    Choice.objects.create(question=question, text="Số điện thoại của người nhận", order=9)
    assert "Số điện thoại của người nhận" in page(client, course, first)

    module = Module.objects.get(pk=first.module_id)
    module.title = "Quét mã QR an toàn"
    module.save()
    assert "Quét mã QR an toàn" in page(client, course, first)

    course = Course.objects.get(pk=course.pk)
    course.title = "Trả tiền bằng mã QR"
    course.save()
    assert "‹ Trả tiền bằng mã QR" in page(client, course, first)

    Lesson.objects.get(pk=second.pk).delete()
    html = page(client, course, first)
    assert "Bài 1/2" in html and "Đã xong 0/2 bài" in html
    assert client.get(lesson_url(course, second)).status_code == 404


def test_a_deleted_question_leaves_the_page(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    assert "Câu hỏi kiểm tra" in page(client, course, first)
    Question.objects.filter(lesson=first).get().delete()
    assert "Câu hỏi kiểm tra" not in page(client, course, first)


def test_english_and_vietnamese_pages_are_kept_apart(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    assert "Câu hỏi kiểm tra" in page(client, course, first)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = page(client, course, first)
    assert "Check questions" in english and "Câu hỏi kiểm tra" not in english
    assert "0 of 3 lessons done" in english
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert "Câu hỏi kiểm tra" in page(client, course, first)


def test_a_coordinator_keeps_their_menu(client, learner, course):
    coordinator = factories.with_role(
        factories.person(commune=learner.commune, full_name="Lê Thị Hoa"),
        Role.COMMUNE_COORDINATOR,
        commune=learner.commune,
    )
    first = lessons(course)[0]
    client.force_login(learner)
    assert "Điều phối" not in page(client, course, first)
    client.force_login(coordinator)
    assert "Điều phối" in page(client, course, first)


def test_messages_show_once_on_the_lesson_page(client, learner, course):
    client.force_login(learner)
    first = lessons(course)[0]
    page(client, course, first)
    url = reverse("learning:answer", args=[course.slug, first.pk, first.questions.get().pk])
    client.post(url, {"choice": "x"})
    assert "Hãy chọn một phương án" in page(client, course, first)
    assert "Hãy chọn một phương án" not in page(client, course, first)


def test_a_return_visit_reads_the_learners_record_from_the_cache(
    client, learner, course, django_assert_num_queries
):
    client.force_login(learner)
    first = lessons(course)[0]
    page(client, course, first)
    answer(client, course, first, right=True)
    page(client, course, first)  # the record is read again after the answer
    with django_assert_num_queries(0):
        assert 'class="question right"' in question_form(page(client, course, first))


def test_a_learners_record_is_read_again_after_each_write(learner, course):
    first = lessons(course)[0]
    question = first.questions.get()
    now = timezone.now()
    nothing = {"lessons": {}, "answers": {}, "tries": {}, "pointer": None}
    assert reads.reading(learner.pk, course.pk) == nothing
    open_lesson(learner, lesson=first, now=now)
    assert set(reads.reading(learner.pk, course.pk)["lessons"]) == {first.pk}
    right = question.choices.get(is_correct=True)
    answer_question(learner, question=question, choice_id=right.pk, now=now)
    assert reads.reading(learner.pk, course.pk)["answers"] == {question.pk: right.pk}
    complete_lesson(learner, lesson=first, now=now + timezone.timedelta(minutes=1))
    assert reads.reading(learner.pk, course.pk)["lessons"][first.pk]["completed"]


def test_a_record_read_before_a_write_commits_is_not_kept(
    learner, course, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A page built while the write is still uncommitted would have read the old rows: once
    the write commits, the record it stored is not the one the next page reads."""
    first = lessons(course)[0]
    with django_capture_on_commit_callbacks() as callbacks:
        open_lesson(learner, lesson=first, now=timezone.now())
        reads.reading(learner.pk, course.pk)  # stands for that page
    with django_assert_num_queries(0):
        reads.reading(learner.pk, course.pk)
    assert callbacks
    for callback in callbacks:
        callback()
    with django_assert_num_queries(2):
        assert set(reads.reading(learner.pk, course.pk)["lessons"]) == {first.pk}


def test_a_lesson_moved_to_another_course_leaves_the_first(client, learner, course):
    client.force_login(learner)
    first, second, third = lessons(course)
    assert "Bài 1/3" in page(client, course, first)
    other = Course.objects.create(
        title="Khác", slug="khac", summary=".", audience="residents", is_published=True
    )
    second.module = Module.objects.create(course=other, title="Chương mới")
    second.save()
    assert "Bài 1/2" in page(client, course, first)
    assert client.get(lesson_url(course, second)).status_code == 404
    assert "Bài 1/1" in page(client, other, second)
