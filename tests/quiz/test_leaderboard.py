"""Standings, leaderboards, closing a round with prizes, and the published results."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from quiz import leaderboard
from quiz.models import Choice, Contest, Standing
from quiz.services.attempts import AttemptRefused
from quiz.services.results import close_round, prize_for_rank, publish_results
from tests import factories
from tests.factories import MINUTE, take


@pytest.fixture
def people(tuyen_quang):
    """Two communes: 00985 with three people registered, 00991 with one."""
    school = factories.organization("Trường THCS Giáp Trung")
    a, b = factories.commune("00985"), factories.commune("00991")
    return [
        factories.person(commune=a, full_name="Nguyễn Văn An", organization=school),
        factories.person(commune=a, full_name="Lý Thị Mỷ"),
        factories.person(commune=b, full_name="Ma Văn Thi"),
        factories.person(commune=a, full_name="Hoàng Văn Chưa Thi"),
    ]


def test_the_standing_keeps_the_best_then_the_earliest_attempt(round_, people):
    an = people[0]
    start = round_.opens_at
    first = take(an, round_, right_answers=4, at=start)
    take(an, round_, right_answers=3, at=start + 5 * MINUTE)  # worse: ignored
    take(an, round_, right_answers=4, at=start + 10 * MINUTE)  # equal, later: ignored
    standing = Standing.objects.get(round=round_, user=an)
    assert (standing.attempt_id, standing.score) == (first.pk, 4)
    best = take(an, round_, right_answers=6, at=start + 20 * MINUTE)
    standing.refresh_from_db()
    assert (standing.attempt_id, standing.score, standing.total) == (best.pk, 6, 6)
    assert standing.commune.code == "00985"


def test_the_snapshot_shows_masked_names_units_and_rates(round_, people):
    an, my, thi, _ = people
    start = round_.opens_at
    take(an, round_, right_answers=6, at=start, minutes=3)
    take(my, round_, right_answers=6, at=start, minutes=2)  # same score, faster
    take(thi, round_, right_answers=2, at=start)
    data = leaderboard.snapshot(round_.pk, fresh=True)
    assert data["participants"] == 3 and data["perfect"] == 2
    assert [row[:4] for row in data["top"]] == [
        [1, "Lý T. M.", "Giáp Trung", 6],
        [2, "Nguyễn V. A.", "Giáp Trung", 6],
        [3, "Ma V. T.", "Bắc Mê", 2],
    ]
    encoded = leaderboard.encoded(data)
    for person in people:  # never a phone number, a birth year or a full name
        assert person.phone not in encoded and person.full_name not in encoded
    # 2 of 3 registered (no expected headcount set: the last column, None)
    assert data["communes"][0] == ["Giáp Trung", 2, 3, 66.7, 6.0, 2, 0, None]
    assert data["organizations"] == [["Trường THCS Giáp Trung", 1, 1, 100.0, 6.0, 1, 0, None]]
    assert data["games"] is False  # no live game counts toward this round: no such column
    assert [list(bar) for bar in data["histogram"]] == [[2, 1], [6, 2]]


def test_own_rank_counts_higher_scores_then_faster_equals(round_, people):
    an, my, thi, _ = people
    start = round_.opens_at
    take(an, round_, right_answers=6, at=start, minutes=3)
    take(my, round_, right_answers=6, at=start, minutes=2)
    take(thi, round_, right_answers=2, at=start)
    data = leaderboard.snapshot(round_.pk, fresh=True)
    assert leaderboard.own_standing(round_, my, data)["rank"] == 1
    assert leaderboard.own_standing(round_, an, data)["rank"] == 2
    assert leaderboard.own_standing(round_, thi, data)["rank"] == 3
    assert leaderboard.own_standing(round_, people[3], data) is None


def test_prizes_follow_the_ranks_and_a_tie_at_the_boundary_shares():
    prize = prize_for_rank([["Nhất", 1], ["Nhì", 2], ["Khuyến khích", 3]])
    assert [prize(r) for r in (1, 2, 3, 4, 6, 7)] == ["Nhất", "Nhì", "Nhì", "Khuyến khích",
                                                      "Khuyến khích", ""]  # fmt: skip
    assert prize_for_rank([])(1) == ""


def test_closing_ranks_with_the_prediction_assigns_prizes_and_publishing_shows_them(
    client, round_, people
):
    an, my, thi, _ = people
    start = round_.opens_at
    take(an, round_, right_answers=6, at=start, minutes=3, prediction=3)  # exact
    take(my, round_, right_answers=6, at=start, minutes=2, prediction=50)  # faster, far off
    take(thi, round_, right_answers=2, at=start, prediction=3)
    round_.closes_at = timezone.now() - MINUTE
    round_.save()
    close_round(round_, now=timezone.now())
    round_.refresh_from_db()
    assert round_.prediction_actual == 3
    final = list(Standing.objects.filter(round=round_).final_order())
    assert [(s.user_id, s.rank, s.prize) for s in final] == [
        (an.pk, 1, "Giải Nhất"),  # the prediction decides before the duration
        (my.pk, 2, "Giải Nhì"),
        (thi.pk, 3, ""),
    ]
    results_url = reverse("quiz:results", args=["cds"])
    board_url = reverse("quiz:leaderboard", args=["cds", 1])
    page = client.get(results_url).content.decode()
    assert "Chưa có vòng thi nào được công bố kết quả" in page  # ranked, not yet published
    assert "Giải Nhất" not in client.get(board_url).content.decode()

    publish_results(round_, now=timezone.now())
    page = client.get(results_url).content.decode()
    assert "Giải Nhất" in page and "Nguyễn V. A." in page and "Nguyễn Văn An" not in page
    assert "Giáp Trung (2)" in page  # collective: most participants
    board = client.get(board_url).content.decode()
    assert "Kết quả chính thức" in board and "Giải Nhất" in board


def test_publishing_needs_a_ranked_round(round_):
    with pytest.raises(AttemptRefused, match="chốt kết quả"):
        publish_results(round_, now=timezone.now())


def test_leaderboard_pages_work_without_login_and_only_for_published_contests(
    client, round_, people
):
    take(people[0], round_, right_answers=5, at=round_.opens_at)
    for name in ("quiz:leaderboard", "quiz:screen"):
        page = client.get(reverse(name, args=["cds", 1]))
        assert page.status_code == 200
        assert "Nguyễn V. A." in page.content.decode()
    client.force_login(people[0])
    page = client.get(reverse("quiz:leaderboard", args=["cds", 1])).content.decode()
    assert "Bạn đang xếp thứ 1 với 5/6 điểm." in page
    Contest.objects.update(is_published=False)
    assert client.get(reverse("quiz:leaderboard", args=["cds", 1])).status_code == 404
    assert client.get(reverse("quiz:results", args=["cds"])).status_code == 404


def test_an_empty_leaderboard_says_what_happens_next(client, round_):
    page = client.get(reverse("quiz:leaderboard", args=["cds", 1])).content.decode()
    assert "Chưa có ai nộp bài. Bảng tự cập nhật khi có bài nộp." in page


def test_the_snapshot_does_not_depend_on_the_answer_key(round_, people):
    take(people[0], round_, right_answers=4, at=round_.opens_at)
    moment = {"updated": "", "stamp": 0}  # when it was computed, not what it says
    before = leaderboard.encoded(leaderboard.snapshot(round_.pk, fresh=True) | moment)
    for choice in Choice.objects.all():
        choice.is_correct = not choice.is_correct
        choice.save()
    after = leaderboard.encoded(leaderboard.snapshot(round_.pk, fresh=True) | moment)
    assert before == after
    for text in Choice.objects.values_list("text", flat=True):
        assert text not in before


def test_a_snapshot_renders_its_tables_once_for_every_reader(client, round_, people):
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key

    take(people[0], round_, right_answers=5, at=round_.opens_at)
    data = leaderboard.snapshot(round_.pk, fresh=True)
    key = make_template_fragment_key("leaderboard_tables", [round_.pk, data["stamp"], "vi"])
    assert "Nguyễn V. A." in cache.get(key)  # rendered with the snapshot, before any read
    page = client.get(reverse("quiz:leaderboard", args=["cds", 1])).content.decode()
    assert cache.get(key) in page
    client.cookies["django_language"] = "en"
    english = client.get(reverse("quiz:leaderboard", args=["cds", 1])).content.decode()
    assert "Individual ranking" in english and "Nguyễn V. A." in english


def test_a_finished_live_game_counts_toward_the_rounds_commune_and_organization_tables(
    round_, people, client
):
    from quiz import games
    from quiz.models import Game, GameAnswer, Player, Question

    an, my, thi, _ = people
    take(an, round_, right_answers=6, at=round_.opens_at)
    now = timezone.now()

    def played(*, counts: bool, finish: bool, points: dict) -> Game:
        game = games.create_game(
            host=people[3], title="Đố vui", questions=list(Question.objects.all()[:1]),
            round=round_ if counts else None,
        )  # fmt: skip
        games.open_next_question(game.pk, now=now)
        item = game.questions.get(order=1)
        for person, value in points.items():
            player = games.join_game(game, user=person, nickname="x", now=now)
            GameAnswer.objects.create(
                player=player, game_question=item, chosen=[], received_at=now, elapsed_ms=0,
                correct=value > 0, points=value,
            )  # fmt: skip
        if finish:
            games.finish_game(game.pk, now=now)
        return game

    counted = played(counts=True, finish=True, points={an: 900, thi: 700, my: 500})
    games.remove_player(counted.pk, player_id=Player.objects.get(game=counted, user=my).pk)
    played(counts=True, finish=False, points={an: 1000})  # still being played
    played(counts=False, finish=True, points={thi: 1000})  # not for this round
    data = leaderboard.snapshot(round_.pk, fresh=True)
    assert data["games"] is True
    assert data["communes"] == [
        ["Giáp Trung", 1, 3, 33.3, 6.0, 1, 900, None],  # An's 900; Mỷ was removed from the game
        ["Bắc Mê", 0, 1, 0.0, None, 0, 700, None],  # took no contest attempt, played the game
    ]
    assert data["organizations"] == [["Trường THCS Giáp Trung", 1, 1, 100.0, 6.0, 1, 900, None]]
    page = client.get(reverse("quiz:leaderboard", args=[round_.contest.slug, round_.number]))
    assert "Điểm trò chơi" in page.content.decode()
    # The round's workbook has the column too, each coordinator seeing their own commune.
    for code, expected in (("00985", [["Giáp Trung", 900]]), ("00991", [["Bắc Mê", 700]])):
        coordinator = factories.with_role(
            factories.person(commune=factories.commune(code), full_name="Điều Phối"),
            Role.COMMUNE_COORDINATOR, commune=factories.commune(code),
        )  # fmt: skip
        client.force_login(coordinator)
        response = client.get(reverse("quiz:export", args=[round_.contest.slug, round_.number]))
        sheet = load_workbook(io.BytesIO(response.content))["Theo xã, phường"]
        assert [c.value for c in sheet[1]][-1] == "Điểm trò chơi trực tiếp"
        rows = [[r[0], r[-1]] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert rows == expected
    # Collective prizes still go by the contest's participants.
    results = leaderboard.round_results(round_)
    assert [r[0] for r in results["most_communes"]] == ["Giáp Trung"]


def test_a_host_can_count_a_game_only_toward_a_round_whose_results_are_not_published(round_):
    from quiz.forms import GameForm

    assert list(GameForm().fields["round"].queryset) == [round_]
    round_.published_at = timezone.now()
    round_.save()
    assert list(GameForm().fields["round"].queryset) == []
