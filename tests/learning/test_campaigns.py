"""Mandatory training campaigns: the audience rule, late joiners, statuses, tallies."""

import datetime

from django.utils import timezone

from learning.models import Assignment, Status
from learning.services.campaigns import assign_campaign
from learning.services.reading import open_lesson
from tests import factories
from tests.factories import DEADLINE, NOW, OFFICIAL, finish, make_campaign


def assigned(campaign) -> set[str]:
    return set(campaign.assignments.values_list("user__full_name", flat=True))


def test_the_rule_names_kinds_and_communes_plus_additions_minus_exclusions(course, places):
    a, b = places
    factories.person(commune=a, full_name="Cán Bộ A", kind=OFFICIAL)
    factories.person(commune=b, full_name="Cán Bộ B", kind=OFFICIAL)
    factories.person(commune=a, full_name="Người Dân A")
    excluded = factories.person(commune=a, full_name="Cán Bộ Nghỉ", kind=OFFICIAL)
    extra = factories.person(commune=b, full_name="Người Dân Thêm")
    campaign = make_campaign(course, communes=[a])
    campaign.added.add(extra)
    campaign.excluded.add(excluded)
    assign_campaign(campaign, now=NOW)
    assert assigned(campaign) == {"Cán Bộ A", "Người Dân Thêm"}


def test_an_organization_rule_takes_its_sub_units(course, places):
    a, _ = places
    department = factories.organization("Sở Thử")
    unit = factories.organization("Phòng Thử", parent=department)
    factories.person(commune=a, full_name="Ở Phòng", organization=unit, kind=OFFICIAL)
    factories.person(commune=a, full_name="Không Cơ Quan", kind=OFFICIAL)
    campaign = make_campaign(course, organizations=[department])
    assert assigned(campaign) == {"Ở Phòng"}


def test_a_person_who_joins_later_is_assigned_with_the_deadline(course, places):
    a, b = places
    campaign = make_campaign(course, communes=[a])
    assert not campaign.assignments.exists()
    newcomer = factories.person(commune=a, full_name="Cán Bộ Mới", kind=OFFICIAL)
    assignment = Assignment.objects.get(user=newcomer)
    assert assignment.campaign.deadline == DEADLINE
    mover = factories.person(commune=b, full_name="Chuyển Đến", kind=OFFICIAL)
    assert not Assignment.objects.filter(user=mover).exists()
    mover.commune = a
    mover.save()
    assert Assignment.objects.filter(user=mover, campaign=campaign).exists()
    assign_campaign(campaign, now=NOW)  # idempotent
    assert campaign.assignments.count() == 2


def test_what_was_done_before_assignment_counts(course, places):
    a, _ = places
    early = factories.person(commune=a, full_name="Học Trước", kind=OFFICIAL)
    finish(early, course, start=NOW)
    campaign = make_campaign(course, communes=[a])
    assignment = campaign.assignments.get(user=early)
    assert assignment.started_at and assignment.completed_at


def test_statuses_and_tally(course, places):
    a, b = places
    people = {
        name: factories.person(commune=a if i % 2 else b, full_name=name, kind=OFFICIAL)
        for i, name in enumerate(["Chưa Học", "Đang Học", "Đúng Hạn", "Muộn"])
    }
    campaign = make_campaign(course)
    lesson = course.lessons.first()
    open_lesson(people["Đang Học"], lesson=lesson, now=NOW)
    finish(people["Đúng Hạn"], course, start=NOW)
    late = timezone.make_aware(datetime.datetime(2026, 1, 3, 8, 0))
    finish(people["Muộn"], course, start=late)

    def statuses(today):
        rows = Assignment.objects.with_status(campaign=campaign, today=today)
        return {r.user.full_name: r.status for r in rows.select_related("user")}

    before = statuses(datetime.date(2025, 12, 1))
    assert before == {
        "Chưa Học": Status.NOT_STARTED,
        "Đang Học": Status.IN_PROGRESS,
        "Đúng Hạn": Status.ON_TIME,
        "Muộn": Status.LATE,
    }
    after = statuses(datetime.date(2026, 1, 5))
    assert after["Chưa Học"] == after["Đang Học"] == Status.OVERDUE
    for assignment in campaign.assignments.select_related("user", "campaign"):
        assert assignment.status_on(datetime.date(2026, 1, 5)) == after[assignment.user.full_name]

    total = campaign.assignments.tally(campaign=campaign, today=datetime.date(2026, 1, 5))
    assert {k: total[k] for k in ("assigned", "started", "on_time", "late", "overdue", "rate")} == {
        "assigned": 4, "started": 3, "on_time": 1, "late": 1, "overdue": 2, "rate": 50,
    }  # fmt: skip
    by_commune = campaign.assignments.tally(
        campaign=campaign, today=datetime.date(2026, 1, 5), by="user__commune"
    )
    assert {r["user__commune"]: r["assigned"] for r in by_commune} == {a.pk: 2, b.pk: 2}


def test_breakdown_reads_once_what_the_tallies_count(course, places):
    a, b = places
    unit = factories.organization("Phòng Thử")
    factories.person(commune=a, full_name="Ở Phòng A", organization=unit, kind=OFFICIAL)
    factories.person(commune=b, full_name="Ở Phòng B", organization=unit, kind=OFFICIAL)
    done = factories.person(commune=b, full_name="Không Cơ Quan", kind=OFFICIAL)
    campaign = make_campaign(course)
    finish(done, course, start=NOW)
    today = datetime.date(2026, 1, 5)

    total, communes, organizations = campaign.assignments.breakdown(campaign=campaign, today=today)

    assert total == campaign.assignments.tally(campaign=campaign, today=today)
    by_commune = campaign.assignments.tally(campaign=campaign, today=today, by="user__commune")
    assert [(r["id"], r["assigned"], r["on_time"], r["overdue"]) for r in communes] == [
        (a.pk, 1, 0, 1),  # lowest completion rate first
        (b.pk, 2, 1, 1),
    ]
    assert {r["user__commune"]: r["rate"] for r in by_commune} == {a.pk: 0, b.pk: 50}
    assert [(r["name"], r["assigned"], r["rate"]) for r in organizations] == [
        ("Phòng Thử", 2, 0),
        ("Không thuộc cơ quan nào", 1, 100),
    ]


def test_officials_imported_from_a_roster_are_assigned(
    course, places, django_capture_on_commit_callbacks
):
    from accounts.scopes import Scope
    from accounts.services.rosters import confirm_roster, preview_roster
    from tests.factories import roster_file

    a, _ = places
    campaign = make_campaign(course, communes=[a])
    admin = factories.person(commune=a, full_name="Quản Trị")
    admin.is_superuser = True
    admin.save()
    rows = [["Cán Bộ Nhập", "0912000099", 1980, "", "Giáp Trung", "Cán bộ cấp xã"]]
    roster = preview_roster(roster_file(rows), user=admin, scope=Scope.of(admin))
    with django_capture_on_commit_callbacks(execute=True):
        confirm_roster(roster, now=NOW)
    assert "Cán Bộ Nhập" in assigned(campaign)
