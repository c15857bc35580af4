"""The workflow of a request after receipt (issue 4 §2), one service per transition.

Each service: checks the actor's role (``access.can``), locks the request row
(``select_for_update``), checks ``expected_version`` (optimistic lock: a stale form gets a
``ValidationError`` with code "conflict"), validates the transition (``assert_can_transition``)
and any clock event (``check_event``), writes the change, a ``RequestEvent`` and an audit row in one
transaction, and recomputes the cached deadline columns. ``on`` is the date of the act (letter
issued, reply received …), today by default and never in the future. All errors are Chinese
``ValidationError``/``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.disclosure.models import (
    Consultation,
    Delivery,
    DeliveryMethod,
    DisclosureRequest,
    DisclosureSettings,
    FeeNotice,
    FeePaymentReport,
    Reply,
    RequestAttachment,
)
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services.attachments import store_attachment
from gongkai.disclosure.services.common import (
    act_on,
    add_clock_event,
    add_event,
    check_clock_event,
    check_transition,
    domain_errors,
    finish,
    lock,
    require,
    required_text,
    snapshot,
)
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.domain.disclosure_deadlines import (
    DEFAULT_CORRECTION_PERIOD_DAYS,
    REPLY_DAYS,
    Closed,
    ConsultationDelivered,
    ConsultationEnded,
    ConsultationKind,
    ConsultationStarted,
    CorrectionReceived,
    CorrectionRequested,
    Extended,
    FeeNoticed,
    FeePaid,
    Reopened,
)
from gongkai.domain.disclosure_outcomes import OUTCOMES, ApplicantType, Outcome
from gongkai.domain.disclosure_workflow import (
    CLOSED_STATES,
    OPEN_STATES,
    RequestStatus,
    assert_independent,
    outcome_for_closing,
    requires_legal_review,
    status_after_drafting,
)
from gongkai.domain.fees import FeeMethod, FeeQuote, monthly_ordinal, quote_fee

S = RequestStatus
MIN_REASON = 5
# States in which the request is being worked on after assignment (transfer keeps the state).
TRANSFERABLE = frozenset({S.IN_HANDLING, S.CONSULTING, S.AWAITING_FEE, S.AWAITING_CORRECTION, S.LEGAL_REVIEW,
                          S.AWAITING_APPROVAL, S.APPROVED})


def _deny(message: str) -> PermissionDenied:
    return PermissionDenied(message)


# --- Organisation settings ------------------------------------------------------------------------


def legal_review_for_all(organisation: Organisation) -> bool:
    """The organisation's "legal review for every reply" setting (the nearest ancestor's row
    applies when the organisation has none)."""
    ids = organisation.path_ids() or [organisation.pk]
    rows = dict(DisclosureSettings.objects.filter(organisation_id__in=ids)
                .values_list("organisation_id", "legal_review_all_replies"))
    for org_id in reversed(ids):
        if org_id in rows:
            return bool(rows[org_id])
    return False


@transaction.atomic
def disclosure_settings_update(*, actor: Any, organisation: Organisation, legal_review_all_replies: bool,
                               payment_instructions: str | None = None,
                               http_request: HttpRequest | None = None) -> DisclosureSettings:
    """公开办负责人 sets whether every reply (not only those other than 予以公开) needs 法制审核,
    and (when given) the 信息处理费 payment instructions applicants see (收款单位、账号、网上缴费渠道)."""
    if actor is None or not user_has_org_perm(actor, organisation, Perm.APPROVE):
        raise _deny("只有公开办负责人可以修改依申请公开设置。")
    row, _ = DisclosureSettings.objects.select_for_update().get_or_create(organisation=organisation)
    before = row.legal_review_all_replies
    before_instructions = row.payment_instructions
    row.legal_review_all_replies = bool(legal_review_all_replies)
    if payment_instructions is not None:
        text = payment_instructions.strip()
        if len(text) > 1000:
            raise ValidationError({"payment_instructions": "缴费方式不能超过1000个字。"})
        row.payment_instructions = text
    row.save()
    changed_instructions = row.payment_instructions != before_instructions
    record("disclosure.settings", request=http_request, actor=actor, organisation=organisation, obj=row,
           before={"legal_review_all_replies": before},
           after={"legal_review_all_replies": row.legal_review_all_replies,
                  **({"payment_instructions_changed": True} if changed_instructions else {})})
    return row


# --- Assignment -----------------------------------------------------------------------------------


@transaction.atomic
def request_assign(*, actor: Any, request: DisclosureRequest, department: Organisation, note: str = "",
                   expected_version: int | None = None, http_request: HttpRequest | None = None) -> DisclosureRequest:
    """分办 / 转办: the registrar (or the office head) assigns the request to a handling
    organisation in the receiving organisation's tree (itself or a subordinate). From 已登记 it
    moves to 办理中; later it is a transfer that keeps the state."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.REGISTER_REQUEST, Perm.APPROVE, message="只有登记员或公开办负责人可以分办申请。")
    if not department.is_active or not department.tree_path.startswith(obj.organisation.tree_path):
        raise ValidationError("承办部门须为本机关或其下级机关。")
    status = S(obj.status)
    if status is S.REGISTERED:
        check_transition(obj, S.IN_HANDLING)
        dst = S.IN_HANDLING
    elif status in TRANSFERABLE:
        dst = status
        if obj.handling_department_id == department.pk:
            raise ValidationError("该申请已由该部门承办。")
    else:
        raise ValidationError(f"申请当前状态为“{status.label}”，不能分办。")
    before = snapshot(obj)
    kind = "assigned" if obj.handling_department_id is None else "transferred"
    add_event(obj, kind, on=clock.today(), actor=actor, note=note.strip(),
              payload={"from": obj.handling_department_id, "to": department.pk, "department": department.name},
              status_from=status, status_to=dst)
    obj.handling_department = department
    obj.status = dst
    return finish(obj, action=f"disclosure.{kind}", actor=actor, before=before, http_request=http_request,
                  fields=["handling_department", "status"])


