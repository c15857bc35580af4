"""Policy library (政策文件库) and proactive disclosure (主动公开): one document model for all
government information, with interpretations (解读), special libraries (专题库) and the search
change log that feeds the tantivy index."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models

from gongkai.domain.documents import (
    DISCLOSURE_LABELS,
    DOC_STATUS_LABELS,
    VALIDITY_LABELS,
    WITHHOLDING_GROUND_LABELS,
    Disclosure,
    DocStatus,
    Validity,
)


def _choices(labels: Mapping[Any, str]) -> list[tuple[str, str]]:
    return [(member.value, label) for member, label in labels.items()]


class Level(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇"


class Category(models.TextChoices):
    """文件类别. The Art. 20 item a document belongs to is the separate ``art20_item``."""

    REGULATION = "regulation", "规章"
    NORMATIVE = "normative", "行政规范性文件"
    OTHER_POLICY = "other_policy", "其他政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    NOTICE = "notice", "通知公告"
    PLAN = "plan", "规划计划"
    STATISTICS = "statistics", "统计信息"
    BUDGET = "budget", "财政预决算"
    PERSONNEL = "personnel", "人事信息"
    WORK_NEWS = "work_news", "工作动态"
    OTHER = "other", "其他"


class Art20Item(models.IntegerChoices):
    """法定主动公开内容: the 15 items of 条例第二十条."""

    RULES = 1, "（一）行政法规、规章和规范性文件"
    ORGANISATION = 2, "（二）机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"
    PLANS = 3, "（三）国民经济和社会发展规划、专项规划、区域规划及相关政策"
    STATISTICS = 4, "（四）国民经济和社会发展统计信息"
    LICENSING = 5, "（五）办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"
    PENALTIES = 6, "（六）实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定"
    BUDGETS = 7, "（七）财政预算、决算信息"
    FEES = 8, "（八）行政事业性收费项目及其依据、标准"
    PROCUREMENT = 9, "（九）政府集中采购项目的目录、标准及实施情况"
    CONSTRUCTION = 10, "（十）重大建设项目的批准和实施情况"
    LIVELIHOOD = 11, "（十一）扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"
    EMERGENCIES = 12, "（十二）突发公共事件的应急预案、预警信息及应对情况"
    INSPECTIONS = 13, "（十三）环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"
    CIVIL_SERVICE = 14, "（十四）公务员招考的职位、名额、报考条件等事项以及录用结果"
    OTHER = 15, "（十五）法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"


class SubjectCategory(models.Model):
    """主题分类 — the two-level gov.cn taxonomy (e.g. 综合政务\\政务公开)."""

    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey("self", verbose_name="上级分类", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题分类"
        verbose_name_plural = "主题分类"
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="subject_unique_name")]

    def __str__(self) -> str:
        return f"{self.parent.name}\\{self.name}" if self.parent_id and self.parent else self.name


class Tag(models.Model):
    """标签: a policy theme (政策主题, 融资贷款 …), an audience (适用对象, 小微企业 …) or a topic
    (专题, 复工复产 …)."""

    class Kind(models.TextChoices):
        THEME = "theme", "政策主题"
        AUDIENCE = "audience", "适用对象"
        TOPIC = "topic", "专题"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=30)
    slug = models.SlugField("网址标识", max_length=40)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        ordering = ["kind", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="tag_unique_name"),
            models.UniqueConstraint(fields=["kind", "slug"], name="tag_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class IndexNumberSequence(models.Model):
    """Gapless 索引号 sequence per organisation and year (locked while a number is taken)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="index_seq_unique")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Document(models.Model):
    """政府信息 — a policy document or any other item of government information."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="发布机关", on_delete=models.PROTECT, related_name="documents",
        help_text="在本平台维护和发布该文件的机关（决定谁能看到草稿）。",
    )
    index_no = models.CharField("索引号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=300)
    issuers = models.JSONField("发文机关", default=list, help_text="发文机关名称，联合发文时第一个为主办机关。")
    lead_issuer = models.CharField("主办发文机关", max_length=100, db_index=True)
    doc_number = models.CharField("发文字号", max_length=60, blank=True, db_index=True)
    doc_number_agency = models.CharField("机关代字", max_length=30, blank=True, db_index=True)
    doc_number_year = models.PositiveSmallIntegerField("发文年份", null=True, blank=True)
    doc_number_seq = models.PositiveIntegerField("发文序号", null=True, blank=True)
    written_on = models.DateField("成文日期")
    published_at = models.DateTimeField("发布日期", null=True, blank=True, db_index=True)
    effective_on = models.DateField("实施日期", null=True, blank=True)
    repeal_on = models.DateField("废止日期", null=True, blank=True, db_index=True)
    subject = models.ForeignKey(SubjectCategory, verbose_name="主题分类", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="documents")
    category = models.CharField("类别", max_length=20, choices=Category.choices, db_index=True)
    art20_item = models.PositiveSmallIntegerField("法定主动公开内容", choices=Art20Item.choices, null=True, blank=True)
    level = models.CharField("层级", max_length=12, choices=Level.choices, db_index=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="documents")
    keywords = models.CharField("关键词", max_length=200, blank=True)
    summary = models.TextField("内容概述", blank=True)
    body_html = models.TextField("正文", blank=True)
    body_text = models.TextField("正文纯文本", blank=True, editable=False)
    source = models.CharField("文件来源", max_length=200, blank=True)

    validity = models.CharField("有效性", max_length=10, choices=_choices(VALIDITY_LABELS),
                                default=Validity.VALID, db_index=True)
    status = models.CharField("状态", max_length=16, choices=_choices(DOC_STATUS_LABELS),
                              default=DocStatus.DRAFT, db_index=True)
    withdrawn_reason = models.CharField("撤回原因", max_length=500, blank=True)

    disclosure = models.CharField("公开属性", max_length=12, choices=_choices(DISCLOSURE_LABELS),
                                  default=Disclosure.PROACTIVE, db_index=True)
    disclosure_ground = models.CharField("不公开理由", max_length=24, blank=True,
                                         choices=_choices(WITHHOLDING_GROUND_LABELS))
    disclosure_explanation = models.TextField("不公开说明", blank=True)
    disclosure_review_on = models.DateField("复核日期", null=True, blank=True,
                                            help_text="条例第十八条：不公开的信息应定期评估。")

    needs_interpretation = models.BooleanField("需要解读", default=False)
    interpretation_override = models.TextField("无解读发布理由", blank=True)

    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政府信息"
        verbose_name_plural = "政府信息"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "disclosure", "-published_at"], name="doc_public_list"),
            models.Index(fields=["organisation", "status", "-updated_at"], name="doc_org_work"),
            models.Index(fields=["organisation", "art20_item", "-published_at"], name="doc_org_art20"),
        ]

    def __str__(self) -> str:
        return self.title


class DocumentRelation(models.Model):
    """修改/废止 links: ``source`` amends or repeals ``target`` (shown in both directions)."""

    class Kind(models.TextChoices):
        AMENDS = "amends", "修改"
        REPEALS = "repeals", "废止"

    source = models.ForeignKey(Document, verbose_name="新文件", on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Document, verbose_name="被修改或废止的文件", on_delete=models.CASCADE,
                               related_name="incoming")
    kind = models.CharField("关系", max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "文件关系"
        verbose_name_plural = "文件关系"
        constraints = [models.UniqueConstraint(fields=["source", "target", "kind"], name="docrel_unique")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Server-generated names only (ASVS 5.3.2); the original name is kept in a field.
    return f"attachments/{instance.document_id}/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Attachment(models.Model):
    """附件 — type checked by content, size-limited, text extracted for search where possible."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField("原文件名", max_length=200)
    extension = models.CharField("类型", max_length=8)
    content_type = models.CharField("MIME 类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    extracted_text = models.TextField("提取的文本", blank=True)
    alt_text = models.CharField("替代文字", max_length=300, blank=True, help_text="图片附件必填，供读屏软件使用。")
    sort = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.original_name


class DisclosureChange(models.Model):
    """公开属性变更申请 — setting 依申请公开 or 不予公开 needs a ground and two approvals in order:
    the head of the drafting department, then the disclosure office."""

    class Status(models.TextChoices):
        PENDING_DEPARTMENT = "pending_department", "待起草部门负责人审批"
        PENDING_OFFICE = "pending_office", "待公开办审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已退回"
        CANCELLED = "cancelled", "已撤销"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="disclosure_changes")
    requested_attribute = models.CharField("申请的公开属性", max_length=12,
                                           choices=_choices(DISCLOSURE_LABELS))
    ground = models.CharField("理由", max_length=24, blank=True,
                              choices=_choices(WITHHOLDING_GROUND_LABELS))
    explanation = models.TextField("说明")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING_DEPARTMENT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    department_approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    department_decided_at = models.DateTimeField(null=True, blank=True)
    office_approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    office_decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "公开属性变更"
        verbose_name_plural = "公开属性变更"
        ordering = ["-requested_at"]
        constraints = [
            # One open change per document (Wagtail's partial unique constraint).
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(status__in=["pending_department", "pending_office"]),
                name="one_open_disclosure_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.requested_attribute} ({self.status})"


class Interpretation(models.Model):
    """政策解读 — 文字解读, 图解, 访谈, 视频 or 问答, linked to one or more documents."""

    class Kind(models.TextChoices):
        TEXT = "text", "文字解读"
        GRAPHIC = "graphic", "图解"
        INTERVIEW = "interview", "访谈"
        VIDEO = "video", "视频"
        QA = "qa", "问答"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="解读机关", on_delete=models.PROTECT,
                                     related_name="interpretations")
    kind = models.CharField("形式", max_length=10, choices=Kind.choices)
    title = models.CharField("标题", max_length=300)
    summary = models.TextField("摘要", blank=True)
    body_html = models.TextField("正文", blank=True)
    video_url = models.URLField("视频链接", blank=True)
    host = models.CharField("主持人", max_length=100, blank=True)
    guests = models.CharField("嘉宾", max_length=300, blank=True)
    themes = models.ManyToManyField(Tag, verbose_name="主题", blank=True, related_name="interpretations")
    documents = models.ManyToManyField(Document, verbose_name="解读的文件", related_name="interpretations")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "政策解读"
        verbose_name_plural = "政策解读"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class InterpretationImage(models.Model):
    """图解 image with mandatory alt text."""

    interpretation = models.ForeignKey(Interpretation, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(upload_to="interpretations/%Y/")
    alt_text = models.CharField("替代文字", max_length=500)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.alt_text[:50]


class InterviewQA(models.Model):
    """访谈/问答: one question and its answer."""

    interpretation = models.ForeignKey(Interpretation, on_delete=models.CASCADE, related_name="qas")
    question = models.TextField("问题")
    answer = models.TextField("回答")
    asked_by = models.CharField("提问人", max_length=100, blank=True)
    answered_by = models.CharField("回答人", max_length=100, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.question[:50]


class SpecialLibrary(models.Model):
    """专题库 — curated (hand-picked documents) or rule-based (all public documents with given
    topic tags at given levels), e.g. 复工复产政策库, 小微企业和个体工商户政策库."""

    class Kind(models.TextChoices):
        CURATED = "curated", "人工编选"
        RULE = "rule", "按规则汇集"

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="主办机关", on_delete=models.PROTECT,
                                     related_name="special_libraries")
    slug = models.SlugField("网址标识", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("简介", blank=True)
    kind = models.CharField("方式", max_length=10, choices=Kind.choices, default=Kind.RULE)
    rule_tags = models.ManyToManyField(Tag, verbose_name="包含标签（任一）", blank=True, related_name="+")
    rule_levels = models.JSONField("包含层级", default=list, blank=True,
                                   help_text="为空表示全部层级；省级库通常包含国家、省级、市级。")
    documents = models.ManyToManyField(Document, verbose_name="收录文件", blank=True, related_name="libraries")
    is_published = models.BooleanField("已上线", default=False)
    sort = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "专题库"
        verbose_name_plural = "专题库"
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class SearchChange(models.Model):
    """Search change log: one row per document change, written in the same transaction as the
    change; indexers apply rows in id order and remember the last id they applied."""

    document_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "检索变更日志"

    def __str__(self) -> str:
        return f"#{self.pk} doc {self.document_id}"
