"""Queries for the policy library. ``public_documents`` is the ONE definition of what the public
may see; every public page, list, count, feed, sitemap, API and the search index use it."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from gongkai.domain.documents import Disclosure, DocStatus
from gongkai.policies.models import Document, Interpretation, Level, SpecialLibrary


def public_document_filter(now: datetime | None = None) -> Q:
    return Q(
        status=DocStatus.PUBLISHED,
        disclosure=Disclosure.PROACTIVE,
        published_at__isnull=False,
        published_at__lte=now or timezone.now(),
        organisation__is_active=True,
    )


def public_documents(now: datetime | None = None) -> QuerySet[Document]:
    return Document.objects.filter(public_document_filter(now))


def is_public(document: Document, now: datetime | None = None) -> bool:
    moment = now or timezone.now()
    return (
        document.status == DocStatus.PUBLISHED
        and document.disclosure == Disclosure.PROACTIVE
        and document.published_at is not None
        and document.published_at <= moment
        and document.organisation.is_active
    )


def public_interpretations(now: datetime | None = None) -> QuerySet[Interpretation]:
    return Interpretation.objects.filter(
        status=Interpretation.Status.PUBLISHED, published_at__isnull=False,
        published_at__lte=now or timezone.now(),
    )


def library_documents(library: SpecialLibrary, now: datetime | None = None) -> QuerySet[Document]:
    """The public documents of a 专题库: the curated selection, or every public document carrying
    ANY of the rule tags at one of the rule levels (no levels = all levels)."""
    documents = public_documents(now)
    if library.kind == SpecialLibrary.Kind.CURATED:
        return documents.filter(pk__in=library.documents.through.objects.filter(
            speciallibrary_id=library.pk).values("document_id"))
    tag_ids = list(library.rule_tags.values_list("id", flat=True))
    if not tag_ids:
        return documents.none()
    documents = documents.filter(Exists(Document.tags.through.objects.filter(
        document_id=OuterRef("pk"), tag_id__in=tag_ids)))
    if library.rule_levels:
        documents = documents.filter(level__in=list(library.rule_levels))
    return documents


def public_libraries() -> QuerySet[SpecialLibrary]:
    return SpecialLibrary.objects.filter(is_published=True, organisation__is_active=True)


def counts_by_level(documents: QuerySet[Document]) -> list[tuple[str, str, int]]:
    """[(level, label, count)] in the fixed 国家 → 乡镇 order; one GROUP BY query."""
    counts = dict(documents.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    return [(value, str(label), counts[value]) for value, label in Level.choices if counts.get(value)]

