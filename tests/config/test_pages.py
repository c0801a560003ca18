import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from accounts.models import Commune, RoleGrant, User
from demo.management.commands.seed_demo import DEMO_PASSWORD, STAFF

pytestmark = pytest.mark.django_db


def test_home_page_answers_in_vietnamese(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Học kỹ năng số ngay trên điện thoại" in html
    assert 'name="viewport"' in html


def test_a_phone_set_to_english_still_gets_vietnamese(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_english_is_available_from_the_language_switch(client):
    page = client.get("/quyen-rieng-tu/").content.decode()
    link = reverse("switch_language", args=["en"])
    assert f'href="{link}"' in page
    response = client.get(link, HTTP_REFERER="http://testserver/quyen-rieng-tu/")
    assert (response.status_code, response.url) == (302, "http://testserver/quyen-rieng-tu/")
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Learn digital skills on your phone" in html
    translation.activate("vi")


def test_the_language_switch_goes_back_only_to_this_site(client):
    link = reverse("switch_language", args=["en"])
    assert client.get(link, HTTP_REFERER="https://evil.example/").url == "/"
    assert client.get(link, {"next": "//evil.example/"}).url == "/"
    assert client.get(reverse("switch_language", args=["xx"])).status_code == 404
    translation.activate("vi")


def test_missing_page_answers_404_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_seed_demo_is_idempotent_and_its_logins_work(client):
    call_command("seed_demo")
    counts = (User.objects.count(), RoleGrant.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), RoleGrant.objects.count()) == counts
    assert set(Commune.objects.filter(is_pilot=True).values_list("code", flat=True)) == {
        "00985",
        "02554",
    }
    assert User.objects.filter(commune__is_pilot=True, participant_kind="resident").count() >= 20
    for phone, _name, role, *_ in STAFF:
        client.logout()
        response = client.post(
            reverse("account_login"), {"login": phone, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, phone
        assert RoleGrant.objects.filter(user__phone=phone, role=role).exists()
    # The last one logged in is the contest host; the first is a province admin on the admin.
    client.logout()
    client.post(reverse("account_login"), {"login": STAFF[0][0], "password": DEMO_PASSWORD})
    assert client.get("/quan-tri/accounts/commune/").status_code == 200
