"""Enterprise policy services (惠企政策服务): enterprise profiles (一企一档), policy items (政策事项)
with atomic eligibility conditions. The rules live in ``gongkai/domain/enterprise_size.py`` (划型)
and ``gongkai/domain/eligibility.py`` (conditions, the matching oracle); ``services`` is the only
writer; the size class is computed there from the industry and the figures, never typed in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from gongkai.domain.eligibility import FIELDS, Op
from gongkai.domain.enterprise_size import SIZE_LABELS
from gongkai.domain.identifiers import IdentifierError, validate_credit_code, validate_division_code


def _credit_code_validator(value: str) -> None:
    try:
        validate_credit_code(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from None


def _division_code_validator(value: str) -> None:
    try:
        validate_division_code(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from None


SIZE_CHOICES = [(k.value, v) for k, v in SIZE_LABELS.items()]


class Industry(models.Model):
    """国民经济行业分类 (GB/T 4754-2017): 门类 (a letter), 大类 (2 digits), 中类 (3), 小类 (4). Loaded
    from the shipped table (``data/gbt4754_2017.csv``), not edited in the application."""

    code = models.CharField("行业代码", max_length=5, primary_key=True)  # "C", "C13", "C131", "C1311"
    name = models.CharField("行业名称", max_length=80)
    level = models.PositiveSmallIntegerField("层级")  # 1 门类 … 4 小类
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")

    class Meta:
        verbose_name = "国民经济行业分类"
        verbose_name_plural = "国民经济行业分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EnterpriseTag(models.Model):
    """企业标签 (e.g. 外资企业, 复工复产重点企业, 出口企业) used by conditions and subscriptions."""

    name = models.CharField("名称", max_length=30, unique=True)

    class Meta:
        verbose_name = "企业标签"
        verbose_name_plural = "企业标签"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """企业档案 (一企一档): a market entity identified by its 统一社会信用代码."""

    class ClaimStatus(models.TextChoices):
        UNCLAIMED = "unclaimed", "未认领"
        PENDING = "pending", "认领待核验"
        VERIFIED = "verified", "已认领"

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True,
                                   validators=[_credit_code_validator])
    name = models.CharField("企业名称", max_length=120)
    registered_on = models.DateField("成立日期", null=True, blank=True)
    region_code = models.CharField("所在地区（行政区划代码）", max_length=6, blank=True, db_index=True,
                                   validators=[_division_code_validator])
    industry = models.ForeignKey(Industry, verbose_name="所属行业", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    employees = models.PositiveIntegerField("从业人员（人）", null=True, blank=True)
    revenue = models.DecimalField("营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    assets = models.DecimalField("资产总额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    is_individual = models.BooleanField("个体工商户", default=False)
    # Computed by services from industry and figures (工信部联企业〔2011〕300号); blank = cannot be decided.
    size_class = models.CharField("企业规模", max_length=8, choices=SIZE_CHOICES, blank=True, editable=False)
    tags = models.ManyToManyField(EnterpriseTag, verbose_name="企业标签", blank=True, related_name="enterprises")
    claim_status = models.CharField("认领状态", max_length=10, choices=ClaimStatus.choices,
                                    default=ClaimStatus.UNCLAIMED)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认领账号", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="enterprises")
    contact_email = models.EmailField("联系邮箱", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "企业档案"
        verbose_name_plural = "企业档案"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["size_class"], name="ent_size"),
            models.Index(fields=["industry"], name="ent_industry"),
            models.Index(fields=["registered_on"], name="ent_registered"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_display(self) -> str:
        """所在地区 as a name with its code (湖南省长沙市芙蓉区（430102）); "" when not registered."""
        from gongkai.enterprise.regions import region_label

        return region_label(self.region_code) if self.region_code else ""


class EnterpriseQualification(models.Model):
    """资质 (高新技术企业, 科技型中小企业, 专精特新 …) with issuer and validity dates."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField("资质名称", max_length=40)
    issuer = models.CharField("认定机关", max_length=100, blank=True)
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "企业资质"
        verbose_name_plural = "企业资质"
        indexes = [models.Index(fields=["kind", "valid_to"], name="entq_kind_valid")]

    def __str__(self) -> str:
        return f"{self.kind}（{self.enterprise_id}）"


