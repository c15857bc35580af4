"""After the reply (issue 4 §6): 行政复议 and 行政诉讼 records (the input of the annual report's
table 4) and 条例第四十四条 proposals to move information into proactive disclosure.

Imported at the end of ``models.py`` so the models belong to the ``disclosure`` app. Written only
through ``services.remedies`` and ``services.art44``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RemedyResult(models.TextChoices):
    """复议/诉讼结果 — the four columns of each table-4 group (regulation.md §3.5)."""

    UPHELD = "upheld", "结果维持"
    CORRECTED = "corrected", "结果纠正"
    OTHER = "other", "其他结果"
    PENDING = "pending", "尚未审结"


def _decided_iff_not_pending(prefix: str) -> models.CheckConstraint:
    # A decided case has a decision date; a pending one has none.
    return models.CheckConstraint(
        condition=(models.Q(result=RemedyResult.PENDING) & models.Q(decided_on__isnull=True))
        | (~models.Q(result=RemedyResult.PENDING) & models.Q(decided_on__isnull=False)),
        name=f"{prefix}_decided_iff_not_pending",
    )


def _decided_after_filed(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(decided_on__isnull=True) | models.Q(decided_on__gte=models.F("filed_on")),
        name=f"{prefix}_decided_after_filed",
    )


class Reconsideration(models.Model):
    """行政复议 against the reply to (or the failure to reply to) a request."""

    request = models.ForeignKey("disclosure.DisclosureRequest", verbose_name="申请", on_delete=models.PROTECT,
                                related_name="reconsiderations")
    filed_on = models.DateField("申请复议日期")
    review_body = models.CharField("复议机关", max_length=200)
    case_number = models.CharField("复议案号", max_length=100, blank=True)
    result = models.CharField("复议结果", max_length=12, choices=RemedyResult.choices,
                              default=RemedyResult.PENDING)
    decided_on = models.DateField("复议决定日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    reopened_on = models.DateField("重新办理日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "行政复议"
        verbose_name_plural = "行政复议"
        ordering = ["filed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(result__in=RemedyResult.values), name="recon_result_valid"),
            _decided_iff_not_pending("recon"),
            _decided_after_filed("recon"),
        ]
        indexes = [models.Index(fields=["filed_on"], name="recon_filed")]

    def __str__(self) -> str:
        return f"行政复议 {self.case_number or self.pk}"

    kind_label = "行政复议"


class Litigation(models.Model):
    """行政诉讼 — directly (未经复议直接起诉) or after a reconsideration (复议后起诉)."""

    request = models.ForeignKey("disclosure.DisclosureRequest", verbose_name="申请", on_delete=models.PROTECT,
                                related_name="litigations")
    reconsideration = models.ForeignKey(Reconsideration, verbose_name="经过的行政复议", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="litigations")
    filed_on = models.DateField("起诉日期")
    court = models.CharField("受理法院", max_length=200)
    case_number = models.CharField("案号", max_length=100, blank=True)
    result = models.CharField("诉讼结果", max_length=12, choices=RemedyResult.choices,
                              default=RemedyResult.PENDING)
    decided_on = models.DateField("裁判日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    reopened_on = models.DateField("重新办理日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "行政诉讼"
        verbose_name_plural = "行政诉讼"
        ordering = ["filed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(result__in=RemedyResult.values), name="litig_result_valid"),
            _decided_iff_not_pending("litig"),
            _decided_after_filed("litig"),
        ]
        indexes = [models.Index(fields=["filed_on"], name="litig_filed")]

    def __str__(self) -> str:
        return f"行政诉讼 {self.case_number or self.pk}"

    kind_label = "行政诉讼"

    @property
    def route_label(self) -> str:
        return "复议后起诉" if self.reconsideration_id else "未经复议直接起诉"


class Art44Proposal(models.Model):
    """条例第四十四条 转为主动公开的建议: the draft document created from several requests."""

    document = models.OneToOneField("policies.Document", verbose_name="拟主动公开的文件", on_delete=models.PROTECT,
                                    related_name="art44_proposal")
    requests = models.ManyToManyField("disclosure.DisclosureRequest", through="Art44ProposalRequest",
                                      related_name="art44_proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    at = models.DateTimeField("提出时间", auto_now_add=True)

    class Meta:
        verbose_name = "转为主动公开建议"
        verbose_name_plural = "转为主动公开建议"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"第四十四条建议 {self.document_id}"


class Art44ProposalRequest(models.Model):
    """One request behind a proposal. A request is proposed at most once."""

    proposal = models.ForeignKey(Art44Proposal, on_delete=models.CASCADE, related_name="links")
    request = models.ForeignKey("disclosure.DisclosureRequest", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "转为主动公开建议所依据的申请"
        verbose_name_plural = "转为主动公开建议所依据的申请"
        constraints = [models.UniqueConstraint(fields=["request"], name="art44_request_once")]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.request_id}"
