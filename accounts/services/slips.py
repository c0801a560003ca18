"""Account slips of a confirmed roster's people, built as a background job."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import jobs
from accounts.models import Job, RosterImport, User
from accounts.scopes import Scope
from accounts.services.sign_in_codes import SIGN_IN_DAYS, issue_sign_in_codes
from accounts.slips import slips_pdf


def start_slips(*, user: User, roster: RosterImport, site_url: str) -> Job:
    """Queue the account slips of a confirmed roster's people as a background job."""
    return jobs.start_job(
        user=user,
        kind=Job.Kind.SLIPS,
        work=build_slips,
        params={"roster": roster.pk, "site_url": site_url},
        total=len(roster.created_ids),
        next_url=reverse("accounts:roster_preview", args=[roster.pk]),
    )


def build_slips(job_id: int) -> None:
    """The slips PDF of a job: for each person the roster created (in the asker's scope
    today), a new one-time sign-in code, or "đã kích hoạt" for an account already claimed;
    old unused codes stop working."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    roster = RosterImport.objects.get(
        pk=job.params["roster"], created_by=job.created_by, confirmed_at__isnull=False
    )
    now = timezone.now()
    people = list(
        Scope.of(job.created_by)
        .filter(User.objects.filter(pk__in=roster.created_ids))
        .select_related("organization")
        .order_by("organization__name", "full_name")
    )
    jobs.report_progress(job_id, done=0, total=len(people))
    tokens = issue_sign_in_codes(people, now=now)
    site_url = job.params["site_url"].rstrip("/")
    groups: dict[str, list[dict]] = {}
    for person in people:
        name = person.organization.name if person.organization else _("Chưa có cơ quan")
        token = tokens.get(person.pk)
        url = f"{site_url}{reverse('sign_in_code', args=[token])}" if token else None
        groups.setdefault(name, []).append(
            {"full_name": person.full_name, "phone": person.phone, "url": url}
        )
    expires = timezone.localtime(now + datetime.timedelta(days=SIGN_IN_DAYS))
    content = slips_pdf(
        list(groups.items()),
        expires_on=expires.strftime("%d/%m/%Y"),
        progress=lambda done: jobs.report_progress(job_id, done=done),
    )
    claimed = len(people) - len(tokens)
    message = _("Đã tạo %(n)s phiếu tài khoản.") % {"n": len(people)}
    if claimed:
        message += " " + _(
            "%(c)s người đã kích hoạt tài khoản: phiếu của họ không có mã đăng nhập."
        ) % {"c": claimed}
    jobs.finish_job(
        job_id, message=message, content=content, file_name=f"phieu-tai-khoan-{roster.pk}.pdf"
    )
