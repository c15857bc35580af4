"""sitemap.xml: public documents, public interpretations, online special libraries and the
organisation pages (政府信息公开 column, 目录, 法定主动公开内容)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from gongkai.accounts.models import Organisation
from gongkai.policies.models import Document, Interpretation, SpecialLibrary
from gongkai.policies.selectors import public_documents, public_interpretations, public_libraries


class DocumentSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "monthly"
    limit = 5000

    def items(self) -> Any:
        return public_documents().only("pk", "updated_at").order_by("-published_at", "-id")

    def location(self, item: Document) -> str:
        return reverse("policies:document", args=[item.pk])

    def lastmod(self, item: Document) -> datetime:
        return item.updated_at


class InterpretationSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "monthly"

    def items(self) -> Any:
        return public_interpretations().only("pk", "updated_at").order_by("-published_at", "-id")

    def location(self, item: Interpretation) -> str:
        return reverse("policies:interpretation", args=[item.pk])

    def lastmod(self, item: Interpretation) -> datetime:
        return item.updated_at


class LibrarySitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "weekly"

    def items(self) -> Any:
        return public_libraries().order_by("sort", "id")

    def location(self, item: SpecialLibrary) -> str:
        return reverse("policies:library", args=[item.slug])


class OrganisationSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "weekly"

    def items(self) -> list[tuple[str, str]]:
        pages = []
        for slug in Organisation.objects.filter(is_active=True).order_by("tree_path").values_list("slug", flat=True):
            pages += [("portal:organisation", slug), ("portal:zhinan", slug), ("portal:mulu", slug),
                      ("portal:org_fdzdgknr", slug)]
        return pages

    def location(self, item: tuple[str, str]) -> str:
        return reverse(item[0], args=[item[1]])


class SectionSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["policies:home", "policies:interpretation_list", "policies:library_list",
                "portal:gongkai_index", "portal:gongkai_fdzdgknr"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "sections": SectionSitemap,
    "documents": DocumentSitemap,
    "interpretations": InterpretationSitemap,
    "libraries": LibrarySitemap,
    "organisations": OrganisationSitemap,
}
