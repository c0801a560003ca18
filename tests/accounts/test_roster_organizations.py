"""A roster's organizations: matched to the directory however written, never created; an
unknown one is a row problem naming the closest of the importer's scope."""

import unicodedata

import pytest
from django.utils import timezone

from accounts.models import Organization, User
from accounts.scopes import Scope
from accounts.services.rosters import confirm_roster, preview_roster
from common.text import organization_key
from tests import factories
from tests.factories import roster_file


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("Ủy ban xã Giáp Trung", "UBND xã Giáp Trung"),
        ("uỷ ban nhân dân xã giáp trung", "UBND xã Giáp Trung"),
        ("  UBND  xã Giáp Trung, ", "UBND xã Giáp Trung"),
        ("HĐND xã Giáp Trung", "Hội đồng nhân dân xã Giáp Trung"),
        ("THCS Minh Thanh", "Trường Trung học cơ sở Minh Thanh"),
        ("Trường THPT Sơn Dương", "THPT Sơn Dương"),
        ("TH Kim Quan", "Trường Tiểu học Kim Quan"),
        ("Trường MN Thái Hòa", "Mầm non Thái Hoà"),
        (unicodedata.normalize("NFD", "Trạm Y tế xã Thái Hoà"), "Trạm y tế xã Thái Hòa"),
    ],
)
def test_an_organization_is_recognised_without_accents_case_or_abbreviations(written, named):
    assert organization_key(written) == organization_key(named)


def test_distinct_organizations_keep_distinct_keys():
    keys = {
        organization_key(name)
        for name in [
            "UBND xã Giáp Trung",
            "Ủy ban MTTQ xã Giáp Trung",
            "HĐND xã Giáp Trung",
            "Trường THCS Giáp Trung",
            "Trường THPT Giáp Trung",
            "Trường TH Giáp Trung",
        ]
    }
    assert len(keys) == 6


@pytest.fixture
def units(tuyen_quang):
    giap_trung, minh_thanh = factories.commune("00985"), factories.commune("02554")
    return {
        "ubnd": factories.organization("UBND xã Giáp Trung", commune=giap_trung),
        "thcs": factories.organization("Trường Trung học cơ sở Minh Thanh", commune=minh_thanh),
        "ubnd_mt": factories.organization("UBND xã Minh Thanh", commune=minh_thanh),
        "station": factories.organization("Trạm y tế xã Giáp Trung", commune=giap_trung),
    }


def test_roster_rows_name_existing_organizations_however_written(province_admin, units):
    rows = [
        ["Một", "0912000001", 1980, "Ủy ban xã Giáp Trung", "Giáp Trung", ""],
        ["Hai", "0912000002", 1980, "uỷ ban nhân dân xã giáp trung", "Giáp Trung", ""],
        ["Ba", "0912000003", 1980, "  UBND xã Giáp Trung ", "Giáp Trung", ""],
        ["Bốn", "0912000004", 1980, "THCS Minh Thanh", "Minh Thanh", "Viên chức"],
    ]
    count = Organization.objects.count()
    roster = preview_roster(roster_file(rows), user=province_admin, scope=Scope.of(province_admin))
    assert roster.problems == []
    ubnd, thcs = units["ubnd"], units["thcs"]
    assert [(r["organization_id"], r["organization"]) for r in roster.rows] == [
        (ubnd.pk, ubnd.name),
        (ubnd.pk, ubnd.name),
        (ubnd.pk, ubnd.name),
        (thcs.pk, thcs.name),
    ]
    ids = confirm_roster(roster, now=timezone.now())
    people = User.objects.filter(pk__in=ids)
    assert sorted(p.organization_id for p in people) == sorted([ubnd.pk] * 3 + [thcs.pk])
    assert Organization.objects.count() == count


