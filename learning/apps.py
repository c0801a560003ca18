from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Enrolment, progress, certificates, festival events and check-in, compliance reports."""

    name = "learning"
    verbose_name = "Học tập"
