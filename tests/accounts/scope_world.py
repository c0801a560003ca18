"""A generated directory for the scope test (issue 14), built through the real write paths
and described a second time in plain Python, so the test can say who should see what
without asking the code under test.

From one seed: seven communes, six of them with 0, 1, 2, 3, 4 and 5 organizations (each
count once, in a random order), provincial departments, sub-units and sub-sub-units
(located in their parent's commune, another one or none), people of every kind living in
one commune and working anywhere (names repeat, as they do in a commune; some people are
inactive, some moved after the contest), and what the coordinators' pages list:
enrolments and certificates (some too fast), three mandatory-training campaigns, festival
events with booths and check-ins, a contest round with standings and attempts, and a
finished live game that counts toward it.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Commune, Organization, ParticipantKind, Role, User
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
from tests import factories
from tests.factories import SAMPLE, make_question, take

# (name, the same without accents or case): names repeat, and "Hòa"/"Hoà" are one name
# written with the tone mark in two places.
NAMES = [
    ("Nguyễn Thị Lan", "nguyen thi lan"),
    ("Nguyễn Văn An", "nguyen van an"),
    ("Lê Văn Hòa", "le van hoa"),
    ("Lê Văn Hoà", "le van hoa"),
    ("Ma Thị Mỷ", "ma thi my"),
    ("Hoàng Văn Định", "hoang van dinh"),
    ("Triệu Thị Đào", "trieu thi dao"),
    ("Lý Văn Sềnh", "ly van senh"),
    ("Bàn Thị Xuân", "ban thi xuan"),
    ("Đặng Văn Tỉnh", "dang van tinh"),
]
KINDS = list(ParticipantKind.values)
FAST_BELOW = 90  # the sample course: three lessons of 30 s at least


@dataclass
class Unit:
    pk: int
    name: str
    commune: int | None
    parent: int | None


@dataclass
class Person:
    pk: int
    name: str
    folded: str
    phone: str
    commune: int
    organization: int | None
    kind: str
    active: bool = True


@dataclass
class Viewer:
    """A signed-in person and the grants that make up their scope."""

    key: str
    user: User
    everything: bool = False
    communes: set[int] = field(default_factory=set)
    organizations: set[int] = field(default_factory=set)
    volunteer: set[int] = field(default_factory=set)
    host: bool = False

    @property
    def coordinator(self) -> bool:
        return self.everything or bool(self.communes or self.organizations)


@dataclass
class Learning:
    person: int
    course: int
    enrolled_at: datetime.datetime
    issued_at: datetime.datetime | None = None  # a certificate
    fast: bool = False


@dataclass
class Plan:
    """A campaign's rule, as the test reads it."""

    pk: int
    kinds: list[str]
    courses: list[int]
    deadline: datetime.date
    communes: list[int] = field(default_factory=list)
    added: set[int] = field(default_factory=set)
    excluded: set[int] = field(default_factory=set)


@dataclass
class Visit:
    pk: int
    event: int
    person: int
    booth: str | None


@dataclass
class Score:
    """A standing: the commune and organization of its person when they submitted."""

    person: int
    commune: int | None
    organization: int | None
    score: int
    total: int


@dataclass
class Play:
    """A live-game answer: the commune and organization of its player when they joined."""

    pk: int
    commune: int | None
    organization: int | None
    points: int
    counted: bool


