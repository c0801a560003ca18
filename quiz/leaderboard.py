"""Leaderboard reads: what the leaderboard page, the big screen and the live push show.

A snapshot (top 20, the commune and organization tables, the score histogram) costs a few
aggregate queries over the round's standings, so it is computed at most once per push
interval and cached; a page adds one small query for the viewer's own rank. Public
content only: masked names and units, never a phone number, a birth year or an answer.
"""

import json
import time

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models import Count, F, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.headcounts import expected, registered
from accounts.models import Commune, Organization, User
from common.text import mask_name
from quiz.models import GameAnswer, Phase, Round, Standing
from quiz.models.contest import OPEN
from quiz.ranking import shared_ranks

TOP = 20
ORGANIZATIONS_SHOWN = 30
SNAPSHOT_SECONDS = 2  # at most this stale for a page read; the live push always recomputes
FRAGMENT_SECONDS = 10  # as the {% cache %} in templates/quiz/_leaderboard_tables.html
NAMES_SECONDS = 600


def _key(round_id: int) -> str:
    return f"quiz:leaderboard:{round_id}"


def snapshot(round_id: int, *, fresh: bool = False) -> dict | None:
    """The public leaderboard of a published contest's round, or None."""
    if not fresh:
        cached = cache.get(_key(round_id))
        if cached is not None:
            return cached
    round_ = (
        Round.objects.select_related("contest")
        .filter(pk=round_id, contest__is_published=True)
        .first()
    )
    if round_ is None:
        return None
    data = _compute(round_)
    cache.set(_key(round_id), data, SNAPSHOT_SECONDS)
    _render_tables(data)
    return data


def _render_tables(data: dict) -> None:
    """Render the snapshot's tables once, in Vietnamese, into the page's fragment cache:
    ~1,000 table cells take most of a page's time, and every reader sees the same ones.
    (Another language renders on its first read.)"""
    key = make_template_fragment_key("leaderboard_tables", [data["round"], data["stamp"], "vi"])
    with translation.override("vi"):
        html = render_to_string("quiz/_leaderboard_body.html", {"data": data})
    cache.set(key, html, FRAGMENT_SECONDS)


def forget(round_id: int) -> None:
    """Drop the cached snapshot after a change that must show at once (closing, publishing)."""
    cache.delete(_key(round_id))


def encoded(data: dict) -> str:
    """The websocket message for a snapshot, encoded once for every viewer."""
    return json.dumps({"type": "leaderboard", **data}, ensure_ascii=False, separators=(",", ":"))


