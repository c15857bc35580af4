"""Admin pages for holiday arrangements (节假日安排): system administrators only; every save and
delete is audited and triggers the recompute of provisional deadlines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from gongkai.accounts.access import has_system_perm
from gongkai.accounts.roles import Perm
from gongkai.workcalendar import services
from gongkai.workcalendar.models import HolidayArrangement, HolidayArrangementDay


def _may_manage(request: HttpRequest) -> bool:
    return has_system_perm(request.user, Perm.MANAGE_CALENDAR)


class DayFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        year = self.instance.year if self.instance is not None else None
        errors: list[str] = []
        seen: set[Any] = set()
        has_holiday = False
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            day, kind = data.get("date"), data.get("kind")
            if day is None or kind is None:
                continue
            problem = services.day_problem(year, day, kind)
            if problem:
                errors.append(problem)
            if day in seen:
                errors.append(f"{day.isoformat()} 重复")
            seen.add(day)
            has_holiday = has_holiday or kind == HolidayArrangementDay.Kind.HOLIDAY
        if seen and not has_holiday:
            errors.append("安排中没有任何放假日（休）")
        if errors:
            raise ValidationError(errors)


class DayInline(admin.TabularInline[HolidayArrangementDay, HolidayArrangement]):
    model = HolidayArrangementDay
    formset = DayFormSet
    extra = 0
    fields = ["date", "kind", "name"]

    # Access follows the role table (系统管理员), not Django's per-model permissions.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)


@admin.register(HolidayArrangement)
class HolidayArrangementAdmin(admin.ModelAdmin[HolidayArrangement]):
    list_display = ["year", "notice_title", "notice_number", "published_on", "loaded_at", "loaded_by"]
    readonly_fields = ["loaded_at", "loaded_by"]
    fields = ["year", "notice_title", "notice_number", "published_on", "loaded_at", "loaded_by"]
    inlines = [DayInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_manage(request)

    def save_model(self, request: HttpRequest, obj: HolidayArrangement, form: Any, change: bool) -> None:
        # Snapshot before Django writes anything; the audit row is written in save_related once
        # the inline days are saved too (the admin view wraps both in one transaction).
        previous = HolidayArrangement.objects.filter(pk=obj.pk).first() if obj.pk else None
        request._calendar_before = services.arrangement_days_snapshot(previous)  # type: ignore[attr-defined]
        obj.loaded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.arrangement_record_admin_change(
            actor=request.user, arrangement=form.instance,
            before=getattr(request, "_calendar_before", None), request=request,
        )

    def delete_model(self, request: HttpRequest, obj: HolidayArrangement) -> None:
        services.arrangement_delete(actor=request.user, arrangement=obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            services.arrangement_delete(actor=request.user, arrangement=obj, request=request)
