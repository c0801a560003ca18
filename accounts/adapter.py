"""allauth policy for Học Số: phone numbers live on the User row; SMS go through accounts.sms."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm
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


class PhoneLoginForm(LoginForm):
    """allauth's login without the "forgot password" link, which resets by email only;
    the login page offers a sign-in code by SMS instead. (Here, not in accounts.forms,
    because allauth's forms module imports accounts.forms for the sign-up form.)"""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
