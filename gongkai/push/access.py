"""Access to subscriptions and pushes. A subscription belongs to its user alone; a push is seen
by staff of its organisation (``organisations_for``). Anything else is a 404, and the denial is
audited (``accounts.access.deny``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from gongkai.accounts.access import deny, user_has_org_perm
from gongkai.accounts.roles import Perm
from gongkai.push.models import Push, Subscription


def access_subscription(user: Any, subscription_id: Any, *, request: HttpRequest | None = None) -> Subscription:
    try:
        sub = Subscription.objects.select_related("tag", "organisation").get(pk=int(subscription_id))
    except (Subscription.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该订阅。") from None
    if getattr(user, "is_authenticated", False) and sub.user_id == user.pk:
        return sub
    raise deny(request, user, object_type="push.Subscription", object_id=subscription_id, detail="subscription")


def access_push(user: Any, push_id: Any, *, request: HttpRequest | None = None) -> Push:
    try:
        push = Push.objects.select_related("organisation").get(pk=int(push_id))
    except (Push.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该推送。") from None
    if user_has_org_perm(user, push.organisation, Perm.VIEW_RECORDS):
        return push
    raise deny(request, user, object_type="push.Push", object_id=push_id, detail=Perm.VIEW_RECORDS)
