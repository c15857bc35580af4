from django.apps import AppConfig


class EnterpriseConfig(AppConfig):
    name = "gongkai.enterprise"
    label = "enterprise"
    verbose_name = "惠企政策服务"
