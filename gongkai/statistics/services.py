"""The only writers of the statistics app: the assessment weights (audited) and the public
document counters.

The counters are deliberately *not* audited: they are anonymous page traffic, not anybody's
decision, and one audit row per page view would flood the hash-chained log. They are incremented
atomically in the database (``UPDATE … SET views = views + 1``; the first hit of a day inserts the
row, and a concurrent first hit that loses the race on the unique (document, day) constraint
falls back to the update), so no hit is lost under concurrency and a counter failure never breaks
the public page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.domain.statistics import METRIC_KEYS, AssessmentError, validate_weights
from gongkai.statistics.models import AssessmentWeights, DocumentDailyCount

logger = logging.getLogger(__name__)

NO_WEIGHTS_PERMISSION = "只有本机关的公开办负责人可以设置考核权重。"


@transaction.atomic
def assessment_weights_update(*, actor: Any, organisation: Organisation, weights: Mapping[str, Any],
                              http_request: HttpRequest | None = None) -> AssessmentWeights:
    """公开办负责人 sets the assessment weights of ``organisation`` (they also apply to its
    subordinates without weights of their own): whole numbers 0–100 that add up to 100."""
    if actor is None or not user_has_org_perm(actor, organisation, Perm.APPROVE):
        raise PermissionDenied(NO_WEIGHTS_PERMISSION)
    try:
        clean = validate_weights(dict(weights))
    except AssessmentError as exc:
        raise ValidationError(str(exc)) from None
    row, created = AssessmentWeights.objects.select_for_update().get_or_create(organisation=organisation)
    before = None if created else {key: getattr(row, key) for key in METRIC_KEYS}
    for key, value in clean.items():
        setattr(row, key, value)
    row.updated_by = actor
    row.save()
    record("statistics.weights_update", request=http_request, actor=actor, organisation=organisation, obj=row,
           before=before, after=clean)
    return row


def _bump(document_id: int, field: str) -> None:
    day = timezone.localdate()
    counters = DocumentDailyCount.objects.filter(document_id=document_id, day=day)
    if counters.update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            DocumentDailyCount.objects.create(document_id=document_id, day=day, **{field: 1})
    except IntegrityError:
        # Another request created today's row first: add to it.
        counters.update(**{field: F(field) + 1})


def _count(document_id: int, field: str) -> None:
    try:
        with transaction.atomic():
            _bump(document_id, field)
    except DatabaseError:
        # A counter must never break the public page (e.g. a locked SQLite database).
        logger.warning("文件%s的%s计数失败", document_id, field, exc_info=True)


def count_document_view(document_id: int) -> None:
    """One view of a public document page (文件页)."""
    _count(document_id, "views")


def count_attachment_download(document_id: int) -> None:
    """One download of an attachment of a public document."""
    _count(document_id, "downloads")
