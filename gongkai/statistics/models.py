"""统计分析: the daily view/download counters of public documents and the assessment weights
(考核权重) of an organisation. Everything else the dashboards show is counted from the rows of
the other apps (``selectors.py``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from gongkai.domain.statistics import DEFAULT_WEIGHTS


class DocumentDailyCount(models.Model):
    """浏览和下载次数 of one public document on one day (China time). Incremented atomically
    (``services.count_document_view`` / ``count_attachment_download``)."""

    document = models.ForeignKey("policies.Document", verbose_name="文件", on_delete=models.CASCADE,
                                 related_name="daily_counts")
    day = models.DateField("日期")
    views = models.PositiveIntegerField("浏览次数", default=0)
    downloads = models.PositiveIntegerField("附件下载次数", default=0)

    class Meta:
        verbose_name = "文件浏览和下载次数"
        verbose_name_plural = "文件浏览和下载次数"
        constraints = [models.UniqueConstraint(fields=["document", "day"], name="doc_daily_count_unique")]
        indexes = [models.Index(fields=["day", "document"], name="doc_daily_count_day")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.day}: {self.views}/{self.downloads}"


def _weight(label: str, key: str) -> Any:
    return models.PositiveSmallIntegerField(label, default=DEFAULT_WEIGHTS[key])


class AssessmentWeights(models.Model):
    """考核权重 of an organisation (and of its subordinates that have none of their own), set by
    the head of its disclosure office (公开办负责人) through ``services.assessment_weights_update``."""

    organisation = models.OneToOneField("accounts.Organisation", verbose_name="机关", on_delete=models.CASCADE,
                                        related_name="assessment_weights")
    on_time_rate = _weight("按时答复率", "on_time_rate")
    overdue = _weight("超期件数", "overdue")
    corrected = _weight("复议诉讼纠正件数", "corrected")
    legal_rejections = _weight("法制审核退回次数", "legal_rejections")
    interpretation_coverage = _weight("政策解读覆盖率", "interpretation_coverage")
    art26_timeliness = _weight("按时公开率（条例第二十六条）", "art26_timeliness")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(on_time_rate__lte=100, overdue__lte=100, corrected__lte=100,
                                   legal_rejections__lte=100, interpretation_coverage__lte=100,
                                   art26_timeliness__lte=100),
                name="assessment_weight_max_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} 考核权重"
