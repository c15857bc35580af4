"""Queries for subscriptions and push statistics (到达率)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from gongkai.accounts.access import organisations_for
from gongkai.accounts.roles import Perm
from gongkai.push.models import OutboxMessage, Push, Subscription

_S = OutboxMessage.Status
_READ = Q(status=_S.READ) | Q(notification__read_at__isnull=False)
_DELIVERED = Q(status__in=[_S.DELIVERED, _S.READ]) | _READ
_SENT = Q(status__in=[_S.SENT, _S.DELIVERED, _S.READ]) | _READ


@dataclass(frozen=True)
class PushCounts:
    total: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def arrival_rate(self) -> float | None:
        """到达率 = 已送达 / 已发送 (None before anything was sent)."""
        return self.delivered / self.sent if self.sent else None

    @property
    def read_rate(self) -> float | None:
        return self.read / self.delivered if self.delivered else None


def _aggregates() -> dict[str, Any]:
    return {
        "total": Count("id"),
        "queued": Count("id", filter=Q(status__in=[_S.QUEUED, _S.SENDING])),
        "sent": Count("id", filter=_SENT),
        "delivered": Count("id", filter=_DELIVERED),
        "read": Count("id", filter=_READ),
        "failed": Count("id", filter=Q(status=_S.FAILED)),
        "cancelled": Count("id", filter=Q(status=_S.CANCELLED)),
    }


def push_counts(push_ids: list[int]) -> dict[int, PushCounts]:
    """Counts per push in one GROUP BY query (site-inbox messages read in the inbox count as read)."""
    rows: Any = (OutboxMessage.objects.filter(push_id__in=push_ids).order_by().values("push_id")
                 .annotate(**_aggregates()))
    return {row.pop("push_id"): PushCounts(**row) for row in rows}


def channel_counts(push: Push) -> list[tuple[str, PushCounts]]:
    rows: Any = OutboxMessage.objects.filter(push=push).order_by().values("channel").annotate(**_aggregates())
    labels = dict(OutboxMessage._meta.get_field("channel").choices or [])
    return [(str(labels.get(row.pop("channel"), "")), PushCounts(**row)) for row in rows]


def staff_pushes(user: Any) -> QuerySet[Push]:
    """Pushes of the organisations the staff member may see (newest first)."""
    return (Push.objects.filter(organisation__in=organisations_for(user, Perm.VIEW_RECORDS))
            .select_related("organisation").order_by("-created_at", "-id"))


def user_subscriptions(user: Any) -> QuerySet[Subscription]:
    return (Subscription.objects.filter(user=user, active=True).select_related("tag", "organisation")
            .order_by("-created_at", "-id"))


def user_push_messages(user: Any, limit: int = 20) -> QuerySet[OutboxMessage]:
    """The user's delivered site-inbox push messages (我的推送), newest first."""
    return (OutboxMessage.objects.filter(recipient=user, channel="inbox",
                                         status__in=[_S.DELIVERED, _S.READ])
            .select_related("push", "notification").order_by("-id")[:limit])


def feed_documents(sub: Subscription, limit: int = 30) -> QuerySet[Any]:
    """The public documents of a subscription's private feed: for tag / organisation / region
    subscriptions every public document that matches now; for 符合条件 subscriptions the documents
    of the policy items pushed to the subscriber."""
    from gongkai.domain.push import PushRuleError, region_ancestors, region_prefix
    from gongkai.policies.selectors import public_documents

    documents = public_documents().select_related("organisation")
    if sub.kind == Subscription.Kind.TAG:
        documents = documents.filter(tags=sub.tag_id)
    elif sub.kind == Subscription.Kind.ORGANISATION:
        documents = documents.filter(organisation=sub.organisation)
    elif sub.kind == Subscription.Kind.REGION:
        # region_matches(R, D) ⇔ D lies within R (prefix of R) or D is R or one of its ancestors.
        try:
            prefix, ancestors = region_prefix(sub.region_code), region_ancestors(sub.region_code)
        except PushRuleError:
            return documents.none()
        documents = documents.filter(Q(organisation__division_code__startswith=prefix)
                                     | Q(organisation__division_code__in=list(ancestors)))
    else:
        pushed = (OutboxMessage.objects.filter(recipient_id=sub.user_id, push__subject_type=Push.Subject.ITEM)
                  .values("push__item__document_id"))
        documents = documents.filter(pk__in=pushed)
    return documents.order_by("-published_at", "-id")[:limit]
