"""State changes of course content."""

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from courses.course_file import SETTINGS, CourseData, CourseFileError, QuestionData
from courses.imports import parse_markdown
from courses.models import Choice, Course, Lesson, Module, Question


@transaction.atomic
def import_course(*, data: CourseData, publish: bool = False) -> Course:
    """Create a course from a checked file, or replace one nobody has started; all or nothing."""
    course = Course.objects.filter(slug=data.slug).first()
    if course is None:
        course = Course(slug=data.slug, is_published=publish)
    elif course.enrollments.exists():
        raise CourseFileError(
            _("Khoá học “%(slug)s” đã có người học; hãy dùng đường dẫn (slug) khác.")
            % {"slug": data.slug}
        )
    else:
        course.modules.all().delete()
        course.questions.all().delete()
    for name in ("title", "audience", "summary", "estimated_minutes", "completion_rule"):
        setattr(course, name, getattr(data, name))
    course.pass_mark, course.opens_on, course.closes_on = (
        data.pass_mark,
        data.opens_on,
        data.closes_on,
    )
    for name in SETTINGS:
        setattr(course, name, getattr(data, name))
    course.is_published = course.is_published or publish
    course.save()
    for m, module_data in enumerate(data.modules, start=1):
        module = Module.objects.create(course=course, title=module_data.title, order=m)
        for n, lesson_data in enumerate(module_data.lessons, start=1):
            lesson = Lesson(
                module=module,
                title=lesson_data.title,
                body=lesson_data.body,
                video_url=lesson_data.video_url,
                estimated_minutes=lesson_data.minutes,
                min_read_seconds=lesson_data.min_read_seconds,
                order=n,
            )
            lesson.save()
            _create_questions(course, lesson, lesson_data.questions)
    _create_questions(course, None, data.final_test)
    return course


def _create_questions(course: Course, lesson: Lesson | None, questions: list[QuestionData]):
    for q, question_data in enumerate(questions, start=1):
        question = Question.objects.create(
            course=course,
            lesson=lesson,
            text=question_data.text,
            explanation=question_data.explanation,
            order=q,
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, order=c)
            for c, (text, correct) in enumerate(question_data.choices, start=1)
        )


STARTER_COURSES = Path(__file__).resolve().parent / "content"


def load_starter_courses() -> list[Course]:
    """Import (or refresh) the starter courses shipped in courses/content/, published.

    A starter course somebody has already started is left as it is.
    """
    courses = []
    for order, path in enumerate(sorted(STARTER_COURSES.glob("*.md")), start=1):
        data = parse_markdown(path.read_text(encoding="utf-8"))
        existing = Course.objects.filter(slug=data.slug).first()
        if existing and existing.enrollments.exists():
            courses.append(existing)
            continue
        course = import_course(data=data, publish=True)
        course.order = order
        course.save(update_fields=["order"])
        courses.append(course)
    return courses
