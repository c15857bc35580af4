"""订阅与精准推送 (issue 6 §4): subscriptions, one push per publication event and the
transactional outbox the delivery worker drains.

- ``Subscription``: what a user wants (a theme/audience tag, a region, an organisation, or
  "whatever I qualify for") and how (site inbox, e-mail, SMS, WeChat; every subscription also has a
  private RSS feed). Tokens: ``unsubscribe_token`` for the one-click unsubscribe link,
  ``feed_token`` for the private feed. The SMS number and WeChat openid are personal data:
  stored SM4-GCM encrypted (``gongkai.disclosure.crypto``), shown masked.
- ``Push``: one publication event (a document or a policy item), written in the same transaction
  as the publication itself.
- ``OutboxMessage``: one message per (recipient, subject, channel) — the unique constraint makes
  "exactly one delivery per recipient, item and channel" a database fact, so publishing the same
  document again (withdraw → republish) or a second matching subscription adds nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    INBOX = "inbox", "站内消息"
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"
    WECHAT = "wechat", "微信模板消息"


class Subscription(models.Model):
    class Kind(models.TextChoices):
        TAG = "tag", "政策主题或适用对象"
        REGION = "region", "地区"
        ORGANISATION = "organisation", "发布机关"
        QUALIFY = "qualify", "本企业符合条件的政策"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="订阅人", on_delete=models.CASCADE,
                             related_name="push_subscriptions")
    kind = models.CharField("订阅方式", max_length=12, choices=Kind.choices)
    tag = models.ForeignKey("policies.Tag", verbose_name="标签", null=True, blank=True, on_delete=models.CASCADE,
                            related_name="+")
    region_code = models.CharField("地区（行政区划代码）", max_length=6, blank=True, db_index=True)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="发布机关", null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    via_inbox = models.BooleanField("站内消息", default=True)
    via_email = models.BooleanField("电子邮件", default=False)
    via_sms = models.BooleanField("短信", default=False)
    via_wechat = models.BooleanField("微信", default=False)
    sms_phone = models.CharField("短信号码（密文）", max_length=200, blank=True)
    sms_phone_masked = models.CharField("短信号码（脱敏）", max_length=20, blank=True)
    wechat_openid = models.CharField("微信 openid（密文）", max_length=300, blank=True)
    wechat_openid_masked = models.CharField("微信 openid（脱敏）", max_length=20, blank=True)
    unsubscribe_token = models.CharField("退订令牌", max_length=64, unique=True)
    feed_token = models.CharField("订阅源令牌", max_length=64, unique=True)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("订阅时间", default=timezone.now)
    unsubscribed_at = models.DateTimeField("退订时间", null=True, blank=True)

    class Meta:
        verbose_name = "订阅"
        verbose_name_plural = "订阅"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "tag", "active"], name="sub_tag"),
            models.Index(fields=["kind", "organisation", "active"], name="sub_org"),
            models.Index(fields=["kind", "region_code", "active"], name="sub_region"),
            models.Index(fields=["user", "active"], name="sub_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.describe()}"

    def describe(self) -> str:
        if self.kind == self.Kind.TAG and self.tag is not None:
            return f"{self.tag.get_kind_display()}：{self.tag.name}"
        if self.kind == self.Kind.REGION:
            return f"地区：{self.region_code}"
        if self.kind == self.Kind.ORGANISATION and self.organisation is not None:
            return f"发布机关：{self.organisation.name}"
        return str(self.get_kind_display())

    def channels(self) -> list[str]:
        chosen = [(self.via_inbox, Channel.INBOX), (self.via_email, Channel.EMAIL), (self.via_sms, Channel.SMS),
                  (self.via_wechat, Channel.WECHAT)]
        return [str(channel) for on, channel in chosen if on]


class Push(models.Model):
    class Subject(models.TextChoices):
        DOCUMENT = "document", "政策文件"
        ITEM = "item", "政策事项"

    subject_type = models.CharField("推送内容", max_length=10, choices=Subject.choices)
    subject_key = models.CharField("内容标识", max_length=40, db_index=True)  # "document:12", "item:5"
    document = models.ForeignKey("policies.Document", verbose_name="政策文件", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("enterprise.PolicyItem", verbose_name="政策事项", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="发布机关", on_delete=models.PROTECT,
                                     related_name="+")
    title = models.CharField("标题", max_length=300)
    link = models.CharField("链接", max_length=300)
    deliver_after = models.DateTimeField("发送时间", default=timezone.now)
    message_count = models.PositiveIntegerField("消息数", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = "推送"
        verbose_name_plural = "推送"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="push_org_recent")]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        DELIVERED = "delivered", "已送达"
        READ = "read", "已读"
        FAILED = "failed", "发送失败"
        CANCELLED = "cancelled", "已取消"

    push = models.ForeignKey(Push, verbose_name="推送", on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                                  related_name="+")
    subscription = models.ForeignKey(Subscription, verbose_name="订阅", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="messages")
    subject_key = models.CharField("内容标识", max_length=40)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", default=timezone.now)
    claimed_until = models.DateTimeField("占用至", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    provider_message_id = models.CharField("网关消息编号", max_length=100, blank=True, db_index=True)
    read_token = models.CharField("阅读令牌", max_length=64, unique=True)
    notification = models.ForeignKey("notifications.Notification", verbose_name="站内消息", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "推送消息"
        verbose_name_plural = "推送消息"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "subject_key", "channel"], name="outbox_once"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["push", "status"], name="outbox_push_status"),
            models.Index(fields=["subscription", "push"], name="outbox_sub_push"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}#{self.pk} → {self.recipient_id}"

    @property
    def idempotency_key(self) -> str:
        """Sent to the gateway with every attempt: a resend after a crash carries the same key and
        the gateway delivers it once (the gateway contract, see ``gateways``)."""
        return f"gongkai-push-{self.pk}"
