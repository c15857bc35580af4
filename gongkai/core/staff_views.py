"""Staff workbench (工作台), the auditor's log viewer and organisation profile pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongkai.accounts.access import access_organisation, organisations_for, system_perms, user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.accounts.services import ORG_PROFILE_FIELDS, organisation_update
from gongkai.core.models import AuditEvent
from gongkai.core.permissions import staff_required, system_perm_required
from gongkai.workcalendar.selectors import calendar_warnings


@staff_required
def workbench(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    memberships = user.memberships.select_related("organisation").order_by("organisation__tree_path")
    return render(
        request,
        "core/workbench.html",
        {
            "memberships": memberships,
            "organisations": organisations_for(user),
            "system_perms": system_perms(user),
            "calendar_warnings": calendar_warnings(),
        },
    )


@system_perm_required(Perm.READ_AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志 — read-only, for the auditor alone."""
    events = AuditEvent.objects.select_related("organisation").order_by("-seq")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "action": action})


@staff_required
def organisation_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = access_organisation(request.user, org_id, request=request)
    memberships = org.memberships.select_related("user").order_by("role", "user__username")
    return render(
        request,
        "core/organisation_detail.html",
        {
            "org": org,
            "memberships": memberships,
            "children": org.children.filter(is_active=True),
            "can_edit": user_has_org_perm(request.user, org, Perm.EDIT_PROFILE),
        },
    )


class OrganisationProfileForm(forms.ModelForm[Organisation]):
    class Meta:
        model = Organisation
        fields = ORG_PROFILE_FIELDS


@staff_required
def organisation_edit(request: HttpRequest, org_id: int) -> HttpResponse:
    """Organisation admins keep their 指南 contact data current."""
    org = access_organisation(request.user, org_id, Perm.EDIT_PROFILE, request=request)
    form = OrganisationProfileForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(actor=request.user, organisation=org, request=request,
                                **{f: form.cleaned_data[f] for f in ORG_PROFILE_FIELDS})
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise
        else:
            return redirect("staff:organisation_detail", org_id=org.pk)
    return render(request, "core/organisation_edit.html", {"org": org, "form": form})
