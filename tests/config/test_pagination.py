"""Every paginated list reaches page 2 by the link it renders (keeping its filters), and
every filtered export holds exactly the rows the list shows — not one page of them."""

import datetime
import io
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ParticipantKind, Role
from courses.imports import parse_markdown
from courses.models import Course
from courses.services import import_course
from learning import festival
from learning.models import Event
from learning.services.completion import issue_certificate
from learning.services.reading import enroll
from learning.services.reminders import notify
from quiz import games
from tests import factories
from tests.factories import SAMPLE, make_campaign, make_question, roster_file

OFFICIAL = ParticipantKind.COMMUNE_OFFICIAL
CIVIL_SERVANT = ParticipantKind.CIVIL_SERVANT


class Links(HTMLParser):
    """The hrefs of a page's <a> elements and the actions of its <form>s, by attribute."""

    def __init__(self, html: str):
        super().__init__()
        self.anchors: list[tuple[dict, str]] = []  # (attributes, text)
        self.forms: list[dict] = []
        self._open: dict | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open, self._text = dict(attrs), []
        elif tag == "form":
            self.forms.append(dict(attrs))

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None

    def href(self, *, rel: str | None = None, text: str | None = None) -> str | None:
        for attrs, label in self.anchors:
            if (rel and rel in (attrs.get("rel") or "").split()) or (text and text in label):
                return attrs.get("href")
        return None


def follow_next(client, url: str, response) -> tuple[str, str]:
    """Follow the page's own "next" link, as a browser would resolve it; (url, html)."""
    href = Links(response.content.decode()).href(rel="next", text="Sau ›")
    assert href, "the page renders no link to the next page"
    target = urljoin(url, href)
    answer = client.get(target)
    assert answer.status_code == 200
    return target, answer.content.decode()


def rows_of(workbook_bytes: bytes, *, sheet: int = 0, column: int = 0) -> list:
    book = load_workbook(io.BytesIO(workbook_bytes), read_only=True)
    rows = book.worksheets[sheet].iter_rows(min_row=2, values_only=True)
    return [row[column] for row in rows]


@pytest.fixture
def places(tuyen_quang):
    return factories.commune("00985"), factories.commune("02554")


@pytest.fixture
def coordinator_a(places):
    a, b = places
    return factories.with_role(
        factories.person(commune=b, full_name="Điều Phối Giáp"), Role.COMMUNE_COORDINATOR, commune=a
    )


@pytest.fixture
def province_admin(places):
    return factories.with_role(
        factories.person(commune=places[1], full_name="Quản Trị Tỉnh"), Role.PROVINCE_ADMIN
    )


def many_people(commune, n: int, *, prefix: str = "Người Thử", kind=ParticipantKind.RESIDENT):
    return [
        factories.person(commune=commune, full_name=f"{prefix} {i:02d}", kind=kind)
        for i in range(n)
    ]


# --- Page 2, reached by the rendered link ---------------------------------------------------


def test_people_list_page_two_keeps_the_search(client, places, coordinator_a):
    a, _ = places
    many_people(a, 55)
    many_people(a, 5, prefix="Vũ Khác")  # sorted after them: page 2 of the unfiltered list
    client.force_login(coordinator_a)
    url = reverse("accounts:people_list") + "?q=nguoi+thu"
    first = client.get(url)
    assert "Người Thử 00" in first.content.decode() and "Trang 1 / 2" in first.content.decode()
    _, html = follow_next(client, url, first)
    assert "Trang 2 / 2" in html
    assert "Người Thử 54" in html and "Người Thử 00" not in html
    assert "Vũ Khác" not in html  # the search survived the page change


def test_public_event_list_reaches_page_two(client, places):
    a, _ = places
    today = timezone.localdate()
    for i in range(51):
        Event.objects.create(commune=a, title=f"Ngày hội số {i:02d}", date=today, venue="Nhà")
    url = reverse("learning:event_list")
    _, html = follow_next(client, url, client.get(url))
    assert "Ngày hội số 50" in html and "Ngày hội số 00" not in html


def test_festival_management_list_reaches_page_two(client, places, coordinator_a):
    a, _ = places
    today = timezone.localdate()
    for i in range(51):
        Event.objects.create(commune=a, title=f"Ngày hội số {i:02d}", date=today, venue="Nhà")
    client.force_login(coordinator_a)
    url = reverse("learning:manage_events")
    _, html = follow_next(client, url, client.get(url))
    assert "Ngày hội số 50" in html and "Ngày hội số 00" not in html


@pytest.fixture
def busy_event(places):
    """An event in commune A where 51 people checked in, a minute apart (00 first)."""
    a, _ = places
    event = Event.objects.create(
        commune=a, title="Ngày hội Giáp Trung", date=timezone.localdate(), venue="Nhà"
    )
    start = timezone.now() - datetime.timedelta(hours=2)
    for i, person in enumerate(many_people(a, 51)):
        festival.check_in(person, event=event, now=start + datetime.timedelta(minutes=i))
    return event


