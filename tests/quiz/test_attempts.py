"""Taking an attempt: the server's draw, clock and score; every refusal in Vietnamese."""

import datetime
import random

import pytest
from django.utils import timezone

from accounts.models import ParticipantKind
from quiz.models import Attempt, Choice, Contest, Question, Round
from quiz.models.attempts import GRACE
from quiz.services.attempts import AttemptRefused, save_answer, start_attempt, submit_attempt
from tests import factories
from tests.factories import make_question, right

T0 = timezone.make_aware(datetime.datetime(2025, 11, 3, 10, 0))  # Monday 10:00


@pytest.fixture
def round_(db):
    for n in range(12):
        make_question(n, difficulty=1 + n % 3, multiple=(n == 0))
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug="cds-2025")
    return Round.objects.create(
        contest=contest,
        number=1,
        opens_at=T0,
        closes_at=T0 + datetime.timedelta(days=6, hours=23),  # → Monday 09:00
        questions_per_attempt=6,
        time_limit_minutes=15,
        attempts_allowed=1,
    )


@pytest.fixture
def player(tuyen_quang):
    return factories.person(commune=factories.commune("00985"), full_name="Ma Văn Thi")


def test_the_server_draws_and_keeps_a_stratified_set(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0, rng=random.Random(1))
    drawn = list(attempt.drawn.select_related("question"))
    assert len(drawn) == 6 == attempt.total
    levels = sorted(d.question.difficulty for d in drawn)
    assert levels == [1, 1, 2, 2, 3, 3]
    assert attempt.deadline == T0 + datetime.timedelta(minutes=15)
    again = start_attempt(player, round_=round_, now=T0 + datetime.timedelta(minutes=3))
    assert again.pk == attempt.pk  # a reload resumes; nothing is drawn twice


def test_a_reload_mid_attempt_keeps_the_answers(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0)
    first = attempt.drawn.first()
    save_answer(attempt, question_id=first.question_id, choice_ids=right(first.question_id)[:1],
                now=T0 + datetime.timedelta(minutes=1))  # fmt: skip
    resumed = start_attempt(player, round_=round_, now=T0 + datetime.timedelta(minutes=2))
    assert resumed.drawn.get(question_id=first.question_id).chosen == right(first.question_id)[:1]


def test_an_answer_one_second_after_deadline_and_grace_is_refused(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0)
    question_id = attempt.drawn.first().question_id
    choice = right(question_id)[:1]
    save_answer(attempt, question_id=question_id, choice_ids=choice, now=attempt.deadline + GRACE)
    late = attempt.deadline + GRACE + datetime.timedelta(seconds=1)
    with pytest.raises(AttemptRefused, match="Đã hết giờ làm bài"):
        save_answer(attempt, question_id=question_id, choice_ids=choice, now=late)


def test_scoring_needs_the_exact_set_of_correct_choices(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0, rng=random.Random(3))
    drawn = list(attempt.drawn.select_related("question"))
    for item in drawn:
        chosen = right(item.question_id)
        if item.question.multiple:
            chosen = chosen[:1]  # half of a multiple answer is wrong
        save_answer(attempt, question_id=item.question_id, choice_ids=chosen,
                    now=T0 + datetime.timedelta(minutes=2))  # fmt: skip
    done = submit_attempt(attempt, prediction=1200, now=T0 + datetime.timedelta(minutes=4))
    multiple = sum(item.question.multiple for item in drawn)
    assert done.score == 6 - multiple
    assert done.duration_ms == 4 * 60 * 1000 and done.prediction == 1200
    assert (
        submit_attempt(done, prediction=5, now=T0 + datetime.timedelta(minutes=5)).prediction
        == 1200
    )


