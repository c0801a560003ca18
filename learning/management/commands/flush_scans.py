"""Fold the QR scans counted in the cache into the database (cron, every few minutes)."""

from django.core.management.base import BaseCommand

from learning.festival import flush_scans
from learning.models import ShortLink


class Command(BaseCommand):
    help = "Fold the short-link scans counted in the cache into the database."

    def handle(self, *args, **options):
        codes = list(ShortLink.objects.values_list("code", flat=True))
        for start in range(0, len(codes), 1000):
            flush_scans(codes[start : start + 1000])
        self.stdout.write(f"{len(codes)} mã đã cập nhật lượt quét.")
