from django.core.management.base import BaseCommand
from django.utils import timezone

from learning.models import Campaign
from learning.services.campaigns import assign_campaign


class Command(BaseCommand):
    help = (
        "Assign every running campaign to the people its rule names now (safe to run from "
        "cron, and after a bulk roster import)."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        for campaign in Campaign.objects.running(timezone.localdate(now)):
            added = assign_campaign(campaign, now=now)
            self.stdout.write(f"{campaign.title}: +{added} người")
