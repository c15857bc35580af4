"""一件事一次办 (issue 6 §5): a thing (一件事) bundles policy items (政策事项) of one or more
departments under a lead department; one merged form and one set of materials (一表一套), one
acceptance with a receipt (一次受理), parallel department tasks (一次联办) and payout records
(一次兑现). States and merging rules live in ``gongkai/domain/things_workflow.py``; ``services``
is the only writer."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models

from gongkai.disclosure import crypto
from gongkai.domain.things_workflow import (
    APPLICATION_LABELS,
    FIELD_TYPE_LABELS,
    PAYOUT_LABELS,
    SOURCE_LABELS,
    TASK_LABELS,
    ApplicationStatus,
    PayoutStatus,
    TaskStatus,
)


class Material(models.Model):
    """申请材料: one paper, deduplicated across items by ``key`` (一套材料)."""

    key = models.SlugField("去重标识", max_length=60, unique=True)
    name = models.CharField("材料名称", max_length=120)
    description = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class ItemMaterial(models.Model):
    item = models.ForeignKey("enterprise.PolicyItem", on_delete=models.CASCADE, related_name="thing_materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="item_links")
    source = models.CharField("材料来源", max_length=10, choices=list(SOURCE_LABELS.items()))
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "事项材料"
        verbose_name_plural = "事项材料"
        ordering = ["item", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "material"], name="things_item_material_once")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.material_id}"


class FormField(models.Model):
    """申请表字段, deduplicated across items by ``key`` (一表申请)."""

    key = models.SlugField("字段标识", max_length=60, unique=True)
    label = models.CharField("字段名称", max_length=60)
    field_type = models.CharField("类型", max_length=10, choices=list(FIELD_TYPE_LABELS.items()))
    help_text = models.CharField("填写说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "申请表字段"
        verbose_name_plural = "申请表字段"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label


class ItemField(models.Model):
    item = models.ForeignKey("enterprise.PolicyItem", on_delete=models.CASCADE, related_name="thing_fields")
    field = models.ForeignKey(FormField, on_delete=models.PROTECT, related_name="item_links")
    required = models.BooleanField("必填", default=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "事项表单字段"
        verbose_name_plural = "事项表单字段"
        ordering = ["item", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "field"], name="things_item_field_once")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.field_id}"


class ServiceHall(models.Model):
    """政务服务大厅."""

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="所属机关", on_delete=models.PROTECT,
                                     related_name="service_halls")
    name = models.CharField("名称", max_length=100, unique=True)
    address = models.CharField("地址", max_length=200)
    hours = models.CharField("办公时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=50, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "政务服务大厅"
        verbose_name_plural = "政务服务大厅"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", "综合窗口"
        THING = "thing", "一件事专窗"
        PAYOUT = "payout", "政策兑现窗口"

    hall = models.ForeignKey(ServiceHall, verbose_name="服务大厅", on_delete=models.CASCADE, related_name="windows")
    number = models.CharField("窗口编号", max_length=20)
    kind = models.CharField("窗口类型", max_length=10, choices=Kind.choices)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="things_window_number")]

    def __str__(self) -> str:
        return f"{self.hall.name}{self.number}（{self.get_kind_display()}）"


class Thing(models.Model):
    """一件事: e.g. 我要申请减免房产税."""

    slug = models.SlugField("网址标识", max_length=60, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    lead_department = models.ForeignKey("accounts.Organisation", verbose_name="牵头部门",
                                        on_delete=models.PROTECT, related_name="led_things")
    summary = models.TextField("简介", blank=True)
    conditions_text = models.TextField("申请条件", blank=True)
    fees_text = models.CharField("收费标准", max_length=200, default="不收费")
    online_note = models.CharField("网上办理说明", max_length=300, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=50, blank=True)
    items = models.ManyToManyField("enterprise.PolicyItem", through="ThingItem", verbose_name="包含事项",
                                   related_name="things")
    windows = models.ManyToManyField(Window, verbose_name="受理窗口", blank=True, related_name="things")
    published = models.BooleanField("已发布", default=True)
    invented = models.BooleanField("演示补充（非出版物原文）", default=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["published", "position"], name="thing_published")]

    def __str__(self) -> str:
        return self.name


class ThingItem(models.Model):
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="thing_items")
    item = models.ForeignKey("enterprise.PolicyItem", on_delete=models.PROTECT, related_name="thing_links")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "一件事包含的事项"
        verbose_name_plural = "一件事包含的事项"
        ordering = ["thing", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["thing", "item"], name="things_thing_item_once")]

    def __str__(self) -> str:
        return f"{self.thing_id}:{self.item_id}"


class ReceiptCounter(models.Model):
    """Gapless 受理编号 per accepting organisation and year (locked row)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="things_receipt_counter")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Application(models.Model):
    """一次申报: one merged form and one set of materials for one thing."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thing = models.ForeignKey(Thing, verbose_name="一件事", on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey("enterprise.Enterprise", verbose_name="申请企业", on_delete=models.PROTECT,
                                   related_name="thing_applications")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请账号", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="thing_applications")
    status = models.CharField("状态", max_length=20, choices=list(APPLICATION_LABELS.items()),
                              default=ApplicationStatus.DRAFT)
    # The form holds the applicant's contact person, phone and the like: personal data, so the
    # whole JSON is stored SM4-GCM encrypted (``form_data`` below is the plaintext view).
    form_data_cipher = models.TextField("申请表（密文）", blank=True, default="")
    receipt_no = models.CharField("受理编号", max_length=30, null=True, blank=True, unique=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "一件事申请"
        verbose_name_plural = "一件事申请"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["thing", "status"], name="thingapp_thing_status"),
            models.Index(fields=["status", "submitted_at"], name="thingapp_status_sub"),
            models.Index(fields=["applicant", "status"], name="thingapp_applicant"),
        ]

    def __str__(self) -> str:
        return self.receipt_no or f"{self.thing.name}（草稿 {str(self.uid)[:8]}）"

    @property
    def status_label(self) -> str:
        return ApplicationStatus(self.status).label

    @property
    def form_data(self) -> dict[str, Any]:
        """申请表 answers, decrypted (a fresh dict each time: assign to change them)."""
        if not self.form_data_cipher:
            return {}
        value = json.loads(crypto.decrypt(self.form_data_cipher))
        return value if isinstance(value, dict) else {}

    @form_data.setter
    def form_data(self, value: dict[str, Any] | None) -> None:
        self.form_data_cipher = crypto.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True)) if value else ""


class ApplicationMaterial(models.Model):
    """One uploaded material of an application: each material once (a new upload replaces it)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="things/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "申请材料文件"
        verbose_name_plural = "申请材料文件"
        constraints = [models.UniqueConstraint(fields=["application", "material"], name="things_material_once")]

    def __str__(self) -> str:
        return self.original_name


