"""Authentication events go to the audit trail (ASVS 16.3.1)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gongkai.core.audit import record
from gongkai.core.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from gongkai.accounts.middleware import start_session_clock

    if request is not None and hasattr(request, "session"):
        start_session_clock(request)
    record("auth.login", request=request, actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", request=request, actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record("auth.login_failed", request=request, actor=None, object_type="accounts.User",
           object_repr=username, result=AuditEvent.Result.FAILURE,
           detail=str(kwargs.get("reason", "")))


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: Any = None, ip_address: Any = None,
                **kwargs: Any) -> None:
    record("auth.locked_out", request=request, actor=None, object_type="accounts.User",
           object_repr=str(username or "")[:150], result=AuditEvent.Result.DENIED,
           detail=f"ip={ip_address or ''}"[:500], before=None, after=None)
