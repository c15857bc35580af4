"""订阅与推送开放接口 ``/api/v1/push/`` (issue 6 §4).

Only the signed-in user's own data (browser session with CSRF, or ``Authorization: Bearer gk_…``):
``GET /subscriptions`` 我的订阅, ``POST /subscriptions`` subscribe, ``DELETE
/subscriptions/{sub_id}`` cancel (someone else's subscription is a 404); ``GET /messages`` 我的推送
(delivered site-inbox push messages, newest first, with their read state) and ``POST
/messages/{push_id}/read`` mark the message of that push read. Everything goes through
``push.selectors``, ``push.access`` and ``push.services``; a service's ``ValidationError`` is a
Chinese 422, ``PermissionDenied`` a 403. Phone numbers and WeChat openids are shown masked only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.security import HttpBearer, django_auth

from gongkai.accounts.models import Organisation, User
from gongkai.api.services import api_token_authenticate
from gongkai.policies.models import Tag
from gongkai.push import selectors, services
from gongkai.push.access import access_subscription
from gongkai.push.models import Channel, OutboxMessage, Subscription

router = Router(tags=["订阅与推送"])


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gk_…`` (same check as ``gongkai.api.api.ApiTokenAuth``)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


AUTH = [django_auth, TokenAuth()]
MAX_MESSAGES = 100


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class SubscriptionOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    tag_id: int | None
    region_code: str
    organisation: str | None
    channels: list[str]
    sms_phone_masked: str
    wechat_openid_masked: str
    feed_url: str  # the private RSS feed of this subscription: keep it to yourself
    created_at: datetime


class SubscribeIn(Schema):
    kind: str
    channels: list[str] = ["inbox"]
    tag_id: int | None = None  # 政策主题 or 适用对象 (kind ``tag``)
    region_code: str = ""  # 6-digit 行政区划代码 (kind ``region``)
    organisation: str = ""  # the organisation's slug (kind ``organisation``)
    phone: str = ""  # for ``sms``
    wechat_openid: str = ""  # for ``wechat``


class MessageOut(Schema):
    push_id: int
    subject_type: str
    subject_type_label: str
    title: str
    link: str
    organisation: str
    channel: str
    status: str
    status_label: str
    read: bool
    delivered_at: datetime | None
    read_at: datetime | None


ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _refused(detail: str, field: str = "") -> Status[dict[str, Any]]:
    return Status(422, {"detail": detail, "errors": {field: detail} if field else {}})


def _subscription_out(sub: Subscription) -> dict[str, Any]:
    return {
        "id": sub.pk, "kind": sub.kind, "kind_label": sub.get_kind_display(), "description": sub.describe(),
        "tag_id": sub.tag_id, "region_code": sub.region_code,
        "organisation": sub.organisation.slug if sub.organisation_id and sub.organisation else None,
        "channels": sub.channels(), "sms_phone_masked": sub.sms_phone_masked,
        "wechat_openid_masked": sub.wechat_openid_masked,
        "feed_url": reverse("push:feed", args=[sub.feed_token]), "created_at": sub.created_at,
    }


def _message_out(m: OutboxMessage) -> dict[str, Any]:
    notification_read = m.notification is not None and m.notification.read_at is not None
    read = m.status == OutboxMessage.Status.READ or notification_read
    return {
        "push_id": m.push_id, "subject_type": m.push.subject_type, "subject_type_label": m.push.get_subject_type_display(),
        "title": m.push.title, "link": m.push.link, "organisation": m.push.organisation.name, "channel": m.channel,
        "status": OutboxMessage.Status.READ if read else m.status,
        "status_label": OutboxMessage.Status.READ.label if read else m.get_status_display(),
        "read": read, "delivered_at": m.delivered_at,
        "read_at": m.read_at or (m.notification.read_at if m.notification is not None else None),
    }


@router.get("/subscriptions", auth=AUTH, response=list[SubscriptionOut], url_name="push_subscription_list",
            summary="我的订阅")
def subscription_list(request: HttpRequest) -> Any:
    return [_subscription_out(s) for s in selectors.user_subscriptions(_user(request))]


@router.post("/subscriptions", auth=AUTH, response={201: SubscriptionOut, **ERRORS},
             url_name="push_subscribe", summary="订阅")
def subscribe(request: HttpRequest, payload: SubscribeIn) -> Any:
    """`kind`：tag（政策主题或适用对象，填 `tag_id`）、region（填 `region_code`）、organisation（填机关网址标识
    `organisation`）、qualify（本企业符合条件的政策，需已核验认领企业）；`channels`：inbox、email、sms、wechat。"""
    tag = None
    if payload.tag_id is not None:
        tag = Tag.objects.filter(pk=payload.tag_id, kind__in=[Tag.Kind.THEME, Tag.Kind.AUDIENCE]).first()
        if tag is None:
            return _refused("未找到该政策主题或适用对象。", "tag_id")
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation, is_active=True).first()
        if organisation is None:
            return _refused(f"未知的机关“{payload.organisation[:40]}”。", "organisation")
    try:
        sub = services.subscribe(user=_user(request), kind=payload.kind, channels=payload.channels, tag=tag,
                                 region_code=payload.region_code, organisation=organisation, phone=payload.phone,
                                 wechat_openid=payload.wechat_openid, request=request)
    except ValidationError as exc:
        return _refused("；".join(exc.messages))
    return Status(201, _subscription_out(sub))


@router.delete("/subscriptions/{int:sub_id}", auth=AUTH, response={204: None, **ERRORS},
               url_name="push_subscription_cancel", summary="取消订阅")
def subscription_cancel(request: HttpRequest, sub_id: int) -> Any:
    sub = access_subscription(_user(request), sub_id, request=request)
    services.cancel_subscription(user=_user(request), subscription=sub, request=request)
    return Status(204, None)


@router.get("/messages", auth=AUTH, response=list[MessageOut], url_name="push_message_list", summary="我的推送")
def message_list(request: HttpRequest, limit: int = 20) -> Any:
    """已送达本账号站内消息的推送，新的在前（`limit` 最多 100 条）。"""
    limit = max(1, min(limit, MAX_MESSAGES))
    return [_message_out(m) for m in selectors.user_push_messages(_user(request), limit=limit)
            .select_related("push__organisation")]


@router.post("/messages/{int:push_id}/read", auth=AUTH, response={200: MessageOut, **ERRORS},
             url_name="push_message_read", summary="标记为已读")
def message_read(request: HttpRequest, push_id: int) -> Any:
    message = (OutboxMessage.objects.filter(recipient=_user(request), push_id=push_id,
                                            channel=Channel.INBOX,
                                            status__in=[OutboxMessage.Status.DELIVERED, OutboxMessage.Status.READ])
               .first())
    if message is None:
        raise Http404("未找到该推送消息。")
    services.mark_read_by_token(message.read_token, request=request)
    refreshed = OutboxMessage.objects.select_related("push", "push__organisation", "notification").get(pk=message.pk)
    return _message_out(refreshed)
