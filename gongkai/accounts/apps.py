from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongkai.accounts"
    label = "accounts"
    verbose_name = "机关、用户与角色"

    def ready(self) -> None:
        from gongkai.accounts import signals  # noqa: F401
