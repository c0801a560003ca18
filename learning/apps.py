from django.apps import AppConfig


class LearningConfig(AppConfig):
    """Enrolment, progress, certificates, festival events and check-in, compliance reports."""

    name = "learning"
    verbose_name = "Học tập"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from accounts.signals import people_imported
        from learning.receivers import (
            assign_imported_people,
            assign_new_people,
            keep_visitor_reading,
        )

        user_logged_in.connect(keep_visitor_reading, dispatch_uid="learning-keep-reading")
        post_save.connect(
            assign_new_people, sender=get_user_model(), dispatch_uid="learning-assign-people"
        )
        people_imported.connect(assign_imported_people, dispatch_uid="learning-assign-imported")
