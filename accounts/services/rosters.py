"""Officials' rosters: a checked preview kept for the confirm step, then the accounts at once."""

import datetime
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Commune, Organization, RosterImport, User
from accounts.roster import Directory, check_roster
from accounts.scopes import Scope
from accounts.signals import people_imported
from common.exports import xlsx_bytes
from common.text import fold

PHONE_BATCH = 1000


def roster_directory(scope: Scope) -> Directory:
    """Communes by folded name and code, the organizations of the importer's scope (a
    roster may name only those), and the scope."""
    communes, ambiguous = {}, set()
    for pk, code, name in Commune.objects.values_list("pk", "code", "search_name"):
        communes[code] = pk
        if name in communes and communes[name] != pk:
            ambiguous.add(name)
        communes.setdefault(name, pk)
    for name in ambiguous:
        del communes[name]
    organizations = Organization.objects.all()
    if not scope.everything:
        organizations = organizations.filter(pk__in=scope.organization_ids)
    organizations = list(organizations.values_list("pk", "name", "commune_id"))
    if scope.everything:
        return Directory(communes=communes, ambiguous=ambiguous, organizations=organizations)
    return Directory(
        communes=communes,
        ambiguous=ambiguous,
        organizations=organizations,
        allowed_communes=set(scope.commune_ids),
        allowed_organizations=set(scope.organization_ids),
    )


def _known_phones(phones: list[str]) -> set[str]:
    known = set()
    for start in range(0, len(phones), PHONE_BATCH):
        chunk = phones[start : start + PHONE_BATCH]
        known |= set(User.objects.filter(phone__in=chunk).values_list("phone", flat=True))
    return known


# Problems kept in the import record and shown on its page; every one of them is in the
# downloadable list (an .xlsx under PRIVATE_ROOT), whose size the row cap bounds.
MAX_STORED_PROBLEMS = 200
PROBLEMS_FOLDER = "rosters"


def preview_roster(upload, *, user: User, scope: Scope) -> RosterImport:
    """Check an uploaded roster and keep the outcome for the confirm step; writes no account.
    Raises SpreadsheetError for a file that is not a sane .xlsx, or too long a one."""
    checked = check_roster(upload, directory=roster_directory(scope))
    known = _known_phones([row["phone"] for row in checked.valid])
    problems_file = ""
    if len(checked.problems) > MAX_STORED_PROBLEMS:
        problems_file = f"{PROBLEMS_FOLDER}/{secrets.token_hex(12)}-loi.xlsx"
        path = Path(settings.PRIVATE_ROOT) / problems_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(
            xlsx_bytes(
                title=_("Dòng có lỗi"),
                headers=[_("Dòng"), _("Lỗi")],
                rows=([p["row"], p["message"]] for p in checked.problems),
            )
        )
    return RosterImport.objects.create(
        created_by=user,
        file_name=upload.name[:200],
        rows=[row for row in checked.valid if row["phone"] not in known],
        existing=[row for row in checked.valid if row["phone"] in known],
        problems=checked.problems[:MAX_STORED_PROBLEMS],
        problem_count=len(checked.problems),
        problems_file=problems_file,
        empty_rows=checked.empty_rows,
    )


class RosterAlreadyConfirmed(Exception):
    pass


@transaction.atomic
def confirm_roster(roster: RosterImport, *, now: datetime.datetime) -> list[int]:
    """Create the previewed accounts, all or nothing; returns the new ids.

    Rows with problems were never kept; a phone that got an account since the preview is
    skipped, an organization deleted since is left blank. No organization is created: the
    preview matched each row's to an existing one. The accounts have no password: their
    owners sign in with the slip's code.
    """
    roster = RosterImport.objects.select_for_update().get(pk=roster.pk)
    if roster.confirmed_at:
        raise RosterAlreadyConfirmed
    organizations = set(
        Organization.objects.filter(
            pk__in={row.get("organization_id") for row in roster.rows} - {None}
        ).values_list("pk", flat=True)
    )
    taken = _known_phones([row["phone"] for row in roster.rows])
    people = [
        User(
            phone=row["phone"],
            full_name=row["full_name"],
            search_name=fold(row["full_name"]),  # bulk_create skips User.save()
            birth_year=row["birth_year"],
            commune_id=row["commune_id"],
            organization_id=(
                row.get("organization_id") if row.get("organization_id") in organizations else None
            ),
            participant_kind=row["participant_kind"],
            password=make_password(None),
            date_joined=now,
        )
        for row in roster.rows
        if row["phone"] not in taken
    ]
    User.objects.bulk_create(people, batch_size=PHONE_BATCH)
    ids = list(
        User.objects.filter(phone__in=[p.phone for p in people]).values_list("pk", flat=True)
    )
    roster.confirmed_at = now
    roster.created_count = len(ids)
    roster.created_ids = ids
    roster.save(update_fields=["confirmed_at", "created_count", "created_ids"])
    transaction.on_commit(lambda: people_imported.send(sender=RosterImport, user_ids=ids))
    return ids