@dataclass
class World:
    seed: int
    communes: dict[int, str]  # the seven of the directory: pk → name
    sizes: dict[int, int]  # commune → organizations located in it (0–5; "outside": random)
    units: dict[int, Unit]
    people: dict[int, Person]
    viewers: dict[str, Viewer]
    courses: dict[int, str]
    learning: list[Learning]
    plans: dict[str, Plan]
    events: dict[int, tuple[int, bool]]  # pk → (commune, published)
    visits: list[Visit]
    round: Round
    scores: dict[int, Score]
    attempts: dict[int, int]  # attempt pk → person
    plays: list[Play]
    today: datetime.date
    sessions: dict[str, str] = field(default_factory=dict)  # viewer → session key

    # --- who sees what, in plain Python ----------------------------------------------------

    def reach(self, viewer: Viewer) -> set[int]:
        """The organizations a viewer's grants reach: those named, those located in a
        commune they coordinate, and every unit below them."""
        found = set(viewer.organizations)
        found |= {u.pk for u in self.units.values() if u.commune in viewer.communes}
        frontier = found
        while frontier:
            frontier = {u.pk for u in self.units.values() if u.parent in frontier} - found
            found |= frontier
        return found

    def sees(self, viewer: Viewer, commune: int | None, organization: int | None) -> bool:
        return viewer.everything or (
            commune in viewer.communes or organization in self.reach(viewer)
        )

    def visible(self, viewer: Viewer) -> set[int]:
        return {p.pk for p in self.people.values() if self.sees(viewer, p.commune, p.organization)}

    def scope_communes(self, viewer: Viewer, every: set[int]) -> set[int]:
        """Communes the viewer coordinates or where an organization of theirs is located."""
        if viewer.everything:
            return every
        located = {self.units[o].commune for o in self.reach(viewer)} - {None}
        return set(viewer.communes) | located

    def festival_communes(self, viewer: Viewer) -> set[int] | None:
        if viewer.everything:
            return None
        return set(viewer.communes) | viewer.volunteer

    # --- campaigns ---------------------------------------------------------------------

    def deadline_end(self, plan: Plan) -> datetime.datetime:
        midnight = datetime.datetime.combine(
            plan.deadline + datetime.timedelta(days=1), datetime.time()
        )
        return timezone.make_aware(midnight)

    def assigned(self, plan: Plan) -> set[int]:
        named = {
            p.pk
            for p in self.people.values()
            if p.active
            and (not plan.kinds or p.kind in plan.kinds)
            and (not plan.communes or p.commune in plan.communes)
        }
        added = {pk for pk in plan.added if self.people[pk].active}
        return (named | added) - plan.excluded

    def progress(self, plan: Plan, person: int) -> tuple[datetime.datetime | None, ...]:
        """(started, completed) of a person's assignment, from what they did."""
        mine = [r for r in self.learning if r.person == person and r.course in plan.courses]
        started = min((r.enrolled_at for r in mine), default=None)
        certified = [r.issued_at for r in mine if r.issued_at]
        completed = max(certified) if len(certified) == len(plan.courses) else None
        return started, completed

    def status(self, plan: Plan, person: int) -> str:
        started, completed = self.progress(plan, person)
        if completed:
            return "on_time" if completed < self.deadline_end(plan) else "late"
        if plan.deadline < self.today:
            return "overdue"
        return "in_progress" if started else "not_started"


# --- Building it -------------------------------------------------------------------------------


def build(seed: int) -> World:
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    chosen = rng.sample(list(Commune.objects.order_by("code")), 7)
    places, outside = chosen[:6], chosen[6]
    counts = list(range(6))
    rng.shuffle(counts)
    sizes = {c.pk: n for c, n in zip(places, counts, strict=True)}
    sizes[outside.pk] = rng.randint(0, 2)

    units: dict[int, Unit] = {}

    def unit(commune: Commune | None, parent: Unit | None = None) -> Unit:
        where = commune.name if commune else "tỉnh"
        made = factories.organization(
            f"Đơn vị {len(units) + 1:02d} ({where})",
            kind=rng.choice(Organization.Kind.values),
            commune=commune,
            parent=Organization(pk=parent.pk) if parent else None,
        )
        units[made.pk] = Unit(
            made.pk, made.name, commune.pk if commune else None, parent.pk if parent else None
        )
        return units[made.pk]

    tops = [unit(c) for c in chosen for _ in range(sizes[c.pk])]
    tops += [unit(None) for _ in range(2)]  # provincial departments
    by_pk = {c.pk: c for c in chosen}
    for top in tops:
        for _ in range(rng.choice([0, 0, 1, 2])):
            # A sub-unit sits in its parent's commune, in another one, or at the province.
            where = rng.choice([top.commune, None, rng.choice(chosen).pk])
            child = unit(by_pk.get(where), top)
            if rng.random() < 0.4:
                unit(by_pk.get(rng.choice([where, None])), child)

    people: dict[int, Person] = {}

    def person(*, kind=None, organization=None) -> User:
        name, folded = rng.choice(NAMES)
        home = rng.choice(chosen)
        if organization is None and rng.random() < 0.6:
            organization = rng.choice(list(units))
        user = factories.person(
            commune=home,
            full_name=name,
            organization=Organization(pk=organization) if organization else None,
            kind=kind or rng.choice(KINDS),
        )
        people[user.pk] = Person(
            user.pk, name, folded, user.phone, home.pk, organization, user.participant_kind
        )
        return user

    for _ in range(34):
        person()
    for pk in rng.sample(list(people), 2):
        User.objects.filter(pk=pk).update(is_active=False)
        people[pk].active = False

    viewers = _viewers(rng, person, places, sizes, units)
    world = World(
        seed=seed,
        communes={c.pk: c.name for c in chosen},
        sizes=sizes,
        units=units,
        people=people,
        viewers=viewers,
        courses={},
        learning=[],
        plans={},
        events={},
        visits=[],
        round=None,
        scores={},
        attempts={},
        plays=[],
        today=today,
    )
    _contest(world, rng, now=now)
    # Moving house after the contest: standings and live-game players keep where they were.
    takers = [p for p in people.values() if p.pk in world.scores]
    movers = rng.sample(takers, min(3, len(takers)))
    for mover in movers:
        mover.commune = rng.choice(chosen).pk
        mover.organization = rng.choice([None, *units])
        User.objects.filter(pk=mover.pk).update(
            commune=mover.commune, organization=mover.organization
        )
    _learning(world, rng, now=now)
    _campaigns(world, rng, places)
    _festival(world, rng, now=now)
    return world


