"""Course files in, a checked CourseData out. Two readers, one shape; nothing touches the DB.

Formats: docs/course-format.md. Every error names its line (Markdown) or sheet and row
(.xlsx) in Vietnamese; the first file error stops the import.
"""

import datetime
import re
from dataclasses import dataclass, field

from accounts.spreadsheets import open_xlsx

AUDIENCES = {"residents", "officials", "everyone"}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FREE_TEXT_KEYS = {"title", "summary"}
CHOICE_RE = re.compile(r"^- \[( |x|X)\] (.+)$")


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
    elif len(completion) == 2 and completion[0] == "test" and completion[1].isdigit():
        rule, pass_mark = "final_test", int(completion[1])
        if not 1 <= pass_mark <= 100:
            raise CourseFileError(f"{where('completion')}: điểm đạt phải từ 1 đến 100.")
    else:
        raise CourseFileError(
            f"{where('completion')}: viết “lessons” hoặc “test 80” (điểm đạt theo %)."
        )
    return {
        "title": str(values["title"]).strip(),
        "slug": slug,
        "audience": audience,
        "summary": str(values["summary"]).strip(),
        "estimated_minutes": _positive(values["estimated_minutes"], where("estimated_minutes")),
        "completion_rule": rule,
        "pass_mark": pass_mark,
        "opens_on": _date(values.get("opens"), where("opens")),
        "closes_on": _date(values.get("closes"), where("closes")),
    }


def _positive(value, where: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number <= 0:
        raise CourseFileError(f"{where}: “{value}” phải là một số nguyên dương.")
    return number


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
        if not module.lessons:
            raise CourseFileError(f"{module.where}: chương “{module.title}” chưa có bài học nào.")
        for lesson in module.lessons:
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


def _check_question(question: QuestionData) -> None:
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
                lesson.minutes = _positive(value, where)
            elif key == "min_read_seconds":
                lesson.min_read_seconds = _positive(value, where)
            elif key == "video":
                lesson.video_url = value.split(" #")[0].strip()
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


def _rows(workbook, key: str, columns: list[str]):
    name = SHEETS[key]
    if name not in workbook.sheetnames:
        raise CourseFileError(f"Thiếu trang tính “{name}”.")
    rows = workbook[name].iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        raise CourseFileError(f"Trang “{name}”: thiếu cột {', '.join(missing)}.")
    index = {c: header.index(c) for c in columns}
    for number, row in enumerate(rows, start=2):
        values = {c: (row[i] if i < len(row) else None) for c, i in index.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        yield (
            f"Trang “{name}”, dòng {number}",
            {c: (v.strip() if isinstance(v, str) else v) for c, v in values.items()},
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
                minutes=_positive(row["Phút"], where),
                min_read_seconds=_positive(row["Giây đọc tối thiểu"], where),
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
