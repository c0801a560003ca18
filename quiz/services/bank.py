"""Adding to the question bank from a checked upload, in the request or as a background job."""

from collections.abc import Callable

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import jobs
from accounts.models import Job, User
from quiz.bank import BankRow, check_bank
from quiz.models import Choice, Question, Topic

BANK_CHUNK = 250  # questions per transaction of a background import


def import_bank(rows: list[BankRow], *, progress: Callable[[int], None] | None = None) -> int:
    """Add checked rows to the question bank, all or nothing; returns how many.

    With `progress`, rows go in by chunks, each committed, so a progress page (on another
    connection) sees how far it is; `progress(n)` follows each chunk, and a failure removes
    what the earlier chunks added, so still nothing is half-imported."""
    topics = {t.name: t for t in Topic.objects.all()}
    if progress is None:
        with transaction.atomic():
            _add_questions(rows, topics, added=[])
        return len(rows)
    added: list[int] = []
    known = set(topics)
    try:
        for start in range(0, len(rows), BANK_CHUNK):
            with transaction.atomic():
                _add_questions(rows[start : start + BANK_CHUNK], topics, added=added)
            progress(min(start + BANK_CHUNK, len(rows)))
    except BaseException:
        with transaction.atomic():
            for start in range(0, len(added), BANK_CHUNK):
                Question.objects.filter(pk__in=added[start : start + BANK_CHUNK]).delete()
            new = [t.pk for name, t in topics.items() if name not in known]
            Topic.objects.filter(pk__in=new, questions__isnull=True).delete()
        raise
    return len(rows)


def _add_questions(rows: list[BankRow], topics: dict, *, added: list[int]) -> None:
    for row in rows:
        question = Question.objects.create(
            text=row.text,
            multiple=sum(correct for _, correct in row.choices) > 1,
            difficulty=row.difficulty,
            explanation=row.explanation,
        )
        added.append(question.pk)
        for name in row.topics:
            if name not in topics:
                topics[name] = Topic.objects.create(name=name)
        question.topics.set([topics[name] for name in row.topics])
        Choice.objects.bulk_create(
            Choice(question=question, text=text, is_correct=correct, order=n)
            for n, (text, correct) in enumerate(row.choices, start=1)
        )


def start_bank_import(*, user: User, content: bytes, questions: int) -> Job:
    """Queue a checked bank file of `questions` rows to be imported in the background."""
    return jobs.start_job(
        user=user,
        kind=Job.Kind.BANK_IMPORT,
        work=import_bank_job,
        total=questions,
        input_bytes=content,
        input_suffix=".xlsx",
        next_url=reverse("admin:quiz_question_changelist"),
    )


def import_bank_job(job_id: int) -> None:
    """A background bank import: the stored file checked again, then added, all or nothing."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if not job.created_by.has_perm("quiz.add_question"):
        raise jobs.JobRefused(_("Bạn không có quyền thêm câu hỏi."))
    path = jobs.private_path(job.input_file)
    if not job.input_file or not path.exists():
        raise jobs.JobRefused(_("Không còn tệp đã tải lên; hãy tải tệp lên lại."))
    with path.open("rb") as upload:
        checked = check_bank(upload)
    if checked.problems:
        raise jobs.JobRefused(
            _("Tệp chưa được nhập: %(n)s dòng cần sửa.") % {"n": len(checked.problems)}
        )
    jobs.report_progress(job_id, done=0, total=len(checked.rows))
    count = import_bank(checked.rows, progress=lambda done: jobs.report_progress(job_id, done=done))
    path.unlink(missing_ok=True)
    jobs.finish_job(job_id, message=_("Đã thêm %(n)s câu hỏi.") % {"n": count})
