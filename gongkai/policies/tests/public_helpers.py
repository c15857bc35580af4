"""Helpers for the public-surface tests: documents in every state, attachments, interpretations,
libraries — all created through the real services or plain model rows for what has no service
of its own yet (attachments are stored files, interpretations are published rows)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from gongkai.accounts.models import Organisation
from gongkai.domain.documents import DocStatus
from gongkai.policies.models import Attachment, Document, Interpretation, InterviewQA
from gongkai.policies.services.documents import document_create
from gongkai.policies.tests.fixtures import make_document


def attach(document: Document, name: str, content: bytes, *, extension: str = "pdf",
           content_type: str = "application/pdf") -> Attachment:
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(document=document, original_name=name, extension=extension, content_type=content_type,
                            size=len(content), sha256=digest)
    attachment.file.save(f"{digest}.{extension}", ContentFile(content), save=False)
    attachment.save()
    return attachment


def interpret(organisation: Organisation, documents: list[Document], *, title: str = "图解：小微企业支持措施",
              kind: str = Interpretation.Kind.TEXT, published: bool = True, **fields: Any) -> Interpretation:
    item = Interpretation.objects.create(
        organisation=organisation, kind=kind, title=title,
        status=Interpretation.Status.PUBLISHED if published else Interpretation.Status.DRAFT,
        published_at=timezone.now() - timedelta(minutes=5) if published else None, **fields)
    item.documents.set(documents)
    return item


def add_qa(item: Interpretation, question: str, answer: str, **fields: Any) -> InterviewQA:
    return InterviewQA.objects.create(interpretation=item, question=question, answer=answer, **fields)


def document_in_state(organisation: Organisation, state: str, title: str, **fields: Any) -> Document:
    """A document that is NOT public for the reason ``state`` names (or public for "public")."""
    past = timezone.now() - timedelta(hours=1)
    if state == "public":
        return make_document(organisation, title=title, **fields)
    if state == "draft":
        return make_document(organisation, title=title, published=False, **fields)
    if state in {DocStatus.SUBMITTED, DocStatus.SECRECY_REVIEW, DocStatus.WITHDRAWN}:
        defaults = _defaults(organisation)
        defaults.update(fields)
        return document_create(actor=None, organisation=organisation, title=title, status=state,
                               published_at=past if state == DocStatus.WITHDRAWN else None, **defaults)
    if state in {"on_request", "withheld"}:
        doc = make_document(organisation, title=title, **fields)
        # The two-approval workflow is another module's; here only the resulting state matters.
        Document.objects.filter(pk=doc.pk).update(disclosure=state, disclosure_ground="art16_internal")
        doc.refresh_from_db()
        return doc
    if state == "scheduled":
        doc = make_document(organisation, title=title, **fields)
        Document.objects.filter(pk=doc.pk).update(published_at=timezone.now() + timedelta(days=3))
        doc.refresh_from_db()
        return doc
    raise ValueError(state)


def _defaults(organisation: Organisation) -> dict[str, Any]:
    from datetime import date

    from gongkai.policies.models import SubjectCategory

    return {"issuers": [organisation.name], "written_on": date(2026, 3, 2), "category": "normative",
            "level": "provincial", "body_html": "<p>正文。</p>",
            "subject": SubjectCategory.objects.filter(parent__isnull=False).first()}
