"""Published results are a record (issue 14): publishing stores the round's results as
round_results gave them, the results page reads that copy, and later changes to expected
headcounts, people or units leave it as published; publishing again stores it anew."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services.headcounts import set_expected_headcounts
from accounts.services.organizations import update_organization
from quiz import leaderboard
from quiz.models import Round
from quiz.services.results import close_round, publish_results
from tests import factories
from tests.factories import MINUTE, take

RESULTS = reverse("quiz:results", args=["cds"])
PUBLISHED_RATES = "Bắc Mê (10,0%); Giáp Trung (5,0%)"
UNRATED_ONE = "1 xã, phường có người dự thi chưa có số dự kiến nên chưa được xét."


def set_expected(django_capture_on_commit_callbacks, unit: str, values: dict) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # forgets the cached numbers
        set_expected_headcounts(unit=unit, values=values, source="", now=timezone.now())


@pytest.fixture
def closed(round_, tuyen_quang, django_capture_on_commit_callbacks):
    """Giáp Trung: 2 of 40 expected adults take part; Bắc Mê: 1 of 10; Thái Hòa: 1, no
    expected number. The school (20 staff expected) has one participant. Ranked, not yet
    published; three collective prizes of each kind."""
    giap_trung, bac_me, thai_hoa = (factories.commune(c) for c in ("00985", "00991", "02419"))
    school = factories.organization("Trường THCS Giáp Trung", commune=giap_trung)
    people = {
        "an": factories.person(commune=giap_trung, full_name="Nguyễn Văn An",
                               organization=school),
        "my": factories.person(commune=giap_trung, full_name="Lý Thị Mỷ"),
        "thi": factories.person(commune=bac_me, full_name="Ma Văn Thi"),
        "hoa": factories.person(commune=thai_hoa, full_name="Đỗ Thị Hoà"),
    }  # fmt: skip
    set_expected(django_capture_on_commit_callbacks, "commune",
                 {giap_trung.pk: 40, bac_me.pk: 10})  # fmt: skip
    set_expected(django_capture_on_commit_callbacks, "organization", {school.pk: 20})
    for n, person in enumerate(people.values()):
        take(person, round_, right_answers=6 - n, at=round_.opens_at)
    round_.unit_prizes = 3
    round_.closes_at = timezone.now() - MINUTE
    round_.save()
    close_round(round_, now=timezone.now())
    units = {"giap_trung": giap_trung, "bac_me": bac_me, "thai_hoa": thai_hoa, "school": school}
    return {"round": round_, "people": people, "units": units}


def rename(school) -> None:
    department = factories.with_role(
        factories.person(commune=factories.commune("02215"), full_name="Sở"),
        Role.PROVINCE_ADMIN,
    )
    update_organization(school, by=department, name="Trường THCS số 1 Giáp Trung",
                        kind=school.kind, commune=school.commune, parent=None)  # fmt: skip


def published_page(client) -> str:
    page = client.get(RESULTS)
    assert page.status_code == 200
    return page.content.decode()


def test_publishing_stores_exactly_what_the_results_were(client, closed):
    the_round = closed["round"]
    computed = leaderboard.round_results(the_round)
    publish_results(the_round, now=timezone.now())
    stored = Round.objects.get(pk=the_round.pk)
    assert stored.results == computed  # through JSON and back, on either database
    assert [w["name"] for w in stored.results["winners"]] == ["Nguyễn V. A.", "Lý T. M."]
    assert stored.results["participants"] == 4
    assert stored.results["rate_communes"] == [
        ["Bắc Mê", 1, 1, 10.0, 4.0, 0, 0, 10],  # the figures and the rate's base
        ["Giáp Trung", 2, 2, 5.0, 5.5, 1, 0, 40],
    ]
    assert stored.results["unrated_communes"] == ["Thái Hòa"]
    page = published_page(client)
    assert PUBLISHED_RATES in page and UNRATED_ONE in page


def test_a_changed_expected_headcount_leaves_the_published_prizes(
    client, closed, django_capture_on_commit_callbacks
):
    the_round, units = closed["round"], closed["units"]
    publish_results(the_round, now=timezone.now())
    set_expected(django_capture_on_commit_callbacks, "commune",
                 {units["bac_me"].pk: 100, units["thai_hoa"].pk: 2})  # fmt: skip
    now = leaderboard.current_results(the_round)["rate_communes"]
    assert [(r[0], r[3]) for r in now] == [("Thái Hòa", 50.0), ("Giáp Trung", 5.0),
                                           ("Bắc Mê", 1.0)]  # fmt: skip
    page = published_page(client)
    assert PUBLISHED_RATES in page and UNRATED_ONE in page
    assert "Thái Hòa (50" not in page


def test_a_participant_moving_commune_leaves_the_published_prizes(client, closed):
    the_round, units = closed["round"], closed["units"]
    publish_results(the_round, now=timezone.now())
    published = Round.objects.get(pk=the_round.pk).results
    thi = closed["people"]["thi"]
    client.force_login(thi)
    moved = client.post(
        reverse("accounts:profile_edit"),
        {"full_name": "Ma Văn Thi", "commune": "00985", "participant_kind": thi.participant_kind},
    )
    assert moved.status_code == 302
    thi.refresh_from_db()
    assert thi.commune == units["giap_trung"]
    factories.person(commune=units["giap_trung"], full_name="Người Mới Đăng Ký")
    close_round(the_round, now=timezone.now())  # ranked again: Thi now counts for Giáp Trung
    now = leaderboard.current_results(the_round, fresh=True)
    assert [(r[0], r[1]) for r in now["most_communes"]] == [("Giáp Trung", 3), ("Thái Hòa", 1)]
    client.logout()
    page = published_page(client)
    assert "Giáp Trung (2); Bắc Mê (1); Thái Hòa (1)" in page and PUBLISHED_RATES in page
    assert Round.objects.get(pk=the_round.pk).results == published


def test_a_renamed_organization_keeps_its_published_name(client, closed):
    the_round, school = closed["round"], closed["units"]["school"]
    publish_results(the_round, now=timezone.now())
    rename(school)
    cache.clear()  # as ten minutes later: the units' names are read afresh
    now = leaderboard.current_results(the_round)["most_organizations"]
    assert [r[0] for r in now] == ["Trường THCS số 1 Giáp Trung"]
    page = published_page(client)
    assert "Trường THCS Giáp Trung (1)" in page and "Trường THCS Giáp Trung (5,0%)" in page
    assert "số 1" not in page


def test_a_round_published_before_results_were_stored_still_renders(client, closed):
    the_round = closed["round"]
    Round.objects.filter(pk=the_round.pk).update(published_at=timezone.now(), results=None)
    page = published_page(client)
    assert "Giải Nhất" in page and "Nguyễn V. A." in page
    assert PUBLISHED_RATES in page  # computed from the current figures, as before


def test_publishing_again_stores_the_corrected_results(
    client, closed, django_capture_on_commit_callbacks
):
    the_round, units = closed["round"], closed["units"]
    host = factories.with_role(factories.person(commune=units["bac_me"], full_name="Chủ Trì"),
                               Role.CONTEST_HOST)  # fmt: skip
    client.force_login(host)
    admin = reverse("admin:quiz_round_changelist")
    publish = {"action": "publish", "_selected_action": [the_round.pk]}
    text = client.post(admin, publish, follow=True).content.decode()
    assert "đã công bố kết quả." in text
    assert "không được xét giải tập thể theo tỉ lệ: Thái Hòa." in text  # still warned
    assert "hãy công bố lại để xét lại giải tập thể theo tỉ lệ" in text
    set_expected(django_capture_on_commit_callbacks, "commune", {units["thai_hoa"].pk: 2})
    assert PUBLISHED_RATES in published_page(client)  # the record, until published again

    text = client.post(admin, publish, follow=True).content.decode()
    assert "hãy công bố lại" not in text and "theo tỉ lệ: Thái Hòa" not in text
    page = published_page(client)
    assert "Thái Hòa (50,0%); Bắc Mê (10,0%); Giáp Trung (5,0%)" in page
    assert UNRATED_ONE not in page
    assert Round.objects.get(pk=the_round.pk).results["unrated_communes"] == []


def test_publishing_reads_the_units_as_they_are_then_not_a_cached_copy(client, closed):
    the_round, school = closed["round"], closed["units"]["school"]
    leaderboard.snapshot(the_round.pk, fresh=True)  # the leaderboard cached the units' names
    rename(school)
    publish_results(the_round, now=timezone.now())
    assert "Trường THCS số 1 Giáp Trung (1)" in published_page(client)
