"""政策库开放接口 ``/api/v1/policies/``: documents (list, search, detail) and special libraries.
Public documents only (``gongkai.policies.selectors``). Responses carry ETag and Last-Modified;
a matching If-None-Match / If-Modified-Since gets 304 without a body."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from ninja import Router, Schema
from ninja.errors import HttpError

from gongkai.policies.models import Category, Document, Level, SpecialLibrary
from gongkai.policies.selectors import (
    counts_by_level,
    library_documents,
    public_documents,
    public_interpretations,
    public_libraries,
)
from gongkai.policies.views import relations_for, search_query_from, validity_of

router = Router(tags=["政策库"])

MAX_PAGE_SIZE = 100


# --- Schemas ----------------------------------------------------------------------------------

class DocumentOut(Schema):
    id: int
    index_no: str
    title: str
    doc_number: str
    issuers: list[str]
    lead_issuer: str
    organisation: str
    level: str
    level_display: str
    category: str
    category_display: str
    subject: str | None
    written_on: date
    published_at: datetime | None
    effective_on: date | None
    repeal_on: date | None
    validity: str
    validity_display: str
    tags: list[str]
    summary: str
    url: str


class InterpretationRef(Schema):
    id: int
    kind: str
    kind_display: str
    title: str
    url: str


class RelationOut(Schema):
    kind: str
    kind_display: str
    direction: str
    document_id: int
    title: str
    url: str


class AttachmentOut(Schema):
    name: str
    extension: str
    size: int
    url: str


class DocumentDetailOut(DocumentOut):
    keywords: str
    source: str
    body_html: str
    interpretations: list[InterpretationRef]
    relations: list[RelationOut]
    attachments: list[AttachmentOut]
    updated_at: datetime


class DocumentPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DocumentOut]


class SearchHitOut(Schema):
    document_id: int
    index_no: str
    title: str
    title_html: str
    snippet_html: str
    published_at: datetime | None
    level: str
    lead_issuer: str
    doc_number: str
    validity: str
    score: float
    url: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    total: int
    page: int
    page_size: int
    took_ms: float
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]


class LevelCount(Schema):
    level: str
    label: str
    count: int


class LibraryOut(Schema):
    slug: str
    name: str
    description: str
    kind: str
    organisation: str
    counts: list[LevelCount]
    total: int
    url: str


class LibraryDetailOut(LibraryOut):
    documents: list[DocumentOut]


class DetailOut(Schema):
    detail: str


# --- Helpers ----------------------------------------------------------------------------------

def document_out(doc: Document) -> dict[str, Any]:
    validity = validity_of(doc)
    return {
        "id": doc.pk, "index_no": doc.index_no, "title": doc.title, "doc_number": doc.doc_number,
        "issuers": list(doc.issuers or []), "lead_issuer": doc.lead_issuer, "organisation": doc.organisation.slug,
        "level": doc.level, "level_display": doc.get_level_display(), "category": doc.category,
        "category_display": doc.get_category_display(), "subject": str(doc.subject) if doc.subject else None,
        "written_on": doc.written_on, "published_at": doc.published_at, "effective_on": doc.effective_on,
        "repeal_on": doc.repeal_on, "validity": validity.value, "validity_display": validity.label,
        "tags": [f"{t.kind}:{t.slug}" for t in doc.tags.all()], "summary": doc.summary,
        "url": reverse("policies:document", args=[doc.pk]),
    }


def _documents() -> QuerySet[Document]:
    return public_documents().select_related("organisation", "subject", "subject__parent").prefetch_related("tags")


def _etag(*parts: Any) -> str:
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(since is not None and last_modified is not None and int(last_modified.timestamp()) <= since)


def _conditional(request: HttpRequest, response: HttpResponse, etag: str,
                 last_modified: datetime | None) -> HttpResponse | None:
    """Set the validators on the response; a ``304`` when the client's copy is current."""
    if _not_modified(request, etag, last_modified):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        if last_modified is not None:
            not_modified["Last-Modified"] = http_date(last_modified.timestamp())
        return not_modified
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return None


