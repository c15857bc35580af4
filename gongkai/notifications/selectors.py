"""Queries for 站内消息: always filtered by recipient first (index ``notification_inbox``:
recipient, read_at, created_at)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When

from gongkai.notifications.models import Notification

PAGE_SIZE = 20


def unread_count(user: Any) -> int:
    """One indexed COUNT; 0 without a query for anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def inbox(user: Any) -> QuerySet[Notification]:
    """The user's messages, unread first, newest first within each group."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return (Notification.objects.filter(recipient_id=user.pk)
            .annotate(read_order=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1),
                                      output_field=IntegerField()))
            .order_by("read_order", "-created_at", "-id"))


def inbox_page(user: Any, page_number: Any = None, per_page: int = PAGE_SIZE) -> Page[Notification]:
    return Paginator(inbox(user), per_page).get_page(page_number)
