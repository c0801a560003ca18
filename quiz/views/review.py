"""A round's review queue (issue 14): the attempts held as implausible, with the evidence,
and each one's review page, where a contest host approves or disqualifies it with a reason.
Contest hosts see every attempt; commune and organization coordinators see their own
scope's, read-only; anyone else, and another scope's attempt, gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz import plausibility, reviews
from quiz.forms import ReviewForm
from quiz.models import Attempt, Review
from quiz.services.attempts import AttemptRefused
from quiz.services.reviews import decide_attempt
from quiz.views.contest import organiser_round

PER_PAGE = 25
PEOPLE = {"commune": "user__commune", "organization": "user__organization"}


def _may_decide(user) -> bool:
    """Contest hosts (and province admins) decide; coordinators only read."""
    return user.is_staff and user.has_perm("quiz.change_attempt")


@login_required
def review_queue(request, slug: str, number: int):
    round_, scope = organiser_round(request.user, slug, number)
    status = request.GET.get("xem", "")
    if status not in Review.values:
        status = Review.HELD
    mine = scope.filter(Attempt.objects.filter(round=round_), **PEOPLE)
    counts = dict(mine.exclude(review="").values_list("review").annotate(n=Count("pk")).order_by())
    attempts = (
        mine.filter(review=status)
        .select_related("user__commune")
        .order_by("submitted_at", "pk")
        .only(
            "pk", "score", "total", "duration_ms", "floor_ms", "held_for", "submitted_at",
            "number", "user__full_name", "user__commune__name",
        )
    )  # fmt: skip
    page = Paginator(attempts, PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "attempt": attempt,
            **reviews.timing(attempt),
            "patterns": [str(plausibility.LABELS.get(p, p)) for p in attempt.held_for],
        }
        for attempt in page
    ]
    return render(
        request,
        "quiz/review_queue.html",
        {
            "round": round_,
            "contest": round_.contest,
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Review.choices],
            "page": page,
            "rows": rows,
        },
    )


@login_required
def review_attempt(request, slug: str, number: int, pk: int):
    round_, scope = organiser_round(request.user, slug, number)
    attempt = scope.get_object_or_404(
        Attempt.objects.select_related("user__commune", "user__organization"),
        paths=PEOPLE,
        pk=pk,
        round=round_,
        submitted_at__isnull=False,
    )
    may_decide = _may_decide(request.user) and round_.published_at is None
    form = None
    if request.method == "POST":
        if not _may_decide(request.user):
            raise PermissionDenied(_("Chỉ người tổ chức cuộc thi được duyệt hoặc loại lượt thi."))
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                decide_attempt(
                    attempt.pk,
                    round_=round_,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    now=timezone.now(),
                )
            except AttemptRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                done = (
                    _("Đã duyệt lượt thi của %(name)s.")
                    if form.cleaned_data["decision"] == Review.APPROVED
                    else _("Đã loại lượt thi của %(name)s.")
                )
                messages.success(request, done % {"name": attempt.user.full_name})
                return redirect(reverse("quiz:review_queue", args=[slug, number]))
    elif may_decide:
        form = ReviewForm()
    return render(
        request,
        "quiz/review_attempt.html",
        {
            "round": round_,
            "contest": round_.contest,
            "attempt": attempt,
            "evidence": reviews.evidence(attempt),
            "decisions": attempt.reviews.select_related("by"),
            "form": form,
            "may_decide": may_decide,
        },
    )
