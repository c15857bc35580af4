"""Disclosure on request (依申请公开): requests, their append-only timeline and the records each
workflow step leaves (replies, fee notices, consultations, deliveries).

Status changes only through ``gongkai.disclosure.services`` (one writer per transition). The
deadline columns (``due_date`` …) are a cache recomputed from the ``RequestEvent`` rows after
every change and when a calendar year is loaded; they are never typed in.

Personal data (ID number, phone, postal address) is stored only as SM4-GCM ciphertext
(``*_cipher``, see ``crypto.py``) plus an HMAC-SM3 blind index; the ``*_masked`` properties are
what pages show. Only ``services.personal_data.reveal_personal_data`` returns plaintext.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models

from gongkai.disclosure import crypto
from gongkai.domain.disclosure_deadlines import CONSULTATION_LABELS, ConsultationKind
from gongkai.domain.disclosure_outcomes import (
    ORGANISATION_KIND_LABELS,
    OUTCOMES,
    ApplicantType,
    Outcome,
)
from gongkai.domain.disclosure_receipt import CHANNEL_LABELS
from gongkai.domain.disclosure_workflow import CLOSED_STATES, STATUS_LABELS, RequestStatus
from gongkai.domain.fees import FeeMethod


def _choices(labels: Mapping[Any, str]) -> list[tuple[str, str]]:
    return [(str(member.value), label) for member, label in labels.items()]


STATUS_CHOICES = _choices(STATUS_LABELS)
OUTCOME_CHOICES = [(o.value, info.label) for o, info in OUTCOMES.items()]
CHANNEL_CHOICES = _choices(CHANNEL_LABELS)
APPLICANT_TYPE_CHOICES = [(t.value, t.label) for t in ApplicantType]
ORGANISATION_KIND_CHOICES = _choices(ORGANISATION_KIND_LABELS)


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO_PERMIT = "hk_macao", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan", "台湾居民来往大陆通行证"
    FOREIGN_PR = "foreign_pr", "外国人永久居留身份证"
    OTHER = "other", "其他有效身份证件"


class FormWanted(models.TextChoices):
    PAPER = "paper", "纸质"
    ELECTRONIC = "electronic", "电子"
    VIEWING = "viewing", "查阅"


class DeliveryMethod(models.TextChoices):
    POST = "post", "邮寄"
    EMAIL = "email", "电子邮件"
    PICKUP = "pickup", "自取"
    ONLINE = "online", "在线"


class DisclosureSettings(models.Model):
    """依申请公开设置 of one organisation."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="disclosure_settings")
    legal_review_all_replies = models.BooleanField(
        "所有答复均经法制审核", default=False,
        help_text="默认只有予以公开以外的答复须经法制审核；勾选后所有答复都须审核。",
    )
    payment_instructions = models.TextField(
        "信息处理费缴费方式", blank=True, max_length=1000,
        help_text="收款单位、开户银行和账号或网上缴费渠道等，申请人在查询页面缴费时看到（下级机关未填写的沿用上级机关的）。",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "依申请公开设置"
        verbose_name_plural = "依申请公开设置"

    def __str__(self) -> str:
        return f"{self.organisation_id}"


class ReceiptSequence(models.Model):
    """Gapless receipt-number sequence per organisation and year (locked while a number is taken;
    taken in the same transaction as the request, so a rollback returns the number)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="receipt_seq_unique")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class DisclosureRequest(models.Model):
    """政府信息公开申请."""

    uid = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="受理机关", on_delete=models.PROTECT,
                                     related_name="disclosure_requests")
    handling_department = models.ForeignKey(
        "accounts.Organisation", verbose_name="承办机关/部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="handled_disclosure_requests",
    )
    receipt_no = models.CharField("受理编号", max_length=40, unique=True)
    receipt_year = models.PositiveSmallIntegerField("编号年度")
    receipt_seq = models.PositiveIntegerField("年度序号")
    query_code_hash = models.CharField("查询码摘要", max_length=120, editable=False)
    idempotency_key = models.CharField("提交标识", max_length=64, unique=True, null=True, blank=True,
                                       editable=False)
    idempotency_digest = models.CharField(max_length=64, blank=True, editable=False)

    channel = models.CharField("提交方式", max_length=20, choices=CHANNEL_CHOICES)
    arrived_at = models.DateTimeField("到达时间")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    received_on = models.DateField("收到申请之日", null=True, blank=True, db_index=True)
    same_day_breach = models.BooleanField("未当日确认", default=False)

    applicant_type = models.CharField("申请人类型", max_length=20, choices=APPLICANT_TYPE_CHOICES)
    organisation_kind = models.CharField("法人或其他组织类型", max_length=20, blank=True,
                                         choices=ORGANISATION_KIND_CHOICES)
    applicant_name = models.CharField("申请人姓名/名称", max_length=100)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices, blank=True)
    id_number_cipher = models.TextField("证件号码（密文）", blank=True, editable=False)
    id_number_index = models.CharField("证件号码盲索引", max_length=64, blank=True, db_index=True, editable=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    phone_cipher = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_index = models.CharField("联系电话盲索引", max_length=64, blank=True, db_index=True, editable=False)
    email = models.EmailField("电子邮箱", blank=True)
    address_cipher = models.TextField("通信地址（密文）", blank=True, editable=False)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)

    description = models.TextField("所需信息的名称、文号或特征描述")
    purpose = models.TextField("用途说明", blank=True)
    form_wanted = models.CharField("信息提供形式", max_length=12, choices=FormWanted.choices)
    delivery_method = models.CharField("获取方式", max_length=12, choices=DeliveryMethod.choices)

    status = models.CharField("状态", max_length=24, choices=STATUS_CHOICES, default=RequestStatus.SUBMITTED)
    outcome = models.CharField("办理结果", max_length=40, choices=OUTCOME_CHOICES, blank=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    # Cache of the clock, recomputed from the events (services.deadlines.recompute_deadline).
    due_date = models.DateField("答复期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限待确认", default=False)
    due_soon = models.BooleanField("即将到期", default=False)
    overdue = models.BooleanField("已超期", default=False)
    clock_paused = models.BooleanField("暂停计算", default=False)
    deadline_as_of = models.DateField("期限计算日", null=True, blank=True)

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交账号", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="disclosure_requests")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=[s.value for s in RequestStatus]),
                                   name="dreq_status_valid"),
            models.CheckConstraint(condition=models.Q(outcome="") | models.Q(outcome__in=[o.value for o in Outcome]),
                                   name="dreq_outcome_valid"),
            # A closed request has exactly one outcome; an open one has none.
            models.CheckConstraint(
                condition=(models.Q(status__in=sorted(s.value for s in CLOSED_STATES)) & ~models.Q(outcome=""))
                | (~models.Q(status__in=sorted(s.value for s in CLOSED_STATES)) & models.Q(outcome="")),
                name="dreq_outcome_iff_closed",
            ),
            models.UniqueConstraint(fields=["organisation", "receipt_year", "receipt_seq"], name="dreq_receipt_seq"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="dreq_org_queue"),
            models.Index(fields=["handling_department", "status", "due_date"], name="dreq_dept_queue"),
            models.Index(fields=["status", "due_date"], name="dreq_status_due"),
            models.Index(fields=["organisation", "received_on"], name="dreq_org_received"),
        ]

    def __str__(self) -> str:
        return self.receipt_no

    @property
    def status_enum(self) -> RequestStatus:
        return RequestStatus(self.status)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[RequestStatus(self.status)]

    @property
    def outcome_enum(self) -> Outcome | None:
        return Outcome(self.outcome) if self.outcome else None

    @property
    def is_closed(self) -> bool:
        return RequestStatus(self.status) in CLOSED_STATES

    # Masked personal data: what every page shows (GB/T 35273 展示限制).
    @property
    def id_number_masked(self) -> str:
        return crypto.mask_id_number(crypto.decrypt(self.id_number_cipher))

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone_number(crypto.decrypt(self.phone_cipher))

    @property
    def address_masked(self) -> str:
        return crypto.mask_address(crypto.decrypt(self.address_cipher))


class RequestEvent(models.Model):
    """办理记录 — the append-only timeline. Deadline events (``kind`` in
    ``disclosure_deadlines.EVENT_TYPES``) carry their ``event_fields`` in ``payload`` and are
    replayed with ``make_event``; other kinds record assignment, review, notes and messages."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=40)
    is_clock_event = models.BooleanField("计时事件", default=False)
    occurred_on = models.DateField("日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    status_from = models.CharField(max_length=24, blank=True)
    status_to = models.CharField(max_length=24, blank=True)
    payload = models.JSONField("数据", default=dict, blank=True)
    visible_to_applicant = models.BooleanField("申请人可见", default=False)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["request", "occurred_on", "id"], name="dreq_event_timeline")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.occurred_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: a timeline row is never rewritten.
        if self.pk is not None:
            raise ValueError("办理记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("办理记录只能追加，不能删除。")


def request_file_path(instance: RequestAttachment, filename: str) -> str:
    return f"disclosure/{instance.request.uid}/{instance.sha256[:2]}/{uuid.uuid4().hex}.{instance.extension}"


class RequestAttachment(models.Model):
    """申请附件 or 公开的文件 — type checked by content (policies.services.attachments)."""

    class Kind(models.TextChoices):
        APPLICANT = "applicant", "申请人提交的材料"
        CORRECTION = "correction", "补正材料"
        RELEASED = "released", "公开的政府信息"
        INTERNAL = "internal", "内部材料"
        PAYMENT = "payment", "缴费凭证"

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    original_name = models.CharField("原文件名", max_length=200)
    extension = models.CharField("扩展名", max_length=8)
    content_type = models.CharField("MIME 类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=request_file_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    visible_to_applicant = models.BooleanField("申请人可见", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "申请附件"
        verbose_name_plural = "申请附件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Reply(models.Model):
    """答复 — one draft of the reply letter and its review trail. A rejected draft stays as
    history; the handler drafts again."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        LEGAL_REVIEW = "legal_review", "法制审核中"
        AWAITING_APPROVAL = "awaiting_approval", "待审批"
        APPROVED = "approved", "已审批"
        REJECTED = "rejected", "已退回"
        DELIVERED = "delivered", "已送达"
        WITHDRAWN = "withdrawn", "已作废"

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="replies")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    outcome = models.CharField("答复类型", max_length=40, choices=OUTCOME_CHOICES)
    article = models.CharField("法律依据", max_length=200)
    reasons = models.TextField("理由")
    public_location = models.TextField("已公开信息的获取方式和途径", blank=True)
    responsible_agency = models.CharField("负责公开的机关", max_length=200, blank=True)
    responsible_agency_contact = models.CharField("该机关联系方式", max_length=200, blank=True)
    needs_legal_review = models.BooleanField("须法制审核", default=False)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    legal_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    legal_reviewed_at = models.DateTimeField(null=True, blank=True)
    legal_review_approved = models.BooleanField(null=True)
    legal_review_comment = models.TextField("法制审核意见", blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_approved = models.BooleanField(null=True)
    approval_comment = models.TextField("审批意见", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["drafted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome__in=[o.value for o in Outcome]),
                                   name="reply_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.outcome}"

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[Outcome(self.outcome)].label


class FeeNotice(models.Model):
    """收费通知 (国办函〔2020〕109号)."""

    request = models.OneToOneField(DisclosureRequest, on_delete=models.CASCADE, related_name="fee_notice")
    method = models.CharField("计收方式", max_length=12, choices=[(m.value, m.label) for m in FeeMethod])
    quantity = models.PositiveIntegerField("本月序号或页数")
    amount = models.PositiveIntegerField("金额（元）")
    explanation = models.JSONField("计算过程", default=list)
    noticed_on = models.DateField("通知日期")
    received_on = models.DateField("申请人收到日期", null=True, blank=True)
    payment_due = models.DateField("缴费期限")
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "收费通知"
        verbose_name_plural = "收费通知"

    def __str__(self) -> str:
        return f"{self.request_id} {self.amount}元"


class FeePaymentReport(models.Model):
    """申请人报告已缴费 (国办函〔2020〕109号): the applicant's word that the fee was paid, with the
    transaction reference (交易流水号) and an optional receipt. It never resumes the clock by
    itself: staff confirm it with ``workflow.fee_paid`` (the clock resumes on the payment day they
    record) or reject it with a reason the applicant sees (``services.payments``)."""

    class State(models.TextChoices):
        PENDING = "pending", "待核实"
        CONFIRMED = "confirmed", "已确认缴费"
        REJECTED = "rejected", "未通过核实"

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="payment_reports")
    fee_notice = models.ForeignKey(FeeNotice, on_delete=models.CASCADE, related_name="payment_reports")
    reference = models.CharField("交易流水号", max_length=64)
    receipt = models.ForeignKey("RequestAttachment", verbose_name="缴费凭证", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    reported_on = models.DateField("报告日期")
    reported_at = models.DateTimeField("报告时间", auto_now_add=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    after_due = models.BooleanField("报告时缴费期限已届满", default=False)
    state = models.CharField("核实结果", max_length=12, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    reject_reason = models.TextField("未通过核实的理由", blank=True)

    class Meta:
        verbose_name = "缴费报告"
        verbose_name_plural = "缴费报告"
        ordering = ["reported_at", "id"]
        constraints = [
            # At most one report waits for staff at a time.
            models.UniqueConstraint(fields=["request"], condition=models.Q(state="pending"),
                                    name="fee_report_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.reference}"

    @property
    def is_pending(self) -> bool:
        return self.state == FeePaymentReport.State.PENDING


class Consultation(models.Model):
    """征求意见 (条例第三十二条第三方 / 第三十四条其他机关)."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField("类型", max_length=20, choices=_choices(CONSULTATION_LABELS),
                            default=ConsultationKind.THIRD_PARTY)
    party = models.CharField("被征求意见方", max_length=200)
    ref = models.CharField(max_length=40, editable=False)
    issued_on = models.DateField("征求意见书发出日期")
    delivered_on = models.DateField("送达日期", null=True, blank=True)
    reply_due = models.DateField("答复期限", null=True, blank=True)
    reply_received_on = models.DateField("收到意见日期", null=True, blank=True)
    reply_text = models.TextField("意见内容", blank=True)
    decision = models.TextField("处理决定", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "征求意见"
        verbose_name_plural = "征求意见"
        ordering = ["issued_on", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.party}"

    @property
    def is_open(self) -> bool:
        return self.reply_received_on is None


class Delivery(models.Model):
    """送达 of the reply."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="deliveries")
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField("送达方式", max_length=12, choices=DeliveryMethod.choices)
    delivered_on = models.DateField("送达日期")
    tracking_no = models.CharField("邮件单号/电子邮件标识", max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "送达"
        verbose_name_plural = "送达"
        ordering = ["delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.delivered_on}"


def letter_file_path(instance: Letter, filename: str) -> str:
    # Server-generated names only: the applicant's or handler's input never reaches the path.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"letters/{instance.request.uid}/{instance.kind}-{uuid.uuid4().hex}.{extension}"


class Letter(models.Model):
    """告知书 — a generated letter (答复告知书, 补正告知书, 延期答复告知书, 征求意见函, 收费通知书)
    as DOCX and PDF. A draft is regenerated in place; an approved (定稿) letter is frozen: its
    files' SHA-256 are stored and the row can no longer be saved or deleted
    (``services.letters`` is the only writer)."""

    class Kind(models.TextChoices):
        REPLY = "reply", "政府信息公开申请答复告知书"
        CORRECTION = "correction", "补正告知书"
        EXTENSION = "extension", "延期答复告知书"
        CONSULTATION = "consultation", "征求意见函"
        FEE = "fee", "信息处理费缴费通知书"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已定稿"

    uid = models.UUIDField("编号", default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    # What the letter is about within the request: r<reply>, c<consultation>, f<fee notice>, e<event>.
    ref = models.CharField("对应事项", max_length=40)
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="letters")
    version = models.PositiveIntegerField("版本", default=1)
    title = models.CharField("标题", max_length=100)
    docx = models.FileField(upload_to=letter_file_path, max_length=200)
    pdf = models.FileField(upload_to=letter_file_path, max_length=200)
    docx_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField(max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    approved_at = models.DateTimeField("定稿时间", null=True, blank=True)

    class Meta:
        verbose_name = "告知书"
        verbose_name_plural = "告知书"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "ref"], condition=models.Q(status="approved"),
                                    name="letter_one_approved"),
            models.UniqueConstraint(fields=["request", "kind", "ref"], condition=models.Q(status="draft"),
                                    name="letter_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A 定稿 letter is a record of what was sent: never rewritten.
        if self._stored_frozen():
            raise ValueError("已定稿的告知书不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_frozen():
            raise ValueError("已定稿的告知书不能删除。")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status == Letter.Status.APPROVED

    def _stored_frozen(self) -> bool:
        return self.pk is not None and Letter.objects.filter(pk=self.pk, status=Letter.Status.APPROVED).exists()


class PublishedAnswer(models.Model):
    """以往答复 — a delivered 予以公开/部分公开 reply that staff chose to publish (公开此答复), as a
    short anonymised summary written by staff (title and what was released, never the applicant's
    data). The pre-submission deflection search matches it (``services.past_answers``)."""

    request = models.OneToOneField(DisclosureRequest, on_delete=models.CASCADE, related_name="published_answer")
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name="答复机关", on_delete=models.PROTECT,
                                     related_name="+")
    outcome = models.CharField("答复类型", max_length=40, choices=OUTCOME_CHOICES)
    answered_on = models.DateField("答复日期")
    title = models.CharField("标题", max_length=100)
    summary = models.TextField("公开内容摘要", max_length=500)
    is_public = models.BooleanField("公开", default=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField("公开时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "以往答复"
        verbose_name_plural = "以往答复"
        ordering = ["-answered_on", "-id"]
        indexes = [models.Index(fields=["is_public", "answered_on"], name="pubans_public_answered")]

    def __str__(self) -> str:
        return self.title

    @property
    def outcome_label(self) -> str:
        return OUTCOMES[Outcome(self.outcome)].label


# 行政复议/行政诉讼 and 条例第四十四条 records live in their own module (issue 4 §6).
from gongkai.disclosure.after_models import (  # noqa: E402, F401
    Art44Proposal,
    Art44ProposalRequest,
    Litigation,
    Reconsideration,
    RemedyResult,
)
