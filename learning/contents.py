"""Course content with the reader's addresses on it.

courses.reads knows lessons and questions, not where learning serves them (the content
layer sits below the reader and never reverses its URLs). The addresses are added here,
once per cache fill: the course page and "my learning" list every lesson's link on each
view, and reversing a URL per lesson per view would cost more than the cached read.
"""

from django.core.cache import cache
from django.urls import reverse

from courses.models import Course
from courses.reads import TIMEOUT, content_key, course_outline, lesson_content


def outline(course: Course) -> list[dict]:
    """courses.reads.course_outline, each lesson with its "url" in the reader."""

    def build():
        return [
            {**item, "url": reverse("learning:lesson", args=[course.slug, item["id"]])}
            for item in course_outline(course)
        ]

    return cache.get_or_set(content_key(course, "reader-outline"), build, TIMEOUT)


def lesson_with_urls(course: Course, lesson_id: int) -> dict | None:
    """courses.reads.lesson_content with the addresses its forms post to ("complete_url",
    and each question's "answer_url"). Not cached: learning.lesson_page caches the page
    it builds from it."""
    lesson = lesson_content(course, lesson_id)
    if lesson is None:
        return None
    return {
        **lesson,
        "questions": [
            {
                **question,
                "answer_url": reverse(
                    "learning:answer", args=[course.slug, lesson_id, question["id"]]
                ),
            }
            for question in lesson["questions"]
        ],
        "complete_url": reverse("learning:complete", args=[course.slug, lesson_id]),
    }
