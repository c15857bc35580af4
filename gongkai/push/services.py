"""The only code that changes subscriptions, pushes and outbox messages.

Transactional outbox (reliability.md §4, §5 item 25):

1. ``create_push_for_document`` / ``create_push_for_item`` run INSIDE the publishing service's
   transaction: the ``Push`` row and one ``OutboxMessage`` per (recipient, subject, channel) commit
   or roll back together with the publication. A rolled-back publication leaves no message. After
   commit the worker task is nudged; the scheduler enqueues it every minute as a safety net.
2. ``deliver_due`` (the worker: django-tasks ``tasks.deliver_push_outbox`` and ``gongkai push
   deliver``) claims a batch — ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, the IMMEDIATE
   write transaction serialises claims on SQLite — marks it 发送中 with a lease
   (``claimed_until``) and one more attempt, commits, then sends each message and marks it.
3. A worker killed between sending and marking leaves the row 发送中; when the lease has run out
   any worker claims it again and re-sends with the SAME idempotency key (``gongkai-push-<id>``),
   which the gateway delivers at most once (see ``gateways``). Site-inbox messages are written in
   the same transaction that marks them delivered (and deduplicated by key), so they are exactly
   once by construction. E-mail over SMTP has no idempotency: a resend after a crash can duplicate
   it; the stable ``Message-ID`` (``<gongkai-push-<id>@…>``) lets mail clients drop the copy.
4. Failures are retried with exponential backoff (``gongkai.domain.push.backoff_seconds``) until
   ``MAX_ATTEMPTS``, then 失败; permanent gateway refusals fail at once.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from gongkai.core.audit import record
from gongkai.domain import push as rules
from gongkai.domain.identifiers import IdentifierError, mask_phone, validate_division_code
from gongkai.push import gateways
from gongkai.push.models import Channel, OutboxMessage, Push, Subscription

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 50
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
OPENID_RE = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
RECEIPT_MAX_SKEW = 300  # seconds between the gateway's timestamp and our clock
EMAIL_FOOTER = "本邮件由政务公开平台根据您的订阅自动发送，请勿直接回复。"
_FINAL = (OutboxMessage.Status.DELIVERED, OutboxMessage.Status.READ, OutboxMessage.Status.FAILED,
          OutboxMessage.Status.CANCELLED)


def _token() -> str:
    return secrets.token_urlsafe(24)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default) or default)


def site_url(path: str) -> str:
    base = str(getattr(settings, "GONGKAI_SITE_URL", "") or "").rstrip("/")
    return f"{base}{path}"


# --- Subscriptions ----------------------------------------------------------------------------


def _verified_enterprise(user: Any) -> Any:
    from gongkai.enterprise.models import Enterprise

    return Enterprise.objects.filter(claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED).first()


def subscribe(*, user: Any, kind: str, channels: Iterable[str], tag: Any = None, region_code: str = "",
              organisation: Any = None, phone: str = "", wechat_openid: str = "",
              request: HttpRequest | None = None) -> Subscription:
    """订阅: the signed-in user subscribes for themselves (nobody subscribes anybody else)."""
    from gongkai.disclosure.crypto import encrypt

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("请先登录后再订阅。")
    if kind not in Subscription.Kind.values:
        raise ValidationError("请选择订阅方式。")
    chosen = {c for c in channels if c}
    if not chosen:
        raise ValidationError("请至少选择一种接收方式。")
    unknown = chosen - set(Channel.values)
    if unknown:
        raise ValidationError("接收方式无效。")
    sub = Subscription(user=user, kind=kind, via_inbox=Channel.INBOX in chosen, via_email=Channel.EMAIL in chosen,
                       via_sms=Channel.SMS in chosen, via_wechat=Channel.WECHAT in chosen,
                       unsubscribe_token=_token(), feed_token=_token())
    if kind == Subscription.Kind.TAG:
        if tag is None:
            raise ValidationError("请选择要订阅的政策主题或适用对象。")
        sub.tag = tag
    elif kind == Subscription.Kind.REGION:
        code = (region_code or "").strip()
        try:
            validate_division_code(code)
        except IdentifierError as exc:
            raise ValidationError(f"地区代码无效：{exc}") from None
        sub.region_code = code
    elif kind == Subscription.Kind.ORGANISATION:
        if organisation is None or not organisation.is_active:
            raise ValidationError("请选择要订阅的发布机关。")
        sub.organisation = organisation
    elif _verified_enterprise(user) is None:
        raise ValidationError("按“本企业符合条件的政策”订阅，需要先认领并核验本企业的档案。")
    if sub.via_email and not user.email:
        raise ValidationError("您的账号没有登记电子邮箱，不能选择邮件接收。")
    if sub.via_sms:
        number = re.sub(r"[\s-]", "", phone or "")
        if not gateways.channel_enabled(Channel.SMS):
            raise ValidationError("短信推送暂未开通。")
        if not PHONE_RE.match(number):
            raise ValidationError("请填写正确的11位手机号码。")
        sub.sms_phone, sub.sms_phone_masked = encrypt(number), mask_phone(number)
    if sub.via_wechat:
        openid = (wechat_openid or "").strip()
        if not gateways.channel_enabled(Channel.WECHAT):
            raise ValidationError("微信推送暂未开通。")
        if not OPENID_RE.match(openid):
            raise ValidationError("微信 openid 格式不正确。")
        sub.wechat_openid, sub.wechat_openid_masked = encrypt(openid), openid[:3] + "***" + openid[-3:]
    with transaction.atomic():
        mine = Subscription.objects.select_for_update().filter(user=user, active=True)
        if mine.count() >= MAX_SUBSCRIPTIONS:
            raise ValidationError(f"每个账号最多保留{MAX_SUBSCRIPTIONS}项订阅，请先退订不需要的订阅。")
        same = mine.filter(kind=kind, tag=sub.tag, organisation=sub.organisation, region_code=sub.region_code)
        if same.exists():
            raise ValidationError("您已订阅过相同的内容。")
        sub.save()
        record("push.subscribe", request=request, actor=user, obj=sub,
               after={"kind": kind, "target": sub.describe(), "channels": sub.channels()})
    return sub


def _end(sub: Subscription, *, request: HttpRequest | None, actor: Any, how: str) -> bool:
    locked = Subscription.objects.select_for_update().get(pk=sub.pk)
    if not locked.active:
        return False
    locked.active = False
    locked.unsubscribed_at = timezone.now()
    locked.save(update_fields=["active", "unsubscribed_at"])
    # Messages not yet sent are not sent any more (the recipient asked to stop).
    cancelled = OutboxMessage.objects.filter(subscription=locked, status=OutboxMessage.Status.QUEUED).update(
        status=OutboxMessage.Status.CANCELLED, last_error="已退订")
    record("push.unsubscribe", request=request, actor=actor, obj=locked, before={"active": True},
           after={"active": False, "cancelled_messages": cancelled}, detail=how)
    return True


def unsubscribe_by_token(token: str, *, request: HttpRequest | None = None) -> Subscription | None:
    """一键退订 from the link in a message: no login, the token is the authority. Repeating it is
    harmless. Returns the subscription, or None for an unknown token."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    with transaction.atomic():
        sub = Subscription.objects.filter(unsubscribe_token=token).first()
        if sub is None:
            return None
        _end(sub, request=request, actor=None, how="退订链接")
    return Subscription.objects.get(pk=sub.pk)


