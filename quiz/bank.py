"""The question bank as .xlsx: the template/export, and a check of every row of an upload.

Decision (docs/question-bank.md): a file with any bad row is refused whole, with every
problem listed by row, so an editor fixes the file once and imports it again; half a bank
is never imported.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from common.exports import Sheet, xlsx_sheets_bytes
from common.spreadsheets import (
    cell_text,
    has_nul,
    is_formula,
    open_xlsx,
    sheet_rows,
    shown,
    too_many_rows,
)
from common.text import fold
from quiz.models import Choice, Topic

LETTERS = "ABCDEF"
COLUMNS = ["Câu hỏi", "Chủ đề", "Độ khó", *LETTERS, "Đáp án đúng", "Giải thích"]
REQUIRED = ["Câu hỏi", "A", "B", "Đáp án đúng"]
MAX_CHOICES, MAX_CORRECT = 6, 4
DIFFICULTIES = {"de": 1, "1": 1, "trung binh": 2, "2": 2, "": 2, "kho": 3, "3": 3}
DIFFICULTY_NAMES = {1: "Dễ", 2: "Trung bình", 3: "Khó"}
# Questions one file may hold: a contest's bank is a few hundred to a few thousand. A bigger
# file is refused before any row is read (a 0.58 MB file held 200,000).
MAX_BANK_ROWS = 5_000
# Up to this many are added inside the request; more go in as a background job with progress.
BANK_INLINE_ROWS = 500
# Problems listed on the page; the count of the rest follows them.
MAX_SHOWN_PROBLEMS = 200
TOPIC_MAX = Topic._meta.get_field("name").max_length
CHOICE_MAX = Choice._meta.get_field("text").max_length
# Question.text and explanation are TextFields: no column limit, but no question is a book.
TEXT_MAX = 2_000
SAMPLE = [
    "Số điện thoại nào dùng để phản ánh cuộc gọi, tin nhắn rác?",
    "An toàn số",
    "Dễ",
    "113",
    "156",
    "5656",
    "",
    "",
    "",
    "B, C",
    "156 nhận phản ánh cuộc gọi rác; 5656 nhận tin nhắn rác.",
]


@dataclass
class BankRow:
    row: int
    text: str
    topics: list[str]
    difficulty: int
    choices: list[tuple[str, bool]]
    explanation: str


@dataclass
class BankCheck:
    rows: list[BankRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_bank(upload) -> BankCheck:
    """Every row of an uploaded bank checked; raises SpreadsheetError for a bad file or one
    of more than MAX_BANK_ROWS questions (refused before any row is read). A valid row fits
    the model's fields, so the import cannot fail on it."""
    workbook = open_xlsx(upload, formulas=True, max_rows=MAX_BANK_ROWS)
    try:
        rows = sheet_rows(workbook)
        header = [cell_text(cell) for cell in next(rows, ())]
        result = BankCheck()
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            result.problems.append(_("Thiếu cột: %(c)s.") % {"c": ", ".join(missing)})
            return result
        # Any single-letter column is a choice, so a 7th choice in column G is seen.
        letters = [h for h in header if re.fullmatch(r"[A-Z]", h)]
        index = {h: i for i, h in enumerate(header) if h}
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_BANK_ROWS:  # a sheet whose rows could not be counted
                raise too_many_rows(None, MAX_BANK_ROWS)
            cells = {h: (values[i] if i < len(values) else None) for h, i in index.items()}
            if all(cell_text(v) == "" for v in cells.values()):
                continue
            outcome = _check_row(number, cells, letters)
            if isinstance(outcome, str):
                result.problems.append(outcome)
            else:
                result.rows.append(outcome)
        return result
    finally:
        workbook.close()


