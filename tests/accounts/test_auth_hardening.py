"""Issue 13: rate limits per phone number, the secret key, consent enforced, one-time
links spent only by a POST, and a password-reset page that reveals nothing."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LOCKED = "Bạn đã nhập sai quá nhiều lần"
A, B = "0912345678", "0987654321"


@pytest.fixture
def two_people(tuyen_quang):
    commune = factories.commune("02269")
    return factories.person(commune=commune, phone=A), factories.person(commune=commune, phone=B)


def log_in(client, login: str, password: str = factories.PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def wrong_passwords(client, login: str, times: int = 5) -> None:
    for n in range(times):
        response = log_in(client, login, f"sai-{n}")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()


# --- Finding 1: the failed-login limit keys on the phone number --------------------------


def test_wrong_passwords_for_one_phone_do_not_lock_another(client, two_people):
    wrong_passwords(client, A)
    response = log_in(client, B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(two_people[1].pk)


def test_the_sixth_try_on_the_same_phone_is_refused_in_vietnamese(client, two_people):
    wrong_passwords(client, A)
    response = log_in(client, A)  # even the right password, until the window passes
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_every_way_of_writing_a_number_shares_its_counter(client, two_people):
    for shape in ["+84912345678", "84912345678", "0912 345 678", "+84 912.345.678", "0912345678"]:
        wrong_passwords(client, shape, times=1)
    response = log_in(client, "+84 912 345 678")
    assert LOCKED in response.content.decode()
    assert log_in(client, B).status_code == 302


def test_a_successful_login_does_not_count_as_a_failure(client, two_people):
    wrong_passwords(client, A, times=4)
    assert log_in(client, A).status_code == 302
    client.logout()
    wrong_passwords(client, A, times=1)  # the fifth failure is still allowed
    assert LOCKED in log_in(client, A, "sai-nua").content.decode()


def test_sign_in_codes_by_sms_are_limited_per_number_not_for_everyone(client, two_people):
    url = reverse("account_request_login_code")
    for shape in ["0912345678", "+84912345678", "84 912 345 678"]:
        assert client.post(url, {"phone": shape}).status_code == 302
        client.cookies.clear()  # a fresh visitor each time: the limit is the number's
    response = client.post(url, {"phone": "0912.345.678"})
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert client.post(url, {"phone": B}).status_code == 302


def test_the_admin_login_goes_through_the_rate_limited_login(client, two_people):
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    wrong_passwords(client, A)
    response = client.post(
        "/quan-tri/login/", {"username": A, "password": factories.PASSWORD, "next": "/quan-tri/"}
    )
    assert "_auth_user_id" not in client.session
