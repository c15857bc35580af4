"""站内消息 (site inbox): one row per recipient and message.

General on purpose: staff get deadline reminders (依申请公开期限提醒) today, applicants and
enterprises will get policy push (issue 6) with the same rows. ``dedupe_key`` makes repeated
runs of a periodic job idempotent: one row per (recipient, key); rows without a key never clash.
Titles and bodies never carry personal data (ID numbers, phones, names of applicants): they are
shown in lists and sent by e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                                  related_name="notifications")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="相关机关", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True, help_text="站内路径，如 /staff/disclosure/…/")
    dedupe_key = models.CharField("去重标识", max_length=200, blank=True, default="")
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="notification_dedupe"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
