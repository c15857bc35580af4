"""The statutory clock of a request, replayed from its events (``disclosure_deadlines.replay``)
with the working-day calendar, and written to the cached columns the queues sort by."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from gongkai.disclosure.models import DisclosureRequest, RequestEvent
from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.disclosure_deadlines import EVENT_TYPES, DeadlineState, Event, make_event, replay
from gongkai.domain.disclosure_workflow import OPEN_STATES
from gongkai.workcalendar.selectors import working_calendar

_DATE_FIELDS = ("on", "received_on")
CACHE_FIELDS = ["due_date", "due_provisional", "due_soon", "overdue", "clock_paused", "deadline_as_of"]


def today() -> date:
    """The service layer's "today" (China time). Tests may replace it to move the clock."""
    return timezone.localdate()


def encode_payload(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else (str(v) if hasattr(v, "value") else v))
            for k, v in fields.items()}


def decode_event(kind: str, payload: dict[str, Any]) -> Event:
    fields = dict(payload)
    for name in _DATE_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = date.fromisoformat(fields[name])
    return make_event(kind, **fields)


def clock_events(request: DisclosureRequest) -> list[Event]:
    rows = RequestEvent.objects.filter(request=request, is_clock_event=True).order_by("occurred_on", "id")
    return [decode_event(r.kind, r.payload) for r in rows if r.kind in EVENT_TYPES]


def deadline_state(request: DisclosureRequest, *, as_of: date | None = None,
                   calendar: WorkingCalendar | None = None) -> DeadlineState | None:
    """The clock as of ``as_of`` (default today) with its explanation; None before receipt."""
    events = clock_events(request)
    if not events:
        return None
    as_of = as_of or today()
    as_of = max(as_of, max(e.on for e in events))
    return replay(calendar or working_calendar(), events, as_of=as_of)


def apply_state(request: DisclosureRequest, state: DeadlineState | None, as_of: date) -> None:
    """Copy a replayed state into the cached columns (the caller saves them)."""
    if state is None:
        request.due_date = None
        request.due_provisional = request.due_soon = request.overdue = request.clock_paused = False
    else:
        request.due_date = state.due
        request.due_provisional = state.provisional
        request.due_soon = state.due_soon
        request.overdue = state.overdue
        request.clock_paused = state.paused
    request.deadline_as_of = as_of


def recompute_deadline(request: DisclosureRequest, *, as_of: date | None = None,
                       calendar: WorkingCalendar | None = None, save: bool = True) -> DeadlineState | None:
    as_of = as_of or today()
    state = deadline_state(request, as_of=as_of, calendar=calendar)
    apply_state(request, state, as_of)
    if save:
        DisclosureRequest.objects.filter(pk=request.pk).update(
            **{name: getattr(request, name) for name in CACHE_FIELDS})
    return state


def recompute_open_requests(*, as_of: date | None = None, only_provisional: bool = False,
                            stale_only: bool = False) -> int:
    """Refresh the cached clock of every open request (due-soon and overdue flags move with the
    days; run daily and after a calendar change). ``stale_only``: only requests not yet computed
    as of ``as_of`` (cheap to call every minute). Returns the number of requests refreshed."""
    calendar = working_calendar()
    as_of = as_of or today()
    qs = DisclosureRequest.objects.filter(status__in=[s.value for s in OPEN_STATES], received_on__isnull=False)
    if only_provisional:
        qs = qs.filter(due_provisional=True)
    if stale_only:
        qs = qs.filter(models.Q(deadline_as_of__isnull=True) | models.Q(deadline_as_of__lt=as_of))
    count = 0
    for pk in qs.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            request = DisclosureRequest.objects.select_for_update().get(pk=pk)
            recompute_deadline(request, as_of=as_of, calendar=calendar)
        count += 1
    return count


def recompute_for_year(year: int) -> int:
    """Recomputer for ``gongkai.workcalendar`` (载入即重算): a loaded or changed year can move
    any open request's due date, provisional or not."""
    return recompute_open_requests()
