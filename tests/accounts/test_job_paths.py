"""Stored jobs keep finding their work after issue 15 moved the job functions."""

from importlib import import_module

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import Job

MIGRATION = import_module("accounts.migrations.0009_job_tasks_moved")


def test_every_moved_job_path_names_a_function_that_exists():
    for old, new in MIGRATION.MOVED.items():
        assert callable(import_string(new)), new
        assert old != new


def test_the_migration_rewrites_stored_paths(db, django_user_model):
    user = django_user_model.objects.create(phone="0912000111", full_name="Điều phối")
    now = timezone.now()
    job = Job.objects.create(
        kind=Job.Kind.SLIPS,
        task="accounts.services.build_slips",
        created_by=user,
        created_at=now,
        updated_at=now,
    )
    MIGRATION.forwards(apps, None)
    job.refresh_from_db()
    assert job.task == "accounts.services.slips.build_slips"
    MIGRATION.backwards(apps, None)
    job.refresh_from_db()
    assert job.task == "accounts.services.build_slips"