def cancel_subscription(*, user: Any, subscription: Subscription, request: HttpRequest | None = None) -> bool:
    """取消订阅 on 我的订阅 (``subscription`` comes from ``access.access_subscription``)."""
    if subscription.user_id != getattr(user, "pk", None):
        raise PermissionDenied("只能取消自己的订阅。")
    with transaction.atomic():
        return _end(subscription, request=request, actor=user, how="我的订阅")


# --- Creating pushes (inside the publishing transaction) ----------------------------------------


def _qualifying_user_ids(item: Any) -> set[int]:
    """Users with a 符合条件 subscription whose verified enterprise qualifies (every hard condition
    met) for ``item``. Only the subscribers' enterprises are looked at, never the whole enterprise
    table: a bit test in the item's match snapshot (``gongkai.enterprise.matching``, computed when
    the item is published) when there is one, else the eligibility oracle
    (``gongkai.domain.eligibility.evaluate``) on each subscriber's profile."""
    from gongkai.domain.eligibility import Profile, Qualification, Result, evaluate
    from gongkai.enterprise.models import Enterprise

    subscriber_ids = Subscription.objects.filter(kind=Subscription.Kind.QUALIFY, active=True,
                                                 user__is_active=True).values("user_id")
    enterprises = list(Enterprise.objects.filter(claimed_by_id__in=subscriber_ids,
                                                 claim_status=Enterprise.ClaimStatus.VERIFIED)
                       .prefetch_related("tags", "qualifications"))
    if not enterprises:
        return set()
    bits = _snapshot_bits(item)
    if bits is not None:
        return {e.claimed_by_id for e in enterprises if e.claimed_by_id and bits >> e.pk & 1}
    conditions = [c.as_condition() for c in item.conditions.all()]
    today = timezone.localdate()
    found: set[int] = set()
    for ent in enterprises:
        profile = Profile(
            region_code=ent.region_code or None, industry_code=ent.industry_id or None,
            size_class=ent.size_class or None, is_individual=ent.is_individual,
            employees=float(ent.employees) if ent.employees is not None else None,
            revenue=float(ent.revenue) if ent.revenue is not None else None,
            assets=float(ent.assets) if ent.assets is not None else None,
            registered_on=ent.registered_on, tags=frozenset(t.name for t in ent.tags.all()),
            qualifications=tuple(Qualification(q.kind, q.valid_from, q.valid_to) for q in ent.qualifications.all()),
        )
        if evaluate(conditions, profile, today).result is Result.QUALIFIES and ent.claimed_by_id:
            found.add(ent.claimed_by_id)
    return found


