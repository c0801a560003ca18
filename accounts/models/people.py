"""People: a phone-first account with the minimum personal data, and the one-time sign-in
codes printed for accounts made on someone's behalf."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core import signing
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.places import Commune, Organization
from accounts.phone import MOBILE_RE, normalize_phone
from common.text import fold


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
        """Whether the person has taken their account over: they have signed in at least
        once (a slip's code, a password, a reset link) or have a password of their own. From
        then on the account is theirs alone: no coordinator's slip may sign anyone in as
        them, and a lost password is recovered by the person, through their own phone."""
        return self.last_login is not None or self.has_usable_password()


class SignInCode(models.Model):
    """A one-time sign-in link printed on an account slip. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_codes")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.expires_at:%Y-%m-%d}"
