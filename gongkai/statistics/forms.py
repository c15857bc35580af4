"""Forms of the statistics pages: the period filter (统计期间) and the assessment weights."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from gongkai.domain.statistics import METRICS, WEIGHT_TOTAL
from gongkai.statistics.selectors import Period

MAX_PERIOD_DAYS = 5 * 366
DATE_ERRORS = {"invalid": "请按 2026-03-01 的格式填写日期。"}


class PeriodForm(forms.Form):
    """统计期间: from the 1st of January of this year to today unless given."""

    start = forms.DateField(label="开始日期", required=False, error_messages=DATE_ERRORS,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="结束日期", required=False, error_messages=DATE_ERRORS,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def default_period(self) -> Period:
        return Period(date(self.today.year, 1, 1), self.today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("start") or date(self.today.year, 1, 1)
        end = data.get("end") or self.today
        if start > end:
            self.add_error("end", "结束日期不能早于开始日期。")
        elif end - start > timedelta(days=MAX_PERIOD_DAYS):
            self.add_error("start", "统计期间不能超过5年。")
        data["start"], data["end"] = start, end
        return data

    def period(self) -> Period:
        """The valid period, or the default one when the form has errors (shown with them)."""
        if self.is_bound and self.is_valid():
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return self.default_period()


class WeightsForm(forms.Form):
    """考核权重: one whole number 0–100 per metric, adding up to 100."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric in METRICS:
            self.fields[metric.key] = forms.IntegerField(
                label=metric.label, min_value=0, max_value=WEIGHT_TOTAL, help_text=metric.explanation,
                error_messages={"required": f"请填写“{metric.label}”的权重。", "invalid": "请填写整数。",
                                "min_value": "权重不能小于0。", "max_value": f"权重不能大于{WEIGHT_TOTAL}。"},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = [data.get(m.key) for m in METRICS]
        if all(isinstance(v, int) for v in values):
            total = sum(v for v in values if isinstance(v, int))
            if total != WEIGHT_TOTAL:
                raise forms.ValidationError(f"各项权重之和应为{WEIGHT_TOTAL}，现为{total}。")
        return data
