"""Load the 124 communes of Tuyên Quang (after 1 July 2025) into every new database."""

from django.db import migrations

from accounts.services.communes import TUYEN_QUANG, TUYEN_QUANG_CSV, parse_commune_csv
from common.text import fold


def load(apps, schema_editor):
    Province = apps.get_model("accounts", "Province")
    Commune = apps.get_model("accounts", "Commune")
    province, _ = Province.objects.get_or_create(
        code=TUYEN_QUANG["code"], defaults={"name": TUYEN_QUANG["name"]}
    )
    rows = parse_commune_csv(TUYEN_QUANG_CSV.read_text(encoding="utf-8"))
    existing = set(Commune.objects.values_list("code", flat=True))
    Commune.objects.bulk_create(
        Commune(province=province, search_name=fold(row["name"]), **row)
        for row in rows
        if row["code"] not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