def _snapshot_bits(item: Any) -> int | None:
    """The 符合 bitset of the item's match snapshot, or None when there is none."""
    try:
        from gongkai.enterprise.matching import unpack_bits
        from gongkai.enterprise.models import MatchSnapshot
    except ImportError:  # the matching engine is optional for push
        return None
    snapshot = MatchSnapshot.objects.filter(item_id=item.pk).only("qualify_bits").first()
    return unpack_bits(snapshot.qualify_bits) if snapshot is not None else None


def matching_subscriptions(*, tag_ids: Iterable[int], organisation: Any,
                           qualifying_user_ids: Iterable[int] = ()) -> list[Subscription]:
    """Active subscriptions of active users reached by a publication (set-based, index-backed)."""
    condition = Q(kind=Subscription.Kind.TAG, tag_id__in=list(tag_ids))
    condition |= Q(kind=Subscription.Kind.ORGANISATION, organisation_id=organisation.pk)
    try:
        keys = rules.region_query_keys(organisation.division_code)
    except rules.PushRuleError:
        keys = None
    if keys is not None:
        condition |= Q(kind=Subscription.Kind.REGION) & (
            Q(region_code__startswith=keys.prefix) | Q(region_code__in=list(keys.ancestors)))
    users = list(qualifying_user_ids)
    if users:
        condition |= Q(kind=Subscription.Kind.QUALIFY, user_id__in=users)
    return list(Subscription.objects.filter(condition, active=True, user__is_active=True)
                .select_related("user").order_by("created_at", "id"))


