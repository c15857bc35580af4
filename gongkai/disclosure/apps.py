from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "gongkai.disclosure"
    label = "disclosure"
    verbose_name = "依申请公开"

    def ready(self) -> None:
        from gongkai.disclosure import checks  # noqa: F401 — registers the system checks
        from gongkai.disclosure.services.deadlines import recompute_for_year
        from gongkai.workcalendar.recompute import register_recomputer

        # 载入即重算: loading a year's holiday arrangement refreshes every open request's due date.
        register_recomputer(recompute_for_year)
