from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.context_processors import coordinator_key
from accounts.converters import parse_id
from accounts.scopes import Scope
from common.exports import XLSX_CONTENT_TYPE
from quiz import exports, leaderboard, shuffle
from quiz.forms import PredictionForm
from quiz.models import Attempt, Contest, Round, Standing
from quiz.services.attempts import (
    AttemptRefused,
    over_limit,
    save_answer,
    start_attempt,
    submit_if_expired,
    submit_own_attempt,
)

TOO_FAST = gettext_lazy("Bạn thao tác quá nhanh. Hãy chờ một phút rồi thử lại.")


def _contest(slug: str) -> Contest:
    return get_object_or_404(Contest, slug=slug, is_published=True)


def contest_list(request):
    contests = Contest.objects.filter(is_published=True).order_by("-pk")
    return render(request, "quiz/contest_list.html", {"contests": contests})


def contest_detail(request, slug: str):
    contest = _contest(slug)
    now = timezone.now()
    rounds = [(round_, round_.state(now=now)) for round_ in contest.rounds.all()]
    return render(request, "quiz/contest_detail.html", {"contest": contest, "rounds": rounds})


@login_required
@require_POST
def start(request, slug: str, number: int):
    round_ = get_object_or_404(Round, contest=_contest(slug), number=number)
    if over_limit("start", user_id=request.user.pk, round_id=round_.pk):
        messages.error(request, TOO_FAST)
        return redirect("quiz:contest", slug=slug)
    try:
        attempt = start_attempt(request.user, round_=round_, now=timezone.now())
    except AttemptRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("quiz:contest", slug=slug)
    return redirect("quiz:attempt", pk=attempt.pk)


def _mine(request, pk: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("round__contest"), pk=pk, user=request.user
    )


@login_required
def attempt_detail(request, pk: int):
    """All drawn questions on one page; never the answer key."""
    attempt = _mine(request, pk)
    if attempt.submitted_at or attempt.is_expired(now=timezone.now()):
        return redirect("quiz:result", pk=attempt.pk)
    drawn = list(attempt.drawn.select_related("question").prefetch_related("question__choices"))
    questions = [
        {
            "id": item.question_id,
            "number": item.order,
            "text": item.question.text,
            "multiple": item.question.multiple,
            # Only ids and texts: is_correct never reaches a page before the round closes.
            "choices": [
                (c.pk, c.text)
                for c in shuffle.in_order(item.question.choices.all(), item.choice_order)
            ],
            "chosen": set(item.chosen),
        }
        for item in drawn
    ]
    return render(
        request,
        "quiz/attempt.html",
        {
            "attempt": attempt,
            "questions": questions,
            "answered": sum(1 for q in questions if q["chosen"]),
            "seconds_left": max(0, int((attempt.deadline - timezone.now()).total_seconds())),
        },
    )


@login_required
@require_POST
def answer(request, pk: int):
    attempt = _mine(request, pk)
    if over_limit("answer", user_id=request.user.pk, attempt_id=attempt.pk):
        return _answered(request, attempt, error=str(TOO_FAST), status=429)
    question_id = parse_id(request.POST.get("question", "")) or 0
    choices = [parse_id(v) for v in request.POST.getlist("choice")]
    if None in choices:  # not an id: refused below as "choose one of this question's"
        choices = []
    try:
        save_answer(attempt, question_id=question_id, choice_ids=choices, now=timezone.now())
    except AttemptRefused as refusal:
        return _answered(request, attempt, f"#q{question_id}", error=str(refusal), status=400)
    return _answered(request, attempt, f"#q{question_id}")


def _answered(request, attempt: Attempt, anchor: str = "", *, error=None, status=200):
    """JSON for the attempt page's script, which saves each tap in the background (and says
    so with X-Requested-With: fetch); without JavaScript, back to the question."""
    if request.headers.get("x-requested-with") == "fetch":
        reply = {"ok": True} if error is None else {"ok": False, "message": error}
        return JsonResponse(reply, status=status)
    if error is not None:
        messages.error(request, error)
    return redirect(f"{reverse('quiz:attempt', args=[attempt.pk])}{anchor}")


@login_required
@require_POST
def submit(request, pk: int):
    form = PredictionForm(request.POST)
    if not form.is_valid():  # the answers are saved already; only the number is asked again
        messages.error(request, form.errors["prediction"][0])
        return redirect("quiz:attempt", pk=pk)
    prediction = form.cleaned_data["prediction"]
    try:
        submit_own_attempt(pk, user=request.user, prediction=prediction, now=timezone.now())
    except Attempt.DoesNotExist:
        raise Http404 from None
    except AttemptRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("quiz:attempt", pk=pk)
    return redirect("quiz:result", pk=pk)


