"""Background jobs: work too long for a request, for the person who asked."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A running job reports progress every few seconds; this long without it, it is dead.
JOB_STALLED_AFTER = datetime.timedelta(minutes=10)


class Job(models.Model):
    """Work too long for a request (account slips, a large question bank), done in the
    background for the person who asked; its page shows progress, then the result."""

    class Kind(models.TextChoices):
        SLIPS = "slips", _("Phiếu tài khoản")
        BANK_IMPORT = "bank_import", _("Nhập ngân hàng câu hỏi")

    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    # The dotted path of the function of the job id that does the work; set by code only.
    task = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(_("thông báo"), max_length=500, blank=True)  # for the person
    error = models.TextField(blank=True)  # for the administrator: what went wrong
    input_file = models.CharField(max_length=200, blank=True)  # under PRIVATE_ROOT
    result_file = models.CharField(max_length=200, blank=True)  # under PRIVATE_ROOT
    result_name = models.CharField(max_length=200, blank=True)  # the download's file name
    next_url = models.CharField(max_length=200, blank=True)  # where the person goes after
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()  # the last sign of life (start, progress, end)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("công việc nền")
        verbose_name_plural = _("công việc nền")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.get_state_display()}"

    @property
    def stalled(self) -> bool:
        """Unfinished with no sign of life for JOB_STALLED_AFTER: its process died (a
        failure inside the process is caught and recorded; a killed worker cannot be)."""
        return not self.finished and timezone.now() - self.updated_at > JOB_STALLED_AFTER

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def failed(self) -> bool:
        return self.state == self.State.FAILED or self.stalled

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0
