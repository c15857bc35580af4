from django.apps import AppConfig


class ThingsConfig(AppConfig):
    name = "gongkai.things"
    label = "things"
    verbose_name = "一件事一次办"
    default_auto_field = "django.db.models.BigAutoField"
