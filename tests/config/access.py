"""The authorization matrix's vocabulary (tests/config/test_authorization.py): the roles,
the access classes that gate them, and `Route`, one route's entry.

How to read an entry: `Route(access, objects, sees, ok)`. The access class gates roles
(anonymous → login, wrong role → 403); then for each object, `sees` names the roles that
reach it — anyone else allowed through the gate gets 404, because another scope's object
must not even be known to exist.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
RESIDENT = "resident"
COORD_A = "coordinator_A"
COORD_B = "coordinator_B"
COORD_ORG = "organization_coordinator"
EDITOR = "content_editor"
HOST = "contest_host"
ADMIN = "province_admin"
ROLES = [ANONYMOUS, RESIDENT, COORD_A, COORD_B, COORD_ORG, EDITOR, HOST, ADMIN]
SIGNED_IN = set(ROLES) - {ANONYMOUS}
STAFF = {EDITOR, HOST, ADMIN}  # grant_role makes them is_staff (the admin, course previews)

LOGIN = "login"  # 302 to the login page
# The access classes: who passes the gate. Anyone else signed in gets 403 (or `refuse`).
PUBLIC = "public"
LOGGED_IN = "logged-in"
OWNER = "owner-only"  # gate: signed in; `sees`: the object's owner
COORDINATOR = "coordinator"  # lists and province-wide objects; rows are scoped inside
COORDINATOR_SCOPED = "coordinator-scoped"  # an object in a commune's or organization's scope
FESTIVAL = "festival-staff"  # coordinators of a commune (and its digital volunteers)
HOST_ONLY = "host-only"
ORGANISER_OR_COORDINATOR = "organiser-or-coordinator"  # contest hosts, and coordinators
DEPARTMENT = "department"  # province-wide pages: the province administrator only
GATES = {
    PUBLIC: set(ROLES),
    LOGGED_IN: SIGNED_IN,
    OWNER: SIGNED_IN,
    COORDINATOR: {COORD_A, COORD_B, COORD_ORG, ADMIN},
    COORDINATOR_SCOPED: {COORD_A, COORD_B, COORD_ORG, ADMIN},
    FESTIVAL: {COORD_A, COORD_B, ADMIN},
    HOST_ONLY: {HOST, ADMIN},  # quiz.add_game; a province admin is a superuser
    ORGANISER_OR_COORDINATOR: {COORD_A, COORD_B, COORD_ORG, HOST, ADMIN},
    DEPARTMENT: {ADMIN},
}


@dataclass
class Route:
    access: str
    # object key → (world → URL kwargs); {"": ...} for a route without arguments
    objects: dict[str, Callable[[dict], dict]] = field(default_factory=lambda: {"": lambda w: {}})
    sees: dict[str, set[str]] = field(default_factory=dict)  # object key → roles; default all
    ok: int | dict[str, int] = 200  # what an allowed role gets (per role where it differs)
    method: str = "GET"
    refuse: int = 403  # what a signed-in role outside the gate gets
    missing: int = 404  # what a role through the gate but not in `sees` gets
    anonymous: str | int | None = None  # what anonymous gets when not LOGIN/ok

    def expected(self, role: str, key: str):
        if role == ANONYMOUS and self.anonymous is not None:
            return self.anonymous
        if role not in GATES[self.access]:
            return LOGIN if role == ANONYMOUS else self.refuse
        if key in self.sees and role not in self.sees[key]:
            return self.missing
        return self.ok.get(role, self.ok["*"]) if isinstance(self.ok, dict) else self.ok


def one(builder):
    return {"A": builder}


def a_and_b(a, b):
    return {"A": a, "B": b}


IN_A = {COORD_A, ADMIN}
IN_B = {COORD_B, ADMIN}
NOBODY: set[str] = set()
REDIRECTS_SIGNED_IN = {"*": 302, ANONYMOUS: 200}  # allauth's anonymous-only pages
