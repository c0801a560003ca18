"""Background jobs: only for who asked, progress without JavaScript, a failure recorded with
a way to try again, never "running" for ever."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import jobs
from accounts.models import Job
from tests import factories

attempts: list[int] = []


def fails_once(job_id: int) -> None:
    """A job's work that breaks the first time and succeeds when tried again."""
    attempts.append(job_id)
    if len(attempts) == 1:
        raise RuntimeError("disk full")
    jobs.finish_job(job_id, message="Xong rồi.", content=b"%PDF-1.4", file_name="phieu.pdf")


@pytest.fixture
def person(tuyen_quang):
    attempts.clear()
    return factories.person(commune=factories.commune("00985"))


def test_a_failed_job_says_so_in_vietnamese_and_trying_again_does_the_work(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(user=person, kind=Job.Kind.SLIPS, work=fails_once)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "disk full" in job.error
    client.force_login(person)
    page = client.get(reverse("accounts:job", args=[job.pk])).content.decode()
    assert "Có lỗi khi xử lý. Hãy thử lại" in page and "Thử lại" in page
    assert "disk full" not in page  # the technical error is for the administrator
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("accounts:job_retry", args=[job.pk]))
    again = Job.objects.latest("pk")
    assert retried.url == reverse("accounts:job", args=[again.pk])
    assert again.state == Job.State.DONE and again.message == "Xong rồi."
    download = client.get(reverse("accounts:job_download", args=[again.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4"


def test_a_job_is_only_for_who_started_it(client, person, django_capture_on_commit_callbacks):
    attempts.append(0)  # succeeds at once
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(user=person, kind=Job.Kind.SLIPS, work=fails_once)
    other = factories.person(commune=factories.commune("00985"), full_name="Người Khác")
    other.is_superuser = True
    other.save()
    client.force_login(other)
    assert client.get(reverse("accounts:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("accounts:job_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("accounts:job_retry", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("accounts:job", args=[job.pk])).status_code == 302  # log in


def test_a_running_job_shows_a_bar_and_reloads_itself_without_javascript(client, person):
    now = timezone.now()
    job = Job.objects.create(
        kind=Job.Kind.SLIPS, task="x", created_by=person, state=Job.State.RUNNING,
        total=200, done=50, created_at=now, updated_at=now,
    )  # fmt: skip
    client.force_login(person)
    page = client.get(reverse("accounts:job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page
    assert '<progress class="job-progress" max="100" value="25"' in page


def test_a_job_silent_too_long_is_shown_as_failed_with_a_retry(client, person):
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    job = Job.objects.create(
        kind=Job.Kind.SLIPS, task="x", created_by=person, state=Job.State.RUNNING,
        created_at=long_ago, updated_at=long_ago,
    )  # fmt: skip
    client.force_login(person)
    page = client.get(reverse("accounts:job", args=[job.pk])).content.decode()
    assert "bị dừng giữa chừng" in page and 'http-equiv="refresh"' not in page
    assert "Thử lại" in page


@pytest.mark.django_db(transaction=True)
def test_slips_are_built_in_a_thread_while_the_request_answers_at_once(client, settings):
    from accounts.models import RosterImport
    from accounts.services.communes import load_tuyen_quang

    load_tuyen_quang()
    settings.EXPORTS_IN_BACKGROUND = True
    coordinator = factories.person(commune=factories.commune("00985"))
    coordinator.is_superuser = True
    coordinator.save()
    people = [
        factories.person_without_consent(commune=factories.commune("00985"), full_name=f"Người {n}")
        for n in range(3)
    ]
    roster = RosterImport.objects.create(
        created_by=coordinator, file_name="x.xlsx", confirmed_at=timezone.now(),
        created_count=3, created_ids=[p.pk for p in people],
    )  # fmt: skip
    client.force_login(coordinator)
    response = client.post(reverse("accounts:roster_slips", args=[roster.pk]))
    job = Job.objects.get()
    assert response.url == reverse("accounts:job", args=[job.pk])
    for _ in range(200):
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.05)
    assert job.state == Job.State.DONE and job.total == 3
    assert job.message == "Đã tạo 3 phiếu tài khoản."
