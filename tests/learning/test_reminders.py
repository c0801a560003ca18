"""Reminders: before the deadline, when overdue, a weekly digest — and never twice."""

import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from learning.models import Campaign, Notification, Review
from learning.services.reminders import send_campaign_reminders, send_coordinator_digests
from tests import factories
from tests.factories import OFFICIAL, finish, held, make_campaign


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def test_reminders_go_to_people_not_done_and_only_once(course, tuyen_quang, sms_outbox):
    a = factories.commune("00985")
    waiting = factories.person(commune=a, full_name="Chưa Xong", kind=OFFICIAL, phone="0912000001")
    done = factories.person(commune=a, full_name="Đã Xong", kind=OFFICIAL, phone="0912000002")
    campaign = make_campaign(course)
    finish(done, course, start=at(datetime.date(2025, 10, 10)))

    week_before = at(campaign.deadline - datetime.timedelta(days=6))
    assert send_campaign_reminders(campaign, now=week_before) == 1
    assert [m.to for m in sms_outbox] == ["0912000001"]
    assert "Còn 6 ngày" in sms_outbox[0].body
    assert send_campaign_reminders(campaign, now=week_before) == 0  # same run again
    day_before = at(campaign.deadline - datetime.timedelta(days=1))
    assert send_campaign_reminders(campaign, now=day_before) == 1
    overdue = at(campaign.deadline + datetime.timedelta(days=2))
    assert send_campaign_reminders(campaign, now=overdue) == 1
    assert send_campaign_reminders(campaign, now=overdue) == 0
    assert len(sms_outbox) == 3
    assert Notification.objects.filter(user=waiting).count() == 3
    assert not Notification.objects.filter(user=done).exists()


def test_people_with_an_email_get_it_by_email_too(course, tuyen_quang, mailoutbox):
    person = factories.person(
        commune=factories.commune("00985"), full_name="Có Email", kind=OFFICIAL
    )
    person.email = "co.email@example.vn"
    person.save()
    campaign = make_campaign(course)
    send_campaign_reminders(campaign, now=at(campaign.deadline))
    assert [m.to for m in mailoutbox] == [["co.email@example.vn"]]
    assert campaign.title in mailoutbox[0].subject


def test_the_command_twice_sends_nothing_the_second_time(course, tuyen_quang, sms_outbox):
    a = factories.commune("00985")
    factories.person(commune=a, full_name="Chưa Xong", kind=OFFICIAL)
    factories.with_role(factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a)
    campaign = make_campaign(course)
    campaign.deadline = timezone.localdate() - datetime.timedelta(days=2)  # overdue, not ended
    campaign.save()
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = (len(sms_outbox), Notification.objects.count())
    assert first[0] >= 2  # the official's overdue reminder and the coordinator's digest
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (len(sms_outbox), Notification.objects.count()) == first


def test_a_coordinator_digest_counts_their_scope(course, tuyen_quang, sms_outbox):
    a, b = factories.commune("00985"), factories.commune("02554")
    factories.person(commune=a, full_name="Ở A", kind=OFFICIAL)
    factories.person(commune=b, full_name="Ở B", kind=OFFICIAL)
    coordinator = factories.with_role(
        factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a
    )
    make_campaign(course)
    now = at(datetime.date(2025, 11, 3))
    assert send_coordinator_digests(now=now) == 1
    digest = Notification.objects.get(user=coordinator)
    assert "0/1 hoàn thành" in digest.body
    assert send_coordinator_digests(now=now + datetime.timedelta(days=2)) == 0


def test_notifications_page_shows_and_marks_read(client, course, tuyen_quang):
    a = factories.commune("00985")
    person = factories.person(commune=a, full_name="Chưa Xong", kind=OFFICIAL)
    campaign = make_campaign(course)
    send_campaign_reminders(campaign, now=at(campaign.deadline))
    client.force_login(person)
    assert "1 mới" in client.get(reverse("learning:my_learning")).content.decode()
    page = client.get(reverse("learning:notifications")).content.decode()
    assert campaign.title in page
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_an_ended_campaign_goes_quiet_after_its_last_week(course, tuyen_quang, sms_outbox):
    a = factories.commune("00985")
    factories.person(commune=a, full_name="Chưa Xong", kind=OFFICIAL)
    factories.with_role(factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a)
    campaign = make_campaign(course)  # deadline 31/12/2025
    ended = campaign.deadline + datetime.timedelta(days=8)
    for day in range(0, 60, 3):  # every few days for two months after its last week
        call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert send_coordinator_digests(now=at(ended + datetime.timedelta(days=day))) == 0
    assert not sms_outbox
    assert not Notification.objects.exists()


def test_the_week_after_the_deadline_brings_one_overdue_reminder_and_one_last_digest(
    course, tuyen_quang, sms_outbox
):
    a = factories.commune("00985")
    late = factories.person(commune=a, full_name="Chưa Xong", kind=OFFICIAL)
    coordinator = factories.with_role(
        factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a
    )
    campaign = make_campaign(course)
    last_week = at(campaign.deadline + datetime.timedelta(days=3))
    assert Campaign.objects.reminding(last_week.date()).get() == campaign
    assert send_campaign_reminders(campaign, now=last_week) == 1
    assert send_coordinator_digests(now=last_week) == 1
    assert Notification.objects.filter(user=late).count() == 1
    assert Notification.objects.filter(user=coordinator).count() == 1


def test_a_campaign_not_yet_open_sends_nothing(course, tuyen_quang, sms_outbox):
    a = factories.commune("00985")
    factories.with_role(factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=a)
    campaign = make_campaign(course)  # opens 1/10/2025
    before = at(campaign.opens_on - datetime.timedelta(days=1))
    assert not Campaign.objects.reminding(before.date()).exists()
    assert send_coordinator_digests(now=before) == 0


def test_no_reminder_to_learn_for_someone_whose_certificate_waits_for_review(
    course, tuyen_quang, sms_outbox
):
    """A learner who finished but whose certificate is held for review is not done in the
    campaign's figures, yet "Mở Học Số để học tiếp" would ask them to do what they did;
    once the certificate is rejected they have something to do again, and hear of it."""
    a = factories.commune("00985")
    waiting = factories.person(commune=a, full_name="Chờ Duyệt", kind=OFFICIAL, phone="0912000003")
    campaign = make_campaign(course)
    certificate = held(waiting, course, now=at(datetime.date(2025, 10, 10)))
    assert certificate.review == Review.HELD
    assert send_campaign_reminders(campaign, now=at(campaign.deadline)) == 0
    assert sms_outbox == []

    certificate.review = Review.REJECTED
    certificate.save()
    overdue = at(campaign.deadline + datetime.timedelta(days=2))
    assert send_campaign_reminders(campaign, now=overdue) == 1
    assert [m.to for m in sms_outbox] == ["0912000003"]
