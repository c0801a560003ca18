"""Any change to a course's parts makes its cached reads (courses.reads) stale.

The cached course is forgotten at once and again when the edit commits: a page read while
the admin's transaction is still open would otherwise cache the course's old row (and with
it the old updated_at, which names every cached read and rendered lesson page) for an hour.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from courses.models import Choice, Course, Lesson, Module, Question
from courses.reads import forget_course


def _forget(course_id: int, slug: str | None = None) -> None:
    forget_course(course_id, slug)
    transaction.on_commit(lambda: forget_course(course_id, slug))


@receiver([post_save, post_delete], sender=Course)
def forget_cached_course(sender, instance, **kwargs):
    _forget(instance.pk, instance.slug)


@receiver(pre_save, sender=Module)
@receiver(pre_save, sender=Lesson)
@receiver(pre_save, sender=Question)
def remember_course(sender, instance, **kwargs):
    """A part moved to another course leaves the course it came from stale as well."""
    if instance.pk:
        instance._course_before = (
            sender.objects.filter(pk=instance.pk).values_list("course_id", flat=True).first()
        )


@receiver([post_save, post_delete], sender=Module)
@receiver([post_save, post_delete], sender=Lesson)
@receiver([post_save, post_delete], sender=Question)
@receiver([post_save, post_delete], sender=Choice)
def touch_course(sender, instance, **kwargs):
    course_id = instance.question.course_id if sender is Choice else instance.course_id
    course_ids = {course_id, getattr(instance, "_course_before", None)} - {None}
    Course.objects.filter(pk__in=course_ids).update(updated_at=timezone.now())
    for pk in course_ids:
        _forget(pk)
