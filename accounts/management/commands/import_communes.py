from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services.communes import CommuneCsvError, import_communes, parse_commune_csv


class Command(BaseCommand):
    help = "Import or update a province's communes from a code,name,type CSV (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)
        parser.add_argument("--province-code", required=True, help="2-digit code, e.g. 08")
        parser.add_argument("--province-name", required=True, help="e.g. Tuyên Quang")

    def handle(self, *args, csv_path: Path, province_code: str, province_name: str, **options):
        if len(province_code) != 2 or not province_code.isdigit():
            raise CommandError("Mã tỉnh phải gồm đúng 2 chữ số.")
        try:
            rows = parse_commune_csv(csv_path.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {csv_path}: {error.strerror}") from error
        except CommuneCsvError as error:
            raise CommandError(str(error)) from error
        result = import_communes(
            rows=rows, province_code=province_code, province_name=province_name
        )
        self.stdout.write(
            f"{len(rows)} xã, phường: {result.created} thêm mới, {result.updated} cập nhật."
        )
