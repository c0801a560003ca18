"""The organisers' review queue and pages (issue 14): the evidence, decisions logged and
shown, bad input, decisions after publishing, paging, and each viewer's scope. Fixtures in
tests/quiz/conftest.py."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from quiz.models import Attempt, AttemptReview, Review, Round
from quiz.services.attempts import AttemptRefused
from quiz.services.reviews import decide_attempt
from tests import factories


def review_url(round_, attempt) -> str:
    return reverse("quiz:review_attempt", args=[round_.contest.slug, round_.number, attempt.pk])


def queue_url(round_, **query) -> str:
    url = reverse("quiz:review_queue", args=[round_.contest.slug, round_.number])
    return url + "".join(f"?{k}={v}" for k, v in query.items())


# --- The queue and the review page -----------------------------------------------------------


def test_the_queue_shows_the_evidence_and_decisions_are_logged_and_shown(
    timed_attempt, ten, places, host, client
):
    attempt = timed_attempt(
        factories.person(commune=places["a"], full_name="Nhanh Quá"), ten, seconds=1
    )
    client.force_login(host)
    queue = client.get(queue_url(ten)).content.decode()
    assert "Nhanh Quá" in queue and "10/10" in queue and "tối thiểu 22,0 giây" in queue
    assert "Nộp quá nhanh" in queue
    page = client.get(review_url(ten, attempt)).content.decode()
    assert "Nộp sau 1,0 giây, nhanh hơn thời gian tối thiểu 22,0 giây." in page
    assert "Chưa có quyết định nào." in page

    refused = client.post(review_url(ten, attempt), {"decision": "disqualified", "reason": "Gian"})
    assert "Hãy đánh dấu xác nhận trước khi loại lượt thi." in refused.content.decode()
    assert not AttemptReview.objects.exists()

    approved = client.post(review_url(ten, attempt), {"decision": "approved", "reason": "Ổn"})
    assert approved.status_code == 302 and approved.url == queue_url(ten)
    disqualified = client.post(
        review_url(ten, attempt),
        {"decision": "disqualified", "reason": "Thi hộ người khác", "confirm": "on"},
    )
    assert disqualified.status_code == 302
    log = list(AttemptReview.objects.values_list("decision", "reason", "by", "attempt"))
    assert log == [
        ("approved", "Ổn", host.pk, attempt.pk),
        ("disqualified", "Thi hộ người khác", host.pk, attempt.pk),
    ]
    assert all(r.at is not None for r in AttemptReview.objects.all())
    page = client.get(review_url(ten, attempt)).content.decode()
    assert page.index("Duyệt") < page.index("Ổn") < page.index("Thi hộ người khác")
    assert page.count("Ban Tổ Chức") == 2
    empty = client.get(queue_url(ten)).content.decode()
    assert "Không có lượt thi nào chờ xét duyệt" in empty
    assert "Nhanh Quá" in client.get(queue_url(ten, xem="disqualified")).content.decode()


def test_bad_input_gets_a_clear_error_and_changes_nothing(timed_attempt, ten, places, host, client):
    attempt = timed_attempt(
        factories.person(commune=places["a"], full_name="Nhanh Quá"), ten, seconds=1
    )
    other = Round.objects.create(
        contest=ten.contest, number=2, opens_at=ten.opens_at, closes_at=ten.closes_at,
        questions_per_attempt=10,
    )  # fmt: skip
    client.force_login(host)
    for form, says in (
        ({"decision": "approved", "reason": "   "}, "Hãy ghi lý do của quyết định."),
        ({"reason": "Ổn"}, "Hãy chọn duyệt hoặc loại."),
        ({"decision": "held", "reason": "Ổn"}, "Hãy chọn một lựa chọn hợp lệ."),
        ({"decision": "approved", "reason": "x" * 1001}, "1000"),
    ):
        response = client.post(review_url(ten, attempt), form)
        assert response.status_code == 200 and says in response.content.decode(), form
    # The attempt of round 1 asked for under round 2: no such attempt there.
    assert client.get(review_url(other, attempt)).status_code == 404
    assert (
        client.post(
            review_url(other, attempt), {"decision": "approved", "reason": "Ổn"}
        ).status_code
        == 404
    )
    with pytest.raises(AttemptRefused, match="Không có lượt thi đã nộp này trong vòng thi này."):
        decide_attempt(
            attempt.pk, round_=other, decision=Review.APPROVED, reason="Ổn", by=host,
            now=timezone.now(),
        )  # fmt: skip
    assert not AttemptReview.objects.exists()
    assert Attempt.objects.get(pk=attempt.pk).review == Review.HELD


def test_decisions_are_refused_once_the_results_are_published(
    timed_attempt, ten, places, host, client
):
    attempt = timed_attempt(
        factories.person(commune=places["a"], full_name="Nhanh Quá"), ten, seconds=1
    )
    Round.objects.filter(pk=ten.pk).update(published_at=timezone.now())
    client.force_login(host)
    page = client.get(review_url(ten, attempt)).content.decode()
    assert "không thay đổi được quyết định xét duyệt" in page and 'name="reason"' not in page
    response = client.post(review_url(ten, attempt), {"decision": "approved", "reason": "Ổn"})
    assert "không thay đổi được quyết định xét duyệt" in response.content.decode()
    assert not AttemptReview.objects.exists()


def test_the_queue_reaches_page_two_keeping_its_tab(
    timed_attempt, ten, places, host, client, monkeypatch
):
    monkeypatch.setattr("quiz.views.review.PER_PAGE", 2)
    for n in range(3):
        timed_attempt(factories.person(commune=places["a"], full_name=f"Nhanh {n}"), ten, seconds=1)
    client.force_login(host)
    first = client.get(queue_url(ten, xem="held")).content.decode()
    assert "Trang 1 / 2" in first and "Nhanh 0" in first and "Nhanh 2" not in first
    second = client.get(queue_url(ten, xem="held") + "&page=2").content.decode()
    assert "Nhanh 2" in second and "Nhanh 0" not in second
    assert 'href="?xem=held&amp;page=1"' in second  # the "previous" link keeps the tab
    assert "Nhanh 2" in client.get(queue_url(ten, xem="held") + "&page=99").content.decode()


# --- Scopes ----------------------------------------------------------------------------------


@pytest.fixture
def scoped(timed_attempt, ten, places, host):
    """A held attempt in commune A (of the school there) and one in commune B, and a viewer
    of each kind."""
    in_a = timed_attempt(
        factories.person(commune=places["a"], full_name="Người Xã A",
                         organization=places["school"]),
        ten, seconds=1,
    )  # fmt: skip
    in_b = timed_attempt(
        factories.person(commune=places["b"], full_name="Người Xã B"), ten, seconds=1
    )
    role = factories.with_role
    viewers = {
        "host": host,
        "admin": role(factories.person(commune=places["b"]), Role.PROVINCE_ADMIN),
        "coordinator_A": role(
            factories.person(commune=places["a"]), Role.COMMUNE_COORDINATOR, commune=places["a"]
        ),
        "coordinator_B": role(
            factories.person(commune=places["b"]), Role.COMMUNE_COORDINATOR, commune=places["b"]
        ),
        "school": role(
            factories.person(commune=places["b"]),
            Role.ORGANIZATION_COORDINATOR,
            organization=places["school"],
        ),
        "resident": factories.person(commune=places["a"], full_name="Người Dân"),
        "editor": role(factories.person(commune=places["a"]), Role.CONTENT_EDITOR),
    }
    return {"A": in_a, "B": in_b, "viewers": viewers}


SEES = {  # viewer: (queue lists, review page A, review page B)
    "host": ({"A", "B"}, 200, 200),
    "admin": ({"A", "B"}, 200, 200),
    "coordinator_A": ({"A"}, 200, 404),
    "coordinator_B": ({"B"}, 404, 200),
    "school": ({"A"}, 200, 404),
    "resident": (None, 404, 404),
    "editor": (None, 404, 404),
}


@pytest.mark.parametrize("viewer", sorted(SEES))
def test_each_viewer_sees_only_their_scopes_held_attempts(client, ten, scoped, viewer):
    client.force_login(scoped["viewers"][viewer])
    listed, page_a, page_b = SEES[viewer]
    queue = client.get(queue_url(ten))
    if listed is None:
        assert queue.status_code == 404
    else:
        html = queue.content.decode()
        assert {key for key in "AB" if f"Người Xã {key}" in html} == listed
    assert client.get(review_url(ten, scoped["A"])).status_code == page_a
    assert client.get(review_url(ten, scoped["B"])).status_code == page_b


@pytest.mark.parametrize("viewer", ["coordinator_A", "school"])
def test_coordinators_read_but_do_not_decide(client, ten, scoped, viewer):
    client.force_login(scoped["viewers"][viewer])
    page = client.get(review_url(ten, scoped["A"])).content.decode()
    assert "Chỉ người tổ chức cuộc thi được duyệt hoặc loại lượt thi" in page
    response = client.post(review_url(ten, scoped["A"]), {"decision": "approved", "reason": "Ổn"})
    assert response.status_code == 403
    assert not AttemptReview.objects.exists()


def test_an_unpublished_contests_queue_is_for_its_organisers_only(client, ten, scoped):
    ten.contest.is_published = False
    ten.contest.save()
    for viewer, status in (("host", 200), ("coordinator_A", 404)):
        client.force_login(scoped["viewers"][viewer])
        assert client.get(queue_url(ten)).status_code == status
        assert client.get(review_url(ten, scoped["A"])).status_code == status
    client.logout()
    assert client.get(queue_url(ten)).status_code == 302  # to the login page