class Acceptance(models.Model):
    """一次受理 decision: accepted with a receipt, or rejected with reasons and what to fix."""

    class Channel(models.TextChoices):
        ONLINE = "online", "网上受理"
        WINDOW = "window", "窗口受理"

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "受理"
        REJECTED = "rejected", "不予受理"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="acceptances")
    channel = models.CharField("受理渠道", max_length=10, choices=Channel.choices)
    window = models.ForeignKey(Window, verbose_name="受理窗口", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="acceptances")
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    receipt_no = models.CharField("受理编号", max_length=30, blank=True)
    reasons = models.TextField("不予受理理由", blank=True)
    to_fix = models.TextField("需补正的内容", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "受理记录"
        verbose_name_plural = "受理记录"
        ordering = ["application", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}（{self.application_id}）"


class JointTask(models.Model):
    """一次联办: one department's task for one item of an accepted application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    item = models.ForeignKey("enterprise.PolicyItem", verbose_name="事项", on_delete=models.PROTECT,
                             related_name="thing_tasks")
    department = models.ForeignKey("accounts.Organisation", verbose_name="承办部门", on_delete=models.PROTECT,
                                   related_name="thing_tasks")
    status = models.CharField("状态", max_length=10, choices=list(TASK_LABELS.items()),
                              default=TaskStatus.PENDING)
    days = models.PositiveSmallIntegerField("办理时限（工作日）")
    due_date = models.DateField("办理期限")
    due_provisional = models.BooleanField("期限待确认", default=False)
    reasons = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "联办任务"
        verbose_name_plural = "联办任务"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["department", "status", "due_date"], name="thingtask_queue"),
                   # 联办期限提醒: open tasks by due date across departments.
                   models.Index(fields=["status", "due_date"], name="thingtask_status_due")]
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="things_task_per_item")]

    def __str__(self) -> str:
        return f"{self.item}（{self.department}）"

    @property
    def status_label(self) -> str:
        return TaskStatus(self.status).label

    @property
    def is_closed(self) -> bool:
        return self.status != TaskStatus.PENDING


class Payout(models.Model):
    """一次兑现 record: a fact (amount, kind, date, recipient), counted only when confirmed."""

    class Kind(models.TextChoices):
        SUBSIDY = "subsidy", "补贴"
        RELIEF = "relief", "减免"
        REWARD = "reward", "奖励"
        DEFERRAL = "deferral", "缓缴"
        REFUND = "refund", "返还"
        INTEREST = "interest", "贴息"
        OTHER = "other", "其他"

    class Source(models.TextChoices):
        APPLICATION = "application", "依申请兑现"
        NO_APPLICATION = "no_application", "免申即享"

    enterprise = models.ForeignKey("enterprise.Enterprise", verbose_name="兑现对象", on_delete=models.PROTECT,
                                   related_name="thing_payouts")
    item = models.ForeignKey("enterprise.PolicyItem", verbose_name="事项", on_delete=models.PROTECT,
                             related_name="thing_payouts")
    department = models.ForeignKey("accounts.Organisation", verbose_name="兑现部门", on_delete=models.PROTECT,
                                   related_name="thing_payouts")
    thing = models.ForeignKey(Thing, verbose_name="一件事", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="payouts")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="payouts")
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    kind = models.CharField("兑现方式", max_length=10, choices=Kind.choices)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField("兑现日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=list(PAYOUT_LABELS.items()),
                              default=PayoutStatus.CANDIDATE)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "兑现记录"
        verbose_name_plural = "兑现记录"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "paid_on"], name="thingpay_status_paid"),
            models.Index(fields=["department", "status"], name="thingpay_dept_status"),
            models.Index(fields=["item", "enterprise"], name="thingpay_item_ent"),
        ]

    def __str__(self) -> str:
        return f"{self.item}：{self.enterprise}"

    @property
    def status_label(self) -> str:
        return PayoutStatus(self.status).label
