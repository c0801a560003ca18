"""The compliance report of a campaign as .xlsx: summaries by commune and organization,
then one row per assigned person. Pure: rows in, bytes out."""

from django.utils.translation import gettext as _

from accounts.exports import Sheet, xlsx_sheets_bytes
from accounts.models import ParticipantKind
from learning.models import Status

SUMMARY_WIDTHS = (32, 10, 12, 14, 14, 10, 12)


def _summary_headers(first: str) -> list[str]:
    return [
        first,
        _("Được giao"),
        _("Đã bắt đầu"),
        _("Đúng hạn"),
        _("Muộn"),
        _("Quá hạn"),
        _("Tỷ lệ hoàn thành (%)"),
    ]


def _summary_rows(rows: list[dict]) -> list[list]:
    return [
        [r["name"], r["assigned"], r["started"], r["on_time"], r["late"], r["overdue"], r["rate"]]
        for r in rows
    ]


PEOPLE_FIELDS = (
    "user__full_name",
    "user__phone",
    "user__commune__code",
    "user__commune__name",
    "user__organization__name",
    "user__participant_kind",
    "status",
    "started_at",
    "completed_at",
)


def _people_rows(people, *, progress, every: int):
    statuses = {value: str(label) for value, label in Status.choices}  # translated once
    kinds = {value: str(label) for value, label in ParticipantKind.choices}
    rows = people.values_list(*PEOPLE_FIELDS).iterator(chunk_size=5000)
    for count, (name, phone, code, commune, organization, kind, status, started, done) in enumerate(
        rows, start=1
    ):
        if progress and count % every == 0:
            progress(count)
        yield [
            name,
            phone,
            code or "",
            commune or "",
            organization or "",
            kinds.get(kind, kind),
            statuses[status],
            started,
            done,
        ]


def campaign_workbook(
    *, communes: list[dict], organizations: list[dict], people, progress=None, every=5000
) -> bytes:
    """`communes`/`organizations`: the dashboard's rows; `people`: assignments annotated
    with status (AssignmentQuerySet.with_status), read as plain values: 100,000 rows.
    `progress(rows_written)` is called every `every` rows."""
    person_rows = _people_rows(people, progress=progress, every=every)
    return xlsx_sheets_bytes(
        [
            Sheet(
                _("Theo xã, phường"),
                _summary_headers(_("Xã, phường")),
                _summary_rows(communes),
                SUMMARY_WIDTHS,
            ),
            Sheet(
                _("Theo cơ quan"),
                _summary_headers(_("Cơ quan, đơn vị")),
                _summary_rows(organizations),
                SUMMARY_WIDTHS,
            ),
            Sheet(
                _("Người học"),
                [
                    _("Họ và tên"),
                    _("Số điện thoại"),
                    _("Mã xã"),
                    _("Xã, phường"),
                    _("Cơ quan, đơn vị"),
                    _("Đối tượng"),
                    _("Trạng thái"),
                    _("Bắt đầu lúc"),
                    _("Hoàn thành lúc"),
                ],
                person_rows,
                (28, 14, 8, 20, 32, 18, 20, 18, 18),
            ),
        ]
    )