class EnterpriseClaim(models.Model):
    """企业认领: an enterprise account claims a profile by 统一社会信用代码 + name; staff of the
    enterprise's area verify or reject it. At most one verified claim per enterprise."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核验"
        VERIFIED = "verified", "已核验"
        REJECTED = "rejected", "已驳回"
        WITHDRAWN = "withdrawn", "已撤回"
        REVOKED = "revoked", "已解除"

    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认领账号", on_delete=models.CASCADE,
                             related_name="enterprise_claims")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)  # personal data: shown masked
    note = models.CharField("说明", max_length=300, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField("驳回或解除理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "企业认领"
        verbose_name_plural = "企业认领"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="entclaim_status")]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=models.Q(status="verified"),
                                    name="entclaim_one_verified"),
            models.UniqueConstraint(fields=["user"], condition=models.Q(status__in=["pending", "verified"]),
                                    name="entclaim_one_open_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}（{self.get_status_display()}）"

    @property
    def contact_phone_masked(self) -> str:
        from gongkai.domain.identifiers import mask_phone

        return mask_phone(self.contact_phone)


class ImportJob(models.Model):
    """企业名录导入任务: the uploaded file, its progress and its row-numbered errors. Small files run
    at once; big ones in the background worker, the page polls the progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在导入"
        SUCCEEDED = "succeeded", "导入完成"
        REJECTED = "rejected", "有错误，未导入"
        FAILED = "failed", "导入失败"

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="导入机关", on_delete=models.PROTECT,
                                     related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField("文件名", max_length=200)
    file_format = models.CharField("格式", max_length=8)
    data = models.BinaryField("文件内容", blank=True, default=b"")  # cleared when the job ends
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField("阶段", max_length=20, blank=True)
    done = models.PositiveIntegerField("已处理行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    created = models.PositiveIntegerField("新建", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变化", default=0)
    errors = models.JSONField("错误", default=list, blank=True)  # [[row, column, message], …]
    summary = models.CharField("结果", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "企业导入任务"
        verbose_name_plural = "企业导入任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.REJECTED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class PolicyItem(models.Model):
    """政策事项: one benefit of a policy document, with its eligibility conditions."""

    class BenefitType(models.TextChoices):
        RELIEF = "relief", "减免"
        SUBSIDY = "subsidy", "补贴"
        REWARD = "reward", "奖励"
        DEFERRAL = "deferral", "缓缴"
        INTEREST = "interest", "贴息"
        LOAN = "loan", "贷款"
        REFUND = "refund", "返还"
        SERVICE = "service", "服务"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    document = models.ForeignKey("policies.Document", verbose_name="政策文件", on_delete=models.PROTECT,
                                 related_name="policy_items")
    title = models.CharField("事项名称", max_length=120)
    benefit_type = models.CharField("兑现方式", max_length=10, choices=BenefitType.choices)
    amount_rule = models.TextField("兑现标准", blank=True)
    amount_formula = models.CharField("计算公式", max_length=200, blank=True)
    department = models.ForeignKey("accounts.Organisation", verbose_name="承办部门", on_delete=models.PROTECT,
                                   related_name="policy_items")
    promised_days = models.PositiveSmallIntegerField("承诺办理时限（工作日）", null=True, blank=True)
    materials_text = models.TextField("申报材料", blank=True)
    legal_basis = models.TextField("政策依据", blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期至", null=True, blank=True)
    no_application = models.BooleanField("免申即享", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政策事项"
        verbose_name_plural = "政策事项"
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "valid_to"], name="item_status_valid")]

    def __str__(self) -> str:
        return self.title


class ItemCondition(models.Model):
    """申报条件: one atomic condition (field, operator, value, hard or soft, source text)."""

    item = models.ForeignKey(PolicyItem, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    field = models.CharField("条件字段", max_length=20, choices=[(k, v[0]) for k, v in FIELDS.items()])
    op = models.CharField("比较方式", max_length=24, choices=[(o.value, o.label) for o in Op])
    value = models.JSONField("取值")
    hard = models.BooleanField("必须满足", default=True)
    source_text = models.CharField("条件原文", max_length=300, blank=True)

    class Meta:
        verbose_name = "申报条件"
        verbose_name_plural = "申报条件"
        ordering = ["item", "position", "id"]

    def __str__(self) -> str:
        return self.source_text or f"{self.field} {self.op} {self.value}"

    def as_condition(self) -> Any:
        from gongkai.domain.eligibility import Condition

        return Condition(self.field, Op(self.op), self.value, self.hard, self.source_text)


class MatchSnapshot(models.Model):
    """匹配结果快照 of one policy item (task F, issue 6 §3): which enterprises qualify (符合) and
    which might (可能符合, a needed profile field is empty) on ``evaluated_on``, as bitsets keyed by
    enterprise pk (bit ``pk`` set), zlib-compressed, with counts by region and size. Derived data,
    written only by ``gongkai.enterprise.matching``: recomputed when the item is published or its
    conditions change, and for every published item nightly."""

    item = models.OneToOneField(PolicyItem, verbose_name="政策事项", on_delete=models.CASCADE, primary_key=True,
                                related_name="match_snapshot")
    computed_at = models.DateTimeField("计算时间")
    evaluated_on = models.DateField("判定日期")
    method = models.CharField("计算方式", max_length=10)  # "bitset" (all items) or "sql" (one item)
    enterprise_count = models.PositiveIntegerField("参与匹配的企业数", default=0)
    qualify_count = models.PositiveIntegerField("符合条件的企业数", default=0)
    might_count = models.PositiveIntegerField("可能符合的企业数", default=0)
    qualify_bits = models.BinaryField("符合条件的企业（位图）", default=b"")
    might_bits = models.BinaryField("可能符合的企业（位图）", default=b"")
    by_region = models.JSONField("按地区统计", default=dict)  # {region_code or "": [qualify, might]}
    by_size = models.JSONField("按规模统计", default=dict)  # {size_class or "": [qualify, might]}

    class Meta:
        verbose_name = "政策匹配快照"
        verbose_name_plural = "政策匹配快照"

    def __str__(self) -> str:
        return f"{self.item_id}: {self.qualify_count}/{self.might_count}"
