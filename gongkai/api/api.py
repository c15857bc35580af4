"""REST API ``/api/v1/`` (django-ninja): OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from ninja import NinjaAPI

api = NinjaAPI(title="公开 Gongkai API", version="1.0.0", urls_namespace="api")


@api.get("/ping", auth=None, summary="连通性检查")
def ping(request: Any) -> dict[str, str]:
    return {"status": "ok"}


def api_urls() -> Any:
    """Ninja does its own per-operation auth, so its views are exempt from LoginRequiredMiddleware."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)  # type: ignore[type-var]
    return patterns, app_name, namespace
