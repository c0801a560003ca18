"""What the generated people did (tests/accounts/scope_world.py): a contest round and a
live game that counts toward it, courses and certificates, campaigns, festival check-ins."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import Commune, Organization, User
from courses.imports import parse_markdown
from courses.models import Course
from courses.services import import_course
from learning import festival
from learning.models import Booth, Campaign, Event
from learning.services.campaigns import assign_campaign
from learning.services.completion import issue_certificate
from learning.services.reading import enroll
from quiz import games
from quiz.models import Contest, GameAnswer, Question, Round, Standing
from tests.accounts.scope_facts import Learning, Plan, Play, Score, Visit
from tests.factories import SAMPLE, make_question, take

if TYPE_CHECKING:
    from tests.accounts.scope_world import World

FAST_BELOW = 90  # the sample course: three lessons of 30 s at least


def add_contest(world: World, rng, *, now) -> None:
    """A published contest with its round open, half the people's attempts at it, and a
    live game that counts toward it."""
    for n in range(6):
        make_question(n, difficulty=1 + n % 3)
    contest = Contest.objects.create(title="Cuộc thi thử", slug="cuoc-thi-thu", is_published=True)
    world.round = Round.objects.create(
        contest=contest,
        number=1,
        opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(hours=2),
        questions_per_attempt=6,
        attempts_allowed=0,
    )
    takers = [p for p in world.people.values() if p.active and rng.random() < 0.5]
    for minute, taker in enumerate(takers):
        user = User.objects.get(pk=taker.pk)
        for again in range(rng.choice([1, 1, 2])):
            at = world.round.opens_at + datetime.timedelta(minutes=2 * minute + 20 * again)
            attempt = take(
                user,
                world.round,
                right_answers=rng.randint(0, 6),
                at=at,
                minutes=rng.randint(1, 9),
                prediction=rng.randint(0, 50),
            )
            world.attempts[attempt.pk] = taker.pk
    # Which attempt counts is the contest's rule, not the scope's: the standings are read
    # back as they are, with the commune and organization they keep.
    world.scores = {
        s.user_id: Score(s.user_id, s.commune_id, s.organization_id, s.score, s.total)
        for s in Standing.objects.filter(round=world.round)
    }
    _live_game(world, rng, now=now)


def _live_game(world: World, rng, *, now) -> None:
    """A finished live game that counts toward the round: accounts, a guest, a removed
    player."""
    host = world.viewers["host"].user
    game = games.create_game(
        host=host, title="Đố vui", questions=list(Question.objects.all()[:1]), round=world.round
    )
    games.open_next_question(game.pk, now=now)
    item = game.questions.get(order=1)
    players = [p for p in world.people.values() if p.active and rng.random() < 0.3]
    joined = []
    for person in players:
        player = games.join_game(game, user=User.objects.get(pk=person.pk), nickname="x", now=now)
        joined.append((player, person.commune, person.organization))
    guest_commune = rng.choice(list(world.communes))
    guest_unit = rng.choice(list(world.units))
    guest = games.join_game(
        game,
        user=None,
        nickname="Khách",
        now=now,
        commune=Commune(pk=guest_commune),
        organization=Organization(pk=guest_unit),
    )
    joined.append((guest, guest_commune, guest_unit))
    removed = joined[0][0] if len(joined) > 1 else None
    for player, commune, organization in joined:
        points = rng.randint(0, 1000)
        answer = GameAnswer.objects.create(
            player=player,
            game_question=item,
            chosen=[],
            received_at=now,
            elapsed_ms=0,
            correct=points > 0,
            points=points,
        )
        world.plays.append(Play(answer.pk, commune, organization, points, player != removed))
    if removed:
        games.remove_player(game.pk, player_id=removed.pk)
    games.finish_game(game.pk, now=now)


def add_learning(world: World, rng, *, now) -> None:
    """Enrolments in two courses (one without lessons) and certificates, some too fast."""
    course = import_course(data=parse_markdown(SAMPLE.read_text(encoding="utf-8")), publish=True)
    bare = Course.objects.create(
        title="Khoá học không có bài", slug="khong-co-bai", summary=".", audience="residents"
    )
    world.courses = {course.pk: course.title, bare.pk: bare.title}
    # A few instants shared by several certificates: equal timestamps must not make a
    # paged list repeat or skip anyone.
    instants = [now - datetime.timedelta(days=rng.uniform(1, 50)) for _ in range(8)]
    for p in world.people.values():
        if not p.active:
            continue
        user = User.objects.get(pk=p.pk)
        for taken, chance in ((course, 0.6), (bare, 0.3)):
            if rng.random() >= chance:
                continue
            issued = rng.choice(instants) if rng.random() < 0.5 else None
            seconds = rng.choice([20, 600])
            enrolled = (issued or rng.choice(instants)) - datetime.timedelta(seconds=seconds)
            enroll(user, course=taken, now=enrolled)
            record = Learning(p.pk, taken.pk, enrolled)
            if issued:
                issue_certificate(user, course=taken, now=issued)
                record.issued_at = issued
                record.fast = taken == course and seconds < FAST_BELOW
            world.learning.append(record)


def add_campaigns(world: World, rng, places) -> None:
    """Three mandatory-training campaigns: ended, open to all, and for two communes."""
    course, bare = list(world.courses)
    active = [p.pk for p in world.people.values() if p.active]
    rules = {
        "ended": {
            "kinds": ["commune_official", "civil_servant", "public_employee"],
            "courses": [course],
            "days": (-60, -10),
        },
        "open": {"kinds": [], "courses": [course, bare], "days": (-20, 30)},
        "communes": {
            "kinds": [],
            "courses": [bare],
            "days": (-5, 60),
            "communes": [c.pk for c in rng.sample(places, 2)],
        },
    }
    for title, rule in rules.items():
        opens, deadline = (world.today + datetime.timedelta(days=d) for d in rule["days"])
        campaign = Campaign.objects.create(
            title=f"Đợt {title}", kinds=rule["kinds"], opens_on=opens, deadline=deadline
        )
        campaign.courses.add(*rule["courses"])
        campaign.communes.add(*rule.get("communes", []))
        plan = Plan(
            campaign.pk, rule["kinds"], rule["courses"], deadline, communes=rule.get("communes", [])
        )
        if title == "ended":
            plan.added = set(rng.sample(active, 2))
            campaign.added.add(*plan.added)
        if title == "open":
            plan.excluded = set(rng.sample(active, 2))
            campaign.excluded.add(*plan.excluded)
        assign_campaign(campaign, now=timezone.now())
        world.plans[title] = plan


def add_festival(world: World, rng, *, now) -> None:
    """Festival events in the communes, with booths and check-ins (some by the volunteer)."""
    volunteer = world.viewers["volunteer"].user
    active = [p.pk for p in world.people.values() if p.active]
    for commune in world.communes:
        for n in range(rng.choice([0, 1, 2])):
            published = rng.random() < 0.7
            event = Event.objects.create(
                commune=Commune(pk=commune),
                title=f"Ngày hội {commune}-{n}",
                date=world.today + datetime.timedelta(days=rng.randint(-3, 3)),
                venue="Nhà văn hoá",
                is_published=published,
            )
            world.events[event.pk] = (commune, published)
            booths = [
                Booth.objects.create(event=event, title=f"Gian {b}")
                for b in range(rng.randint(0, 2))
            ]
            for visitor in rng.sample(active, rng.randint(0, 6)):
                user = User.objects.get(pk=visitor)
                for booth in {rng.choice([None, *booths]) for _ in range(rng.randint(1, 2))}:
                    at = now - datetime.timedelta(minutes=rng.randint(0, 5))  # ties: same minute
                    checkin, _ = festival.check_in(
                        user,
                        event=event,
                        booth=booth,
                        now=at,
                        recorded_by=rng.choice([None, volunteer]),
                    )
                    world.visits.append(
                        Visit(checkin.pk, event.pk, visitor, booth.title if booth else None)
                    )
