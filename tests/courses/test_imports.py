"""Importing a course from a file: all of it, or nothing with a message that says where."""

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from courses.course_file import CourseFileError
from courses.exports import course_workbook
from courses.imports import parse_markdown
from courses.models import Choice, Course, Lesson, Question
from tests.courses.uploads import upload


def counts():
    return (
        Course.objects.count(),
        Lesson.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    )


def test_markdown_course_imports_whole(editor, client, sample_text):
    response = upload(client, "khoa-hoc.md", sample_text.encode())
    course = Course.objects.get(slug="thanh-toan-khong-dung-tien-mat")
    assert response.status_code == 302
    assert course.is_published
    assert [m.title for m in course.modules.all()] == ["Quét mã QR", "Giữ an toàn"]
    assert course.lessons.count() == 3
    assert course.questions.count() == 2
    lesson = course.lessons.get(title="Mở ứng dụng ngân hàng")
    assert "<strong>Quét QR</strong>" in lesson.body_html
    assert lesson.min_read_seconds == 30


def test_xlsx_course_round_trips(editor, client, course):
    """The admin's Excel download is a valid import file: same course back."""
    workbook = course_workbook(course)
    expected = counts()
    course.delete()
    response = upload(client, "khoa-hoc.xlsx", workbook)
    assert response.status_code == 302
    assert counts() == expected
    again = Course.objects.get(slug=course.slug)
    assert again.lessons.get(title="Không chuyển tiền cho người lạ").questions.get().choices.get(
        is_correct=True
    ).text == ("Từ chối và báo cho người thân hoặc công an xã")


def _edited(workbook_bytes: bytes, edit) -> bytes:
    book = load_workbook(io.BytesIO(workbook_bytes))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _drop_minutes_column(book):
    book["Bài học"].delete_cols(3)  # "Phút"


def _blank_lesson_title(book):
    book["Bài học"]["B3"] = None


def _unknown_module(book):
    book["Bài học"]["A4"] = "Chương không có"


XLSX_CASES = [
    (_drop_minutes_column, "Trang “Bài học”: thiếu cột Phút."),
    (_blank_lesson_title, "Trang “Bài học”, dòng 3: bài học chưa có tên."),
    (_unknown_module, "Trang “Bài học”, dòng 4: không có chương “Chương không có”"),
]


@pytest.mark.parametrize(("edit", "message"), XLSX_CASES, ids=["column", "title", "module"])
def test_bad_xlsx_is_refused_with_its_row_and_nothing_imported(
    editor, client, course, edit, message
):
    bad = _edited(course_workbook(course), edit)
    course.delete()
    before = counts()
    response = upload(client, "khoa-hoc.xlsx", bad)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == before == (0, 0, 0, 0)


def test_markdown_lesson_without_title_names_its_line(sample_text):
    text = sample_text.replace("## Lesson: Kiểm tra tên người nhận", "## Lesson:")
    line = text.splitlines().index("## Lesson:") + 1
    with pytest.raises(CourseFileError, match=f"^Dòng {line}: bài học chưa có tên.$"):
        parse_markdown(text)


def test_markdown_lesson_outside_a_module_names_its_line(sample_text):
    text = sample_text.replace("# Module: Quét mã QR\n", "")
    with pytest.raises(CourseFileError, match="^Dòng 11: bài “Mở ứng dụng ngân hàng” nằm ngoài"):
        parse_markdown(text)


def test_a_refused_reimport_leaves_the_existing_course_untouched(editor, client, course):
    before = counts()
    broken = course_workbook(course)
    response = upload(client, "khoa-hoc.xlsx", _edited(broken, _unknown_module))
    assert response.status_code == 200
    assert counts() == before


def test_fifty_megabyte_upload_is_refused(editor, client):
    response = upload(client, "khoa-hoc.xlsx", b"\0" * (50 * 1024 * 1024))
    assert "Tệp quá lớn (50.0 MB). Giới hạn là 5 MB." in response.content.decode()
    assert Course.objects.count() == 0


def test_a_text_file_renamed_to_xlsx_is_refused(editor, client, sample_text):
    response = upload(client, "khoa-hoc.xlsx", sample_text.encode())
    assert "không phải là tệp Excel .xlsx (có thể chỉ bị đổi tên)" in response.content.decode()
    assert Course.objects.count() == 0


def test_a_zip_bomb_is_refused_before_it_is_expanded(editor, client):
    book = Workbook()
    book.active["A1"] = "x" * 32000
    for row in range(2, 2200):
        book.active.cell(row=row, column=1, value="x" * 32000)
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 5 * 1024 * 1024  # small on disk, ~70 MB expanded
    response = upload(client, "khoa-hoc.xlsx", buffer.getvalue())
    assert "giải nén ra quá lớn" in response.content.decode()


def test_only_md_and_xlsx_are_accepted(editor, client):
    response = upload(client, "khoa-hoc.pdf", b"%PDF-1.4")
    assert "Chỉ nhận tệp .xlsx hoặc .md." in response.content.decode()


