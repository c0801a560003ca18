"""Expected headcounts: how many adults live in each commune and how many staff each
organization has, as the Department states them. They are the fair base of a participation
rate: divided by registered accounts, a commune with few sign-ups looked best.

`expected` is what the rates read (cached; accounts.services.headcounts forgets it on every
change). `check_headcounts` turns an uploaded workbook into a HeadcountCheck, writing
nothing, like the roster check (accounts.roster), whose Directory matches the units:
communes by code or folded name, organizations by `organization_key` ("UBND xã X" is "Ủy ban
xã X"). One file holds one kind of unit, told by its number column; the export of the
current values has the same columns, so it is the template too.
"""

import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import Commune, HeadcountImport, Organization, User
from accounts.models.places import MAX_EXPECTED
from accounts.roster import Directory
from common.exports import Sheet, xlsx_sheets_bytes
from common.spreadsheets import (
    cell_problem,
    cell_text,
    data_rows,
    open_xlsx,
    sheet_rows,
    shown,
)
from common.text import fold

COMMUNE = HeadcountImport.Unit.COMMUNE
ORGANIZATION = HeadcountImport.Unit.ORGANIZATION
MODELS = {COMMUNE: (Commune, "expected_adults"), ORGANIZATION: (Organization, "expected_staff")}
EXPECTED_SECONDS = 600
# A province has 124 communes and a few thousand organizations.
MAX_HEADCOUNT_ROWS = 5_000

CODE = "Mã xã"
COMMUNE_NAME = "Xã, phường"
ORGANIZATION_NAME = "Cơ quan, đơn vị"
ADULTS = "Số người trưởng thành dự kiến"
STAFF = "Số cán bộ, nhân viên dự kiến"
NUMBER_COLUMN = {COMMUNE: ADULTS, ORGANIZATION: STAFF}
# "12.345", "12,345" and "12 345" are twelve thousand three hundred and forty-five.
GROUPED = re.compile(r"\d{1,3}(?:[., \u00a0]\d{3})+")


def _key(unit: str) -> str:
    return f"accounts:expected:{unit}"


def expected(unit: str) -> dict[int, int]:
    """{id: expected people} of the communes ("commune") or organizations ("organization")
    that have a number; the others are absent."""
    model, name = MODELS[unit]
    return cache.get_or_set(
        _key(unit),
        lambda: dict(model.objects.filter(**{f"{name}__isnull": False}).values_list("pk", name)),
        EXPECTED_SECONDS,
    )


def forget_expected() -> None:
    cache.delete_many([_key(unit) for unit in MODELS])


def registered(unit: str, ids=None) -> dict[int, int]:
    """Active accounts per commune or organization (of `ids`, or all): the rate's base
    where no expected number is set."""
    people = User.objects.filter(is_active=True, **{f"{unit}__isnull": False})
    if ids is not None:
        people = people.filter(**{f"{unit}__in": ids})
    return dict(people.values_list(f"{unit}_id").annotate(n=Count("pk")).order_by())


# --- Export (the template too) ----------------------------------------------------------------


def headcounts_xlsx(unit: str) -> bytes:
    """Every commune or organization with its expected number (blank where none), its
    registered accounts, and when and from where the number came. Fill in the number
    column and upload it again."""
    accounts = registered(unit)
    number = NUMBER_COLUMN[unit]
    stamp = _("Cập nhật lúc")
    source = _("Nguồn")
    count = _("Số tài khoản đã đăng ký")
    if unit == COMMUNE:
        headers = [CODE, COMMUNE_NAME, number, count, stamp, source]
        rows = (
            [c.code, c.name, c.expected_adults, accounts.get(c.pk, 0), c.expected_set_at,
             c.expected_source]
            for c in Commune.objects.order_by("search_name", "code")
        )  # fmt: skip
        widths = (8, 28, 16, 14, 17, 30)
    else:
        headers = [ORGANIZATION_NAME, CODE, COMMUNE_NAME, number, count, stamp, source]
        rows = (
            [o.name, o.commune.code if o.commune else "", o.commune.name if o.commune else "",
             o.expected_staff, accounts.get(o.pk, 0), o.expected_set_at, o.expected_source]
            for o in Organization.objects.select_related("commune").order_by("search_name", "pk")
        )  # fmt: skip
        widths = (40, 8, 24, 16, 14, 17, 30)
    title = _("Xã, phường") if unit == COMMUNE else _("Cơ quan, đơn vị")
    return xlsx_sheets_bytes([Sheet(title, headers, rows, widths)])


# --- Import check -----------------------------------------------------------------------------


@dataclass
class HeadcountCheck:
    unit: str = ""
    rows: list[dict] = field(default_factory=list)  # the changes: row, id, name, old, new
    unchanged: int = 0
    problems: list[dict] = field(default_factory=list)  # {"row": n, "message": "..."}
    empty_rows: int = 0


