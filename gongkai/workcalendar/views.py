"""Staff page of the working-day calendar (工作日历): loaded years and a deadline calculator."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.core.permissions import staff_required
from gongkai.domain.calendar import CalendarError
from gongkai.workcalendar import selectors


class DeadlineForm(forms.Form):
    """期限计算: start date and number of working days."""

    # Validation happens on the server with Chinese messages (no browser ``required`` bubbles).
    use_required_attribute = False

    start = forms.CharField(
        label="起算日", max_length=10, help_text="收到申请之日等，格式：2026-09-21。当日不计入。",
        error_messages={"required": "请填写起算日。"},
    )
    days = forms.IntegerField(
        label="工作日数", min_value=1, max_value=250, help_text="例如答复期限 20、补正告知 7、第三方意见 15。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "请填写工作日数。",
            "invalid": "工作日数必须是整数。",
            "min_value": "工作日数至少为 1。",
            "max_value": "工作日数不能超过 250。",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"id_{name}-hint"
        self.fields["start"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"id_{name}-hint id_{name}-error"
                attrs["aria-invalid"] = "true"

    def clean_start(self) -> date:
        raw = self.cleaned_data["start"].strip()
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError("起算日应为 YYYY-MM-DD 格式的真实日期，例如 2026-09-21。") from None
        if len(raw) != 10:
            raise forms.ValidationError("起算日应为 YYYY-MM-DD 格式，例如 2026-09-21。")
        return value


@staff_required
def calendar_index(request: HttpRequest) -> HttpResponse:
    result = None
    form = DeadlineForm(request.GET if "start" in request.GET or "days" in request.GET else None)
    if form.is_bound and form.is_valid():
        try:
            result = selectors.deadline(form.cleaned_data["start"], form.cleaned_data["days"])
        except CalendarError as exc:
            form.add_error("start", str(exc))
    return render(
        request,
        "workcalendar/index.html",
        {
            "form": form,
            "result": result,
            "years": selectors.year_overview(),
            "warnings": selectors.calendar_warnings(),
        },
    )