def _check_row(number: int, cells: dict, letters: list[str]) -> BankRow | str:
    def problem(message: str) -> str:
        return _("Dòng %(n)s: %(m)s") % {"n": number, "m": message}

    unreadable = _unreadable_cell(cells)
    if unreadable:
        return problem(unreadable)
    text = cell_text(cells.get("Câu hỏi"))
    if not text:
        return problem(_("thiếu nội dung câu hỏi."))
    filled = [
        (letter, cell_text(cells.get(letter))) for letter in letters if cell_text(cells.get(letter))
    ]
    explanation = cell_text(cells.get("Giải thích"))
    topics = [t.strip() for t in cell_text(cells.get("Chủ đề")).split(",") if t.strip()]
    too_long = [(_("Câu hỏi"), text, TEXT_MAX), (_("Giải thích"), explanation, TEXT_MAX)]
    too_long += [(_("phương án %(l)s") % {"l": letter}, v, CHOICE_MAX) for letter, v in filled]
    too_long += [(_("chủ đề"), topic, TOPIC_MAX) for topic in topics]
    for label, value, limit in too_long:
        if len(value) > limit:
            return problem(
                _("%(what)s dài %(n)s ký tự; tối đa %(max)s.")
                % {"what": label, "n": len(value), "max": limit}
            )
    if len(filled) < 2:
        return problem(_("cần ít nhất 2 phương án."))
    if len(filled) > MAX_CHOICES:
        return problem(
            _("có %(n)s phương án; tối đa %(max)s.") % {"n": len(filled), "max": MAX_CHOICES}
        )
    answer = cell_text(cells.get("Đáp án đúng")).upper()
    if not answer:
        return problem(_("chưa có đáp án đúng (cột “Đáp án đúng”, ví dụ “B” hoặc “A, C”)."))
    correct = [part.strip() for part in re.split(r"[,;\s]+", answer) if part.strip()]
    known = {letter for letter, _ in filled}
    unknown = [letter for letter in correct if letter not in known]
    if unknown:
        return problem(
            _("đáp án “%(a)s” không phải một phương án có nội dung.")
            % {"a": shown(", ".join(unknown))}
        )
    if len(set(correct)) > MAX_CORRECT:
        return problem(_("tối đa %(max)s đáp án đúng.") % {"max": MAX_CORRECT})
    difficulty = DIFFICULTIES.get(fold(cell_text(cells.get("Độ khó"))))
    if difficulty is None:
        return problem(
            _("độ khó “%(v)s” phải là Dễ, Trung bình hoặc Khó.") % {"v": shown(cells.get("Độ khó"))}
        )
    return BankRow(
        row=number,
        text=text,
        topics=topics,
        difficulty=difficulty,
        choices=[(value, letter in correct) for letter, value in filled],
        explanation=explanation,
    )


def _unreadable_cell(cells: dict) -> str | None:
    """What makes a cell of the row unusable as text (a formula, a NUL), or None."""
    for column, value in cells.items():
        if is_formula(value):
            return _("cột “%(c)s” chứa công thức; hãy nhập chữ, không nhập công thức.") % {
                "c": column
            }
        if has_nul(value):
            return _("cột “%(c)s” chứa ký tự không hợp lệ (NUL); hãy gõ lại ô này.") % {"c": column}
    return None


# Warnings, not refusals: a bank whose right answers sit mostly in one position lets a
# player who always taps that position win (the demo bank had every right answer first),
# and a question twice in the bank can be drawn twice in one attempt.
CLUSTER_MIN_QUESTIONS = 8  # fewer say nothing about a pattern
CLUSTER_FACTOR = 2  # a position right twice as often as chance would make it
MAX_SHOWN_REPEATS = 20


def bank_warnings(rows: list[BankRow], *, existing: Iterable[str] = ()) -> list[str]:
    """What an editor should look at before a bank goes live: right answers clustered in one
    position, and questions repeated in the file or already in the bank (`existing`)."""
    warnings = []
    if len(rows) >= CLUSTER_MIN_QUESTIONS:
        for position, letter in enumerate(LETTERS):
            right = sum(1 for r in rows if position < len(r.choices) and r.choices[position][1])
            # By chance: each right answer of a question is in this position with
            # probability 1/choices, so the expected count sums right/choices per question.
            chance = sum(
                sum(correct for _t, correct in r.choices) / len(r.choices)
                for r in rows
                if position < len(r.choices)
            )
            if chance and right >= CLUSTER_FACTOR * chance:
                warnings.append(
                    _(
                        "Đáp án đúng dồn vào phương án %(l)s: %(n)s/%(t)s câu (ngẫu nhiên "
                        "chỉ khoảng %(c)s). Người chơi bấm %(l)s mọi câu sẽ được điểm cao; "
                        "hãy đổi thứ tự các phương án."
                    )
                    % {"l": letter, "n": right, "t": len(rows), "c": round(chance)}
                )
    seen = {fold(text): None for text in existing}
    repeats = []
    for r in rows:
        key = fold(r.text)
        if key in seen:
            first = seen[key]
            repeats.append(
                _("Dòng %(n)s: câu hỏi trùng với dòng %(m)s.") % {"n": r.row, "m": first}
                if first
                else _("Dòng %(n)s: câu hỏi đã có trong ngân hàng.") % {"n": r.row}
            )
        else:
            seen[key] = r.row
    warnings += repeats[:MAX_SHOWN_REPEATS]
    if len(repeats) > MAX_SHOWN_REPEATS:
        warnings.append(_("… và %(n)s câu trùng khác.") % {"n": len(repeats) - MAX_SHOWN_REPEATS})
    return warnings


def bank_xlsx(questions) -> bytes:
    """The bank in the import format (the template, when `questions` is empty)."""
    rows = []
    for question in questions:
        choices = list(question.choices.all())
        texts = [c.text for c in choices] + [""] * (len(LETTERS) - len(choices))
        answer = ", ".join(LETTERS[i] for i, c in enumerate(choices) if c.is_correct)
        rows.append(
            [
                question.text,
                ", ".join(t.name for t in question.topics.all()),
                DIFFICULTY_NAMES[question.difficulty],
                *texts,
                answer,
                question.explanation,
            ]
        )
    widths = (50, 16, 10, *(22,) * len(LETTERS), 12, 40)
    return xlsx_sheets_bytes([Sheet("Ngân hàng câu hỏi", COLUMNS, rows or [SAMPLE], widths)])
