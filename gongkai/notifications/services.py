"""The only code that writes 站内消息.

``notify`` is a building block for other services and jobs (the deadline reminders, later the
policy push): it writes its rows inside the caller's transaction — the caller has checked its
own permission and writes the audit row describing what it did — and sends the e-mails only
after that transaction commits. ``mark_read`` is a service of its own: the recipient alone may
mark their messages, in one transaction with one audit row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.core.audit import record
from gongkai.notifications.access import access_notifications
from gongkai.notifications.models import Notification

logger = logging.getLogger(__name__)

EMAIL_FOOTER = "本邮件由政务公开平台自动发送，请勿直接回复。请登录平台查看详情。"


@dataclass(frozen=True)
class _Mail:
    to: str
    subject: str
    body: str


def _check_link(link: str) -> str:
    """Only a path on this site (``/staff/…``): never another host, so a message cannot be
    used to send someone elsewhere."""
    link = (link or "").strip()
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > 500):
        raise ValidationError("消息链接只能是本站路径（以“/”开头）。")
    return link


def _mail_body(body: str, link: str) -> str:
    parts = [body.strip()] if body.strip() else []
    if link:
        base = str(getattr(settings, "GONGKAI_SITE_URL", "") or "").rstrip("/")
        parts.append(f"查看：{base}{link}" if base else f"登录平台后打开：{link}")
    parts.append(EMAIL_FOOTER)
    return "\n\n".join(parts)


def _send_mails(mails: list[_Mail]) -> None:
    """One message per recipient (nobody sees another recipient's address); a failing mail
    server is logged and never undoes the committed messages — the inbox still has them."""
    messages = [EmailMessage(subject=m.subject, body=m.body, to=[m.to]) for m in mails]
    try:
        get_connection(fail_silently=False).send_messages(messages)
    except Exception:  # noqa: BLE001 — an SMTP outage must not break the job that notified
        logger.exception("notifications: sending %d e-mail(s) failed", len(messages))


def notify(recipients: Iterable[Any], *, kind: str, title: str, body: str = "", link: str = "",
           dedupe_key: str | None = None, organisation: Any = None, email: bool = True) -> list[Notification]:
    """Write one message per (active) recipient in the caller's transaction and return the rows
    actually created. With ``dedupe_key``, a recipient who already has a message with that key
    gets nothing (repeated runs create nothing, even when two runs race). With ``email``, the
    recipients who have an e-mail address get it after the transaction commits."""
    kind, title = (kind or "").strip(), (title or "").strip()
    if not kind or not title:
        raise ValidationError("消息类型和标题不能为空。")
    if len(title) > 200 or len(kind) > 40:
        raise ValidationError("消息标题不能超过200字，类型不能超过40字。")
    link = _check_link(link)
    key = (dedupe_key or "").strip()
    if len(key) > 200:
        raise ValidationError("去重标识不能超过200字。")
    users = {u.pk: u for u in recipients if getattr(u, "pk", None) and getattr(u, "is_active", False)}
    if not users:
        return []
    created: list[Notification] = []
    with transaction.atomic():
        if key:
            have = set(Notification.objects.filter(recipient_id__in=list(users), dedupe_key=key)
                       .values_list("recipient_id", flat=True))
            for pk in have:
                users.pop(pk, None)
        now = timezone.now()
        for user in users.values():
            row = Notification(recipient=user, organisation=organisation, kind=kind, title=title, body=body,
                               link=link, dedupe_key=key, created_at=now)
            if key:
                try:
                    with transaction.atomic():  # savepoint: a concurrent run won the race
                        row.save()
                except IntegrityError:
                    continue
            else:
                row.save()
            created.append(row)
        mails = [_Mail(to=n.recipient.email, subject=title, body=_mail_body(body, link))
                 for n in created if email and n.recipient.email]
        if mails:
            transaction.on_commit(lambda: _send_mails(mails), robust=True)
    return created


def mark_read(user: Any, ids: Iterable[int | str] | Literal["all"], *,
              request: HttpRequest | None = None) -> int:
    """Mark the recipient's own messages read (``"all"``: every unread one). An id that is not
    one of ``user``'s messages is a 404 for the whole call (audited), never a partial success.
    Returns the number of messages that changed from unread to read."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录。")
    if ids == "all":
        qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
        scope = "all"
    else:
        # Checked before the transaction, so the audited denial is not rolled back with it.
        rows = access_notifications(user, ids, request=request)
        qs = Notification.objects.filter(recipient=user, pk__in=[r.pk for r in rows], read_at__isnull=True)
        scope = "selected"
    with transaction.atomic():
        changed = qs.update(read_at=timezone.now())
        if changed:
            record("notifications.mark_read", request=request, actor=user, object_type="notifications.Notification",
                   after={"scope": scope, "count": changed})
    return changed
