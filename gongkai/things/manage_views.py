"""Staff administration of 一件事一次办 (/staff/yijianshi/guanli/, /staff/yijianshi/dating/): the
things an organisation leads (牵头部门) with their items in order and windows, and the service halls
(政务服务大厅) with their windows. For the publisher (信息发布员, ``Perm.PUBLISH``) of the lead
department or the hall's organisation. Thin: an access function, a form, a service, a template."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongkai.accounts.access import organisations_for
from gongkai.accounts.models import Organisation
from gongkai.core.permissions import staff_required
from gongkai.enterprise.models import PolicyItem
from gongkai.things import access, forms, services
from gongkai.things.models import Thing, Window
from gongkai.things.views import _version


def _show_errors(form: django_forms.Form, exc: ValidationError) -> list[str]:
    """A service's message: on the form field it names, otherwise in the error summary."""
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    rest: list[str] = []
    for key, errs in exc.message_dict.items():
        if key in form.fields:
            for e in errs:
                form.add_error(key, e)
        else:
            rest.extend(errs)
    return rest


def _managed_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(request.user, access.MANAGE).order_by("name")


# ---------------------------------------------------------------- 一件事


def _published_items() -> QuerySet[PolicyItem]:
    return PolicyItem.objects.filter(status=PolicyItem.Status.PUBLISHED).order_by("title", "id")


def _windows_for(request: HttpRequest, thing: Thing | None = None) -> QuerySet[Window]:
    """Active windows of the halls the user manages, plus those already linked to the thing."""
    condition = Q(is_active=True, hall__organisation__in=organisations_for(request.user, access.MANAGE))
    if thing is not None:
        condition |= Q(pk__in=thing.windows.values("pk"))
    return Window.objects.filter(condition).select_related("hall").order_by("hall__name", "number")


@staff_required
def thing_list(request: HttpRequest) -> HttpResponse:
    things = (
        access.things_to_manage(request.user)
        .select_related("lead_department")
        .annotate(item_count=Count("thing_items"))
        .order_by("lead_department__name", "position", "id")
    )
    return render(
        request,
        "things/staff/manage/thing_list.html",
        {
            "things": things,
            "can_create": _managed_orgs(request).exists(),
        },
    )


@staff_required
def thing_create(request: HttpRequest) -> HttpResponse:
    orgs = _managed_orgs(request)
    if not orgs.exists():
        return render(request, "things/staff/manage/thing_form.html", {"form": None, "thing": None})
    data = request.POST if request.method == "POST" else None
    form = forms.ThingForm(
        data,
        items=_published_items(),
        windows=_windows_for(request),
        rows=forms.item_rows(data),
        lead_departments=orgs,
    )
    errors: list[str] = []
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            thing = services.thing_create_by_staff(
                actor=request.user,
                lead_department=d["lead_department"],
                items=d["items"],
                windows=list(d["windows"]),
                request=request,
                **form.service_fields(),
            )
        except ValidationError as exc:
            errors = _show_errors(form, exc)
        else:
            messages.success(request, f"“{thing.name}”已创建。")
            return redirect("things_staff:thing_list")
    return render(
        request, "things/staff/manage/thing_form.html", {"form": form, "thing": None, "errors": errors}
    )


@staff_required
def thing_edit(request: HttpRequest, thing_id: int) -> HttpResponse:
    thing = access.access_thing_for_management(request.user, thing_id, request=request)
    current = list(thing.thing_items.order_by("order", "id").values_list("item_id", flat=True))
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {name: getattr(thing, name) for name in forms.ThingForm.TEXT_FIELDS}
    initial["windows"] = list(thing.windows.values_list("pk", flat=True))
    initial.update({f"item_{n}": pk for n, pk in enumerate(current, 1)})
    form = forms.ThingForm(
        data,
        initial=initial,
        items=_published_items(),
        windows=_windows_for(request, thing),
        rows=forms.item_rows(data, len(current)),
    )
    errors: list[str] = []
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            thing = services.thing_update(
                actor=request.user,
                thing=thing,
                items=d["items"],
                windows=list(d["windows"]),
                expected_version=_version(request),
                request=request,
                **form.service_fields(),
            )
        except ValidationError as exc:
            errors = _show_errors(form, exc)
        else:
            messages.success(request, f"“{thing.name}”已保存。")
            return redirect("things_staff:thing_list")
    return render(
        request, "things/staff/manage/thing_form.html", {"form": form, "thing": thing, "errors": errors}
    )


