"""The context of each letter type: what the request, its reply and its events say, as the
strings the template prints. Personal data never enters a letter: the applicant is named, and
ID or phone numbers typed into free text (description, reasons) are masked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.disclosure import crypto
from gongkai.disclosure.letters.definitions import (
    DECISIONS,
    DELIVERY_NOTES,
    FEE_RULES,
    FINDINGS,
    LAW,
    TEMPLATES,
    cite,
)
from gongkai.disclosure.letters.render import RenderedLetter, fill
from gongkai.disclosure.models import (
    Consultation,
    DeliveryMethod,
    DisclosureRequest,
    FeeNotice,
    FormWanted,
    Letter,
    Reply,
    RequestEvent,
)
from gongkai.disclosure.services import deadlines as clock
from gongkai.domain.disclosure_deadlines import (
    EVENT_TYPES,
    ConsultationKind,
    CorrectionRequested,
    Extended,
    replay,
)
from gongkai.domain.disclosure_outcomes import OUTCOMES, Outcome, needs_remedies, remedies_text
from gongkai.domain.fees import FeeMethod
from gongkai.workcalendar.selectors import working_calendar

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")

PAYMENT_METHOD = "请向本机关政府信息公开工作机构领取非税收入缴款书，按缴款书载明的渠道缴纳"


def scrub(text: str, *, landlines: bool = False) -> str:
    """Mask ID and mobile numbers typed into free text; with ``landlines`` (the applicant's own
    text) fixed-line numbers too. An agency's office number in a handler's text stays readable."""
    text = _ID_NUMBER.sub(lambda m: crypto.mask_id_number(m.group()), text or "")
    text = _MOBILE.sub(lambda m: crypto.mask_phone_number(m.group()), text)
    if landlines:
        text = _LANDLINE.sub(lambda m: crypto.mask_phone_number(m.group()), text)
    return text


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _due_note(day: date | None) -> str:
    return f"（即{chinese_date(day)}前）" if day else ""


@dataclass(frozen=True)
class LetterSource:
    """What a letter is about: ``ref`` identifies it within the request (r<reply>, c<consultation>,
    f<fee notice>, e<event>); ``issued_on`` is the day of the act the letter records."""

    kind: str
    ref: str
    issued_on: date
    reply: Reply | None = None
    consultation: Consultation | None = None
    fee_notice: FeeNotice | None = None
    event: RequestEvent | None = None


def _ref_pk(ref: str | None, prefix: str) -> int | None:
    if not ref:
        return None
    if not (ref.startswith(prefix) and ref[1:].isdigit()):
        raise ValidationError("告知书对应的事项不正确。")
    return int(ref[1:])


def _event(request: DisclosureRequest, kind: str, ref: str | None, missing: str) -> RequestEvent:
    rows = RequestEvent.objects.filter(request=request, kind=kind)
    pk = _ref_pk(ref, "e")
    row = rows.filter(pk=pk).first() if pk is not None else rows.order_by("-occurred_on", "-id").first()
    if row is None:
        raise ValidationError(missing)
    return row


def resolve(request: DisclosureRequest, kind: str, ref: str | None = None) -> LetterSource:
    """The reply, consultation, fee notice or event the letter is generated from (the latest one
    unless ``ref`` names it); a Chinese ``ValidationError`` when there is none."""
    if kind not in TEMPLATES:
        raise ValidationError("没有这种告知书。")
    if kind == Letter.Kind.REPLY:
        from gongkai.disclosure.services.workflow import current_reply

        pk = _ref_pk(ref, "r")
        reply = (Reply.objects.filter(request=request, pk=pk).first() if pk is not None
                 else current_reply(request))
        if reply is None:
            raise ValidationError("尚未拟定答复，不能生成答复告知书。")
        issued = (timezone.localdate(reply.approved_at) if reply.approved_at and reply.approval_approved
                  else clock.today())
        return LetterSource(kind, f"r{reply.pk}", issued, reply=reply)
    if kind == Letter.Kind.CORRECTION:
        row = _event(request, CorrectionRequested.kind, ref, "该申请没有补正告知，不能生成补正告知书。")
        return LetterSource(kind, f"e{row.pk}", row.occurred_on, event=row)
    if kind == Letter.Kind.EXTENSION:
        row = _event(request, Extended.kind, ref, "该申请没有延期答复，不能生成延期答复告知书。")
        return LetterSource(kind, f"e{row.pk}", row.occurred_on, event=row)
    if kind == Letter.Kind.CONSULTATION:
        pk = _ref_pk(ref, "c")
        rows = Consultation.objects.filter(request=request)
        consultation = rows.filter(pk=pk).first() if pk is not None else rows.order_by("-id").first()
        if consultation is None:
            raise ValidationError("该申请没有征求意见，不能生成征求意见函。")
        return LetterSource(kind, f"c{consultation.pk}", consultation.issued_on, consultation=consultation)
    notice = FeeNotice.objects.filter(request=request).first()
    if notice is None or (ref and ref != f"f{notice.pk}"):
        raise ValidationError("该申请没有收费通知，不能生成缴费通知书。")
    return LetterSource(kind, f"f{notice.pk}", notice.noticed_on, fee_notice=notice)


def _office_contact(request: DisclosureRequest) -> str:
    org = request.organisation
    parts = [getattr(org, "office_name", ""), getattr(org, "office_address", "")]
    phone = getattr(org, "phone", "")
    text = "，".join(p.strip() for p in parts if p and p.strip())
    if phone and phone.strip():
        text = f"{text}，电话：{phone.strip()}" if text else f"电话：{phone.strip()}"
    return text


def _common(request: DisclosureRequest, source: LetterSource, letter_date: date) -> dict[str, Any]:
    received = request.received_on or request.arrived_at.date()
    return {
        "agency_name": request.organisation.name,
        "receipt_no": request.receipt_no,
        "applicant_name": scrub(request.applicant_name, landlines=True),
        "received_date": chinese_date(received),
        "description": scrub(request.description, landlines=True),
        "office_contact": _office_contact(request),
        "letter_date": chinese_date(letter_date),
        "form_wanted": FormWanted(request.form_wanted).label if request.form_wanted in FormWanted.values else "",
        "delivery_method": (DeliveryMethod(request.delivery_method).label
                            if request.delivery_method in DeliveryMethod.values else ""),
        "delivery_note": DELIVERY_NOTES.get(request.delivery_method, ""),
    }


def _reply_context(request: DisclosureRequest, reply: Reply, reasons: str | None) -> dict[str, Any]:
    outcome = Outcome(reply.outcome)
    info = OUTCOMES[outcome]
    partial = outcome is Outcome.PARTIAL
    full = info.is_full_disclosure
    text = scrub((reasons if reasons is not None else reply.reasons).strip())
    agency = reply.responsible_agency.strip() if outcome is Outcome.UNABLE_NOT_THIS_AGENCY else ""
    contact = scrub(reply.responsible_agency_contact.strip())
    return {
        "article": cite(reply.article or info.article),
        "reasons": text,
        "is_disclosed": outcome is Outcome.DISCLOSED,
        "is_already_public": outcome is Outcome.ALREADY_PUBLIC,
        "is_partial": partial,
        "is_full": full and bool(text),
        "is_refusal": not full and not partial,
        "finding": FINDINGS.get(outcome, FINDINGS[Outcome.OTHER]),
        "decision": DECISIONS.get(info.group, ""),
        "public_location": scrub(reply.public_location.strip()),
        "responsible_agency": agency,
        "responsible_agency_contact": f"（联系方式：{contact}）" if agency and contact else "",
        "remedies": remedies_text() if needs_remedies(outcome) else "",
    }


def _new_due(request: DisclosureRequest, event: RequestEvent) -> date | None:
    """The due date right after the extension (later pauses may move it again)."""
    rows = (RequestEvent.objects.filter(request=request, is_clock_event=True, id__lte=event.pk)
            .order_by("occurred_on", "id"))
    events = [clock.decode_event(r.kind, r.payload) for r in rows if r.kind in EVENT_TYPES]
    if not events:
        return None
    return replay(working_calendar(), events, as_of=max(e.on for e in events)).due


def letter_context(request: DisclosureRequest, source: LetterSource, *, reasons: str | None = None,
                   letter_date: date | None = None) -> dict[str, Any]:
    context = _common(request, source, letter_date or source.issued_on)
    if source.reply is not None:
        context.update(_reply_context(request, source.reply, reasons))
    elif source.event is not None and source.kind == Letter.Kind.CORRECTION:
        state = clock.deadline_state(request)
        due = state.correction_due if state and state.correction_requested_on == source.event.occurred_on else None
        context.update({
            "article": cite("条例第三十条"),
            "items": [scrub(line.strip()) for line in source.event.note.splitlines() if line.strip()],
            "period_days": source.event.payload.get("period_days", ""),
            "correction_due_note": _due_note(due),
        })
    elif source.event is not None:
        context.update({
            "article": cite("条例第三十三条第二款"),
            "reason": scrub(source.event.note.strip()),
            "days": source.event.payload.get("days", ""),
            "new_due": chinese_date(_new_due(request, source.event)),
        })
    elif source.consultation is not None:
        c = source.consultation
        kind = ConsultationKind(c.kind)
        context.update({
            "party": scrub(c.party),
            "article": cite(kind.article),
            "is_third_party": kind is ConsultationKind.THIRD_PARTY,
            "is_other_agency": kind is ConsultationKind.OTHER_AGENCY,
            "reply_due_note": _due_note(c.reply_due),
        })
    elif source.fee_notice is not None:
        n = source.fee_notice
        method = FeeMethod(n.method)
        context.update({
            "article": f"{LAW}第四十二条和{FEE_RULES}第三条、{method.article}",
            "method": method.label,
            "explanation": "；".join(str(x) for x in n.explanation),
            "amount": n.amount,
            "payment_due_note": _due_note(n.payment_due),
            "payment_method": PAYMENT_METHOD,
        })
    return context


def build_letter(request: DisclosureRequest, kind: str, *, ref: str | None = None, reasons: str | None = None,
                 letter_date: date | None = None) -> tuple[LetterSource, RenderedLetter]:
    source = resolve(request, kind, ref)
    context = letter_context(request, source, reasons=reasons, letter_date=letter_date)
    return source, fill(TEMPLATES[kind], context)
