"""Printable QR kits: every code on every layout reads back as its short link, the short link
leads to the right page, and a coordinator prints only for the festivals they run."""

import random

import pytest
import qrcode
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from common import qr
from learning.models import Booth, Event, ShortLink
from learning.printables import Printable, printable_pdf, short_url
from tests import factories
from tests.qr import qr_in_pdf

LAYOUTS = ["poster", "cards8", "cards12", "tents"]


@pytest.fixture
def world(tuyen_quang, course):
    a, b = factories.commune("00985"), factories.commune("02554")
    today = timezone.localdate()
    ours = Event.objects.create(commune=a, title="Ngày hội Giáp Trung", date=today, venue="Nhà")
    theirs = Event.objects.create(commune=b, title="Ngày hội Minh Thanh", date=today, venue="Sân")
    for order, title in enumerate(["Cài đặt VNeID", "Nhận diện lừa đảo", "Dịch vụ công"]):
        Booth.objects.create(event=ours, title=title, order=order)
    Booth.objects.create(event=theirs, title="Gian của xã khác")
    coordinator = factories.with_role(
        factories.person(commune=a, full_name="Điều Phối A"), Role.COMMUNE_COORDINATOR, commune=a
    )
    return {"a": a, "b": b, "ours": ours, "theirs": theirs, "coordinator": coordinator}


def post(client, **data):
    return client.post(reverse("learning:print_codes"), {"format": "pdf", **data})


def follow(client, scanned: str) -> str:
    """Open a scanned code as a phone would, answering with where the site sends it."""
    assert scanned.startswith("HTTP://TESTSERVER/Q/")
    response = client.get(scanned.removeprefix("HTTP://TESTSERVER"))
    assert response.status_code == 302
    return response["Location"]


# --- The QR encoder ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "HTTPS://HOCSO.TUYENQUANG.GOV.VN/Q/AB2CD",
        "http://testserver/xac-minh/K7QX2M9PLA/",
        "https://hocso.tuyenquang.gov.vn/tai-khoan/dang-nhap/" + "x" * 60,
        "Bình dân học vụ số — Tuyên Quang",
        "0123456789" * 30,
    ],
)
def test_the_symbol_is_the_one_qrcode_builds_with_one_of_the_eight_masks(text):
    ours = qr.qr_matrix(text)
    theirs = []
    for mask in range(8):
        code = qrcode.QRCode(error_correction=qr.LEVEL, border=0, mask_pattern=mask)
        code.add_data(text)
        code.make()
        theirs.append(code.get_matrix())
    assert theirs.count(ours) == 1


def test_a_short_link_fits_version_3_and_runs_merge_into_rectangles():
    link = "HTTPS://HOCSO.TUYENQUANG.GOV.VN/Q/AB2CD"
    n, boxes = qr.rectangles(link)
    assert n == 29  # version 3 at level Q
    dark = {(x, y) for y, row in enumerate(qr.qr_matrix(link)) for x, on in enumerate(row) if on}
    covered = [(x + i, y + j) for x, y, w, h in boxes for i in range(w) for j in range(h)]
    assert len(covered) == len(set(covered)) and set(covered) == dark
    assert len(boxes) < len(dark) / 2


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_code_on_a_layout_reads_back_as_its_link(layout):
    random.seed(layout)
    items = [
        Printable(
            title=f"Gian {n}: Cài đặt và sử dụng VNeID, dịch vụ công trực tuyến toàn trình",
            link=short_url("https://hocso.tuyenquang.gov.vn/", f"AB{n:03d}"),
            context="Ngày hội Bình dân học vụ số — Xã Giáp Trung",
        )
        for n in range(13)  # cards run onto a second page
    ]
    read = qr_in_pdf(printable_pdf(layout, items))
    copies = 2 if layout == "tents" else 1  # a tent shows its face twice
    assert sorted(read) == sorted([item.link for item in items] * copies)
    assert items[0].shown_link == "HOCSO.TUYENQUANG.GOV.VN/Q/AB000"


# --- The coordinator's page -------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_booth_codes_on_each_layout_lead_to_each_booths_check_in(client, world, layout):
    client.force_login(world["coordinator"])
    response = post(client, kind="booths", event=world["ours"].pk, layout=layout)
    assert response["Content-Type"] == "application/pdf"
    read = qr_in_pdf(response.content)
    booths = list(world["ours"].booths.all())
    expected = [reverse("learning:booth_check_in", args=[world["ours"].pk, b.pk]) for b in booths]
    copies = 2 if layout == "tents" else 1
    assert sorted(follow(client, text) for text in read) == sorted(expected * copies)
    links = ShortLink.objects.filter(target__in=expected)
    assert {(link.event, link.commune) for link in links} == {(world["ours"], world["a"])}