def _create_push(*, subject_type: str, subject_id: int, document: Any, item: Any, organisation: Any, title: str,
                 link: str, deliver_after: datetime, subscriptions: list[Subscription], actor: Any,
                 request: HttpRequest | None) -> Push | None:
    subject_key = f"{subject_type}:{subject_id}"
    wanted: dict[tuple[int, str], Subscription] = {}
    for sub in subscriptions:
        for channel in sub.channels():
            if channel == Channel.EMAIL and not sub.user.email:
                continue
            if not gateways.channel_enabled(channel):
                continue
            wanted.setdefault((sub.user_id, channel), sub)
    # Recipients who already have this subject on this channel (an earlier publication of the same
    # document) get nothing new: the unique constraint is the final word, this keeps the insert clean.
    had = set(OutboxMessage.objects.filter(subject_key=subject_key, recipient_id__in={u for u, _ in wanted})
              .values_list("recipient_id", "channel"))
    todo = [(key, sub) for key, sub in wanted.items() if key not in had]
    if not todo:  # nobody (new) subscribed: no push row, no audit row, nothing for the worker
        return None
    with transaction.atomic():
        push = Push.objects.create(subject_type=subject_type, subject_key=subject_key, document=document, item=item,
                                   organisation=organisation, title=title[:300], link=link,
                                   deliver_after=deliver_after)
        rows = [OutboxMessage(push=push, recipient_id=user_id, subscription=sub, subject_key=subject_key,
                              channel=channel, next_attempt_at=deliver_after, read_token=_token())
                for (user_id, channel), sub in todo]
        OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        push.message_count = OutboxMessage.objects.filter(push=push).count()
        push.save(update_fields=["message_count"])
        record("push.create", request=request, actor=actor, organisation=organisation, obj=push,
               after={"subject": subject_key, "messages": push.message_count,
                      "subscriptions": len(subscriptions)})
        if push.message_count:
            transaction.on_commit(_nudge_worker, robust=True)
    return push


def _nudge_worker() -> None:
    from gongkai.push.tasks import deliver_push_outbox

    deliver_push_outbox.enqueue()


def create_push_for_document(document: Any, *, actor: Any = None, request: HttpRequest | None = None) -> Push | None:
    """Call inside the transaction that publishes ``document`` (``document_publish``). Scheduled
    publications (定时发布) are delivered from their 发布日期 on. None when nobody subscribed."""
    tag_ids = list(document.tags.values_list("pk", flat=True))
    organisation = document.organisation
    now = timezone.now()
    deliver_after = max(now, document.published_at) if document.published_at else now
    return _create_push(subject_type=Push.Subject.DOCUMENT, subject_id=document.pk, document=document, item=None,
                        organisation=organisation, title=document.title,
                        link=reverse("policies:document", args=[document.pk]), deliver_after=deliver_after,
                        subscriptions=matching_subscriptions(tag_ids=tag_ids, organisation=organisation),
                        actor=actor, request=request)


def create_push_for_item(item: Any, *, actor: Any = None, request: HttpRequest | None = None) -> Push | None:
    """Call inside the transaction that publishes the policy item (政策事项发布). Reaches the tag,
    organisation (承办部门) and region subscribers and the users whose enterprise qualifies."""
    tag_ids = list(item.document.tags.values_list("pk", flat=True))
    organisation = item.department
    return _create_push(subject_type=Push.Subject.ITEM, subject_id=item.pk, document=None, item=item,
                        organisation=organisation, title=f"{item.title}（{item.document.title}）",
                        # The item's own page: its conditions, amount and materials, and its document.
                        link=reverse("enterprise_public:item", args=[item.pk]), deliver_after=timezone.now(),
                        subscriptions=matching_subscriptions(tag_ids=tag_ids, organisation=organisation,
                                                             qualifying_user_ids=_qualifying_user_ids(item)),
                        actor=actor, request=request)


