"""Forms of the quiz app: setting up a live game, entering its PIN, joining as a guest."""

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.converters import parse_id
from accounts.forms import CommuneField
from common.text import fold
from quiz.models import Game, Review, Round, Topic
from quiz.services.reviews import REASON_MAX

# Words a public nickname on a projector must not contain. With their tone marks (many
# innocent words share the toneless spelling: "các", "lớn", "buổi", "đèo", "đi"), as whole
# words of the lower-cased, NFC-normalised nickname.
BLOCKED_TONED = {"địt", "lồn", "buồi", "cặc", "đéo", "đụ", "đĩ", "dái", "đm", "đcm", "đmm"}
# Slang abbreviations and foreign words, matched after folding (no tones, đ → d), as whole
# words or inside the nickname with spaces and punctuation removed.
BLOCKED_FOLDED = {"vcl", "vkl", "vl", "dcm", "dmm", "clm", "cmm", "fuck", "shit", "bitch"}
BLOCKED_INSIDE = {"vcl", "dcm", "dmm", "clm", "fuck", "shit", "bitch", "occho", "chochet",
                  "memay", "bomay"}  # fmt: skip


def is_offensive(nickname: str) -> bool:
    toned = re.findall(r"\w+", unicodedata.normalize("NFC", nickname.lower()))
    if any(word in BLOCKED_TONED for word in toned):
        return True
    words = re.findall(r"[a-z0-9]+", fold(nickname))
    if any(word in BLOCKED_FOLDED for word in words):
        return True
    return any(bad in "".join(words) for bad in BLOCKED_INSIDE)


class TopicsField(forms.ModelMultipleChoiceField):
    """Ticked topics; a value that is not an id ("²", 25 digits) is refused before the
    query, where SQLite would overflow on it."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": pk},
                )  # fmt: skip
        return super()._check_values(value)


class GameForm(forms.ModelForm):
    topics = TopicsField(
        label=_("Lấy câu hỏi từ các chủ đề"),
        queryset=Topic.objects.all(),
        required=False,
        help_text=_("Để trống: cả ngân hàng câu hỏi."),
        widget=forms.CheckboxSelectMultiple,
    )
    count = forms.IntegerField(label=_("Số câu hỏi"), min_value=1, max_value=50, initial=10)

    class Meta:
        model = Game
        fields = [
            "title",
            "seconds_per_question",
            "scoring",
            "streak_bonus",
            "guests_allowed",
            "late_join",
            "leaderboard_each_question",
            "round",
        ]
        widgets = {"scoring": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a round whose results are not published yet can still take points.
        self.fields["round"].queryset = Round.objects.filter(
            published_at__isnull=True, contest__is_published=True
        ).select_related("contest")
        self.fields["round"].empty_label = _("Không tính vào vòng thi nào")

    def clean_seconds_per_question(self):
        seconds = self.cleaned_data["seconds_per_question"]
        if not 5 <= seconds <= 120:
            raise forms.ValidationError(_("Mỗi câu từ 5 đến 120 giây."))
        return seconds


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("Mã PIN trên màn hình"),
        max_length=7,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "123 456"}
        ),
    )

    def clean_pin(self):
        pin = re.sub(r"[^0-9]", "", self.cleaned_data["pin"])  # not "²" or "٣": \D keeps those
        if len(pin) != 6:
            raise forms.ValidationError(_("Mã PIN gồm 6 chữ số."))
        return pin


class GuestForm(forms.Form):
    nickname = forms.CharField(
        label=_("Biệt danh"),
        min_length=2,
        max_length=24,
        help_text=_("Hiện trên màn hình lớn; không dùng số điện thoại hay từ ngữ thô tục."),
    )
    commune = CommuneField(label=_("Xã, phường của bạn"))

    def clean_nickname(self):
        nickname = " ".join(self.cleaned_data["nickname"].split())
        if is_offensive(nickname):
            raise forms.ValidationError(_("Biệt danh này không phù hợp; hãy chọn biệt danh khác."))
        if re.search(r"\d{6,}", nickname):
            raise forms.ValidationError(_("Đừng dùng số điện thoại làm biệt danh."))
        return nickname


# Attempt.prediction is a PositiveIntegerField: PostgreSQL's integer holds up to 2,147,483,647.
MAX_PREDICTION = 2_147_483_647


class PredictionField(forms.Field):
    """A whole number typed with or without thousands separators ("1.200", "1,200",
    "1 200"); plain digits 0–9 only ("²" and other scripts' digits are refused)."""

    def to_python(self, value):
        text = re.sub(r"[\s.,]", "", value or "")
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(
                _("Số dự đoán chỉ gồm các chữ số 0–9, ví dụ 1200."), code="invalid"
            )
        if len(text) > len(str(MAX_PREDICTION)) or int(text) > MAX_PREDICTION:
            raise forms.ValidationError(
                _("Số dự đoán quá lớn; hãy nhập số không quá %(max)s.")
                % {"max": f"{MAX_PREDICTION:,}".replace(",", ".")},
                code="max_value",
            )
        return int(text)


class PredictionForm(forms.Form):
    """The tie-breaking prediction sent with a contest attempt; empty is allowed."""

    prediction = PredictionField(required=False)


class ReviewForm(forms.Form):
    """An organiser's decision on a held attempt: the reason is required, and disqualifying
    asks for a ticked confirmation (no script needed for the "are you sure")."""

    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[
            (Review.APPROVED, _("Duyệt: lượt thi được tính vào bảng xếp hạng")),
            (Review.DISQUALIFIED, _("Loại: lượt thi không bao giờ được xếp hạng")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn duyệt hoặc loại.")},
    )
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Người dự thi thấy lý do khi lượt thi bị loại."),
        error_messages={"required": _("Hãy ghi lý do của quyết định.")},
    )
    confirm = forms.BooleanField(label=_("Tôi xác nhận loại lượt thi này"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == Review.DISQUALIFIED and not data.get("confirm"):
            self.add_error("confirm", _("Hãy đánh dấu xác nhận trước khi loại lượt thi."))
        return data
