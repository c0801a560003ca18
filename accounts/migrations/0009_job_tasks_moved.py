"""Jobs name their work by dotted path; issue 15 moved both job functions into service
modules. A job stored before the move (queued across a deploy, or failed and retried
later) would otherwise fail to find its work."""

from django.db import migrations

MOVED = {
    "accounts.services.build_slips": "accounts.services.slips.build_slips",
    "quiz.services.import_bank_job": "quiz.services.bank.import_bank_job",
}


def forwards(apps, schema_editor):
    Job = apps.get_model("accounts", "Job")
    for old, new in MOVED.items():
        Job.objects.filter(task=old).update(task=new)


def backwards(apps, schema_editor):
    Job = apps.get_model("accounts", "Job")
    for old, new in MOVED.items():
        Job.objects.filter(task=new).update(task=old)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_roster_no_new_organizations")]

    operations = [migrations.RunPython(forwards, backwards)]