def test_import_command(tmp_path, sample_text, db, capsys):
    from django.core.management import call_command

    path = tmp_path / "khoa.md"
    path.write_text(sample_text, encoding="utf-8")
    call_command("import_course", str(path), "--publish")
    assert "2 chương, 3 bài" in capsys.readouterr().out
    assert Course.objects.published().count() == 1


def test_a_question_without_explanation_is_refused(sample_text):
    text = sample_text.replace(
        "> Giải thích: tên người nhận và số tiền phải đúng như bạn định trả.\n", ""
    )
    with pytest.raises(CourseFileError, match="cần một dòng giải thích"):
        parse_markdown(text)


def test_a_final_test_needs_the_test_completion_rule(sample_text):
    text = sample_text + "\n# Final test\n### Question: Câu?\n- [x] Có\n- [ ] Không\n> Vì.\n"
    with pytest.raises(CourseFileError, match="completion: test 80"):
        parse_markdown(text)


def test_free_text_keeps_hashes_and_explanations_join(sample_text):
    text = sample_text.replace("title: Thanh toán", "title: Bài #2 — Thanh toán").replace(
        "> Giải thích: tên người nhận", "> Giải thích:\n> tên người nhận"
    )
    data = parse_markdown(text)
    assert data.title.startswith("Bài #2 — ")
    explanation = data.modules[0].lessons[0].questions[0].explanation
    assert explanation == "Giải thích: tên người nhận và số tiền phải đúng như bạn định trả."


def test_lesson_html_is_sanitised_and_keeps_list_numbering():
    from courses.markdown import render_markdown

    html = render_markdown("3. ba\n4. bốn\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert '<ol start="3">' in html
    assert "<script" not in html and 'href="javascript' not in html


# --- Links, caps, column lengths, numbers: refused with a Vietnamese message, never a 500 ---

SCRIPT_VIDEO = "javascript:alert(document.cookie)"


def _with_video(text: str, video: str) -> str:
    return text.replace(
        "min_read_seconds: 30\n\nMở ứng dụng",
        f"min_read_seconds: 30\nvideo: {video}\n\nMở ứng dụng",
    )


def test_a_markdown_video_link_that_runs_script_is_refused_with_its_line(
    editor, client, sample_text
):
    text = _with_video(sample_text, SCRIPT_VIDEO)
    line = text.splitlines().index(f"video: {SCRIPT_VIDEO}") + 1
    with pytest.raises(CourseFileError, match=f"^Dòng {line}: video của bài “Mở ứng dụng"):
        parse_markdown(text)
    response = upload(client, "khoa-hoc.md", text.encode())
    assert "phải bắt đầu bằng https://" in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_a_markdown_video_on_the_web_is_kept(sample_text):
    data = parse_markdown(_with_video(sample_text, "https://youtu.be/dQw4w9WgXcQ"))
    assert data.modules[0].lessons[0].video_url == "https://youtu.be/dQw4w9WgXcQ"


def test_an_excel_video_column_that_runs_script_is_refused_with_its_row(editor, client, course):
    def script_video(book):
        book["Bài học"]["E2"] = SCRIPT_VIDEO

    bad = _edited(course_workbook(course), script_video)
    course.delete()
    response = upload(client, "khoa-hoc.xlsx", bad)
    html = response.content.decode()
    assert "Trang “Bài học”, dòng 2: video của bài" in html
    assert "phải bắt đầu bằng https://" in html
    assert counts() == (0, 0, 0, 0)


def _markdown_course(*, modules: int = 1, lessons: int = 1, questions: int = 0) -> str:
    header = (
        "---\ntitle: Lớn\nslug: lon\naudience: residents\nsummary: Lớn.\n"
        "estimated_minutes: 10\ncompletion: lessons\n---\n"
    )
    lesson = "## Lesson: Bài\nminutes: 1\nmin_read_seconds: 10\n\nNội dung.\n"
    question = "### Question: Câu?\n- [x] Có\n- [ ] Không\n> Vì.\n"
    parts = [header]
    for m in range(modules):
        parts.append(f"# Module: Chương {m}\n")
        parts.extend([lesson + question * (questions // max(lessons, 1))] * lessons)
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"modules": 51}, "Tệp có 51 chương; một khoá học có tối đa 50 chương."),
        ({"lessons": 301}, "Tệp có 301 bài học; một khoá học có tối đa 300 bài học."),
        (
            {"lessons": 2, "questions": 2000},
            "Tệp có 2.000 câu hỏi; một khoá học có tối đa 1.500 câu hỏi.",
        ),
    ],
    ids=["modules", "lessons", "questions"],
)
def test_a_markdown_course_above_a_cap_is_refused_whole_with_its_count(
    editor, client, shape, message
):
    text = _markdown_course(**shape)
    with pytest.raises(CourseFileError, match=f"^{message} Hãy chia thành nhiều khoá học.$"):
        parse_markdown(text)
    assert message in upload(client, "khoa-hoc.md", text.encode()).content.decode()
    assert counts() == (0, 0, 0, 0)


