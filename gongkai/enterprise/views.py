"""Enterprise-profile pages (一企一档).

Staff (``/staff/enterprises/…``, 企业服务专员 of the area): list and search, detail, create,
edit, qualifications, tags, claims to verify, import with a progress page, export.
Enterprise accounts (``/qiye/…``): 我的企业 — claim the profile, follow the claim, keep the
figures current. Views are thin: an access function loads, a service changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongkai.core.permissions import staff_required
from gongkai.enterprise import access, selectors, services
from gongkai.enterprise.forms import (
    ClaimForm,
    EnterpriseForm,
    FiguresForm,
    ImportForm,
    QualificationForm,
    ReasonForm,
    TagsForm,
)
from gongkai.enterprise.models import Enterprise, EnterpriseClaim, EnterpriseQualification

PAGE_SIZE = 50


def _manager(request: HttpRequest) -> Any:
    """A verified staff member who manages enterprises somewhere; others get 403."""
    if not access.region_prefixes_for(request.user):
        raise PermissionDenied("您的角色无权管理企业档案（需要“企业服务专员”角色）。")
    return request.user


def _apply(form: Any, call: Any) -> Any:
    """Run a service; put its Chinese ``ValidationError`` back on the form. ``None`` on error."""
    try:
        return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


def _values(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name, "") for name in names if name in form.cleaned_data}


# --- Staff ---------------------------------------------------------------------------------------

@staff_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    filters = selectors.Filters.from_query(request.GET)
    page = Paginator(selectors.search(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprise/profiles/staff_list.html", {
        "page": page, "filters": filters, "query": filters.as_query(), "size_filters": selectors.SIZE_FILTERS,
        "claim_choices": Enterprise.ClaimStatus.choices, "pending_claims": selectors.pending_claims(user).count(),
    })


@staff_required
def enterprise_create(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = ("credit_code", *services.STAFF_FIELDS)
        enterprise = _apply(form, lambda: services.enterprise_create(actor=user, request=request,
                                                                     **_values(form, fields)))
        if enterprise is not None:
            messages.success(request, f"已建档：{enterprise.name}。")
            return redirect("enterprise_staff:detail", enterprise_id=enterprise.pk)
    return render(request, "enterprise/profiles/staff_form.html", {"form": form, "here": "新建企业档案"})


@staff_required
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = access.access_enterprise(request.user, enterprise_id, request=request)
    return render(request, "enterprise/profiles/staff_detail.html", {
        "enterprise": enterprise,
        "size_explanation": selectors.size_explanation(enterprise),
        "qualifications": enterprise.qualifications.order_by("kind", "valid_to"),
        "tags": enterprise.tags.all(),
        "claims": enterprise.claims.select_related("user", "decided_by").order_by("-submitted_at")[:20],
        "qualification_form": QualificationForm(),
        "qualification_kinds": services.QUALIFICATION_KINDS,
        "tags_form": TagsForm(initial={"tags": "、".join(t.name for t in enterprise.tags.all())}),
    })


@staff_required
def enterprise_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = access.access_enterprise(request.user, enterprise_id, request=request)
    initial = {name: getattr(enterprise, name) for name in services.STAFF_FIELDS if name != "industry"}
    initial.update(industry=enterprise.industry_id or "", version=enterprise.version,
                   registered_on=enterprise.registered_on.isoformat() if enterprise.registered_on else "")
    for name in ("employees", "revenue", "assets"):
        initial[name] = "" if initial[name] is None else initial[name]
    form = EnterpriseForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        saved = _apply(form, lambda: services.enterprise_update(
            actor=request.user, enterprise=enterprise, request=request,
            expected_version=form.cleaned_data.get("version"), **_values(form, services.STAFF_FIELDS)))
        if saved is not None:
            messages.success(request, "已保存，企业规模已按最新数据重新划型。")
            return redirect("enterprise_staff:detail", enterprise_id=enterprise.pk)
    return render(request, "enterprise/profiles/staff_form.html",
                  {"form": form, "enterprise": enterprise, "here": "修改企业档案"})


@staff_required
def qualification_add(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = access.access_enterprise(request.user, enterprise_id, request=request)
    form = QualificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = _apply(form, lambda: services.qualification_add(actor=request.user, enterprise=enterprise,
                                                                request=request, **form.cleaned_data))
        if added is not None:
            messages.success(request, f"已登记资质：{added.kind}。")
            return redirect("enterprise_staff:detail", enterprise_id=enterprise.pk)
    return render(request, "enterprise/profiles/staff_qualification.html", {
        "form": form, "enterprise": enterprise, "qualification_kinds": services.QUALIFICATION_KINDS})


@require_POST
@staff_required
def qualification_remove(request: HttpRequest, enterprise_id: int, qualification_id: int) -> HttpResponse:
    enterprise = access.access_enterprise(request.user, enterprise_id, request=request)
    qualification = EnterpriseQualification.objects.filter(pk=qualification_id, enterprise=enterprise).first()
    if qualification is None:
        from django.http import Http404

        raise Http404("未找到该资质。")
    services.qualification_remove(actor=request.user, qualification=qualification, request=request)
    messages.success(request, f"已删除资质：{qualification.kind}。")
    return redirect("enterprise_staff:detail", enterprise_id=enterprise.pk)


@staff_required
def tags_edit(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = access.access_enterprise(request.user, enterprise_id, request=request)
    form = TagsForm(request.POST or None, initial={"tags": "、".join(t.name for t in enterprise.tags.all())})
    if request.method == "POST" and form.is_valid():
        names = _apply(form, lambda: services.enterprise_set_tags(actor=request.user, enterprise=enterprise,
                                                                  names=form.cleaned_data["tags"], request=request))
        if names is not None:
            messages.success(request, "已保存企业标签。")
            return redirect("enterprise_staff:detail", enterprise_id=enterprise.pk)
    return render(request, "enterprise/profiles/staff_tags.html", {"form": form, "enterprise": enterprise})


@staff_required
def claim_queue(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    page = Paginator(selectors.pending_claims(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprise/profiles/staff_claims.html", {"page": page})


@staff_required
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = access.access_claim(request.user, claim_id, request=request)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "verify":
            done = _apply(form, lambda: services.claim_verify(actor=request.user, claim=claim, request=request))
            if done is not None:
                messages.success(request, f"已核验：{claim.enterprise.name} 由该账号认领。")
                return redirect("enterprise_staff:claims")
        elif action in ("reject", "revoke") and form.is_valid():
            service = services.claim_reject if action == "reject" else services.claim_revoke
            done = _apply(form, lambda: service(actor=request.user, claim=claim, reason=form.cleaned_data["reason"],
                                                request=request))
            if done is not None:
                messages.success(request, "已驳回该认领。" if action == "reject" else "已解除该认领。")
                return redirect("enterprise_staff:claims")
    return render(request, "enterprise/profiles/staff_claim.html", {"claim": claim, "form": form})


@staff_required
def import_start(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    organisations = access.managing_organisations(user).order_by("tree_path", "name")
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations,
                      initial={"organisation": organisations.first()})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.imports.MAX_FILE_BYTES:
            form.add_error("file", f"文件超过 {services.imports.MAX_FILE_BYTES // (1024 * 1024)} MB，请拆分后导入。")
        else:
            job = _apply(form, lambda: services.import_job_submit(
                actor=user, organisation=form.cleaned_data["organisation"], file_name=upload.name,
                data=upload.read(), request=request))
            if job is not None:
                return redirect("enterprise_staff:import_job", import_job_id=job.pk)
    return render(request, "enterprise/profiles/staff_import.html",
                  {"form": form, "jobs": selectors.recent_jobs(user), "columns": services.imports.COLUMNS})


@staff_required
def import_job(request: HttpRequest, import_job_id: int) -> HttpResponse:
    """The job page; with ``HX-Request`` only the progress fragment (polled while it runs)."""
    job = access.access_import_job(request.user, import_job_id, request=request)
    context = {"job": job, "errors": job.errors}
    if request.headers.get("HX-Request") == "true":
        return render(request, "enterprise/profiles/_import_progress.html", context)
    return render(request, "enterprise/profiles/staff_import_job.html", context)


@staff_required
def import_template(request: HttpRequest) -> HttpResponse:
    _manager(request)
    response = HttpResponse(services.import_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''enterprise-import-template.csv"
    return response


@staff_required
def export(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    fmt = request.GET.get("fmt", "csv")
    if fmt not in services.imports.FORMATS:
        fmt = "csv"
    filters = selectors.Filters.from_query(request.GET)
    data = services.export_enterprises(actor=user, enterprises=selectors.search(user, filters), fmt=fmt,
                                       request=request)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''enterprises.{fmt}"
    return response


# --- The enterprise's own pages (我的企业) ------------------------------------------------------------

def _enterprise_account(request: HttpRequest) -> Any:
    if not access.is_enterprise_account(request.user):
        raise PermissionDenied("“我的企业”供“法人或其他组织”账号使用。")
    return request.user


def mine(request: HttpRequest) -> HttpResponse:
    user = _enterprise_account(request)
    enterprise = access.own_enterprise(user)
    claim = access.open_claim(user)
    last = None if claim else EnterpriseClaim.objects.filter(user=user).select_related("enterprise").first()
    context: dict[str, Any] = {"enterprise": enterprise, "claim": claim, "last_claim": last}
    if enterprise is not None:
        context.update(size_explanation=selectors.size_explanation(enterprise),
                       qualifications=enterprise.qualifications.order_by("kind", "valid_to"),
                       tags=enterprise.tags.all())
    return render(request, "enterprise/profiles/mine.html", context)


def claim(request: HttpRequest) -> HttpResponse:
    user = _enterprise_account(request)
    if access.open_claim(user) is not None:
        messages.info(request, "您已有一项认领，请先查看其办理情况。")
        return redirect("enterprise_self:mine")
    form = ClaimForm(request.POST or None, initial={"credit_code": user.credit_code})
    if request.method == "POST" and form.is_valid():
        done = _apply(form, lambda: services.claim_submit(actor=user, request=request, **form.cleaned_data))
        if done is not None:
            messages.success(request, "认领已提交，所在地企业服务部门核验后即可查看和维护企业信息。")
            return redirect("enterprise_self:mine")
    return render(request, "enterprise/profiles/claim.html", {"form": form})


@require_POST
def claim_withdraw(request: HttpRequest) -> HttpResponse:
    user = _enterprise_account(request)
    open_claim = access.open_claim(user)
    if open_claim is None or open_claim.status != EnterpriseClaim.Status.PENDING:
        messages.error(request, "没有可以撤回的认领。")
    else:
        services.claim_withdraw(actor=user, claim=open_claim, request=request)
        messages.success(request, "已撤回认领。")
    return redirect("enterprise_self:mine")


def edit_own(request: HttpRequest) -> HttpResponse:
    user = _enterprise_account(request)
    enterprise = access.own_enterprise(user)
    if enterprise is None:
        messages.info(request, "认领并经核验后才能维护企业信息。")
        return redirect("enterprise_self:mine")
    initial = {name: ("" if getattr(enterprise, name) is None else getattr(enterprise, name))
               for name in services.SELF_FIELDS}
    form = FiguresForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _apply(form, lambda: services.enterprise_update(actor=user, enterprise=enterprise, request=request,
                                                                **_values(form, services.SELF_FIELDS)))
        if saved is not None:
            messages.success(request, "已保存，企业规模已按最新数据重新划型。")
            return redirect("enterprise_self:mine")
    return render(request, "enterprise/profiles/edit_own.html", {"form": form, "enterprise": enterprise})
