"""Paying the 信息处理费 (国办函〔2020〕109号, regulation.md §2): the applicant reports the payment
online (``applicant_report_payment``) and staff check it — confirmation is the existing
``workflow.fee_paid`` (which resumes the clock and marks the pending report confirmed), rejection is
``payment_report_reject`` with a reason the applicant sees.

A report never moves the clock: the time from the notice until the office *receives* the fee is
not counted, and only staff know when it arrived. A report after the request was stopped for
non-payment is refused.

Also the readers the applicant page, the staff page and the API share: the organisation's payment
instructions and the request's payment reports.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.disclosure.letters.build import PAYMENT_METHOD
from gongkai.disclosure.models import (
    DisclosureRequest,
    DisclosureSettings,
    FeeNotice,
    FeePaymentReport,
    RequestAttachment,
)
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services.attachments import store_attachment
from gongkai.disclosure.services.common import add_event, finish, lock, require, required_text, snapshot
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.domain.disclosure_workflow import RequestStatus

S = RequestStatus
MIN_REASON = 5
REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,63}$")
# What the 缴费通知书 says when the organisation has not written its own instructions.
DEFAULT_PAYMENT_INSTRUCTIONS = f"{PAYMENT_METHOD}。"


# --- Readers ---------------------------------------------------------------------------------------


def payment_instructions_for(organisation: Organisation) -> str:
    """The organisation's 缴费方式 text (the nearest ancestor's when it has none), or ""."""
    ids = organisation.path_ids() or [organisation.pk]
    rows = dict(DisclosureSettings.objects.filter(organisation_id__in=ids).exclude(payment_instructions="")
                .values_list("organisation_id", "payment_instructions"))
    for org_id in reversed(ids):
        if rows.get(org_id):
            return str(rows[org_id])
    return ""


def own_payment_instructions(organisation: Organisation) -> str:
    """The text set on this organisation itself ("" when it inherits or has none)."""
    value = (DisclosureSettings.objects.filter(organisation=organisation)
             .values_list("payment_instructions", flat=True).first())
    return str(value or "")


def payment_reports(request: DisclosureRequest) -> list[FeePaymentReport]:
    """The request's payment reports, oldest first, with their receipt file."""
    return list(FeePaymentReport.objects.filter(request=request).select_related("receipt")
                .order_by("reported_at", "id"))


def pending_report(request: DisclosureRequest) -> FeePaymentReport | None:
    return FeePaymentReport.objects.filter(request=request, state=FeePaymentReport.State.PENDING).first()


def clean_reference(value: str | None) -> str:
    """交易流水号: 4–64 letters, digits, ``-`` or ``_`` (全角 and spaces tolerated)."""
    text = unicodedata.normalize("NFKC", value or "").replace(" ", "").strip()
    if not text:
        raise ValidationError({"reference": "请填写交易流水号（缴费凭证上的交易号或票据号）。"})
    if not REFERENCE_RE.match(text):
        raise ValidationError({"reference": "交易流水号应为4至64位字母、数字、“-”或“_”，请核对缴费凭证。"})
    return text


# --- Applicant --------------------------------------------------------------------------------------


@transaction.atomic
def applicant_report_payment(*, request: DisclosureRequest, reference: str,
                             receipt: tuple[str, bytes] | None = None, user: Any = None,
                             http_request: HttpRequest | None = None) -> FeePaymentReport:
    """我已缴费: the applicant (verified by the caller with ``access_request_by_receipt`` or their
    account, as for corrections) reports the payment with its reference and optionally the
    receipt (checked by content like every upload). Only while the fee notice is outstanding and
    no earlier report waits for staff; after the request was stopped for non-payment (三(六)2) the
    report is refused. The clock does not move (staff confirm with ``fee_paid``)."""
    obj = lock(request, None)
    status = S(obj.status)
    if status is S.STOPPED:
        raise ValidationError("您未在缴费期限内缴纳信息处理费，机关已不再处理这件申请（国办函〔2020〕109号），"
                              "不能再报告缴费。如有疑问请与办理机关联系。")
    notice = FeeNotice.objects.filter(request=obj).first()
    if status is not S.AWAITING_FEE or notice is None or notice.paid_on is not None:
        raise ValidationError("这件申请目前没有待缴纳的信息处理费。")
    if FeePaymentReport.objects.filter(request=obj, state=FeePaymentReport.State.PENDING).exists():
        raise ValidationError("您已报告缴费，正在等待机关核实，请勿重复报告。")
    ref = clean_reference(reference)
    state = deadline_state(obj)
    after_due = bool(state is not None and state.fee_overdue)
    attachment = None
    if receipt is not None:
        name, data = receipt
        attachment = store_attachment(obj, name=name, data=data, kind=RequestAttachment.Kind.PAYMENT, actor=user)
    day = clock.today()
    report = FeePaymentReport.objects.create(
        request=obj, fee_notice=notice, reference=ref, receipt=attachment, reported_on=day,
        reported_by=user if getattr(user, "pk", None) else None, after_due=after_due,
    )
    before = snapshot(obj)
    note = f"交易流水号：{ref}" + ("；已上传缴费凭证" if attachment is not None else "")
    add_event(obj, "payment_reported", on=day, actor=user, note=note, visible=True,
              payload={"report": report.pk, "receipt": attachment.pk if attachment is not None else None})
    finish(obj, action="disclosure.applicant_payment_report", actor=user, before=before, http_request=http_request,
           fields=[], extra_after={"payment_report": report.pk, "after_due": after_due,
                                   "receipt": attachment.sha256 if attachment is not None else None})
    return report


# --- Staff ------------------------------------------------------------------------------------------


@transaction.atomic
def payment_report_reject(*, actor: Any, request: DisclosureRequest, reason: str,
                          expected_version: int | None = None,
                          http_request: HttpRequest | None = None) -> FeePaymentReport:
    """退回缴费报告 (handler or registrar): the payment could not be found or does not match; the
    reason is shown to the applicant, who may report again while the payment period runs. The
    request stays 待缴费 and the clock stays paused."""
    obj = lock(request, expected_version)
    require(actor, obj, Perm.HANDLE_REQUEST, Perm.REGISTER_REQUEST, message="只有承办人或登记员可以核实缴费。")
    report = (FeePaymentReport.objects.select_for_update()
              .filter(request=obj, state=FeePaymentReport.State.PENDING).first())
    if report is None:
        raise ValidationError("没有待核实的缴费报告。")
    text = required_text(reason, "未通过核实的理由", MIN_REASON)[:1000]
    before = snapshot(obj)
    report.state = FeePaymentReport.State.REJECTED
    report.reject_reason = text
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.save(update_fields=["state", "reject_reason", "decided_by", "decided_at"])
    add_event(obj, "payment_report_rejected", on=clock.today(), actor=actor, note=text, visible=True,
              payload={"report": report.pk})
    finish(obj, action="disclosure.payment_report_reject", actor=actor, before=before, http_request=http_request,
           fields=[], extra_after={"payment_report": report.pk})
    return report
