"""Shared body of the disclosure services: locking with the optimistic version, permission
checks, the transition check, timeline rows, the clock and the audit row. Every public service
wraps these in one ``transaction.atomic()``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from gongkai.core.audit import record
from gongkai.disclosure.access import can
from gongkai.disclosure.models import DisclosureRequest, RequestEvent
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services.deadlines import (
    CACHE_FIELDS,
    apply_state,
    clock_events,
    encode_payload,
)
from gongkai.domain.calendar import CalendarError
from gongkai.domain.disclosure_deadlines import (
    DeadlineError,
    DeadlineState,
    Event,
    check_event,
    event_fields,
    replay,
)
from gongkai.domain.disclosure_outcomes import OutcomeError
from gongkai.domain.disclosure_receipt import ReceiptError
from gongkai.domain.disclosure_workflow import RequestStatus, WorkflowError, assert_can_transition
from gongkai.domain.fees import FeeError
from gongkai.domain.identifiers import IdentifierError
from gongkai.workcalendar.selectors import working_calendar

# Audited fields: never personal data (the ciphertexts and blind indexes stay out as well).
AUDIT_FIELDS = ("status", "outcome", "handling_department_id", "received_on", "closed_on", "due_date",
                "due_provisional", "version")
MIN_TEXT = 2

DOMAIN_ERRORS = (DeadlineError, WorkflowError, ReceiptError, FeeError, IdentifierError, OutcomeError,
                 CalendarError)


@contextmanager
def domain_errors() -> Iterator[None]:
    """The pure rules raise ``ValueError`` subclasses with Chinese messages; callers get
    ``ValidationError`` like every other bad input."""
    try:
        yield
    except DOMAIN_ERRORS as exc:
        raise ValidationError(str(exc)) from None


def snapshot(obj: DisclosureRequest) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in AUDIT_FIELDS}


def act_on(on: date | None) -> date:
    """The date of an act (letter issued, reply received …): today unless given; never later."""
    current = clock.today()
    if on is None:
        return current
    if on > current:
        raise ValidationError(f"日期 {on.isoformat()} 晚于今天，请核对。")
    return on


def lock(request: DisclosureRequest, expected_version: int | None) -> DisclosureRequest:
    locked = (DisclosureRequest.objects.select_for_update(of=("self",))
              .select_related("organisation", "handling_department").get(pk=request.pk))
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError("该申请已被他人处理，请刷新后重试。", code="conflict")
    return locked


def require(actor: Any, request: DisclosureRequest, *perms: str, message: str) -> None:
    if actor is None or not any(can(actor, request, p) for p in perms):
        raise PermissionDenied(message)


def required_text(value: str | None, label: str, minimum: int = MIN_TEXT) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ValidationError(f"请填写{label}（不少于{minimum}个字）。")
    return text


def check_transition(request: DisclosureRequest, dst: RequestStatus) -> None:
    with domain_errors():
        assert_can_transition(RequestStatus(request.status), dst)


def add_event(request: DisclosureRequest, kind: str, *, on: date, actor: Any = None,
              payload: dict[str, Any] | None = None, note: str = "", visible: bool = False,
              status_from: str = "", status_to: str = "", clock: bool = False) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, kind=kind, is_clock_event=clock, occurred_on=on,
        actor=actor if getattr(actor, "pk", None) else None, payload=encode_payload(payload or {}),
        note=note, visible_to_applicant=visible, status_from=status_from, status_to=status_to,
    )


def check_clock_event(request: DisclosureRequest, event: Event) -> DeadlineState:
    """Validate ``event`` against the request's history (``check_event``); Chinese errors."""
    with domain_errors():
        events = clock_events(request)
        return check_event(working_calendar(), events, event, as_of=max(clock.today(), event.on))


def add_clock_event(request: DisclosureRequest, event: Event, *, actor: Any = None, note: str = "",
                    visible: bool = True, status_from: str = "", status_to: str = "") -> RequestEvent:
    return add_event(request, event.kind, on=event.on, actor=actor, payload=event_fields(event), note=note,
                     visible=visible, status_from=status_from, status_to=status_to, clock=True)


def finish(request: DisclosureRequest, *, action: str, actor: Any, before: dict[str, Any],
           fields: list[str], http_request: HttpRequest | None = None, detail: str = "",
           extra_after: dict[str, Any] | None = None) -> DisclosureRequest:
    """Recompute the clock, bump the version, save ``fields`` and write the audit row."""
    as_of = clock.today()
    events = clock_events(request)
    state = None
    if events:
        with domain_errors():
            state = replay(working_calendar(), events, as_of=max(as_of, max(e.on for e in events)))
    apply_state(request, state, as_of)
    request.version += 1
    request.save(update_fields=sorted({*fields, *CACHE_FIELDS, "version", "updated_at"}))
    after = snapshot(request)
    changed = {k: after[k] for k in after if before.get(k) != after[k]}
    record(action, request=http_request, actor=actor if getattr(actor, "pk", None) else None,
           organisation=request.organisation, obj=request,
           before={k: before.get(k) for k in changed}, after={**changed, **(extra_after or {})}, detail=detail)
    return request
