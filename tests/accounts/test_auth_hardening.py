"""Issue 13: rate limits per phone number, the secret key, consent enforced, one-time
links spent only by a POST, and a password-reset page that reveals nothing."""

import re

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.services.sign_in_codes import issue_sign_in_codes
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


# --- Finding 8: consent is enforced ---------------------------------------------------------


@pytest.fixture
def unconsenting(tuyen_quang):
    """Someone a roster created, signed in (say by a slip) and past the consent page."""
    return factories.person_without_consent(commune=factories.commune("02269"), phone=A)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ho-so/",
        "/ho-so/sua/",
        "/hoc-cua-toi/",
        "/hoc/",
        "/thi/",
        "/tai-khoan/password/set/",
        "/quan-tri/",
    ],
)
def test_without_consent_every_page_sends_to_the_consent_page(client, unconsenting, path):
    client.force_login(unconsenting)
    response = client.get(path + "?x=1")
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:consent')}?{urlencode({'next': path + '?x=1'})}"


def test_without_consent_a_form_post_is_refused_and_nothing_is_saved(client, unconsenting):
    client.force_login(unconsenting)
    response = client.post(reverse("accounts:profile_edit"), {"full_name": "Kẻ Khác"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:consent")
    unconsenting.refresh_from_db()
    assert unconsenting.full_name == "Nguyễn Thị Lan"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_REQUESTED_WITH": "fetch"},
        {"HTTP_ACCEPT": "application/json"},
    ],
    ids=["page-script", "json-client"],
)
def test_without_consent_a_script_gets_a_json_refusal_not_a_redirect(client, unconsenting, headers):
    client.force_login(unconsenting)
    response = client.post("/ho-so/sua/", {}, **headers)
    assert response.status_code == 403
    body = response.json()
    assert body["ok"] is False
    assert "Bạn cần đồng ý" in body["message"]
    assert body["consent_url"] == reverse("accounts:consent")


def test_without_consent_the_consent_page_logout_privacy_health_and_language_work(
    client, unconsenting
):
    client.force_login(unconsenting)
    page = client.get(reverse("accounts:consent"))
    assert page.status_code == 200
    assert reverse("account_logout") in page.content.decode()  # a way out without agreeing
    assert client.get(reverse("privacy")).status_code == 200
    assert client.get(reverse("health")).status_code == 200
    switched = client.get(reverse("switch_language", args=["en"]) + "?next=/ho-so/")
    assert (switched.status_code, switched.url) == (302, "/ho-so/")
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_after_consent_the_page_asked_for_opens(client, unconsenting):
    client.force_login(unconsenting)
    asked = client.get("/ho-so/").url
    response = client.post(asked, {"consent": "on"})
    assert response.url == "/ho-so/"
    assert client.get("/ho-so/").status_code == 200
    unconsenting.refresh_from_db()
    assert unconsenting.consent_at is not None


def test_a_slip_sign_in_that_skips_the_consent_page_cannot_use_the_site(client, unconsenting):
    token = issue_sign_in_codes([unconsenting], now=timezone.now())[unconsenting.pk]
    response = client.post(reverse("sign_in_code", args=[token]))
    assert response.url.startswith(reverse("accounts:consent"))
    assert client.session["_auth_user_id"] == str(unconsenting.pk)
    # The person ignores the consent page and types addresses instead.
    for path in ["/hoc-cua-toi/", "/tai-khoan/password/set/", "/thi/"]:
        assert client.get(path).url.startswith(reverse("accounts:consent"))


