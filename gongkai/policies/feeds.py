"""RSS 2.0 and Atom feeds (订阅) of public documents: the whole library, one organisation, one
special library (专题库) and one tag (e.g. the theme 税费优惠). Items come only from
``public_documents()``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from gongkai.accounts.models import Organisation
from gongkai.policies.models import Document, SpecialLibrary, Tag
from gongkai.policies.selectors import library_documents, public_documents, public_libraries

FEED_SIZE = 30


class _DocumentFeed(Feed):  # type: ignore[type-arg]
    feed_type = Rss201rev2Feed
    language = "zh-cn"

    def documents(self, obj: Any) -> QuerySet[Document]:
        return public_documents()

    def items(self, obj: Any) -> list[Document]:
        return list(self.documents(obj).select_related("organisation").order_by("-published_at", "-id")[:FEED_SIZE])

    def item_title(self, item: Document) -> str:
        return f"{item.title}（{item.doc_number}）" if item.doc_number else item.title

    def item_description(self, item: Document) -> str:
        return item.summary or item.body_text[:300]

    def item_link(self, item: Document) -> str:
        return reverse("policies:document", args=[item.pk])

    def item_guid(self, item: Document) -> str:
        return item.index_no

    item_guid_is_permalink = False

    def item_pubdate(self, item: Document) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Document) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Document) -> str:
        return item.lead_issuer

    def item_categories(self, item: Document) -> list[str]:
        return [item.get_level_display(), item.get_category_display()]


class LibraryFeed(_DocumentFeed):
    title = "政策库 · 最新文件"
    description = "政策库最新发布的政策文件。"

    def link(self) -> str:
        return reverse("policies:home")


class OrganisationFeed(_DocumentFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Organisation:
        return get_object_or_404(Organisation, slug=slug, is_active=True)

    def title(self, obj: Organisation) -> str:
        return f"{obj.name} · 最新政府信息"

    def description(self, obj: Organisation) -> str:
        return f"{obj.name}主动公开的政府信息。"

    def link(self, obj: Organisation) -> str:
        return reverse("portal:mulu", args=[obj.slug])

    def documents(self, obj: Organisation) -> QuerySet[Document]:
        return public_documents().filter(organisation=obj)


class SpecialLibraryFeed(_DocumentFeed):
    def get_object(self, request: HttpRequest, library_slug: str) -> SpecialLibrary:
        return get_object_or_404(public_libraries(), slug=library_slug)

    def title(self, obj: SpecialLibrary) -> str:
        return f"{obj.name} · 最新文件"

    def description(self, obj: SpecialLibrary) -> str:
        return obj.description or f"{obj.name}收录的政策文件。"

    def link(self, obj: SpecialLibrary) -> str:
        return reverse("policies:library", args=[obj.slug])

    def documents(self, obj: SpecialLibrary) -> QuerySet[Document]:
        return library_documents(obj)


class TagFeed(_DocumentFeed):
    def get_object(self, request: HttpRequest, kind: str, tag_slug: str) -> Tag:
        return get_object_or_404(Tag, kind=kind, slug=tag_slug)

    def title(self, obj: Tag) -> str:
        return f"{obj.get_kind_display()}：{obj.name} · 最新文件"

    def description(self, obj: Tag) -> str:
        return f"标有“{obj.name}”的政策文件。"

    def link(self, obj: Tag) -> str:
        return reverse("policies:search") + f"?tag={obj.kind}:{obj.slug}&sort=date"

    def documents(self, obj: Tag) -> QuerySet[Document]:
        return public_documents().filter(tags=obj)


def _atom(feed_class: type[_DocumentFeed]) -> type[_DocumentFeed]:
    return type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": Atom1Feed,
                                                             "subtitle": feed_class.description})


def public_feed(feed_class: type[_DocumentFeed], atom: bool = False) -> Any:
    """A feed instance as a public view (LoginRequiredMiddleware reads ``login_required``)."""
    return login_not_required((_atom(feed_class) if atom else feed_class)())
