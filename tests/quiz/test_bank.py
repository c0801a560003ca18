"""The question bank from Excel: bad rows reported precisely, nothing half-imported."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Role
from quiz.bank import COLUMNS, SAMPLE, bank_warnings, bank_xlsx, check_bank
from quiz.models import Question, Topic
from quiz.services.bank import import_bank
from tests import factories


def bank_file(rows, headers=COLUMNS) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("ngan-hang.xlsx", buffer.getvalue())


GOOD = [
    ["Mã OTP có nên đọc cho người gọi xưng là công an?", "An toàn số", "Dễ",
     "Có", "Không", "", "", "", "", "B", "Không ai được hỏi mã OTP của bạn."],
    ["VNeID mức 2 dùng để làm gì?", "VNeID, Dịch vụ công", "Trung bình",
     "Thay giấy tờ khi đi làm thủ tục", "Đăng nhập Cổng Dịch vụ công", "Chơi trò chơi",
     "", "", "", "A, B", "Tài khoản mức 2 có giá trị như thẻ căn cước."],
]  # fmt: skip


def test_a_valid_bank_imports_with_topics_and_multiple_answers(db):
    checked = check_bank(bank_file(GOOD))
    assert checked.problems == []
    assert import_bank(checked.rows) == 2
    multiple = Question.objects.get(text__startswith="VNeID")
    assert multiple.multiple and multiple.difficulty == 2
    assert sorted(t.name for t in multiple.topics.all()) == ["Dịch vụ công", "VNeID"]
    assert [c.is_correct for c in multiple.choices.all()] == [True, True, False]
    assert not Question.objects.get(text__startswith="Mã OTP").multiple


def test_every_bad_row_is_reported_precisely_and_nothing_imported(db):
    headers = [*COLUMNS[:9], "G", *COLUMNS[9:]]  # someone added a 7th choice column
    rows = [
        ["Không có đáp án đúng?", "", "", "X", "Y", "", "", "", "", "", "", ""],
        ["Bảy phương án?", "", "", "1", "2", "3", "4", "5", "6", "7", "A", ""],
        ["", "", "", "X", "Y", "", "", "", "", "", "A", ""],
        ['=HYPERLINK("http://x.example","Bấm")', "", "", "X", "Y", "", "", "", "", "", "A", ""],
        ["Năm đáp án đúng?", "", "", "1", "2", "3", "4", "5", "", "", "A,B,C,D,E", ""],
        ["Đáp án không có?", "", "", "X", "Y", "", "", "", "", "", "D", ""],
        ["Độ khó lạ?", "", "Siêu khó", "X", "Y", "", "", "", "", "", "A", ""],
    ]
    checked = check_bank(bank_file(rows, headers))
    assert checked.problems == [
        "Dòng 2: chưa có đáp án đúng (cột “Đáp án đúng”, ví dụ “B” hoặc “A, C”).",
        "Dòng 3: có 7 phương án; tối đa 6.",
        "Dòng 4: thiếu nội dung câu hỏi.",
        "Dòng 5: cột “Câu hỏi” chứa công thức; hãy nhập chữ, không nhập công thức.",
        "Dòng 6: tối đa 4 đáp án đúng.",
        "Dòng 7: đáp án “D” không phải một phương án có nội dung.",
        "Dòng 8: độ khó “Siêu khó” phải là Dễ, Trung bình hoặc Khó.",
    ]


def test_the_export_is_the_template_and_round_trips(db):
    template = load_workbook(io.BytesIO(bank_xlsx([])))
    assert [c.value for c in template.active[1]] == COLUMNS
    assert [c.value for c in template.active[2]] == [v or None for v in SAMPLE]
    import_bank(check_bank(bank_file(GOOD)).rows)
    exported = bank_xlsx(Question.objects.prefetch_related("choices", "topics"))
    again = check_bank(SimpleUploadedFile("b.xlsx", exported))
    assert again.problems == [] and len(again.rows) == 2
    assert again.rows[1].choices == [
        ("Thay giấy tờ khi đi làm thủ tục", True),
        ("Đăng nhập Cổng Dịch vụ công", True),
        ("Chơi trò chơi", False),
    ]


@pytest.fixture
def editor(client, tuyen_quang):
    user = factories.with_role(
        factories.person(commune=factories.commune("02215")), Role.CONTENT_EDITOR
    )
    client.force_login(user)
    return user


def test_an_editor_imports_through_the_admin_or_sees_every_problem(client, editor):
    url = reverse("admin:quiz_question_import")
    bad = [GOOD[0], ["", "", "", "X", "Y", "", "", "", "", "A", ""]]
    page = client.post(url, {"file": bank_file(bad)}).content.decode()
    assert "Dòng 3: thiếu nội dung câu hỏi." in page
    assert not Question.objects.exists()
    response = client.post(url, {"file": bank_file(GOOD)})
    assert response.status_code == 302 and Question.objects.count() == 2
    export = client.get(reverse("admin:quiz_question_export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_renamed_file_is_refused(client, editor):
    url = reverse("admin:quiz_question_import")
    upload = SimpleUploadedFile("ngan-hang.xlsx", b"not a spreadsheet at all")
    assert "không phải là tệp Excel" in client.post(url, {"file": upload}).content.decode()


def test_an_organiser_sets_up_a_contest_with_rounds_in_the_admin(client, tuyen_quang):
    admin_user = factories.with_role(
        factories.person(commune=factories.commune("02215")), Role.CONTEST_HOST
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:quiz_contest_add"))
    assert page.status_code == 200 and "thời gian làm bài" in page.content.decode().lower()


def test_a_bank_over_the_cap_is_refused_at_once_with_its_count(client, editor, monkeypatch):
    from quiz import bank

    monkeypatch.setattr(bank, "MAX_BANK_ROWS", 3)
    page = client.post(
        reverse("admin:quiz_question_import"), {"file": bank_file(GOOD * 2)}
    ).content.decode()
    assert "Tệp có 4 dòng; mỗi lần nhập tối đa 3 dòng." in page
    assert not Question.objects.exists()


def test_a_large_bank_is_imported_as_a_job_with_progress(
    client, editor, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts.models import Job
    from quiz import admin as quiz_admin

    monkeypatch.setattr(quiz_admin, "BANK_INLINE_ROWS", 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:quiz_question_import"), {"file": bank_file(GOOD)})
    job = Job.objects.get()
    assert response.url == reverse("accounts:job", args=[job.pk])
    assert (job.state, job.total, job.done) == (Job.State.DONE, 2, 2)
    assert "Đã thêm 2 câu hỏi." in client.get(response.url).content.decode()
    assert Question.objects.count() == 2


def test_a_failing_background_import_leaves_no_question_behind(db, monkeypatch):
    from quiz.services import bank as bank_services

    monkeypatch.setattr(bank_services, "BANK_CHUNK", 1)
    rows = check_bank(bank_file(GOOD)).rows
    seen = []

    def progress(done):  # the page's connection is gone after the first chunk
        seen.append(done)
        raise ConnectionError

    with pytest.raises(ConnectionError):
        import_bank(rows, progress=progress)
    assert seen == [1] and not Question.objects.exists()
    assert not Topic.objects.exists()


def test_values_longer_than_their_fields_and_nul_are_row_problems(db):
    rows = [
        ["Chủ đề dài?", "T" * 101, "", "X", "Y", "", "", "", "", "A", ""],
        ["Phương án dài?", "", "", "X" * 501, "Y", "", "", "", "", "A", ""],
        ["C" * 2001, "", "", "X", "Y", "", "", "", "", "A", ""],
        ["Vừa đủ?", "T" * 100, "", "X" * 500, "Y", "", "", "", "", "A", ""],
    ]
    checked = check_bank(bank_file(rows))
    assert checked.problems == [
        "Dòng 2: chủ đề dài 101 ký tự; tối đa 100.",
        "Dòng 3: phương án A dài 501 ký tự; tối đa 500.",
        "Dòng 4: Câu hỏi dài 2001 ký tự; tối đa 2000.",
    ]
    assert import_bank(checked.rows) == 1


def test_only_the_first_problems_are_listed_with_the_count_of_the_rest(client, editor, monkeypatch):
    from quiz import admin as quiz_admin

    monkeypatch.setattr(quiz_admin, "MAX_SHOWN_PROBLEMS", 2)
    bad = [["", "", "", "X", "Y", "", "", "", "", "A", ""]] * 5
    page = client.post(reverse("admin:quiz_question_import"), {"file": bank_file(bad)})
    text = page.content.decode()
    assert "5 dòng cần sửa" in text and "và 3 dòng lỗi khác" in text
    assert text.count("thiếu nội dung câu hỏi") == 2


def first_is_right(n: int, *, start: int = 0) -> list[list[str]]:
    return [
        [f"Câu hỏi thử số {start + k}?", "", "", "Đúng", "Sai 1", "Sai 2", "Sai 3", "", "",
         "A", ""]
        for k in range(n)
    ]  # fmt: skip


def test_right_answers_all_in_one_position_are_warned_about(db):
    rows = check_bank(bank_file(first_is_right(10))).rows
    (warning,) = bank_warnings(rows)
    assert "phương án A: 10/10 câu" in warning


def test_right_answers_spread_over_positions_raise_no_warning(db):
    rows = []
    for k in range(12):
        choices = ["Sai 1", "Sai 2", "Sai 3"]
        choices.insert(k % 4, "Đúng")
        rows.append([f"Câu trải đều {k}?", "", "", *choices, "", "", "ABCD"[k % 4], ""])
    assert bank_warnings(check_bank(bank_file(rows)).rows) == []


def test_a_few_questions_say_nothing_about_a_pattern(db):
    assert bank_warnings(check_bank(bank_file(first_is_right(3))).rows) == []


def test_repeated_questions_are_warned_about_in_the_file_and_against_the_bank(db):
    rows = [*GOOD, [GOOD[0][0].upper(), *GOOD[0][1:]]]  # the same question, other case
    checked = check_bank(bank_file(rows))
    assert bank_warnings(checked.rows) == ["Dòng 4: câu hỏi trùng với dòng 2."]
    existing = ["vneid mức 2 dùng để làm gì?"]
    assert "Dòng 3: câu hỏi đã có trong ngân hàng." in bank_warnings(
        checked.rows, existing=existing
    )


def test_the_admin_shows_the_warnings_and_still_imports(client, editor):
    url = reverse("admin:quiz_question_import")
    response = client.post(url, {"file": bank_file(first_is_right(10))}, follow=True)
    assert Question.objects.count() == 10
    assert "Đáp án đúng dồn vào phương án A" in response.content.decode()
    again = client.post(url, {"file": bank_file(first_is_right(2))}, follow=True)
    assert "Dòng 2: câu hỏi đã có trong ngân hàng." in again.content.decode()