def test_people_who_signed_up_or_were_helped_to_are_not_asked_again(client, tuyen_quang):
    signed_up = factories.person(commune=factories.commune("02269"))
    client.force_login(signed_up)
    assert client.get("/ho-so/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_without_consent_the_live_game_host_socket_is_refused(tuyen_quang):
    from quiz import games
    from tests.factories import make_question
    from tests.quiz.sockets import host_socket

    host = factories.person_without_consent(commune=factories.commune("02215"))
    host.is_superuser = True
    host.save(update_fields=["is_superuser"])
    game = games.create_game(host=host, title="Đố vui", questions=[make_question(1, 1)])
    browser = Client()
    browser.force_login(host)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()

    async def close_code() -> int:
        socket = host_socket(game.pk, cookie)
        connected, code = await socket.connect()
        while connected:  # accepted first, then closed with the refusal's code
            output = await socket.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                return output["code"]
        return code

    assert async_to_sync(close_code)() == 4403


@pytest.mark.parametrize("next_", ["²", "abc", "https://evil.example/", "//evil.example/"])
def test_the_consent_page_goes_to_learning_for_a_next_that_is_not_a_path_here(
    client, unconsenting, next_
):
    client.force_login(unconsenting)
    url = f"{reverse('accounts:consent')}?{urlencode({'next': next_})}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"consent": "on"})
    assert response.url == reverse("learning:my_learning")


# --- Finding 12a: a one-time link is spent by the button's POST, never by a GET -------------


def test_opening_a_sign_in_link_spends_nothing_until_the_button_is_pressed(client, unconsenting):
    token = issue_sign_in_codes([unconsenting], now=timezone.now())[unconsenting.pk]
    url = reverse("sign_in_code", args=[token])
    for _preview in range(3):  # an SMS app's preview, a chat app's, the person's own tap
        page = client.get(url)
        assert page.status_code == 200
        assert "_auth_user_id" not in client.session
    html = page.content.decode()
    assert f'<form method="post" action="{url}">' in html
    assert 'name="csrfmiddlewaretoken"' in html and "Đăng nhập</button>" in html
    response = client.post(url)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(unconsenting.pk)
    client.logout()
    assert client.post(url).status_code == 404  # spent by the one press


def test_the_sign_in_button_needs_the_pages_csrf_token(unconsenting):
    token = issue_sign_in_codes([unconsenting], now=timezone.now())[unconsenting.pk]
    url = reverse("sign_in_code", args=[token])
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url).status_code == 403  # another site cannot sign someone in
    page = browser.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(url, {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert browser.session["_auth_user_id"] == str(unconsenting.pk)


# --- Finding 12c: the email reset page reveals nothing and points to the SMS code ----------


def test_the_reset_page_answers_the_same_for_a_known_and_an_unknown_address(
    client, two_people, mailoutbox
):
    lan = two_people[0]
    lan.email = "lan@coquan.gov.vn"
    lan.save(update_fields=["email"])
    url = reverse("account_reset_password")
    answers = []
    for address in ["lan@coquan.gov.vn", "khong-co@coquan.gov.vn"]:
        response = client.post(url, {"email": address}, follow=True)
        answers.append((response.redirect_chain, response.content.decode()))
    assert answers[0] == answers[1]
    (chain, page), _same = answers
    assert chain == [(reverse("account_reset_password_done"), 302)]
    assert "Nếu địa chỉ email này gắn với một tài khoản Học Số" in page
    assert reverse("account_request_login_code") in page
    assert [m.to for m in mailoutbox] == [["lan@coquan.gov.vn"]]  # none to a stranger


def test_the_reset_page_is_vietnamese_and_sends_residents_to_a_code_by_sms(client):
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "Quên mật khẩu" in page and "Nhận mã đăng nhập qua SMS" in page
    assert f'href="{reverse("account_request_login_code")}"' in page
    assert "Password" not in page and "email address below" not in page


# --- Per-address limits behind nginx: each phone's own address, not the proxy's ------------


def test_behind_nginx_one_address_at_its_limit_does_not_stop_another(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    url = reverse("account_login")

    def from_(address: str, forged: str = ""):
        # nginx appends the address it saw; anything before it came from the client
        forwarded = f"{forged}, {address}" if forged else address
        return client.post(
            url, {"login": "0912"}, REMOTE_ADDR="127.0.0.1", **{"HTTP_X_FORWARDED_FOR": forwarded}
        )

    assert [from_("203.0.113.7").status_code for _ in range(2)] == [200, 200]
    assert from_("203.0.113.7").status_code == 429
    assert from_("203.0.113.7", forged="198.51.100.1").status_code == 429  # cannot dodge it
    assert from_("203.0.113.8").status_code == 200
