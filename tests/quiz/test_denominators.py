"""Participation rates over the expected headcount (issue 14, denominators): the contest's
commune and organization tables say which base each rate uses, and rate-based collective
prizes go only to units with an expected headcount; the organiser is told which lack one."""

import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from accounts.services.headcounts import set_expected_headcounts
from quiz import leaderboard
from quiz.services.results import close_round, publish_results
from tests import factories
from tests.factories import MINUTE, take

REGISTERED = "số tài khoản đã đăng ký (chưa có số dự kiến)"


@pytest.fixture
def units(tuyen_quang):
    giap_trung, bac_me, thai_hoa = (factories.commune(c) for c in ("00985", "00991", "02419"))
    school = factories.organization("Trường THCS Giáp Trung", commune=giap_trung)
    club = factories.organization("Câu lạc bộ Tin học", commune=bac_me)
    return {"giap_trung": giap_trung, "bac_me": bac_me, "thai_hoa": thai_hoa,
            "school": school, "club": club}  # fmt: skip


@pytest.fixture
def played(round_, units, django_capture_on_commit_callbacks):
    """Giáp Trung: 3 accounts, 2 take part, 40 adults expected. Bắc Mê: its 1 account takes
    part (100 % of registered), no expected number. Thái Hòa: 1 of 2 expected adults. The
    school (20 staff expected) and the club (none) have one participant each."""
    people = [
        factories.person(commune=units["giap_trung"], full_name="Nguyễn Văn An",
                         organization=units["school"]),
        factories.person(commune=units["giap_trung"], full_name="Lý Thị Mỷ"),
        factories.person(commune=units["giap_trung"], full_name="Hoàng Văn Chưa Thi"),
        factories.person(commune=units["bac_me"], full_name="Ma Văn Thi",
                         organization=units["club"]),
        factories.person(commune=units["thai_hoa"], full_name="Đỗ Thị Hoà"),
    ]  # fmt: skip
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        set_expected_headcounts(
            unit="commune",
            values={units["giap_trung"].pk: 40, units["thai_hoa"].pk: 2},
            source="dan-so.xlsx",
            now=now,
        )
        set_expected_headcounts(
            unit="organization", values={units["school"].pk: 20}, source="", now=now
        )
    for person in (people[0], people[1], people[3], people[4]):
        take(person, round_, right_answers=3, at=round_.opens_at)
    return people


def test_each_rate_is_over_the_expected_headcount_where_set_and_says_so_where_not(
    client, round_, played
):
    data = leaderboard.snapshot(round_.pk, fresh=True)
    # [name, participants, registered, rate %, average, perfect, game points, expected]
    assert sorted(data["communes"]) == [
        ["Bắc Mê", 1, 1, 100.0, 3.0, 0, 0, None],  # over its 1 account: marked, not a prize
        ["Giáp Trung", 2, 3, 5.0, 3.0, 0, 0, 40],  # 2 of 40 adults, not 2 of 3 accounts
        ["Thái Hòa", 1, 1, 50.0, 3.0, 0, 0, 2],
    ]
    assert sorted(data["organizations"]) == [
        ["Câu lạc bộ Tin học", 1, 1, 100.0, 3.0, 0, 0, None],
        ["Trường THCS Giáp Trung", 1, 1, 5.0, 3.0, 0, 0, 20],
    ]
    assert json.loads(leaderboard.encoded(data))["communes"] == data["communes"]
    page = client.get(reverse("quiz:leaderboard", args=["cds", 1])).content.decode()
    assert "<td>100,0*</td>" in page and "<td>5,0</td>" in page
    assert "Tỉ lệ dự thi tính trên số người trưởng thành dự kiến" in page
    assert "Dấu *: đơn vị chưa có số dự kiến" in page


