"""The compliance report of a campaign as .xlsx: summaries by commune and organization,
then one row per assigned person. Pure: rows in, bytes out."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exports import Sheet, xlsx_sheets_bytes
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


def _local(moment: datetime.datetime | None):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def campaign_workbook(*, communes: list[dict], organizations: list[dict], people) -> bytes:
    """`communes`/`organizations`: the dashboard's rows; `people`: assignments annotated
    with status, with user, commune and organization selected."""
    labels = dict(Status.choices)
    person_rows = (
        [
            a.user.full_name,
            a.user.phone,
            a.user.commune.code if a.user.commune else "",
            a.user.commune.name if a.user.commune else "",
            a.user.organization.name if a.user.organization else "",
            a.user.get_participant_kind_display(),
            str(labels[a.status]),
            _local(a.started_at),
            _local(a.completed_at),
        ]
        for a in people
    )
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
