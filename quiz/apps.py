from django.apps import AppConfig


class QuizConfig(AppConfig):
    """Question bank, contests, rounds, attempts, leaderboards and live games."""

    name = "quiz"
    verbose_name = "Thi trực tuyến"

    def ready(self):
        from quiz import receivers  # noqa: F401 (connects the signal receivers)