# --- Delivery (the worker) -------------------------------------------------------------------


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    postponed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def claim_batch(*, batch_size: int | None = None, now: datetime | None = None) -> list[int]:
    """Claim due messages: queued ones whose time has come and 发送中 ones whose lease ran out
    (their worker died). Each claim counts as an attempt."""
    now = now or timezone.now()
    size = batch_size or _setting("GONGKAI_PUSH_BATCH_SIZE", 100)
    lease = timedelta(seconds=_setting("GONGKAI_PUSH_LEASE_SECONDS", 300))
    due = Q(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.Status.SENDING, claimed_until__lt=now)
    with transaction.atomic():
        ids = list(OutboxMessage.objects.select_for_update(skip_locked=True).filter(due)
                   .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:size])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(status=OutboxMessage.Status.SENDING,
                                                            claimed_until=now + lease, attempts=F("attempts") + 1)
    return ids


def _subject_state(push: Push, now: datetime) -> str:
    """"live", "later" (scheduled publication not yet visible) or "gone" (withdrawn)."""
    from gongkai.policies.selectors import is_public

    if push.document_id is not None:
        document = push.document
        if document is None:
            return "gone"
        if is_public(document, now):
            return "live"
        if document.status == "published" and document.published_at and document.published_at > now:
            return "later"
        return "gone"
    item = push.item
    if item is None or item.status != "published":
        return "gone"
    return "live"


def _message_text(message: OutboxMessage) -> tuple[str, str, str]:
    """(title, text, link) — titles only, never personal data."""
    push = message.push
    link = site_url(reverse("push:read", args=[message.read_token]))
    org = push.organisation.short_name or push.organisation.name
    kind = "政策事项" if push.subject_type == Push.Subject.ITEM else "政策文件"
    return f"【政策推送】{push.title}"[:200], f"{org}发布了您订阅的{kind}：{push.title}", link


def _unsubscribe_link(message: OutboxMessage) -> str:
    sub = message.subscription
    return site_url(reverse("push:unsubscribe", args=[sub.unsubscribe_token])) if sub else ""


def _deliver_inbox(message: OutboxMessage, now: datetime) -> None:
    from gongkai.notifications.services import notify

    title, text, _ = _message_text(message)
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if locked.status != OutboxMessage.Status.SENDING:
            return
        rows = notify([message.recipient], kind="policy_push", title=title,
                      body=f"{text}\n退订：{reverse('push:unsubscribe', args=[message.subscription.unsubscribe_token])}"
                      if message.subscription else text,
                      link=reverse("push:read", args=[locked.read_token]), dedupe_key=f"push:{locked.pk}",
                      organisation=message.push.organisation, email=False)
        if rows:
            locked.notification = rows[0]
        elif locked.notification_id is None:
            from gongkai.notifications.models import Notification

            locked.notification = Notification.objects.filter(recipient_id=locked.recipient_id,
                                                              dedupe_key=f"push:{locked.pk}").first()
        locked.status = OutboxMessage.Status.DELIVERED
        locked.sent_at = locked.sent_at or now
        locked.delivered_at = locked.delivered_at or now
        locked.claimed_until = None
        locked.last_error = ""
        locked.save(update_fields=["notification", "status", "sent_at", "delivered_at", "claimed_until",
                                   "last_error"])


