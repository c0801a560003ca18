"""A participant's attempt at a round: eligibility, the draw, the clock and the limits when
it starts; every saved tap; and the submission, scored from the answers saved in time, held
for review when implausible, and kept as the participant's standing at the rate a round's
closing hour asks for."""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.counters import increment
from quiz import events, keys, plausibility, shuffle
from quiz.models import Attempt, AttemptQuestion, Contest, Question, Review, Round, Standing
from quiz.models.contest import CLOSED, UPCOMING

# Per person: starting attempts, and saving answers (a tap each; 20 questions, changed minds).
LIMITS = {"start": (10, 60), "answer": (120, 60)}  # action: (how many, per seconds)


def over_limit(
    action: str, *, user_id: int, attempt_id: int | None = None, round_id: int | None = None
) -> bool:
    """Count one `action` by the person; True once they exceed its limit in the window, and
    then their open attempt (this one, or theirs in the round) is held for review when it
    is submitted."""
    limit, seconds = LIMITS[action]
    if increment(f"quiz:limit:{action}:{user_id}", timeout=seconds) <= limit:
        return False
    unmarked = Attempt.objects.filter(user_id=user_id, submitted_at__isnull=True, limit_hit=False)
    if attempt_id is not None:
        unmarked = unmarked.filter(pk=attempt_id)
    else:
        unmarked = unmarked.filter(round_id=round_id)
    unmarked.update(limit_hit=True)  # updates nothing once marked
    return True


class AttemptRefused(Exception):
    """A refused start, answer or submission; the message is for the participant."""


def eligibility_problem(user: User, contest: Contest, *, today: datetime.date) -> str | None:
    """Why `user` may not take part in `contest`, or None."""
    if contest.excluded.filter(pk=user.pk).exists():
        return _("Thành viên ban tổ chức và ban giám khảo không được dự thi.")
    if contest.kinds and user.participant_kind not in contest.kinds:
        return _("Cuộc thi này dành cho đối tượng khác.")
    if contest.min_age:
        if not user.birth_year:
            return _("Cuộc thi yêu cầu năm sinh; hãy bổ sung trong hồ sơ.")
        if today.year - user.birth_year < contest.min_age:
            return _("Cuộc thi dành cho người từ %(n)s tuổi.") % {"n": contest.min_age}
    communes = set(contest.communes.values_list("pk", flat=True))
    organizations = set(contest.organizations.values_list("pk", flat=True))
    if (communes or organizations) and not (
        user.commune_id in communes or user.organization_id in organizations
    ):
        return _("Cuộc thi này dành cho xã, phường hoặc cơ quan khác.")
    return None


def _draw(round_: Round, *, rng: random.Random) -> list[int]:
    """The round's question set: from its topics (or the whole bank), spread evenly over
    the difficulties when the round says so."""
    bank = Question.objects.all()
    topics = list(round_.topics.all())
    if topics:
        bank = bank.filter(topics__in=topics).distinct()
    ids_by_level: dict[int, list[int]] = {}
    for pk, level in bank.values_list("pk", "difficulty"):
        ids_by_level.setdefault(level, []).append(pk)
    wanted = round_.questions_per_attempt
    if round_.stratified and len(ids_by_level) > 1:
        levels = sorted(ids_by_level)
        picked = []
        for i, level in enumerate(levels):  # the remainder goes to the easier levels
            share = wanted // len(levels) + (1 if i < wanted % len(levels) else 0)
            picked += rng.sample(ids_by_level[level], min(share, len(ids_by_level[level])))
        taken = set(picked)
        rest = [pk for ids in ids_by_level.values() for pk in ids if pk not in taken]
        picked += rng.sample(rest, min(wanted - len(picked), len(rest)))
    else:
        everything = [pk for ids in ids_by_level.values() for pk in ids]
        picked = rng.sample(everything, min(wanted, len(everything)))
    rng.shuffle(picked)
    return picked


