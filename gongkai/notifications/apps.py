from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "gongkai.notifications"
    label = "notifications"
    verbose_name = "站内消息"
