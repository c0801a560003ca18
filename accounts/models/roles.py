"""Roles: what a person does on the platform, and where (a commune or an organization)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models.people import User
from accounts.models.places import Commune, Organization


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")
    COMMUNE_COORDINATOR = "commune_coordinator", _("Điều phối cấp xã")
    ORGANIZATION_COORDINATOR = "organization_coordinator", _("Điều phối cơ quan, đơn vị")
    CONTENT_EDITOR = "content_editor", _("Biên tập nội dung")
    CONTEST_HOST = "contest_host", _("Người tổ chức cuộc thi")
    DIGITAL_VOLUNTEER = "digital_volunteer", _("Tổ công nghệ số cộng đồng")


class RoleGrant(models.Model):
    """One role held by one user; coordinator roles name the commune or organization."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("xã, phường")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("cơ quan, đơn vị"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.CheckConstraint(
                name="rolegrant_scope_matches_role",
                condition=(
                    Q(
                        role__in=[Role.COMMUNE_COORDINATOR, Role.DIGITAL_VOLUNTEER],
                        commune__isnull=False,
                        organization__isnull=True,
                    )
                    | Q(
                        role=Role.ORGANIZATION_COORDINATOR,
                        commune__isnull=True,
                        organization__isnull=False,
                    )
                    | Q(
                        role__in=[Role.PROVINCE_ADMIN, Role.CONTENT_EDITOR, Role.CONTEST_HOST],
                        commune__isnull=True,
                        organization__isnull=True,
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(commune__isnull=True, organization__isnull=True),
                name="rolegrant_unique_unscoped",
            ),
            models.UniqueConstraint(
                fields=["user", "commune"],
                condition=Q(commune__isnull=False),
                name="rolegrant_unique_commune",
            ),
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(organization__isnull=False),
                name="rolegrant_unique_organization",
            ),
        ]

    def __str__(self) -> str:
        where = self.commune or self.organization
        return f"{self.get_role_display()}" + (f" — {where}" if where else "")