@transaction.atomic
def start_attempt(
    user: User, *, round_: Round, now: datetime.datetime, rng: random.Random | None = None
) -> Attempt:
    """Start (or resume) the participant's attempt: the server draws and stores the
    questions, each one's choice order, and the deadline."""
    state = round_.state(now=now)
    if state == UPCOMING:
        raise AttemptRefused(
            _("Vòng thi chưa mở. Vòng mở lúc %(t)s.")
            % {"t": timezone.localtime(round_.opens_at).strftime("%H:%M %d/%m/%Y")}
        )
    if state == CLOSED:
        raise AttemptRefused(_("Vòng thi đã đóng."))
    problem = eligibility_problem(user, round_.contest, today=timezone.localdate(now))
    if problem:
        raise AttemptRefused(problem)
    mine = Attempt.objects.select_for_update().filter(round=round_, user=user)
    unfinished = mine.filter(submitted_at__isnull=True, deadline__gt=now).first()
    if unfinished:
        return unfinished
    used = mine.count()
    if round_.attempts_allowed and used >= round_.attempts_allowed:
        raise AttemptRefused(
            _("Bạn đã dùng hết %(n)s lượt thi của vòng này.") % {"n": round_.attempts_allowed}
        )
    rng = rng or random.SystemRandom()
    questions = _draw(round_, rng=rng)
    if not questions:
        raise AttemptRefused(_("Vòng thi chưa có câu hỏi. Hãy báo ban tổ chức."))
    limit = datetime.timedelta(minutes=round_.time_limit_minutes)
    attempt = Attempt.objects.create(
        round=round_,
        user=user,
        number=used + 1,
        started_at=now,
        deadline=min(now + limit, round_.closes_at),
        total=len(questions),
    )
    orders = shuffle.draw_orders(questions, rng=rng)
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(attempt=attempt, question_id=pk, order=n, choice_order=order)
        for n, (pk, order) in enumerate(zip(questions, orders, strict=True), start=1)
    )
    return attempt


def save_answer(
    attempt: Attempt, *, question_id: int, choice_ids: list[int], now: datetime.datetime
) -> None:
    """Keep the participant's current choice for one drawn question (every tap)."""
    if attempt.submitted_at:
        raise AttemptRefused(_("Bài đã nộp; không sửa được nữa."))
    if attempt.is_expired(now=now):
        raise AttemptRefused(_("Đã hết giờ làm bài; câu trả lời này không được ghi nhận."))
    drawn = (
        AttemptQuestion.objects.filter(attempt=attempt, question_id=question_id)
        .select_related("question")
        .first()
    )
    if drawn is None:
        raise AttemptRefused(_("Câu hỏi này không có trong bài của bạn."))
    valid = set(drawn.question.choices.values_list("pk", flat=True))
    chosen = sorted(set(choice_ids))
    if not chosen or not set(chosen) <= valid:
        raise AttemptRefused(_("Hãy chọn một phương án của câu hỏi này."))
    if not drawn.question.multiple and len(chosen) != 1:
        raise AttemptRefused(_("Câu này chỉ có một đáp án đúng; hãy chọn một phương án."))
    AttemptQuestion.objects.filter(pk=drawn.pk).update(chosen=chosen, answered_at=now)


@transaction.atomic
def submit_attempt(
    attempt: Attempt, *, prediction: int | None, now: datetime.datetime, user: User | None = None
) -> Attempt:
    """Score the attempt from the answers saved in time; the clock is the server's.

    Plain rows, no model instances: at a round's closing hour this runs hundreds of times a
    second (bench/contest.py). `user`, when the caller has it, saves a query."""
    if attempt.submitted_at:
        return attempt
    drawn = list(AttemptQuestion.objects.filter(attempt_id=attempt.pk).values_list(
        "question_id", "chosen"
    ))  # fmt: skip
    min_seconds, limit_hit = Attempt.objects.values_list("round__min_seconds", "limit_hit").get(
        pk=attempt.pk
    )
    return _score(attempt, drawn, prediction=prediction, now=now, user=user,
                  min_seconds=min_seconds, limit_hit=limit_hit)  # fmt: skip


def submit_own_attempt(
    attempt_id: int, *, user: User, prediction: int | None, now: datetime.datetime
) -> Attempt:
    """`submit_attempt` for the participant's own attempt, read with its drawn answers in
    one query, and on PostgreSQL stored with the standing in one statement outside a
    transaction (`_store`; the submit page's path: 3 round trips instead of 6 at a round's closing
    hour, bench/contest.py). Attempt.DoesNotExist if it is not theirs."""
    rows = list(AttemptQuestion.objects.filter(attempt_id=attempt_id, attempt__user=user)
                .values_list("question_id", "chosen", "attempt__round_id",
                             "attempt__number", "attempt__total", "attempt__started_at",
                             "attempt__deadline", "attempt__submitted_at",
                             "attempt__round__min_seconds", "attempt__limit_hit"))  # fmt: skip
    if not rows:
        raise Attempt.DoesNotExist
    first = rows[0]
    round_id, number, total, started_at, deadline, submitted_at, min_seconds, limit_hit = first[2:]
    attempt = Attempt(
        pk=attempt_id, user=user, round_id=round_id, number=number, total=total,
        started_at=started_at, deadline=deadline, submitted_at=submitted_at,
    )  # fmt: skip
    if submitted_at:
        return attempt
    drawn = [row[:2] for row in rows]
    return _score(attempt, drawn, prediction=prediction, now=now, user=user,
                  min_seconds=min_seconds, limit_hit=limit_hit)  # fmt: skip


