import datetime

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.phone import MOBILE_RE, normalize_phone
from common.text import fold

# The 1 July 2025 reorganisation: two-level local government, no districts.
REORGANISATION_DATE = datetime.date(2025, 7, 1)
KIND_PREFIXES = ("xa ", "phuong ", "dac khu ")
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
        key = fold(text)
        for prefix in KIND_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix) :]
                break
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


class ParticipantKind(models.TextChoices):
    RESIDENT = "resident", _("Người dân")
    COMMUNE_OFFICIAL = "commune_official", _("Cán bộ cấp xã")
    CIVIL_SERVANT = "civil_servant", _("Công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
    MEMBER = "member", _("Đoàn viên, hội viên")
    STUDENT = "student", _("Học sinh, sinh viên")
    OTHER = "other", _("Khác")


class Gender(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")
    OTHER = "other", _("Khác")


class UserQuerySet(models.QuerySet):
    def search(self, text: str) -> "UserQuerySet":
        """People whose name (accent-insensitively) or phone number contains `text`."""
        key = fold(text)
        digits = "".join(ch for ch in text if ch.isdigit())
        condition = Q(search_name__contains=key)
        if len(digits) >= 3:
            condition |= Q(phone__contains=digits)
        return self.filter(condition) if key else self

    def claimed(self) -> "UserQuerySet":
        """People who have taken their account over: they have signed in at least once
        (a slip's code, a password, a reset link) or have a password of their own. From
        then on the account is theirs alone: no coordinator's slip may sign anyone in as
        them, and a lost password is recovered by the person, through their own phone."""
        # Mirrors AbstractBaseUser.has_usable_password(): only "!…" is unusable.
        return self.filter(
            Q(last_login__isnull=False) | ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        )

    def unclaimed(self) -> "UserQuerySet":
        """Accounts made for people (a roster, an assisted sign-up) not yet taken over."""
        return self.filter(last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)

    def by_attendee_code(self, code: str) -> "User | None":
        """The active person whose personal check-in QR holds `code`, or None."""
        try:
            pk = signing.Signer(salt=ATTENDEE_SALT).unsign(code)
        except signing.BadSignature:
            return None
        return self.filter(pk=pk, is_active=True).first()


ATTENDEE_SALT = "hocso.attendee"


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields):
        user = self.model(phone=normalize_phone(phone), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, phone_verified=True)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person, known by a Vietnamese mobile number. No citizen ID, no ethnicity."""

    phone = models.CharField(
        _("số điện thoại"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(MOBILE_RE, _("Số di động gồm 10 chữ số, bắt đầu bằng 0."))],
    )
    phone_verified = models.BooleanField(_("đã xác thực số điện thoại"), default=False)
    email = models.EmailField(_("email"), blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    # Nullable for staff accounts made with createsuperuser; every form for a person requires it.
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("xã, phường"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("cơ quan, đơn vị"),
    )
    participant_kind = models.CharField(
        _("đối tượng"),
        max_length=20,
        choices=ParticipantKind.choices,
        default=ParticipantKind.RESIDENT,
    )
    consent_at = models.DateTimeField(_("đồng ý xử lý dữ liệu cá nhân lúc"), null=True, blank=True)
    # Assisted sign-up at a festival booth: who helped, and that the person's spoken consent
    # was confirmed by that helper (consent_at is then the helper's confirmation time).
    assisted_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted",
        verbose_name=_("người hỗ trợ đăng ký"),
    )
    consent_spoken = models.BooleanField(_("đồng ý bằng lời, người hỗ trợ xác nhận"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("vào được trang quản trị"), default=False)
    date_joined = models.DateTimeField(_("ngày tham gia"), default=timezone.now)
    search_name = models.CharField(max_length=150, editable=False, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["full_name", "phone"]

    def __str__(self) -> str:
        return self.full_name or self.phone

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def attendee_code(self) -> str:
        """What the person's personal check-in QR holds: their id, signed (unguessable,
        so a code cannot be made up for someone else)."""
        return signing.Signer(salt=ATTENDEE_SALT).sign(str(self.pk))

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.phone

    @property
    def is_claimed(self) -> bool:
        """See UserQuerySet.claimed()."""
        return self.last_login is not None or self.has_usable_password()


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


class SignInCode(models.Model):
    """A one-time sign-in link printed on an account slip. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_codes")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.expires_at:%Y-%m-%d}"


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
