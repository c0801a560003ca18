from django.core.management.base import BaseCommand
from django.utils import timezone

from learning.models import Campaign
from learning.services.reminders import send_campaign_reminders, send_coordinator_digests


class Command(BaseCommand):
    help = (
        "Remind assigned people before the deadline and when overdue, and send coordinators "
        "their weekly digest. Idempotent: run it from cron every hour."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        for campaign in Campaign.objects.reminding(timezone.localdate(now)):
            sent = send_campaign_reminders(campaign, now=now)
            self.stdout.write(f"{campaign.title}: {sent} nhắc nhở")
        self.stdout.write(f"Tổng hợp tuần: {send_coordinator_digests(now=now)}")
