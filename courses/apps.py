from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """Course > Module > Lesson content, authoring, catalogue, training campaigns."""

    name = "courses"
    verbose_name = "Khoá học"

    def ready(self):
        from courses import signals  # noqa: F401
