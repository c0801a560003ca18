"""Any change to a course's parts makes its cached reads (courses.reads) stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from courses.models import Choice, Course, Lesson, Module, Question
from courses.reads import forget_course


@receiver([post_save, post_delete], sender=Course)
def forget_cached_course(sender, instance, **kwargs):
    forget_course(instance.pk, instance.slug)


@receiver([post_save, post_delete], sender=Module)
@receiver([post_save, post_delete], sender=Lesson)
@receiver([post_save, post_delete], sender=Question)
@receiver([post_save, post_delete], sender=Choice)
def touch_course(sender, instance, **kwargs):
    course_id = instance.question.course_id if sender is Choice else instance.course_id
    Course.objects.filter(pk=course_id).update(updated_at=timezone.now())
    forget_course(course_id)
