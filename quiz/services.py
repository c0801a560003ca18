"""State changes of the quiz app."""

import datetime
import random
from collections.abc import Callable

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import jobs
from accounts.models import Job, User
from common.counters import increment
from quiz import events, keys, leaderboard, plausibility, shuffle
from quiz.bank import BankRow, check_bank
from quiz.models import (
    Attempt,
    AttemptQuestion,
    Choice,
    Contest,
    Prediction,
    Question,
    Review,
    Round,
    Standing,
    Topic,
)
from quiz.ranking import Entry, Ranked, counting_attempts, rank

BANK_CHUNK = 250  # questions per transaction of a background import


def import_bank(rows: list[BankRow], *, progress: Callable[[int], None] | None = None) -> int:
    """Add checked rows to the question bank, all or nothing; returns how many.

    With `progress`, rows go in by chunks, each committed, so a progress page (on another
    connection) sees how far it is; `progress(n)` follows each chunk, and a failure removes
    what the earlier chunks added, so still nothing is half-imported."""
    topics = {t.name: t for t in Topic.objects.all()}
    if progress is None:
        with transaction.atomic():
            _add_questions(rows, topics, added=[])
        return len(rows)
    added: list[int] = []
    known = set(topics)
    try:
        for start in range(0, len(rows), BANK_CHUNK):
            with transaction.atomic():
                _add_questions(rows[start : start + BANK_CHUNK], topics, added=added)
            progress(min(start + BANK_CHUNK, len(rows)))
    except BaseException:
        with transaction.atomic():
            for start in range(0, len(added), BANK_CHUNK):
                Question.objects.filter(pk__in=added[start : start + BANK_CHUNK]).delete()
            new = [t.pk for name, t in topics.items() if name not in known]
            Topic.objects.filter(pk__in=new, questions__isnull=True).delete()
        raise
    return len(rows)


def _add_questions(rows: list[BankRow], topics: dict, *, added: list[int]) -> None:
    for row in rows:
        question = Question.objects.create(
            text=row.text,
            multiple=sum(correct for _, correct in row.choices) > 1,
            difficulty=row.difficulty,
            explanation=row.explanation,
        )
        added.append(question.pk)
        for name in row.topics:
            if name not in topics:
                topics[name] = Topic.objects.create(name=name)
        question.topics.set([topics[name] for name in row.topics])
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, order=n)
            for n, (text, correct) in enumerate(row.choices, start=1)
        )


def start_bank_import(*, user: User, content: bytes, questions: int) -> Job:
    """Queue a checked bank file of `questions` rows to be imported in the background."""
    return jobs.start_job(
        user=user,
        kind=Job.Kind.BANK_IMPORT,
        work=import_bank_job,
        total=questions,
        input_bytes=content,
        input_suffix=".xlsx",
        next_url=reverse("admin:quiz_question_changelist"),
    )


