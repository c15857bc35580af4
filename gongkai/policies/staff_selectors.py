"""Staff-side queries for the policy library (工作台): the 条例第二十六条 publishing deadline
list, the 条例第十八条 reassessment list, the non-public share for annual reports and a document's
audit history. Public queries live in ``gongkai.policies.selectors``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from gongkai.core.models import AuditEvent
from gongkai.domain.calendar import CalendarError
from gongkai.domain.documents import Disclosure, DocStatus
from gongkai.policies.access import documents_for
from gongkai.policies.models import Document, Interpretation

ART26_WORKING_DAYS = 20  # 条例第二十六条: publish within 20 working days of forming
ART26_WARN_DAYS = 5
ART18_LOOKAHEAD_DAYS = 30
UNPUBLISHED_STATUSES = (DocStatus.DRAFT, DocStatus.SUBMITTED, DocStatus.SECRECY_REVIEW)


@dataclass(frozen=True)
class Art26Item:
    """A document not yet published, with its 条例第二十六条 deadline."""

    document: Document
    due: date
    provisional: bool  # 待确认: the span touches a year whose holiday notice is not loaded
    remaining: int  # working days left after today (0 = due today); negative = overdue by that many

    @property
    def overdue(self) -> bool:
        return self.remaining < 0


def art26_due_list(user: Any, today: date, *, warn_days: int = ART26_WARN_DAYS) -> list[Art26Item]:
    """条例第二十六条: 主动公开 documents of the user's organisations that are not yet published,
    whose 成文日期 + 20 working days is at most ``warn_days`` working days away or already past.
    Non-public documents have no publishing duty and are left out. Most urgent first."""
    from gongkai.workcalendar.selectors import working_calendar

    calendar = working_calendar()
    items: list[Art26Item] = []
    candidates = documents_for(user).filter(
        status__in=UNPUBLISHED_STATUSES, disclosure=Disclosure.PROACTIVE,
    ).select_related("organisation").order_by("written_on", "id")
    for document in candidates:
        try:
            result = calendar.add_working_days(document.written_on, ART26_WORKING_DAYS)
        except CalendarError:
            continue
        if result.due >= today:
            remaining = calendar.working_days_between(today, result.due)
        else:
            remaining = -max(1, calendar.working_days_between(result.due, today))
        if remaining <= warn_days:
            items.append(Art26Item(document, result.due, result.provisional, remaining))
    items.sort(key=lambda item: (item.remaining, item.document.pk))
    return items


def reassessment_due(user: Any, today: date, *, lookahead_days: int = ART18_LOOKAHEAD_DAYS) -> QuerySet[Document]:
    """条例第十八条: non-public documents of the user's organisations whose reassessment date
    (复核日期) falls within ``lookahead_days`` — or that have never been given one."""
    return documents_for(user).exclude(disclosure=Disclosure.PROACTIVE).filter(
        Q(disclosure_review_on__isnull=True) | Q(disclosure_review_on__lte=today + timedelta(days=lookahead_days))
    ).select_related("organisation").order_by(F("disclosure_review_on").asc(nulls_first=True), "id")


@dataclass(frozen=True)
class NonpublicShare:
    """不主动公开文件占比: documents written in the year that are not 主动公开 / all written."""

    nonpublic: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.nonpublic / self.total if self.total else None


def nonpublic_share(organisation: Any, year: int) -> NonpublicShare:
    """One aggregate query (for the annual report)."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    counts = Document.objects.filter(organisation=organisation, written_on__gte=start, written_on__lt=end).aggregate(
        total=Count("id"), nonpublic=Count("id", filter=~Q(disclosure=Disclosure.PROACTIVE)),
    )
    return NonpublicShare(nonpublic=counts["nonpublic"], total=counts["total"])


def document_history(document: Document) -> QuerySet[AuditEvent]:
    """The audit rows about a document and its attribute-change requests, oldest first."""
    change_ids = [str(pk) for pk in document.disclosure_changes.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(object_type="policies.Document", object_id=str(document.pk))
        | Q(object_type="policies.DisclosureChange", object_id__in=change_ids)
    ).select_related("actor").order_by("seq")


def interpretation_history(interpretation: Interpretation) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type="policies.Interpretation", object_id=str(interpretation.pk),
    ).select_related("actor").order_by("seq")