def test_attendance_page_two_and_its_export_hold_everyone(client, busy_event, coordinator_a):
    client.force_login(coordinator_a)
    url = reverse("learning:attendance", args=[busy_event.pk])
    first = client.get(url)
    assert "Người Thử 50" in first.content.decode()
    second_url, html = follow_next(client, url, first)
    assert "Người Thử 00" in html and "Người Thử 50" not in html
    # The download offered on page 2 is the whole attendance, not page 2 of it.
    export = Links(html).href(text="Tải Excel")
    response = client.get(urljoin(second_url, export))
    assert response.status_code == 200
    names = rows_of(response.content, column=1)
    assert sorted(names) == [f"Người Thử {i:02d}" for i in range(51)]


def test_course_catalogue_page_two_keeps_the_search(client, db):
    for i in range(21):
        Course.objects.create(
            title=f"Khoá thử {i:02d}", slug=f"khoa-thu-{i:02d}", summary=".", audience="resident",
            is_published=True, order=i,
        )  # fmt: skip
    Course.objects.create(title="Khác hẳn", slug="khac", summary=".", audience="resident",
                          is_published=True, order=99)  # fmt: skip
    url = reverse("learning:catalogue") + "?q=khoa+thu"
    _, html = follow_next(client, url, client.get(url))
    assert "Khoá thử 20" in html and "Khoá thử 00" not in html and "Khác hẳn" not in html


def test_notifications_reach_page_two(client, places):
    person = factories.person(commune=places[0])
    now = timezone.now()
    for i in range(21):  # 00 is the oldest, so the last one shown
        when = now - datetime.timedelta(minutes=30 - i)
        message = {person.pk: (f"Tin số {i:02d}", "Nội dung", "")}
        notify(message, key=f"k{i:02d}", now=when, sms=False)
    client.force_login(person)
    url = reverse("learning:notifications")
    _, html = follow_next(client, url, client.get(url))
    assert "Tin số 00" in html and "Tin số 20" not in html


@pytest.fixture
def course(db):
    return import_course(data=parse_markdown(SAMPLE.read_text(encoding="utf-8")), publish=True)


def test_course_report_page_two_keeps_the_too_fast_filter(client, places, coordinator_a, course):
    a, _ = places
    now = timezone.now()
    for person in many_people(a, 51, prefix="Nhanh"):  # read nothing: finished "too fast"
        issue_certificate(person, course=course, now=now)
    for person in many_people(a, 10, prefix="Chậm"):  # enrolled an hour before finishing
        enroll(person, course=course, now=now - datetime.timedelta(hours=1))
        issue_certificate(person, course=course, now=now)
    client.force_login(coordinator_a)
    url = reverse("learning:report_detail", args=[course.slug])
    _, html = follow_next(client, url, client.get(url))
    assert "Chậm 00" in html  # unfiltered, the slow ones come after the fast ones

    url = url + "?nhanh=1"
    _, html = follow_next(client, url, client.get(url))
    assert "Trang 2 / 2" in html
    assert "Chậm" not in html


def test_campaign_people_page_two_keeps_the_kind_filter(client, places, coordinator_a, course):
    a, _ = places
    many_people(a, 51, prefix="Cán Bộ", kind=OFFICIAL)
    many_people(a, 5, prefix="Công Chức", kind=CIVIL_SERVANT)
    campaign = make_campaign(course, kinds=(OFFICIAL, CIVIL_SERVANT))
    client.force_login(coordinator_a)
    url = reverse("learning:campaign_people", args=[campaign.pk]) + f"?kind={OFFICIAL}"
    _, html = follow_next(client, url, client.get(url))
    assert "Cán Bộ 50" in html and "Cán Bộ 00" not in html
    assert "Công Chức" not in html


def test_host_game_list_reaches_page_two(client, places):
    host = factories.with_role(factories.person(commune=places[0]), Role.CONTEST_HOST)
    question = make_question(1, 1)
    for i in range(21):
        games.create_game(host=host, title=f"Trò chơi số {i:02d}", questions=[question])
    client.force_login(host)
    url = reverse("quiz:host_list")
    _, html = follow_next(client, url, client.get(url))
    assert "Trò chơi số 00" in html and "Trò chơi số 20" not in html