def check_headcounts(upload, *, directory: Directory, current: dict[str, dict]) -> HeadcountCheck:
    """Check every row of an uploaded file of expected headcounts. `current`: {unit: {id:
    number}} as stored, so unchanged rows are told from changes. A row with a unit but no
    number changes nothing. Raises SpreadsheetError for a bad file or one of more than
    MAX_HEADCOUNT_ROWS rows."""
    workbook = open_xlsx(upload, formulas=True, max_rows=MAX_HEADCOUNT_ROWS)
    try:
        rows = sheet_rows(workbook)
        header = [fold(cell_text(cell)) for cell in next(rows, ())]
        result = HeadcountCheck()
        unit, problem = _unit_of(header)
        if problem:
            result.problems.append({"row": 1, "message": problem})
            return result
        result.unit = unit
        names = [CODE, COMMUNE_NAME, ORGANIZATION_NAME, NUMBER_COLUMN[unit]]
        index = {c: header.index(fold(c)) for c in names if fold(c) in header}
        seen: dict[int, int] = {}
        for number, cells in data_rows(rows, index, limit=MAX_HEADCOUNT_ROWS):
            if cells is None:
                result.empty_rows += 1
                continue
            outcome = _check_row(number, unit, cells, directory, seen)
            if outcome is None:
                continue  # a unit without a number: left as it is
            if "message" in outcome:
                result.problems.append(outcome)
                continue
            outcome["old"] = current[unit].get(outcome["id"])
            if outcome["old"] == outcome["new"]:
                result.unchanged += 1
            else:
                result.rows.append(outcome)
        return result
    finally:
        workbook.close()


def _unit_of(header: list[str]) -> tuple[str, str]:
    """(unit, "") from a header row, or ("", the problem)."""
    adults, staff = fold(ADULTS) in header, fold(STAFF) in header
    if adults and staff:
        return "", _(
            "Tệp có cả cột “%(a)s” và “%(s)s”; mỗi tệp chỉ nhập một loại: xã, phường hoặc "
            "cơ quan, đơn vị."
        ) % {"a": ADULTS, "s": STAFF}
    if adults:
        if fold(CODE) not in header and fold(COMMUNE_NAME) not in header:
            return "", _("Thiếu cột: %(c)s.") % {"c": f"{CODE} / {COMMUNE_NAME}"}
        return COMMUNE, ""
    if staff:
        if fold(ORGANIZATION_NAME) not in header:
            return "", _("Thiếu cột: %(c)s.") % {"c": ORGANIZATION_NAME}
        return ORGANIZATION, ""
    return "", _(
        "Thiếu cột số dự kiến: “%(a)s” (cho xã, phường) hoặc “%(s)s” (cho cơ quan, đơn vị). "
        "Hãy dùng tệp tải về từ trang này làm mẫu."
    ) % {"a": ADULTS, "s": STAFF}


def _check_row(number, unit, cells, directory, seen) -> dict | None:
    def problem(message):
        return {"row": number, "message": message}

    refused = cell_problem(cells)
    if refused:
        return problem(refused)
    place_text = cell_text(cells.get(CODE)) or cell_text(cells.get(COMMUNE_NAME))
    place = directory.commune(cells.get(CODE) or cells.get(COMMUNE_NAME)) if place_text else None
    if unit == COMMUNE:
        if not place_text:
            return problem(_("Thiếu mã xã hoặc tên xã, phường."))
        if place is None:
            return problem(directory.commune_problem(place_text))
        named = cell_text(cells.get(COMMUNE_NAME))
        if cell_text(cells.get(CODE)) and named and directory.commune(named) not in (None, place):
            return problem(
                _(
                    "Mã xã “%(c)s” và tên “%(n)s” là hai xã, phường khác nhau; "
                    "hãy sửa một trong hai."
                )
                % {"c": shown(cells.get(CODE)), "n": shown(named)}
            )
        unit_id, name = place, place_text
    else:
        text = cell_text(cells.get(ORGANIZATION_NAME))
        if not text:
            return problem(_("Thiếu tên cơ quan, đơn vị."))
        if place_text and place is None:
            return problem(directory.commune_problem(place_text))
        unit_id, match = directory.organization(text, place)
        if unit_id is None:
            return problem(_organization_problem(text, match, directory))
        name = match
    value = cells.get(NUMBER_COLUMN[unit])
    if cell_text(value) == "":
        return None
    amount = _amount(value)
    if amount is None:
        return problem(
            _("“%(c)s” là “%(v)s”: hãy ghi một số nguyên từ 1 đến %(max)s.")
            % {
                "c": NUMBER_COLUMN[unit],
                "v": shown(value),
                "max": f"{MAX_EXPECTED:,}".replace(",", "."),  # Vietnamese grouping
            }
        )
    if unit_id in seen:
        return problem(_("“%(n)s” trùng với dòng %(r)s.") % {"n": shown(name), "r": seen[unit_id]})
    seen[unit_id] = number
    return {"row": number, "id": unit_id, "name": name, "new": amount}


def _amount(value) -> int | None:
    """A whole number of people in 1…MAX_EXPECTED, from a number cell or text ("12.345");
    else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        text = cell_text(value)
        if GROUPED.fullmatch(text):
            text = re.sub(r"\D", "", text)
        value = int(text) if text.isascii() and text.isdigit() else None
    if not isinstance(value, int) or not 1 <= value <= MAX_EXPECTED:
        return None
    return value


def _organization_problem(text: str, names: list[str], directory: Directory) -> str:
    values = {"v": shown(text), "names": "; ".join(names)}
    if directory.organization_ambiguous(text):
        return (
            _(
                "Có nhiều cơ quan ứng với “%(v)s”: %(names)s; hãy ghi đúng tên một cơ quan, "
                "hoặc ghi thêm mã xã."
            )
            % values
        )
    if names:
        return _("Không có cơ quan “%(v)s” trong danh mục. Gần nhất: %(names)s") % values
    return _("Không có cơ quan “%(v)s” trong danh mục.") % values
