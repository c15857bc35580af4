"""System checks: the personal-data key is valid, and a development key is flagged."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register()
def field_key_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from gongkai.disclosure.crypto import key_ring

    try:
        key_ring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="disclosure.E001")]
    if getattr(settings, "GONGKAI_FIELD_KEY_IS_DEV", False) and not getattr(settings, "TESTING", False):
        return [Warning("GONGKAI_FIELD_KEY 未设置，正在使用仅供开发的固定密钥加密个人信息。",
                        hint="生产环境须设置 GONGKAI_FIELD_KEY（32位十六进制）。", id="disclosure.W001")]
    return []
