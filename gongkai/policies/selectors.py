"""Queries for the policy library. ``public_documents`` is the ONE definition of what the public
may see; every public page, list, count, feed, sitemap, API and the search index use it."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongkai.domain.documents import Disclosure, DocStatus
from gongkai.policies.models import Document, Interpretation


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
