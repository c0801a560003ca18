"""Closing a round: the final ranking with every tie-breaker, the prizes, and publishing."""

import datetime
from collections.abc import Callable

from django.db import connection, transaction
from django.utils.translation import gettext as _

from quiz import events, leaderboard
from quiz.models import Attempt, Prediction, Review, Round, Standing
from quiz.models.contest import CLOSED
from quiz.ranking import Entry, Ranked, counting_attempts, rank
from quiz.services.attempts import AttemptRefused


def round_entries(round_: Round) -> list[Entry]:
    """Every counted attempt of the round as ranking entries (held and disqualified ones
    never rank)."""
    return Attempt.objects.counted().filter(round=round_).entries()


@transaction.atomic
def close_round(round_: Round, *, now: datetime.datetime) -> list[Ranked]:
    """Once the round has closed: fix the prediction's true value, rank every participant's
    counting attempt with all the tie-breakers, and assign the individual prizes.

    The standings are rebuilt from the attempts, so the final ranking rests on the same
    rule (counting_attempts) as the tests, whatever happened while the round was open.
    Closing again recomputes the same result.
    """
    if round_.state(now=now) != CLOSED:
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
