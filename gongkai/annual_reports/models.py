"""政府信息公开工作年度报告: one working draft per organisation and year, and the frozen versions
published from it.

The numbers of tables 2 (library part), 3 and 4 are never stored on the draft: they are computed
from the records (``selectors``) every time the report is shown. What staff write is stored here:
sections 一、五、六 and the four figures of table 2 that no module records yet, each with a note of
its source. Publishing (``services.report_publish``) freezes everything — tables, texts and
figures — as JSON with its SHA-256 in an ``AnnualReportVersion``; a version is never rewritten,
and a correction is a new version with a note.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models

from gongkai.domain.annual_report import STAFF_FIGURES


class AnnualReport(models.Model):
    """年度报告（工作稿）."""

    organisation = models.ForeignKey("accounts.Organisation", verbose_name="机关", on_delete=models.PROTECT,
                                     related_name="annual_reports")
    year = models.PositiveSmallIntegerField("年度")
    overview = models.TextField("一、总体情况", blank=True, max_length=20000)
    problems = models.TextField("五、存在的主要问题及改进情况", blank=True, max_length=20000)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True, max_length=20000)

    licensing_count = models.PositiveIntegerField(STAFF_FIGURES["licensing"], null=True, blank=True)
    licensing_source = models.CharField("行政许可数据来源", max_length=200, blank=True)
    penalty_count = models.PositiveIntegerField(STAFF_FIGURES["penalty"], null=True, blank=True)
    penalty_source = models.CharField("行政处罚数据来源", max_length=200, blank=True)
    enforcement_count = models.PositiveIntegerField(STAFF_FIGURES["enforcement"], null=True, blank=True)
    enforcement_source = models.CharField("行政强制数据来源", max_length=200, blank=True)
    fee_amount = models.DecimalField(STAFF_FIGURES["fees"], max_digits=14, decimal_places=4, null=True, blank=True)
    fee_source = models.CharField("行政事业性收费数据来源", max_length=200, blank=True)

    version = models.PositiveIntegerField("修改版本", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度报告"
        verbose_name_plural = "年度报告"
        ordering = ["-year", "organisation__tree_path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="annual_report_org_year"),
            models.CheckConstraint(condition=models.Q(year__gte=2008) & models.Q(year__lte=2100),
                                   name="annual_report_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}年度报告"

    def staff_figures(self) -> dict[str, dict[str, Any]]:
        """The four table-2 figures entered by staff, as stored in the report content."""
        fee = self.fee_amount
        return {
            "licensing": {"value": self.licensing_count, "source": self.licensing_source},
            "penalty": {"value": self.penalty_count, "source": self.penalty_source},
            "enforcement": {"value": self.enforcement_count, "source": self.enforcement_source},
            "fees": {"value": None if fee is None else format(fee.normalize(), "f"), "source": self.fee_source},
        }

    def texts(self) -> dict[str, str]:
        return {"overview": self.overview, "problems": self.problems, "other_matters": self.other_matters}


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a version's content (sorted keys, UTF-8, no spaces)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AnnualReportVersion(models.Model):
    """年度报告发布版本 — frozen: the content (tables and texts as published) and its SHA-256.
    Only ``services.report_publish`` creates one; the row can never be saved again or deleted."""

    report = models.ForeignKey(AnnualReport, verbose_name="年度报告", on_delete=models.PROTECT,
                               related_name="versions")
    number = models.PositiveSmallIntegerField("版本号")
    content = models.JSONField("发布内容")
    sha256 = models.CharField("内容摘要（SHA-256）", max_length=64)
    note = models.TextField("更正说明", blank=True)
    document = models.ForeignKey("policies.Document", verbose_name="发布的政府信息", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = "年度报告发布版本"
        verbose_name_plural = "年度报告发布版本"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="annual_report_version_unique")]
        indexes = [models.Index(fields=["published_at"], name="annual_report_version_pub")]

    def __str__(self) -> str:
        return f"{self.report} 第{self.number}版"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published version is a record of what the public was shown: never rewritten.
        if self.pk is not None:
            raise ValueError("已发布的年度报告版本不能修改；更正请发布新版本。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("已发布的年度报告版本不能删除。")

    @property
    def intact(self) -> bool:
        """The stored content still hashes to the stored SHA-256."""
        return content_digest(self.content) == self.sha256
