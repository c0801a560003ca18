"""Account slips of a confirmed roster: one one-time sign-in code per unclaimed account,
retired when printed again; a claimed account's slip has none."""

from django.utils import timezone

from accounts.models import Job, SignInCode, User
from accounts.scopes import Scope
from accounts.services.rosters import confirm_roster, preview_roster
from tests import factories
from tests.factories import UGLY, roster_file


def print_slips(client, roster, capture) -> bytes:
    """Press "In phiếu tài khoản": the job runs (inline in tests), then its file downloads."""
    from django.urls import reverse

    with capture(execute=True):
        response = client.post(reverse("accounts:roster_slips", args=[roster.pk]))
    job = Job.objects.latest("pk")
    assert response.url == reverse("accounts:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert job.state == Job.State.DONE, page
    download = client.get(reverse("accounts:job_download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    return b"".join(download.streaming_content)


def test_account_slips_sign_each_person_in_once(
    client, province_admin, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.qr import qr_in_pdf

    roster = preview_roster(roster_file(UGLY), user=province_admin, scope=Scope.of(province_admin))
    confirm_roster(roster, now=timezone.now())
    client.force_login(province_admin)
    urls = qr_in_pdf(print_slips(client, roster, django_capture_on_commit_callbacks))
    assert len(urls) == 5 and all(u.startswith("http://testserver/vao/") for u in urls)

    client.logout()
    response = client.post(urls[0])
    assert response.url.startswith(reverse("accounts:consent"))  # asked once, explicitly
    assert "Bạn cần đồng ý" in client.post(response.url, {}).content.decode()
    person = User.objects.get(pk=int(client.session["_auth_user_id"]))
    assert person.consent_at is None
    agreed = client.post(response.url, {"consent": "on"})
    assert agreed.url.startswith(reverse("account_set_password"))
    person.refresh_from_db()
    assert person.consent_at is not None
    roster.refresh_from_db()
    assert person.pk in roster.created_ids
    client.logout()
    assert client.post(urls[0]).status_code == 404  # used once already

    client.force_login(province_admin)
    print_slips(client, roster, django_capture_on_commit_callbacks)  # printed again
    client.logout()
    old = client.post(urls[1])
    assert old.status_code == 404 and "đã được thay bằng phiếu mới" in old.content.decode()


def test_reprinted_slips_give_a_claimed_account_no_sign_in_code(
    client, province_admin, django_capture_on_commit_callbacks
):
    import pypdfium2

    from tests.qr import qr_in_pdf

    roster = preview_roster(roster_file(UGLY), user=province_admin, scope=Scope.of(province_admin))
    confirm_roster(roster, now=timezone.now())
    client.force_login(province_admin)
    first = qr_in_pdf(print_slips(client, roster, django_capture_on_commit_callbacks))
    # One person signs in with their slip (and so has claimed the account), another set a
    # password through "Quên mật khẩu" on their own phone without ever using the slip.
    signed_in = client_class()
    signed_in.post(first[0])
    by_slip = int(signed_in.session["_auth_user_id"])
    roster.refresh_from_db()
    reset = User.objects.filter(pk__in=roster.created_ids).exclude(pk=by_slip).first()
    reset.set_password("mật-khẩu-riêng-123")
    reset.save()

    again = print_slips(client, roster, django_capture_on_commit_callbacks)
    assert len(qr_in_pdf(again)) == 3  # 5 people; 2 claimed their accounts
    document = pypdfium2.PdfDocument(again)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert text.count("đã kích hoạt") == 2
    assert "2 người đã kích hoạt tài khoản" in Job.objects.latest("pk").message
    # The first print's code of the person who reset their password is dead too.
    assert not SignInCode.objects.filter(user=reset, used_at__isnull=True).exists()


def test_a_code_printed_before_the_account_was_claimed_signs_no_one_in(client, province_admin):
    from accounts.services.sign_in_codes import issue_sign_in_codes

    person = factories.person_without_consent(commune=factories.commune("00985"))
    token = issue_sign_in_codes([person], now=timezone.now())[person.pk]
    person.set_password("mật-khẩu-riêng-123")  # claimed since, through their own phone
    person.save()
    assert client.post(f"/vao/{token}/").status_code == 404
    assert "_auth_user_id" not in client.session


def client_class():
    from django.test import Client

    return Client()


def test_an_expired_sign_in_code_does_not_work(client, province_admin):
    import datetime

    from accounts.services.sign_in_codes import issue_sign_in_codes

    person = factories.person_without_consent(commune=factories.commune("00985"))
    long_ago = timezone.now() - datetime.timedelta(days=15)
    token = issue_sign_in_codes([person], now=long_ago)[person.pk]
    assert client.post(f"/vao/{token}/").status_code == 404
    assert "_auth_user_id" not in client.session