# ---------------------------------------------------------------- 服务大厅 and 窗口


@staff_required
def hall_list(request: HttpRequest) -> HttpResponse:
    halls = (
        access.halls_to_manage(request.user)
        .select_related("organisation")
        .annotate(window_count=Count("windows"))
        .order_by("organisation__name", "name")
    )
    return render(
        request,
        "things/staff/manage/hall_list.html",
        {
            "halls": halls,
            "can_create": _managed_orgs(request).exists(),
        },
    )


@staff_required
def hall_create(request: HttpRequest) -> HttpResponse:
    orgs = _managed_orgs(request)
    if not orgs.exists():
        return render(request, "things/staff/manage/hall_form.html", {"form": None, "hall": None})
    form = forms.HallForm(request.POST if request.method == "POST" else None, organisations=orgs)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            hall = services.hall_create(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                request=request,
                **form.service_fields(),
            )
        except ValidationError as exc:
            errors = _show_errors(form, exc)
        else:
            messages.success(request, f"服务大厅“{hall.name}”已创建，可以添加窗口。")
            return redirect("things_staff:hall_edit", hall_id=hall.pk)
    return render(
        request, "things/staff/manage/hall_form.html", {"form": form, "hall": None, "errors": errors}
    )


@staff_required
def hall_edit(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = access.access_hall(request.user, hall_id, request=request)
    initial = {name: getattr(hall, name) for name in ("name", "address", "hours", "phone")}
    form = forms.HallForm(request.POST if request.method == "POST" else None, initial=initial)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            hall = services.hall_update(
                actor=request.user, hall=hall, request=request, expected_version=_version(request),
                **form.service_fields()
            )
        except ValidationError as exc:
            errors = _show_errors(form, exc)
        else:
            messages.success(request, "服务大厅信息已保存。")
            return redirect("things_staff:hall_edit", hall_id=hall.pk)
    windows = hall.windows.annotate(acceptance_count=Count("acceptances")).order_by("number")
    return render(
        request,
        "things/staff/manage/hall_form.html",
        {
            "form": form,
            "hall": hall,
            "errors": errors,
            "windows": windows,
        },
    )


@staff_required
def window_create(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = access.access_hall(request.user, hall_id, request=request)
    form = forms.WindowForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            window = services.window_create(
                actor=request.user, hall=hall, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            errors = _show_errors(form, exc)
        else:
            messages.success(request, f"窗口“{window.number}”已添加。")
            return redirect("things_staff:hall_edit", hall_id=hall.pk)
    return render(
        request,
        "things/staff/manage/window_form.html",
        {
            "form": form,
            "hall": hall,
            "window": None,
            "errors": errors,
        },
    )


@staff_required
def window_edit(request: HttpRequest, window_id: int) -> HttpResponse:
    window = access.access_window(request.user, window_id, request=request)
    initial = {"number": window.number, "kind": window.kind, "is_active": window.is_active}
    form = forms.WindowForm(request.POST if request.method == "POST" else None, initial=initial)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            window = services.window_update(
                actor=request.user, window=window, request=request, expected_version=_version(request),
                **form.cleaned_data
            )
        except ValidationError as exc:
            errors = _show_errors(form, exc)
        else:
            messages.success(request, f"窗口“{window.number}”已保存。")
            return redirect("things_staff:hall_edit", hall_id=window.hall_id)
    return render(
        request,
        "things/staff/manage/window_form.html",
        {
            "form": form,
            "hall": window.hall,
            "window": window,
            "errors": errors,
            "acceptance_count": window.acceptances.count(),
        },
    )
