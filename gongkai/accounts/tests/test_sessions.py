"""Session lifecycle: timeouts by time travel, logout, password-only sessions (§5 items 9, 13)."""

import time as time_module

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from gongkai.accounts.tests.factories import PublicUserFactory, StaffUserFactory, totp_device_for
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _travel(monkeypatch, seconds):
    real = time_module.time
    monkeypatch.setattr(time_module, "time", lambda: real() + seconds)


def test_staff_idle_timeout(monkeypatch, staff_client_factory):
    user = StaffUserFactory()
    client = staff_client_factory(user)
    assert client.get("/staff/").status_code == 200
    _travel(monkeypatch, settings.GONGKAI_STAFF_IDLE_TIMEOUT + 5)
    response = client.get("/staff/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.session_expired", detail="idle").count() == 1


def test_activity_keeps_staff_session_alive(monkeypatch, staff_client_factory):
    client = staff_client_factory(StaffUserFactory())
    real = time_module.time
    for step in range(1, 4):
        monkeypatch.setattr(time_module, "time", lambda s=step: real() + s * (settings.GONGKAI_STAFF_IDLE_TIMEOUT - 60))
        assert client.get("/staff/").status_code == 200


def test_public_idle_timeout_is_longer(monkeypatch):
    user = PublicUserFactory()
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": "correct horse battery staple 9"})
    _travel(monkeypatch, settings.GONGKAI_STAFF_IDLE_TIMEOUT + 5)
    assert client.get("/accounts/two-factor/").status_code == 200
    _travel(monkeypatch, settings.GONGKAI_STAFF_IDLE_TIMEOUT + 5 + settings.GONGKAI_PUBLIC_IDLE_TIMEOUT + 5)
    response = client.get("/accounts/two-factor/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_absolute_timeout_even_when_active(staff_client_factory):
    client = staff_client_factory(StaffUserFactory())
    session = client.session
    session["gongkai_started"] = time_module.time() - settings.GONGKAI_SESSION_ABSOLUTE_TIMEOUT - 1
    session.save()
    response = client.get("/staff/")
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert AuditEvent.objects.filter(action="auth.session_expired", detail="absolute").count() == 1


def test_logout_is_post_only_and_flushes_session(staff_client_factory):
    user = StaffUserFactory()
    client = staff_client_factory(user)
    old_key = client.session.session_key
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/staff/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).count() == 1


def test_disabling_account_ends_its_sessions(staff_client_factory):
    user = StaffUserFactory()
    client = staff_client_factory(user)
    user.is_active = False
    user.save()
    assert client.get("/staff/").status_code == 302


def test_login_cookie_flags():
    user = PublicUserFactory()
    response = Client().post("/accounts/login/", {"username": user.username,
                                                  "password": "correct horse battery staple 9"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_post_without_csrf_token_fails():
    user = StaffUserFactory()
    totp_device_for(user)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": user.username, "password": "x"})
    assert response.status_code == 403


def _staff_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _staff_patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith(("staff/", "admin/")):
                yield route


def _concrete(route):
    import re

    path = re.sub(r"<(?:int:)?[^>]+>", "1", route)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", path)


def test_password_only_session_reaches_no_staff_url(org_tree):
    user = StaffUserFactory(system_role="system_admin")
    totp_device_for(user)
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username,
                                                "password": "correct horse battery staple 9"})
    assert response["Location"].endswith("?step=otp")
    routes = sorted(set(_staff_patterns()))
    assert len(routes) > 5
    for route in routes:
        path = _concrete(route)
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code in (302, 404, 405), (path, response.status_code)
            if response.status_code == 302:
                # The admin sends people to its login URL, which only forwards to ours.
                assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), (
                    path, response["Location"])
            assert b"csrfmiddlewaretoken" not in response.content or response.status_code != 200
