"""Officials' rosters from Excel: the template, and a row-by-row check that writes nothing.

`check_roster` turns a workbook into a RosterCheck: the valid rows, normalised, and every
problem with its row number and a Vietnamese message. The directory (communes,
organizations, the importer's scope) is passed in, so the check runs in memory: 20,000 rows
take seconds, not a query per row. A valid row fits its model fields (lengths, ranges, no
NUL), so what the preview accepts the confirm can store.

An organization named in a row must already exist in the importer's scope (matched by
`organization_key`, so "Ủy ban xã X" is "UBND xã X"); an unknown one is a row problem listing
the closest names, and the preview links it to the coordinators' page that adds one
deliberately. A roster never creates an organization: a misspelt one used to split the
organization leaderboard.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Organization, ParticipantKind, User
from accounts.phone import normalize_phone
from accounts.validators import is_birth_year, without_kind
from common.exports import xlsx_bytes
from common.spreadsheets import (
    cell_problem,
    cell_text,
    data_rows,
    open_xlsx,
    sheet_rows,
    shown,
)
from common.text import closest_keys, fold, organization_key

# Rows a roster may have below its header: a province's largest unit is a few thousand
# officials, and a 20,000-row roster is checked in a few seconds inside one request.
MAX_ROSTER_ROWS = 20_000
NAME_MAX = User._meta.get_field("full_name").max_length
ORGANIZATION_MAX = Organization._meta.get_field("name").max_length
# Distinct unknown organization names given the closest existing ones: difflib over a
# province's few thousand names takes ~20 ms a name, so a file of 20,000 different wrong
# names would take minutes; past this many its rows are refused without suggestions.
MAX_SUGGESTED = 100

COLUMNS = ["Họ và tên", "Số điện thoại", "Năm sinh", "Cơ quan, đơn vị", "Xã, phường", "Đối tượng"]
REQUIRED = ["Họ và tên", "Số điện thoại", "Xã, phường"]
SAMPLE = [
    "Nguyễn Thị Lan",
    "0912 345 678",
    1985,
    "UBND xã Giáp Trung",
    "Giáp Trung",
    "Công chức",
]
KINDS = {fold(str(label)): value for value, label in ParticipantKind.choices}
DEFAULT_KIND = ParticipantKind.COMMUNE_OFFICIAL


def template_xlsx() -> bytes:
    """The roster template: Vietnamese headers and one sample row."""
    return xlsx_bytes(title="Danh sách", headers=COLUMNS, rows=[SAMPLE])


@dataclass
class Directory:
    """What a roster is checked against, loaded once per check."""

    communes: dict[str, int]  # folded name or code → commune id (ambiguous names: absent)
    ambiguous: set[str]
    # The organizations of the importer's scope: (id, name, commune id) each.
    organizations: list[tuple[int, str, int | None]] = field(default_factory=list)
    # The importer's scope; None: everything (a province administrator).
    allowed_communes: set[int] | None = None
    allowed_organizations: set[int] | None = None

    def __post_init__(self):
        # Each name normalised once; each distinct cell resolved once (a 20,000-row roster
        # names a few dozen units).
        self._by_key: dict[str, list[tuple[int, str, int | None]]] = {}
        for organization in self.organizations:
            self._by_key.setdefault(organization_key(organization[1]), []).append(organization)
        self._cells: dict[str, tuple[list, list[str]]] = {}
        self._suggested = 0

    def in_scope(self, commune_id: int, organization_id: int | None) -> bool:
        if self.allowed_communes is None:
            return True
        return commune_id in self.allowed_communes or organization_id in (
            self.allowed_organizations or set()
        )

    def commune(self, value) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        key = fold(str(value))
        if key.isdigit() and len(key) <= 5:
            key = key.zfill(5)  # Excel turns "00985" into 985
        return self.communes.get(without_kind(key))

    def commune_problem(self, text: str) -> str:
        """Why `text` names no commune: unknown, or the name of several."""
        message = (
            _("Có nhiều xã, phường tên “%(v)s”; hãy ghi mã xã (5 chữ số).")
            if fold(text) in self.ambiguous
            else _("Không tìm thấy xã, phường “%(v)s” trong tỉnh.")
        )
        return message % {"v": shown(text)}

    def organization(self, text: str, commune_id: int) -> tuple[int | None, str | list[str]]:
        """(id, name) of the scope's organization `text` names; else (None, the closest
        names, maybe none). Of two sharing a key, the row's commune's one wins, then the
        one spelt like `text`; still two: (None, their names), and
        `organization_ambiguous(text)` says so."""
        if text not in self._cells:
            key = organization_key(text)
            found = self._by_key.get(key, [])
            closest = []
            if not found and self._suggested < MAX_SUGGESTED:
                self._suggested += 1
                keys = closest_keys(key, self._by_key)
                closest = [self._by_key[k][0][1] for k in keys]
            self._cells[text] = (found, closest)
        found, closest = self._cells[text]
        if len(found) > 1:
            found = [o for o in found if o[2] == commune_id] or found
        if len(found) > 1:
            exact = [o for o in found if fold(o[1]) == fold(text)]
            found = exact if len(exact) == 1 else found
        if len(found) == 1:
            return found[0][0], found[0][1]
        return None, closest if not found else sorted(o[1] for o in found)

    def organization_ambiguous(self, text: str) -> bool:
        return bool(self._cells.get(text, ([], []))[0])


@dataclass
class RosterCheck:
    valid: list[dict] = field(default_factory=list)
    # {"row": n, "message": "..."}; an unknown organization's also "organization" (as
    # written) and "commune_id" (the row's).
    problems: list[dict] = field(default_factory=list)
    empty_rows: int = 0


def check_roster(upload, *, directory: Directory) -> RosterCheck:
    """Check every row of an uploaded roster; raises SpreadsheetError for a bad file or one
    of more than MAX_ROSTER_ROWS rows (refused before any row is read)."""
    # Formulas kept, so one is seen and refused.
    workbook = open_xlsx(upload, formulas=True, max_rows=MAX_ROSTER_ROWS)
    try:
        rows = sheet_rows(workbook)
        header = [cell_text(cell) for cell in next(rows, ())]
        result = RosterCheck()
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            result.problems.append(
                {"row": 1, "message": _("Thiếu cột: %(c)s.") % {"c": ", ".join(missing)}}
            )
            return result
        index = {c: header.index(c) for c in COLUMNS if c in header}
        seen: dict[str, int] = {}
        for number, cells in data_rows(rows, index, limit=MAX_ROSTER_ROWS):
            if cells is None:
                result.empty_rows += 1
                continue
            outcome = _check_row(number, cells, directory, seen)
            (result.problems if "message" in outcome else result.valid).append(outcome)
        return result
    finally:
        workbook.close()


class RowProblem(Exception):
    """Why a row is refused (the first reason found), and what the preview shows with it."""

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.details = details


def _check_row(number, cells, directory, seen) -> dict:
    """A valid row, normalised, or {"row", "message"} for its first problem."""
    raw = {c: cells.get(c) for c in COLUMNS}
    try:
        refused = cell_problem(raw)
        if refused:
            raise RowProblem(refused)
        name = _full_name(raw)
        phone = _phone(raw, number=number, seen=seen)
        commune_text = cell_text(raw["Xã, phường"])
        commune = directory.commune(raw["Xã, phường"]) if commune_text else None
        if commune is None:
            raise RowProblem(directory.commune_problem(commune_text))
        birth_year = _birth_year(raw)
        kind = _kind(raw)
        organization_id, organization = _organization(raw, commune=commune, directory=directory)
        if not directory.in_scope(commune, organization_id):
            raise RowProblem(
                _("Xã “%(c)s” ngoài phạm vi bạn phụ trách.") % {"c": shown(commune_text)}
            )
    except RowProblem as problem:
        return {"row": number, "message": str(problem), **problem.details}
    return {
        "row": number,
        "full_name": name,
        "phone": phone,
        "birth_year": birth_year,
        "commune_id": commune,
        "organization": organization,
        "organization_id": organization_id,
        "participant_kind": kind,
    }


def _full_name(raw: dict) -> str:
    name = cell_text(raw["Họ và tên"])
    if not name:
        raise RowProblem(_("Thiếu họ và tên."))
    if len(name) > NAME_MAX:
        raise RowProblem(
            _("Họ và tên dài %(n)s ký tự; tối đa %(max)s.") % {"n": len(name), "max": NAME_MAX}
        )
    return name


def _phone(raw: dict, *, number: int, seen: dict[str, int]) -> str:
    """The row's number, normalised as the sign-up form does, and not an earlier row's."""
    try:
        phone = normalize_phone(cell_text(raw["Số điện thoại"]))
    except ValidationError as error:
        raise RowProblem(
            _("Số điện thoại “%(v)s”: %(m)s")
            % {"v": shown(raw["Số điện thoại"]), "m": error.messages[0]}
        ) from None
    if phone in seen:
        raise RowProblem(
            _("Số điện thoại %(p)s trùng với dòng %(n)s.") % {"p": phone, "n": seen[phone]}
        )
    seen[phone] = number
    return phone


def _birth_year(raw: dict) -> int | None:
    """The row's birth year, within the sign-up form's bounds; None when the cell is empty."""
    text = cell_text(raw["Năm sinh"])
    if not text:
        return None
    try:
        year = int(float(text))
    except (ValueError, OverflowError):  # "abc", "nan"; "1e400" is inf
        year = 0
    if not is_birth_year(year):
        raise RowProblem(_("Năm sinh “%(v)s” không hợp lệ.") % {"v": shown(raw["Năm sinh"])})
    return year


def _kind(raw: dict) -> str:
    text = cell_text(raw["Đối tượng"])
    kind = KINDS.get(fold(text)) if text else DEFAULT_KIND
    if kind is None:
        raise RowProblem(
            _(
                "Đối tượng “%(v)s” không có trong danh mục "
                "(ví dụ: Cán bộ cấp xã, Công chức, Viên chức)."
            )
            % {"v": shown(text)}
        )
    return kind


def _organization(raw: dict, *, commune: int, directory: Directory) -> tuple[int | None, str]:
    """(id, name) of the existing organization the row names, or (None, "") for none."""
    text = cell_text(raw["Cơ quan, đơn vị"])
    if len(text) > ORGANIZATION_MAX:
        raise RowProblem(
            _("Tên cơ quan, đơn vị dài %(n)s ký tự; tối đa %(max)s.")
            % {"n": len(text), "max": ORGANIZATION_MAX}
        )
    if not text:
        return None, text
    organization_id, match = directory.organization(text, commune)
    if organization_id is not None:
        return organization_id, match
    if directory.organization_ambiguous(text):
        raise RowProblem(
            _("Có nhiều cơ quan ứng với “%(v)s”: %(names)s; hãy ghi đúng tên một cơ quan.")
            % {"v": shown(text), "names": "; ".join(match)}
        )
    # The preview links such a row to the page that adds the organization.
    raise RowProblem(_organization_problem(text, match), organization=text, commune_id=commune)


def _organization_problem(text: str, names: list[str]) -> str:
    values = {"v": shown(text), "names": "; ".join(names)}
    if not names:
        return (
            _(
                "Không có cơ quan “%(v)s” trong phạm vi của bạn; hãy để trống ô này, hoặc "
                "thêm cơ quan ở trang “Cơ quan, đơn vị” rồi tải tệp lên lại."
            )
            % values
        )
    return (
        _(
            "Không có cơ quan “%(v)s” trong phạm vi của bạn. Gần nhất: %(names)s. Nếu là cơ "
            "quan mới, hãy thêm ở trang “Cơ quan, đơn vị” rồi tải tệp lên lại."
        )
        % values
    )
