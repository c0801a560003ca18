"""The demo contest seed_demo loads: a valid bank, a round open now, a leaderboard with rows,
and a second run that changes nothing."""

from django.core.management import call_command
from django.utils import timezone

from quiz import leaderboard
from quiz.models import Attempt, Question, Round


def test_seed_demo_opens_a_round_with_a_leaderboard_and_runs_again_unchanged(db):
    call_command("seed_demo", stdout=None)
    round_ = Round.objects.get()
    assert round_.opens_at <= timezone.now() < round_.closes_at
    for question in Question.objects.prefetch_related("choices"):
        choices = list(question.choices.all())
        assert 2 <= len(choices) <= 6 and any(c.is_correct for c in choices)
        assert question.explanation
    data = leaderboard.snapshot(round_.pk, fresh=True)
    assert data["participants"] == 16 and len(data["communes"]) == 2
    counts = (Question.objects.count(), Attempt.objects.count())
    call_command("seed_demo", stdout=None)
    assert (Question.objects.count(), Attempt.objects.count()) == counts