# --- Correction (补正, 条例第三十条) -------------------------------------------------------------------


@transaction.atomic
def request_ask_correction(*, actor: Any, request: DisclosureRequest, items: Sequence[str] | str,
                           period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS, on: date | None = None,
                           expected_version: int | None = None,
                           http_request: HttpRequest | None = None) -> DisclosureRequest:
    """一次性补正告知: at most once, within 7 working days of receipt, listing what to fix and a
    correction period in working days. The clock stops; it restarts in full from the day the
    correction arrives."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST, message="只有登记员或承办人可以发出补正告知。")
    lines = [items] if isinstance(items, str) else list(items)
    lines = [str(i).strip() for i in lines if str(i).strip()]
    if not lines:
        raise ValidationError("请列明需要补正的事项。")
    day = act_on(on)
    check_transition(obj, S.AWAITING_CORRECTION)
    event = CorrectionRequested(on=day, period_days=period_days)
    check_clock_event(obj, event)
    before = snapshot(obj)
    add_clock_event(obj, event, actor=actor, note="\n".join(lines), status_from=obj.status,
                    status_to=S.AWAITING_CORRECTION)
    obj.status = S.AWAITING_CORRECTION
    return finish(obj, action="disclosure.ask_correction", actor=actor, before=before, http_request=http_request,
                  fields=["status"], extra_after={"period_days": period_days, "items": len(lines)})


def _receive_correction(obj: DisclosureRequest, *, actor: Any, day: date, note: str, description: str | None,
                        attachments: Iterable[tuple[str, bytes]]) -> list[str]:
    dst = S.IN_HANDLING if obj.handling_department_id else S.REGISTERED
    check_transition(obj, dst)
    event = CorrectionReceived(on=day)
    check_clock_event(obj, event)
    fields = ["status"]
    if description is not None:
        text = description.strip()
        if len(text) < 5:
            raise ValidationError("请描述所需政府信息的名称、文号或其他特征（不少于5个字）。")
        obj.description = text[:2000]
        fields.append("description")
    for name, data in attachments:
        store_attachment(obj, name=name, data=data, kind=RequestAttachment.Kind.CORRECTION, actor=actor)
    add_clock_event(obj, event, actor=actor, note=note.strip(), status_from=obj.status, status_to=dst)
    obj.status = dst
    return fields


@transaction.atomic
def request_receive_correction(*, actor: Any, request: DisclosureRequest, on: date | None = None, note: str = "",
                               description: str | None = None, attachments: Iterable[tuple[str, bytes]] = (),
                               expected_version: int | None = None,
                               http_request: HttpRequest | None = None) -> DisclosureRequest:
    """收到补正 (registered by staff): a fresh 20 working days from ``on``. ``description``
    replaces the application's description when the correction restates it."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST, message="只有登记员或承办人可以登记补正。")
    before = snapshot(obj)
    fields = _receive_correction(obj, actor=actor, day=act_on(on), note=note, description=description,
                                 attachments=attachments)
    return finish(obj, action="disclosure.receive_correction", actor=actor, before=before,
                  http_request=http_request, fields=fields)


@transaction.atomic
def applicant_submit_correction(*, request: DisclosureRequest, description: str | None = None, note: str = "",
                                attachments: Iterable[tuple[str, bytes]] = (), user: Any = None,
                                http_request: HttpRequest | None = None) -> DisclosureRequest:
    """The applicant submits the correction online (the caller has verified them with
    ``access_request_by_receipt`` or ``access_request_for_applicant``); received today."""
    obj = lock(request, None)
    before = snapshot(obj)
    fields = _receive_correction(obj, actor=user, day=clock.today(), note=note, description=description,
                                 attachments=attachments)
    return finish(obj, action="disclosure.applicant_correction", actor=user, before=before,
                  http_request=http_request, fields=fields)


