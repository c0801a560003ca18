"""A course workbook in, a checked CourseData out (docs/course-format.md, "Excel"): its
sheets and columns, which courses/exports.py writes too, and their reading. The shape and
the rules it shares with the Markdown reader are in courses/course_file.py."""

from common.spreadsheets import Workbook, open_xlsx, sheet_rows
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

SHEETS = {
    "course": "Khoá học",
    "modules": "Chương",
    "lessons": "Bài học",
    "questions": "Câu hỏi",
}
LESSON_COLUMNS = ["Chương", "Tên bài", "Phút", "Giây đọc tối thiểu", "Video", "Nội dung"]
QUESTION_COLUMNS = ["Bài học", "Câu hỏi", "A", "B", "C", "D", "E", "F", "Đáp án", "Giải thích"]
FINAL_TEST = "Kiểm tra cuối"
# Blank rows a sheet may have besides its capped rows (formatted, never filled).
MAX_BLANK_ROWS = 1000


SHEET_CAPS = {
    "course": (20, "dòng"),
    "modules": (MAX_MODULES, "chương"),
    "lessons": (MAX_LESSONS, "bài học"),
    "questions": (MAX_QUESTIONS, "câu hỏi"),
}


def parse_xlsx(upload) -> CourseData:
    """Read a course workbook (docs/course-format.md, "Excel")."""
    workbook = open_xlsx(upload)
    try:
        header, header_rows = {}, {}
        for where, row in _rows(workbook, "course", ["Mục", "Giá trị"]):
            header[str(row["Mục"])] = row["Giá trị"]
            header_rows[str(row["Mục"])] = where
        sheet = f"Trang “{SHEETS['course']}”"
        course = CourseData(
            **course_header(header, lambda key: header_rows.get(key, sheet)),
            modules=[],
            final_test=[],
        )
        modules = _modules(workbook)
        course.modules = list(modules.values())
        _questions(workbook, course, lessons=_lessons(workbook, modules))
        return check_course(course)
    finally:
        workbook.close()


def _modules(workbook: Workbook) -> dict[str, ModuleData]:
    modules: dict[str, ModuleData] = {}
    for where, row in _rows(workbook, "modules", ["Tên chương"]):
        title = row["Tên chương"]
        if not title:
            raise CourseFileError(f"{where}: chương chưa có tên.")
        modules[str(title)] = ModuleData(title=str(title), where=where)
    return modules


def _lessons(workbook: Workbook, modules: dict[str, ModuleData]) -> dict[str, LessonData]:
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
            minutes=whole_number(row["Phút"], where, MAX_LESSON_MINUTES),
            min_read_seconds=whole_number(row["Giây đọc tối thiểu"], where, MAX_MIN_READ_SECONDS),
            video_url=str(row["Video"] or ""),
            body_lines=str(row["Nội dung"] or "").split("\n"),
            where=where,
        )
        module.lessons.append(lesson)
        lessons[lesson.title] = lesson
    return lessons


def _questions(workbook: Workbook, course: CourseData, *, lessons: dict[str, LessonData]):
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


def _rows(workbook: Workbook, key: str, columns: list[str]):
    """The sheet's filled rows, read one at a time; refused when it holds more rows than
    its cap (plus MAX_BLANK_ROWS blank ones): before reading any when its rows are counted
    or numbered past that, else as soon as a row is past it."""
    name = SHEETS[key]
    if name not in workbook.sheetnames:
        raise CourseFileError(f"Thiếu trang tính “{name}”.")
    cap, what = SHEET_CAPS[key]
    # Counted first: past this count the sheet cannot be a course's, whatever it holds.
    for count in (workbook.row_count(name), workbook.last_row(name)):
        if count - 1 > cap + MAX_BLANK_ROWS:
            raise CourseFileError(_too_many_rows(count, name, cap, what))
    rows = sheet_rows(workbook, name)
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
                raise CourseFileError(_too_many_rows(workbook.last_row(name), name, cap, what))
            continue
        filled += 1
        if filled > cap:
            raise CourseFileError(_too_many_rows(workbook.last_row(name), name, cap, what))
        where = f"Trang “{name}”, dòng {number}"
        for value in values.values():
            if isinstance(value, str) and "\x00" in value:
                raise CourseFileError(f"{where}: có ký tự NUL (\\0); hãy xoá ký tự này.")
        yield where, {c: (v.strip() if isinstance(v, str) else v) for c, v in values.items()}


def _too_many_rows(rows: int, name: str, cap: int, what: str) -> str:
    # `rows`: the number of the sheet's last row (the header is row 1).
    count = dotted(rows - 1) if rows - 1 > cap else f"hơn {dotted(cap)}"
    return (
        f"Trang “{name}” có {count} dòng; một khoá học có tối đa {dotted(cap)} {what}. "
        "Hãy chia thành nhiều khoá học."
    )
