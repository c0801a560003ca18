"""Places: the province, its communes (no districts since 1 July 2025) and organizations,
each with the expected headcount the Department sets."""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.validators import commune_key
from common.text import fold

# The 1 July 2025 reorganisation: two-level local government, no districts.
REORGANISATION_DATE = datetime.date(2025, 7, 1)
# The largest expected headcount a unit may be given: above any commune's adults or any
# organization's staff in a province (Tuyên Quang has about 1.8 million people in all).
MAX_EXPECTED = 1_000_000


def expected_field(label: str) -> models.PositiveIntegerField:
    """The expected number of people of a unit, set by the Department (its page or an Excel
    import, never a coordinator): the fair base of the unit's participation rate. Empty: not
    known, and the rate falls back to registered accounts, saying so."""
    return models.PositiveIntegerField(
        label,
        null=True,
        blank=True,
        # Set through accounts.services.headcounts, which dates it and clears caches.
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPECTED)],
    )


def expected_set_at_field() -> models.DateTimeField:
    return models.DateTimeField(_("số dự kiến cập nhật lúc"), null=True, blank=True, editable=False)


def expected_source_field() -> models.CharField:
    # The imported file's name; empty when typed in on the Department's page.
    return models.CharField(_("nguồn số dự kiến"), max_length=200, blank=True, editable=False)


class Province(models.Model):
    code = models.CharField(_("mã"), max_length=2, unique=True)
    name = models.CharField(_("tên"), max_length=100)

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CommuneQuerySet(models.QuerySet):
    def search(self, text: str) -> "CommuneQuerySet":
        """Communes whose name or code matches `text`, accent- and tone-mark-insensitively.

        Exact names first, then names starting with the text, then the rest.
        """
        key = commune_key(text)
        if not key:
            return self.none()
        return (
            self.filter(Q(search_name__contains=key) | Q(code=key))
            .annotate(
                match_rank=Case(
                    When(Q(search_name=key) | Q(code=key), then=Value(0)),
                    When(search_name__startswith=key, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("match_rank", "search_name")
        )


class Commune(models.Model):
    class Kind(models.TextChoices):
        XA = "xa", _("Xã")
        PHUONG = "phuong", _("Phường")
        DAC_KHU = "dac_khu", _("Đặc khu")

    code = models.CharField(
        _("mã"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Mã xã gồm đúng 5 chữ số."))],
    )
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("tỉnh")
    )
    is_pilot = models.BooleanField(_("thí điểm"), default=False)
    effective_from = models.DateField(_("có hiệu lực từ"), default=REORGANISATION_DATE)
    expected_adults = expected_field(_("số người trưởng thành dự kiến"))
    expected_set_at = expected_set_at_field()
    expected_source = expected_source_field()
    # fold(name), kept in the table so lookups stay an indexed query on SQLite and PostgreSQL.
    search_name = models.CharField(max_length=100, editable=False, db_index=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("xã, phường")
        verbose_name_plural = _("xã, phường")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class OrganizationQuerySet(models.QuerySet):
    def search(self, text: str) -> "OrganizationQuerySet":
        """Organizations whose name contains `text`, accent- and case-insensitively."""
        return self.filter(search_name__contains=fold(text))

    def with_descendants(self, ids) -> set[int]:
        """`ids` and every unit below them; the tree is shallow (province → unit → sub-unit)."""
        found = set(ids)
        frontier = found
        while frontier:
            frontier = set(
                self.filter(parent_id__in=frontier)
                .exclude(id__in=found)
                .values_list("id", flat=True)
            )
            found |= frontier
        return found


class Organization(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành cấp tỉnh")
        COMMUNE_COMMITTEE = "commune_committee", _("UBND xã, phường")
        SCHOOL = "school", _("Trường học")
        HEALTH_STATION = "health_station", _("Trạm y tế")
        ENTERPRISE = "enterprise", _("Doanh nghiệp")
        ASSOCIATION = "association", _("Hội, đoàn thể")
        OTHER = "other", _("Khác")

    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("tỉnh")
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("xã, phường"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    expected_staff = expected_field(_("số cán bộ, nhân viên dự kiến"))
    expected_set_at = expected_set_at_field()
    expected_source = expected_source_field()
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)
