"""/healthz and the friendly Chinese error pages (DEBUG=False, as in production)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connection
from django.test import Client
from django.urls import include, path

from gongkai.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("gongkai.portal.tests.test_errors")]


def _boom(request):
    raise RuntimeError("secret-internal-detail")


def _forbidden(request):
    raise PermissionDenied("test")


def _suspicious(request):
    raise SuspiciousOperation("bad")


def _public(view):
    from django.contrib.auth.decorators import login_not_required

    return login_not_required(view)


urlpatterns = [
    path("boom/", _public(_boom)),
    path("forbidden/", _public(_forbidden)),
    path("suspicious/", _public(_suspicious)),
    path("", include("gongkai.urls")),
]
handler400 = "gongkai.core.views.bad_request"
handler403 = "gongkai.core.views.permission_denied"
handler404 = "gongkai.core.views.page_not_found"
handler500 = "gongkai.core.views.server_error"


def test_healthz_is_public_and_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_is_503_when_the_database_is_unavailable(client: Client, monkeypatch) -> None:
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    # Sessions and auth are not touched for an anonymous request without cookies.
    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_unhandled_exception_gives_the_chinese_500_page_without_traceback(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统繁忙，请稍后再试" in html and '<html lang="zh-Hans">' in html
    assert "secret-internal-detail" not in html and "Traceback" not in html and "RuntimeError" not in html


def test_404_page_is_chinese_and_uses_the_layout(client: Client) -> None:
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in html and "跳到主要内容" in html


def test_403_page_is_chinese_and_the_denial_is_audited(client: Client) -> None:
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "<h1>无权访问</h1>" in response.content.decode()
    assert AuditEvent.objects.filter(action="access.forbidden", object_repr="/forbidden/").exists()


def test_400_page_is_chinese(client: Client) -> None:
    response = client.get("/suspicious/")
    assert response.status_code == 400
    assert "<h1>请求有误</h1>" in response.content.decode()


def test_bad_host_header_gets_the_400_page(client: Client) -> None:
    response = client.get("/", headers={"host": "evil.example.com"})
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
