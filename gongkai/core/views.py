"""Health check and friendly Chinese error pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``/healthz``: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        return render(request, template, status=status)
    except Exception:  # noqa: BLE001 — an error page must never raise itself
        return HttpResponse(f"<h1>错误 {status}</h1>", status=status)


@login_not_required
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, "errors/400.html", 400)


@login_not_required
@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    from gongkai.core.audit import record
    from gongkai.core.models import AuditEvent

    try:
        record("access.forbidden", request=request, object_repr=request.path[:200],
               result=AuditEvent.Result.DENIED, detail=str(exception or "")[:200])
    except DatabaseError:
        pass
    return _error(request, "errors/403.html", 403)


@login_not_required
@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, "errors/404.html", 404)


@login_not_required
@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Render without request context: the failure may be in a context processor or the database.
    from django.template import loader

    try:
        body = loader.get_template("errors/500.html").render({"site_name": "公开 · 政务公开平台"})
    except Exception:  # noqa: BLE001
        body = "<h1>系统繁忙，请稍后再试</h1>"
    return HttpResponse(body, status=500)
