"""Cached reads of course content: the reader asks for these on every page view.

Content changes rarely; every save or delete of a course's parts bumps the course's
updated_at (courses.signals), which is part of each cache key. Content only, by id: where
the reader serves a lesson is learning's business (learning.contents adds the addresses).
"""

from django.core.cache import cache

from courses.models import Course, Lesson, Question
from courses.validators import safe_web_url

TIMEOUT = 60 * 60
SLUG_TIMEOUT = 5 * 60


def course_by_slug(slug: str) -> Course | None:
    """The course at `slug`, published or not (the caller decides who may see it)."""
    pk = cache.get_or_set(
        f"course-slug:{slug}",
        lambda: Course.objects.filter(slug=slug).values_list("pk", flat=True).first() or 0,
        SLUG_TIMEOUT,
    )
    if not pk:
        return None
    course = cache.get_or_set(f"course:{pk}", lambda: Course.objects.filter(pk=pk).first(), TIMEOUT)
    return course if course is not None and course.slug == slug else None


def forget_course(course_id: int, slug: str | None = None) -> None:
    cache.delete(f"course:{course_id}")
    if slug:
        cache.delete(f"course-slug:{slug}")


def content_key(course: Course, name: str) -> str:
    """A cache key for something built from the course's content: a new one after any edit."""
    return f"course:{course.pk}:{course.updated_at.timestamp()}:{name}"


def course_outline(course: Course) -> list[dict]:
    """The course's lessons in reading order, with their module titles."""

    def build():
        return [
            {
                "id": lesson.pk,
                "title": lesson.title,
                "module": lesson.module.title,
                "module_id": lesson.module_id,
                "minutes": lesson.estimated_minutes,
            }
            for lesson in Lesson.objects.filter(course=course)
            .select_related("module")
            .order_by("module__order", "module_id", "order", "id")
        ]

    return cache.get_or_set(content_key(course, "outline"), build, TIMEOUT)


def lesson_content(course: Course, lesson_id: int) -> dict | None:
    """What the reader shows of one lesson, its check questions and their choices."""

    def build():
        lesson = Lesson.objects.filter(course=course, pk=lesson_id).first()
        if lesson is None:
            return {}
        return {
            "id": lesson.pk,
            "title": lesson.title,
            "body_html": lesson.body_html,
            "image_url": lesson.image.url if lesson.image else "",
            "image_alt": lesson.image_alt,
            # Checked as it is shown, not only as it was stored: a link saved before the
            # check must never become href="javascript:…". Once per cache fill.
            "video_url": safe_web_url(lesson.video_url),
            "video_file_url": lesson.video_file.url if lesson.video_file else "",
            "attachment_url": lesson.attachment.url if lesson.attachment else "",
            "minutes": lesson.estimated_minutes,
            "min_read_seconds": lesson.min_read_seconds,
            "questions": _questions(Question.objects.filter(lesson=lesson)),
        }

    # "lesson-v2": entries cached before video links were checked are never read.
    content = cache.get_or_set(content_key(course, f"lesson-v2:{lesson_id}"), build, TIMEOUT)
    return content or None


def final_test(course: Course) -> list[dict]:
    def build():
        return _questions(Question.objects.filter(course=course, lesson__isnull=True))

    return cache.get_or_set(content_key(course, "final_test"), build, TIMEOUT)


def _questions(queryset) -> list[dict]:
    return [
        {
            "id": q.pk,
            "text": q.text,
            "explanation": q.explanation,
            "choices": [
                {"id": c.pk, "text": c.text, "is_correct": c.is_correct} for c in q.choices.all()
            ],
        }
        for q in queryset.prefetch_related("choices")
    ]
