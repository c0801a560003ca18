"""A course as an .xlsx workbook in the import format: an editor's template and backup."""

from common.exports import xlsx_sheets_bytes
from courses.course_file import SETTINGS
from courses.models import CompletionRule, Course, Lesson, Question
from courses.workbook import FINAL_TEST, LESSON_COLUMNS, QUESTION_COLUMNS, SHEETS


def course_workbook(course: Course) -> bytes:
    completion = (
        f"test {course.pass_mark}"
        if course.completion_rule == CompletionRule.FINAL_TEST
        else "lessons"
    )
    header = [
        ("title", course.title),
        ("slug", course.slug),
        ("audience", course.audience),
        ("summary", course.summary),
        ("estimated_minutes", course.estimated_minutes),
        ("completion", completion),
        ("opens", course.opens_on.isoformat() if course.opens_on else ""),
        ("closes", course.closes_on.isoformat() if course.closes_on else ""),
        *((name, getattr(course, name)) for name in SETTINGS),
    ]
    lessons = Lesson.objects.filter(course=course).select_related("module")
    lessons = lessons.order_by("module__order", "module_id", "order", "id")
    questions = (
        Question.objects.filter(course=course)
        .select_related("lesson")
        .prefetch_related("choices")
        .order_by("lesson__module__order", "lesson__order", "order", "id")
    )
    return xlsx_sheets_bytes(
        [
            (SHEETS["course"], ["Mục", "Giá trị"], header),
            (SHEETS["modules"], ["Tên chương"], [[m.title] for m in course.modules.all()]),
            (
                SHEETS["lessons"],
                LESSON_COLUMNS,
                [
                    [
                        lesson.module.title,
                        lesson.title,
                        lesson.estimated_minutes,
                        lesson.min_read_seconds,
                        lesson.video_url,
                        lesson.body,
                    ]
                    for lesson in lessons
                ],
            ),
            (SHEETS["questions"], QUESTION_COLUMNS, [_question_row(q) for q in questions]),
        ]
    )


def _question_row(question: Question) -> list:
    choices = list(question.choices.all())
    letters = "ABCDEF"
    cells = [c.text for c in choices] + [""] * (6 - len(choices))
    answer = next((letters[i] for i, c in enumerate(choices) if c.is_correct), "")
    target = question.lesson.title if question.lesson else FINAL_TEST
    return [target, question.text, *cells, answer, question.explanation]