def test_a_rate_prize_goes_only_to_units_with_an_expected_headcount(client, round_, played):
    results = leaderboard.round_results(round_)
    assert [r[0] for r in results["most_communes"]] == ["Giáp Trung"]  # counts: unchanged
    # Bắc Mê's 100 % is over its accounts: not ranked by rate at all.
    assert [(r[0], r[3]) for r in results["rate_communes"]] == [("Thái Hòa", 50.0)]
    assert results["unrated_communes"] == ["Bắc Mê"]
    assert [(r[0], r[3]) for r in results["rate_organizations"]] == [
        ("Trường THCS Giáp Trung", 5.0)
    ]
    assert results["unrated_organizations"] == ["Câu lạc bộ Tin học"]
    round_.unit_prizes = 3
    round_.save()
    everyone = leaderboard.round_results(round_)["rate_communes"]
    assert [r[0] for r in everyone] == ["Thái Hòa", "Giáp Trung"]

    round_.closes_at = timezone.now() - MINUTE
    round_.save()
    close_round(round_, now=timezone.now())
    publish_results(round_, now=timezone.now())
    page = client.get(reverse("quiz:results", args=["cds"])).content.decode()
    assert "Thái Hòa (50,0%); Giáp Trung (5,0%)" in page
    assert "1 xã, phường có người dự thi chưa có số dự kiến nên chưa được xét." in page
    assert "Bắc Mê (100" not in page


def test_without_any_expected_headcount_no_unit_wins_a_rate_prize(round_, units):
    for code in ("00985", "00991"):
        take(factories.person(commune=factories.commune(code)), round_, right_answers=2,
             at=round_.opens_at)  # fmt: skip
    results = leaderboard.round_results(round_)
    assert results["rate_communes"] == []
    assert results["unrated_communes"] == ["Bắc Mê", "Giáp Trung"]
    assert [r[0] for r in results["most_communes"]] == ["Bắc Mê"]  # a tie: by name


def test_the_organiser_is_told_which_units_lack_a_headcount_when_ranking_and_publishing(
    client, round_, played
):
    host = factories.with_role(factories.person(commune=factories.commune("02215")),
                               Role.CONTEST_HOST)  # fmt: skip
    client.force_login(host)
    round_.closes_at = timezone.now() - MINUTE
    round_.save()
    url = reverse("admin:quiz_round_changelist")
    for action in ("rank", "publish"):
        page = client.post(url, {"action": action, "_selected_action": [round_.pk]}, follow=True)
        text = page.content.decode()
        assert (
            "1 xã, phường có người dự thi nhưng chưa có số người trưởng thành dự kiến nên "
            "không được xét giải tập thể theo tỉ lệ: Bắc Mê." in text
        ), action
        assert "không được xét giải tập thể theo tỉ lệ: Câu lạc bộ Tin học." in text
        assert reverse("accounts:headcounts") in text
    round_.unit_prizes = 0  # no collective prizes: nothing to warn about
    round_.save()
    page = client.post(url, {"action": "rank", "_selected_action": [round_.pk]}, follow=True)
    assert "không được xét giải tập thể" not in page.content.decode()


def test_the_round_workbook_names_the_base_of_each_rate(client, round_, played):
    host = factories.with_role(factories.person(commune=factories.commune("02215")),
                               Role.CONTEST_HOST)  # fmt: skip
    client.force_login(host)
    response = client.get(reverse("quiz:export", args=["cds", 1]))
    book = load_workbook(io.BytesIO(response.content))
    communes = book["Theo xã, phường"]
    assert [c.value for c in communes[1]] == [
        "Xã, phường", "Số người dự thi", "Số tài khoản đã đăng ký",
        "Số người trưởng thành dự kiến", "Tỉ lệ dự thi (%)", "Tỉ lệ tính trên",
        "Điểm trung bình", "Số người đúng hết", "Điểm trò chơi trực tiếp",
    ]  # fmt: skip
    rows = sorted(list(r[:6]) for r in communes.iter_rows(min_row=2, values_only=True))
    assert rows == [
        ["Bắc Mê", 1, 1, None, 100, REGISTERED],
        ["Giáp Trung", 2, 3, 40, 5, "số người trưởng thành dự kiến"],
        ["Thái Hòa", 1, 1, 2, 50, "số người trưởng thành dự kiến"],
    ]
    organizations = book["Theo cơ quan"]
    assert [c.value for c in organizations[1]][3] == "Số cán bộ, nhân viên dự kiến"
    rows = sorted(list(r[:6]) for r in organizations.iter_rows(min_row=2, values_only=True))
    assert rows == [
        ["Câu lạc bộ Tin học", 1, 1, None, 100, REGISTERED],
        ["Trường THCS Giáp Trung", 1, 1, 20, 5, "số cán bộ, nhân viên dự kiến"],
    ]
