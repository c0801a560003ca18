from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Enrolment, progress, certificates, festival events and check-in, compliance reports."""

    name = "learning"
    verbose_name = "Học tập"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from learning.receivers import keep_visitor_reading

        user_logged_in.connect(keep_visitor_reading, dispatch_uid="learning-keep-reading")
