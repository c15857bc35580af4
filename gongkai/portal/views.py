"""Public portal pages (门户). Every view here is explicitly public.

Organisation data shown here (names, the tree and the 政府信息公开指南 contact data) is public by
law (《条例》第十二条、第二十条第二项), so it is loaded by slug without an access function; only
active organisations are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.accounts.models import (
    RESERVED_SLUGS,  # noqa: F401 — re-exported for the URL table
    Organisation,
)
from gongkai.policies.models import Art20Item, SubjectCategory
from gongkai.policies.selectors import public_documents


@dataclass(frozen=True)
class Section:
    """栏目 that a later issue builds; until then the page says so plainly."""

    title: str
    parent_title: str
    description: str
    column_type: str


SECTIONS: dict[str, Section] = {
    "zhidu": Section(
        "政府信息公开制度", "政府信息公开",
        "发布政府信息公开工作的法规、规章和本机关的工作制度。", "政府信息公开制度",
    ),
    "ysqgk": Section(
        "依申请公开", "政府信息公开",
        "在线提交政府信息公开申请，并查询办理进度和答复结果。", "依法申请公开",
    ),
    "nianbao": Section(
        "政府信息公开年报", "政府信息公开",
        "发布各机关按照国办公开办函〔2021〕30号格式编制的政府信息公开工作年度报告。",
        "信息公开年报",
    ),
    "services": Section("办事服务", "", "提供办事指南和政策申报等在线服务。", "办事服务"),
    "interaction": Section("互动交流", "", "提供咨询、意见征集和留言答复等互动渠道。", "互动交流"),
}


def _active_organisations() -> list[Organisation]:
    return list(Organisation.objects.filter(is_active=True).select_related("parent").order_by("tree_path", "name"))


@dataclass
class OrgNode:
    org: Organisation
    children: list[OrgNode] = field(default_factory=list)


def organisation_tree(organisations: list[Organisation]) -> list[OrgNode]:
    """Nest organisations under their nearest *active* parent; orphans become roots."""
    nodes = {o.pk: OrgNode(o) for o in organisations}
    roots: list[OrgNode] = []
    for org in organisations:
        parent = nodes.get(org.parent_id) if org.parent_id else None
        (parent.children if parent else roots).append(nodes[org.pk])
    return roots


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(is_active=True).order_by("tree_path")
    return render(request, "portal/home.html", {"organisations": organisations})


@login_not_required
def section_placeholder(request: HttpRequest, section: str) -> HttpResponse:
    """栏目 not open yet: say so, and point to where the information can be obtained meanwhile."""
    info = SECTIONS[section]
    return render(
        request,
        "portal/section_placeholder.html",
        {"section": info, "section_key": section, "organisations": _active_organisations()},
    )


@login_not_required
def gongkai_index(request: HttpRequest) -> HttpResponse:
    """政府信息公开 — organisations by tree, each with its 政府信息公开指南."""
    return render(request, "portal/gongkai_index.html", {"tree": organisation_tree(_active_organisations())})


def _organisation_by_slug(slug: str) -> Organisation:
    try:
        return Organisation.objects.select_related("parent").get(slug=slug, is_active=True)
    except Organisation.DoesNotExist:
        raise Http404("未找到该机关。") from None


@login_not_required
def organisation_page(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisation_by_slug(slug)
    return render(
        request,
        "portal/organisation.html",
        {
            "org": org,
            "parent": org.parent if org.parent and org.parent.is_active else None,
            "children": org.children.filter(is_active=True).order_by("tree_path", "name"),
        },
    )


@login_not_required
def zhinan(request: HttpRequest, slug: str) -> HttpResponse:
    """政府信息公开指南 (《条例》第十二条), generated from the organisation's own data."""
    org = _organisation_by_slug(slug)
    return render(request, "portal/zhinan.html", {"org": org})


# --- 政府信息公开目录 and 法定主动公开内容 (public documents only) -------------------------------

ART20_LATEST = 5


@login_not_required
def mulu(request: HttpRequest, slug: str) -> HttpResponse:
    """政府信息公开目录 (《条例》第十二条): 索引号, 名称, 内容概述, 生成日期 of every public item of
    the organisation; filter by year of 生成日期 and by 主题分类 (top level)."""
    org = _organisation_by_slug(slug)
    documents = public_documents().filter(organisation=org).select_related("subject", "subject__parent")
    years = [y for y in documents.order_by().annotate(y=ExtractYear("written_on"))
             .values_list("y", flat=True).distinct() if y]
    years = sorted(set(years), reverse=True)
    subjects = SubjectCategory.objects.filter(parent__isnull=True)
    year = request.GET.get("year", "")
    if year.isdigit() and int(year) in years:
        documents = documents.filter(written_on__year=int(year))
    else:
        year = ""
    subject = request.GET.get("subject", "")
    chosen = next((s for s in subjects if str(s.pk) == subject), None)
    if chosen is not None:
        documents = documents.filter(subject__parent=chosen) | documents.filter(subject=chosen)
    else:
        subject = ""
    page = Paginator(documents.order_by("-written_on", "-id"), 20).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("year", year), ("subject", subject)) if v)
    return render(request, "portal/mulu.html", {
        "org": org, "page": page, "years": years, "subjects": subjects, "year": year,
        "subject": subject, "subject_name": chosen.name if chosen else "", "query_string": query,
    })


@login_not_required
def fdzdgknr_index(request: HttpRequest) -> HttpResponse:
    """法定主动公开内容: choose an organisation (each with its count of public items)."""
    counts = dict(public_documents().filter(art20_item__isnull=False).order_by().values_list("organisation_id")
                  .annotate(n=Count("id")).values_list("organisation_id", "n"))
    return render(request, "portal/fdzdgknr_index.html", {
        "tree": organisation_tree(_active_organisations()), "counts": counts,
    })


@dataclass
class Art20Group:
    item: int
    label: str
    documents: list[Any]
    total: int


@login_not_required
def org_fdzdgknr(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation's 法定主动公开内容, grouped by the 15 items of 《条例》第二十条; each group shows
    its latest documents and links to the full list in the 目录 (filtered by item)."""
    org = _organisation_by_slug(slug)
    documents = public_documents().filter(organisation=org, art20_item__isnull=False)
    item = request.GET.get("item", "")
    totals = dict(documents.order_by().values_list("art20_item").annotate(n=Count("id"))
                  .values_list("art20_item", "n"))
    if item.isdigit() and int(item) in Art20Item.values:
        number = int(item)
        page = Paginator(documents.filter(art20_item=number).order_by("-published_at", "-id"), 20).get_page(
            request.GET.get("page"))
        return render(request, "portal/org_fdzdgknr_item.html", {
            "org": org, "item": number, "label": Art20Item(number).label, "page": page,
            "query_string": f"item={number}",
        })
    groups = []
    for value, label in Art20Item.choices:
        latest = list(documents.filter(art20_item=value).order_by("-published_at", "-id")[:ART20_LATEST]) \
            if totals.get(value) else []
        groups.append(Art20Group(value, str(label), latest, totals.get(value, 0)))
    return render(request, "portal/org_fdzdgknr.html", {"org": org, "groups": groups})
