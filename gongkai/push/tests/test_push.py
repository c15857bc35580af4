"""订阅与精准推送 (issue 6 §4): the transactional outbox, delivery with retries and exactly-once
per (recipient, item, channel), unsubscribe, read tracking, receipts and 到达率 counts.

Reliability acceptance item 25 (reliability.md §5): "Kill the worker between sending and marking
sent: the message is still delivered at least once and deduplicated by its id. A rolled-back
transaction produces no notification."
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts.tests.factories import OrganisationFactory
from gongkai.core.models import AuditEvent
from gongkai.domain.identifiers import make_credit_code
from gongkai.domain.push import sign
from gongkai.notifications.models import Notification
from gongkai.policies.models import Tag
from gongkai.policies.services import workflow as wf
from gongkai.policies.tests.fixtures import make_document
from gongkai.portal.tests.helpers import login_verified
from gongkai.push import gateways, services
from gongkai.push.models import OutboxMessage, Push, Subscription
from gongkai.push.selectors import push_counts
from gongkai.push.tests.helpers import GATEWAY_KEY, make_public_user, publish

pytestmark = pytest.mark.django_db

S = OutboxMessage.Status


def theme() -> Tag:
    return Tag.objects.filter(kind=Tag.Kind.THEME).order_by("id").first()  # type: ignore[return-value]


def tagged_draft(org: Any, title: str = "关于支持小微企业发展的若干措施", tag: Tag | None = None) -> Any:
    doc = make_document(org, title=title, published=False)
    doc.tags.add(tag or theme())
    return doc


def later(seconds: int) -> Any:
    return timezone.now() + timedelta(seconds=seconds)


def sms_subscriber(name: str, phone: str = "13812345678", **kwargs: Any) -> Subscription:
    user = make_public_user(name, email=f"{name}@example.com")
    return services.subscribe(user=user, kind="tag", tag=theme(), channels=kwargs.pop("channels", ["sms"]),
                              phone=phone, **kwargs)


# --- Subscriptions ---------------------------------------------------------------------------


def test_subscribe_validates_in_chinese_and_encrypts_the_phone(world: Any, gateway: Any) -> None:
    user = make_public_user("zhang", email="")
    with pytest.raises(ValidationError, match="至少选择一种接收方式"):
        services.subscribe(user=user, kind="tag", tag=theme(), channels=[])
    with pytest.raises(ValidationError, match="没有登记电子邮箱"):
        services.subscribe(user=user, kind="tag", tag=theme(), channels=["email"])
    with pytest.raises(ValidationError, match="11位手机号码"):
        services.subscribe(user=user, kind="tag", tag=theme(), channels=["sms"], phone="12345")
    with pytest.raises(ValidationError, match="地区代码无效"):
        services.subscribe(user=user, kind="region", region_code="999999", channels=["inbox"])
    with pytest.raises(ValidationError, match="认领并核验"):
        services.subscribe(user=user, kind="qualify", channels=["inbox"])
    sub = services.subscribe(user=user, kind="tag", tag=theme(), channels=["inbox", "sms"], phone="138 1234 5678")
    assert sub.sms_phone.startswith("sm4gcm1:") and "13812345678" not in sub.sms_phone
    assert sub.sms_phone_masked == "138****5678"
    assert AuditEvent.objects.filter(action="push.subscribe", object_id=str(sub.pk)).count() == 1
    assert "13812345678" not in json.dumps(AuditEvent.objects.get(action="push.subscribe").after)
    with pytest.raises(ValidationError, match="相同的内容"):
        services.subscribe(user=user, kind="tag", tag=theme(), channels=["inbox"])


def test_sms_cannot_be_chosen_while_the_gateway_is_not_configured(world: Any, settings: Any) -> None:
    settings.GONGKAI_PUSH_SMS_URL = ""
    user = make_public_user("li")
    with pytest.raises(ValidationError, match="短信推送暂未开通"):
        services.subscribe(user=user, kind="tag", tag=theme(), channels=["sms"], phone="13812345678")


# --- The transactional outbox ------------------------------------------------------------------


def test_publishing_writes_the_push_and_outbox_rows_in_the_same_transaction(world: Any, gateway: Any) -> None:
    sub = sms_subscriber("wang", channels=["inbox", "email", "sms"])
    doc = tagged_draft(world.org)
    publish(doc, world.office)
    push = Push.objects.get(subject_key=f"document:{doc.pk}")
    assert push.organisation == world.org and push.message_count == 3
    messages = OutboxMessage.objects.filter(push=push)
    assert sorted(m.channel for m in messages) == ["email", "inbox", "sms"]
    assert {m.status for m in messages} == {S.QUEUED} and {m.recipient_id for m in messages} == {sub.user_id}
    assert AuditEvent.objects.filter(action="push.create", object_id=str(push.pk)).count() == 1


def test_a_rolled_back_publication_leaves_no_push(world: Any, gateway: Any) -> None:
    sms_subscriber("zhao", channels=["inbox", "sms"])
    doc = tagged_draft(world.org)
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(doc, world.office)
        assert OutboxMessage.objects.count() == 2  # written inside the publication's transaction …
        raise RuntimeError("数据库在提交前出错")
    assert Push.objects.count() == 0 and OutboxMessage.objects.count() == 0  # … and gone with it
    assert services.deliver_due().claimed == 0 and gateway.requests == []


def test_who_a_publication_reaches(world: Any, gateway: Any) -> None:
    district = OrganisationFactory(name="测试区政府", slug="test-district", division_code="440305",
                                   credit_code=make_credit_code("11", "440305", "90000001"))
    other_tag = Tag.objects.filter(kind=Tag.Kind.THEME).order_by("id")[1]
    by_tag = services.subscribe(user=make_public_user("t1"), kind="tag", tag=theme(), channels=["inbox"])
    by_org = services.subscribe(user=make_public_user("t2"), kind="organisation", organisation=world.org,
                                channels=["inbox"])
    province_wide = services.subscribe(user=make_public_user("t3"), kind="region", region_code="440000",
                                       channels=["inbox"])
    neighbour = services.subscribe(user=make_public_user("t4"), kind="region", region_code="440306",
                                   channels=["inbox"])
    services.subscribe(user=make_public_user("t5"), kind="tag", tag=other_tag, channels=["inbox"])
    both = make_public_user("t6")  # two subscriptions that both match: still one message per channel
    services.subscribe(user=both, kind="tag", tag=theme(), channels=["inbox"])
    services.subscribe(user=both, kind="organisation", organisation=district, channels=["inbox"])
    doc = make_document(district, title="区级惠企措施", published=False)
    doc.tags.add(theme())
    office = world.office
    from gongkai.accounts.services import membership_grant

    membership_grant(actor=None, user=office, organisation=district, role="office_head")
    publish(doc, office)
    reached = set(OutboxMessage.objects.values_list("recipient_id", flat=True))
    assert reached == {by_tag.user_id, province_wide.user_id, both.pk}
    assert by_org.user_id not in reached and neighbour.user_id not in reached
    assert OutboxMessage.objects.filter(recipient=both).count() == 1


def test_republishing_the_same_document_sends_nothing_twice(world: Any, gateway: Any) -> None:
    sms_subscriber("qian", channels=["inbox"])
    doc = tagged_draft(world.org)
    publish(doc, world.office)
    wf.document_withdraw(actor=world.office, document=doc, reason="内容需要修订后重新发布")
    wf.document_reopen(actor=world.office, document=doc)
    publish(doc, world.office)
    assert OutboxMessage.objects.count() == 1  # unique (recipient, subject, channel)


# --- Delivery --------------------------------------------------------------------------------


def test_worker_delivers_every_channel_with_unsubscribe_links(world: Any, gateway: Any) -> None:
    sub = sms_subscriber("sun", channels=["inbox", "email", "sms", "wechat"], wechat_openid="oWx_abcdef123456")
    doc = tagged_draft(world.org)
    publish(doc, world.office)
    result = services.deliver_due()
    assert (result.claimed, result.delivered, result.sent) == (4, 1, 3)
    by_channel = {m.channel: m for m in OutboxMessage.objects.all()}
    assert by_channel["inbox"].status == S.DELIVERED and by_channel["inbox"].notification is not None
    note = Notification.objects.get(recipient=sub.user)
    assert note.link == reverse("push:read", args=[by_channel["inbox"].read_token])
    assert reverse("push:unsubscribe", args=[sub.unsubscribe_token]) in note.body
    # E-mail: one message, the unsubscribe link in the body and in List-Unsubscribe (RFC 8058).
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    unsubscribe_url = "https://zwgk.example.gov.cn" + reverse("push:unsubscribe", args=[sub.unsubscribe_token])
    assert unsubscribe_url in email.body and email.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert email.extra_headers["Message-ID"] == f"<gongkai-push-{by_channel['email'].pk}@zwgk.example.gov.cn>"
    # SMS and WeChat: signed POSTs to the local gateway, one per message, with the unsubscribe link.
    assert gateway.bad_signatures == 0 and len(gateway.requests) == 2
    sms = next(r["body"] for r in gateway.requests if r["body"]["channel"] == "sms")
    assert sms["to"] == "13812345678" and sms["unsubscribe"] == unsubscribe_url
    assert sms["message_id"] == f"gongkai-push-{by_channel['sms'].pk}"
    wechat = next(r["body"] for r in gateway.requests if r["body"]["channel"] == "wechat")
    assert wechat["to"] == "oWx_abcdef123456" and wechat["template_id"] == "tpl-policy"
    assert by_channel["sms"].status == S.SENT and by_channel["sms"].provider_message_id.startswith("prov-")
    # A second run finds nothing to do.
    assert services.deliver_due().claimed == 0 and len(gateway.requests) == 2 and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="push.deliver").count() == 1


def test_worker_killed_between_send_and_mark_delivers_exactly_once(world: Any, gateway: Any, settings: Any) -> None:
    """The worker dies right after the gateway accepted the first SMS (test hook in the gateway
    adapter: an exception nothing catches, like kill -9). After the lease runs out the restarted
    worker re-sends with the same idempotency key; the gateway counts one delivery per message."""
    subs = [sms_subscriber(f"crash{i}", phone=f"1381234567{i}") for i in range(3)]
    publish(tagged_draft(world.org), world.office)
    settings.GONGKAI_PUSH_TEST_HOOKS = {"crash_after_send": True}
    with pytest.raises(gateways.SimulatedCrash):
        services.deliver_due()
    assert len(gateway.delivered) == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {S.SENDING}
    settings.GONGKAI_PUSH_TEST_HOOKS = {}
    assert services.deliver_due().claimed == 0  # the dead worker's lease has not run out yet
    result = services.deliver_due(now=later(settings.GONGKAI_PUSH_LEASE_SECONDS + 1))
    assert result.claimed == 3 and result.sent == 3
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {S.SENT}
    # Exactly one delivery per (recipient, item, channel), as counted by the gateway …
    per_recipient = gateway.deliveries_per_recipient()
    assert sorted(to for to, _ in per_recipient) == [f"1381234567{i}" for i in range(3)]
    assert set(per_recipient.values()) == {1} and len(subs) == len(per_recipient)
    # … although the crashed message was posted twice, with the same idempotency key.
    posts = gateway.posts_per_key()
    assert sorted(posts.values()) == [1, 1, 2] and set(posts) == {m.idempotency_key for m in OutboxMessage.objects.all()}


def test_failures_are_retried_with_exponential_backoff_then_failed(world: Any, gateway: Any,
                                                                   settings: Any) -> None:
    settings.GONGKAI_PUSH_MAX_ATTEMPTS = 3
    sms_subscriber("zhou")
    publish(tagged_draft(world.org), world.office)
    gateway.fail_next = [503, 503, 503]
    start = timezone.now()
    assert services.deliver_due(now=start).retried == 1
    message = OutboxMessage.objects.get()
    assert message.status == S.QUEUED and message.attempts == 1 and "503" in message.last_error
    assert timedelta(seconds=55) < message.next_attempt_at - start < timedelta(seconds=65)
    assert services.deliver_due(now=start + timedelta(seconds=30)).claimed == 0  # not due yet
    assert services.deliver_due(now=start + timedelta(seconds=61)).retried == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert timedelta(seconds=115) < message.next_attempt_at - timezone.now() < timedelta(seconds=125)
    assert services.deliver_due(now=start + timedelta(seconds=200)).failed == 1
    message.refresh_from_db()
    assert message.status == S.FAILED and message.attempts == 3 and gateway.delivered == {}
    assert services.deliver_due(now=start + timedelta(days=1)).claimed == 0  # failed for good


def test_a_permanent_gateway_refusal_fails_at_once(world: Any, gateway: Any) -> None:
    sms_subscriber("wu")
    publish(tagged_draft(world.org), world.office)
    gateway.fail_next = [400]
    assert services.deliver_due().failed == 1
    assert OutboxMessage.objects.get().status == S.FAILED


def test_withdrawn_documents_are_not_pushed_and_scheduled_ones_wait(world: Any, gateway: Any) -> None:
    sms_subscriber("zheng", channels=["inbox"])
    doc = tagged_draft(world.org, title="将被撤回的文件")
    publish(doc, world.office)
    wf.document_withdraw(actor=world.office, document=doc, reason="发现错误需要撤回")
    assert services.deliver_due().cancelled == 1
    assert OutboxMessage.objects.get().status == S.CANCELLED and not Notification.objects.exists()
    scheduled = tagged_draft(world.org, title="定时发布的文件")
    when = later(3600)
    publish(scheduled, world.office, published_at=when)
    message = OutboxMessage.objects.get(subject_key=f"document:{scheduled.pk}")
    assert message.next_attempt_at == when
    assert services.deliver_due().claimed == 0
    assert services.deliver_due(now=when + timedelta(seconds=1)).delivered == 1


# --- Unsubscribe, read tracking, receipts, counts --------------------------------------------------


def test_one_click_unsubscribe_without_login(world: Any, gateway: Any) -> None:
    sub = sms_subscriber("feng", channels=["inbox", "sms"])
    publish(tagged_draft(world.org), world.office)
    client = Client(enforce_csrf_checks=True)
    url = reverse("push:unsubscribe", args=[sub.unsubscribe_token])
    page = client.get(url)
    assert page.status_code == 200 and "确认退订" in page.content.decode()
    assert Subscription.objects.get(pk=sub.pk).active  # a prefetching mail scanner changes nothing
    response = client.post(url)  # RFC 8058 one-click: no session, no CSRF token
    assert response.status_code == 200 and "您已退订" in response.content.decode()
    sub.refresh_from_db()
    assert not sub.active and sub.unsubscribed_at is not None
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {S.CANCELLED}
    assert AuditEvent.objects.filter(action="push.unsubscribe", object_id=str(sub.pk)).count() == 1
    assert client.post(url).status_code == 200  # repeating is harmless
    assert AuditEvent.objects.filter(action="push.unsubscribe").count() == 1
    publish(tagged_draft(world.org, title="退订后发布"), world.office)
    assert OutboxMessage.objects.exclude(status=S.CANCELLED).count() == 0
    assert client.get(reverse("push:unsubscribe", args=["no-such-token"])).status_code == 404


def _receipt(client: Client, message: OutboxMessage, status: str = "delivered", key: str = GATEWAY_KEY,
             ts: str | None = None) -> Any:
    body = json.dumps({"message_id": message.idempotency_key, "status": status,
                       "provider_message_id": "prov-x"}).encode()
    ts = ts or str(int(time.time()))
    return client.post(reverse("push:receipt", args=[message.channel]), data=body, content_type="application/json",
                       headers={"X-Gongkai-Timestamp": ts, "X-Gongkai-Signature": sign(key.encode(), ts, body)})


def test_receipts_reads_and_arrival_rate(world: Any, gateway: Any) -> None:
    subs = [sms_subscriber(f"r{i}", phone=f"1391234567{i}", channels=["inbox", "sms"]) for i in range(4)]
    doc = tagged_draft(world.org)
    publish(doc, world.office)
    push = Push.objects.get()
    services.deliver_due()
    counts = push_counts([push.pk])[push.pk]
    assert (counts.total, counts.sent, counts.delivered, counts.read) == (8, 8, 4, 0)  # inbox delivered at once
    client = Client(enforce_csrf_checks=True)
    sms = list(OutboxMessage.objects.filter(channel="sms").order_by("id"))
    # Signed receipts for two SMS; a forged one and a stale one change nothing.
    assert _receipt(client, sms[0]).status_code == 200
    assert _receipt(client, sms[1]).status_code == 200
    assert _receipt(client, sms[2], key="wrong-key").status_code == 403
    assert _receipt(client, sms[2], ts=str(int(time.time()) - 3600)).status_code == 403
    assert _receipt(client, sms[3], status="failed").status_code == 200
    statuses = [OutboxMessage.objects.get(pk=m.pk).status for m in sms]
    assert statuses == [S.DELIVERED, S.DELIVERED, S.SENT, S.FAILED]
    # Read tracking: the link in an SMS (anonymous) and the inbox message read in the inbox.
    response = Client().get(reverse("push:read", args=[sms[0].read_token]))
    assert response.status_code == 302 and response["Location"] == reverse("policies:document", args=[doc.pk])
    from gongkai.notifications.services import mark_read

    inbox_msg = OutboxMessage.objects.get(channel="inbox", recipient=subs[1].user)
    mark_read(subs[1].user, [inbox_msg.notification_id])
    inbox_other = OutboxMessage.objects.get(channel="inbox", recipient=subs[2].user)
    Client().get(reverse("push:read", args=[inbox_other.read_token]))
    assert Notification.objects.get(pk=inbox_other.notification_id).read_at is not None
    counts = push_counts([push.pk])[push.pk]
    assert (counts.sent, counts.delivered, counts.read, counts.failed) == (7, 6, 3, 1)
    assert counts.arrival_rate == pytest.approx(6 / 7)
    assert Client().get(reverse("push:read", args=["nope"])).status_code == 404
    assert AuditEvent.objects.filter(action="push.receipt").count() == 3


# --- Pages -----------------------------------------------------------------------------------


def test_my_subscriptions_page_subscribe_and_cancel(world: Any, gateway: Any) -> None:
    user = make_public_user("chen", email="chen@example.com")
    other = services.subscribe(user=make_public_user("other"), kind="tag", tag=theme(), channels=["inbox"])
    client = Client()
    client.force_login(user)
    page = client.get(reverse("push:mine"))
    assert page.status_code == 200 and "还没有订阅" in page.content.decode()
    response = client.post(reverse("push:subscribe"), {"kind": "tag", "tag": theme().pk, "channels": ["inbox", "sms"],
                                                       "phone": "13712345678"})
    assert response.status_code == 302
    sub = Subscription.objects.get(user=user)
    body = client.get(reverse("push:mine")).content.decode()
    assert "137****5678" in body and "13712345678" not in body
    assert reverse("push:feed", args=[sub.feed_token]) in body
    bad = client.post(reverse("push:subscribe"), {"kind": "region", "region_code": "12", "channels": ["inbox"]})
    assert bad.status_code == 400 and "地区代码无效" in bad.content.decode()
    assert client.post(reverse("push:cancel", args=[other.pk])).status_code == 404  # not yours
    assert Subscription.objects.get(pk=other.pk).active
    assert AuditEvent.objects.filter(action="access.denied", object_type="push.Subscription").exists()
    assert client.post(reverse("push:cancel", args=[sub.pk])).status_code == 302
    assert not Subscription.objects.get(pk=sub.pk).active


def test_private_feed_lists_matching_public_documents(world: Any, gateway: Any) -> None:
    sub = services.subscribe(user=make_public_user("feed"), kind="tag", tag=theme(), channels=["inbox"])
    doc = tagged_draft(world.org, title="订阅源里的文件")
    publish(doc, world.office)
    make_document(world.org, title="无关的文件")
    body = Client().get(reverse("push:feed", args=[sub.feed_token])).content.decode()
    assert "订阅源里的文件" in body and "无关的文件" not in body
    services.cancel_subscription(user=sub.user, subscription=sub)
    assert Client().get(reverse("push:feed", args=[sub.feed_token])).status_code == 404


def test_staff_see_counts_of_their_own_organisation_only(world: Any, gateway: Any) -> None:
    sms_subscriber("lin", channels=["inbox", "sms"])
    publish(tagged_draft(world.org, title="甲厅推送的文件"), world.office)
    services.deliver_due()
    push = Push.objects.get()
    own, other = Client(), Client()
    login_verified(own, world.viewer_a)
    login_verified(other, world.viewer_b)
    page = own.get(reverse("push_staff:list")).content.decode()
    assert "甲厅推送的文件" in page and "50%" in page  # inbox delivered, SMS sent without a receipt yet
    detail = own.get(reverse("push_staff:detail", args=[push.pk]))
    assert detail.status_code == 200 and "到达率" in detail.content.decode()
    assert "甲厅推送的文件" not in other.get(reverse("push_staff:list")).content.decode()
    assert other.get(reverse("push_staff:detail", args=[push.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="push.Push").exists()


# --- Policy items: "whatever I qualify for" ------------------------------------------------------


def test_policy_item_push_reaches_the_enterprises_that_qualify(world: Any, gateway: Any) -> None:
    """A 符合条件 subscriber gets an item when every hard condition is met (eligibility oracle)."""
    from gongkai.enterprise.models import Enterprise, ItemCondition, PolicyItem

    small, big = make_public_user("small"), make_public_user("big")
    for n, (user, employees) in enumerate([(small, 50), (big, 5000)], start=1):
        Enterprise.objects.create(credit_code=make_credit_code("91", "440300", f"{80000000 + n:08d}"),
                                  name=f"企业{n}", employees=employees, claimed_by=user,
                                  claim_status=Enterprise.ClaimStatus.VERIFIED)
        services.subscribe(user=user, kind="qualify", channels=["inbox"])
    doc = make_document(world.org, title="稳岗补贴政策")
    item = PolicyItem.objects.create(document=doc, title="稳岗补贴", benefit_type="subsidy", department=world.org,
                                     status="published")
    ItemCondition.objects.create(item=item, field="employees", op="lte", value=300, source_text="从业人员300人以下")
    with transaction.atomic():
        push = services.create_push_for_item(item)
    assert push is not None and push.subject_key == f"item:{item.pk}"
    assert list(OutboxMessage.objects.values_list("recipient_id", flat=True)) == [small.pk]
    assert services.deliver_due().delivered == 1
    assert Notification.objects.get(recipient=small).title.startswith("【政策推送】稳岗补贴")


def test_item_audience_comes_from_the_match_snapshot_when_there_is_one(world: Any, gateway: Any) -> None:
    """With a snapshot (computed by the matching engine on publish) the audience is a bit test in
    it; the result is the oracle's."""
    from gongkai.enterprise import matching
    from gongkai.enterprise.models import Enterprise, ItemCondition, PolicyItem

    users = [make_public_user(f"snap{i}") for i in range(3)]
    for n, (user, region) in enumerate(zip(users, ["440305", "440105", ""], strict=True), start=1):
        Enterprise.objects.create(credit_code=make_credit_code("91", "440300", f"{81000000 + n:08d}"),
                                  name=f"快照企业{n}", region_code=region, claimed_by=user,
                                  claim_status=Enterprise.ClaimStatus.VERIFIED)
        services.subscribe(user=user, kind="qualify", channels=["inbox"])
    doc = make_document(world.org, title="深圳市补贴政策")
    item = PolicyItem.objects.create(document=doc, title="深圳补贴", benefit_type="subsidy", department=world.org,
                                     status="published")
    ItemCondition.objects.create(item=item, field="region_code", op="within_region", value=["4403"])
    snapshot = matching.recompute_item(item)
    assert snapshot.qualify_count == 1 and snapshot.might_count == 1  # the one without a region might qualify
    with transaction.atomic():
        services.create_push_for_item(item)
    assert list(OutboxMessage.objects.values_list("recipient_id", flat=True)) == [users[0].pk]


