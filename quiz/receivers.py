"""An edited question or choice forgets its cached answer key (quiz/keys.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from quiz import keys
from quiz.models import Choice, Question


@receiver([post_save, post_delete], sender=Choice)
def forget_choice_key(sender, instance, **kwargs):
    keys.forget(instance.question_id)


@receiver([post_save, post_delete], sender=Question)
def forget_question_key(sender, instance, **kwargs):
    keys.forget(instance.pk)