def test_a_markdown_course_at_the_caps_imports():
    data = parse_markdown(_markdown_course(lessons=300, questions=1500))
    assert len(data.modules[0].lessons) == 300
    assert sum(len(lesson.questions) for lesson in data.modules[0].lessons) == 1500


def _lesson_rows(count: int):
    def edit(book):
        sheet = book["Bài học"]
        module = sheet["A2"].value
        for n in range(count):
            sheet.append([module, f"Bài thêm {n}", 1, 10, "", "Nội dung."])

    return edit


def _a_far_question_row(row: int):
    def edit(book):
        book["Câu hỏi"].cell(row=row, column=2, value="Câu hỏi ở rất xa")

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _lesson_rows(301),
            "Trang “Bài học” có 304 dòng; một khoá học có tối đa 300 bài học.",
        ),
        (
            _a_far_question_row(1_048_576),
            "Trang “Câu hỏi” có 1.048.575 dòng; một khoá học có tối đa 1.500 câu hỏi.",
        ),
    ],
    ids=["lessons", "a-million-blank-rows"],
)
def test_an_excel_sheet_above_its_cap_is_refused_with_its_count(
    editor, client, course, edit, message
):
    bad = _edited(course_workbook(course), edit)
    course.delete()
    response = upload(client, "khoa-hoc.xlsx", bad)
    assert message in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def _longer(limit: int) -> str:
    return "Ơ" * (limit + 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("title: Thanh toán không dùng tiền mặt", f"title: {_longer(200)}", "tên khoá học dài 201"),
        ("slug: thanh-toan-khong-dung-tien-mat", f"slug: {'a' * 101}", "slug dài 101"),
        ("# Module: Quét mã QR", f"# Module: {_longer(200)}", "tên chương dài 201"),
        ("## Lesson: Kiểm tra tên người nhận", f"## Lesson: {_longer(200)}", "tên bài dài 201"),
        ("- [ ] Màu của mã QR", f"- [ ] {_longer(500)}", "phương án dài 501 ký tự; tối đa 500"),
        (
            "min_read_seconds: 30\n\nMở ứng dụng",
            f"min_read_seconds: 30\nvideo: https://youtu.be/{'x' * 200}\n\nMở ứng dụng",
            "đường dẫn video dài 217 ký tự; tối đa 200",
        ),
    ],
    ids=["course-title", "slug", "module-title", "lesson-title", "choice", "video"],
)
def test_a_text_longer_than_its_column_is_refused_not_stored_or_a_500(
    editor, client, sample_text, old, new, message
):
    text = sample_text.replace(old, new, 1)
    assert text != sample_text
    response = upload(client, "khoa-hoc.md", text.encode())
    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_an_excel_choice_longer_than_its_column_is_refused_with_its_row(editor, client, course):
    def long_choice(book):
        book["Câu hỏi"]["C2"] = _longer(500)

    bad = _edited(course_workbook(course), long_choice)
    course.delete()
    html = upload(client, "khoa-hoc.xlsx", bad).content.decode()
    assert "Trang “Câu hỏi”, dòng 2: phương án dài 501 ký tự; tối đa 500 ký tự." in html
    assert counts() == (0, 0, 0, 0)


def test_a_nul_byte_in_a_markdown_course_is_refused_with_its_line(editor, client, sample_text):
    text = sample_text.replace("chọn **Quét QR**", "chọn **Quét\x00QR**")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if "\x00" in row)
    with pytest.raises(CourseFileError, match=f"^Dòng {line}: có ký tự NUL"):
        parse_markdown(text)
    assert "có ký tự NUL" in upload(client, "khoa-hoc.md", text.encode()).content.decode()
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("minutes: 3", "minutes: ²", "“²” phải là một số nguyên dương."),
        ("minutes: 3", "minutes: 0", "“0” phải là một số nguyên dương."),
        ("minutes: 3", "minutes: 99999999999999999999", "lớn quá; tối đa 600."),
        ("minutes: 3", f"minutes: {'9' * 5000}", "lớn quá; tối đa 600."),
        ("min_read_seconds: 30", "min_read_seconds: 40000", "lớn quá; tối đa 3.600."),
        ("estimated_minutes: 10", "estimated_minutes: 32768", "lớn quá; tối đa 32.767."),
        ("completion: lessons", "completion: test ²", "viết “lessons” hoặc “test 80”"),
        ("completion: lessons", f"completion: test {'8' * 5000}", "điểm đạt phải từ 1 đến 100"),
    ],
    ids=["superscript", "zero", "huge", "5000-digits", "read-time", "course-minutes",
         "pass-superscript", "pass-5000-digits"],
)  # fmt: skip
def test_a_number_out_of_its_range_is_refused_with_its_line(sample_text, old, new, message):
    text = sample_text.replace(old, new, 1)
    with pytest.raises(CourseFileError, match=re.escape(message)):
        parse_markdown(text)
