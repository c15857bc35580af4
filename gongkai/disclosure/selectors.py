"""Reading disclosure requests for the workbench and the applicant: queues sorted by the cached
due date, the timeline, the applicant's other requests and possible duplicates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.db.models import F, Q, QuerySet

from gongkai.accounts.access import organisations_for
from gongkai.accounts.roles import Perm
from gongkai.disclosure.access import requests_for
from gongkai.disclosure.models import DisclosureRequest, RequestEvent
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.disclosure.services.workflow import applicant_key_filter
from gongkai.domain.disclosure_receipt import Channel, determine_receipt
from gongkai.domain.disclosure_workflow import OPEN_STATES

__all__ = ["requests_for", "queue", "applicant_history", "possible_duplicates", "timeline", "applicant_requests",
           "receipt_explanation"]

DUPLICATE_THRESHOLD = 0.6


def queue(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[DisclosureRequest]:
    """The workbench queue, earliest due date first (requests without a due date last).

    ``filters``: ``scope`` = "mine" (assigned to my departments as handler) / "department" (same
    as mine for handlers; for registrars their organisations) / "organisation" (default: all I can
    see); ``status`` (one value or a list), ``open`` (True: open states only), ``outcome``,
    ``channel``, ``applicant_type``, ``overdue`` (True), ``due_soon`` (True), ``q`` (receipt number
    prefix or words of the description)."""
    f = dict(filters or {})
    scope = f.get("scope") or "organisation"
    if scope == "mine":
        qs = DisclosureRequest.objects.filter(handling_department__in=organisations_for(user, Perm.HANDLE_REQUEST))
    else:
        qs = requests_for(user)
    status = f.get("status")
    if status:
        qs = qs.filter(status__in=[status] if isinstance(status, str) else list(status))
    if f.get("open"):
        qs = qs.filter(status__in=[s.value for s in OPEN_STATES])
    for name in ("outcome", "channel", "applicant_type"):
        if f.get(name):
            qs = qs.filter(**{name: f[name]})
    if f.get("overdue"):
        qs = qs.filter(overdue=True)
    if f.get("due_soon"):
        qs = qs.filter(due_soon=True)
    q = (f.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(receipt_no__istartswith=q) | Q(description__icontains=q))
    return (qs.select_related("organisation", "handling_department")
            # Open requests first (closed_on is null), most urgent first; then the recently closed.
            .order_by(F("closed_on").desc(nulls_first=True), F("due_date").asc(nulls_last=True), "received_on",
                      "id"))


def applicant_requests(user: Any) -> QuerySet[DisclosureRequest]:
    """A signed-in applicant's own requests, newest first."""
    if not getattr(user, "is_authenticated", False):
        return DisclosureRequest.objects.none()
    return DisclosureRequest.objects.filter(submitted_by=user).select_related("organisation").order_by("-created_at")


def applicant_history(request: DisclosureRequest, user: Any = None) -> QuerySet[DisclosureRequest]:
    """The same applicant's other requests (ID-number blind index for 自然人, credit code for
    organisations), newest first; limited to what ``user`` may see when given."""
    key = applicant_key_filter(request)
    if key is None:
        return DisclosureRequest.objects.none()
    base = requests_for(user) if user is not None else DisclosureRequest.objects.all()
    return base.filter(**key).exclude(pk=request.pk).order_by("-created_at")


def timeline(request: DisclosureRequest, *, applicant_view: bool = False) -> QuerySet[RequestEvent]:
    """Every event in order; the applicant sees only the events marked visible to them."""
    qs = RequestEvent.objects.filter(request=request).select_related("actor").order_by("occurred_on", "id")
    if applicant_view:
        qs = qs.filter(visible_to_applicant=True)
    return qs


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise_description(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Max of the sequence ratio and the bigram Dice coefficient over normalised descriptions."""
    na, nb = normalise_description(a), normalise_description(b)
    if not na or not nb:
        return 0.0
    ga, gb = _bigrams(na), _bigrams(nb)
    dice = 2 * len(ga & gb) / (len(ga) + len(gb))
    return max(dice, SequenceMatcher(None, na, nb).ratio())


@dataclass(frozen=True)
class Duplicate:
    request: DisclosureRequest
    score: float


def possible_duplicates(request: DisclosureRequest, *, threshold: float = DUPLICATE_THRESHOLD,
                        limit: int = 10) -> list[Duplicate]:
    """The same applicant's earlier requests to the same organisation with a similar description:
    candidates for 重复申请 (三(五)2). Best match first."""
    key = applicant_key_filter(request)
    if key is None:
        return []
    candidates = (DisclosureRequest.objects.filter(organisation=request.organisation, **key)
                  .exclude(pk=request.pk).filter(created_at__lte=request.created_at).order_by("-created_at")[:200])
    found = [Duplicate(c, round(similarity(request.description, c.description), 3)) for c in candidates]
    found = [d for d in found if d.score >= threshold]
    return sorted(found, key=lambda d: -d.score)[:limit]


def receipt_explanation(request: DisclosureRequest) -> tuple[str, ...]:
    """The lines a 回执 and the request page show: how the receipt date follows from channel,
    arrival and confirmation (条例第三十一条), then how the due date was computed."""
    receipt = determine_receipt(Channel(request.channel), request.arrived_at, request.confirmed_at)
    lines = list(receipt.explanation)
    if request.same_day_breach and not receipt.same_day_breach:
        lines.append("警示：平常信函未在收到当日与申请人确认（条例第三十一条第（二）项）")
    state = deadline_state(request)
    if state is not None:
        lines.extend(line for line in state.explanation if line not in lines)
    return tuple(lines)
