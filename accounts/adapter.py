"""allauth policy for Học Số: phone numbers live on the User row; SMS go through accounts.sms."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm, ResetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import PhoneField
from accounts.models import User
from accounts.phone import normalize_phone
from accounts.sms import send_sms

PROFILE_FIELDS = ("full_name", "commune", "birth_year", "participant_kind", "gender")


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        kwargs.pop("label", None)  # ours says "mobile", which is what we accept
        return PhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return normalize_phone(phone)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        self.set_phone(user, phone, True)

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth keys its per-account limit of failed logins (`login_failed`, "…/key") on
        the email or username, and phone login sends neither: every phone would share one
        empty key, so five wrong passwords anywhere locked out the whole province. The
        number, in its one canonical shape, stands in as the username allauth keys on (only
        the limit reads it; authentication still gets the credentials as they were)."""
        if not credentials.get("email") and not credentials.get("username"):
            phone = credentials.get("phone")
            user = getattr(request, "user", None)
            if phone:
                credentials = {**credentials, "username": f"phone:{phone_key(phone)}"}
            elif user is not None and user.is_authenticated:
                # Re-entering the password of an account without a number (an admin made
                # by createsuperuser has one, but not necessarily a verified one).
                credentials = {**credentials, "username": f"user:{user.pk}"}
        super().pre_authenticate(request, **credentials)

    def get_user_by_phone(self, phone: str) -> User | None:
        try:
            phone = normalize_phone(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs) -> None:
        # Unaccented on purpose: SMS with diacritics go as UCS-2 (70 characters a part) and
        # Vietnamese brand-name SMS gateways expect plain ASCII.
        send_sms(
            to=phone,
            body=_("Ma xac thuc Hoc So cua ban la %(code)s. Khong chia se ma nay cho ai.")
            % {"code": code},
        )

    def save_user(self, request, user: User, form, commit: bool = True) -> User:
        """Save the new account together with its profile and the moment consent was given."""
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        for field in PROFILE_FIELDS:
            if field in data:
                setattr(user, field, data[field] or getattr(User, field).field.get_default())
        if data.get("consent"):
            user.consent_at = timezone.now()
        if commit:
            user.save()
        return user


def phone_key(phone: str) -> str:
    """The number as rate limits key it: +84 912…, 84912… and 0912… count as one."""
    try:
        return normalize_phone(phone)
    except ValidationError:
        return phone.strip().lower()  # not a number we know: keyed as typed, never empty


class PhoneLoginForm(LoginForm):
    """allauth's login without the "forgot password" link, which resets by email only;
    the login page offers a sign-in code by SMS instead. (Here, not in accounts.forms,
    because allauth's forms module imports accounts.forms for the sign-up form.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


class NeutralResetPasswordForm(ResetPasswordForm):
    """allauth's reset by email, answering the same whether or not the address belongs to an
    account: allauth tells an unknown address apart ("not assigned to any user account")
    unless ACCOUNT_PREVENT_ENUMERATION is on, which this phone-first site keeps off (see
    settings). Residents reset by signing in with a code by SMS; the page says so."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Địa chỉ email")
        self.fields["email"].widget.attrs["placeholder"] = "ten@coquan.gov.vn"

    def clean_email(self) -> str:
        try:
            return super().clean_email()
        except ValidationError as error:
            if error.code != "unknown_email":
                raise
            self.users = []  # nothing is sent (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is off)
            return self.cleaned_data["email"]