def _close(obj: DisclosureRequest, dst: RequestStatus, *, day: date | None, actor: Any, note: str = "",
           reply_outcome: Outcome | None = None) -> None:
    """Common part of every closing: the Closed clock event (when the clock ever started), the one
    outcome and the closing day."""
    check_transition(obj, dst)
    with domain_errors():
        outcome = outcome_for_closing(dst, reply_outcome)
    close_day = day or clock.today()
    has_clock = obj.received_on is not None
    if has_clock:
        event = Closed(on=close_day)
        check_clock_event(obj, event)
        add_clock_event(obj, event, actor=actor, note=note, status_from=obj.status, status_to=dst)
    else:
        add_event(obj, "closed", on=close_day, actor=actor, note=note, visible=True, status_from=obj.status,
                  status_to=dst)
    obj.status = dst
    obj.outcome = outcome.value
    obj.closed_on = close_day


@transaction.atomic
def request_mark_abandoned(*, actor: Any, request: DisclosureRequest, on: date | None = None, note: str = "",
                           expected_version: int | None = None,
                           http_request: HttpRequest | None = None) -> DisclosureRequest:
    """视为放弃申请 (三(六)1): no correction within the period. Refused while the period runs."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST, message="只有登记员或承办人可以办理。")
    day = act_on(on)
    state = deadline_state(obj, as_of=day)
    if state is None or not state.awaiting_correction:
        raise ValidationError("该申请没有待补正的告知。")
    if not state.correction_overdue:
        raise ValidationError(f"补正期限至 {state.correction_due}，期限届满前不能视为放弃申请。")
    before = snapshot(obj)
    _close(obj, S.ABANDONED, day=day, actor=actor, note=note or "申请人无正当理由逾期不补正，视为放弃申请（条例第三十条）")
    return finish(obj, action="disclosure.abandoned", actor=actor, before=before, http_request=http_request,
                  fields=["status", "outcome", "closed_on"])


# --- Consultation (征求意见, 条例第三十二条、第三十四条) ----------------------------------------------------


@transaction.atomic
def consultation_start(*, actor: Any, request: DisclosureRequest, party: str,
                       kind: ConsultationKind | str = ConsultationKind.THIRD_PARTY, on: date | None = None,
                       note: str = "", expected_version: int | None = None,
                       http_request: HttpRequest | None = None) -> Consultation:
    """发出征求意见书 to a third party or another agency: the time until the opinion (at most the
    party's 15 working days after delivery) is not counted. Several may run at once."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, message="只有承办人可以征求意见。")
    try:
        kind = ConsultationKind(kind)
    except ValueError:
        raise ValidationError("请选择征求意见的类型。") from None
    party_name = required_text(party, "被征求意见方")
    day = act_on(on)
    if obj.status != S.CONSULTING:
        check_transition(obj, S.CONSULTING)
    consultation = Consultation.objects.create(request=obj, kind=kind, party=party_name[:200], issued_on=day,
                                               created_by=actor)
    consultation.ref = f"c{consultation.pk}"
    consultation.save(update_fields=["ref"])
    event = ConsultationStarted(on=day, consultation=kind, ref=consultation.ref)
    check_clock_event(obj, event)
    before = snapshot(obj)
    add_clock_event(obj, event, actor=actor, note=note.strip() or f"向{party_name}发出征求意见书",
                    visible=True, status_from=obj.status, status_to=S.CONSULTING)
    obj.status = S.CONSULTING
    finish(obj, action="disclosure.consultation_start", actor=actor, before=before, http_request=http_request,
           fields=["status"], extra_after={"consultation": consultation.pk, "kind": kind.value})
    return consultation


def _lock_consultation(consultation: Consultation, actor: Any,
                       expected_version: int | None) -> tuple[DisclosureRequest, Consultation]:
    obj = lock(consultation.request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, message="只有承办人可以办理征求意见。")
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    return obj, locked


@transaction.atomic
def consultation_deliver(*, actor: Any, consultation: Consultation, on: date | None = None,
                         expected_version: int | None = None,
                         http_request: HttpRequest | None = None) -> Consultation:
    """征求意见书送达: the party's 15 working days run from ``on``."""
    obj, c = _lock_consultation(consultation, actor, expected_version)
    day = act_on(on)
    event = ConsultationDelivered(on=day, ref=c.ref)
    state = check_clock_event(obj, event)
    before = snapshot(obj)
    add_clock_event(obj, event, actor=actor, visible=False)
    c.delivered_on = day
    c.reply_due = next((s.reply_due for s in state.consultations if s.ref == c.ref), None)
    c.save(update_fields=["delivered_on", "reply_due"])
    finish(obj, action="disclosure.consultation_deliver", actor=actor, before=before, http_request=http_request,
           fields=[], extra_after={"consultation": c.pk})
    return c


@transaction.atomic
def consultation_end(*, actor: Any, consultation: Consultation, on: date | None = None, reply_text: str = "",
                     decision: str = "", expected_version: int | None = None,
                     http_request: HttpRequest | None = None) -> Consultation:
    """收到意见 (or the agency closes the consultation after the period): records the opinion and
    the decision; when no other consultation is open the request returns to 办理中."""
    obj, c = _lock_consultation(consultation, actor, expected_version)
    if c.reply_received_on is not None:
        raise ValidationError("该征求意见已经结束。")
    day = act_on(on)
    decision_text = required_text(decision, "处理决定")
    event = ConsultationEnded(on=day, ref=c.ref)
    check_clock_event(obj, event)
    before = snapshot(obj)
    others_open = Consultation.objects.filter(request=obj, reply_received_on__isnull=True).exclude(pk=c.pk).exists()
    dst = S(obj.status) if others_open else S.IN_HANDLING
    if dst != obj.status:
        check_transition(obj, dst)
    add_clock_event(obj, event, actor=actor, visible=False, note=decision_text, status_from=obj.status,
                    status_to=dst)
    c.reply_received_on = day
    c.reply_text = reply_text.strip()
    c.decision = decision_text
    c.save(update_fields=["reply_received_on", "reply_text", "decision"])
    obj.status = dst
    finish(obj, action="disclosure.consultation_end", actor=actor, before=before, http_request=http_request,
           fields=["status"], extra_after={"consultation": c.pk})
    return c


# --- Extension (延期, 条例第三十三条第二款) ---------------------------------------------------------


@transaction.atomic
def request_extend(*, actor: Any, request: DisclosureRequest, days: int, reason: str, on: date | None = None,
                   expected_version: int | None = None,
                   http_request: HttpRequest | None = None) -> DisclosureRequest:
    """延期答复 approved by the head of the disclosure office (公开办负责人): once, 1–20 working
    days, recorded no later than the current due date; the applicant is notified (the event is
    visible to them)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.APPROVE, message="延期答复须经公开办负责人同意。")
    if S(obj.status) not in OPEN_STATES or obj.status == S.SUBMITTED:
        raise ValidationError(f"申请当前状态为“{S(obj.status).label}”，不能延期。")
    text = required_text(reason, "延期理由", MIN_REASON)
    event = Extended(on=act_on(on), days=days)
    check_clock_event(obj, event)
    before = snapshot(obj)
    add_clock_event(obj, event, actor=actor, note=text)
    return finish(obj, action="disclosure.extend", actor=actor, before=before, http_request=http_request,
                  fields=[], extra_after={"days": days})


# --- Fees (国办函〔2020〕109号) ----------------------------------------------------------------------------


def applicant_key_filter(obj: DisclosureRequest) -> dict[str, Any] | None:
    """How to find the same applicant: the ID-number blind index (自然人) or the credit code."""
    if obj.applicant_type == ApplicantType.ORGANISATION and obj.credit_code:
        return {"credit_code": obj.credit_code}
    if obj.id_number_index:
        return {"id_number_index": obj.id_number_index}
    return None


def monthly_request_ordinal(obj: DisclosureRequest) -> int:
    """第四条: this request's number among the same applicant's requests to the same organisation
    received in the same calendar month (ties on one day in registration order)."""
    if obj.received_on is None:
        raise ValidationError("尚未确定收到申请之日，不能计算本月申请序号。")
    key = applicant_key_filter(obj)
    earlier: list[date] = []
    received: date = obj.received_on
    if key is not None:
        month_start = received.replace(day=1)
        qs = (DisclosureRequest.objects.filter(organisation=obj.organisation, received_on__gte=month_start,
                                               received_on__lte=obj.received_on, **key)
              .exclude(pk=obj.pk).values_list("received_on", "pk"))
        earlier = [d for d, pk in qs if d is not None and (d < received or pk < obj.pk)]
    return monthly_ordinal(earlier, received)


def fee_quote(request: DisclosureRequest, method: FeeMethod | str, *, pages: int | None = None) -> FeeQuote:
    """The fee the request would cost by ``method`` (no writing): 按件 from the applicant's
    monthly ordinal, 按量 from ``pages``."""
    with domain_errors():
        method = FeeMethod(method)
        if method is FeeMethod.PER_REQUEST:
            if pages is not None:
                raise ValidationError("同一申请只能选择按件或按量一种方式计收，不能同时计收。")
            return quote_fee(method, ordinal=monthly_request_ordinal(request))
        return quote_fee(method, pages=pages)


@transaction.atomic
def fee_notice(*, actor: Any, request: DisclosureRequest, method: FeeMethod | str, pages: int | None = None,
               on: date | None = None, received_on: date | None = None, expected_version: int | None = None,
               http_request: HttpRequest | None = None) -> FeeNotice:
    """收费通知 by the handler: one method, once per request, only when something is due; the
    clock stops until payment; unpaid within 20 working days of receiving it → stopped."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, message="只有承办人可以发出收费通知。")
    if FeeNotice.objects.filter(request=obj).exists():
        raise ValidationError("本申请已计收过信息处理费，不能重复计收；按件和按量不能同时计收。")
    check_transition(obj, S.AWAITING_FEE)
    quote = fee_quote(obj, method, pages=pages)
    if not quote.chargeable:
        raise ValidationError("按该方式计算无需收费（" + "；".join(quote.explanation) + "），不能发出收费通知。")
    day = act_on(on)
    event = FeeNoticed(on=day, received_on=received_on)
    state = check_clock_event(obj, event)
    before = snapshot(obj)
    assert state.fee_payment_due is not None
    notice = FeeNotice.objects.create(
        request=obj, method=quote.method, quantity=quote.quantity, amount=quote.amount,
        explanation=list(quote.explanation), noticed_on=day, received_on=received_on,
        payment_due=state.fee_payment_due, created_by=actor,
    )
    add_clock_event(obj, event, actor=actor, note="；".join(quote.explanation), status_from=obj.status,
                    status_to=S.AWAITING_FEE)
    obj.status = S.AWAITING_FEE
    finish(obj, action="disclosure.fee_notice", actor=actor, before=before, http_request=http_request,
           fields=["status"], extra_after={"method": quote.method.value, "amount": quote.amount})
    return notice


@transaction.atomic
def fee_paid(*, actor: Any, request: DisclosureRequest, on: date | None = None,
             expected_version: int | None = None, http_request: HttpRequest | None = None) -> DisclosureRequest:
    """缴费 recorded (handler or registrar): the clock resumes."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, Perm.REGISTER_REQUEST, message="只有承办人或登记员可以登记缴费。")
    check_transition(obj, S.IN_HANDLING)
    if obj.status != S.AWAITING_FEE:
        raise ValidationError("本申请没有待缴费的收费通知。")
    day = act_on(on)
    event = FeePaid(on=day)
    check_clock_event(obj, event)
    before = snapshot(obj)
    add_clock_event(obj, event, actor=actor, status_from=obj.status, status_to=S.IN_HANDLING)
    FeeNotice.objects.filter(request=obj).update(paid_on=day)
    # The applicant's 我已缴费 report waiting for staff (services.payments) is what this confirms.
    confirmed = list(FeePaymentReport.objects.filter(request=obj, state=FeePaymentReport.State.PENDING)
                     .values_list("pk", flat=True))
    FeePaymentReport.objects.filter(pk__in=confirmed).update(
        state=FeePaymentReport.State.CONFIRMED, decided_by=actor, decided_at=timezone.now())
    obj.status = S.IN_HANDLING
    return finish(obj, action="disclosure.fee_paid", actor=actor, before=before, http_request=http_request,
                  fields=["status"], extra_after={"payment_report": confirmed[0]} if confirmed else None)


@transaction.atomic
def request_mark_stopped(*, actor: Any, request: DisclosureRequest, on: date | None = None,
                         expected_version: int | None = None,
                         http_request: HttpRequest | None = None) -> DisclosureRequest:
    """不再处理 (三(六)2): the fee was not paid within 20 working days of the notice."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, Perm.REGISTER_REQUEST, message="只有承办人或登记员可以办理。")
    day = act_on(on)
    state = deadline_state(obj, as_of=day)
    if state is None or not state.awaiting_fee:
        raise ValidationError("本申请没有待缴费的收费通知。")
    if not state.fee_overdue:
        raise ValidationError(f"缴费期限至 {state.fee_payment_due}，期限届满前不能终止处理。")
    if FeePaymentReport.objects.filter(request=obj, state=FeePaymentReport.State.PENDING).exists():
        raise ValidationError("申请人已报告缴费，请先核实：确认缴费或退回缴费报告后，才能终止处理。")
    before = snapshot(obj)
    _close(obj, S.STOPPED, day=day, actor=actor,
           note="申请人逾期未按收费通知要求缴纳费用，不再处理其政府信息公开申请")
    return finish(obj, action="disclosure.stopped", actor=actor, before=before, http_request=http_request,
                  fields=["status", "outcome", "closed_on"])


# --- Reply, legal review, approval ----------------------------------------------------------------------


def current_reply(request: DisclosureRequest) -> Reply | None:
    """The reply being drafted, reviewed, approved or delivered (not rejected or withdrawn ones)."""
    return (Reply.objects.filter(request=request)
            .exclude(state__in=[Reply.State.REJECTED, Reply.State.WITHDRAWN]).order_by("-id").first())


@transaction.atomic
def reply_draft(*, actor: Any, request: DisclosureRequest, outcome: Outcome | str, reasons: str,
                article: str | None = None, public_location: str = "", responsible_agency: str = "",
                responsible_agency_contact: str = "", expected_version: int | None = None,
                http_request: HttpRequest | None = None) -> Reply:
    """拟定答复 (handler): exactly one outcome of the reply list, its article (defaults to the
    outcome's) and reasons; 已主动公开 needs where and how to get it; 非本机关 may name the
    responsible agency. Editing the open draft replaces it (the editor becomes its drafter)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, message="只有承办人可以拟定答复。")
    if obj.status != S.IN_HANDLING:
        raise ValidationError(f"申请当前状态为“{S(obj.status).label}”，不能拟定答复。")
    try:
        outcome = Outcome(outcome)
    except ValueError:
        raise ValidationError("请选择答复类型。") from None
    info = OUTCOMES[outcome]
    if not info.is_reply:
        raise ValidationError(f"“{info.label}”由系统在相应环节记录，不能作为答复类型。")
    minimum = 2 if info.is_full_disclosure else MIN_REASON
    reasons_text = required_text(reasons, "答复理由", minimum)
    location = public_location.strip()
    if outcome is Outcome.ALREADY_PUBLIC and len(location) < 4:
        raise ValidationError("已主动公开的，请告知获取该政府信息的方式和途径。")
    draft = Reply.objects.select_for_update().filter(request=obj, state=Reply.State.DRAFT).first()
    if draft is None:
        draft = Reply(request=obj)
    else:
        draft.version += 1
    draft.outcome = outcome.value
    draft.article = (article or info.article or "").strip()[:200]
    draft.reasons = reasons_text
    draft.public_location = location
    draft.responsible_agency = responsible_agency.strip()[:200]
    draft.responsible_agency_contact = responsible_agency_contact.strip()[:200]
    draft.drafted_by = actor
    draft.save()
    before = snapshot(obj)
    add_event(obj, "reply_drafted", on=clock.today(), actor=actor, payload={"reply": draft.pk, "outcome": outcome.value})
    finish(obj, action="disclosure.reply_draft", actor=actor, before=before, http_request=http_request, fields=[],
           extra_after={"reply": draft.pk, "outcome": outcome.value})
    return draft


@transaction.atomic
def reply_submit_for_review(*, actor: Any, request: DisclosureRequest, expected_version: int | None = None,
                            http_request: HttpRequest | None = None) -> DisclosureRequest:
    """提交审核: to 法制审核 when ``requires_legal_review`` (every reply other than 予以公开, or
    all replies under the organisation's setting), otherwise straight to the head's approval."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, message="只有承办人可以提交答复。")
    draft = Reply.objects.select_for_update().filter(request=obj, state=Reply.State.DRAFT).first()
    if draft is None:
        raise ValidationError("请先拟定答复。")
    all_replies = legal_review_for_all(obj.organisation)
    with domain_errors():
        dst = status_after_drafting(Outcome(draft.outcome), all_replies)
        needs = requires_legal_review(Outcome(draft.outcome), all_replies)
    check_transition(obj, dst)
    before = snapshot(obj)
    draft.state = Reply.State.LEGAL_REVIEW if dst is S.LEGAL_REVIEW else Reply.State.AWAITING_APPROVAL
    draft.needs_legal_review = needs
    draft.submitted_at = timezone.now()
    draft.save(update_fields=["state", "needs_legal_review", "submitted_at"])
    add_event(obj, "reply_submitted", on=clock.today(), actor=actor, payload={"reply": draft.pk},
              status_from=obj.status, status_to=dst)
    obj.status = dst
    return finish(obj, action="disclosure.reply_submit", actor=actor, before=before, http_request=http_request,
                  fields=["status"], extra_after={"reply": draft.pk})


def _reply_under_review(obj: DisclosureRequest, state: str) -> Reply:
    reply = Reply.objects.select_for_update().filter(request=obj, state=state).order_by("-id").first()
    if reply is None:
        raise ValidationError("没有待审核的答复。")
    return reply


@transaction.atomic
def reply_legal_review(*, actor: Any, request: DisclosureRequest, approve: bool, comment: str = "",
                       expected_version: int | None = None,
                       http_request: HttpRequest | None = None) -> DisclosureRequest:
    """法制审核 by a legal reviewer other than the drafter: approval sends it to the head;
    rejection sends it back to the handler with the comment (required)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.LEGAL_REVIEW, message="只有法制审核员可以进行法制审核。")
    if obj.status != S.LEGAL_REVIEW:
        raise ValidationError(f"申请当前状态为“{S(obj.status).label}”，不在法制审核环节。")
    reply = _reply_under_review(obj, Reply.State.LEGAL_REVIEW)
    with domain_errors():
        assert_independent(reply.drafted_by_id, actor.pk, "法制审核")
    text = comment.strip() if approve else required_text(comment, "退回意见")
    dst = S.AWAITING_APPROVAL if approve else S.IN_HANDLING
    check_transition(obj, dst)
    before = snapshot(obj)
    reply.legal_reviewed_by = actor
    reply.legal_reviewed_at = timezone.now()
    reply.legal_review_approved = bool(approve)
    reply.legal_review_comment = text
    reply.state = Reply.State.AWAITING_APPROVAL if approve else Reply.State.REJECTED
    reply.save()
    add_event(obj, "legal_review", on=clock.today(), actor=actor, note=text,
              payload={"reply": reply.pk, "approved": bool(approve)}, status_from=obj.status, status_to=dst)
    obj.status = dst
    return finish(obj, action="disclosure.legal_review", actor=actor, before=before, http_request=http_request,
                  fields=["status"], extra_after={"reply": reply.pk, "approved": bool(approve)})


@transaction.atomic
def reply_approve(*, actor: Any, request: DisclosureRequest, approve: bool, comment: str = "",
                  expected_version: int | None = None, http_request: HttpRequest | None = None) -> DisclosureRequest:
    """审批 by the head of the disclosure office (not the drafter): approve → 已审批待送达;
    reject → back to the handler with the comment (required)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.APPROVE, message="只有公开办负责人可以审批答复。")
    if obj.status != S.AWAITING_APPROVAL:
        raise ValidationError(f"申请当前状态为“{S(obj.status).label}”，不在审批环节。")
    reply = _reply_under_review(obj, Reply.State.AWAITING_APPROVAL)
    with domain_errors():
        assert_independent(reply.drafted_by_id, actor.pk, "审批")
    if reply.needs_legal_review and not (reply.legal_review_approved and reply.legal_reviewed_by_id):
        raise ValidationError("该答复须先经法制审核。")
    text = comment.strip() if approve else required_text(comment, "退回意见")
    dst = S.APPROVED if approve else S.IN_HANDLING
    check_transition(obj, dst)
    before = snapshot(obj)
    reply.approved_by = actor
    reply.approved_at = timezone.now()
    reply.approval_approved = bool(approve)
    reply.approval_comment = text
    reply.state = Reply.State.APPROVED if approve else Reply.State.REJECTED
    reply.save()
    add_event(obj, "approval", on=clock.today(), actor=actor, note=text,
              payload={"reply": reply.pk, "approved": bool(approve)}, status_from=obj.status, status_to=dst)
    obj.status = dst
    return finish(obj, action="disclosure.approve", actor=actor, before=before, http_request=http_request,
                  fields=["status"], extra_after={"reply": reply.pk, "approved": bool(approve)})


# --- Delivery, archive, withdrawal, reopening ------------------------------------------------------------


@transaction.atomic
def request_deliver(*, actor: Any, request: DisclosureRequest, method: DeliveryMethod | str, on: date | None = None,
                    tracking_no: str = "", expected_version: int | None = None,
                    http_request: HttpRequest | None = None) -> Delivery:
    """送达 the approved reply (handler or registrar): closes the request with the reply's outcome
    on the delivery day."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, Perm.REGISTER_REQUEST, message="只有承办人或登记员可以登记送达。")
    if method not in DeliveryMethod.values:
        raise ValidationError("请选择送达方式。")
    if obj.status != S.APPROVED:
        raise ValidationError(f"申请当前状态为“{S(obj.status).label}”，答复尚未审批，不能送达。")
    reply = Reply.objects.select_for_update().filter(request=obj, state=Reply.State.APPROVED).order_by("-id").first()
    if reply is None:
        raise ValidationError("没有已审批的答复。")
    tracking = tracking_no.strip()
    if method in (DeliveryMethod.POST, DeliveryMethod.EMAIL) and not tracking:
        raise ValidationError("邮寄须填写邮件单号，电子邮件须填写邮件标识。")
    day = act_on(on)
    before = snapshot(obj)
    _close(obj, S.DELIVERED, day=day, actor=actor, reply_outcome=Outcome(reply.outcome),
           note=f"答复已送达：{reply.outcome_label}")
    delivery = Delivery.objects.create(request=obj, reply=reply, method=method, delivered_on=day,
                                       tracking_no=tracking[:120], created_by=actor)
    reply.state = Reply.State.DELIVERED
    reply.save(update_fields=["state"])
    finish(obj, action="disclosure.deliver", actor=actor, before=before, http_request=http_request,
           fields=["status", "outcome", "closed_on"], extra_after={"method": str(method)})
    return delivery


@transaction.atomic
def request_archive(*, actor: Any, request: DisclosureRequest, expected_version: int | None = None,
                    http_request: HttpRequest | None = None) -> DisclosureRequest:
    """归档 a closed request (registrar or handler)."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST, message="只有登记员或承办人可以归档。")
    check_transition(obj, S.ARCHIVED)
    before = snapshot(obj)
    add_event(obj, "archived", on=clock.today(), actor=actor, status_from=obj.status, status_to=S.ARCHIVED)
    obj.status = S.ARCHIVED
    return finish(obj, action="disclosure.archive", actor=actor, before=before, http_request=http_request,
                  fields=["status"])


@transaction.atomic
def request_withdraw(*, request: DisclosureRequest, actor: Any = None, by_applicant: bool = False,
                     reason: str = "", on: date | None = None, expected_version: int | None = None,
                     http_request: HttpRequest | None = None) -> DisclosureRequest:
    """撤回 before the reply is delivered. ``by_applicant=True``: the applicant themself (the
    caller verified them with receipt number + query code or their account; ``actor`` is their
    user or None). Otherwise ``actor`` is a registrar or handler recording the applicant's
    withdrawal (``reason`` required)."""
    obj = lock(request, expected_version)
    if by_applicant:
        if actor is not None and getattr(actor, "pk", None) and obj.submitted_by_id not in (None, actor.pk):
            raise _deny("只能撤回本人的申请。")
        text = reason.strip()
        day = clock.today()
    else:
        require(actor, obj, Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST,
                message="只有登记员或承办人可以登记申请人的撤回。")
        text = required_text(reason, "撤回说明（申请人撤回的方式和时间）")
        day = act_on(on)
    before = snapshot(obj)
    Reply.objects.filter(request=obj).exclude(
        state__in=[Reply.State.REJECTED, Reply.State.DELIVERED, Reply.State.WITHDRAWN]
    ).update(state=Reply.State.WITHDRAWN)
    _close(obj, S.WITHDRAWN, day=day, actor=actor, note=text or "申请人撤回申请")
    return finish(obj, action="disclosure.withdraw", actor=actor, before=before, http_request=http_request,
                  fields=["status", "outcome", "closed_on"], extra_after={"by_applicant": by_applicant})


@transaction.atomic
def request_reopen(*, actor: Any, request: DisclosureRequest, reason: str, days: int = REPLY_DAYS,
                   on: date | None = None, expected_version: int | None = None,
                   http_request: HttpRequest | None = None) -> DisclosureRequest:
    """重新办理 after a reconsideration or court decision (office head or registrar): back to
    办理中 with a fresh period of ``days`` working days from ``on``; the outcome is cleared until
    the new reply is delivered."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.APPROVE, Perm.REGISTER_REQUEST, message="只有公开办负责人或登记员可以重新办理。")
    text = required_text(reason, "重新办理的依据（复议决定书或判决书）", MIN_REASON)
    if obj.handling_department_id is None:
        raise ValidationError("该申请没有承办部门，请先分办。")
    check_transition(obj, S.IN_HANDLING)
    if S(obj.status) not in CLOSED_STATES:
        raise ValidationError("申请尚未办结，不能重新办理。")
    event = Reopened(on=act_on(on), days=days)
    check_clock_event(obj, event)
    before = snapshot(obj)
    add_clock_event(obj, event, actor=actor, note=text, status_from=obj.status, status_to=S.IN_HANDLING)
    obj.status = S.IN_HANDLING
    obj.outcome = ""
    obj.closed_on = None
    return finish(obj, action="disclosure.reopen", actor=actor, before=before, http_request=http_request,
                  fields=["status", "outcome", "closed_on"], extra_after={"days": days})


# --- Notes and messages -------------------------------------------------------------------------------------


@transaction.atomic
def request_add_note(*, actor: Any, request: DisclosureRequest, text: str, visible_to_applicant: bool = False,
                     http_request: HttpRequest | None = None) -> Any:
    """内部备注 (``visible_to_applicant=False``) or a message to the applicant, by any staff member
    who can open the request. Does not change the version (notes never conflict)."""
    obj = DisclosureRequest.objects.select_for_update().get(pk=request.pk)
    require(actor, obj, Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST, Perm.APPROVE, Perm.LEGAL_REVIEW,
            message="您无权在该申请上留言。")
    body = required_text(text, "内容")[:4000]
    event = add_event(obj, "message" if visible_to_applicant else "note", on=clock.today(), actor=actor, note=body,
                      visible=visible_to_applicant)
    record("disclosure.note", request=http_request, actor=actor, organisation=obj.organisation, obj=obj,
           after={"event": event.pk, "visible_to_applicant": visible_to_applicant})
    return event


@transaction.atomic
def applicant_add_message(*, request: DisclosureRequest, text: str, user: Any = None,
                          http_request: HttpRequest | None = None) -> Any:
    """A message from the applicant (verified by the caller, as for withdrawal)."""
    obj = DisclosureRequest.objects.select_for_update().get(pk=request.pk)
    body = required_text(text, "留言内容")[:4000]
    event = add_event(obj, "applicant_message", on=clock.today(), actor=user, note=body, visible=True)
    record("disclosure.applicant_message", request=http_request, actor=user, organisation=obj.organisation,
           obj=obj, after={"event": event.pk})
    return event