def import_bank_job(job_id: int) -> None:
    """A background bank import: the stored file checked again, then added, all or nothing."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if not job.created_by.has_perm("quiz.add_question"):
        raise jobs.JobRefused(_("Bạn không có quyền thêm câu hỏi."))
    path = jobs.private_path(job.input_file)
    if not job.input_file or not path.exists():
        raise jobs.JobRefused(_("Không còn tệp đã tải lên; hãy tải tệp lên lại."))
    with path.open("rb") as upload:
        checked = check_bank(upload)
    if checked.problems:
        raise jobs.JobRefused(
            _("Tệp chưa được nhập: %(n)s dòng cần sửa.") % {"n": len(checked.problems)}
        )
    jobs.report_progress(job_id, done=0, total=len(checked.rows))
    count = import_bank(checked.rows, progress=lambda done: jobs.report_progress(job_id, done=done))
    path.unlink(missing_ok=True)
    jobs.finish_job(job_id, message=_("Đã thêm %(n)s câu hỏi.") % {"n": count})


# --- Attempts ---------------------------------------------------------------------------------

# Per person: starting attempts, and saving answers (a tap each; 20 questions, changed minds).
LIMITS = {"start": (10, 60), "answer": (120, 60)}  # action: (how many, per seconds)


def over_limit(action: str, *, user_id: int) -> bool:
    """Count one `action` by the person; True once they exceed its limit in the window."""
    limit, seconds = LIMITS[action]
    return increment(f"quiz:limit:{action}:{user_id}", timeout=seconds) > limit


GRACE = datetime.timedelta(seconds=5)  # network delay after the countdown reaches zero


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
    if now < round_.opens_at:
        raise AttemptRefused(
            _("Vòng thi chưa mở. Vòng mở lúc %(t)s.")
            % {"t": timezone.localtime(round_.opens_at).strftime("%H:%M %d/%m/%Y")}
        )
    if now >= round_.closes_at:
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
    if now > attempt.deadline + GRACE:
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
        "submitted_at": min(now, attempt.deadline + GRACE),
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
    participant's counting attempt: the best score, then the earliest (a later attempt
    replaces it only with a higher score). On PostgreSQL one statement, atomic by itself;
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
KEEP_BEST = (
    "ON CONFLICT (round_id, user_id) DO UPDATE SET attempt_id = excluded.attempt_id,"
    " score = excluded.score, total = excluded.total, duration_ms = excluded.duration_ms,"
    " submitted_at = excluded.submitted_at, prediction = excluded.prediction"
    f" WHERE {STANDING}.score < excluded.score"
)


def submit_if_expired(attempt: Attempt, *, now: datetime.datetime) -> Attempt:
    """An attempt whose time ran out (the page was closed) is submitted with what was saved."""
    if attempt.submitted_at or now <= attempt.deadline + GRACE:
        return attempt
    return submit_attempt(attempt, prediction=None, now=now)


# --- Closing and ranking a round ----------------------------------------------------------


def round_entries(round_: Round) -> list[Entry]:
    """Every counted attempt of the round as ranking entries (held and disqualified ones
    never rank)."""
    return [
        Entry(
            user_id=user_id,
            attempt_id=pk,
            score=score,
            prediction=prediction,
            duration_ms=duration_ms,
            submitted_at=submitted_at,
            total=total,
        )
        for pk, user_id, score, prediction, duration_ms, submitted_at, total in (
            Attempt.objects.counted()
            .filter(round=round_)
            .values_list(
                "pk", "user_id", "score", "prediction", "duration_ms", "submitted_at", "total"
            )
        )
    ]


@transaction.atomic
def close_round(round_: Round, *, now: datetime.datetime) -> list[Ranked]:
    """Once the round has closed: fix the prediction's true value, rank every participant's
    counting attempt with all the tie-breakers, and assign the individual prizes.

    The standings are rebuilt from the attempts, so the final ranking rests on the same
    rule (counting_attempts) as the tests, whatever happened while the round was open.
    Closing again recomputes the same result.
    """
    if now < round_.closes_at:
        raise AttemptRefused(_("Vòng thi chưa đóng."))
    Round.objects.select_for_update().filter(pk=round_.pk).first()  # one closing at a time
    counted = counting_attempts(round_entries(round_))
    if round_.prediction == Prediction.PERFECT:
        actual = sum(1 for e in counted if e.score == e.total)
    else:
        actual = len(counted)
    ranked = rank(counted, order=round_.ranking or None, actual=actual)
    prizes = prize_for_rank(round_.prizes)
    units = {
        user_id: (commune_id, organization_id)
        for user_id, commune_id, organization_id in Attempt.objects.filter(round=round_)
        .counted()
        .values_list("user_id", "user__commune_id", "user__organization_id")
    }
    # Rows straight into the table: building 100,000 model instances for bulk_create took
    # most of the 10 s allowed (bench/contest.py).
    Standing.objects.filter(round=round_).delete()
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            round_.pk, r.entry.user_id, r.entry.attempt_id, *units[r.entry.user_id],
            r.entry.score, r.entry.total, r.entry.duration_ms, adapt(r.entry.submitted_at),
            r.entry.prediction, r.rank, prizes(r.rank),
        )
        for r in ranked
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Standing._meta.db_table} (round_id, user_id, attempt_id, commune_id,"
            " organization_id, score, total, duration_ms, submitted_at, prediction, rank, prize)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    round_.prediction_actual = actual
    round_.ranked_at = now
    round_.save(update_fields=["prediction_actual", "ranked_at"])
    transaction.on_commit(lambda: leaderboard.forget(round_.pk))
    events.round_changed(round_.pk)
    return ranked


def prize_for_rank(tiers: list) -> Callable[[int], str]:
    """rank → prize name under [[name, count], …]; a tie at a boundary shares the prize."""
    bounds, last = [], 0
    for name, count in tiers or []:
        last += int(count)
        bounds.append((last, str(name)))

    def prize(rank_: int) -> str:
        return next((name for bound, name in bounds if rank_ <= bound), "")

    return prize


@transaction.atomic
def publish_results(round_: Round, *, now: datetime.datetime) -> None:
    """Make the ranked round's results public and keep them as published: later changes to
    headcounts, people or units leave them as they are; publishing again stores them anew."""
    locked = Round.objects.select_for_update().get(pk=round_.pk)  # not while it is re-ranked
    pending = Attempt.objects.filter(round=round_, review=Review.HELD).count()
    if pending:
        raise AttemptRefused(
            _(
                "Còn %(n)s lượt thi chờ xét duyệt. Hãy duyệt hoặc loại từng lượt, chốt xếp hạng "
                "lại rồi mới công bố kết quả."
            )
            % {"n": pending}
        )
    if locked.ranked_at is None:  # a review decision since may have undone the ranking
        raise AttemptRefused(_("Hãy chốt kết quả vòng thi trước khi công bố."))
    results = leaderboard.current_results(round_, fresh=True)
    Round.objects.filter(pk=round_.pk).update(published_at=now, results=results)
    round_.published_at, round_.results = now, results
    leaderboard.forget(round_.pk)
    events.round_changed(round_.pk)
