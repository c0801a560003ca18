import pytest
from django.core.exceptions import ValidationError

from accounts.phone import normalize_phone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("(+84) 912 345 678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("+84 0912 345 678", "0912345678"),  # trunk zero kept after the country code
        ("912345678", "0912345678"),  # the leading zero forgotten
        (" 0388 123 456 ", "0388123456"),
        ("0561234567", "0561234567"),
        ("0701234567", "0701234567"),
        ("0812345678", "0812345678"),
        ("0398765432", "0398765432"),
    ],
)
def test_usual_shapes_normalise_to_ten_digits(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "invalid"),
        ("abc", "invalid"),
        ("091234567", "invalid"),  # 9 digits
        ("09123456789", "invalid"),  # 11 digits, not an old mobile prefix
        ("01234567890", "old_eleven_digit"),  # pre-2018 11-digit mobile
        ("+84 1234 567 890", "old_eleven_digit"),
        ("024 3825 1234", "landline"),  # Hà Nội landline
        ("0207 3822 123", "landline"),  # Tuyên Quang landline
        ("0243825123", "landline"),
        ("+1 202 555 0143", "foreign"),
        ("+86 138 0013 8000", "foreign"),
        ("0612345678", "invalid"),  # 06x is no mobile prefix
        ("0112345678", "invalid"),
        ("0912 345 67a", "invalid"),
    ],
)
def test_other_shapes_are_refused_with_a_vietnamese_reason(typed, code):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(typed)
    assert caught.value.code == code
    message = str(caught.value.messages[0])
    assert "số" in message.lower() or "Số" in message
