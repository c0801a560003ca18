"""Background jobs: work too long for a request, for the person who asked.

A job's work is a plain function of the job id (named on the job by its dotted path), run
after the request's transaction commits — in a thread when settings.EXPORTS_IN_BACKGROUND
(as learning's report exports), inline otherwise (tests). Issue 20 moves these onto
django-tasks: each such function becomes a task unchanged. Whatever the work raises is
caught and recorded, so a job never stays "running" for the rest of its process's life;
a job whose process died is shown as failed once it has been silent for JOB_STALLED_AFTER.
"""

import logging
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import Job, User

logger = logging.getLogger(__name__)

JOBS_FOLDER = "jobs"


class JobRefused(Exception):
    """A job that cannot be done as asked; the message is for the person."""


def private_path(name: str) -> Path:
    return Path(settings.PRIVATE_ROOT) / name


def start_job(
    *,
    user: User,
    kind: str,
    work: Callable[[int], None],
    params: dict | None = None,
    total: int = 0,
    input_bytes: bytes | None = None,
    input_suffix: str = "",
    next_url: str = "",
) -> Job:
    """Queue `work(job_id)` for `user`; it starts once the current transaction commits."""
    now = timezone.now()
    input_file = ""
    if input_bytes is not None:
        input_file = f"{JOBS_FOLDER}/in-{secrets.token_hex(12)}{input_suffix}"
        path = private_path(input_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(input_bytes)
    job = Job.objects.create(
        kind=kind,
        task=f"{work.__module__}.{work.__qualname__}",
        params=params or {},
        created_by=user,
        total=total,
        input_file=input_file,
        next_url=next_url,
        created_at=now,
        updated_at=now,
    )
    transaction.on_commit(lambda: launch(job.pk))
    return job


def retry_job(job: Job) -> Job:
    """A new job doing what a failed one was asked to do (same work, input and person)."""
    now = timezone.now()
    again = Job.objects.create(
        kind=job.kind,
        task=job.task,
        params=job.params,
        created_by=job.created_by,
        total=job.total,
        input_file=job.input_file,
        next_url=job.next_url,
        created_at=now,
        updated_at=now,
    )
    transaction.on_commit(lambda: launch(again.pk))
    return again


def launch(job_id: int) -> None:
    if settings.EXPORTS_IN_BACKGROUND:
        threading.Thread(target=run_job, args=(job_id,), daemon=True).start()
    else:
        run_job(job_id)


def run_job(job_id: int) -> None:
    """Do a job's work and record how it ended, whatever happens."""
    if settings.EXPORTS_IN_BACKGROUND:
        close_old_connections()
    try:
        job = Job.objects.get(pk=job_id)
        Job.objects.filter(pk=job_id).update(state=Job.State.RUNNING, updated_at=timezone.now())
        import_string(job.task)(job_id)
        Job.objects.filter(pk=job_id).exclude(state=Job.State.DONE).update(
            state=Job.State.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )
    except JobRefused as refusal:
        _fail(job_id, message=str(refusal), error=str(refusal))
    except Exception as error:  # recorded: the page says so and offers to try again
        logger.exception("job %s failed", job_id)
        _fail(
            job_id,
            message=_("Có lỗi khi xử lý. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị."),
            error=repr(error),
        )
    finally:
        if settings.EXPORTS_IN_BACKGROUND:
            connection.close()  # the thread's own connection


def _fail(job_id: int, *, message: str, error: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        state=Job.State.FAILED,
        message=message[:500],
        error=error[:2000],
        finished_at=now,
        updated_at=now,
    )


def report_progress(job_id: int, *, done: int, total: int | None = None) -> None:
    """How far a job is, for its page (which reloads itself)."""
    fields = {"done": done, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def finish_job(
    job_id: int, *, message: str, content: bytes | None = None, file_name: str = ""
) -> None:
    """A job's end: its message for the person and, if it made one, its file."""
    fields = {"message": message[:500]}
    if content is not None:
        suffix = Path(file_name).suffix
        result = f"{JOBS_FOLDER}/{job_id}-{secrets.token_hex(8)}{suffix}"
        path = private_path(result)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        fields.update(result_file=result, result_name=file_name)
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        state=Job.State.DONE, finished_at=now, updated_at=now, **fields
    )
