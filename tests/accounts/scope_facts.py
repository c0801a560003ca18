"""The generated directory as the scope test reads it (tests/accounts/scope_world.py):
plain records, written next to what the build made, never read back through the code under
test."""

import datetime
from dataclasses import dataclass, field

from accounts.models import User


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
