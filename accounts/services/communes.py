"""The directory of communes: a CSV of codes and names, loaded all or nothing."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from accounts.models import Commune, Province

TUYEN_QUANG = {"code": "08", "name": "Tuyên Quang"}
TUYEN_QUANG_CSV = Path(__file__).resolve().parent.parent / "data" / "tuyen_quang_communes.csv"
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
