"""Certificates that are earned: reading time credited one lesson at a time (capped, once
under concurrent tabs), check questions with limited tries, and a final test drawn per try
with a limit on tries in 24 hours."""

import datetime
import random
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.imports import parse_markdown
from courses.models import Choice
from courses.services import import_course
from learning import reads
from learning.models import Answer, Certificate, Enrollment, FinalTestTry, LessonProgress
from learning.services.completion import complete_lesson
from learning.services.final_test import FinalTestLocked, start_final_test, submit_final_test
from learning.services.reading import LessonNotDone, answer_question, open_lesson
from learning.services.session_reading import adopt_session_reading

T0 = timezone.make_aware(datetime.datetime(2025, 10, 20, 8, 0))


def seconds(n: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


def lessons(course):
    return list(course.lessons.order_by("module__order", "order"))


def credited(user) -> dict[int, int]:
    return dict(
        LessonProgress.objects.filter(user=user).values_list("lesson_id", "credited_seconds")
    )


def together(calls) -> None:
    """Run the calls on threads of their own, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


# --- Reading time ---------------------------------------------------------------------------


def test_each_stretch_goes_to_the_lesson_being_read(learner, course):
    first, second, third = lessons(course)
    open_lesson(learner, lesson=first, now=T0)
    open_lesson(learner, lesson=second, now=T0 + seconds(20))
    open_lesson(learner, lesson=third, now=T0 + seconds(25))
    open_lesson(learner, lesson=first, now=T0 + seconds(40))
    assert credited(learner) == {first.pk: 20, second.pk: 5, third.pk: 15}
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.reading_lesson_id == first.pk
    assert enrollment.reading_since == T0 + seconds(40)


def test_one_stretch_credits_at_most_three_times_the_lessons_minimum(learner, course):
    first, second, _ = lessons(course)  # 30 s minimum each
    open_lesson(learner, lesson=first, now=T0)
    open_lesson(learner, lesson=second, now=T0 + datetime.timedelta(hours=8))
    assert credited(learner)[first.pk] == 90


def test_a_reload_of_the_lesson_being_read_writes_nothing(
    client, learner, course, django_assert_num_queries
):
    first = lessons(course)[0]
    client.force_login(learner)
    client.get(first.get_absolute_url())
    client.get(first.get_absolute_url())  # reads the record again after the opening
    with django_assert_num_queries(0):
        assert client.get(first.get_absolute_url()).status_code == 200


def test_moving_to_another_lesson_costs_at_most_three_writes(
    client, learner, course, django_assert_max_num_queries
):
    """The cached record names the lesson being read: the move is one compare-and-set,
    the credit and, for a lesson not opened before, its row; nothing is read."""
    first, second, _ = lessons(course)
    Client().get(second.get_absolute_url())  # someone read it before: its page is cached
    client.force_login(learner)
    client.get(first.get_absolute_url())
    client.get(first.get_absolute_url())  # the record, cached again
    with django_assert_max_num_queries(3):
        assert client.get(second.get_absolute_url()).status_code == 200


def test_a_stale_cached_pointer_still_credits_once(learner, course):
    """A record read before another tab moved the pointer: the compare-and-set misses,
    the pointer is read again, and the stretch is credited to the right lesson once."""
    first, second, third = lessons(course)
    open_lesson(learner, lesson=first, now=T0)
    stale = reads.reading(learner.pk, course.pk)
    open_lesson(learner, lesson=second, now=T0 + seconds(10))  # another tab
    open_lesson(learner, lesson=third, now=T0 + seconds(15), reading=stale)
    assert credited(learner) == {first.pk: 10, second.pk: 5, third.pk: 0}


def test_a_lesson_completes_only_when_its_credited_time_reaches_its_minimum(learner, course):
    _, second, _ = lessons(course)  # no check question
    open_lesson(learner, lesson=second, now=T0)
    with pytest.raises(LessonNotDone) as not_done:
        complete_lesson(learner, lesson=second, now=T0 + seconds(20))
    assert not_done.value.seconds_left == 10
    # The refused press still counted: the ten seconds after it are this lesson's.
    complete_lesson(learner, lesson=second, now=T0 + seconds(30))
    progress = LessonProgress.objects.get(user=learner, lesson=second)
    assert progress.completed_at == T0 + seconds(30) and progress.credited_seconds == 30


@pytest.mark.django_db(transaction=True)
def test_tabs_acting_at_the_same_moment_earn_the_stretch_once(learner, course):
    first, second, third = lessons(course)
    open_lesson(learner, lesson=first, now=T0)
    open_lesson(learner, lesson=second, now=T0 + seconds(1))
    open_lesson(learner, lesson=third, now=T0 + seconds(2))
    open_lesson(learner, lesson=first, now=T0 + seconds(3))
    before = sum(credited(learner).values())
    later = T0 + seconds(200)
    targets = [first, second, third] * 3
    together(
        [lambda lesson=lesson: open_lesson(learner, lesson=lesson, now=later) for lesson in targets]
    )
    # first was being read for 197 s: 90 s (its cap), once, not once per tab.
    assert sum(credited(learner).values()) - before == 90
    assert credited(learner)[first.pk] == 1 + 90


# --- Check questions ------------------------------------------------------------------------


def test_a_question_is_settled_by_a_right_answer_or_the_last_try(learner, course):
    first = lessons(course)[0]
    question = first.questions.get()
    right = question.choices.get(is_correct=True).pk
    wrong = question.choices.filter(is_correct=False).first().pk
    open_lesson(learner, lesson=first, now=T0)
    with pytest.raises(LessonNotDone) as not_done:
        complete_lesson(learner, lesson=first, now=T0 + seconds(30))
    assert not_done.value.pending_questions == 1
    for _ in range(2):
        answer_question(learner, question=question, choice_id=wrong, now=T0)
    # Out of tries: the answer is shown, and guessing again changes nothing.
    answer = answer_question(learner, question=question, choice_id=right, now=T0)
    assert (answer.is_correct, answer.tries) == (False, 2)
    open_lesson(learner, lesson=first, now=T0 + seconds(31))
    complete_lesson(learner, lesson=first, now=T0 + seconds(61))
    assert LessonProgress.objects.get(user=learner, lesson=first).completed_at


def test_a_right_answer_is_not_replaced(learner, course):
    first = lessons(course)[0]
    question = first.questions.get()
    right = question.choices.get(is_correct=True).pk
    wrong = question.choices.filter(is_correct=False).first().pk
    answer_question(learner, question=question, choice_id=right, now=T0)
    answer = answer_question(learner, question=question, choice_id=wrong, now=T0)
    assert (answer.is_correct, answer.tries) == (True, 1)


@pytest.mark.django_db(transaction=True)
def test_tries_at_the_same_moment_never_exceed_the_courses_tries(learner, course):
    first = lessons(course)[0]
    question = first.questions.get()
    wrong = question.choices.filter(is_correct=False).first().pk
    open_lesson(learner, lesson=first, now=T0)
    together(
        [
            lambda: answer_question(learner, question=question, choice_id=wrong, now=T0)
            for _ in range(6)
        ]
    )
    assert 1 <= Answer.objects.get(user=learner, question=question).tries <= 2


# --- The final test -------------------------------------------------------------------------

POOL = 6


def final_test_course(**settings):
    questions = "".join(
        f"### Question: Câu {n}\n- [x] Đúng {n}\n- [ ] Sai {n}a\n- [ ] Sai {n}b\n"
        f"- [ ] Sai {n}c\n> Vì thế.\n"
        for n in range(1, POOL + 1)
    )
    course = import_course(
        data=parse_markdown(
            "---\ntitle: Kiểm tra\nslug: kiem-tra\naudience: officials\nsummary: Thử.\n"
            "estimated_minutes: 10\ncompletion: test 50\n---\n\n# Module: Một\n\n"
            "## Lesson: Bài một\nminutes: 2\nmin_read_seconds: 30\n\nNội dung.\n\n"
            f"# Final test\n{questions}"
        ),
        publish=True,
    )
    for name, value in settings.items():
        setattr(course, name, value)
    course.save()
    return course


def answers_for(attempt, *, right: int) -> dict[int, int]:
    """Answers to the try's questions: the first `right` of them right, the rest wrong."""
    answers = {}
    for n, (question_id, choice_ids) in enumerate(attempt.questions):
        choices = dict(Choice.objects.filter(pk__in=choice_ids).values_list("pk", "is_correct"))
        answers[question_id] = next(c for c in choice_ids if choices[c] == (n < right))
    return answers


def test_each_try_draws_its_questions_and_orders_their_choices(learner, db):
    course = final_test_course(final_test_questions=4)
    pool = {q.pk: {c.pk for c in q.choices.all()} for q in course.questions.all()}
    orders = set()
    rng = random.Random(14)
    for n in range(6):
        attempt = start_final_test(
            learner, course=course, now=T0 + datetime.timedelta(days=n), rng=rng
        )
        ids = [question_id for question_id, _ in attempt.questions]
        assert len(ids) == len(set(ids)) == 4 and set(ids) <= set(pool)
        for question_id, choice_ids in attempt.questions:
            assert sorted(choice_ids) == sorted(pool[question_id])
        orders.add(tuple(ids))
        orders.add(tuple(c for _, choice_ids in attempt.questions for c in choice_ids))
        submit_final_test(learner, attempt=attempt, choices={}, now=T0 + datetime.timedelta(days=n))
    assert len(orders) == 12  # no two tries alike, in questions or in choices


def test_a_reload_shows_the_same_draw(client, learner, db):
    course = final_test_course(final_test_questions=3)
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    client.post(url, {"start": "1"})
    client.post(url, {"start": "1"})  # a second press (or tab) starts nothing new

    def shown(html: str) -> list[str]:
        return re.findall(r'name="(q\d+)" value="(\d+)"', html)

    first = shown(client.get(url).content.decode())
    assert len({name for name, _ in first}) == 3
    assert shown(client.get(url).content.decode()) == first
    assert FinalTestTry.objects.count() == 1


def test_a_submission_is_scored_against_its_draw_only(learner, db):
    course = final_test_course(final_test_questions=2)  # pass mark 50 %
    attempt = start_final_test(learner, course=course, now=T0)
    drawn = {question_id for question_id, _ in attempt.questions}
    others = {
        q.pk: q.choices.get(is_correct=True).pk for q in course.questions.exclude(pk__in=drawn)
    }
    choices = {**answers_for(attempt, right=0), **others}  # right answers to undrawn ones
    result = submit_final_test(learner, attempt=attempt, choices=choices, now=T0)
    assert (result.correct, result.total, result.passed) == (0, 2, False)
    attempt.refresh_from_db()
    assert set(attempt.answers) == {str(q) for q in drawn}


def test_a_second_submission_keeps_the_first_score(learner, db):
    course = final_test_course()
    attempt = start_final_test(learner, course=course, now=T0)
    submit_final_test(learner, attempt=attempt, choices=answers_for(attempt, right=1), now=T0)
    again = submit_final_test(
        learner, attempt=attempt, choices=answers_for(attempt, right=POOL), now=T0
    )
    assert (again.correct, again.passed) == (1, False)
    assert not Certificate.objects.exists()


def test_tries_are_limited_in_any_24_hours(learner, db):
    course = final_test_course()  # 3 tries
    starts = [T0, T0 + datetime.timedelta(hours=5), T0 + datetime.timedelta(hours=20)]
    for start in starts:
        attempt = start_final_test(learner, course=course, now=start)
        submit_final_test(
            learner, attempt=attempt, choices=answers_for(attempt, right=0), now=start
        )
    with pytest.raises(FinalTestLocked) as locked:
        start_final_test(learner, course=course, now=T0 + datetime.timedelta(hours=23))
    assert locked.value.retry_at == T0 + datetime.timedelta(hours=24)
    attempt = start_final_test(
        learner, course=course, now=T0 + datetime.timedelta(hours=24, seconds=1)
    )
    result = submit_final_test(
        learner, attempt=attempt, choices=answers_for(attempt, right=POOL), now=attempt.started_at
    )
    assert result.passed and result.certificate


def test_the_page_says_when_the_next_try_opens(client, learner, db):
    course = final_test_course(final_test_tries_per_day=1)
    first = timezone.now() - datetime.timedelta(hours=2)
    attempt = start_final_test(learner, course=course, now=first)
    submit_final_test(learner, attempt=attempt, choices={}, now=first)
    client.force_login(learner)
    url = reverse("learning:final_test", args=[course.slug])
    opens = timezone.localtime(first + datetime.timedelta(hours=24))
    html = client.get(url).content.decode()
    assert (
        "Bạn đã làm bài kiểm tra 1 lần trong 24 giờ qua. Bạn có thể làm lại từ "
        f"{opens:%H:%M} ngày {opens:%d/%m/%Y}." in html
    )
    assert client.post(url, {"start": "1"}).url == url
    assert FinalTestTry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_tabs_starting_at_the_same_moment_share_one_try(learner):
    course = final_test_course()
    tries = []
    together(
        [
            lambda: tries.append(start_final_test(learner, course=course, now=T0).pk)
            for _ in range(4)
        ]
    )
    assert len(set(tries)) == 1 and FinalTestTry.objects.count() == 1


# --- A visitor's reading, adopted -----------------------------------------------------------


def test_a_session_record_without_credited_time_brings_no_completion(learner, course):
    """A record from before reading time was credited cannot carry a completion in."""
    first = lessons(course)[0]
    opened = T0.isoformat()
    refused = adopt_session_reading(
        learner,
        reading={"lessons": {str(first.pk): {"opened": opened, "completed": opened}}},
    )
    assert refused == []
    progress = LessonProgress.objects.get(user=learner, lesson=first)
    assert progress.completed_at is None and progress.credited_seconds == 0


def test_a_visitors_tries_come_along(learner, course):
    first = lessons(course)[0]
    question = first.questions.get()
    wrong = question.choices.filter(is_correct=False).first().pk
    adopt_session_reading(
        learner,
        reading={"answers": {str(question.pk): wrong}, "tries": {str(question.pk): 2}},
    )
    answer = Answer.objects.get(user=learner)
    assert (answer.is_correct, answer.tries) == (False, 2)
    assert answer.settled(2)
