"""Access to 站内消息: a message belongs to its recipient alone. Anybody else's message — or
an id that does not exist — is a 404, and the denial is audited (``accounts.access.deny``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest

from gongkai.accounts.access import deny
from gongkai.notifications.models import Notification


def _ids(values: Iterable[int | str]) -> list[int]:
    try:
        ids = sorted({int(v) for v in values})
    except (TypeError, ValueError):
        raise Http404("未找到该消息。") from None
    if not ids:
        raise Http404("未找到该消息。")
    return ids


def access_notifications(user: Any, ids: Iterable[int | str], *,
                         request: HttpRequest | None = None) -> list[Notification]:
    """The messages ``ids`` when every one of them is addressed to ``user``; otherwise 404."""
    wanted = _ids(ids)
    if not getattr(user, "is_authenticated", False):
        raise Http404("未找到该消息。")
    rows = list(Notification.objects.filter(recipient=user, pk__in=wanted))
    if len(rows) != len(wanted):
        missing = sorted(set(wanted) - {r.pk for r in rows})
        raise deny(request, user, object_type="notifications.Notification",
                   object_id=",".join(str(i) for i in missing)[:64], detail="notification.mark_read")
    return rows
