"""Staff pages of the annual report, mounted at ``/staff/reports/``: the list by year with status,
one report (tables, checks, texts, versions, exports, publishing), the editing form and the
roll-up over an organisation's subtree.

Thin views: organisations are loaded only through ``access.access_report_organisation`` (another
organisation's report is a 404, audited); changes go through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from gongkai.accounts.models import Organisation
from gongkai.annual_reports import access, exports, layout, selectors, services
from gongkai.annual_reports.forms import PublishForm, ReportForm
from gongkai.annual_reports.models import AnnualReportVersion
from gongkai.core.permissions import staff_required
from gongkai.domain import annual_report as rules


def _year(value: Any, *, default: int | None = None) -> int:
    this_year = services.today().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        if default is not None:
            return default
        raise Http404("年度不正确。") from None
    if not services.YEAR_MIN <= year <= this_year:
        if default is not None:
            return default
        raise Http404("年度不正确。")
    return year


def _years() -> list[int]:
    this_year = services.today().year
    return list(range(this_year, max(services.YEAR_MIN, this_year - 10) - 1, -1))


def _errors(exc: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(exc, PermissionDenied):
        return [str(exc) or "您无权进行此操作。"]
    return list(exc.messages)


def _version_param(request: HttpRequest, org: Organisation, year: int) -> AnnualReportVersion | None:
    raw = request.GET.get("v", "")
    if not raw:
        return None
    version = selectors.version_by_number(org, year, int(raw)) if raw.isdigit() else None
    if version is None:
        raise Http404("未找到该版本。")
    return version


@staff_required
def report_list(request: HttpRequest) -> HttpResponse:
    """年度报告: the user's organisations' reports of one year, with status and Art. 49 deadline."""
    today = services.today()
    year = _year(request.GET.get("year"), default=today.year - 1)
    organisations = access.report_organisations(request.user)
    rows = selectors.report_rows(organisations, year, today)
    parents = set(Organisation.objects.filter(parent__in=[r.organisation for r in rows], is_active=True)
                  .values_list("parent_id", flat=True))
    rollup_orgs = [r.organisation for r in rows if r.organisation.pk in parents]
    return render(request, "annual_reports/staff/list.html", {
        "rows": rows, "year": year, "years": _years(), "today": today, "rollup_orgs": rollup_orgs,
    })


def _detail_context(request: HttpRequest, org: Organisation, year: int,
                    version: AnnualReportVersion | None) -> dict[str, Any]:
    report = selectors.report_for(org, year)
    versions = selectors.versions_of(report)
    if version is not None:
        content = version.content
        results: tuple[rules.CheckResult, ...] = ()
    else:
        content = selectors.build_content(org, year, report)
        results = rules.run_checks(content)
    deadline = selectors.deadline_for(org, year)
    today = services.today()
    from gongkai.workcalendar.selectors import working_calendar

    return {
        "org": org, "year": year, "report": report, "versions": versions, "version": version,
        "content": content, "sections": layout.sections(content), "results": results,
        "bad": rules.failing_cells(results), "failures": rules.failed(results),
        "can_edit": access.can_edit(request.user, org), "can_publish": access.can_publish(request.user, org),
        "finished": year < today.year, "deadline": deadline,
        "stage": None if versions else rules.reminder_stage(deadline, today),
        "deadline_provisional": not working_calendar().is_loaded(year + 1),
        "publish_form": PublishForm(), "formats": list(exports.FORMATS),
        "has_children": org.children.filter(is_active=True).exists(),
    }


@staff_required
def report_detail(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    """One report: the official tables computed from the records (or a frozen version, ?v=N),
    the checks with the cells involved, the texts, versions, exports and the publish form."""
    org = access.access_report_organisation(request.user, org_id, request=request)
    year = _year(year)
    version = _version_param(request, org, year)
    return render(request, "annual_reports/staff/detail.html", _detail_context(request, org, year, version))


@staff_required
def report_edit(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    """编写: sections 一、五、六 and the four table-2 figures with their sources, and the generated
    facts that "插入数据" appends to 一、总体情况."""
    org = access.access_report_organisation(request.user, org_id, request=request)
    year = _year(year)
    if not access.can_edit(request.user, org):
        raise PermissionDenied("您无权编写该机关的年度报告。")
    report = selectors.report_for(org, year)
    initial: dict[str, Any] = {"expected_version": report.version if report else None}
    if report is not None:
        initial.update({name: getattr(report, name) for name in services.EDITABLE_FIELDS})
        if report.fee_amount is not None:
            initial["fee_amount"] = report.fee_amount.normalize()
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("expected_version")
        try:
            services.report_update(actor=request.user, organisation=org, year=year, expected_version=expected,
                                   request=request, **data)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, _errors(exc))
        else:
            messages.success(request, "年度报告已保存。")
            return redirect("annual_reports:detail", org_id=org.pk, year=year)
    content = selectors.build_content(org, year, report)
    return render(request, "annual_reports/staff/edit.html", {
        "org": org, "year": year, "form": form, "facts": selectors.facts_lines(org, year, content),
        "library": content["table2"],
    }, status=200)


@staff_required
def report_facts(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    """插入数据 (POST): append the generated facts to 一、总体情况."""
    org = access.access_report_organisation(request.user, org_id, request=request)
    year = _year(year)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.report_insert_facts(actor=request.user, organisation=org, year=year, request=request)
    except (ValidationError, PermissionDenied) as exc:
        for message in _errors(exc):
            messages.error(request, message)
    else:
        messages.success(request, "已将数据插入“一、总体情况”，请核对后修改完善。")
    return redirect(reverse("annual_reports:edit", kwargs={"org_id": org.pk, "year": year}) + "#id_overview")


@staff_required
def report_publish(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    """发布 (POST): publish a version when every check passes; otherwise the report page again
    with the problems at the top."""
    org = access.access_report_organisation(request.user, org_id, request=request)
    year = _year(year)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        version = services.report_publish(actor=request.user, organisation=org, year=year,
                                          note=form.cleaned_data.get("note", ""), request=request)
    except (ValidationError, PermissionDenied) as exc:
        context = _detail_context(request, org, year, None)
        context["publish_errors"] = _errors(exc)
        context["publish_form"] = form
        return render(request, "annual_reports/staff/detail.html", context, status=400)
    messages.success(request, f"已发布第{version.number}版，已同步发布到政府信息公开年报栏目。")
    return redirect("annual_reports:detail", org_id=org.pk, year=year)


@staff_required
def report_export(request: HttpRequest, org_id: int, year: int, fmt: str) -> HttpResponse:
    """导出 xlsx / DOCX / PDF of the working draft, or of a frozen version (?v=N)."""
    org = access.access_report_organisation(request.user, org_id, request=request)
    year = _year(year)
    if fmt not in exports.FORMATS:
        raise Http404("不支持的格式。")
    version = _version_param(request, org, year)
    content = version.content if version is not None else selectors.build_content(
        org, year, selectors.report_for(org, year))
    return download(content, fmt)


def download(content: dict[str, Any], fmt: str) -> HttpResponse:
    response = HttpResponse(exports.render(content, fmt), content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(content, fmt)}"'
    return response


def _row_label(code: str, label: str) -> str:
    """A table-3 sub-row label with its group heading (1.属于国家秘密 → （三）不予公开：1.属于国家秘密)."""
    from gongkai.domain.disclosure_outcomes import GROUP_HEADINGS

    group = code[:4]
    return f"{GROUP_HEADINGS[group]}：{label}" if len(code) > 4 and group in GROUP_HEADINGS else label


def _table2_cells(t2: dict[str, Any]) -> list[Any]:
    cells: list[Any] = [t2[key][c] for key in rules.LIBRARY_ROWS for c in rules.LIBRARY_COLUMNS]
    return cells + [t2[key].get("value") for key in rules.STAFF_FIGURES]


@staff_required
def report_rollup(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    """汇总: the reports of the organisation and every organisation below it that the user may see,
    side by side with their sums (published figures where a version exists)."""
    from gongkai.domain.disclosure_outcomes import TABLE3_ROWS

    org = access.access_report_organisation(request.user, org_id, request=request)
    year = _year(year)
    visible = access.report_organisations(request.user).filter(tree_path__startswith=org.tree_path)
    entries, totals = selectors.rollup(list(visible), year, services.today())
    total = "total"
    table3_rows = [(_row_label(code, label), [e.content["table3"][code][total] for e in entries],
                    totals["table3"][code][total]) for code, label in TABLE3_ROWS.items()]
    return render(request, "annual_reports/staff/rollup.html", {
        "org": org, "year": year, "entries": entries,
        "table3_rows": table3_rows,
        "table4_rows": [(e, e.content["table4"]) for e in entries], "table4_total": totals["table4"],
        "table2_rows": [(e, _table2_cells(e.content["table2"])) for e in entries],
        "table2_total": _table2_cells(totals["table2"]),
        "table4_groups": rules.TABLE4_GROUPS, "table4_columns": rules.TABLE4_COLUMNS,
        "staff_figures": list(rules.STAFF_FIGURES.values()),
    })
