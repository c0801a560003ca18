"""A Markdown course bundle in, a checked CourseData out (docs/course-format.md); the
workbook's reader is courses/workbook.py, the shape and rules both share
courses/course_file.py."""

import re

from courses.course_file import (
    MAX_LESSON_MINUTES,
    MAX_LESSONS,
    MAX_MIN_READ_SECONDS,
    MAX_MODULES,
    MAX_QUESTIONS,
    CourseData,
    CourseFileError,
    LessonData,
    ModuleData,
    QuestionData,
    check_course,
    course_header,
    dotted,
    whole_number,
)

FREE_TEXT_KEYS = {"title", "summary"}
CHOICE_RE = re.compile(r"^- \[( |x|X)\] (.+)$")


def parse_markdown(text: str) -> CourseData:
    """Read a Markdown course bundle (docs/course-format.md)."""
    lines = text.replace("\r\n", "\n").split("\n")
    _refuse_oversized_markdown(lines)
    header, header_lines, end = _front_matter(lines)
    course = CourseData(
        **course_header(header, lambda key: f"Dòng {header_lines.get(key, 1)}"),
        modules=[],
        final_test=[],
    )
    body = _MarkdownBody(course)
    for number in range(end + 1, len(lines) + 1):
        body.read(number, lines[number - 1])
    return check_course(course)


def _front_matter(lines: list[str]) -> tuple[dict, dict, int]:
    """The course's "key: value" lines between the two "---": (values, line of each key,
    line of the closing "---")."""
    if not lines or lines[0].strip() != "---":
        raise CourseFileError(
            "Dòng 1: tệp phải bắt đầu bằng phần thông tin khoá học giữa hai dòng “---”."
        )
    header, header_lines = {}, {}
    for number in range(2, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() == "---":
            return header, header_lines, number
        key, sep, value = line.partition(":")
        if line.strip() and not sep:
            raise CourseFileError(f"Dòng {number}: cần dạng “khoá: giá trị”.")
        if sep:
            key = key.strip()
            # "# …" comments only after values that cannot contain "#" (not title, summary).
            header[key] = value.strip() if key in FREE_TEXT_KEYS else value.split(" #")[0].strip()
            header_lines[key] = number
    raise CourseFileError("Thiếu dòng “---” đóng phần thông tin khoá học.")


class _MarkdownBody:
    """The lines after the course's information, read one at a time into its modules,
    lessons and questions."""

    def __init__(self, course: CourseData):
        self.course = course
        self.module: ModuleData | None = None
        self.lesson: LessonData | None = None
        self.question: QuestionData | None = None
        self.in_final_test = False
        self.reading_meta = False  # the lesson's "minutes: …" lines, right under its title

    def read(self, number: int, line: str) -> None:
        where = f"Dòng {number}"
        stripped = line.strip()
        if line.startswith("# "):
            self._module(line[2:].strip(), where)
        elif line.startswith("## "):
            self._lesson(line[3:].strip(), where)
        elif line.startswith("### Question:"):
            self._question(line[len("### Question:") :].strip(), where)
        elif self.question is not None and stripped:
            self._question_line(stripped, where)
        elif self.lesson is not None and self.reading_meta and stripped:
            self._lesson_meta(stripped, where)
        elif self.lesson is not None and self.question is None:
            if self.reading_meta and not stripped:
                self.reading_meta = False  # the blank line before the lesson's text
            else:
                self.lesson.body_lines.append(line)
        elif stripped:
            raise CourseFileError(f"{where}: nội dung nằm ngoài mọi bài học.")

    def _module(self, heading: str, where: str) -> None:
        self.lesson = self.question = None
        if heading.lower() == "final test":
            self.in_final_test, self.module = True, None
            return
        title = heading[len("Module:") :].strip() if heading.startswith("Module:") else ""
        if not title:
            raise CourseFileError(f"{where}: chương viết “# Module: tên chương”.")
        self.in_final_test = False
        self.module = ModuleData(title=title, where=where)
        self.course.modules.append(self.module)

    def _lesson(self, heading: str, where: str) -> None:
        if not heading.startswith("Lesson:"):
            raise CourseFileError(f"{where}: bài học viết “## Lesson: tên bài”.")
        title = heading[len("Lesson:") :].strip()
        if not title:
            raise CourseFileError(f"{where}: bài học chưa có tên.")
        if self.module is None:
            raise CourseFileError(f"{where}: bài “{title}” nằm ngoài mọi chương.")
        self.lesson, self.question = LessonData(title=title, where=where), None
        self.reading_meta = True
        self.module.lessons.append(self.lesson)

    def _question(self, text: str, where: str) -> None:
        if not text:
            raise CourseFileError(f"{where}: câu hỏi chưa có nội dung.")
        self.question = QuestionData(text=text, where=where)
        if self.in_final_test:
            self.course.final_test.append(self.question)
        elif self.lesson is None:
            raise CourseFileError(f"{where}: câu hỏi nằm ngoài mọi bài học.")
        else:
            self.lesson.questions.append(self.question)
        self.reading_meta = False

    def _question_line(self, stripped: str, where: str) -> None:
        question = self.question
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

    def _lesson_meta(self, stripped: str, where: str) -> None:
        key, _sep, value = stripped.partition(":")
        key = key.strip()
        if key == "minutes":
            self.lesson.minutes = whole_number(value, where, MAX_LESSON_MINUTES)
        elif key == "min_read_seconds":
            self.lesson.min_read_seconds = whole_number(value, where, MAX_MIN_READ_SECONDS)
        elif key == "video":
            self.lesson.video_url = value.split(" #")[0].strip()
            self.lesson.video_where = where
        else:
            raise CourseFileError(
                f"{where}: ngay dưới tên bài chỉ có minutes, min_read_seconds, video; "
                "để một dòng trống trước nội dung."
            )


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
                f"Tệp có {dotted(count)} {what}; một khoá học có tối đa {dotted(cap)} "
                f"{what}. Hãy chia thành nhiều khoá học."
            )
