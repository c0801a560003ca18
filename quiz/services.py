"""State changes of the quiz app."""

from django.db import transaction

from quiz.bank import BankRow
from quiz.models import Choice, Question, Topic


@transaction.atomic
def import_bank(rows: list[BankRow]) -> int:
    """Add checked rows to the question bank, all or nothing; returns how many."""
    topics = {t.name: t for t in Topic.objects.all()}
    for row in rows:
        question = Question.objects.create(
            text=row.text,
            multiple=sum(correct for _, correct in row.choices) > 1,
            difficulty=row.difficulty,
            explanation=row.explanation,
        )
        for name in row.topics:
            if name not in topics:
                topics[name] = Topic.objects.create(name=name)
        question.topics.set([topics[name] for name in row.topics])
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, order=n)
            for n, (text, correct) in enumerate(row.choices, start=1)
        )
    return len(rows)