def _send_email(message: OutboxMessage) -> str:
    title, text, link = _message_text(message)
    unsubscribe = _unsubscribe_link(message)
    body = "\n\n".join([text, f"查看全文：{link}", f"不想再收到此类邮件？一键退订：{unsubscribe}", EMAIL_FOOTER])
    domain = re.sub(r"^https?://", "", str(getattr(settings, "GONGKAI_SITE_URL", "") or "gongkai.local")).strip("/")
    headers = {"Message-ID": f"<{message.idempotency_key}@{domain or 'gongkai.local'}>"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail = EmailMessage(subject=title, body=body, to=[message.recipient.email], headers=headers)
    try:
        get_connection(fail_silently=False).send_messages([mail])
    except Exception as exc:  # noqa: BLE001 — any SMTP failure is retried
        raise gateways.GatewayError(f"邮件发送失败：{type(exc).__name__}") from None
    return ""


def _send_gateway(message: OutboxMessage) -> str:
    from gongkai.disclosure.crypto import DecryptionError, decrypt

    sub = message.subscription
    if sub is None:
        raise gateways.GatewayError("订阅已删除。", permanent=True)
    secret = sub.sms_phone if message.channel == Channel.SMS else sub.wechat_openid
    try:
        to = decrypt(secret)
    except DecryptionError:
        raise gateways.GatewayError("接收号码无法解密。", permanent=True) from None
    if not to:
        raise gateways.GatewayError("未登记接收号码。", permanent=True)
    title, text, link = _message_text(message)
    return gateways.send(gateways.gateway_config(message.channel), idempotency_key=message.idempotency_key,
                         payload={"to": to, "title": title, "text": text, "link": link,
                                  "unsubscribe": _unsubscribe_link(message)})


def _mark(message_id: int, **changes: Any) -> int:
    """Change a claimed message; a message a receipt already moved on is not moved back."""
    with transaction.atomic():
        return OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.SENDING).update(**changes)


def _deliver_one(message: OutboxMessage, now: datetime, result: DeliveryResult) -> None:
    state = _subject_state(message.push, now)
    sub = message.subscription
    if state == "later":
        _mark(message.pk, status=OutboxMessage.Status.QUEUED, attempts=F("attempts") - 1, claimed_until=None,
              next_attempt_at=message.push.document.published_at)  # type: ignore[union-attr]
        result.postponed += 1
        return
    if state == "gone" or sub is None or not sub.active or not message.recipient.is_active:
        reason = "内容已撤回" if state == "gone" else "已退订或账号已停用"
        _mark(message.pk, status=OutboxMessage.Status.CANCELLED, claimed_until=None, last_error=reason)
        result.cancelled += 1
        return
    if message.channel == Channel.INBOX:
        _deliver_inbox(message, now)
        result.delivered += 1
        return
    try:
        provider_id = _send_email(message) if message.channel == Channel.EMAIL else _send_gateway(message)
    except gateways.GatewayError as exc:
        error = str(exc)[:500]
        result.errors.append(f"#{message.pk}: {error}")
        if exc.permanent or rules.gives_up(message.attempts, _setting("GONGKAI_PUSH_MAX_ATTEMPTS",
                                                                      rules.MAX_ATTEMPTS)):
            _mark(message.pk, status=OutboxMessage.Status.FAILED, claimed_until=None, last_error=error)
            result.failed += 1
        else:
            retry_at = timezone.now() + timedelta(seconds=rules.backoff_seconds(message.attempts))
            _mark(message.pk, status=OutboxMessage.Status.QUEUED, claimed_until=None, last_error=error,
                  next_attempt_at=retry_at)
            result.retried += 1
        return
    _mark(message.pk, status=OutboxMessage.Status.SENT, claimed_until=None, sent_at=timezone.now(),
          provider_message_id=provider_id, last_error="")
    result.sent += 1


def deliver_due(*, batch_size: int | None = None, now: datetime | None = None, max_batches: int = 1) -> DeliveryResult:
    """Claim and deliver up to ``max_batches`` batches; one audit row per batch."""
    result = DeliveryResult()
    for _ in range(max_batches):
        moment = now or timezone.now()
        ids = claim_batch(batch_size=batch_size, now=moment)
        if not ids:
            break
        batch = DeliveryResult(claimed=len(ids))
        messages = (OutboxMessage.objects.filter(pk__in=ids).select_related(
            "push", "push__organisation", "push__document", "push__document__organisation", "push__item",
            "recipient", "subscription").order_by("id"))
        for message in messages:
            _deliver_one(message, moment, batch)
        with transaction.atomic():
            record("push.deliver", object_type="push.OutboxMessage", object_id=f"{ids[0]}-{ids[-1]}",
                   after=batch.as_dict(), detail="; ".join(batch.errors)[:500])
        for name, value in batch.as_dict().items():
            setattr(result, name, getattr(result, name) + value)
        result.errors.extend(batch.errors)
    return result


