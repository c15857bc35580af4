from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "gongkai.push"
    label = "push"
    verbose_name = "订阅与推送"
