"""A background job's page for the person who started it: progress, download, try again."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import jobs
from accounts.models import Job


def _own_job(request, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, created_by=request.user)


@login_required
def job_detail(request, pk: int):
    """A background job: progress (the page reloads itself, no JavaScript needed), then its
    result, or what went wrong and a button to try again."""
    return render(request, "accounts/job_detail.html", {"job": _own_job(request, pk)})


@login_required
def job_download(request, pk: int):
    job = _own_job(request, pk)
    path = Path(settings.PRIVATE_ROOT) / job.result_file
    if job.state != Job.State.DONE or not job.result_file or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def job_retry(request, pk: int):
    job = _own_job(request, pk)
    if not job.failed:
        return redirect("accounts:job", pk=job.pk)
    return redirect("accounts:job", pk=jobs.retry_job(job).pk)
