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
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Commune, Organization, ParticipantKind, Role, User
from quiz.models import Round
from tests import factories
from tests.accounts.scope_activity import add_campaigns, add_contest, add_festival, add_learning
from tests.accounts.scope_facts import Learning, Person, Plan, Play, Score, Unit, Viewer, Visit

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
    units = _units(rng, chosen, sizes)
    people, person = _people(rng, chosen, units)
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
    add_contest(world, rng, now=now)
    _move_house(world, rng, chosen)
    add_learning(world, rng, now=now)
    add_campaigns(world, rng, places)
    add_festival(world, rng, now=now)
    return world


def _units(rng, chosen, sizes) -> dict[int, Unit]:
    """The organizations: each commune's, two provincial departments, and units below them."""
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
    return units


def _people(rng, chosen, units) -> tuple[dict[int, Person], Callable[..., User]]:
    """34 people living in the chosen communes, two of them inactive, and the function that
    makes one more (the viewers are people too)."""
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
    return people, person


def _move_house(world: World, rng, chosen) -> None:
    """Some of the contest's takers move after it: their standings and live-game answers
    keep where they were."""
    takers = [p for p in world.people.values() if p.pk in world.scores]
    movers = rng.sample(takers, min(3, len(takers)))
    for mover in movers:
        mover.commune = rng.choice(chosen).pk
        mover.organization = rng.choice([None, *world.units])
        User.objects.filter(pk=mover.pk).update(
            commune=mover.commune, organization=mover.organization
        )


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
