"""Public pages of the annual reports (政府信息公开年报). Every view is explicitly public and shows
published versions only: the frozen content, never the working draft.

- ``/gongkai/nianbao/``: the 栏目 — every organisation's latest published report; while nothing
  has been published it is the portal's plain "本栏目正在建设中" page;
- ``/gongkai/<slug>/nianbao/``: one organisation's reports by year;
- ``/gongkai/<slug>/nianbao/<year>/``: one report (latest version, or ``?v=N``), printable;
- ``/gongkai/<slug>/nianbao/<year>/<fmt>/``: the same version as xlsx, DOCX or PDF.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.accounts.models import Organisation
from gongkai.annual_reports import exports, layout, selectors
from gongkai.annual_reports.models import AnnualReportVersion
from gongkai.annual_reports.views import download

# The portal's 栏目 name: the sub-navigation marks 政府信息公开年报 as the current page.
COLUMN_NAV = {"nav_url": "portal:gongkai_nianbao", "nav_section": "gongkai"}
ORG_NAV = {"nav_section": "gongkai"}


def _organisation(slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug, is_active=True)
    except Organisation.DoesNotExist:
        raise Http404("未找到该机关。") from None


def _version(request: HttpRequest, org: Organisation, year: int) -> AnnualReportVersion:
    raw = request.GET.get("v", "")
    if raw:
        version = selectors.version_by_number(org, year, int(raw)) if raw.isdigit() else None
    else:
        version = selectors.latest_version(org, year)
    if version is None:
        raise Http404("该年度报告尚未发布。")
    return version


@login_not_required
def column(request: HttpRequest) -> HttpResponse:
    """政府信息公开年报 栏目: the latest published version of every report, newest year first."""
    from gongkai.portal.views import SECTIONS

    versions = list(selectors.published_versions())
    if not versions:
        organisations = Organisation.objects.filter(is_active=True).select_related("parent").order_by("tree_path")
        return render(request, "portal/section_placeholder.html", {
            "section": SECTIONS["nianbao"], "section_key": "nianbao", "organisations": organisations, **COLUMN_NAV,
        })
    years: dict[int, list[AnnualReportVersion]] = {}
    for version in versions:
        years.setdefault(version.report.year, []).append(version)
    return render(request, "annual_reports/public/column.html", {
        "section": SECTIONS["nianbao"], "years": sorted(years.items(), reverse=True), **COLUMN_NAV,
    })


@login_not_required
def organisation_reports(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation's published reports, newest year first."""
    org = _organisation(slug)
    versions = list(selectors.published_versions().filter(report__organisation=org))
    return render(request, "annual_reports/public/organisation.html", {"org": org, "versions": versions, **ORG_NAV})


@login_not_required
def report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A published report as the official tables (prints on A4 without the site's chrome)."""
    org = _organisation(slug)
    version = _version(request, org, year)
    all_versions = list(AnnualReportVersion.objects.filter(report=version.report).order_by("number"))
    return render(request, "annual_reports/public/report.html", {
        "org": org, "year": year, "version": version, "content": version.content,
        "sections": layout.sections(version.content), "versions": all_versions,
        "latest": all_versions[-1].number, "formats": list(exports.FORMATS), **ORG_NAV,
    })


@login_not_required
def report_download(request: HttpRequest, slug: str, year: int, fmt: str) -> HttpResponse:
    org = _organisation(slug)
    if fmt not in exports.FORMATS:
        raise Http404("不支持的格式。")
    return download(_version(request, org, year).content, fmt)
