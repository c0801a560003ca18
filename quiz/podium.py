"""Where a live game's players stand: ranks, the leaderboard and the podium (read, never
written: the answers' points are stored by quiz/scoring.py)."""

from django.db.models import Count, Sum

from common.text import mask_name
from quiz.models import Game, GameAnswer, GameQuestion, Player

TOP = 10


def standings(game: Game) -> list[tuple[int, int, int]]:
    """(player id, total points, rank) for every player still in the game, best first;
    equal totals share a rank."""
    rows = (
        Player.objects.filter(game=game, removed=False)
        .annotate(total=Sum("answers__points", default=0))
        .order_by("-total", "joined_at", "pk")
        .values_list("pk", "total")
    )
    result, previous, rank = [], None, 0
    for position, (player, total) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = position, total
        result.append((player, total, rank))
    return result


def question_results(
    game: Game, item: GameQuestion
) -> tuple[list[tuple[int, int]], int, list[list]]:
    """How the room answered question `item`: [[choice id, how many chose it], …], how many
    answered, and the result table [[player, total, rank, right, points], …] best first."""
    answers = GameAnswer.objects.filter(game_question=item)
    distribution: dict[int, int] = {}
    for chosen in answers.values_list("chosen", flat=True).iterator(chunk_size=5000):
        for choice_id in chosen:
            distribution[choice_id] = distribution.get(choice_id, 0) + 1
    this_question = {
        player: (is_right, points)
        for player, is_right, points in answers.values_list("player", "correct", "points")
    }
    table = [
        [player, total, rank, *this_question.get(player, (False, 0))]
        for player, total, rank in standings(game)
    ]
    return sorted(distribution.items()), len(this_question), table


def leaderboard(game: Game) -> dict:
    """The top players (full names masked), and the communes and organizations ahead by
    average points per player."""
    players = (
        Player.objects.filter(game=game, removed=False)
        .annotate(total=Sum("answers__points", default=0))
        .order_by("-total", "joined_at", "pk")
        .values_list("nickname", "user__full_name", "commune__name", "total")[:TOP]
    )
    top = [
        [rank, mask_name(full_name) if full_name else nickname, commune or "", total]
        for rank, (nickname, full_name, commune, total) in enumerate(players, start=1)
    ]
    return {
        "top": top,
        "communes": _units(game, "commune"),
        "organizations": _units(game, "organization"),
    }


def _units(game: Game, unit: str) -> list[list]:
    totals = (
        Player.objects.filter(game=game, removed=False, **{f"{unit}__isnull": False})
        .values(f"{unit}__name")
        .annotate(
            players=Count("pk", distinct=True),
            points=Sum("answers__points", default=0),
        )
        .order_by()
    )
    rows = [
        [row[f"{unit}__name"], row["players"], round(row["points"] / row["players"])]
        for row in totals
    ]
    rows.sort(key=lambda r: (-r[2], -r[1], r[0]))
    return rows[:TOP]


def player_results(game_id: int) -> dict[int, list]:
    """{player id: [total, rank]} now, for phones reconnecting to a process that has not
    seen a reveal of this game yet (computed once per process and game)."""
    game = Game.objects.get(pk=game_id)
    return {player: [total, rank] for player, total, rank in standings(game)}
