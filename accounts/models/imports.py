"""Records of uploaded files: a roster or a file of expected headcounts, checked (preview),
then confirmed once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models.people import User


class RosterImport(models.Model):
    """One uploaded roster: checked (preview), then confirmed once."""

    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roster_imports")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("tệp"), max_length=200)
    rows = models.JSONField(default=list)  # valid rows of people without an account
    existing = models.JSONField(default=list)  # valid rows of people who have one: skipped
    # The first MAX_STORED_PROBLEMS problems; all of them (problem_count) are in
    # problems_file, an .xlsx under PRIVATE_ROOT for the importer to download.
    problems = models.JSONField(default=list)
    problem_count = models.PositiveIntegerField(default=0)
    problems_file = models.CharField(max_length=200, blank=True)
    empty_rows = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    created_ids = models.JSONField(default=list)  # the accounts it made, for their slips

    class Meta:
        verbose_name = _("nhập danh sách")
        verbose_name_plural = _("nhập danh sách")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class HeadcountImport(models.Model):
    """One uploaded file of expected headcounts (communes' adults or organizations' staff):
    checked (preview), then confirmed once, all or nothing: a file with a bad row changes
    nothing."""

    class Unit(models.TextChoices):
        COMMUNE = "commune", _("Xã, phường")
        ORGANIZATION = "organization", _("Cơ quan, đơn vị")

    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="headcount_imports")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(_("tệp"), max_length=200)
    unit = models.CharField(_("loại đơn vị"), max_length=20, choices=Unit.choices, blank=True)
    rows = models.JSONField(default=list)  # {"row", "id", "name", "old", "new"}: the changes
    unchanged = models.PositiveIntegerField(default=0)  # valid rows giving the same number
    problems = models.JSONField(default=list)  # {"row": n, "message": "..."}: every one
    empty_rows = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    changed_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("nhập số dự kiến")
        verbose_name_plural = _("nhập số dự kiến")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