def _viewers(rng, person, places, sizes, units) -> dict[str, Viewer]:
    role = factories.with_role
    by_size = {n: c for c in places for n in [sizes[c.pk]]}
    departments = [u for u in units.values() if u.commune is None and u.parent is None]
    subunits = [u for u in units.values() if u.parent is not None]
    located = [u for u in units.values() if u.commune is not None and u.parent is None]
    viewers: dict[str, Viewer] = {}

    def viewer(key: str, user: User, **grants) -> None:
        viewers[key] = Viewer(key, User.objects.get(pk=user.pk), **grants)

    viewer("admin", role(person(), Role.PROVINCE_ADMIN), everything=True)
    for n in (5, 0, 2):
        commune = by_size[n]
        user = role(person(), Role.COMMUNE_COORDINATOR, commune=commune)
        viewer(f"commune_of_{n}", user, communes={commune.pk})
    pair = [by_size[1], by_size[3]]
    user = person()
    for commune in pair:
        role(user, Role.COMMUNE_COORDINATOR, commune=commune)
    viewer("two_communes", user, communes={c.pk for c in pair})
    for key, pool in (("department", departments), ("subunit", subunits), ("located", located)):
        target = rng.choice(pool or departments)
        user = role(
            person(organization=target.pk),
            Role.ORGANIZATION_COORDINATOR,
            organization=Organization(pk=target.pk),
        )
        viewer(f"organization_{key}", user, organizations={target.pk})
    # Roles add up: a commune's coordinator who also coordinates a department.
    department = rng.choice(departments)
    user = role(person(), Role.COMMUNE_COORDINATOR, commune=by_size[4])
    role(user, Role.ORGANIZATION_COORDINATOR, organization=Organization(pk=department.pk))
    viewer("mixed", user, communes={by_size[4].pk}, organizations={department.pk})
    volunteer_commune = rng.choice(places)
    user = role(person(), Role.DIGITAL_VOLUNTEER, commune=volunteer_commune)
    viewer("volunteer", user, volunteer={volunteer_commune.pk})
    viewer("host", role(person(), Role.CONTEST_HOST), host=True)
    viewer("editor", role(person(), Role.CONTENT_EDITOR))
    viewer("resident", person(kind=ParticipantKind.RESIDENT))
    return viewers


def _contest(world: World, rng, *, now) -> None:
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
    # A finished live game that counts toward the round: accounts, a guest, a removed player.
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


def _learning(world: World, rng, *, now) -> None:
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


def _campaigns(world: World, rng, places) -> None:
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


def _festival(world: World, rng, *, now) -> None:
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
