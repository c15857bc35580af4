"""Public portal pages (门户). Every view here is explicitly public.

Organisation data shown here (names, the tree and the 政府信息公开指南 contact data) is public by
law (《条例》第十二条、第二十条第二项), so it is loaded by slug without an access function; only
active organisations are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.accounts.models import (
    RESERVED_SLUGS,  # noqa: F401 — re-exported for the URL table
    Organisation,
)


@dataclass(frozen=True)
class Section:
    """栏目 that a later issue builds; until then the page says so plainly."""

    title: str
    parent_title: str
    description: str
    column_type: str


SECTIONS: dict[str, Section] = {
    "policies": Section("政策库", "", "发布本地区、本部门的政策文件及其解读，支持检索、查阅和下载。", "政策文件"),
    "zhidu": Section(
        "政府信息公开制度", "政府信息公开",
        "发布政府信息公开工作的法规、规章和本机关的工作制度。", "政府信息公开制度",
    ),
    "fdzdgknr": Section(
        "法定主动公开内容", "政府信息公开",
        "发布《中华人民共和国政府信息公开条例》第二十条、第二十一条规定应当主动公开的政府信息。",
        "法定主动公开内容",
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
