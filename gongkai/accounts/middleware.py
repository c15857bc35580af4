"""Session lifetime and second-factor enforcement."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from gongkai.core.audit import record

_LAST_SEEN = "gongkai_last_seen"
_STARTED = "gongkai_started"


def start_session_clock(request: HttpRequest) -> None:
    """Called at login: both clocks start when the login session does, not at its next request."""
    now = time.time()
    request.session[_STARTED] = now
    request.session[_LAST_SEEN] = now


class SessionTimeoutMiddleware:
    """Idle and absolute timeouts (等保 登录连接超时自动退出; ASVS V7).

    Staff sessions end after ``GONGKAI_STAFF_IDLE_TIMEOUT`` seconds without a request, public ones
    after ``GONGKAI_PUBLIC_IDLE_TIMEOUT``; every session ends ``GONGKAI_SESSION_ABSOLUTE_TIMEOUT``
    seconds after login.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(_STARTED)
            last_seen = request.session.get(_LAST_SEEN)
            idle_limit = (
                settings.GONGKAI_STAFF_IDLE_TIMEOUT
                if user.account_type == "staff"
                else settings.GONGKAI_PUBLIC_IDLE_TIMEOUT
            )
            expired_reason = ""
            if started is None:
                request.session[_STARTED] = now
            elif now - float(started) > settings.GONGKAI_SESSION_ABSOLUTE_TIMEOUT:
                expired_reason = "absolute"
            if last_seen is not None and now - float(last_seen) > idle_limit:
                expired_reason = expired_reason or "idle"
            if expired_reason:
                record("auth.session_expired", request=request, actor=user, obj=user, detail=expired_reason)
                logout(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?expired=1")
            request.session[_LAST_SEEN] = now
        return self.get_response(request)


class StaffVerificationMiddleware:
    """A staff session that has not passed the second factor is treated as anonymous.

    The login view only calls ``login()`` after the TOTP step, so this is defence in depth: any
    other route to an authenticated staff session (admin login, a bug) still reaches nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.account_type == "staff"
            and not user.is_verified()
        ):
            logout(request)
        return self.get_response(request)
