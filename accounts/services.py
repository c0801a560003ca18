"""State changes of the accounts app: roles, the directory of communes and organizations,
rosters."""

import csv
import datetime
import hashlib
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import headcounts, jobs
from accounts.models import (
    Commune,
    HeadcountImport,
    Job,
    Organization,
    ParticipantKind,
    Province,
    Role,
    RoleGrant,
    RosterImport,
    SignInCode,
    User,
)
from accounts.roster import Directory, check_roster
from accounts.scopes import Scope
from accounts.signals import people_imported
from accounts.slips import slips_pdf
from accounts.sms import send_sms
from common.exports import xlsx_bytes
from common.text import closest_keys, fold, organization_key

TUYEN_QUANG = {"code": "08", "name": "Tuyên Quang"}
TUYEN_QUANG_CSV = Path(__file__).resolve().parent / "data" / "tuyen_quang_communes.csv"
CSV_KINDS = {"xa": Commune.Kind.XA, "phuong": Commune.Kind.PHUONG, "dac_khu": Commune.Kind.DAC_KHU}


@dataclass(frozen=True)
class CommuneImportResult:
    created: int
    updated: int


class CommuneCsvError(ValueError):
    """A commune CSV that cannot be imported; the message names the line."""


def parse_commune_csv(text: str) -> list[dict]:
    """Rows of a `code,name,type` CSV, checked; raises CommuneCsvError naming the line."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"code", "name", "type"} <= set(reader.fieldnames):
        raise CommuneCsvError("Tệp CSV cần các cột code, name, type.")
    rows, seen = [], set()
    for line, row in enumerate(reader, start=2):
        code, name, kind = (row.get(k, "").strip() for k in ("code", "name", "type"))
        if len(code) != 5 or not code.isdigit():
            raise CommuneCsvError(f"Dòng {line}: mã “{code}” phải gồm đúng 5 chữ số.")
        if not name:
            raise CommuneCsvError(f"Dòng {line}: thiếu tên xã, phường.")
        if kind not in CSV_KINDS:
            raise CommuneCsvError(f"Dòng {line}: loại “{kind}” phải là xa, phuong hoặc dac_khu.")
        if code in seen:
            raise CommuneCsvError(f"Dòng {line}: mã {code} bị lặp.")
        seen.add(code)
        rows.append({"code": code, "name": name, "kind": CSV_KINDS[kind]})
    return rows


@transaction.atomic
def import_communes(*, rows: list[dict], province_code: str, province_name: str):
    """Create or update the province's communes from parsed CSV rows, all or nothing."""
    province, _ = Province.objects.update_or_create(
        code=province_code, defaults={"name": province_name}
    )
    existing = {c.code: c for c in Commune.objects.filter(code__in=[r["code"] for r in rows])}
    created = updated = 0
    for row in rows:
        commune = existing.get(row["code"])
        if commune is None:
            Commune(province=province, **row).save()
            created += 1
        elif (commune.name, commune.kind, commune.province_id) != (
            row["name"],
            row["kind"],
            province.id,
        ):
            commune.name, commune.kind, commune.province = row["name"], row["kind"], province
            commune.save()
            updated += 1
    return CommuneImportResult(created=created, updated=updated)


def load_tuyen_quang() -> CommuneImportResult:
    """Load the 124 communes of Tuyên Quang shipped in accounts/data (idempotent)."""
    return import_communes(
        rows=parse_commune_csv(TUYEN_QUANG_CSV.read_text(encoding="utf-8")),
        province_code=TUYEN_QUANG["code"],
        province_name=TUYEN_QUANG["name"],
    )