@login_required
def result(request, pk: int):
    attempt = submit_if_expired(_mine(request, pk), now=timezone.now())
    if not attempt.submitted_at:
        return redirect("quiz:attempt", pk=attempt.pk)
    closed = attempt.round.shows_answers(now=timezone.now())
    review = []
    if closed:
        for item in attempt.drawn.select_related("question").prefetch_related("question__choices"):
            review.append(
                {
                    "text": item.question.text,
                    "explanation": item.question.explanation,
                    "choices": [
                        (c.text, c.is_correct, c.pk in item.chosen)
                        for c in shuffle.in_order(item.question.choices.all(), item.choice_order)
                    ],
                }
            )
    return render(
        request,
        "quiz/result.html",
        {
            "attempt": attempt,
            "closed": closed,
            "review": review,
            "seconds": (attempt.duration_ms or 0) // 1000,
        },
    )


def _public_round(slug: str, number: int) -> Round:
    return get_object_or_404(
        Round.objects.select_related("contest"),
        contest__slug=slug,
        contest__is_published=True,
        number=number,
    )


def leaderboard_page(request, slug: str, number: int, screen: bool = False):
    """The round's leaderboard; live over a websocket while the page is open, and
    complete without JavaScript (a reload shows the latest)."""
    round_ = _public_round(slug, number)
    data = leaderboard.snapshot(round_.pk)
    return render(
        request,
        "quiz/screen.html" if screen else "quiz/leaderboard.html",
        {
            "round": round_,
            "contest": round_.contest,
            "data": data,
            "histogram": _bars(data["histogram"]),
            "mine": None if screen else leaderboard.own_standing(round_, request.user, data),
            "can_export": _export_scope(request.user) is not None,
        },
    )


def _bars(histogram: list) -> list[tuple[int, int, int]]:
    """(score, people, bar width %) for the score chart."""
    most = max((n for _, n in histogram), default=0)
    return [(score, n, round(100 * n / most) if most else 0) for score, n in histogram]


def results(request, slug: str):
    """A contest's published results: prizes per round, collective prizes, the prediction's
    true value and the whole-contest ranking."""
    contest = _contest(slug)
    rounds = list(contest.rounds.filter(published_at__isnull=False).order_by("number"))
    return render(
        request,
        "quiz/results.html",
        {
            "contest": contest,
            "rounds": [(r, leaderboard.round_results(r)) for r in rounds],
            "overall": leaderboard.contest_ranking(contest) if rounds else [],
        },
    )


def _export_scope(user) -> Scope | None:
    """Contest hosts export everything; coordinators their own scope; others nothing.
    A participant (the leaderboard's usual reader) costs no query: the coordinator flag
    is the navigation's cached one."""
    if not user.is_authenticated:
        return None
    if user.is_staff and user.has_perm("quiz.view_round"):
        return Scope(everything=True)
    is_coordinator = cache.get(coordinator_key(user.pk))
    if is_coordinator is False:
        return None
    scope = Scope.of(user)
    return None if scope.is_empty else scope


def organiser_round(user, slug: str, number: int) -> tuple[Round, Scope]:
    """A round for its organisers' pages (the workbook, the review queue) and the reader's
    scope; 404 for anyone else. Until the contest is published only its organisers (the
    province-wide scope) see that it exists."""
    scope = _export_scope(user)
    if scope is None:
        raise Http404
    round_ = get_object_or_404(
        Round.objects.select_related("contest"), contest__slug=slug, number=number
    )
    if not round_.contest.is_published and not scope.everything:
        raise Http404
    return round_, scope


@login_required
def round_export(request, slug: str, number: int):
    """The round's results workbook, narrowed to the reader's scope."""
    round_, scope = organiser_round(request.user, slug, number)
    standings = scope.filter(Standing.objects.filter(round=round_))
    attempts = scope.filter(
        Attempt.objects.filter(round=round_),
        commune="user__commune",
        organization="user__organization",
    )
    answers = scope.filter(
        leaderboard.game_answers(round_.pk),
        commune="player__commune",
        organization="player__organization",
    )
    response = HttpResponse(
        exports.round_workbook(round_, standings=standings, attempts=attempts, answers=answers),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.round_filename(round_)}"'
    return response
