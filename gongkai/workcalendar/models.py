"""Holiday arrangements (节假日安排) loaded from the 国务院办公厅 annual notice.

A loaded year replaces chinese_calendar's data for that year entirely (regulation.md §4.4).
Rows are written only by ``gongkai.workcalendar.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HolidayArrangement(models.Model):
    """One year's 部分节假日安排, as published in the 国办 notice."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    notice_title = models.CharField("通知标题", max_length=200, blank=True)
    notice_number = models.CharField("文号", max_length=60, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="载入人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class HolidayArrangementDay(models.Model):
    """One day of an arrangement: a day off (休) or a make-up working day (班, 调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "休（放假）"
        WORKDAY = "workday", "班（调休上班）"

    arrangement = models.ForeignKey(
        HolidayArrangement, verbose_name="节假日安排", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日名称", max_length=60)

    class Meta:
        verbose_name = "安排日期"
        verbose_name_plural = "安排日期"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} {self.get_kind_display()}"
