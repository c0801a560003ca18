"""The organisers' review of held attempts (issue 14): approve one, and it ranks as a normal
submission would have; disqualify it, and it never ranks. Every decision is kept with who
made it, when and why (AttemptReview), and shown on the attempt's review page."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from quiz import events
from quiz.models import Attempt, AttemptReview, Review, Round, Standing
from quiz.ranking import counting_attempts
from quiz.services.attempts import AttemptRefused

REASON_MAX = 1000


@transaction.atomic
def decide_attempt(
    attempt_id: int, *, round_: Round, decision: str, reason: str, by: User, now: datetime.datetime
) -> AttemptReview:
    """Approve or disqualify a submitted attempt of `round_`, with the reason, and update
    the participant's standing (and the live leaderboards) to match."""
    attempt = (
        Attempt.objects.select_for_update()
        .filter(pk=attempt_id, round=round_, submitted_at__isnull=False)
        .first()
    )
    if attempt is None:
        raise AttemptRefused(_("Không có lượt thi đã nộp này trong vòng thi này."))
    if decision not in (Review.APPROVED, Review.DISQUALIFIED):
        raise AttemptRefused(_("Hãy chọn duyệt hoặc loại lượt thi."))
    reason = reason.strip()
    if not reason:
        raise AttemptRefused(_("Hãy ghi lý do của quyết định."))
    if len(reason) > REASON_MAX:
        raise AttemptRefused(_("Lý do dài tối đa %(n)s ký tự.") % {"n": REASON_MAX})
    if round_.published_at is not None:
        raise AttemptRefused(
            _("Kết quả vòng thi đã công bố; không thay đổi được quyết định xét duyệt.")
        )
    if attempt.review == decision or (decision == Review.APPROVED and not attempt.review):
        raise AttemptRefused(_("Lượt thi này đã ở trạng thái đó."))
    review = AttemptReview.objects.create(
        attempt=attempt, decision=decision, reason=reason, by=by, at=now
    )
    Attempt.objects.filter(pk=attempt.pk).update(review=decision)
    restand(round_.pk, attempt.user_id)
    if round_.ranked_at is not None:  # the ranking rested on the old decision: rank again
        Round.objects.filter(pk=round_.pk).update(ranked_at=None)
        round_.ranked_at = None
    events.round_changed(round_.pk)
    return review


def restand(round_id: int, user_id: int) -> None:
    """Rebuild one participant's standing from their counted attempts by the rule every
    standing follows (ranking.counting_attempts), keeping the commune and organization it had."""
    standing = Standing.objects.filter(round_id=round_id, user_id=user_id)
    counted = Attempt.objects.counted().filter(round_id=round_id, user_id=user_id)
    best = next(iter(counting_attempts(counted.order_by("pk").entries())), None)
    if best is None:
        standing.delete()
        return
    units = standing.values_list("commune_id", "organization_id").first()
    if units is None:
        units = User.objects.values_list("commune_id", "organization_id").get(pk=user_id)
    # update_or_create: a submission of the same person's may upsert the row meanwhile.
    Standing.objects.update_or_create(
        round_id=round_id,
        user_id=user_id,
        defaults={
            "attempt_id": best.attempt_id,
            "commune_id": units[0],
            "organization_id": units[1],
            "score": best.score,
            "total": best.total,
            "duration_ms": best.duration_ms,
            "submitted_at": best.submitted_at,
            "prediction": best.prediction,
            "rank": None,  # until the round is ranked again
            "prize": "",
        },
    )