def _page_args(page: int, page_size: int) -> tuple[int, int]:
    if page < 1:
        raise HttpError(400, "页码必须是正整数。")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise HttpError(400, f"每页条数应在 1 到 {MAX_PAGE_SIZE} 之间。")
    return page, page_size


def _fingerprint(qs: QuerySet[Document]) -> tuple[int, datetime | None]:
    """(count, latest change) of a list in one scan (the count is also the response's ``count``)."""
    agg = qs.order_by().aggregate(n=Count("id"), latest=Max("updated_at"))
    return int(agg["n"]), agg["latest"]


# --- Documents --------------------------------------------------------------------------------

@router.get("/documents", auth=None, response={200: DocumentPage, 304: None, 400: DetailOut},
            summary="政策文件列表", url_name="policy_document_list")
def document_list(
    request: HttpRequest, response: HttpResponse, page: int = 1, page_size: int = 20, level: str | None = None,
    category: str | None = None, organisation: str | None = None, tag: str | None = None,
    year: int | None = None, doc_number: str | None = None,
) -> Any:
    """公开的政策文件，按发布日期倒序。可按层级、类别、机关网址标识、标签（`kind:slug`）、成文年份、发文字号筛选。"""
    page, page_size = _page_args(page, page_size)
    documents = _documents()
    if level is not None:
        if level not in Level.values:
            raise HttpError(400, f"未知的层级“{level}”，可选：{'、'.join(Level.values)}。")
        documents = documents.filter(level=level)
    if category is not None:
        if category not in Category.values:
            raise HttpError(400, f"未知的类别“{category}”。")
        documents = documents.filter(category=category)
    if organisation:
        documents = documents.filter(organisation__slug=organisation)
    if tag:
        kind, _, slug = tag.partition(":")
        if not slug:
            raise HttpError(400, "标签应写作“类型:标识”，例如 theme:shuifei。")
        documents = documents.filter(tags__kind=kind, tags__slug=slug)
    if year is not None:
        documents = documents.filter(written_on__year=year)
    if doc_number:
        documents = documents.filter(doc_number=doc_number.strip())
    count, latest = _fingerprint(documents)
    etag = _etag("list", request.GET.urlencode(), count, latest)
    if (early := _conditional(request, response, etag, latest)) is not None:
        return early
    start = (page - 1) * page_size
    items = [document_out(d) for d in documents.order_by("-published_at", "-id")[start:start + page_size]]
    return {"count": count, "page": page, "page_size": page_size, "items": items}


@router.get("/search", auth=None, response={200: SearchOut, 304: None, 400: DetailOut, 503: DetailOut},
            summary="全文检索政策文件", url_name="policy_search")
def document_search(request: HttpRequest, response: HttpResponse, q: str = "", page: int = 1,
                    page_size: int = 20, facets: bool = False) -> Any:
    """中文全文检索（标题、发文字号、正文、附件文本）。筛选参数同检索页面：`level`、`issuer`、`category`、
    `subject`、`tag`（`kind:slug`）、`year`、`validity`（均可重复），`scope=title` 仅检索标题，`sort=date` 按日期排序。
    `facets=true` 时同时返回各筛选项的分面计数（需遍历全部命中文档，较慢；默认不返回，`facets` 为空对象）。"""
    page, page_size = _page_args(page, page_size)
    query = search_query_from(request.GET, page=page, page_size=page_size)
    if query is None:
        raise HttpError(503, "检索服务暂不可用，请稍后再试。")
    # Facet counts visit every match (at 1,000,000 documents a common word matches most of them):
    # an API client asks for them; the search page always shows them.
    query.with_facets = facets
    from gongkai.policies.search.api import index_fingerprint, search

    # The index changes whenever a public document does (change log), so its fingerprint
    # validates search responses without a database query; the date covers 废止日期 → 失效.
    etag = _etag("search", request.GET.urlencode(), index_fingerprint(), timezone.localdate())
    if (early := _conditional(request, response, etag, None)) is not None:
        return early
    results = search(query)
    return {
        "total": results.total, "page": results.page, "page_size": results.page_size, "took_ms": results.took_ms,
        "hits": [{
            "document_id": h.document_id, "index_no": h.index_no, "title": h.title, "title_html": h.title_html,
            "snippet_html": h.snippet_html, "published_at": h.published_at, "level": h.level,
            "lead_issuer": h.lead_issuer, "doc_number": h.doc_number, "validity": h.validity,
            "score": float(h.score), "url": reverse("policies:document", args=[h.document_id]),
        } for h in results.hits],
        "facets": {name: [{"value": str(v), "label": str(lbl), "count": int(c)} for v, lbl, c in options]
                   for name, options in (results.facets or {}).items()},
    }