def _score(attempt: Attempt, drawn: list, *, prediction, now, user, min_seconds, limit_hit):
    """`drawn`: (question id, chosen) rows. An implausible attempt is stored held, off the
    leaderboards, for an organiser's review (quiz/plausibility.py)."""
    if prediction is not None and prediction < 0:
        raise AttemptRefused(_("Số dự đoán phải là số không âm."))
    key, words = keys.keys_and_words(row[0] for row in drawn)
    score = sum(1 for question, chosen in drawn if chosen and set(chosen) == key[question].correct)
    finished = min(now, attempt.deadline)
    duration_ms = int((finished - attempt.started_at).total_seconds() * 1000)
    floor = plausibility.floor_ms(
        min_seconds=min_seconds,
        words=sum(words[row[0]] for row in drawn),
        questions=len(drawn),
        allowed_ms=int((attempt.deadline - attempt.started_at).total_seconds() * 1000),
    )
    held_for = plausibility.hold_patterns(
        duration_ms=duration_ms, floor=floor, score=score, total=len(drawn),
        limit_hit=limit_hit,
    )  # fmt: skip
    fields = {
        "submitted_at": min(now, attempt.cutoff),
        "score": score,
        "prediction": prediction,
        "duration_ms": duration_ms,
        "floor_ms": floor,
    }
    if held_for:
        fields.update(review=Review.HELD, held_for=held_for)
    if user is None or user.pk != attempt.user_id:
        user = User.objects.only("commune_id", "organization_id").get(pk=attempt.user_id)
    # Submitted once, even from two tabs at the same moment: the second finds none to update.
    if not _store(attempt.pk, fields, user):
        return Attempt.objects.get(pk=attempt.pk)
    for name, value in fields.items():
        setattr(attempt, name, value)
    if not held_for:
        events.round_changed(attempt.round_id)
    return attempt


def _store(attempt_id: int, fields: dict, user: User) -> bool:
    """Mark the attempt submitted with its score, unless it already is, and keep the
    participant's counting attempt (KEEP_BEST). On PostgreSQL one statement, atomic by itself;
    elsewhere two in a transaction. A held attempt gets no standing. False if it was
    already submitted."""
    if fields.get("review") == Review.HELD:
        unsubmitted = Attempt.objects.filter(pk=attempt_id, submitted_at__isnull=True)
        return bool(unsubmitted.update(**fields))
    if connection.vendor != "postgresql":
        with transaction.atomic():
            updated = Attempt.objects.filter(pk=attempt_id, submitted_at__isnull=True)
            if not updated.update(**fields):
                return False
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {STANDING} ({STANDING_COLUMNS}) SELECT round_id, user_id, id,"
                    " %s, %s, score, total, duration_ms, submitted_at, prediction, NULL, ''"
                    f" FROM {ATTEMPT} WHERE id = %s {KEEP_BEST}",
                    [user.commune_id, user.organization_id, attempt_id],
                )
        return True
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH done AS (UPDATE {ATTEMPT} SET submitted_at = %s, score = %s,"
            " prediction = %s, duration_ms = %s, floor_ms = %s"
            " WHERE id = %s AND submitted_at IS NULL"
            " RETURNING round_id, user_id, id, score, total, duration_ms, submitted_at,"
            f" prediction), kept AS (INSERT INTO {STANDING} ({STANDING_COLUMNS})"
            " SELECT round_id, user_id, id, %s, %s, score, total, duration_ms, submitted_at,"
            f" prediction, NULL, '' FROM done {KEEP_BEST}) SELECT count(*) FROM done",
            [
                adapt(fields["submitted_at"]), fields["score"], fields["prediction"],
                fields["duration_ms"], fields["floor_ms"], attempt_id, user.commune_id,
                user.organization_id,
            ],
        )  # fmt: skip
        return cursor.fetchone()[0] == 1


ATTEMPT = Attempt._meta.db_table
STANDING = Standing._meta.db_table
STANDING_COLUMNS = (
    "round_id, user_id, attempt_id, commune_id, organization_id, score, total, duration_ms,"
    " submitted_at, prediction, rank, prize"
)
# ranking.counting_attempts, applied one submission at a time: submissions arrive in time
# order, so a later attempt replaces the standing only with a higher score.
KEEP_BEST = (
    "ON CONFLICT (round_id, user_id) DO UPDATE SET attempt_id = excluded.attempt_id,"
    " score = excluded.score, total = excluded.total, duration_ms = excluded.duration_ms,"
    " submitted_at = excluded.submitted_at, prediction = excluded.prediction"
    f" WHERE {STANDING}.score < excluded.score"
)


def submit_if_expired(attempt: Attempt, *, now: datetime.datetime) -> Attempt:
    """An attempt whose time ran out (the page was closed) is submitted with what was saved."""
    if attempt.submitted_at or not attempt.is_expired(now=now):
        return attempt
    return submit_attempt(attempt, prediction=None, now=now)
