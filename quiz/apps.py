from django.apps import AppConfig


class QuizConfig(AppConfig):
    """Question bank, contests, rounds, attempts, leaderboards and live games."""

    name = "quiz"
    verbose_name = "Thi trực tuyến"