@router.get("/documents/{document_id}", auth=None,
            response={200: DocumentDetailOut, 304: None, 404: DetailOut},
            summary="政策文件详情（含解读、修改废止关系、附件）", url_name="policy_document_detail")
def document_detail(request: HttpRequest, response: HttpResponse, document_id: int) -> Any:
    doc = _documents().filter(pk=document_id).first()
    if doc is None:
        raise Http404
    interpretations = list(public_interpretations().filter(documents=doc))
    relations = relations_for(doc)
    stamps = [doc.updated_at, *(i.updated_at for i in interpretations),
              *(r.source.updated_at for r in relations["incoming"]),
              *(r.target.updated_at for r in relations["outgoing"])]
    latest = max(stamps)
    today = timezone.localdate()
    etag = _etag("doc", doc.pk, *stamps, today if doc.repeal_on else "")
    if (early := _conditional(request, response, etag, latest)) is not None:
        return early
    data = document_out(doc)
    data.update({
        "keywords": doc.keywords, "source": doc.source, "body_html": doc.body_html, "updated_at": doc.updated_at,
        "interpretations": [{"id": i.pk, "kind": i.kind, "kind_display": i.get_kind_display(), "title": i.title,
                             "url": reverse("policies:interpretation", args=[i.pk])} for i in interpretations],
        "relations": [
            *({"kind": r.kind, "kind_display": r.get_kind_display(), "direction": "incoming",
               "document_id": r.source.pk, "title": r.source.title,
               "url": reverse("policies:document", args=[r.source.pk])} for r in relations["incoming"]),
            *({"kind": r.kind, "kind_display": r.get_kind_display(), "direction": "outgoing",
               "document_id": r.target.pk, "title": r.target.title,
               "url": reverse("policies:document", args=[r.target.pk])} for r in relations["outgoing"]),
        ],
        "attachments": [{"name": a.original_name, "extension": a.extension, "size": a.size,
                         "url": reverse("policies:attachment", args=[doc.pk, a.pk])} for a in doc.attachments.all()],
    })
    return data


# --- Special libraries ------------------------------------------------------------------------

def _library_out(library: SpecialLibrary) -> dict[str, Any]:
    counts = counts_by_level(library_documents(library))
    return {
        "slug": library.slug, "name": library.name, "description": library.description, "kind": library.kind,
        "organisation": library.organisation.slug,
        "counts": [{"level": v, "label": lbl, "count": n} for v, lbl, n in counts],
        "total": sum(n for _, _, n in counts), "url": reverse("policies:library", args=[library.slug]),
    }


@router.get("/libraries", auth=None, response=list[LibraryOut], summary="专题库列表（含各层级文件数）",
            url_name="policy_library_list")
def library_list(request: HttpRequest) -> Any:
    return [_library_out(lib) for lib in public_libraries().select_related("organisation")]


@router.get("/libraries/{library_slug}", auth=None, response={200: LibraryDetailOut, 404: DetailOut},
            summary="专题库详情（最新 100 件文件）", url_name="policy_library_detail")
def library_detail(request: HttpRequest, library_slug: str, level: str | None = None) -> Any:
    library = public_libraries().select_related("organisation").filter(slug=library_slug).first()
    if library is None:
        raise Http404
    documents = library_documents(library).select_related("organisation", "subject", "subject__parent") \
        .prefetch_related("tags")
    if level in Level.values:
        documents = documents.filter(level=level)
    data = _library_out(library)
    data["documents"] = [document_out(d) for d in documents.order_by("-published_at", "-id")[:MAX_PAGE_SIZE]]
    return data
