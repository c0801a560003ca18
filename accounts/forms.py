from django import forms
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune, Gender, Organization, ParticipantKind, User
from accounts.models.places import MAX_EXPECTED
from accounts.phone import normalize_phone
from accounts.validators import EARLIEST_BIRTH_YEAR, latest_birth_year
from common.text import organization_key


class PhoneField(forms.CharField):
    """A Vietnamese mobile number in any usual shape, cleaned to `0xxxxxxxxx`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Số điện thoại di động"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "placeholder": "0912 345 678",
                }
            ),
        )
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value


class CommuneInput(forms.TextInput):
    """A text box that finds the commune as one types (small script), or on submit without it."""

    template_name = "_components/commune_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["data_id"] = f"{context['widget']['attrs'].get('id', name)}-data"
        kinds = dict(Commune.Kind.choices)  # three labels, not one translation per commune
        context["communes"] = [
            {"code": code, "name": name, "label": f"{kinds[kind]} {name}"}
            for code, name, kind in Commune.objects.order_by("search_name").values_list(
                "code", "name", "kind"
            )
        ]
        return context

    def format_value(self, value):
        if isinstance(value, int):  # a model form's initial value is the primary key
            value = Commune.objects.filter(pk=value).first()
        if isinstance(value, Commune):
            return value.name
        return super().format_value(value)


COMMUNE_TEXT_MAX = 100  # Commune.name's column: no commune is found by longer text


class CommuneField(forms.Field):
    """Resolves what was typed ("giap trung", "Giáp Trung", "00985") to one Commune."""

    widget = CommuneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Xã, phường nơi bạn sống hoặc làm việc"))
        kwargs.setdefault("help_text", _("Gõ vài chữ của tên xã, có dấu hay không dấu đều được."))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, Commune):
            return value
        text = (value or "").strip()
        if not text:
            return None
        if len(text) > COMMUNE_TEXT_MAX:  # longer than any name: no search, a message
            raise forms.ValidationError(
                _("Tên xã, phường dài quá %(max)s ký tự. Hãy gõ đúng tên xã, phường."),
                code="max_length",
                params={"max": COMMUNE_TEXT_MAX},
            )
        matches = list(Commune.objects.search(text)[:6])
        exact = [c for c in matches if c.match_rank == 0]
        if len(exact) == 1:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(
                _("Không tìm thấy xã, phường nào có tên “%(text)s”. Hãy kiểm tra lại tên."),
                code="not_found",
                params={"text": text},
            )
        raise forms.ValidationError(
            _("Có nhiều xã, phường khớp với “%(text)s”: %(names)s. Hãy gõ đủ tên."),
            code="ambiguous",
            params={"text": text, "names": ", ".join(c.name for c in matches[:5])},
        )


def birth_year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Năm sinh"),
        required=False,
        min_value=EARLIEST_BIRTH_YEAR,
        max_value=latest_birth_year(),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1985"}),
        error_messages={
            "min_value": _("Năm sinh phải từ %(limit_value)s trở đi."),
            "max_value": _("Năm sinh phải trước %(limit_value)s."),
            "invalid": _("Hãy nhập năm sinh bằng 4 chữ số, ví dụ 1985."),
        },
    )


def consent_label():
    return format_html(
        "{} <a href='{}' target='_blank'>{}</a>",
        _(
            "Tôi đồng ý để Học Số lưu và sử dụng họ tên, số điện thoại, năm sinh, giới tính, "
            "xã/phường và cơ quan của tôi để ghi nhận việc học, cấp giấy chứng nhận và tổ chức "
            "cuộc thi. Tôi có thể xem, sửa hoặc yêu cầu xoá dữ liệu này bất cứ lúc nào."
        ),
        reverse_lazy("privacy"),
        _("Đọc thông báo đầy đủ"),
    )


class ProfileSignupForm(forms.Form):
    """The profile part of sign-up; allauth adds phone and passwords around it."""

    field_order = [
        "full_name",
        "phone",
        "password1",
        "password2",
        "commune",
        "birth_year",
        "participant_kind",
        "gender",
        "consent",
    ]

    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Nguyễn Thị Lan"}),
    )
    commune = CommuneField()
    birth_year = birth_year_field()
    participant_kind = forms.ChoiceField(
        label=_("Bạn là"), choices=ParticipantKind.choices, initial=ParticipantKind.RESIDENT
    )
    gender = forms.ChoiceField(
        label=_("Giới tính (không bắt buộc)"),
        choices=[("", _("Không muốn nói"))] + list(Gender.choices),
        required=False,
    )
    consent = forms.BooleanField(
        label=lazy(consent_label, str)(),
        required=True,
        error_messages={
            "required": _("Bạn cần đồng ý với việc xử lý dữ liệu cá nhân để tạo tài khoản.")
        },
    )

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def signup(self, request, user):
        """allauth calls this after saving; the profile is saved with the user in the adapter."""


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves. The phone number is changed via allauth."""

    commune = CommuneField()
    birth_year = birth_year_field()

    class Meta:
        model = User
        fields = [
            "full_name",
            "email",
            "commune",
            "organization",
            "participant_kind",
            "birth_year",
            "gender",
        ]
        labels = {
            "full_name": _("Họ và tên"),
            "email": _("Email (không bắt buộc)"),
            "organization": _("Cơ quan, đơn vị (nếu có)"),
            "participant_kind": _("Bạn là"),
            "gender": _("Giới tính (không bắt buộc)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["organization"].queryset = Organization.objects.select_related("commune")
        self.fields["organization"].empty_label = _("— Không thuộc cơ quan nào —")
        self.fields["gender"].choices = [("", _("Không muốn nói"))] + list(Gender.choices)

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel danh sách (.xlsx)"),
        help_text=_("Tối đa 5 MB; dùng đúng các cột của tệp mẫu."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class HeadcountUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel số dự kiến (.xlsx)"),
        help_text=_("Tối đa 5 MB; dùng đúng các cột của tệp tải về từ trang này."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class HeadcountsForm(forms.Form):
    """The expected number of each listed commune or organization; blank: not known. Only
    units whose field is in the form are touched."""

    def __init__(self, *args, units, field: str, **kwargs):
        super().__init__(*args, **kwargs)
        for unit in units:
            self.fields[f"u{unit.pk}"] = forms.IntegerField(
                label=str(unit),
                required=False,
                min_value=1,
                max_value=MAX_EXPECTED,
                initial=getattr(unit, field),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
                error_messages={
                    "invalid": _("Hãy ghi một số nguyên, ví dụ 4500; để trống nếu chưa biết."),
                    "min_value": _("Số dự kiến phải từ 1 trở lên; để trống nếu chưa biết."),
                    "max_value": _("Số dự kiến tối đa là %(limit_value)s."),
                },
            )

    def values(self) -> dict[int, int | None]:
        """{unit id: number or None}, once the form is valid."""
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ConsentForm(forms.Form):
    """Asked once of people whose account a coordinator created (a roster import)."""

    consent = forms.BooleanField(
        label=lazy(consent_label, str)(),
        required=True,
        error_messages={"required": _("Bạn cần đồng ý với việc xử lý dữ liệu cá nhân để học.")},
    )


class AssistedSignupForm(forms.Form):
    """A volunteer signs a resident up on the volunteer's own phone."""

    full_name = forms.CharField(label=_("Họ và tên người dân"), max_length=150)
    phone = PhoneField(label=_("Số điện thoại của người dân"))
    birth_year = birth_year_field()
    commune = CommuneField(label=_("Xã, phường của người dân"))
    consent_spoken = forms.BooleanField(
        label=_(
            "Tôi đã đọc cho người dân nghe thông báo về dữ liệu cá nhân (họ tên, số điện thoại, "
            "năm sinh, xã/phường; dùng để ghi nhận việc học) và người dân đồng ý."
        ),
        required=True,
        error_messages={"required": _("Cần xác nhận người dân đã đồng ý trước khi tạo tài khoản.")},
    )

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class OrganizationForm(forms.Form):
    """An organization a coordinator adds or changes; the choices are those `placement`
    (accounts.services.organizations.Placement) allows, plus where an edited one stands now."""

    name = forms.CharField(
        label=_("Tên cơ quan, đơn vị"),
        max_length=Organization._meta.get_field("name").max_length,
        help_text=_("Ghi đủ tên, ví dụ: Trường THCS Giáp Trung, Trạm y tế xã Giáp Trung."),
    )
    kind = forms.ChoiceField(label=_("Loại"), choices=Organization.Kind.choices)
    # The choices are set per person below; one posted from outside them is out of scope.
    commune = forms.ModelChoiceField(
        Commune.objects.none(),
        label=_("Xã, phường nơi đặt trụ sở"),
        required=False,
        empty_label=_("— Cấp tỉnh, không thuộc xã nào —"),
        error_messages={"invalid_choice": _("Xã, phường này ngoài phạm vi bạn phụ trách.")},
    )
    parent = forms.ModelChoiceField(
        Organization.objects.none(),
        label=_("Đơn vị cấp trên"),
        required=False,
        empty_label=_("— Không có —"),
        error_messages={"invalid_choice": _("Đơn vị này ngoài phạm vi bạn phụ trách.")},
    )

    def __init__(self, *args, placement, instance: Organization | None = None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {
                "name": instance.name,
                "kind": instance.kind,
                "commune": instance.commune_id,
                "parent": instance.parent_id,
            }
        super().__init__(*args, **kwargs)
        communes, parents = placement.commune_choices(), placement.parent_choices()
        if instance is not None:  # where it stands now may be kept, even out of reach
            communes = communes | Commune.objects.filter(pk=instance.commune_id)
            parents = (parents | Organization.objects.filter(pk=instance.parent_id)).exclude(
                pk__in=Organization.objects.with_descendants([instance.pk])
            )
        self.fields["commune"].queryset = communes
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = _parent_label
        if instance is not None:
            return  # where it stands may be out of reach: the service refuses only a move
        if placement.needs_commune:
            self.fields["commune"].required = True
            self.fields["commune"].empty_label = _("— Chọn xã, phường —")
            if len(placement.communes) == 1:
                self.fields["commune"].initial = next(iter(placement.communes))
        if placement.needs_parent:
            self.fields["parent"].required = True
            self.fields["parent"].empty_label = _("— Chọn đơn vị cấp trên —")

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def similar_confirmed(self) -> bool:
        """The coordinator pressed “Vẫn tạo đơn vị mới” after seeing the names like this one;
        the button carries the name's key, so a name changed since is checked again."""
        return self.data.get("confirm_new") == organization_key(self.cleaned_data["name"])


def _parent_label(organization: Organization) -> str:
    # Two schools of one name in two communes must be told apart in the list.
    if organization.commune_id:
        return f"{organization.name} — {organization.commune.name}"
    return organization.name