def test_paged_lists_hold_everyone_once_when_their_sort_keys_tie(
    client, places, coordinator_a, course, monkeypatch
):
    """Names repeat in a commune and certificates or check-ins can share a moment: each
    list's order must still be total, or PostgreSQL shows someone on two pages and someone
    else on none."""
    a, _ = places
    monkeypatch.setattr("learning.views.reports.REPORT_PER_PAGE", 7)
    monkeypatch.setattr("learning.views.festival.PER_PAGE", 7)
    people = many_people(a, 30, prefix="Cán Bộ", kind=OFFICIAL)
    for person in people:
        person.full_name = "Nguyễn Văn An"
        person.save(update_fields=["full_name"])
    now = timezone.now()
    event = Event.objects.create(commune=a, title="Ngày hội", date=now.date(), venue="Nhà")
    for person in people:
        issue_certificate(person, course=course, now=now)
        festival.check_in(person, event=event, now=now)
    campaign = make_campaign(course)
    client.force_login(coordinator_a)
    lists = {
        "learning:campaign_people": (campaign.pk, lambda a: a.user_id),
        "learning:report_detail": (course.slug, lambda c: c.user_id),
        "learning:attendance": (event.pk, lambda c: c.user_id),
    }
    for name, (key, person_of) in lists.items():
        url = reverse(name, args=[key])
        seen = []
        for number in range(1, 6):
            seen += [person_of(row) for row in client.get(url, {"page": number}).context["page"]]
        assert sorted(seen) == sorted(p.pk for p in people), name


# --- Filtered exports ------------------------------------------------------------------------


@pytest.fixture
def crowd(places):
    """55 residents "Người Thử" in A, one official in A, one resident in B."""
    a, b = places
    many_people(a, 55)
    factories.person(commune=a, full_name="Cán Bộ Duy Nhất", kind=OFFICIAL)
    factories.person(commune=b, full_name="Người Minh Thanh")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "can bo duy"}, {"Cán Bộ Duy Nhất"}),
        ({"kind": OFFICIAL}, {"Cán Bộ Duy Nhất"}),
        ({"commune": "02554"}, {"Người Minh Thanh", "Quản Trị Tỉnh"}),
        ({"q": "nguoi thu"}, {f"Người Thử {i:02d}" for i in range(55)}),
    ],
)
def test_people_export_holds_exactly_the_filtered_list(
    client, crowd, province_admin, filters, expected
):
    client.force_login(province_admin)
    url = reverse("accounts:people_list") + "?" + urlencode(filters)
    export = Links(client.get(url).content.decode()).href(text="Xuất Excel")
    workbook = client.get(urljoin(url, export))
    assert set(rows_of(workbook.content)) == expected


def test_people_export_from_page_two_is_not_limited_to_a_page(client, crowd, province_admin):
    client.force_login(province_admin)
    url = reverse("accounts:people_list") + "?q=nguoi+thu"
    second_url, html = follow_next(client, url, client.get(url))
    export = Links(html).href(text="Xuất Excel")
    workbook = client.get(urljoin(second_url, export))
    assert sorted(rows_of(workbook.content)) == [f"Người Thử {i:02d}" for i in range(55)]


def test_campaign_export_holds_exactly_the_dashboards_kind(
    client, places, coordinator_a, course, django_capture_on_commit_callbacks
):
    a, b = places
    many_people(a, 3, prefix="Cán Bộ", kind=OFFICIAL)
    many_people(a, 2, prefix="Công Chức", kind=CIVIL_SERVANT)
    many_people(b, 2, prefix="Ngoài Xã", kind=OFFICIAL)
    campaign = make_campaign(course, kinds=(OFFICIAL, CIVIL_SERVANT))
    client.force_login(coordinator_a)
    url = reverse("learning:campaign", args=[campaign.pk]) + f"?kind={CIVIL_SERVANT}"
    forms = Links(client.get(url).content.decode()).forms
    action = next(f["action"] for f in forms if (f.get("method") or "").lower() == "post")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(urljoin(url, action))
    job_page = client.get(started.url)
    download = Links(job_page.content.decode()).href(text="Tải về")
    response = client.get(urljoin(started.url, download))
    content = b"".join(response.streaming_content)
    assert sorted(rows_of(content, sheet=2)) == ["Công Chức 00", "Công Chức 01"]


# --- Odd page numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "1e9", "9" * 40])
def test_odd_page_numbers_show_a_page_not_an_error(client, places, coordinator_a, page):
    a, _ = places
    many_people(a, 51)
    client.force_login(coordinator_a)
    response = client.get(reverse("accounts:people_list"), {"page": page})
    assert response.status_code == 200
    assert "Trang" in response.content.decode()


def test_roster_problems_reach_page_two(client, places, coordinator_a):
    rows = [[f"Cán Bộ {i:02d}", f"so-sai-{i:03d}", 1990, "", "00985", ""] for i in range(60)]
    client.force_login(coordinator_a)
    uploaded = client.post(reverse("accounts:roster_upload"), {"file": roster_file(rows)})
    assert uploaded.status_code == 302
    first = client.get(uploaded.url)
    assert "so-sai-000" in first.content.decode()
    _, html = follow_next(client, uploaded.url, first)
    assert "so-sai-059" in html and "so-sai-000" not in html


@pytest.mark.parametrize("value", ["²", "٣", "9" * 25, "-1", "1.5"])
def test_odd_filter_ids_on_campaign_people_show_the_list_not_an_error(
    client, places, coordinator_a, course, value
):
    campaign = make_campaign(course)
    client.force_login(coordinator_a)
    url = reverse("learning:campaign_people", args=[campaign.pk])
    for name in ("commune", "organization"):
        assert client.get(url, {name: value}).status_code == 200
