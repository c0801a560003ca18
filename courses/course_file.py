"""What a course file must hold, whichever its format: the CourseData both readers fill
(courses/imports.py reads Markdown, courses/workbook.py reads Excel), the caps, and the
rules both check. Nothing touches the DB.

Formats: docs/course-format.md. Every error names its line (Markdown) or sheet and row
(.xlsx) in Vietnamese; the first file error stops the import, so one problem is shown and
none is stored. Every text is checked against its column (length, NUL) and every number
against its range here, so nothing reaches the database to fail there.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from courses.models import MAX_CHECK_TRIES, MAX_FINAL_TEST_TRIES, Choice, Course, Lesson, Module
from courses.validators import validate_web_url

AUDIENCES = {"residents", "officials", "everyone"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# What one course file may hold. A file above a cap is refused at once, before anything
# else is read or built: the parse keeps the whole course in memory and the import writes
# it in one transaction (one request). The largest starter course has 4 modules, 15
# lessons and 24 questions; these leave room for a whole curriculum.
MAX_MODULES = 50
MAX_LESSONS = 300
MAX_QUESTIONS = 1500  # check questions and final-test questions together
# Numbers a file may give, within their columns (PositiveSmallIntegerField ≤ 32767) and
# what a lesson can be: a minimum reading time above an hour would lock learners out.
MAX_COURSE_MINUTES = 32767
MAX_LESSON_MINUTES = 600
MAX_MIN_READ_SECONDS = 3600


class CourseFileError(ValueError):
    """A course file that cannot be imported; the message says where and why."""


@dataclass
class QuestionData:
    text: str
    choices: list[tuple[str, bool]] = field(default_factory=list)
    explanation: str = ""
    where: str = ""


@dataclass
class LessonData:
    title: str
    minutes: int | None = None
    min_read_seconds: int | None = None
    video_url: str = ""
    video_where: str = ""
    body_lines: list[str] = field(default_factory=list)
    questions: list[QuestionData] = field(default_factory=list)
    where: str = ""

    @property
    def body(self) -> str:
        return "\n".join(self.body_lines).strip()


@dataclass
class ModuleData:
    title: str
    lessons: list[LessonData] = field(default_factory=list)
    where: str = ""


@dataclass
class CourseData:
    title: str
    slug: str
    audience: str
    summary: str
    estimated_minutes: int
    completion_rule: str
    pass_mark: int
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    modules: list[ModuleData] = field(default_factory=list)
    final_test: list[QuestionData] = field(default_factory=list)
    check_tries: int = 2
    final_test_questions: int = 0
    final_test_tries_per_day: int = 3


# Optional course settings: key → (lowest, highest, default). The final test's count may be
# 0 (every question of the pool).
SETTINGS = {
    "check_tries": (1, MAX_CHECK_TRIES, 2),
    "final_test_questions": (0, MAX_QUESTIONS, 0),
    "final_test_tries_per_day": (1, MAX_FINAL_TEST_TRIES, 3),
}


def course_header(values: dict, where) -> dict:
    """CourseData's fields from a file's course information ({key: value}); `where(key)`
    names the line or row a key came from."""
    for key in ("title", "slug", "audience", "summary", "estimated_minutes", "completion"):
        if not str(values.get(key) or "").strip():
            raise CourseFileError(f"{where(key)}: thiếu “{key}”.")
    slug = str(values["slug"]).strip()
    if not SLUG_RE.match(slug):
        raise CourseFileError(
            f"{where('slug')}: “{slug}” chỉ được gồm chữ thường không dấu, số và dấu gạch ngang."
        )
    audience = str(values["audience"]).strip()
    if audience not in AUDIENCES:
        raise CourseFileError(
            f"{where('audience')}: “{audience}” phải là residents, officials hoặc everyone."
        )
    completion = str(values["completion"]).strip().split()
    if completion == ["lessons"]:
        rule, pass_mark = "lessons", 80
    elif len(completion) == 2 and completion[0] == "test" and _is_ascii_number(completion[1]):
        rule = "final_test"
        pass_mark = int(completion[1]) if len(completion[1]) <= 3 else 0
        if not 1 <= pass_mark <= 100:
            raise CourseFileError(f"{where('completion')}: điểm đạt phải từ 1 đến 100.")
    else:
        raise CourseFileError(
            f"{where('completion')}: viết “lessons” hoặc “test 80” (điểm đạt theo %)."
        )
    title = str(values["title"]).strip()
    _fit(title, Course, "title", where("title"), "tên khoá học")
    _fit(slug, Course, "slug", where("slug"), "slug")
    summary = str(values["summary"]).strip()
    _fit(summary, Course, "summary", where("summary"), "giới thiệu")
    return {
        "title": title,
        "slug": slug,
        "audience": audience,
        "summary": summary,
        "estimated_minutes": whole_number(
            values["estimated_minutes"], where("estimated_minutes"), MAX_COURSE_MINUTES
        ),
        "completion_rule": rule,
        "pass_mark": pass_mark,
        "opens_on": _to_date(values.get("opens"), where("opens")),
        "closes_on": _to_date(values.get("closes"), where("closes")),
        **{
            key: _setting(values.get(key), where(key), lowest, highest, default)
            for key, (lowest, highest, default) in SETTINGS.items()
        },
    }


def _setting(value, where: str, lowest: int, highest: int, default: int) -> int:
    """An optional whole number from `lowest` to `highest`; `default` when left empty."""
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    if (
        not _is_ascii_number(text)
        or len(text.lstrip("0")) > len(str(highest))  # int() of 5,000 digits raises
        or not lowest <= int(text) <= highest
    ):
        raise CourseFileError(f"{where}: “{text[:20]}” phải là số từ {lowest} đến {highest}.")
    return int(text)


def _is_ascii_number(text: str) -> bool:
    # str.isdigit() is true for "²" and "٣", which int() then refuses or reads as 3.
    return text.isascii() and text.isdigit()


def whole_number(value, where: str, maximum: int) -> int:
    """A whole number from 1 to `maximum`, written in ASCII digits."""
    text = str(value).strip()
    if not _is_ascii_number(text) or not text.strip("0"):
        raise CourseFileError(f"{where}: “{text[:20]}” phải là một số nguyên dương.")
    # Compared as text first: int() of a 5,000-digit string raises (Python's digit limit).
    if len(text.lstrip("0")) > len(str(maximum)) or int(text) > maximum:
        raise CourseFileError(f"{where}: “{text[:20]}” lớn quá; tối đa {dotted(maximum)}.")
    return int(text)


def _fit(value: str, model, name: str, where: str, what: str) -> None:
    """Refuse a text its database column would refuse (NUL, PostgreSQL) or cut (length)."""
    if "\x00" in value:
        raise CourseFileError(f"{where}: {what} có ký tự NUL (\\0); hãy xoá ký tự này.")
    limit = model._meta.get_field(name).max_length
    if limit and len(value) > limit:
        raise CourseFileError(f"{where}: {what} dài {len(value)} ký tự; tối đa {limit} ký tự.")


def _to_date(value, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CourseFileError(f"{where}: ngày “{value}” phải viết dạng 2025-10-01.") from None


def check_course(course: CourseData) -> CourseData:
    """Rules shared by both formats, checked on the finished structure."""
    if not course.modules:
        raise CourseFileError("Khoá học chưa có chương nào (“# Module: …”).")
    for module in course.modules:
        _fit(module.title, Module, "title", module.where, "tên chương")
        if not module.lessons:
            raise CourseFileError(f"{module.where}: chương “{module.title}” chưa có bài học nào.")
        for lesson in module.lessons:
            _fit(lesson.title, Lesson, "title", lesson.where, "tên bài")
            _fit(lesson.body, Lesson, "body", lesson.where, "nội dung bài")
            _check_video(lesson)
            if lesson.minutes is None or lesson.min_read_seconds is None:
                raise CourseFileError(
                    f"{lesson.where}: bài “{lesson.title}” thiếu “minutes” hoặc “min_read_seconds”."
                )
            if not lesson.body:
                raise CourseFileError(f"{lesson.where}: bài “{lesson.title}” chưa có nội dung.")
            for image_alt in re.findall(r"!\[([^\]]*)\]\(", lesson.body):
                if not image_alt.strip():
                    raise CourseFileError(
                        f"{lesson.where}: ảnh trong bài “{lesson.title}” cần có mô tả ![mô tả](…)."
                    )
            for question in lesson.questions:
                _check_question(question)
    for question in course.final_test:
        _check_question(question)
    if course.completion_rule == "final_test" and not course.final_test:
        raise CourseFileError("Khoá học hoàn thành bằng bài kiểm tra nhưng chưa có câu hỏi nào.")
    if course.completion_rule == "lessons" and course.final_test:
        raise CourseFileError(
            "Khoá học có bài kiểm tra cuối nhưng “completion” là “lessons”; "
            "hãy viết “completion: test 80” hoặc bỏ phần “# Final test”."
        )
    return course


def _check_video(lesson: LessonData) -> None:
    where = lesson.video_where or lesson.where
    if not lesson.video_url:
        return
    try:
        validate_web_url(lesson.video_url)
    except ValidationError as error:
        raise CourseFileError(
            f"{where}: video của bài “{lesson.title}”: {error.messages[0]}"
        ) from None
    _fit(lesson.video_url, Lesson, "video_url", where, "đường dẫn video")


def _check_question(question: QuestionData) -> None:
    for text, _correct in question.choices:
        _fit(text, Choice, "text", question.where, "phương án")
    if "\x00" in question.text + question.explanation:
        raise CourseFileError(f"{question.where}: câu hỏi có ký tự NUL (\\0); hãy xoá ký tự này.")
    if not 2 <= len(question.choices) <= 6:
        raise CourseFileError(f"{question.where}: câu hỏi cần từ 2 đến 6 phương án.")
    if sum(correct for _, correct in question.choices) != 1:
        raise CourseFileError(f"{question.where}: câu hỏi cần đúng một phương án đúng.")
    if not question.explanation:
        raise CourseFileError(
            f"{question.where}: câu hỏi cần một dòng giải thích “> …” sau các phương án."
        )


def dotted(number: int) -> str:
    """1.500, as Vietnamese writes thousands."""
    return f"{number:,}".replace(",", ".")
