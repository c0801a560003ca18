"""The organiser's side: the round workbook (scoped, formula-safe, tie-breaker columns),
the suspicious-attempt log, ranking and publishing from the admin, rate limits, and the
round's settings validated."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from accounts.services.roles import hosts_group
from quiz.models import Attempt, Round
from quiz.services.attempts import LIMITS
from quiz.services.results import close_round
from tests import factories
from tests.factories import MINUTE, take


@pytest.fixture
def world(round_, tuyen_quang):
    the_round = round_
    a, b = factories.commune("00985"), factories.commune("00991")
    people = {
        "a1": factories.person(commune=a, full_name='=HYPERLINK("http://x")'),
        "a2": factories.person(commune=a, full_name="Lý Thị Mỷ"),
        "b1": factories.person(commune=b, full_name="Ma Văn Thi"),
    }
    start = the_round.opens_at
    take(people["a1"], the_round, right_answers=6, at=start, minutes=4, prediction=3)
    take(people["a2"], the_round, right_answers=4, at=start, minutes=2, prediction=9)
    take(people["b1"], the_round, right_answers=6, at=start, minutes=3, prediction=40)
    host = factories.person(commune=b, full_name="Ban Tổ Chức")
    host.is_staff = True
    host.save()
    host.groups.add(hosts_group())
    viewers = {
        "host": host,
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
        "resident": people["a2"],
    }
    return {"round": the_round, "people": people, "viewers": viewers}


def workbook(client, the_round):
    response = client.get(reverse("quiz:export", args=[the_round.contest.slug, the_round.number]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def names(sheet) -> set[str]:
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


VISIBLE = {
    "host": {'=HYPERLINK("http://x")', "Lý Thị Mỷ", "Ma Văn Thi"},
    "coordinator_A": {'=HYPERLINK("http://x")', "Lý Thị Mỷ"},
    "coordinator_B": {"Ma Văn Thi"},
}


@pytest.mark.parametrize("viewer", sorted(VISIBLE))
def test_the_the_roundexport_holds_exactly_the_viewers_scope(client, world, viewer):
    client.force_login(world["viewers"][viewer])
    book = workbook(client, world["round"])
    assert names(book["Xếp hạng"]) == VISIBLE[viewer]
    attempts = {row[0] for row in book["Tất cả lượt thi"].iter_rows(min_row=2, values_only=True)}
    assert attempts == VISIBLE[viewer]


def test_residents_and_visitors_cannot_export(client, world):
    url = reverse("quiz:export", args=["cds", 1])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world["viewers"]["resident"])
    assert client.get(url).status_code == 404


EXPORT_BEFORE_PUBLISHING = {  # viewer: (unpublished contest, published contest)
    "host": (200, 200),
    "province_admin": (200, 200),
    "coordinator_A": (404, 200),
    "resident": (404, 404),
}


@pytest.mark.parametrize("viewer", sorted(EXPORT_BEFORE_PUBLISHING))
def test_an_unpublished_contests_round_exports_to_its_organisers_only(client, world, viewer):
    viewers = {
        **world["viewers"],
        "province_admin": factories.with_role(
            factories.person(commune=world["viewers"]["resident"].commune, full_name="Sở"),
            Role.PROVINCE_ADMIN,
        ),
    }
    client.force_login(viewers[viewer])
    contest = world["round"].contest
    url = reverse("quiz:export", args=[contest.slug, world["round"].number])
    answers = []
    for published in (False, True):
        contest.is_published = published
        contest.save(update_fields=["is_published"])
        answers.append(client.get(url).status_code)
    assert tuple(answers) == EXPORT_BEFORE_PUBLISHING[viewer]


def test_the_final_ranking_export_has_every_tie_breaker_and_the_prizes(client, world):
    the_round = world["round"]
    the_round.closes_at = timezone.now() - MINUTE
    the_round.save()
    close_round(the_round, now=timezone.now())
    client.force_login(world["viewers"]["host"])
    book = workbook(client, the_round)
    sheet = book["Xếp hạng"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Hạng", "Họ và tên", "Số điện thoại", "Xã, phường", "Cơ quan, đơn vị",
                      "Điểm", "Số câu", "Dự đoán", "Sai lệch dự đoán", "Thời gian (giây)",
                      "Nộp lúc", "Giải"]  # fmt: skip
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # Both 6/6; the exact prediction (3 participants) wins before the shorter time.
    assert [(r[0], r[1], r[5], r[7], r[8], r[11]) for r in rows] == [
        (1, '=HYPERLINK("http://x")', 6, 3, 0, "Giải Nhất"),
        (2, "Ma Văn Thi", 6, 40, 37, "Giải Nhì"),
        (3, "Lý Thị Mỷ", 4, 9, 6, None),
    ]
    assert rows[0][2].startswith("0")  # the phone keeps its leading zero
    formula_cell = sheet["B2"]
    assert formula_cell.data_type == "s"  # text, never evaluated
    assert [r[1] for r in book["Giải thưởng"].iter_rows(min_row=2, values_only=True)] == [
        '=HYPERLINK("http://x")',
        "Ma Văn Thi",
    ]
    communes = list(book["Theo xã, phường"].iter_rows(min_row=2, values_only=True))
    assert communes[0][:3] == ("Giáp Trung", 2, 3)  # 2 of the 3 registered (with the coordinator)


def test_too_fast_attempts_are_logged_for_the_organiser(client, world):
    the_round = world["round"]
    quick = factories.person(commune=factories.commune("00985"), full_name="Nhanh Quá")
    take(quick, the_round, right_answers=6, at=the_round.opens_at, minutes=0.2)  # 6 right in 12 s
    assert list(Attempt.objects.suspicious().values_list("user__full_name", flat=True)) == [
        "Nhanh Quá"
    ]
    client.force_login(world["viewers"]["host"])
    rows = list(workbook(client, the_round)["Nghi vấn"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[-1]) for r in rows] == [
        ("Nhanh Quá", "6/6 câu đúng trong 12 giây (dưới 3 giây một câu)")
    ]
    admin_list = client.get(reverse("admin:quiz_attempt_changelist") + "?nghi-van=1")
    assert admin_list.status_code == 200
    assert "Nhanh Quá" in admin_list.content.decode()


def test_the_organiser_ranks_and_publishes_from_the_admin(client, world):
    the_round = world["round"]
    client.force_login(world["viewers"]["host"])
    url = reverse("admin:quiz_round_changelist")
    page = client.post(url, {"action": "rank", "_selected_action": [the_round.pk]}, follow=True)
    assert "Vòng thi chưa đóng." in page.content.decode()  # still open: refused, nothing done
    the_round.closes_at = timezone.now() - MINUTE
    the_round.save()
    page = client.post(url, {"action": "publish", "_selected_action": [the_round.pk]}, follow=True)
    assert "Hãy chốt kết quả vòng thi trước khi công bố." in page.content.decode()
    page = client.post(url, {"action": "rank", "_selected_action": [the_round.pk]}, follow=True)
    assert "đã xếp hạng 3 người; đáp án câu dự đoán là 3." in page.content.decode()
    client.post(url, {"action": "publish", "_selected_action": [the_round.pk]})
    the_round.refresh_from_db()
    assert the_round.published_at is not None
    assert "Giải Nhất" in client.get(reverse("quiz:results", args=["cds"])).content.decode()


def test_starting_and_answering_are_rate_limited(client, world, monkeypatch):
    monkeypatch.setitem(LIMITS, "start", (2, 60))
    player = factories.person(commune=factories.commune("00985"), full_name="Bấm Liên Tục")
    client.force_login(player)
    url = reverse("quiz:start", args=["cds", 1])
    for _ in range(2):
        assert client.post(url).status_code == 302
    page = client.post(url, follow=True).content.decode()
    assert "Bạn thao tác quá nhanh. Hãy chờ một phút rồi thử lại." in page
    monkeypatch.setitem(LIMITS, "answer", (1, 60))
    attempt = Attempt.objects.filter(user=player).latest("pk")
    answer = reverse("quiz:answer", args=[attempt.pk])
    headers = {"x-requested-with": "fetch"}
    client.post(answer, {"question": "0"}, headers=headers)
    refused = client.post(answer, {"question": "0"}, headers=headers)
    assert refused.status_code == 429
    assert refused.json()["message"] == "Bạn thao tác quá nhanh. Hãy chờ một phút rồi thử lại."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ranking", ["score", "luck"]),
        ("ranking", ["score", "score"]),
        ("prizes", [["Giải Nhất", 0]]),
        ("prizes", [["Giải Nhất"]]),
        ("prizes", "Giải Nhất"),
    ],
)
def test_the_roundsettings_are_validated(world, field, value):
    the_round: Round = world["round"]
    setattr(the_round, field, value)
    with pytest.raises(ValidationError) as error:
        the_round.full_clean()
    assert field in error.value.message_dict
