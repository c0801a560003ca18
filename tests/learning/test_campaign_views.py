"""The compliance dashboard and people list, in scope; an official's mandatory courses."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from learning.models import Assignment
from learning.services.campaigns import assign_campaign
from tests import factories
from tests.factories import NOW, OFFICIAL, finish, make_campaign


@pytest.fixture
def world(course, tuyen_quang):
    a, b = factories.commune("00985"), factories.commune("02554")
    people = {
        "a1": factories.person(commune=a, full_name="Cán Bộ Giáp Một", kind=OFFICIAL),
        "a2": factories.person(commune=a, full_name="Cán Bộ Giáp Hai", kind=OFFICIAL),
        "b1": factories.person(commune=b, full_name="Cán Bộ Minh Một", kind=OFFICIAL),
    }
    campaign = make_campaign(course)
    finish(people["a1"], course, start=NOW)
    viewers = {
        "coordinator_A": factories.with_role(
            factories.person(commune=a, full_name="Điều Phối A"),
            Role.COMMUNE_COORDINATOR,
            commune=a,
        ),
        "coordinator_B": factories.with_role(
            factories.person(commune=b, full_name="Điều Phối B"),
            Role.COMMUNE_COORDINATOR,
            commune=b,
        ),
        "province_admin": factories.with_role(
            factories.person(commune=b, full_name="Quản Trị"), Role.PROVINCE_ADMIN
        ),
    }
    return {"a": a, "b": b, "people": people, "campaign": campaign, "viewers": viewers}


VISIBLE = {
    "coordinator_A": {"Cán Bộ Giáp Một", "Cán Bộ Giáp Hai"},
    "coordinator_B": {"Cán Bộ Minh Một"},
    "province_admin": {"Cán Bộ Giáp Một", "Cán Bộ Giáp Hai", "Cán Bộ Minh Một"},
}
ALL = set().union(*VISIBLE.values())


@pytest.mark.parametrize("viewer", sorted(VISIBLE))
def test_people_list_shows_only_the_viewers_scope(client, world, viewer):
    client.force_login(world["viewers"][viewer])
    url = reverse("learning:campaign_people", args=[world["campaign"].pk])
    page = client.get(url).content.decode()
    assert {name for name in ALL if name in page} == VISIBLE[viewer]


@pytest.mark.parametrize(("viewer", "status"), [("coordinator_A", 404), ("coordinator_B", 200)])
def test_filtering_to_another_communes_people_is_not_found(client, world, viewer, status):
    client.force_login(world["viewers"][viewer])
    url = reverse("learning:campaign_people", args=[world["campaign"].pk])
    assert client.get(url, {"commune": world["b"].pk}).status_code == status


@pytest.mark.parametrize("unit", ["commune", "organization"])
def test_every_row_of_a_dashboard_drills_down_to_its_people(client, world, unit):
    """Coordinator A's people include those who work in A's committee and live in B, or
    live in A and work at a provincial department: the dashboard lists B and the
    department with a link, and the link lists them (it answered 404)."""
    committee = factories.organization("UBND xã Giáp Trung (thử)", commune=world["a"])
    department = factories.organization("Sở Thử Nghiệm", kind=Organization.Kind.DEPARTMENT)
    factories.person(commune=world["b"], organization=committee, full_name="Cán Bộ Ở Xa",
                     kind=OFFICIAL)  # fmt: skip
    factories.person(commune=world["a"], organization=department, full_name="Cán Bộ Sở",
                     kind=OFFICIAL)  # fmt: skip
    assign_campaign(world["campaign"], now=NOW)
    client.force_login(world["viewers"]["coordinator_A"])
    dashboard = client.get(reverse("learning:campaign", args=[world["campaign"].pk])).context
    target, name = (
        (world["b"].pk, "Cán Bộ Ở Xa") if unit == "commune" else (department.pk, "Cán Bộ Sở")
    )
    assert target in {row["id"] for row in dashboard[f"{unit}s"]}
    url = reverse("learning:campaign_people", args=[world["campaign"].pk])
    response = client.get(url, {unit: target})
    assert response.status_code == 200
    assert [a.user.full_name for a in response.context["page"].object_list] == [name]
    # A unit none of A's people belong to is still another scope's: not found.
    elsewhere = factories.organization("Trường Thử Nghiệm", commune=world["b"])
    other = factories.commune("00991").pk if unit == "commune" else elsewhere.pk
    assert client.get(url, {unit: other}).status_code == 404


def test_dashboard_counts_by_commune(client, world, django_assert_max_num_queries):
    client.force_login(world["viewers"]["province_admin"])
    url = reverse("learning:campaign", args=[world["campaign"].pk])
    with django_assert_max_num_queries(15):
        response = client.get(url)
    communes = {row["name"]: row for row in response.context["communes"]}
    assert communes["Giáp Trung"]["assigned"] == 2
    assert communes["Giáp Trung"]["on_time"] == 1
    assert communes["Giáp Trung"]["rate"] == 50
    assert communes["Minh Thanh"]["assigned"] == 1
    assert response.context["total"]["assigned"] == 3
    assert "<svg" in response.content.decode()


def test_a_coordinator_dashboard_counts_only_their_scope(client, world):
    client.force_login(world["viewers"]["coordinator_B"])
    response = client.get(reverse("learning:campaign", args=[world["campaign"].pk]))
    assert response.context["total"]["assigned"] == 1
    assert [row["name"] for row in response.context["communes"]] == ["Minh Thanh"]


def test_people_filtered_by_status(client, world):
    client.force_login(world["viewers"]["province_admin"])
    url = reverse("learning:campaign_people", args=[world["campaign"].pk])
    page = client.get(url, {"status": "on_time"}).content.decode()
    assert "Cán Bộ Giáp Một" in page and "Cán Bộ Giáp Hai" not in page


def test_residents_cannot_open_the_dashboard(client, world):
    client.force_login(world["people"]["a2"])
    assert client.get(reverse("learning:campaign", args=[world["campaign"].pk])).status_code == 403


def test_an_official_sees_mandatory_courses_first_with_days_left(client, world, course):
    official = world["people"]["a2"]
    client.force_login(official)
    page = client.get(reverse("learning:my_learning")).content.decode()
    assert page.index("Khoá học bắt buộc") < page.index("Giấy chứng nhận")
    assert world["campaign"].title in page and course.title in page
    assignment = Assignment.objects.get(user=official)
    days = (assignment.campaign.deadline - timezone.localdate()).days
    assert ("Quá hạn" in page) if days < 0 else (f"còn {days} ngày" in page)


def export(client, campaign, capture):
    """Ask for the report, follow the job page, download the file; the workbook."""
    import io

    from openpyxl import load_workbook

    with capture(execute=True):
        response = client.post(reverse("learning:campaign_export", args=[campaign.pk]))
    job_page = client.get(response.url)
    assert "Báo cáo đã xong" in job_page.content.decode()
    job = job_page.context["job"]
    download = client.get(reverse("learning:export_download", args=[job.pk]))
    return load_workbook(io.BytesIO(b"".join(download.streaming_content)))


def test_the_export_matches_the_dashboard(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["viewers"]["province_admin"])
    dashboard = client.get(reverse("learning:campaign", args=[world["campaign"].pk])).context
    book = export(client, world["campaign"], django_capture_on_commit_callbacks)
    assert book.sheetnames == ["Theo xã, phường", "Theo cơ quan", "Người học"]
    by_commune = book["Theo xã, phường"]
    assert by_commune.freeze_panes == "A2"
    rows = [list(r) for r in by_commune.iter_rows(min_row=2, values_only=True)]
    expected = [
        [r["name"], r["assigned"], r["started"], r["on_time"], r["late"], r["overdue"], r["rate"]]
        for r in dashboard["communes"]
    ]
    assert rows == expected
    people = list(book["Người học"].iter_rows(min_row=2, values_only=True))
    assert len(people) == dashboard["total"]["assigned"] == 3
    done = next(p for p in people if p[0] == "Cán Bộ Giáp Một")
    assert done[6] == "Hoàn thành đúng hạn" and done[8].year == 2025


@pytest.mark.parametrize("viewer", sorted(VISIBLE))
def test_the_export_holds_only_the_viewers_scope(
    client, world, viewer, django_capture_on_commit_callbacks
):
    client.force_login(world["viewers"][viewer])
    book = export(client, world["campaign"], django_capture_on_commit_callbacks)
    names = {row[0] for row in book["Người học"].iter_rows(min_row=2, values_only=True)}
    assert names == VISIBLE[viewer]


def test_export_cells_are_never_formulas(client, world, django_capture_on_commit_callbacks):
    from accounts.models import User

    evil = world["people"]["a2"]
    User.objects.filter(pk=evil.pk).update(full_name='=HYPERLINK("http://x.example","Bấm")')
    client.force_login(world["viewers"]["province_admin"])
    book = export(client, world["campaign"], django_capture_on_commit_callbacks)
    cells = [row[0] for row in book["Người học"].iter_rows(min_row=2)]
    evil_cell = next(c for c in cells if str(c.value).startswith("="))
    assert evil_cell.data_type == "s"


def test_no_text_in_any_sheet_becomes_a_formula_or_an_error(
    client, world, django_capture_on_commit_callbacks
):
    from accounts.models import Commune, User

    evil = world["people"]["a2"]
    unit = factories.organization("=1+1")
    User.objects.filter(pk=evil.pk).update(full_name="#N/A", phone="=2+2", organization=unit)
    Commune.objects.filter(pk=world["a"].pk).update(name="=SUM(A1)", code="#REF!")
    client.force_login(world["viewers"]["province_admin"])
    book = export(client, world["campaign"], django_capture_on_commit_callbacks)
    risky = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=#"
    ]
    assert {c.value for c in risky} == {"=1+1", "#N/A", "=2+2", "=SUM(A1)", "#REF!"}
    assert all(c.data_type == "s" for c in risky)


def test_export_dates_are_local_wall_time_as_dates(
    client, world, django_capture_on_commit_callbacks
):
    import datetime

    later = timezone.make_aware(datetime.datetime(2025, 11, 2, 20, 30))  # 13:30 UTC
    finish(world["people"]["b1"], world["campaign"].courses.get(), start=later)
    client.force_login(world["viewers"]["province_admin"])
    book = export(client, world["campaign"], django_capture_on_commit_callbacks)
    sheet = book["Người học"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["A"].width == 28
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    for person in ("a1", "b1"):  # each row its own dates (one styled cell serves them all)
        assignment = Assignment.objects.get(user=world["people"][person])
        row = rows[assignment.user.full_name]
        for cell, moment in ((row[7], assignment.started_at), (row[8], assignment.completed_at)):
            local = timezone.localtime(moment).replace(tzinfo=None)
            assert abs(cell.value - local).total_seconds() < 1  # Excel keeps milliseconds
            assert cell.number_format == "dd/mm/yyyy hh:mm"
    assert rows["Cán Bộ Minh Một"][8].value.hour == 20  # local wall time, not UTC (13:3x)
    assert rows["Cán Bộ Giáp Hai"][7].value is None


def test_the_dashboard_flags_completions_faster_than_the_minimum(client, world):
    from learning.models import Certificate

    Certificate.objects.filter(user=world["people"]["a1"]).update(seconds_taken=1)
    for viewer, flagged in (("province_admin", 1), ("coordinator_A", 1), ("coordinator_B", 0)):
        client.force_login(world["viewers"][viewer])
        response = client.get(reverse("learning:campaign", args=[world["campaign"].pk]))
        assert response.context["fast"] == flagged
    assert Certificate.objects.with_min_seconds().filter(too_fast=True).count() == 1


def test_an_export_is_only_for_who_asked(client, world, django_capture_on_commit_callbacks):
    from learning.models import ExportJob

    client.force_login(world["viewers"]["coordinator_A"])
    export(client, world["campaign"], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    client.force_login(world["viewers"]["province_admin"])
    assert client.get(reverse("learning:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("learning:export_download", args=[job.pk])).status_code == 404


def test_a_running_export_shows_progress_and_reloads(client, world):
    from learning.models import ExportJob

    user = world["viewers"]["province_admin"]
    job = ExportJob.objects.create(
        created_by=user, campaign=world["campaign"], created_at=timezone.now(),
        state=ExportJob.State.RUNNING, total=200, done=50,
    )  # fmt: skip
    client.force_login(user)
    page = client.get(reverse("learning:export_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and 'aria-valuenow="25"' in page


@pytest.mark.django_db(transaction=True)
def test_an_export_is_built_in_a_thread(client, course, tuyen_quang, settings):
    import time

    from learning.models import ExportJob

    settings.EXPORTS_IN_BACKGROUND = True
    factories.person(commune=factories.commune("00985"), full_name="Cán Bộ", kind=OFFICIAL)
    campaign = make_campaign(course)
    admin = factories.with_role(
        factories.person(commune=factories.commune("00985")), Role.PROVINCE_ADMIN
    )
    client.force_login(admin)
    client.post(reverse("learning:campaign_export", args=[campaign.pk]))
    job = ExportJob.objects.get()
    for _ in range(100):  # the request answered at once; the file comes a moment later
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.05)
    assert job.state == ExportJob.State.DONE and job.total == 1


def test_a_failed_export_says_so_and_offers_a_retry(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    from learning.models import ExportJob

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.PRIVATE_ROOT = blocker  # the file cannot be written below a file
    client.force_login(world["viewers"]["province_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("learning:campaign_export", args=[world["campaign"].pk]))
    assert ExportJob.objects.get().state == ExportJob.State.FAILED
    page = client.get(response.url).content.decode()
    assert "Không tạo được báo cáo" in page and "Thử lại" in page


@pytest.mark.parametrize("organizations", [0, 1, 2, 5])
def test_a_coordinator_drills_down_to_their_own_commune_whatever_its_organizations(
    client, world, organizations
):
    # The scope reaches a commune through its organizations too: with two or more located
    # in it, the commune came once per organization and the drill-down answered 500.
    for n in range(organizations):
        factories.organization(f"Trường Thử Nghiệm {n}", commune=world["a"])
    client.force_login(world["viewers"]["coordinator_A"])
    url = reverse("learning:campaign_people", args=[world["campaign"].pk])
    response = client.get(url, {"commune": world["a"].pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert {name for name in ALL if name in page} == VISIBLE["coordinator_A"]
