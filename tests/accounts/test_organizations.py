"""Coordinators add organizations deliberately (issue 14): the "Cơ quan, đơn vị" page lists
the viewer's scope; adding and changing one follows who may put it where (commune
coordinator, organization coordinator, the Department; tampered posts refused, another
scope's unit not found); one name however written is one organization per commune, and a
name like another's is added only once confirmed; a roster naming the new unit then imports."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role, RosterImport, User
from accounts.scopes import Scope
from accounts.services.organizations import OrganizationRefused, create_organization
from accounts.services.rosters import confirm_roster, preview_roster
from common.text import organization_key
from tests import factories
from tests.factories import roster_file

LIST = reverse("accounts:organization_list")
ADD = reverse("accounts:organization_add")
SCHOOL = Organization.Kind.SCHOOL


def edit_url(unit: Organization) -> str:
    return reverse("accounts:organization_edit", args=[unit.pk])


@pytest.fixture
def world(tuyen_quang):
    """Giáp Trung and Thái Hòa, the province's Department of Education with a school under
    it, and one person per role."""
    giap, thai = factories.commune("00985"), factories.commune("02419")
    education = factories.organization("Sở Giáo dục và Đào tạo", kind=Organization.Kind.DEPARTMENT)
    units = {
        "education": education,
        "ubnd": factories.organization(
            "UBND xã Giáp Trung", kind=Organization.Kind.COMMUNE_COMMITTEE, commune=giap
        ),
        "thcs_thai": factories.organization(
            "Trường THCS Thái Hòa", kind=SCHOOL, commune=thai, parent=education
        ),
    }
    role = factories.with_role
    people = {
        "commune": role(factories.person(commune=giap), Role.COMMUNE_COORDINATOR, commune=giap),
        "thai_coordinator": role(
            factories.person(commune=thai), Role.COMMUNE_COORDINATOR, commune=thai
        ),
        "organization": role(
            factories.person(commune=thai), Role.ORGANIZATION_COORDINATOR, organization=education
        ),
        "department": role(factories.person(commune=giap), Role.PROVINCE_ADMIN),
        "official": factories.person(commune=giap, organization=units["ubnd"]),
    }
    return {"giap": giap, "thai": thai, **units, **people}


def signed_in(client, user):
    client.force_login(user)
    return client


def listed(client, **query) -> list[str]:
    page = client.get(LIST, query)
    assert page.status_code == 200
    return [unit.name for unit, _people in page.context["rows"]]


def add(client, **fields):
    return client.post(ADD, {"kind": SCHOOL, "commune": "", "parent": "", **fields})


# --- Who sees which ---------------------------------------------------------------------------


def test_each_coordinator_lists_the_organizations_of_their_scope(client, world):
    assert listed(signed_in(client, world["commune"])) == ["UBND xã Giáp Trung"]
    assert listed(signed_in(client, world["thai_coordinator"])) == ["Trường THCS Thái Hòa"]
    assert listed(signed_in(client, world["organization"])) == [
        "Sở Giáo dục và Đào tạo",
        "Trường THCS Thái Hòa",
    ]
    assert listed(signed_in(client, world["department"])) == [
        "Sở Giáo dục và Đào tạo",
        "Trường THCS Thái Hòa",
        "UBND xã Giáp Trung",
    ]


def test_the_list_shows_commune_kind_parent_and_people(client, world):
    page = signed_in(client, world["department"]).get(LIST).content.decode()
    assert "Trường học · Xã Thái Hòa · thuộc Sở Giáo dục và Đào tạo · 0 người" in page
    assert "UBND xã, phường · Xã Giáp Trung · 1 người" in page  # the official
    assert "Sở, ban, ngành cấp tỉnh · cấp tỉnh · 0 người" in page


def test_a_plain_official_gets_403_and_a_visitor_the_login_page(client, world):
    for url in (LIST, ADD, edit_url(world["ubnd"])):
        assert signed_in(client, world["official"]).get(url).status_code == 403
    client.logout()
    assert client.get(LIST).url.startswith(reverse("account_login"))


def test_the_list_searches_folded_names_and_pages_by_fifty(client, world):
    Organization.objects.bulk_create(
        Organization(
            name=f"Trường Tiểu học Số {n:02}",
            search_name=f"truong tieu hoc so {n:02}",  # bulk_create skips save()
            kind=SCHOOL,
            province=world["giap"].province,
            commune=world["giap"],
        )
        for n in range(51)
    )
    signed_in(client, world["commune"])
    assert listed(client, q="GIÁP trung") == ["UBND xã Giáp Trung"]
    assert listed(client, q="tieu hoc so 4") == [f"Trường Tiểu học Số {n}" for n in range(40, 50)]
    first, second = listed(client), listed(client, page=2)
    assert len(first) == 50 and len(second) == 2 and not set(first) & set(second)


def test_an_empty_list_says_what_to_do_next(client, world):
    minh_thanh = factories.commune("02554")
    coordinator = factories.with_role(
        factories.person(commune=minh_thanh), Role.COMMUNE_COORDINATOR, commune=minh_thanh
    )
    page = signed_in(client, coordinator).get(LIST).content.decode()
    assert "Chưa có cơ quan, đơn vị nào trong phạm vi của bạn." in page
    assert f'href="{ADD}"' in page
    searched = client.get(LIST, {"q": "Trạm y tế"}).content.decode()
    assert "Không có cơ quan nào có tên chứa “Trạm y tế”" in searched
    assert f'href="{ADD}?ten=Tr%E1%BA%A1m%20y%20t%E1%BA%BF"' in searched


# --- Who adds where ---------------------------------------------------------------------------


def test_a_commune_coordinator_adds_in_their_commune(client, world):
    signed_in(client, world["commune"])
    form = client.get(ADD)
    assert "Xã Thái Hòa" not in form.content.decode()  # not offered
    assert form.context["form"]["commune"].value() == world["giap"].pk  # their only one
    response = add(client, name="Trường Mầm non Giáp Trung", commune=world["giap"].pk)
    assert response.status_code == 302
    made = Organization.objects.get(name="Trường Mầm non Giáp Trung")
    assert (made.commune, made.parent, made.province) == (
        world["giap"],
        None,
        world["giap"].province,
    )
    assert listed(client, q="mam non") == ["Trường Mầm non Giáp Trung"]


def test_a_commune_coordinator_cannot_add_in_another_commune_or_under_another_scope(client, world):
    signed_in(client, world["commune"])
    count = Organization.objects.count()
    tampered = add(client, name="Trường Mầm non Thái Hòa", commune=world["thai"].pk)
    assert tampered.status_code == 200
    assert "Xã, phường này ngoài phạm vi bạn phụ trách." in tampered.content.decode()
    under = add(client, name="Tổ bộ môn", commune=world["giap"].pk, parent=world["thcs_thai"].pk)
    assert "Đơn vị này ngoài phạm vi bạn phụ trách." in under.content.decode()
    nowhere = add(client, name="Trường Mầm non Giáp Trung")
    assert nowhere.context["form"].errors["commune"]
    assert Organization.objects.count() == count


def test_an_organization_coordinator_adds_sub_units_under_their_organization(client, world):
    signed_in(client, world["organization"])
    response = add(
        client, name="Trường Tiểu học Thái Hòa", commune=world["thai"].pk,
        parent=world["education"].pk,
    )  # fmt: skip
    assert response.status_code == 302
    made = Organization.objects.get(name="Trường Tiểu học Thái Hòa")
    assert (made.commune, made.parent) == (world["thai"], world["education"])
    deeper = add(client, name="Tổ Toán", parent=made.pk)  # under a unit below theirs
    assert deeper.status_code == 302
    assert listed(client, q="to toan") == ["Tổ Toán"]


def test_an_organization_coordinator_needs_a_parent_of_their_own(client, world):
    signed_in(client, world["organization"])
    count = Organization.objects.count()
    orphan = add(client, name="Trường Tiểu học Thái Hòa", commune=world["thai"].pk)
    assert orphan.context["form"].errors["parent"]
    tampered = add(client, name="Tổ một cửa", parent=world["ubnd"].pk)
    assert "Đơn vị này ngoài phạm vi bạn phụ trách." in tampered.content.decode()
    assert Organization.objects.count() == count


def test_the_service_refuses_a_place_outside_the_scope_whatever_the_form_offers(world):
    def attempt(by, **place):
        fields = {"name": "Đơn vị Thử", "kind": SCHOOL, "commune": None, "parent": None}
        with pytest.raises(OrganizationRefused) as refused:
            create_organization(by=by, **{**fields, **place})
        return refused.value

    assert attempt(world["commune"], commune=world["thai"]).field == "commune"
    assert attempt(world["commune"], commune=world["giap"], parent=world["education"]).field == (
        "parent"
    )
    assert attempt(world["organization"], commune=world["thai"]).field == "parent"
    assert attempt(world["organization"], parent=world["ubnd"]).field == "parent"
    assert not Organization.objects.filter(name="Đơn vị Thử").exists()


def test_the_department_adds_anywhere_even_at_province_level(client, world):
    signed_in(client, world["department"])
    assert add(client, name="Sở Y tế", kind=Organization.Kind.DEPARTMENT).status_code == 302
    made = Organization.objects.get(name="Sở Y tế")
    assert (made.commune, made.parent, made.province) == (None, None, world["giap"].province)
    under = add(client, name="Trạm y tế xã Thái Hòa", commune=world["thai"].pk, parent=made.pk)
    assert under.status_code == 302


# --- Changing one -----------------------------------------------------------------------------


def test_another_scopes_organization_is_not_found_on_edit(client, world):
    for who, other in (
        ("commune", "thcs_thai"),
        ("thai_coordinator", "ubnd"),
        ("organization", "ubnd"),
    ):
        signed_in(client, world[who])
        url = edit_url(world[other])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Đổi tên", "kind": SCHOOL}).status_code == 404
    assert Organization.objects.filter(name="Đổi tên").count() == 0
    signed_in(client, world["department"])
    assert client.get(edit_url(world["ubnd"])).status_code == 200


def test_a_coordinator_renames_and_changes_kind_and_parent_in_scope(client, world):
    signed_in(client, world["commune"])
    station = factories.organization("Trạm Y tế Giáp Trung", commune=world["giap"])
    response = client.post(
        edit_url(station),
        {"name": "Trạm y tế xã Giáp Trung", "kind": Organization.Kind.HEALTH_STATION,
         "commune": world["giap"].pk, "parent": world["ubnd"].pk},
    )  # fmt: skip
    assert response.status_code == 302
    station.refresh_from_db()
    assert (station.name, station.kind, station.parent) == (
        "Trạm y tế xã Giáp Trung",
        Organization.Kind.HEALTH_STATION,
        world["ubnd"],
    )


def test_an_organization_coordinator_renames_their_own_unit_in_place(client, world):
    """Its place (province level, no parent) is out of their reach, but it stays there."""
    signed_in(client, world["organization"])
    education = world["education"]
    response = client.post(
        edit_url(education),
        {"name": "Sở GD&ĐT Tuyên Quang", "kind": Organization.Kind.DEPARTMENT, "commune": "",
         "parent": ""},
    )  # fmt: skip
    assert response.status_code == 302
    education.refresh_from_db()
    assert education.name == "Sở GD&ĐT Tuyên Quang"


def test_a_unit_cannot_be_put_under_itself_or_a_unit_below_it(client, world):
    signed_in(client, world["department"])
    education = world["education"]
    fields = {"name": education.name, "kind": education.kind, "commune": ""}
    for parent in (education, world["thcs_thai"]):
        response = client.post(edit_url(education), {**fields, "parent": parent.pk})
        assert response.context["form"].errors["parent"]
    education.refresh_from_db()
    assert education.parent is None


# --- One organization, one name ---------------------------------------------------------------


def test_the_same_name_however_written_is_refused_in_the_same_commune(client, world):
    signed_in(client, world["commune"])
    response = add(
        client, name="Ủy ban nhân dân xã Giáp Trung",
        kind=Organization.Kind.COMMUNE_COMMITTEE, commune=world["giap"].pk,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Đã có “UBND xã Giáp Trung” (Xã Giáp Trung): cùng một cơ quan với “Ủy ban nhân dân "
        "xã Giáp Trung”. Hãy dùng đúng tên đó thay vì thêm mới."
    ]
    assert Organization.objects.filter(commune=world["giap"]).count() == 1


def test_renaming_into_another_units_name_is_refused(client, world):
    signed_in(client, world["commune"])
    station = factories.organization("Trạm y tế xã Giáp Trung", commune=world["giap"])
    response = client.post(
        edit_url(station),
        {"name": "Ủy ban xã Giáp Trung", "kind": station.kind, "commune": world["giap"].pk},
    )
    assert "Đã có “UBND xã Giáp Trung”" in response.context["form"].errors["name"][0]
    station.refresh_from_db()
    assert station.name == "Trạm y tế xã Giáp Trung"


def test_one_name_in_two_communes_is_two_organizations(client, world):
    signed_in(client, world["department"])
    response = add(
        client, name="UBND xã Giáp Trung", kind=Organization.Kind.COMMUNE_COMMITTEE,
        commune=world["thai"].pk,
    )  # fmt: skip
    assert response.status_code == 302
    assert Organization.objects.filter(name="UBND xã Giáp Trung").count() == 2


def test_a_name_like_another_is_added_only_once_confirmed(client, world):
    factories.organization("Trường THCS Giáp Trung", kind=SCHOOL, commune=world["giap"])
    signed_in(client, world["commune"])
    name = "Trường THCS Giáp Trug"
    first = add(client, name=name, commune=world["giap"].pk)
    page = first.content.decode()
    assert first.status_code == 200 and "Ở cùng xã, phường đã có đơn vị tên gần giống" in page
    assert "<li>Trường THCS Giáp Trung</li>" in page
    assert f'name="confirm_new" value="{organization_key(name)}"' in page
    assert "Vẫn tạo đơn vị mới" in page
    assert not Organization.objects.filter(name=name).exists()
    # The confirmation was for another name: this one is checked again.
    other = add(client, name="Trường THCS Giap Trunk", commune=world["giap"].pk,
                confirm_new=organization_key(name))  # fmt: skip
    assert other.status_code == 200 and other.context["similar"].names
    confirmed = add(client, name=name, commune=world["giap"].pk, confirm_new=organization_key(name))
    assert confirmed.status_code == 302
    assert Organization.objects.filter(name=name, commune=world["giap"]).count() == 1


def test_a_name_without_letters_or_digits_is_refused(client, world):
    signed_in(client, world["department"])
    response = add(client, name="… – …")
    assert response.context["form"].errors["name"] == ["Tên cơ quan cần có chữ hoặc số."]


# --- The roster's way here, and back ----------------------------------------------------------


def test_a_roster_refused_for_a_missing_school_imports_once_it_is_added(client, world):
    coordinator = world["commune"]
    signed_in(client, coordinator)
    row = ["Hà Thị Mai", "0912000777", 1988, "Trường Mầm non Hoa Sen", "Giáp Trung", "Viên chức"]
    client.post(reverse("accounts:roster_upload"), {"file": roster_file([row])})
    refused = RosterImport.objects.get()
    [problem] = refused.problems
    assert "hãy để trống ô này, hoặc thêm cơ quan ở trang “Cơ quan, đơn vị”" in problem["message"]
    preview = client.get(reverse("accounts:roster_preview", args=[refused.pk])).content.decode()
    link = (
        f"{ADD}?ten=Tr%C6%B0%E1%BB%9Dng%20M%E1%BA%A7m%20non%20Hoa%20Sen&amp;xa={world['giap'].pk}"
    )
    assert link in preview and f'href="{LIST}"' in preview

    form = client.get(ADD, {"ten": "Trường Mầm non Hoa Sen", "xa": world["giap"].pk})
    assert form.context["form"]["name"].value() == "Trường Mầm non Hoa Sen"
    assert str(form.context["form"]["commune"].value()) == str(world["giap"].pk)
    assert add(client, name="Trường Mầm non Hoa Sen", commune=world["giap"].pk).status_code == 302

    roster = preview_roster(roster_file([row]), user=coordinator, scope=Scope.of(coordinator))
    school = Organization.objects.get(name="Trường Mầm non Hoa Sen")
    assert [r["organization_id"] for r in roster.rows] == [school.pk] and not roster.problems
    confirm_roster(roster, now=timezone.now())
    assert User.objects.get(phone="0912000777").organization == school


def test_the_people_list_and_the_roster_upload_link_here(client, world):
    signed_in(client, world["commune"])
    for page in ("accounts:people_list", "accounts:roster_upload"):
        assert f'href="{LIST}"' in client.get(reverse(page)).content.decode()
