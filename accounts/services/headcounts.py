"""Expected headcounts of communes and organizations, set by the Department on its page or
from a checked file."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import headcounts
from accounts.models import Commune, HeadcountImport, User
from accounts.scopes import Scope
from accounts.services.rosters import roster_directory


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
