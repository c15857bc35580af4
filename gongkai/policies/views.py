"""Public pages of the policy library (政策库): home, search, document and interpretation pages,
special libraries (专题库). Every view is public and every query starts from
``gongkai.policies.selectors`` so that a non-public document can never leak into a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from gongkai.domain.documents import Validity, effective_validity
from gongkai.policies.models import (
    Attachment,
    Document,
    DocumentRelation,
    Interpretation,
    Level,
    SpecialLibrary,
    Tag,
)
from gongkai.policies.selectors import (
    counts_by_level,
    library_documents,
    public_documents,
    public_interpretations,
    public_libraries,
)
from gongkai.statistics.services import count_attachment_download, count_document_view

PAGE_SIZE = 20


def public_document_list() -> QuerySet[Document]:
    return public_documents().select_related("organisation", "subject", "subject__parent")


def validity_of(document: Document) -> Validity:
    """有效性 as the public sees it today (废止日期 reached → 失效)."""
    return effective_validity(Validity(document.validity), document.repeal_on, timezone.localdate())


def tag_counts(kind: str, documents: QuerySet[Document] | None = None) -> list[tuple[Tag, int]]:
    """[(tag, count)] of one tag kind over public documents; one GROUP BY query on the M2M table."""
    base = documents if documents is not None else public_documents()
    rows = (Document.tags.through.objects.filter(document__in=base.order_by().values("pk"), tag__kind=kind)
            .values("tag_id").annotate(n=Count("document_id")))
    counts = {row["tag_id"]: row["n"] for row in rows}
    return [(t, counts[t.pk]) for t in Tag.objects.filter(kind=kind) if counts.get(t.pk)]


def _page(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(items, size).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    return urlencode(params)


# --- Library home ---------------------------------------------------------------------------

@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """政策库 home: counts by level and by theme, the special libraries, the latest documents."""
    documents = public_documents()
    return render(request, "policies/public/home.html", {
        "level_counts": counts_by_level(documents),
        "theme_counts": tag_counts(Tag.Kind.THEME, documents),
        "total": documents.count(),
        "libraries": public_libraries(),
        "latest": public_document_list()[:10],
        "latest_interpretations": public_interpretations().select_related("organisation")[:5],
    })


# --- Search ---------------------------------------------------------------------------------

FACET_PARAMS = {
    # GET parameter → (SearchQuery field, 标题)
    "level": ("levels", "层级"),
    "issuer": ("issuers", "发文机关"),
    "category": ("categories", "文件类别"),
    "subject": ("subjects", "主题分类"),
    "tag": ("tags", "标签"),
    "year": ("years", "年份"),
    "validity": ("validities", "有效性"),
}


def _search_module() -> Any:
    try:
        from gongkai.policies.search import api as search_api
    except ImportError:
        return None
    return search_api if hasattr(search_api, "search") else None


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool
    input_id: str


@dataclass
class FacetGroup:
    param: str
    title: str
    options: list[FacetOption]


def _int_or_none(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def search_query_from(params: Any, *, page: int = 1, page_size: int = PAGE_SIZE,
                      extra_tags: list[str] | None = None, extra_levels: list[str] | None = None) -> Any:
    """Build ``SearchQuery`` from GET-style parameters (the page and the API share this)."""
    search_api = _search_module()
    if search_api is None:
        return None
    kwargs: dict[str, Any] = {
        "text": params.get("q", "").strip()[:200],
        "title_only": params.get("scope") == "title",
        "sort": "date" if params.get("sort") == "date" else "relevance",
        "page": max(page, 1),
        "page_size": page_size,
    }
    for param, (field, _title) in FACET_PARAMS.items():
        values = [v for v in params.getlist(param) if v]
        if field == "years":
            kwargs[field] = [int(v) for v in values if v.isdigit()]
        elif field == "subjects":
            kwargs[field] = [int(v) for v in values if v.isdigit()]
        else:
            kwargs[field] = values
    if extra_tags:
        kwargs["tags"] = list(kwargs.get("tags") or []) + extra_tags
    if extra_levels and not kwargs.get("levels"):
        kwargs["levels"] = extra_levels
    org = _int_or_none(params.get("org", ""))
    if org is not None:
        kwargs["organisation_ids"] = [org]
    agency = params.get("agency", "").strip()[:30]
    if agency:
        kwargs["doc_number_agency"] = agency
    year = _int_or_none(params.get("dn_year", ""))
    if year is not None:
        kwargs["doc_number_year"] = year
    seq = _int_or_none(params.get("dn_seq", ""))
    if seq is not None:
        kwargs["doc_number_seq"] = seq
    return search_api.SearchQuery(**kwargs)


# Facet name from search() → (GET parameter, 标题); theme/audience/topic are all ``tag=kind:slug``.
FACET_TITLES = {
    "level": ("level", "层级"), "issuer": ("issuer", "发文机关"), "category": ("category", "文件类别"),
    "subject": ("subject", "主题分类"), "theme": ("tag", "政策主题"), "audience": ("tag", "适用对象"),
    "topic": ("tag", "专题"), "year": ("year", "年份"), "validity": ("validity", "有效性"),
}


def _facet_groups(request: HttpRequest, facets: dict[str, Any]) -> list[FacetGroup]:
    groups = []
    for name, options in (facets or {}).items():
        param, title = FACET_TITLES.get(name, (name, name))
        chosen = set(request.GET.getlist(param))
        groups.append(FacetGroup(param, title, [
            FacetOption(str(value), str(label), int(count), str(value) in chosen, f"f-{name}-{i}")
            for i, (value, label, count) in enumerate(options)
        ]))
    return groups


@login_not_required
def search(request: HttpRequest) -> HttpResponse:
    """检索 — full-text search with facets (GOV.UK filter pattern: a GET form that works without
    JavaScript)."""
    page = _int_or_none(request.GET.get("page", "1")) or 1
    query = search_query_from(request.GET, page=page)
    context: dict[str, Any] = {"q": request.GET.get("q", ""), "sort": request.GET.get("sort", "relevance"),
                               "scope": request.GET.get("scope", ""), "query_string": _query_without_page(request)}
    if query is None:
        context["unavailable"] = True
        return render(request, "policies/public/search.html", context, status=503)
    results = _search_module().search(query)
    pages = max((results.total + results.page_size - 1) // results.page_size, 1)
    labels = {(FACET_TITLES.get(name, (name, ""))[0], str(value)): (FACET_TITLES.get(name, (name, name))[1], str(label))
              for name, options in (results.facets or {}).items() for value, label, _ in options}
    removable = [
        (*labels.get((k, v), (FACET_PARAMS[k][1], v)),
         "?" + urlencode([(kk, vv) for kk, vs in request.GET.lists() for vv in vs
                          if kk != "page" and not (kk == k and vv == v)]))
        for k, vs in request.GET.lists() if k in FACET_PARAMS for v in vs if v
    ]
    context.update({
        "results": results, "facet_groups": _facet_groups(request, results.facets), "pages": pages,
        "page_numbers": range(max(1, results.page - 3), min(pages, results.page + 3) + 1),
        "removable": removable,
        "sort_relevance_qs": _with(request, sort="relevance"), "sort_date_qs": _with(request, sort="date"),
    })
    return render(request, "policies/public/search.html", context)


def _with(request: HttpRequest, **changes: str) -> str:
    params = [(k, v) for k, vs in request.GET.lists() for v in vs if k not in changes and k != "page"]
    params += list(changes.items())
    return "?" + urlencode(params)


# --- Document page --------------------------------------------------------------------------

def get_public_document(doc_id: int) -> Document:
    return get_object_or_404(public_document_list(), pk=doc_id)


def qr_svg(url: str) -> str:
    """QR code to the page, as inline SVG (no inline style: segno writes attributes only)."""
    return str(segno.make(url, error="m").svg_inline(scale=3, title="本页二维码", svgclass="qr-code",
                                                    lineclass="qr-line"))


def relations_for(document: Document) -> dict[str, list[DocumentRelation]]:
    public_ids = public_documents().values("pk")
    incoming = list(document.incoming.filter(source__in=public_ids).select_related("source")
                    .order_by("-source__published_at"))
    outgoing = list(document.outgoing.filter(target__in=public_ids).select_related("target")
                    .order_by("-target__published_at"))
    return {"incoming": incoming, "outgoing": outgoing}


@login_not_required
def document_detail(request: HttpRequest, doc_id: int, print_view: bool = False) -> HttpResponse:
    """文件页 with the gov.cn metadata table; ``?print=1`` or ``print/`` gives the print view."""
    document = get_public_document(doc_id)
    print_view = print_view or request.GET.get("print") == "1"
    if not print_view and request.method == "GET":
        count_document_view(document.pk)  # 统计分析: daily view counter
    page_url = request.build_absolute_uri(reverse("policies:document", args=[document.pk]))
    validity = validity_of(document)
    relations = relations_for(document)
    replaced_by = list(relations["incoming"]) if validity != Validity.VALID else []
    return render(request, "policies/public/document.html", {
        "doc": document,
        "validity": validity,
        "validity_label": validity.label,
        "replaced_by": replaced_by,
        "relations": relations,
        "attachments": document.attachments.all(),
        "interpretations": public_interpretations().filter(documents=document),
        "tags": document.tags.all(),
        "qr": qr_svg(page_url),
        "page_url": page_url,
        "print_view": print_view,
    })


@login_not_required
def document_print(request: HttpRequest, doc_id: int) -> HttpResponse:
    return document_detail(request, doc_id, print_view=True)


@login_not_required
def attachment_download(request: HttpRequest, doc_id: int, attachment_id: int) -> FileResponse:
    """附件下载 — only for public documents; always as a download, never rendered inline."""
    document = get_public_document(doc_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, document=document)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("附件文件不存在。") from None
    count_attachment_download(document.pk)  # 统计分析: daily download counter
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Interpretations ------------------------------------------------------------------------

@login_not_required
def interpretation_list(request: HttpRequest) -> HttpResponse:
    """政策解读 by theme (``?theme=slug``) and kind."""
    items = public_interpretations().select_related("organisation").prefetch_related("themes")
    themes = Tag.objects.filter(kind=Tag.Kind.THEME, interpretations__in=public_interpretations()).distinct()
    theme = request.GET.get("theme", "")
    if theme:
        items = items.filter(themes__kind=Tag.Kind.THEME, themes__slug=theme)
    kind = request.GET.get("kind", "")
    if kind in Interpretation.Kind.values:
        items = items.filter(kind=kind)
    return render(request, "policies/public/interpretation_list.html", {
        "page": _page(request, items), "themes": themes, "theme": theme, "kind": kind,
        "kinds": Interpretation.Kind.choices, "query_string": _query_without_page(request),
    })


@login_not_required
def interpretation_detail(request: HttpRequest, interp_id: int) -> HttpResponse:
    interpretation = get_object_or_404(public_interpretations().select_related("organisation"), pk=interp_id)
    return render(request, "policies/public/interpretation.html", {
        "item": interpretation,
        "documents": public_document_list().filter(interpretations=interpretation),
        "images": interpretation.images.all(),
        "qas": interpretation.qas.all(),
        "themes": interpretation.themes.all(),
    })


# --- Special libraries (专题库) --------------------------------------------------------------

def get_public_library(slug: str) -> SpecialLibrary:
    return get_object_or_404(public_libraries().select_related("organisation"), slug=slug)


@login_not_required
def library_list(request: HttpRequest) -> HttpResponse:
    libraries = [(lib, counts_by_level(library_documents(lib))) for lib in public_libraries()]
    return render(request, "policies/public/library_list.html", {"libraries": libraries})


@login_not_required
def library_detail(request: HttpRequest, library_slug: str) -> HttpResponse:
    """专题库 page: counts by level (as Hunan's 复工复产政策库: 国家 16, 省级 75, 市州 58), the
    documents with a level filter, and a search box scoped to the library."""
    library = get_public_library(library_slug)
    documents = library_documents(library).select_related("organisation", "subject", "subject__parent")
    level_counts = counts_by_level(documents)
    level = request.GET.get("level", "")
    shown = documents.filter(level=level) if level in Level.values else documents
    scope_tags = [f"{t.kind}:{t.slug}" for t in library.rule_tags.all()]
    return render(request, "policies/public/library.html", {
        "library": library,
        "level_counts": level_counts,
        "total": sum(n for _, _, n in level_counts),
        "level": level if level in Level.values else "",
        "level_label": dict(Level.choices).get(level, ""),
        "page": _page(request, shown),
        "query_string": _query_without_page(request),
        "scope_tags": scope_tags if library.kind == SpecialLibrary.Kind.RULE else [],
        "scope_levels": list(library.rule_levels) if library.kind == SpecialLibrary.Kind.RULE else [],
        "can_search": _search_module() is not None and library.kind == SpecialLibrary.Kind.RULE,
    })
