from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Phone-first users, the directory of communes and organizations, roles and scopes."""

    name = "accounts"
    verbose_name = "Tài khoản và danh mục"

    def ready(self):
        from accounts import signals  # noqa: F401
