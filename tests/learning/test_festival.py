"""The learning festival: short links, check-in both ways, assisted sign-up, attendance,
counters, and the scope of every organiser page."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role, User
from learning import festival
from learning.models import Booth, CheckIn, Event, LessonProgress, ShortLink
from learning.services.reading import open_lesson
from tests import factories


@pytest.fixture
def world(tuyen_quang):
    a, b = factories.commune("00985"), factories.commune("02554")
    today = timezone.localdate()
    events = {
        "A": Event.objects.create(commune=a, title="Ngày hội Giáp Trung", date=today, venue="Nhà"),
        "B": Event.objects.create(commune=b, title="Ngày hội Minh Thanh", date=today, venue="Sân"),
    }
    booth = Booth.objects.create(event=events["A"], title="Cài đặt VNeID")
    viewers = {
        "coordinator_A": factories.with_role(
            factories.person(commune=a, full_name="Điều Phối A"),
            Role.COMMUNE_COORDINATOR,
            commune=a,
        ),
        "volunteer_A": factories.with_role(
            factories.person(commune=a, full_name="Tình Nguyện A"),
            Role.DIGITAL_VOLUNTEER,
            commune=a,
        ),
        "province_admin": factories.with_role(
            factories.person(commune=b, full_name="Quản Trị"), Role.PROVINCE_ADMIN
        ),
        "resident": factories.person(commune=a, full_name="Người Dân"),
    }
    return {"a": a, "b": b, "events": events, "booth": booth, "viewers": viewers}


# --- Short links ------------------------------------------------------------------------------


def test_a_target_gets_one_short_code_from_an_unambiguous_alphabet(db):
    first = festival.short_link(target="/hoc/ky-nang-so/", label="Kỹ năng số")
    again = festival.short_link(target="/hoc/ky-nang-so/", label="Kỹ năng số")
    assert first.pk == again.pk
    assert re.fullmatch(r"[23456789A-HJ-NP-Z]{5}", first.code)


def test_scans_redirect_in_either_case_and_are_counted_once_flushed(client, db):
    link = festival.short_link(target="/hoc/ky-nang-so/", label="Kỹ năng số")
    for path in (f"/Q/{link.code}", f"/q/{link.code.lower()}", f"/Q/{link.code}/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/hoc/ky-nang-so/")
    assert ShortLink.objects.get().scans == 0  # counted in the cache, not on the request
    festival.flush_scans([link.code])
    festival.flush_scans([link.code])  # flushing again adds nothing
    assert ShortLink.objects.get().scans == 3
    assert client.get("/Q/ZZZZZ").status_code == 404


# --- Check-in by the resident -----------------------------------------------------------------


def test_a_visitor_is_sent_to_sign_up_with_the_commune_filled_in(client, world):
    url = reverse("learning:booth_check_in", args=[world["events"]["A"].pk, world["booth"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/signup/?commune=00985&next=")
    signup = client.get(response["Location"]).content.decode()
    assert 'value="Giáp Trung"' in signup


def test_checking_in_twice_is_recorded_once(client, world):
    resident = world["viewers"]["resident"]
    client.force_login(resident)
    url = reverse("learning:booth_check_in", args=[world["events"]["A"].pk, world["booth"].pk])
    assert "Điểm danh" in client.get(url).content.decode()
    first = client.post(url, follow=True).content.decode()
    second = client.post(url, follow=True).content.decode()
    assert "Đã điểm danh. Chúc bạn học vui!" in first
    assert "Bạn đã điểm danh ở đây rồi." in second
    assert CheckIn.objects.filter(user=resident).count() == 1


# --- Check-in by a volunteer's scan -----------------------------------------------------------


def test_a_volunteer_scans_a_personal_code_once_and_by_phone(client, world):
    event, resident = world["events"]["A"], world["viewers"]["resident"]
    client.force_login(world["viewers"]["volunteer_A"])
    url = reverse("learning:event_scan", args=[event.pk])
    scanned = "http://testserver" + reverse("learning:attendee", args=[resident.attendee_code])
    headers = {"x-requested-with": "fetch"}
    first = client.post(url, {"code": scanned, "booth": world["booth"].pk}, headers=headers)
    again = client.post(url, {"code": scanned, "booth": world["booth"].pk}, headers=headers)
    assert first.json() == {"ok": True, "new": True, "message": "Đã điểm danh cho Người D."}
    assert again.json()["new"] is False
    by_phone = client.post(url, {"phone": resident.phone}, headers=headers)  # at the entrance
    assert by_phone.json()["new"] is True
    checkins = CheckIn.objects.filter(user=resident)
    assert checkins.count() == 2
    assert {c.recorded_by_id for c in checkins} == {world["viewers"]["volunteer_A"].pk}
    forged = client.post(url, {"code": f"{resident.pk}:forged"}, headers=headers)
    assert forged.status_code == 400
    assert forged.json()["message"] == "Mã này không phải mã cá nhân của Học Số."
    unknown = client.post(url, {"phone": "0987654321"}, headers=headers)
    assert "chưa có tài khoản" in unknown.json()["message"]


@pytest.mark.parametrize(
    ("phone", "says"),
    [
        ("", "Hãy quét mã QR trên điện thoại người dân, hoặc nhập số điện thoại."),
        ("0912", "Số điện thoại di động không hợp lệ."),
        ("0212 345 678", "Đây là số máy bàn."),
        ("+1 202 555 0100", "Chỉ nhận số điện thoại di động Việt Nam"),
        ("9" * 5000, "Số điện thoại di động không hợp lệ."),
    ],
)
def test_a_scan_with_an_empty_or_bad_phone_answers_json_saying_why(client, world, phone, says):
    client.force_login(world["viewers"]["volunteer_A"])
    url = reverse("learning:event_scan", args=[world["events"]["A"].pk])
    reply = client.post(url, {"code": "", "phone": phone}, headers={"x-requested-with": "fetch"})
    assert reply.status_code == 400 and reply["content-type"] == "application/json"
    assert reply.json()["ok"] is False and says in reply.json()["message"]
    without_script = client.post(url, {"phone": phone}, follow=True)  # the plain form
    assert says in without_script.content.decode()
    assert not CheckIn.objects.exists()


def test_a_personal_code_opened_in_a_camera_app_explains_itself(client, world):
    resident = world["viewers"]["resident"]
    page = client.get(reverse("learning:attendee", args=[resident.attendee_code]))
    assert "Đây là mã QR cá nhân" in page.content.decode()
    assert client.get(reverse("learning:attendee", args=["1:bad"])).status_code == 404


# --- Assisted sign-up -------------------------------------------------------------------------


def test_assisted_sign_up_records_the_helper_and_the_spoken_consent(
    client, world, sms_outbox, django_capture_on_commit_callbacks
):
    volunteer = world["viewers"]["volunteer_A"]
    client.force_login(volunteer)
    url = reverse("learning:assisted_sign_up")
    form = {"full_name": "  Vàng  Thị Mỷ ", "phone": "+84 912 000 111", "birth_year": "1961",
            "commune": "Giáp Trung"}  # fmt: skip
    refused = client.post(url, form).content.decode()
    assert "Cần xác nhận người dân đã đồng ý trước khi tạo tài khoản." in refused
    assert not User.objects.filter(phone="0912000111").exists()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {**form, "consent_spoken": "on"}, follow=True).content.decode()
    assert "Đã tạo tài khoản cho Vàng Thị Mỷ" in page
    assert "Bạn đã giúp 1 người đăng ký." in page
    person = User.objects.get(phone="0912000111")
    assert (person.assisted_by, person.consent_spoken) == (volunteer, True)
    assert person.consent_at is not None and not person.has_usable_password()
    assert person.commune.code == "00985" and person.birth_year == 1961
    (message,) = sms_outbox
    assert message.to == "0912000111"
    link = re.search(r"http://testserver(/vao/\S+/)", message.body).group(1)

    again = client.post(url, {**form, "consent_spoken": "on"}).content.decode()
    assert "Số 0912000111 đã có tài khoản." in again

    client.logout()
    response = client.post(link)  # the resident signs in with the code from the message
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_set_password"))  # consent is kept


# --- Organiser pages: scope -------------------------------------------------------------------

RUNS = {"coordinator_A": {"A"}, "volunteer_A": {"A"}, "province_admin": {"A", "B"}}


@pytest.mark.parametrize("viewer", sorted(RUNS))
@pytest.mark.parametrize("name", ["event_scan", "attendance", "attendance_export", "event_edit"])
def test_organiser_pages_answer_404_outside_the_viewers_communes(client, world, viewer, name):
    client.force_login(world["viewers"][viewer])
    for key, event in world["events"].items():
        status = client.get(reverse(f"learning:{name}", args=[event.pk])).status_code
        assert status == (200 if key in RUNS[viewer] else 404), (key, status)


@pytest.mark.parametrize("viewer", sorted(RUNS))
def test_the_events_list_holds_only_the_viewers_communes(client, world, viewer):
    client.force_login(world["viewers"][viewer])
    page = client.get(reverse("learning:manage_events")).content.decode()
    shown = {key for key, event in world["events"].items() if event.title in page}
    assert shown == RUNS[viewer]


def test_residents_do_not_get_organiser_pages(client, world):
    client.force_login(world["viewers"]["resident"])
    assert client.get(reverse("learning:manage_events")).status_code == 403
    assert client.get(reverse("learning:assisted_sign_up")).status_code == 403


def test_a_coordinator_creates_an_event_only_in_their_commune(client, world):
    client.force_login(world["viewers"]["coordinator_A"])
    url = reverse("learning:event_add")
    form = {
        "title": "Ngày hội số tháng 10", "date": "2025-10-10", "venue": "Nhà văn hoá thôn",
        "is_published": "on", "booths-TOTAL_FORMS": "1", "booths-INITIAL_FORMS": "0",
        "booths-0-title": "Thanh toán không dùng tiền mặt", "booths-0-order": "1",
    }  # fmt: skip
    other = client.post(url, {**form, "commune": world["b"].pk})
    assert other.status_code == 200 and not Event.objects.filter(title=form["title"]).exists()
    client.post(url, {**form, "commune": world["a"].pk})
    event = Event.objects.get(title=form["title"])
    assert [b.title for b in event.booths.all()] == ["Thanh toán không dùng tiền mặt"]


# --- Attendance, export, counters -------------------------------------------------------------


def test_attendance_export_and_counters(client, world):
    event, now = world["events"]["A"], timezone.now()
    odd = factories.person(commune=world["a"], full_name='=HYPERLINK("http://x")')
    festival.check_in(odd, event=event, booth=world["booth"], now=now)
    festival.check_in(world["viewers"]["resident"], event=event, now=now)
    link = festival.short_link(target=reverse("learning:event_check_in", args=[event.pk]),
                               label="Cổng vào", event=event)  # fmt: skip
    client.get(f"/Q/{link.code}")
    figures = festival.event_figures(event, now=now)
    assert figures["people"] == 2
    assert figures["booths"] == [["Cài đặt VNeID", 1]]
    assert figures["scans"] == [["Cổng vào", 1]]
    assert figures["signups"] == 2  # of the four who joined in commune A today, two came

    client.force_login(world["viewers"]["coordinator_A"])
    response = client.get(reverse("learning:attendance_export", args=[event.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == {'=HYPERLINK("http://x")', "Người Dân"}
    assert all(cell.data_type == "s" for cell in sheet["B"][1:])
    screen = client.get(reverse("learning:event_counts", args=[event.pk])).json()
    assert screen["people"] == 2


def test_two_events_of_one_commune_on_one_day_show_only_their_own_figures(
    client, world, course, django_assert_max_num_queries
):
    fair, now = world["events"]["A"], timezone.now()
    market = Event.objects.create(commune=world["a"], title="Phiên chợ số", date=fair.date,
                                  venue="Chợ")  # fmt: skip
    stall = Booth.objects.create(event=market, title="Thanh toán QR")
    volunteer = world["viewers"]["volunteer_A"]
    helped = factories.person(commune=world["a"], full_name="Được Giúp")
    User.objects.filter(pk=helped.pk).update(assisted_by=volunteer)
    shopper = factories.person(commune=world["a"], full_name="Người Đi Chợ")
    factories.person(commune=world["a"], full_name="Ở Nhà")  # joined today, came to neither
    first, second = course.lessons.order_by("order")[:2]
    open_lesson(helped, lesson=first, now=now)
    open_lesson(shopper, lesson=first, now=now)
    open_lesson(shopper, lesson=second, now=now)
    LessonProgress.objects.filter(user=shopper).update(completed_at=now)
    festival.check_in(helped, event=fair, booth=world["booth"], now=now)
    festival.check_in(helped, event=fair, now=now)  # the entrance too: still one person
    festival.check_in(shopper, event=market, booth=stall, now=now)

    figures = {}
    for event in (fair, market):
        with django_assert_max_num_queries(5):  # codes, one aggregate, booths twice, scans
            figures[event.pk] = festival.event_figures(event, now=now)
    own = {
        fair.pk: {"people": 1, "signups": 1, "assisted": 1, "lessons_opened": 1,
                  "lessons_finished": 0, "booths": [["Cài đặt VNeID", 1]]},
        market.pk: {"people": 1, "signups": 1, "assisted": 0, "lessons_opened": 2,
                    "lessons_finished": 2, "booths": [["Thanh toán QR", 1]]},
    }  # fmt: skip
    for pk, expected in own.items():
        assert {key: figures[pk][key] for key in expected} == expected

    client.force_login(world["viewers"]["coordinator_A"])
    for event, name, other in ((fair, "Được Giúp", "Người Đi Chợ"),
                               (market, "Người Đi Chợ", "Được Giúp")):  # fmt: skip
        screen = client.get(reverse("learning:event_counts", args=[event.pk])).json()
        assert {key: screen[key] for key in own[event.pk]} == own[event.pk]
        page = client.get(reverse("learning:event_screen", args=[event.pk])).content.decode()
        expected = own[event.pk]
        assert f'<strong data-field="signups">{expected["signups"]}</strong>' in page
        assert f'<strong data-field="lessons_finished">{expected["lessons_finished"]}<' in page
        numbers = client.get(reverse("learning:attendance", args=[event.pk])).content.decode()
        opened, finished = expected["lessons_opened"], expected["lessons_finished"]
        assert f"<dd>{opened} / {finished}</dd>" in numbers
        export = client.get(reverse("learning:attendance_export", args=[event.pk])).content
        names = {row[1] for row in load_workbook(io.BytesIO(export)).active.iter_rows(
            min_row=2, values_only=True)}  # fmt: skip
        assert name in names and other not in names

    client.force_login(world["viewers"]["province_admin"])
    festival.check_in(shopper, event=fair, now=now)  # one person at both: one in the commune
    page = client.get(reverse("learning:manage_events")).content.decode()
    assert re.search(r"<td>Giáp Trung</td><td>2</td><td>2</td>", page)


def test_unpublished_events_are_not_public(client, world):
    event = world["events"]["A"]
    Event.objects.filter(pk=event.pk).update(is_published=False)
    assert client.get(reverse("learning:event", args=[event.pk])).status_code == 404
    assert client.get(reverse("learning:event_counts", args=[event.pk])).status_code == 404
    assert "Ngày hội Giáp Trung" not in client.get(reverse("learning:event_list")).content.decode()


def test_the_profile_shows_the_personal_check_in_code(client, world):
    from common.qr import qr_svg

    resident = world["viewers"]["resident"]
    client.force_login(resident)
    page = client.get(reverse("accounts:profile")).content.decode()
    target = "http://testserver" + reverse("learning:attendee", args=[resident.attendee_code])
    assert qr_svg(target, size_mm=45, label="Mã QR điểm danh cá nhân") in page
    assert User.objects.by_attendee_code(resident.attendee_code) == resident


def test_the_province_sees_the_communes_side_by_side(client, world):
    festival.check_in(world["viewers"]["resident"], event=world["events"]["A"], now=timezone.now())
    client.force_login(world["viewers"]["province_admin"])
    page = client.get(reverse("learning:manage_events")).content.decode()
    assert "Số ngày hội" in page
    assert re.search(r"<td>Giáp Trung</td><td>1</td><td>1</td>", page)
    client.force_login(world["viewers"]["coordinator_A"])
    assert "Số ngày hội" not in client.get(reverse("learning:manage_events")).content.decode()


def test_assisted_sign_up_refuses_overlong_text_with_messages(client, world):
    client.force_login(world["viewers"]["volunteer_A"])
    form = {"full_name": "Lý " * 60, "phone": "0912000555", "birth_year": "99999",
            "commune": "Giáp Trung " * 500, "consent_spoken": "on"}  # fmt: skip
    page = client.post(reverse("learning:assisted_sign_up"), form).content.decode()
    assert "Tên xã, phường dài quá 100 ký tự" in page
    assert "Năm sinh phải trước" in page and "tối đa 150 kí tự" in page
    assert not User.objects.filter(phone="0912000555").exists()
