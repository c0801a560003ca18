"""Importing a course from a file: all of it, or nothing with a message that says where."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from courses.exports import course_workbook
from courses.imports import CourseFileError, parse_markdown
from courses.models import Choice, Course, Lesson, Question
from tests import factories


@pytest.fixture
def editor(client, tuyen_quang):
    user = factories.person(commune=factories.commune("00985"), full_name="Biên Tập Viên")
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


def upload(client, name: str, content: bytes):
    return client.post(
        reverse("admin:courses_course_import"),
        {"file": SimpleUploadedFile(name, content), "publish": "on"},
    )


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