def test_an_unknown_organization_is_a_row_problem_naming_the_closest_and_creates_nothing(
    province_admin, units
):
    rows = [
        ["Một", "0912000001", 1980, "Ủy ban xã Giáp Trug", "Giáp Trung", ""],
        ["Hai", "0912000002", 1980, "Công ty Cổ phần Chè Hoàng Long", "Giáp Trung", ""],
        ["Ba", "0912000003", 1980, "", "Giáp Trung", ""],
    ]
    count = Organization.objects.count()
    roster = preview_roster(roster_file(rows), user=province_admin, scope=Scope.of(province_admin))
    problems = {p["row"]: p["message"] for p in roster.problems}
    assert problems[2].startswith(
        "Không có cơ quan “Ủy ban xã Giáp Trug” trong phạm vi của bạn. "
        "Gần nhất: UBND xã Giáp Trung; UBND xã Minh Thanh"
    )
    assert problems[3] == (
        "Không có cơ quan “Công ty Cổ phần Chè Hoàng Long” trong phạm vi của bạn; hãy để "
        "trống ô này, hoặc thêm cơ quan ở trang “Cơ quan, đơn vị” rồi tải tệp lên lại."
    )
    assert [r["row"] for r in roster.rows] == [4]
    confirm_roster(roster, now=timezone.now())
    assert Organization.objects.count() == count
    assert User.objects.get(phone="0912000003").organization is None


def test_a_coordinator_names_only_organizations_of_their_scope(units):
    from accounts.models import Role

    giap_trung = factories.commune("00985")
    coordinator = factories.with_role(
        factories.person(commune=giap_trung), Role.COMMUNE_COORDINATOR, commune=giap_trung
    )
    rows = [
        ["Trong", "0912000001", 1980, "Trạm Y tế xã Giáp Trung", "Giáp Trung", ""],
        ["Ngoài", "0912000002", 1980, "UBND xã Minh Thanh", "Giáp Trung", ""],
    ]
    roster = preview_roster(roster_file(rows), user=coordinator, scope=Scope.of(coordinator))
    assert [r["organization_id"] for r in roster.rows] == [units["station"].pk]
    [problem] = roster.problems
    assert problem["message"].startswith(
        "Không có cơ quan “UBND xã Minh Thanh” trong phạm vi của bạn. Gần nhất: "
    )
    assert "Minh Thanh" not in problem["message"].split("Gần nhất:")[1]  # nothing outside


def test_two_organizations_with_one_name_are_told_apart_by_the_rows_commune(province_admin):
    minh_xuan, thai_hoa = factories.commune("02215"), factories.commune("02419")
    there = factories.organization("Trường Tiểu học Hồng Quang", commune=minh_xuan)
    here = factories.organization("Trường TH Hồng Quang", commune=thai_hoa)
    rows = [
        ["Một", "0912000001", 1980, "TH Hồng Quang", minh_xuan.name, ""],
        ["Hai", "0912000002", 1980, "TH Hồng Quang", thai_hoa.name, ""],
        ["Ba", "0912000003", 1980, "TH Hồng Quang", "Giáp Trung", ""],
    ]
    roster = preview_roster(roster_file(rows), user=province_admin, scope=Scope.of(province_admin))
    assert [r["organization_id"] for r in roster.rows] == [there.pk, here.pk]
    assert roster.problems[0]["message"].startswith("Có nhiều cơ quan ứng với “TH Hồng Quang”")


def test_past_the_suggestion_cap_unknown_organizations_are_refused_without_suggestions(
    province_admin, units, monkeypatch
):
    monkeypatch.setattr("accounts.roster.MAX_SUGGESTED", 1)
    rows = [
        ["Một", "0912000001", 1980, "Ủy ban xã Giáp Trug", "Giáp Trung", ""],
        ["Hai", "0912000002", 1980, "Ủy ban xã Giáp Trunk", "Giáp Trung", ""],
        ["Ba", "0912000003", 1980, "Ủy ban xã Giáp Trug", "Giáp Trung", ""],  # already asked
    ]
    roster = preview_roster(roster_file(rows), user=province_admin, scope=Scope.of(province_admin))
    problems = {p["row"]: p["message"] for p in roster.problems}
    assert "Gần nhất: UBND xã Giáp Trung" in problems[2]
    assert problems[3].endswith("ở trang “Cơ quan, đơn vị” rồi tải tệp lên lại.")
    assert "Gần nhất" not in problems[3]
    assert problems[4] == problems[2]
