"""``{% unread_notification_count user as n %}``: the unread count for the staff navigation —
one indexed COUNT, and none at all for anonymous visitors."""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.db import DatabaseError

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def unread_notification_count(user: Any) -> int | None:
    from gongkai.notifications.selectors import unread_count

    try:
        return unread_count(user)
    except DatabaseError:  # an error page must still render when the database is unwell
        logger.warning("notifications: unread count unavailable", exc_info=True)
        return None