# --- Receipts and reads ----------------------------------------------------------------------


def apply_receipt(channel: str, *, body: bytes, timestamp: str, signature: str,
                  request: HttpRequest | None = None) -> OutboxMessage:
    """送达回执 from a gateway: signed with the channel's key; moves 发送中/已发送 → 已送达 (or
    失败). Unknown messages and bad signatures are refused (PermissionDenied / ValidationError)."""
    if channel not in gateways.GATEWAY_CHANNELS:
        raise ValidationError("未知的推送渠道。")
    config = gateways.gateway_config(channel)
    if not config.enabled:
        raise PermissionDenied("该渠道未开通。")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > RECEIPT_MAX_SKEW:
        raise PermissionDenied("回执时间戳无效或已过期。")
    if not rules.verify(config.key, timestamp, body, signature):
        raise PermissionDenied("回执签名无效。")
    try:
        data = json.loads(body)
        message_id = str(data["message_id"])
        status = str(data["status"])
    except (ValueError, KeyError, TypeError):
        raise ValidationError("回执格式无效。") from None
    match = re.fullmatch(r"gongkai-push-(\d+)", message_id)
    if not match or status not in ("delivered", "failed"):
        raise ValidationError("回执内容无效。")
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=int(match.group(1)), channel=channel).first()
        if message is None:
            raise ValidationError("未找到该消息。")
        before = message.status
        now = timezone.now()
        if status == "delivered" and message.status in (OutboxMessage.Status.SENDING, OutboxMessage.Status.SENT):
            message.status = OutboxMessage.Status.DELIVERED
            message.delivered_at = now
            message.sent_at = message.sent_at or now
        elif status == "failed" and message.status in (OutboxMessage.Status.SENDING, OutboxMessage.Status.SENT):
            message.status = OutboxMessage.Status.FAILED
            message.last_error = str(data.get("error", "网关回执：发送失败"))[:500]
        if message.status != before:
            message.claimed_until = None
            provider_id = str(data.get("provider_message_id", "") or "")[:100]
            message.provider_message_id = message.provider_message_id or provider_id
            message.save(update_fields=["status", "delivered_at", "sent_at", "last_error", "claimed_until",
                                        "provider_message_id"])
            record("push.receipt", request=request, obj=message, before={"status": before},
                   after={"status": message.status})
    return message


def mark_read_by_token(token: str, *, request: HttpRequest | None = None) -> OutboxMessage | None:
    """阅读跟踪: the recipient opened the message's link (e-mail, SMS, WeChat, inbox). The first
    open sets 已读 (and marks the site-inbox copy read); later opens change nothing."""
    from gongkai.notifications.models import Notification

    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().select_related("push").filter(read_token=token).first()
        if message is None:
            return None
        if message.read_at is None and message.status not in (OutboxMessage.Status.CANCELLED,):
            now = timezone.now()
            before = message.status
            message.read_at = now
            message.delivered_at = message.delivered_at or now
            message.sent_at = message.sent_at or now
            message.status = OutboxMessage.Status.READ
            message.claimed_until = None
            message.save(update_fields=["read_at", "delivered_at", "sent_at", "status", "claimed_until"])
            if message.notification_id:
                Notification.objects.filter(pk=message.notification_id, read_at__isnull=True).update(read_at=now)
            record("push.read", request=request, obj=message, before={"status": before}, after={"status": "read"})
    return message


__all__ = [
    "DeliveryResult", "apply_receipt", "cancel_subscription", "claim_batch", "create_push_for_document",
    "create_push_for_item", "deliver_due", "mark_read_by_token", "matching_subscriptions", "subscribe",
    "unsubscribe_by_token",
]