def test_a_late_submission_counts_only_time_until_the_deadline(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0)
    done = submit_attempt(attempt, prediction=None, now=T0 + datetime.timedelta(hours=1))
    assert done.duration_ms == 15 * 60 * 1000 and done.score == 0


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (T0 - datetime.timedelta(minutes=1), "Vòng thi chưa mở"),
        (T0 + datetime.timedelta(days=7), "Vòng thi đã đóng"),
    ],
)
def test_outside_the_window_is_refused(round_, player, when, message):
    with pytest.raises(AttemptRefused, match=message):
        start_attempt(player, round_=round_, now=when)
    assert not Attempt.objects.exists()


def test_a_second_attempt_beyond_the_limit_is_refused(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0)
    submit_attempt(attempt, prediction=10, now=T0 + datetime.timedelta(minutes=5))
    with pytest.raises(AttemptRefused, match="hết 1 lượt thi"):
        start_attempt(player, round_=round_, now=T0 + datetime.timedelta(minutes=6))
    round_.attempts_allowed = 0  # unlimited
    round_.save()
    assert start_attempt(player, round_=round_, now=T0 + datetime.timedelta(minutes=7)).number == 2


def test_ineligible_participants_are_refused_with_the_reason(round_, player):
    contest = round_.contest
    contest.excluded.add(player)
    with pytest.raises(AttemptRefused, match="ban tổ chức"):
        start_attempt(player, round_=round_, now=T0)
    contest.excluded.clear()
    contest.kinds = [ParticipantKind.COMMUNE_OFFICIAL]
    contest.save()
    with pytest.raises(AttemptRefused, match="đối tượng khác"):
        start_attempt(player, round_=round_, now=T0)
    contest.kinds, contest.min_age = [], 16
    contest.save()
    player.birth_year = 2015
    player.save()
    with pytest.raises(AttemptRefused, match="từ 16 tuổi"):
        start_attempt(player, round_=round_, now=T0)


def test_answers_are_checked_against_the_drawn_set(round_, player):
    attempt = start_attempt(player, round_=round_, now=T0, rng=random.Random(5))
    drawn_ids = set(attempt.drawn.values_list("question_id", flat=True))
    outside = Question.objects.exclude(pk__in=drawn_ids).first()
    with pytest.raises(AttemptRefused, match="không có trong bài"):
        save_answer(attempt, question_id=outside.pk, choice_ids=right(outside.pk), now=T0)
    single = attempt.drawn.filter(question__multiple=False).first()
    both = list(Choice.objects.filter(question_id=single.question_id).values_list("pk", flat=True))[
        :2
    ]
    with pytest.raises(AttemptRefused, match="chỉ có một đáp án"):
        save_answer(attempt, question_id=single.question_id, choice_ids=both, now=T0)
    foreign = right(outside.pk)
    with pytest.raises(AttemptRefused, match="Hãy chọn một phương án"):
        save_answer(attempt, question_id=single.question_id, choice_ids=foreign, now=T0)


def test_closing_fixes_the_prediction_and_ranks_the_counting_attempts(round_, tuyen_quang):
    from quiz.services.results import close_round

    players = [
        factories.person(commune=factories.commune("00985"), full_name=f"Người {n}")
        for n in range(3)
    ]
    round_.attempts_allowed = 0
    round_.save()
    minutes = datetime.timedelta(minutes=1)
    for n, (player, prediction) in enumerate(zip(players, [3, 2, 10], strict=True)):
        attempt = start_attempt(player, round_=round_, now=T0 + n * minutes, rng=random.Random(n))
        for item in attempt.drawn.all()[: 6 - n]:  # player 0: all right, 1: five, 2: four
            save_answer(attempt, question_id=item.question_id, choice_ids=right(item.question_id),
                        now=T0 + n * minutes)  # fmt: skip
        submit_attempt(attempt, prediction=prediction, now=T0 + (n + 1) * minutes)
    with pytest.raises(AttemptRefused, match="chưa đóng"):
        close_round(round_, now=T0)
    ranked = close_round(round_, now=round_.closes_at)
    round_.refresh_from_db()
    assert round_.prediction_actual == 3  # three participants took part
    assert [r.entry.user_id for r in ranked] == [p.pk for p in players]
