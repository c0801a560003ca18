"""A campaign's .xlsx report, built after commit (in a thread unless settings say inline)
with its progress on the export job."""

import datetime
import logging
import secrets
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.scopes import Scope
from learning.exports import campaign_workbook
from learning.models import Campaign, ExportJob
from learning.reports import campaign_assignments, campaign_people, held_certificates

logger = logging.getLogger("hocso.learning")

PROGRESS_EVERY = 5000
PEOPLE_CHUNK = 5000  # rows per fetch; a server-side cursor on PostgreSQL


def start_campaign_export(
    *, user: User, campaign: Campaign, kind: str, now: datetime.datetime
) -> ExportJob:
    """Queue the campaign's .xlsx report for `user` (their scope); built after commit, in a
    thread unless settings say inline."""
    job = ExportJob.objects.create(created_by=user, campaign=campaign, kind=kind, created_at=now)
    transaction.on_commit(lambda: _launch_export(job.pk))
    return job


def _launch_export(job_id: int) -> None:
    if settings.EXPORTS_IN_BACKGROUND:
        threading.Thread(target=build_campaign_export, args=(job_id,), daemon=True).start()
    else:
        build_campaign_export(job_id)


def build_campaign_export(job_id: int) -> None:
    """Build the report file of an export job, reporting progress as rows are written."""
    try:
        job = ExportJob.objects.select_related("campaign", "created_by").get(pk=job_id)
        campaign, today = job.campaign, timezone.localdate()
        assignments = campaign_assignments(
            scope=Scope.of(job.created_by), campaign=campaign, kind=job.kind
        )
        tally, communes, organizations = assignments.breakdown(campaign=campaign, today=today)
        total = tally["assigned"]
        ExportJob.objects.filter(pk=job_id).update(state=ExportJob.State.RUNNING, total=total)
        people = campaign_people(assignments, campaign=campaign, today=today).iterator(
            chunk_size=PEOPLE_CHUNK
        )

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job_id).update(done=done)

        content = campaign_workbook(
            communes=communes,
            organizations=organizations,
            people=people,
            held=held_certificates(assignments, campaign=campaign),
            progress=progress,
            every=PROGRESS_EVERY,
        )
        name = f"exports/{job_id}-{secrets.token_hex(8)}.xlsx"
        path = Path(settings.PRIVATE_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.DONE, done=total, file_name=name, finished_at=timezone.now()
        )
    except Exception as error:  # the job page says so; the person can start it again
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
    finally:
        if settings.EXPORTS_IN_BACKGROUND:
            connection.close()  # the thread's own connection
