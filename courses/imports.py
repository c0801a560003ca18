"""Course files in, a checked CourseData out. Two readers, one shape; nothing touches the DB.

Formats: docs/course-format.md. Every error names its line (Markdown) or sheet and row
(.xlsx) in Vietnamese; the first file error stops the import, so one problem is shown and
none is stored. Every text is checked against its column (length, NUL) and every number
against its range here, so nothing reaches the database to fail there.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from common.spreadsheets import open_xlsx
from courses.models import MAX_CHECK_TRIES, MAX_FINAL_TEST_TRIES, Choice, Course, Lesson, Module
from courses.validators import validate_web_url

AUDIENCES = {"residents", "officials", "everyone"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FREE_TEXT_KEYS = {"title", "summary"}
CHOICE_RE = re.compile(r"^- \[( |x|X)\] (.+)$")

# What one course file may hold. A file above a cap is refused at once, before anything
# else is read or built: the parse keeps the whole course in memory and the import writes
# it in one transaction (one request). The largest starter course has 4 modules, 15
# lessons and 24 questions; these leave room for a whole curriculum.
MAX_MODULES = 50
MAX_LESSONS = 300
MAX_QUESTIONS = 1500  # check questions and final-test questions together
# Blank rows an Excel sheet may have besides its capped rows (formatted, never filled).
MAX_BLANK_ROWS = 1000
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


def _course_header(values: dict, where) -> dict:
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
        "estimated_minutes": _positive(
            values["estimated_minutes"], where("estimated_minutes"), MAX_COURSE_MINUTES
        ),
        "completion_rule": rule,
        "pass_mark": pass_mark,
        "opens_on": _date(values.get("opens"), where("opens")),
        "closes_on": _date(values.get("closes"), where("closes")),
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


def _positive(value, where: str, maximum: int) -> int:
    text = str(value).strip()
    if not _is_ascii_number(text) or not text.strip("0"):
        raise CourseFileError(f"{where}: “{text[:20]}” phải là một số nguyên dương.")
    # Compared as text first: int() of a 5,000-digit string raises (Python's digit limit).
    if len(text.lstrip("0")) > len(str(maximum)) or int(text) > maximum:
        raise CourseFileError(f"{where}: “{text[:20]}” lớn quá; tối đa {_dotted(maximum)}.")
    return int(text)


def _fit(value: str, model, name: str, where: str, what: str) -> None:
    """Refuse a text its database column would refuse (NUL, PostgreSQL) or cut (length)."""
    if "\x00" in value:
        raise CourseFileError(f"{where}: {what} có ký tự NUL (\\0); hãy xoá ký tự này.")
    limit = model._meta.get_field(name).max_length
    if limit and len(value) > limit:
        raise CourseFileError(f"{where}: {what} dài {len(value)} ký tự; tối đa {limit} ký tự.")


def _date(value, where: str) -> datetime.date | None:
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


def _check(course: CourseData) -> CourseData:
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


# --- Markdown bundle ------------------------------------------------------------------------


def parse_markdown(text: str) -> CourseData:
    """Read a Markdown course bundle (docs/course-format.md)."""
    lines = text.replace("\r\n", "\n").split("\n")
    _refuse_oversized_markdown(lines)
    if not lines or lines[0].strip() != "---":
        raise CourseFileError(
            "Dòng 1: tệp phải bắt đầu bằng phần thông tin khoá học giữa hai dòng “---”."
        )
    header, header_lines, number = {}, {}, 1
    for number in range(2, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() == "---":
            break
        key, sep, value = line.partition(":")
        if line.strip() and not sep:
            raise CourseFileError(f"Dòng {number}: cần dạng “khoá: giá trị”.")
        if sep:
            key = key.strip()
            # "# …" comments only after values that cannot contain "#" (not title, summary).
            header[key] = value.strip() if key in FREE_TEXT_KEYS else value.split(" #")[0].strip()
            header_lines[key] = number
    else:
        raise CourseFileError("Thiếu dòng “---” đóng phần thông tin khoá học.")
    course = CourseData(
        **_course_header(header, lambda key: f"Dòng {header_lines.get(key, 1)}"),
        modules=[],
        final_test=[],
    )
    module = lesson = question = None
    in_final_test = False
    reading_meta = False
    body_start = number + 1
    for number in range(body_start, len(lines) + 1):
        line = lines[number - 1]
        where = f"Dòng {number}"
        stripped = line.strip()
        if line.startswith("# "):
            heading = line[2:].strip()
            lesson = question = None
            if heading.lower() == "final test":
                in_final_test, module = True, None
                continue
            title = heading[len("Module:") :].strip() if heading.startswith("Module:") else ""
            if not title:
                raise CourseFileError(f"{where}: chương viết “# Module: tên chương”.")
            in_final_test = False
            module = ModuleData(title=title, where=where)
            course.modules.append(module)
        elif line.startswith("## "):
            heading = line[3:].strip()
            title = heading[len("Lesson:") :].strip() if heading.startswith("Lesson:") else ""
            if not heading.startswith("Lesson:"):
                raise CourseFileError(f"{where}: bài học viết “## Lesson: tên bài”.")
            if not title:
                raise CourseFileError(f"{where}: bài học chưa có tên.")
            if module is None:
                raise CourseFileError(f"{where}: bài “{title}” nằm ngoài mọi chương.")
            lesson, question, reading_meta = LessonData(title=title, where=where), None, True
            module.lessons.append(lesson)
        elif line.startswith("### Question:"):
            text = line[len("### Question:") :].strip()
            if not text:
                raise CourseFileError(f"{where}: câu hỏi chưa có nội dung.")
            question = QuestionData(text=text, where=where)
            if in_final_test:
                course.final_test.append(question)
            elif lesson is None:
                raise CourseFileError(f"{where}: câu hỏi nằm ngoài mọi bài học.")
            else:
                lesson.questions.append(question)
            reading_meta = False
        elif question is not None and stripped:
            match = CHOICE_RE.match(stripped)
            if match:
                if question.explanation:
                    raise CourseFileError(f"{where}: phương án phải đứng trước dòng giải thích.")
                question.choices.append((match.group(2).strip(), match.group(1) != " "))
            elif stripped.startswith(">"):  # several "> " lines make one explanation
                line_text = stripped.lstrip(">").strip()
                question.explanation = f"{question.explanation} {line_text}".strip()
            else:
                raise CourseFileError(
                    f"{where}: sau câu hỏi chỉ có phương án “- [ ] …”/“- [x] …” và một dòng "
                    "giải thích “> …”."
                )
        elif lesson is not None and reading_meta and stripped:
            key, sep, value = stripped.partition(":")
            key = key.strip()
            if key == "minutes":
                lesson.minutes = _positive(value, where, MAX_LESSON_MINUTES)
            elif key == "min_read_seconds":
                lesson.min_read_seconds = _positive(value, where, MAX_MIN_READ_SECONDS)
            elif key == "video":
                lesson.video_url = value.split(" #")[0].strip()
                lesson.video_where = where
            else:
                raise CourseFileError(
                    f"{where}: ngay dưới tên bài chỉ có minutes, min_read_seconds, video; "
                    "để một dòng trống trước nội dung."
                )
        elif lesson is not None and question is None:
            if reading_meta and not stripped:
                reading_meta = False
                continue
            lesson.body_lines.append(line)
        elif stripped:
            raise CourseFileError(f"{where}: nội dung nằm ngoài mọi bài học.")
    return _check(course)


def _refuse_oversized_markdown(lines: list[str]) -> None:
    """Count what the file holds before reading any of it; refuse it whole above a cap."""
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise CourseFileError(f"Dòng {number}: có ký tự NUL (\\0); hãy xoá ký tự này.")
    modules = sum(line.startswith("# Module:") for line in lines)
    lessons = sum(line.startswith("## ") for line in lines)
    questions = sum(line.startswith("### Question:") for line in lines)
    _refuse_above_caps(modules=modules, lessons=lessons, questions=questions)


def _refuse_above_caps(*, modules: int = 0, lessons: int = 0, questions: int = 0) -> None:
    for count, cap, what in (
        (modules, MAX_MODULES, "chương"),
        (lessons, MAX_LESSONS, "bài học"),
        (questions, MAX_QUESTIONS, "câu hỏi"),
    ):
        if count > cap:
            raise CourseFileError(
                f"Tệp có {_dotted(count)} {what}; một khoá học có tối đa {_dotted(cap)} "
                f"{what}. Hãy chia thành nhiều khoá học."
            )


def _dotted(number: int) -> str:
    """1.500, as Vietnamese writes thousands."""
    return f"{number:,}".replace(",", ".")


# --- Excel workbook -------------------------------------------------------------------------

SHEETS = {
    "course": "Khoá học",
    "modules": "Chương",
    "lessons": "Bài học",
    "questions": "Câu hỏi",
}
LESSON_COLUMNS = ["Chương", "Tên bài", "Phút", "Giây đọc tối thiểu", "Video", "Nội dung"]
QUESTION_COLUMNS = ["Bài học", "Câu hỏi", "A", "B", "C", "D", "E", "F", "Đáp án", "Giải thích"]
FINAL_TEST = "Kiểm tra cuối"


SHEET_CAPS = {
    "course": (20, "dòng"),
    "modules": (MAX_MODULES, "chương"),
    "lessons": (MAX_LESSONS, "bài học"),
    "questions": (MAX_QUESTIONS, "câu hỏi"),
}


def _rows(workbook, key: str, columns: list[str]):
    """The sheet's filled rows, read one at a time; refused as soon as it holds more rows
    than its cap (plus MAX_BLANK_ROWS blank ones), with the count the sheet declares."""
    name = SHEETS[key]
    if name not in workbook.sheetnames:
        raise CourseFileError(f"Thiếu trang tính “{name}”.")
    sheet = workbook[name]
    cap, what = SHEET_CAPS[key]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        raise CourseFileError(f"Trang “{name}”: thiếu cột {', '.join(missing)}.")
    index = {c: header.index(c) for c in columns}
    filled = 0
    for number, row in enumerate(rows, start=2):
        values = {c: (row[i] if i < len(row) else None) for c, i in index.items()}
        if all(v in (None, "") for v in values.values()):
            if number - 1 - filled > MAX_BLANK_ROWS:
                raise CourseFileError(_too_many_rows(sheet, name, cap, what))
            continue
        filled += 1
        if filled > cap:
            raise CourseFileError(_too_many_rows(sheet, name, cap, what))
        where = f"Trang “{name}”, dòng {number}"
        for value in values.values():
            if isinstance(value, str) and "\x00" in value:
                raise CourseFileError(f"{where}: có ký tự NUL (\\0); hãy xoá ký tự này.")
        yield where, {c: (v.strip() if isinstance(v, str) else v) for c, v in values.items()}


def _too_many_rows(sheet, name: str, cap: int, what: str) -> str:
    # The count the sheet declares (its dimension) when it has one; it is not trusted for
    # the refusal itself, which counts rows as they are read.
    declared = sheet.max_row if isinstance(sheet.max_row, int) else 0
    count = _dotted(declared - 1) if declared - 1 > cap else f"hơn {_dotted(cap)}"
    return (
        f"Trang “{name}” có {count} dòng; một khoá học có tối đa {_dotted(cap)} {what}. "
        "Hãy chia thành nhiều khoá học."
    )


def parse_xlsx(upload) -> CourseData:
    """Read a course workbook (docs/course-format.md, "Excel")."""
    workbook = open_xlsx(upload)
    try:
        header, header_rows = {}, {}
        for where, row in _rows(workbook, "course", ["Mục", "Giá trị"]):
            header[str(row["Mục"])] = row["Giá trị"]
            header_rows[str(row["Mục"])] = where
        course = CourseData(
            **_course_header(
                header, lambda key: header_rows.get(key, f"Trang “{SHEETS['course']}”")
            ),
            modules=[],
            final_test=[],
        )
        modules: dict[str, ModuleData] = {}
        for where, row in _rows(workbook, "modules", ["Tên chương"]):
            title = row["Tên chương"]
            if not title:
                raise CourseFileError(f"{where}: chương chưa có tên.")
            modules[str(title)] = ModuleData(title=str(title), where=where)
        course.modules = list(modules.values())
        lessons: dict[str, LessonData] = {}
        for where, row in _rows(workbook, "lessons", LESSON_COLUMNS):
            if not row["Tên bài"]:
                raise CourseFileError(f"{where}: bài học chưa có tên.")
            module = modules.get(str(row["Chương"] or ""))
            if module is None:
                raise CourseFileError(
                    f"{where}: không có chương “{row['Chương']}” trong trang “Chương”."
                )
            lesson = LessonData(
                title=str(row["Tên bài"]),
                minutes=_positive(row["Phút"], where, MAX_LESSON_MINUTES),
                min_read_seconds=_positive(row["Giây đọc tối thiểu"], where, MAX_MIN_READ_SECONDS),
                video_url=str(row["Video"] or ""),
                body_lines=str(row["Nội dung"] or "").split("\n"),
                where=where,
            )
            module.lessons.append(lesson)
            lessons[lesson.title] = lesson
        for where, row in _rows(workbook, "questions", QUESTION_COLUMNS):
            target = str(row["Bài học"] or "")
            letters = [c for c in "ABCDEF" if row[c] not in (None, "")]
            answer = str(row["Đáp án"] or "").strip().upper()
            if answer not in letters:
                raise CourseFileError(
                    f"{where}: đáp án “{answer}” không phải một phương án có nội dung."
                )
            question = QuestionData(
                text=str(row["Câu hỏi"] or ""),
                choices=[(str(row[c]), c == answer) for c in letters],
                explanation=str(row["Giải thích"] or ""),
                where=where,
            )
            if not question.text:
                raise CourseFileError(f"{where}: câu hỏi chưa có nội dung.")
            if target == FINAL_TEST:
                course.final_test.append(question)
            elif target in lessons:
                lessons[target].questions.append(question)
            else:
                raise CourseFileError(f"{where}: không có bài học “{target}”.")
        return _check(course)
    finally:
        workbook.close()