def _compute(round_: Round) -> dict:
    """Two scans of the round's standings (scores; communes × organizations) and one index
    read for the top: the same figures four scans gave (bench/contest.py)."""
    final = round_.published_at is not None  # prizes and final ranks: public once published
    standings = Standing.objects.filter(round=round_)
    top_rows = (standings.final_order() if final else standings.live_order()).values_list(
        "rank", "user__full_name", "commune__name", "score", "total", "duration_ms", "prize"
    )[:TOP]
    top = [
        [rank if final else position, mask_name(name), commune or "", score, total, ms // 1000]
        + ([prize] if final else [])
        for position, (rank, name, commune, score, total, ms, prize) in enumerate(top_rows, start=1)
    ]
    histogram: dict[int, int] = {}
    perfect = 0
    for score, total, n in (
        standings.values_list("score", "total").annotate(n=Count("pk")).order_by()
    ):
        histogram[score] = histogram.get(score, 0) + n
        perfect += n if score == total else 0
    units = _unit_tables(standings, game_answers(round_.pk))
    return {
        "round": round_.pk,
        "title": str(round_),
        "final": final,
        "open": round_.state(now=timezone.now()) == OPEN,
        "participants": sum(histogram.values()),
        "perfect": perfect,
        "top": top,
        "histogram": sorted(histogram.items()),
        "communes": units["commune"],
        "organizations": units["organization"][:ORGANIZATIONS_SHOWN],
        "games": any(row[6] for row in units["commune"] + units["organization"]),
        "updated": timezone.localtime().strftime("%H:%M:%S"),
        "stamp": time.time_ns(),  # tells one snapshot from the next (the page's fragment)
    }


def unit_table(
    round_: Round, unit: str, *, standings=None, answers=None, fresh: bool = False
) -> list[list]:
    """Per commune or organization: [name, participants, registered accounts, rate %,
    average score, perfect scores, live-game points, expected headcount or None], most
    participants first. The participation rate is over the expected headcount (adults of a
    commune, staff of an organization) where the Department set one, else over registered
    accounts: the last column says which. `standings` and `answers` (of `game_answers`)
    narrow it (an export's scope); `fresh` reads the units' names and registered accounts
    past their cache."""
    standings = Standing.objects.all() if standings is None else standings
    answers = game_answers(round_.pk) if answers is None else answers
    return _unit_tables(standings.filter(round=round_), answers, fresh=fresh)[unit]


def game_answers(round_id: int):
    """The answers of the finished live games that count toward the round (a host's
    choice when making the game): their points go to the players' communes and
    organizations."""
    return GameAnswer.objects.filter(
        game_question__game__round_id=round_id,
        game_question__game__phase=Phase.FINISHED,
        player__removed=False,
    )


def _unit_tables(standings, answers, *, fresh: bool = False) -> dict[str, list[list]]:
    """Both unit tables from one grouped scan of the standings (by commune and
    organization together) and one of the live games' answers."""
    sums: dict[str, dict[int, list[int]]] = {"commune": {}, "organization": {}}
    rows = (
        standings.values_list("commune", "organization")
        .annotate(
            n=Count("pk"), points=Sum("score"), perfect=Count("pk", filter=Q(score=F("total")))
        )
        .order_by()
    )
    games = (
        answers.values_list("player__commune", "player__organization")
        .annotate(points=Sum("points"))
        .order_by()
    )
    lines = [(c, o, (n, points, perfect, 0)) for c, o, n, points, perfect in rows]
    lines += [(c, o, (0, 0, 0, points)) for c, o, points in games]
    for commune, organization, values in lines:
        for unit, key in (("commune", commune), ("organization", organization)):
            if key is not None:
                total = sums[unit].setdefault(key, [0, 0, 0, 0])
                for k, value in enumerate(values):
                    total[k] += value
    tables = {}
    for unit, by_key in sums.items():
        names, heads = unit_names(unit, fresh=fresh), headcounts(unit, fresh=fresh)
        planned = expected(unit)
        table = []
        for key, (n, points, perfect, game) in by_key.items():
            head, base = heads.get(key, 0), planned.get(key)
            rate = round(100 * n / (base or head), 1) if base or head else None
            average = round(points / n, 1) if n else None
            table.append([names.get(key, ""), n, head, rate, average, perfect, game, base])
        table.sort(key=lambda r: (-r[1], r[0]))
        tables[unit] = table
    return tables


def unit_names(unit: str, *, fresh: bool = False) -> dict[int, str]:
    model = Commune if unit == "commune" else Organization
    key = f"quiz:unit-names:{unit}"
    if fresh:
        cache.delete(key)
    return cache.get_or_set(key, lambda: dict(model.objects.values_list("pk", "name")), 600)


def headcounts(unit: str, *, fresh: bool = False) -> dict[int, int]:
    """Registered people per commune or organization: the participation rate's base where
    no expected headcount is set."""
    key = f"quiz:headcounts:{unit}"
    if fresh:
        cache.delete(key)
    return cache.get_or_set(key, lambda: registered(unit), NAMES_SECONDS)


def own_standing(round_: Round, user, data: dict) -> dict | None:
    """The viewer's own line: rank, score, duration (one small query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    mine = Standing.objects.filter(round=round_, user=user).first()
    if mine is None:
        return None
    if data["final"] and mine.rank is not None:
        position = mine.rank
    else:  # above: higher scores from the snapshot; then the better ones at the same score
        above = sum(n for score, n in data["histogram"] if score > mine.score)
        tied = Standing.objects.filter(round=round_).ahead_at_same_score(mine)
        position = above + tied.count() + 1
    return {
        "rank": position,
        "score": mine.score,
        "total": mine.total,
        "seconds": mine.duration_ms // 1000,
        "prize": mine.prize if data["final"] else "",
    }


def round_results(round_: Round) -> dict:
    """A published round's results as they were published (Round.results); a round
    published before they were stored, or not published yet, from the current figures."""
    return round_.results if round_.results is not None else current_results(round_)


def current_results(round_: Round, *, fresh: bool = False) -> dict:
    """The round's prize winners and collective prizes from its standings and the units'
    current names and headcounts (`fresh`: none from the cache, as publishing stores them).
    JSON primitives only: publishing stores them as they are."""
    winners = [
        {
            "rank": rank,
            "name": mask_name(name),
            "commune": commune or "",
            "score": score,
            "total": total,
            "seconds": ms // 1000,
            "prize": prize,
        }
        for rank, name, commune, score, total, ms, prize in Standing.objects.filter(round=round_)
        .exclude(prize="")
        .final_order()
        .values_list(
            "rank", "user__full_name", "commune__name", "score", "total", "duration_ms", "prize"
        )
    ]
    # Collective prizes go by the contest's participants (live-game points do not count).
    communes = [r for r in unit_table(round_, "commune", fresh=fresh) if r[1]]
    organizations = [r for r in unit_table(round_, "organization", fresh=fresh) if r[1]]
    n = round_.unit_prizes
    return {
        "winners": winners,
        "participants": Standing.objects.filter(round=round_).count(),
        "most_communes": communes[:n],
        "rate_communes": _by_rate(communes)[:n],
        "unrated_communes": _unrated(communes),
        "most_organizations": organizations[:n],
        "rate_organizations": _by_rate(organizations)[:n],
        "unrated_organizations": _unrated(organizations),
    }


def _by_rate(table: list[list]) -> list[list]:
    """The units eligible for a rate-based collective prize, best first: only those with an
    expected headcount. A rate over registered accounts rewards the units that signed few
    people up, so such a unit is never ranked by rate, above or below the others."""
    return sorted((r for r in table if r[7] is not None), key=lambda r: (-r[3], -r[1], r[0]))


def _unrated(table: list[list]) -> list[str]:
    return sorted(r[0] for r in table if r[1] and r[7] is None)


def without_expected(round_: Round) -> dict[str, list[str]]:
    """The communes and organizations with participants in the round but no expected
    headcount: not eligible for its rate-based collective prizes (the organiser is told
    before publishing)."""
    return {unit: _unrated(unit_table(round_, unit)) for unit in ("commune", "organization")}


def contest_ranking(contest, *, limit: int = TOP) -> list[dict]:
    """The whole contest over its published rounds: total score, then total time."""
    rows = (
        Standing.objects.filter(round__contest=contest, round__published_at__isnull=False)
        .values("user")
        .annotate(points=Sum("score"), time=Sum("duration_ms"), rounds=Count("pk"))
        .order_by("-points", "time", "user")[:limit]
    )
    rows = list(rows)
    people = {
        pk: (name, commune)
        for pk, name, commune in User.objects.filter(pk__in=[r["user"] for r in rows]).values_list(
            "pk", "full_name", "commune__name"
        )
    }
    ranks = shared_ranks((row["points"], row["time"]) for row in rows)
    return [
        {
            "rank": rank,
            "name": mask_name(people[row["user"]][0]),
            "commune": people[row["user"]][1] or "",
            "points": row["points"],
            "rounds": row["rounds"],
            "seconds": row["time"] // 1000,
        }
        for rank, row in zip(ranks, rows, strict=True)
    ]
