import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests import factories
from tests.factories import SIGNUP, sent_code

pytestmark = pytest.mark.django_db


def test_sign_up_by_phone_verifies_by_sms_and_lands_on_profile(client, sms_outbox):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response.url == reverse("account_verify_phone")
    assert [m.to for m in sms_outbox] == ["0912345678"]

    response = client.post(reverse("account_verify_phone"), {"code": sent_code(sms_outbox)})
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")

    user = User.objects.get()
    assert user.phone == "0912345678"
    assert user.phone_verified
    assert user.full_name == "Hoàng Thị Mai"
    assert user.commune.code == "00985"
    assert (user.birth_year, user.gender, user.participant_kind) == (1978, "female", "resident")
    assert user.consent_at is not None
    page = client.get(reverse("accounts:profile"))
    assert "Giáp Trung" in page.content.decode()


def test_sign_up_without_consent_creates_no_account(client, sms_outbox):
    response = client.post(reverse("account_signup"), {**SIGNUP, "consent": ""})
    assert response.status_code == 200
    assert "cần đồng ý" in response.content.decode()
    assert not User.objects.exists()
    assert not sms_outbox


def test_consent_box_starts_unticked_and_no_id_number_or_ethnicity_is_asked(client):
    html = client.get(reverse("account_signup")).content.decode()
    consent = re.search(r'<input[^>]*name="consent"[^>]*>', html).group(0)
    assert "checked" not in consent
    names = set(re.findall(r'name="([a-z_0-9]+)"', html))
    assert names >= {"full_name", "phone", "password1", "commune", "consent"}
    assert not names & {"cccd", "citizen_id", "id_number", "ethnicity", "dan_toc", "religion"}
    assert "Nghị định 13/2023" in client.get(reverse("privacy")).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "024 3825 1234", "số máy bàn"),
        ("phone", "+1 202 555 0143", "Việt Nam"),
        ("commune", "khong co xa nay", "Không tìm thấy"),
        ("commune", "minh", "Có nhiều xã"),
        ("birth_year", "1850", "Năm sinh"),
    ],
)
def test_bad_sign_up_input_gets_a_vietnamese_message(client, field, value, message):
    response = client.post(reverse("account_signup"), {**SIGNUP, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_a_number_already_registered_is_refused_in_any_shape(client):
    factories.person(commune=factories.commune("00985"), phone="0912345678")
    response = client.post(reverse("account_signup"), {**SIGNUP, "phone": "84912345678"})
    assert "đã được dùng để đăng ký" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("typed", ["0912345678", "+84 912 345 678", "84912345678", "0912.345.678"])
def test_log_in_with_any_shape_of_the_number(client, typed):
    factories.person(commune=factories.commune("00985"), phone="0912345678")
    response = client.post(
        reverse("account_login"), {"login": typed, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")


def test_wrong_password_is_refused_in_vietnamese(client):
    factories.person(commune=factories.commune("00985"), phone="0912345678")
    response = client.post(reverse("account_login"), {"login": "0912345678", "password": "sai"})
    assert response.status_code == 200
    assert "Số điện thoại hoặc mật khẩu chưa đúng" in response.content.decode()


def test_forgotten_password_signs_in_with_a_code_by_sms(client, sms_outbox):
    factories.person(commune=factories.commune("00985"), phone="0912345678")
    response = client.post(reverse("account_request_login_code"), {"phone": "0912 345 678"})
    assert response.status_code == 302
    assert sms_outbox[-1].to == "0912345678"
    response = client.post(reverse("account_confirm_login_code"), {"code": sent_code(sms_outbox)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_profile_edit_saves_and_requires_a_commune(client):
    user = factories.person(commune=factories.commune("00985"))
    client.force_login(user)
    form = {"full_name": "Hoàng Văn Dũng", "commune": "Minh Thanh", "participant_kind": "student"}
    response = client.post(reverse("accounts:profile_edit"), form)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.commune.code, user.participant_kind) == (
        "Hoàng Văn Dũng",
        "02554",
        "student",
    )
    response = client.post(reverse("accounts:profile_edit"), {**form, "commune": ""})
    assert response.status_code == 200
    assert "bắt buộc" in response.content.decode()


def test_profile_form_shows_the_current_commune_by_name(client):
    client.force_login(factories.person(commune=factories.commune("02419")))
    html = client.get(reverse("accounts:profile_edit")).content.decode()
    assert 'value="Thái Hòa"' in html


def test_pages_need_a_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_changing_the_phone_number_takes_effect_after_the_sms_code(client, sms_outbox):
    user = factories.person(commune=factories.commune("00985"), phone="0912345678")
    client.force_login(user)
    assert "Số hiện tại" in client.get(reverse("account_change_phone")).content.decode()
    response = client.post(reverse("account_change_phone"), {"phone": "+84 868 111 222"})
    assert response.status_code == 302
    assert sms_outbox[-1].to == "0868111222"
    response = client.post(reverse("account_verify_phone"), {"code": sent_code(sms_outbox)})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("0868111222", True)


def test_a_busy_booth_can_verify_many_residents_from_one_address(client, sms_outbox):
    for i in range(10):
        client.logout()
        response = client.post(reverse("account_signup"), {**SIGNUP, "phone": f"09120000{i:02d}"})
        assert response.url == reverse("account_verify_phone"), i
    assert len(sms_outbox) == 10


def test_a_rate_limit_in_sign_up_answers_429_in_vietnamese_not_500(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"verify_phone": "1/30s/key,1/m/ip"}
    client.post(reverse("account_signup"), SIGNUP)
    client.logout()
    response = client.post(reverse("account_signup"), {**SIGNUP, "phone": "0912000099"})
    assert response.status_code == 429
    assert "Bạn thao tác quá nhiều lần" in response.content.decode()
    assert User.objects.filter(phone="0912000099").exists()  # kept: log in to get the code