@transaction.atomic
def grant_role(user: User, *, role: Role, commune=None, organization=None) -> RoleGrant:
    """Give `user` a role (idempotent). Province admins and editors can enter the admin site;
    a province admin may do everything there."""
    grant, _ = RoleGrant.objects.get_or_create(
        user=user, role=role, commune=commune, organization=organization
    )
    if role in (Role.PROVINCE_ADMIN, Role.CONTENT_EDITOR, Role.CONTEST_HOST):
        user.is_staff = True
        user.is_superuser = user.is_superuser or role == Role.PROVINCE_ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])
    if role == Role.CONTENT_EDITOR:
        user.groups.add(editors_group())
    if role == Role.CONTEST_HOST:
        user.groups.add(hosts_group())
    return grant


EDITORS_GROUP = "Biên tập nội dung"
BANK_MODELS = ["question", "choice", "topic"]
HOSTS_GROUP = "Tổ chức cuộc thi"
CONTEST_MODELS = [*BANK_MODELS, "contest", "round", "attempt", "game"]


def editors_group() -> Group:
    """The admin group of content editors: every permission on course content and on the
    contest question bank."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label="courses")
            | Q(content_type__app_label="quiz", content_type__model__in=BANK_MODELS)
        )
    )
    return group


# --- Officials' rosters ---------------------------------------------------------------------

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


# --- Organizations: added deliberately by coordinators, never by a roster ------------------


class OrganizationRefused(Exception):
    """An organization that cannot be added or changed so; the message is for the coordinator,
    `field` the form field it is about (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class SimilarOrganizations(Exception):
    """Names like the new one's already stand in that commune: a misspelling would split the
    organization leaderboard, so the coordinator sees them and confirms first."""

    def __init__(self, names: list[str], *, key: str):
        super().__init__("; ".join(names))
        self.names, self.key = names, key


@dataclass(frozen=True)
class Placement:
    """Where someone may put an organization they add or move. A commune coordinator: in
    their commune(s), under a unit of their scope or none. An organization coordinator: under
    their organization or a unit below it (a parent is required), located in any commune or
    none. The Department (a province administrator): anywhere. Roles add up."""

    everything: bool = False
    communes: frozenset[int] = frozenset()  # the communes they coordinate
    parents: frozenset[int] = frozenset()  # the organizations of their scope
    branches: frozenset[int] = frozenset()  # their organizations and every unit below them

    @classmethod
    def of(cls, user: User) -> "Placement":
        scope = Scope.of(user)
        if scope.everything:
            return cls(everything=True)
        roots = RoleGrant.objects.filter(user=user, role=Role.ORGANIZATION_COORDINATOR).values_list(
            "organization_id", flat=True
        )
        return cls(
            communes=scope.commune_ids,
            parents=scope.organization_ids,
            branches=frozenset(Organization.objects.with_descendants(roots)),
        )

    @property
    def needs_commune(self) -> bool:
        return not (self.everything or self.branches)

    @property
    def needs_parent(self) -> bool:
        return not (self.everything or self.communes)

    def commune_choices(self):
        communes = Commune.objects.order_by("search_name")
        return communes if not self.needs_commune else communes.filter(pk__in=self.communes)

    def parent_choices(self):
        parents = Organization.objects.select_related("commune").order_by("search_name", "pk")
        return parents if self.everything else parents.filter(pk__in=self.parents)

    def refusal(self, *, commune: Commune | None, parent: Organization | None):
        """None when an organization may stand in `commune` under `parent`; else
        (the field, the reason)."""
        if self.everything:
            return None
        if parent is not None and parent.pk not in self.parents:
            return "parent", _("Đơn vị “%(p)s” ngoài phạm vi bạn phụ trách.") % {"p": parent}
        if (commune is not None and commune.pk in self.communes) or (
            parent is not None and parent.pk in self.branches
        ):
            return None
        if parent is None and not self.communes:
            return "parent", _(
                "Hãy chọn đơn vị cấp trên: bạn thêm được các đơn vị trực thuộc cơ quan bạn "
                "phụ trách."
            )
        if commune is None:
            return "commune", _("Hãy chọn xã, phường nơi đơn vị đặt trụ sở.")
        return "commune", _("Xã, phường “%(c)s” ngoài phạm vi bạn phụ trách.") % {"c": commune}


def create_organization(*, by: User, **fields) -> Organization:
    """Add an organization a coordinator needs (the school a roster names), within their
    scope; one whose name is another's of the same commune, however written, is refused.
    Takes update_organization's keywords: name, kind, commune, parent, similar_confirmed."""
    return update_organization(Organization(), by=by, **fields)


@transaction.atomic
def update_organization(
    organization: Organization,
    *,
    by: User,
    name: str,
    kind: str,
    commune: Commune | None,
    parent: Organization | None,
    similar_confirmed: bool = False,
) -> Organization:
    """Rename an organization, or change its kind, commune or parent, under the rules of
    adding one (the caller has checked that it is in `by`'s scope). Raises
    OrganizationRefused, or SimilarOrganizations until `similar_confirmed`."""
    name = " ".join(name.split())
    key = organization_key(name)
    if not key:
        raise OrganizationRefused(_("Tên cơ quan cần có chữ hoặc số."), field="name")
    place = (getattr(commune, "pk", None), getattr(parent, "pk", None))
    moved = organization.pk is None or (organization.commune_id, organization.parent_id) != place
    # Unmoved, it stays where it is even outside the editor's reach (an organization
    # coordinator renaming their own unit, whose parent is the province's).
    refusal = Placement.of(by).refusal(commune=commune, parent=parent) if moved else None
    if refusal:
        raise OrganizationRefused(refusal[1], field=refusal[0])
    if (
        parent is not None
        and organization.pk is not None
        and parent.pk in Organization.objects.with_descendants([organization.pk])
    ):
        raise OrganizationRefused(
            _("Một đơn vị không thể trực thuộc chính nó hay một đơn vị cấp dưới của nó."),
            field="parent",
        )
    province = _province_of(organization, commune=commune, parent=parent)
    # Two coordinators adding one school at once: the second waits, then sees the first's.
    if commune is not None:
        Commune.objects.select_for_update().filter(pk=commune.pk).first()
    else:
        Province.objects.select_for_update().filter(pk=province.pk).first()
    neighbours: dict[str, Organization] = {}
    for other in Organization.objects.filter(commune=commune).exclude(pk=organization.pk):
        neighbours.setdefault(organization_key(other.name), other)
    same = neighbours.get(key)
    if same is not None:
        raise OrganizationRefused(
            _(
                "Đã có “%(name)s” (%(where)s): cùng một cơ quan với “%(new)s”. Hãy dùng "
                "đúng tên đó thay vì thêm mới."
            )
            % {"name": same.name, "where": commune or _("cấp tỉnh"), "new": name},
            field="name",
        )
    renamed = moved or key != organization_key(organization.name)
    places = [commune.search_name if commune else "", fold(province.name)]
    alike = closest_keys(key, neighbours, ignoring=places) if renamed else []
    similar = [neighbours[k].name for k in alike]
    if similar and not similar_confirmed:
        raise SimilarOrganizations(similar, key=key)
    organization.name, organization.kind = name, kind
    organization.commune, organization.parent, organization.province = commune, parent, province
    organization.save()
    return organization


def _province_of(organization, *, commune, parent) -> Province:
    if commune is not None:
        return commune.province
    if parent is not None:
        return parent.province
    if organization.province_id:
        return organization.province
    return Province.objects.order_by("code").first()  # one province per platform


# --- Expected headcounts (the Department) ---------------------------------------------------


@transaction.atomic
def set_expected_headcounts(
    *, unit: str, values: dict[int, int | None], source: str, now: datetime.datetime
) -> int:
    """Set the expected adults of communes or staff of organizations (`values`: {id: number,
    or None to clear}), dated and with their source; returns how many changed."""
    model, name = headcounts.MODELS[unit]
    changed = [
        item
        for item in model.objects.select_for_update().filter(pk__in=values)
        if getattr(item, name) != values[item.pk]
    ]
    for item in changed:
        setattr(item, name, values[item.pk])
        item.expected_set_at, item.expected_source = now, source[:200]
    model.objects.bulk_update(changed, [name, "expected_set_at", "expected_source"])
    transaction.on_commit(headcounts.forget_expected)
    return len(changed)


def preview_headcounts(upload, *, user: User) -> HeadcountImport:
    """Check an uploaded file of expected headcounts and keep the outcome for the confirm
    step; changes nothing. Raises SpreadsheetError for a file that is not a sane .xlsx."""
    current = {
        unit: dict(model.objects.values_list("pk", name))
        for unit, (model, name) in headcounts.MODELS.items()
    }
    checked = headcounts.check_headcounts(
        upload, directory=roster_directory(Scope(everything=True)), current=current
    )
    if checked.unit == headcounts.COMMUNE:  # a row may name its commune by code
        names = dict(Commune.objects.values_list("pk", "name"))
        for row in checked.rows:
            row["name"] = names[row["id"]]
    return HeadcountImport.objects.create(
        created_by=user,
        file_name=upload.name[:200],
        unit=checked.unit,
        rows=checked.rows,
        unchanged=checked.unchanged,
        problems=checked.problems,
        empty_rows=checked.empty_rows,
    )


class HeadcountsNotImported(Exception):
    """A file of headcounts that cannot be confirmed; the message is for the person."""


@transaction.atomic
def confirm_headcounts(record: HeadcountImport, *, now: datetime.datetime) -> int:
    """Store every change of a checked file at once; a file with any bad row stores
    nothing. Returns how many units changed."""
    record = HeadcountImport.objects.select_for_update().get(pk=record.pk)
    if record.confirmed_at:
        raise HeadcountsNotImported(_("Tệp này đã được xác nhận trước đó."))
    if record.problems or not record.rows:
        raise HeadcountsNotImported(_("Tệp có dòng lỗi hoặc không có gì thay đổi: chưa nhập gì."))
    changed = set_expected_headcounts(
        unit=record.unit,
        values={row["id"]: row["new"] for row in record.rows},
        source=record.file_name,
        now=now,
    )
    record.confirmed_at, record.changed_count = now, changed
    record.save(update_fields=["confirmed_at", "changed_count"])
    return changed


# --- One-time sign-in codes (account slips) -------------------------------------------------

SIGN_IN_DAYS = 14


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_sign_in_codes(users, *, now: datetime.datetime, days: int = SIGN_IN_DAYS) -> dict:
    """A fresh one-time sign-in token per user whose account is not yet claimed (earlier
    unused ones stop working; a claimed account gets none: it is its owner's alone).
    Returns {user id: token}; only hashes are stored."""
    users = list(users)
    SignInCode.objects.filter(user__in=users, used_at__isnull=True).delete()
    tokens = {user.pk: secrets.token_urlsafe(12) for user in users if not user.is_claimed}
    SignInCode.objects.bulk_create(
        [
            SignInCode(
                user_id=uid,
                token_hash=_token_hash(token),
                created_at=now,
                expires_at=now + datetime.timedelta(days=days),
            )
            for uid, token in tokens.items()
        ]
    )
    return tokens


@transaction.atomic
def use_sign_in_code(token: str, *, now: datetime.datetime) -> User | None:
    """The user a valid, unused, unexpired token belongs to (the token is spent); else None."""
    code = (
        SignInCode.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    # A code printed before its owner claimed the account (a password reset by phone,
    # say) must not let whoever holds the slip in afterwards.
    if code is None or not code.user.is_active or code.user.is_claimed:
        return None
    code.used_at = now
    code.save(update_fields=["used_at"])
    return code.user


def start_slips(*, user: User, roster: RosterImport, site_url: str) -> Job:
    """Queue the account slips of a confirmed roster's people as a background job."""
    return jobs.start_job(
        user=user,
        kind=Job.Kind.SLIPS,
        work=build_slips,
        params={"roster": roster.pk, "site_url": site_url},
        total=len(roster.created_ids),
        next_url=reverse("accounts:roster_preview", args=[roster.pk]),
    )


def build_slips(job_id: int) -> None:
    """The slips PDF of a job: for each person the roster created (in the asker's scope
    today), a new one-time sign-in code, or "đã kích hoạt" for an account already claimed;
    old unused codes stop working."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    roster = RosterImport.objects.get(
        pk=job.params["roster"], created_by=job.created_by, confirmed_at__isnull=False
    )
    now = timezone.now()
    people = list(
        Scope.of(job.created_by)
        .filter(User.objects.filter(pk__in=roster.created_ids))
        .select_related("organization")
        .order_by("organization__name", "full_name")
    )
    jobs.report_progress(job_id, done=0, total=len(people))
    tokens = issue_sign_in_codes(people, now=now)
    site_url = job.params["site_url"].rstrip("/")
    groups: dict[str, list[dict]] = {}
    for person in people:
        name = person.organization.name if person.organization else _("Chưa có cơ quan")
        token = tokens.get(person.pk)
        url = f"{site_url}{reverse('sign_in_code', args=[token])}" if token else None
        groups.setdefault(name, []).append(
            {"full_name": person.full_name, "phone": person.phone, "url": url}
        )
    expires = timezone.localtime(now + datetime.timedelta(days=SIGN_IN_DAYS))
    content = slips_pdf(
        list(groups.items()),
        expires_on=expires.strftime("%d/%m/%Y"),
        progress=lambda done: jobs.report_progress(job_id, done=done),
    )
    claimed = len(people) - len(tokens)
    message = _("Đã tạo %(n)s phiếu tài khoản.") % {"n": len(people)}
    if claimed:
        message += " " + _(
            "%(c)s người đã kích hoạt tài khoản: phiếu của họ không có mã đăng nhập."
        ) % {"c": claimed}
    jobs.finish_job(
        job_id, message=message, content=content, file_name=f"phieu-tai-khoan-{roster.pk}.pdf"
    )


def hosts_group() -> Group:
    """The admin group of contest hosts: the question bank, contests and rounds."""
    group, _ = Group.objects.get_or_create(name=HOSTS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="quiz", content_type__model__in=CONTEST_MODELS
        )
    )
    return group


class AssistRefused(Exception):
    """An assisted sign-up that cannot be made; the message is for the volunteer."""


@transaction.atomic
def assisted_sign_up(
    *,
    helper: User,
    full_name: str,
    phone: str,
    birth_year: int | None,
    commune: Commune,
    consent_spoken: bool,
    now: datetime.datetime,
    sign_in_url: Callable[[str], str],
) -> User:
    """A community digital team member signs a resident up on the volunteer's phone; the
    resident gets a text message with a one-time sign-in link to set a password."""
    if not consent_spoken:
        raise AssistRefused(
            _("Hãy đọc thông báo về dữ liệu cá nhân cho người dân và xác nhận họ đồng ý.")
        )
    if User.objects.filter(phone=phone).exists():
        raise AssistRefused(
            _(
                "Số %(phone)s đã có tài khoản. Người dân đăng nhập bằng số này; quên mật khẩu "
                "thì chọn “Quên mật khẩu”."
            )
            % {"phone": phone}
        )
    user = User(
        phone=phone,
        full_name=full_name,
        birth_year=birth_year,
        commune=commune,
        participant_kind=ParticipantKind.RESIDENT,
        assisted_by=helper,
        consent_spoken=True,
        consent_at=now,
    )
    user.set_unusable_password()
    user.save()
    token = issue_sign_in_codes([user], now=now)[user.pk]
    body = _(
        "Học Số: tài khoản của bạn đã được tạo. Mở liên kết để đăng nhập và đặt mật khẩu "
        "(dùng một lần, trong %(days)s ngày): %(link)s"
    ) % {"days": SIGN_IN_DAYS, "link": sign_in_url(token)}
    transaction.on_commit(lambda: send_sms(to=phone, body=body))
    return user
