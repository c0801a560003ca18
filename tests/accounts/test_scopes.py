"""The scope matrix: every role against people inside and outside its scope."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Commune, Organization, Role
from accounts.scopes import Scope
from tests import factories

# Who each viewer may see. Communes: A = Giáp Trung, B = Minh Thanh.
# Organizations: X = a provincial department with a child unit Xc; Y = a committee located in B.
PEOPLE = ["in_A", "in_B", "works_X_lives_B", "works_Xc_lives_A", "works_Y_lives_A"]
VISIBLE = {
    "province_admin": set(PEOPLE),
    "coordinator_A": {"in_A", "works_Xc_lives_A", "works_Y_lives_A"},
    "coordinator_B": {"in_B", "works_X_lives_B", "works_Y_lives_A"},
    "coordinator_X": {"works_X_lives_B", "works_Xc_lives_A"},
}
NOT_COORDINATORS = ["content_editor", "contest_host", "resident"]


@pytest.fixture
def world(db):
    a, b = factories.commune("00985"), factories.commune("02554")
    x = factories.organization("Sở Thử Nghiệm", kind=Organization.Kind.DEPARTMENT)
    xc = factories.organization("Phòng Thử Nghiệm", parent=x)
    y = factories.organization("UBND xã Minh Thanh (thử)", commune=b)
    people = {
        "in_A": factories.person(commune=a, full_name="Lý Thị Một"),
        "in_B": factories.person(commune=b, full_name="Lý Thị Hai"),
        "works_X_lives_B": factories.person(commune=b, organization=x, full_name="Lý Văn Ba"),
        "works_Xc_lives_A": factories.person(commune=a, organization=xc, full_name="Lý Văn Bốn"),
        "works_Y_lives_A": factories.person(commune=a, organization=y, full_name="Lý Văn Năm"),
    }
    viewers = {
        "province_admin": factories.with_role(factories.person(commune=b), Role.PROVINCE_ADMIN),
        "coordinator_A": factories.with_role(
            factories.person(commune=b), Role.COMMUNE_COORDINATOR, commune=a
        ),
        "coordinator_B": factories.with_role(
            factories.person(commune=a), Role.COMMUNE_COORDINATOR, commune=b
        ),
        "coordinator_X": factories.with_role(
            factories.person(commune=a), Role.ORGANIZATION_COORDINATOR, organization=x
        ),
        "content_editor": factories.with_role(factories.person(commune=a), Role.CONTENT_EDITOR),
        "contest_host": factories.with_role(factories.person(commune=a), Role.CONTEST_HOST),
        "resident": factories.person(commune=a),
    }
    return people, viewers


@pytest.mark.parametrize("viewer", list(VISIBLE))
@pytest.mark.parametrize("target", PEOPLE)
def test_person_detail_answers_404_outside_the_scope(client, world, viewer, target):
    people, viewers = world
    client.force_login(viewers[viewer])
    response = client.get(reverse("accounts:person_detail", args=[people[target].pk]))
    expected = 200 if target in VISIBLE[viewer] else 404
    assert response.status_code == expected
    if expected == 200:
        assert people[target].full_name in response.content.decode()


@pytest.mark.parametrize("viewer", list(VISIBLE))
def test_people_list_and_export_hold_exactly_the_scope(client, world, viewer):
    people, viewers = world
    client.force_login(viewers[viewer])
    names = {key: people[key].full_name for key in PEOPLE}
    expected = {names[key] for key in VISIBLE[viewer]}

    html = client.get(reverse("accounts:people_list")).content.decode()
    assert {n for n in names.values() if n in html} == expected

    response = client.get(reverse("accounts:people_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported & set(names.values()) == expected


@pytest.mark.parametrize("viewer", NOT_COORDINATORS)
@pytest.mark.parametrize(
    "url_name", ["accounts:people_list", "accounts:people_export", "accounts:person_detail"]
)
def test_people_pages_are_closed_to_other_roles(client, world, viewer, url_name):
    people, viewers = world
    client.force_login(viewers[viewer])
    args = [people["in_A"].pk] if url_name == "accounts:person_detail" else []
    assert client.get(reverse(url_name, args=args)).status_code == 403


def test_people_pages_send_anonymous_visitors_to_log_in(client, world):
    people, _ = world
    response = client.get(reverse("accounts:person_detail", args=[people["in_A"].pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_roles_add_up(world):
    people, viewers = world
    user = viewers["coordinator_A"]
    factories.with_role(
        user, Role.ORGANIZATION_COORDINATOR, organization=people["works_X_lives_B"].organization
    )
    user = type(user).objects.get(pk=user.pk)  # a fresh object: the scope is cached per object
    visible = set(
        Scope.of(user).filter(type(user).objects.filter(pk__in=[p.pk for p in people.values()]))
    )
    keys = {k for k, p in people.items() if p in visible}
    assert keys == VISIBLE["coordinator_A"] | VISIBLE["coordinator_X"]


def test_people_list_filters_and_searches_without_accents(client, world):
    people, viewers = world
    client.force_login(viewers["province_admin"])
    html = client.get(reverse("accounts:people_list"), {"q": "ly van bon"}).content.decode()
    assert "Lý Văn Bốn" in html and "Lý Thị Một" not in html
    html = client.get(reverse("accounts:people_list"), {"commune": "02554"}).content.decode()
    assert "Lý Thị Hai" in html and "Lý Thị Một" not in html


def test_empty_people_list_says_what_to_do(client, world):
    _, viewers = world
    client.force_login(viewers["coordinator_A"])
    html = client.get(reverse("accounts:people_list"), {"q": "khong ai ten nay"}).content.decode()
    assert "Chưa có ai trong danh sách này" in html


def test_people_list_is_paginated(client, world):
    _, viewers = world
    a = factories.commune("00985")
    for i in range(55):
        factories.person(commune=a, full_name=f"Người Thử {i:02d}")
    client.force_login(viewers["coordinator_A"])
    first = client.get(reverse("accounts:people_list")).content.decode()
    assert "Trang 1 / 2" in first
    second = client.get(reverse("accounts:people_list"), {"page": 2}).content.decode()
    assert "Trang 2 / 2" in second


def test_people_list_and_export_query_count_does_not_grow_with_people(
    client, world, django_assert_max_num_queries
):
    _, viewers = world
    a = factories.commune("00985")
    for i in range(40):
        factories.person(commune=a, full_name=f"Người Thử {i:02d}")
    client.force_login(viewers["coordinator_A"])
    with django_assert_max_num_queries(10):
        client.get(reverse("accounts:people_list"))
    with django_assert_max_num_queries(10):
        client.get(reverse("accounts:people_export"))


def test_a_scope_through_a_to_many_path_holds_each_object_once(world):
    people, viewers = world
    a = people["in_A"].commune
    for n in range(3):
        factories.organization(f"Hội Thử Nghiệm {n}", commune=a)
    scope = Scope.of(viewers["coordinator_A"])
    communes = scope.filter(Commune.objects.all(), commune="pk", organization="organizations")
    assert list(communes.values_list("pk", flat=True)) == [a.pk]
    assert (
        scope.get_object_or_404(
            Commune.objects.all(), paths={"commune": "pk", "organization": "organizations"}, pk=a.pk
        )
        == a
    )
