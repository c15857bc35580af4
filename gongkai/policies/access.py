"""Access functions for documents and interpretations: staff of the owning organisation (or of an
ancestor through a membership with 含下级机关) see drafts; everyone else gets a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from gongkai.accounts.access import deny, organisations_for, user_has_org_perm
from gongkai.accounts.roles import Perm
from gongkai.policies.models import Document, Interpretation, SpecialLibrary


def documents_for(user: Any, perm: str = Perm.VIEW_RECORDS) -> QuerySet[Document]:
    return Document.objects.filter(organisation__in=organisations_for(user, perm))


def access_document(
    user: Any, document_id: Any, perm: str = Perm.VIEW_RECORDS, *, request: HttpRequest | None = None,
    for_update: bool = False,
) -> Document:
    try:
        qs = Document.objects.select_related("organisation", "subject")
        if for_update:
            qs = qs.select_for_update()
        document = qs.get(pk=int(document_id))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该文件。") from None
    if user_has_org_perm(user, document.organisation, perm):
        return document
    raise deny(request, user, object_type="policies.Document", object_id=document_id, detail=perm)


def access_interpretation(
    user: Any, interpretation_id: Any, perm: str = Perm.VIEW_RECORDS, *, request: HttpRequest | None = None
) -> Interpretation:
    try:
        interpretation = Interpretation.objects.select_related("organisation").get(pk=int(interpretation_id))
    except (Interpretation.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该解读。") from None
    if user_has_org_perm(user, interpretation.organisation, perm):
        return interpretation
    raise deny(request, user, object_type="policies.Interpretation", object_id=interpretation_id, detail=perm)


def access_special_library(
    user: Any, library_id: Any, perm: str = Perm.PUBLISH, *, request: HttpRequest | None = None
) -> SpecialLibrary:
    try:
        library = SpecialLibrary.objects.select_related("organisation").get(pk=int(library_id))
    except (SpecialLibrary.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该专题库。") from None
    if user_has_org_perm(user, library.organisation, perm):
        return library
    raise deny(request, user, object_type="policies.SpecialLibrary", object_id=library_id, detail=perm)
