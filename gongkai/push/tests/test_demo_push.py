"""The push demo: subscriptions of every kind (one ended), two item publications that write their
pushes through the real outbox, one worker run that delivers every message, one message read;
loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from gongkai.core.demo import load_demo
from gongkai.notifications.models import Notification
from gongkai.push.demo import load_demo_push
from gongkai.push.models import OutboxMessage, Push, Subscription
from gongkai.things.demo import load_demo_things

pytestmark = pytest.mark.django_db


def test_demo_subscriptions_pushes_and_deliveries() -> None:
    load_demo()
    load_demo_things()
    out = io.StringIO()
    result = load_demo_push(out)
    kinds = set(Subscription.objects.values_list("kind", flat=True))
    assert {Subscription.Kind.QUALIFY, Subscription.Kind.ORGANISATION, Subscription.Kind.REGION} <= kinds
    assert Subscription.objects.filter(active=False).count() == 1
    assert result.pushes == Push.objects.count() == 2
    messages = OutboxMessage.objects.all()
    assert result.messages == messages.count() > 0
    # The worker ran: nothing is left queued, and each inbox message became a site-inbox row.
    assert not messages.filter(status=OutboxMessage.Status.QUEUED).exists()
    assert Notification.objects.filter(recipient__username="enterprise").exists()
    assert messages.filter(status=OutboxMessage.Status.READ, recipient__username="enterprise").count() == 1
    # The enterprise qualifies for both new items (Hunan, Changsha) and is told once per item.
    assert messages.filter(recipient__username="enterprise").count() == 2
    assert "2 次推送" in out.getvalue()
    again = load_demo_push(io.StringIO())
    assert again.pushes == 0 and OutboxMessage.objects.count() == result.messages
