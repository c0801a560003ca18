"""Odd input at the edge: ids of any length on every id route answer 404, and a NUL
character in a path, a query or a form is refused in Vietnamese with nothing saved. Runs on
both databases: PostgreSQL refuses NUL in text and checks integer ranges, SQLite does
neither."""

import pytest
from django.urls import resolve
from django.urls.converters import IntConverter

from accounts.converters import IdConverter
from accounts.models import Role
from tests import factories
from tests.config.routing import fill, routes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, tuyen_quang):
    """A province admin (a superuser): every page is open to them, so a 404 means no route."""
    admin = factories.person(commune=factories.commune("00985"), full_name="Quản Trị Tỉnh")
    client.force_login(factories.with_role(admin, Role.PROVINCE_ADMIN))
    return client


# --- Ids --------------------------------------------------------------------------------------


def test_no_route_takes_an_unbounded_integer():
    unbounded = [
        name
        for name, _route, pattern in routes()
        if not name.startswith("admin:")  # Django's admin: staff only, its own converters
        and any(isinstance(c, IntConverter) for c in getattr(pattern, "converters", {}).values())
    ]
    assert unbounded == []  # <id:…>, not <int:…>: 25 digits overflow SQLite and bigint


ID_ROUTES = sorted(
    (name, route)
    for name, route, pattern in routes()
    if any(isinstance(c, IdConverter) for c in getattr(pattern, "converters", {}).values())
)


@pytest.mark.parametrize(("name", "route"), ID_ROUTES, ids=[n for n, _ in ID_ROUTES])
def test_a_25_digit_id_on_every_id_route_answers_404(admin_client, name, route):
    assert resolve(fill(route)).url_name == name.rsplit(":", 1)[-1]  # the route exists
    for method in (admin_client.get, admin_client.post):
        response = method(fill(route, number="9" * 25))
        assert response.status_code == 404, (name, response.status_code)
        assert "Không tìm thấy trang" in response.content.decode()


# --- NUL --------------------------------------------------------------------------------------

NUL_SAYS = "ký tự không hợp lệ (ký tự rỗng)"


@pytest.mark.parametrize(
    "path", ["/choi/%00/", "/hoc/?q=%00", "/dieu-phoi/nguoi-hoc/?commune=%00", "/%00", "/?a%00=1"]
)
def test_a_nul_in_the_path_or_query_is_refused_in_vietnamese(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 400 and NUL_SAYS in response.content.decode()


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(client, tuyen_quang):
    user = factories.person(commune=factories.commune("00985"), full_name="Ma Thị Hoa")
    client.force_login(user)
    form = {"full_name": "Ma Thị\x00Hoa", "commune": "Giáp Trung", "participant_kind": "resident"}
    response = client.post("/ho-so/sua/", form)
    assert response.status_code == 400 and NUL_SAYS in response.content.decode()
    as_multipart = client.post("/ho-so/sua/", form, format="multipart")
    assert as_multipart.status_code == 400
    fetched = client.post("/ho-so/sua/", form, headers={"x-requested-with": "fetch"})
    assert fetched.status_code == 400 and NUL_SAYS in fetched.json()["message"]
    user.refresh_from_db()
    assert user.full_name == "Ma Thị Hoa"