def test_subscribe_to_an_organisation_by_its_name_on_the_page(world: Any) -> None:
    user = make_public_user("byname")
    client = Client()
    client.force_login(user)
    missing = client.post(reverse("push:subscribe"), {"kind": "organisation", "organisation": "不存在的机关",
                                                      "channels": ["inbox"]})
    assert missing.status_code == 400 and "未找到该机关" in missing.content.decode()
    response = client.post(reverse("push:subscribe"), {"kind": "organisation", "organisation": world.org.name,
                                                       "channels": ["inbox"]})
    assert response.status_code == 302
    assert Subscription.objects.get(user=user).organisation == world.org


def test_deliver_command_and_task(world: Any, gateway: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    from gongkai.core.scheduler import PERIODIC_TASKS
    from gongkai.push.tasks import deliver_push_outbox

    assert "gongkai.push.tasks.deliver_push_outbox" in PERIODIC_TASKS  # the scheduler's safety net
    sms_subscriber("cmd", channels=["inbox", "sms"])
    publish(tagged_draft(world.org), world.office)
    out = StringIO()
    call_command("push", "deliver", "--batch", "1", stdout=out)
    assert "认领 2 条" in out.getvalue() and "已发送 1" in out.getvalue()
    assert deliver_push_outbox.call() == 0  # nothing left
