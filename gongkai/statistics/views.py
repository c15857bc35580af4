"""Staff pages of 统计分析 (/staff/statistics/) and 考核通报 (/staff/assessment/). Thin views: the
scope comes from ``access.statistics_scope`` (another organisation is a 404), the figures from
``charts``/``assessment``, the weights change through ``services``. ``?export=xlsx`` (and
``docx`` for the assessment) downloads what the page shows."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gongkai.accounts.access import access_organisation, user_has_org_perm
from gongkai.accounts.roles import Perm
from gongkai.core.permissions import staff_required
from gongkai.disclosure.services import deadlines as clock
from gongkai.statistics import charts, exports
from gongkai.statistics.access import Scope, statistics_organisations, statistics_scope
from gongkai.statistics.assessment import SCORING_RULES, build_report
from gongkai.statistics.forms import PeriodForm, WeightsForm
from gongkai.statistics.selectors import Period, weights_for
from gongkai.statistics.services import NO_WEIGHTS_PERMISSION, assessment_weights_update
from gongkai.workcalendar.selectors import working_calendar


def _filters(request: HttpRequest) -> tuple[Scope, Period, PeriodForm, list[Any], str]:
    """The scope (``?org=``), the period (``?start=&end=``), the form and the query string that
    keeps them (for the export links)."""
    user: Any = request.user
    scope = statistics_scope(user, request.GET.get("org", "").strip() or None, request=request)
    organisations = statistics_organisations(user)
    data = {k: request.GET[k] for k in ("start", "end") if request.GET.get(k, "").strip()}
    today = clock.today()
    form = PeriodForm(data or None, today=today, initial={"start": date(today.year, 1, 1), "end": today})
    period = form.period()
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if scope.root is not None:
        query["org"] = str(scope.root.pk)
    return scope, period, form, organisations, urlencode(query)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ascii_name(prefix: str, period: Period, extension: str) -> str:
    return f"{prefix}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """统计分析: the charts of the viewer's scope and period, each with its table and xlsx link."""
    scope, period, form, organisations, query = _filters(request)
    ctx = charts.Context(request.user, scope, period, clock.today(), working_calendar())
    export = request.GET.get("export", "")
    if export:
        if export != "xlsx":
            raise Http404("不支持的导出格式。")
        key = request.GET.get("chart", "").strip()
        if key and key not in charts.BUILDERS:
            raise Http404("没有这个图表。")
        selected = [charts.build(ctx, key)] if key else [c for _, cs in charts.build_sections(ctx) for c in cs]
        content = exports.charts_workbook(selected, scope_label=scope.label, period_label=period.label)
        return _download(content, _ascii_name(f"statistics-{key or 'all'}", period, "xlsx"), exports.XLSX_TYPE)
    return render(request, "statistics/dashboard.html", {
        "sections": charts.build_sections(ctx), "scope": scope, "period": period, "form": form,
        "organisations": organisations, "query": query,
    })


@staff_required
def assessment(request: HttpRequest) -> HttpResponse:
    """考核和通报: the ranking per department and per handler, the weights next to it."""
    user: Any = request.user
    scope, period, form, organisations, query = _filters(request)
    report = build_report(scope, period, working_calendar())
    export = request.GET.get("export", "")
    if export == "xlsx":
        return _download(exports.assessment_workbook(report), _ascii_name("assessment", period, "xlsx"),
                         exports.XLSX_TYPE)
    if export == "docx":
        return _download(exports.assessment_docx(report), _ascii_name("assessment", period, "docx"),
                         exports.DOCX_TYPE)
    if export:
        raise Http404("不支持的导出格式。")
    return render(request, "statistics/assessment.html", {
        "report": report, "scope": scope, "period": period, "form": form, "organisations": organisations,
        "query": query, "rules": SCORING_RULES,
        "can_set_weights": user_has_org_perm(user, scope.top, Perm.APPROVE),
    })


@staff_required
def weights(request: HttpRequest, org_id: int) -> HttpResponse:
    """设置考核权重 (公开办负责人 of the organisation)."""
    user: Any = request.user
    organisation = access_organisation(user, org_id, Perm.VIEW_RECORDS, request=request)
    if not user_has_org_perm(user, organisation, Perm.APPROVE):
        raise PermissionDenied(NO_WEIGHTS_PERMISSION)
    current = weights_for(organisation)
    form = WeightsForm(request.POST or None, initial=current.weights)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_weights_update(actor=user, organisation=organisation, weights=form.cleaned_data,
                                      http_request=request)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已保存{organisation.name}的考核权重。")
            return redirect(f"{reverse('statistics:assessment')}?{urlencode({'org': organisation.pk})}")
    return render(request, "statistics/weights.html", {
        "organisation": organisation, "form": form, "current": current,
    }, status=400 if form.errors else 200)