def test_printing_again_gives_the_same_codes(client, world):
    client.force_login(world["coordinator"])
    first = qr_in_pdf(post(client, kind="booths", event=world["ours"].pk, layout="cards8").content)
    again = qr_in_pdf(post(client, kind="booths", event=world["ours"].pk, layout="poster").content)
    assert sorted(first) == sorted(again)
    assert ShortLink.objects.count() == 3


def test_lessons_course_signup_and_contest_codes_lead_to_their_pages(client, world, course):
    client.force_login(world["coordinator"])
    lessons = course.lessons.order_by("module__order", "module_id", "order", "pk")
    cases = [
        (
            {"kind": "lessons", "course": course.pk},
            [reverse("learning:lesson", args=[course.slug, lesson.pk]) for lesson in lessons],
        ),
        ({"kind": "course", "course": course.pk}, [reverse("learning:course", args=[course.slug])]),
        (
            {"kind": "signup", "commune": world["a"].pk},
            [reverse("account_signup") + "?commune=00985"],
        ),
        (
            {"kind": "event", "event": world["ours"].pk},
            [reverse("learning:event_check_in", args=[world["ours"].pk])],
        ),
        (
            {"kind": "page", "page": "https://hocso.example/thi/tim-hieu-chuyen-doi-so/"},
            [reverse("quiz:contest", args=["tim-hieu-chuyen-doi-so"])],
        ),
        (
            {"kind": "page", "page": "/xac-minh/K7QX2M9PLA/", "title": "Xác minh"},
            [reverse("learning:verify", args=["K7QX2M9PLA"])],
        ),
    ]
    for data, targets in cases:
        read = qr_in_pdf(post(client, layout="cards12", **data).content)
        assert [follow(client, text) for text in read] == targets, data


def test_the_html_sheet_has_one_svg_code_per_target(client, world):
    client.force_login(world["coordinator"])
    response = post(client, kind="booths", event=world["ours"].pk, layout="cards8", format="html")
    page = response.content.decode()
    assert page.count("<svg") == 3 and "TESTSERVER/Q/" in page
    assert "Cài đặt VNeID" in page and "learning/print" in page


def test_empty_selections_answer_a_clear_message(client, world):
    client.force_login(world["coordinator"])
    empty = Event.objects.create(
        commune=world["a"], title="Ngày hội chưa có gian", date=timezone.localdate(), venue="Nhà"
    )
    page = post(client, kind="booths", event=empty.pk, layout="cards8").content.decode()
    assert "chưa có gian nào" in page
    page = post(client, kind="lessons", layout="cards8").content.decode()
    assert "Hãy chọn một khoá học." in page
    page = post(client, kind="page", page="/dieu-phoi/khoa-hoc/", layout="poster").content.decode()
    assert "Chỉ in được mã cho trang cuộc thi" in page
    assert not ShortLink.objects.exists()


# --- Scope: who prints for which festival -----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "own_event", "other_event", "page"),
    [
        ("coordinator_a", 200, 404, 200),
        ("volunteer_a", 200, 404, 200),
        ("province_admin", 200, 200, 200),
        ("resident", 403, 403, 403),
    ],
)
def test_scope_matrix(client, world, who, own_event, other_event, page):
    a = world["a"]
    people = {
        "coordinator_a": lambda: world["coordinator"],
        "volunteer_a": lambda: factories.with_role(
            factories.person(commune=a, full_name="Tình Nguyện A"),
            Role.DIGITAL_VOLUNTEER,
            commune=a,
        ),
        "province_admin": lambda: factories.with_role(
            factories.person(commune=world["b"], full_name="Quản Trị"), Role.PROVINCE_ADMIN
        ),
        "resident": lambda: factories.person(commune=a, full_name="Người Dân"),
    }
    client.force_login(people[who]())
    url = reverse("learning:print_codes")
    assert client.get(url).status_code == page
    for event, status in ((world["ours"], own_event), (world["theirs"], other_event)):
        assert client.get(url, {"event": event.pk}).status_code == status
        response = post(client, kind="booths", event=event.pk, layout="cards8")
        assert response.status_code == status
    if page == 200:
        form = client.get(url).content.decode()
        assert ("Ngày hội Minh Thanh" in form) == (other_event == 200)
        assert "Ngày hội Giáp Trung" in form


def test_a_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("learning:print_codes"))
    assert response.status_code == 302 and "login" in response["Location"]
