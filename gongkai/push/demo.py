"""演示数据: subscriptions (订阅) of the demo citizen and enterprise accounts, two newly published
policy items that produce pushes through the real outbox, one delivery run of the worker, and one
message opened — so 我的订阅, the site inbox and 推送统计 (sent / delivered / read, 到达率) show data.

Run after the demo enterprises, items and things (the enterprise accounts must hold verified
claims). Idempotent: nothing happens when the demo enterprise account already has a subscription.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from gongkai.accounts.models import Organisation, User
from gongkai.enterprise.item_demo import create_published_items
from gongkai.enterprise.models import Enterprise
from gongkai.policies.models import Tag
from gongkai.policies.selectors import public_documents
from gongkai.push import services
from gongkai.push.models import Channel, OutboxMessage, Push, Subscription

DEPARTMENT_SLUG = "hunan-finance"

NEW_ITEMS: list[dict[str, Any]] = [
    {"title": "小微企业首贷贴息（演示推送）", "benefit_type": "interest", "promised_days": 15,
     "amount_rule": "按首笔贷款实际支付利息的50%给予贴息，最高5万元。",
     "materials_text": "贷款合同\n利息支付凭证", "legal_basis": "本文件第七条",
     "conditions": [
         {"field": "region_code", "op": "within_region", "value": ["430000"], "source_text": "在湖南省内注册"},
         {"field": "is_individual", "op": "eq", "value": False, "source_text": "不含个体工商户"}]},
    {"title": "长沙市中小企业数字化改造补助（演示推送）", "benefit_type": "subsidy", "promised_days": 20,
     "amount_rule": "按数字化改造投入的20%给予补助，最高20万元。",
     "materials_text": "改造项目合同\n付款凭证", "legal_basis": "本文件第九条",
     "conditions": [
         {"field": "region_code", "op": "within_region", "value": ["430100"], "source_text": "在长沙市内注册"}]},
]


@dataclass
class DemoPushResult:
    subscriptions: int = 0
    pushes: int = 0
    messages: int = 0
    delivered: int = 0
    read: int = 0


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _verified(user: User | None) -> bool:
    return user is not None and Enterprise.objects.filter(
        claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED).exists()


@transaction.atomic
def load_demo_push(stdout: Any = None) -> DemoPushResult:
    """Load (or leave unchanged) the demo subscriptions and pushes."""
    result = DemoPushResult()
    enterprise_user, citizen = _user("enterprise"), _user("citizen")
    department = Organisation.objects.filter(slug=DEPARTMENT_SLUG).first()
    documents = public_documents().order_by("-published_at", "-id")
    document = documents.filter(organisation=department).first() if department is not None else None
    if enterprise_user is None or citizen is None or department is None or document is None:
        return result
    if Subscription.objects.filter(user=enterprise_user).exists():
        if stdout is not None:
            stdout.write("订阅与推送：演示数据已存在，未重复加载。\n")
        return result
    tag = document.tags.filter(kind=Tag.Kind.THEME).first() or Tag.objects.filter(kind=Tag.Kind.THEME).first()

    inbox = [Channel.INBOX]
    subs: list[Subscription] = []
    if _verified(enterprise_user):
        subs.append(services.subscribe(user=enterprise_user, kind=Subscription.Kind.QUALIFY, channels=inbox))
    if tag is not None:
        subs.append(services.subscribe(user=enterprise_user, kind=Subscription.Kind.TAG, tag=tag, channels=inbox))
    subs.append(services.subscribe(user=citizen, kind=Subscription.Kind.ORGANISATION, organisation=department,
                                   channels=inbox))
    subs.append(services.subscribe(user=citizen, kind=Subscription.Kind.REGION, region_code="430100",
                                   channels=inbox))
    for n in (2, 3, 4):
        other = _user(f"demo_qiye_{n}")
        if _verified(other):
            subs.append(services.subscribe(user=other, kind=Subscription.Kind.QUALIFY, channels=inbox))
    # One subscription ended by its owner: 我的订阅 shows it as 已退订, and it receives nothing.
    if tag is not None:
        ended = services.subscribe(user=citizen, kind=Subscription.Kind.TAG, tag=tag, channels=inbox)
        services.cancel_subscription(user=citizen, subscription=ended)
        subs.append(ended)
    result.subscriptions = len(subs)

    # Publishing an item writes its push and outbox rows in the same transaction (the real path).
    create_published_items(NEW_ITEMS, document, department)
    pushes = Push.objects.filter(item__document=document, item__title__in=[s["title"] for s in NEW_ITEMS])
    result.pushes = pushes.count()
    result.messages = OutboxMessage.objects.filter(push__in=pushes).count()
    delivered = services.deliver_due(max_batches=20)
    result.delivered = delivered.delivered + delivered.sent
    # The demo enterprise opened its first message (阅读跟踪).
    first = OutboxMessage.objects.filter(push__in=pushes, recipient=enterprise_user).order_by("pk").first()
    if first is not None and services.mark_read_by_token(first.read_token) is not None:
        result.read = 1
    if stdout is not None:
        stdout.write(f"订阅与推送：{result.subscriptions} 项订阅（其中 1 项已退订），{result.pushes} 次推送，"
                     f"{result.messages} 条消息，已投递 {result.delivered} 条，已读 {result.read} 条。\n")
    return result
