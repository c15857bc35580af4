"""依申请公开开放接口 ``/api/v1/disclosure/`` (issue 4 §7).

Public: ``POST /requests`` (网上申请, ``Idempotency-Key`` header required: the same key returns
the same receipt and 查询码), ``GET /requests/{receipt_no}?code=…`` (查询办理进度; a wrong
code and a missing number are the same 404) and ``POST /requests/{receipt_no}/payment`` (我已缴费,
authorised the same way with the 查询码 in the body).

Staff (browser session with CSRF, or ``Authorization: Bearer gk_…``): the queue, a masked
detail, staff registration and one POST per workflow service. The endpoints are thin: requests
are loaded only with ``access_request`` (another organisation's request is a 404), every change
goes through the service, which checks the role (``PermissionDenied`` → 403). Bad input is a
Chinese 422; a stale ``expected_version`` is a 409.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.params.functions import Header
from ninja.security import HttpBearer, django_auth

from gongkai.accounts.models import Organisation, User
from gongkai.api.services import api_token_authenticate
from gongkai.core.audit import client_ip
from gongkai.core.cache import count_hit
from gongkai.disclosure import selectors
from gongkai.disclosure.access import access_request, access_request_by_receipt
from gongkai.disclosure.models import Consultation, DisclosureRequest, FeeNotice, RequestEvent
from gongkai.disclosure.services import letters, past_answers, payments, personal_data, submission, workflow
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.domain.disclosure_outcomes import OUTCOMES, Outcome

router = Router(tags=["依申请公开"])

T = TypeVar("T")

# Per-IP submissions per minute through the public endpoint (reliability.md §5 item 17).
SUBMIT_RATE_PER_MINUTE = int(getattr(settings, "GONGKAI_DISCLOSURE_API_SUBMIT_RATE", 20))

EVENT_LABELS = {
    "submitted": "提交申请",
    "received": "收到申请",
    "assigned": "分办",
    "transferred": "转办",
    "correction_requested": "补正告知",
    "correction_received": "收到补正",
    "consultation_started": "征求意见",
    "consultation_delivered": "征求意见书送达",
    "consultation_ended": "征求意见结束",
    "extended": "延期答复",
    "fee_noticed": "收费通知",
    "fee_paid": "缴费",
    "payment_reported": "申请人报告已缴费",
    "payment_report_rejected": "退回缴费报告",
    "answer_published": "公开答复摘要",
    "answer_withdrawn": "撤下公开的答复",
    "reply_drafted": "拟定答复",
    "reply_submitted": "提交审核",
    "legal_review": "法制审核",
    "approval": "审批",
    "closed": "办结",
    "archived": "归档",
    "reopened": "重新办理",
    "note": "内部备注",
    "message": "告知申请人",
    "applicant_message": "申请人留言",
}


class StaffTokenAuth(HttpBearer):
    """``Authorization: Bearer gk_…`` (same check as ``gongkai.api.api.ApiTokenAuth``)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


STAFF_AUTH = [django_auth, StaffTokenAuth()]


# --- Schemas ----------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, str] = {}


class ApplicationIn(Schema):
    """申请内容 (条例第二十九条). Every field is text so that bad input gets a Chinese message."""

    applicant_type: str = "natural_person"
    organisation_kind: str = ""
    applicant_name: str = ""
    contact_person: str = ""
    id_type: str = ""
    id_number: str = ""
    credit_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    description: str = ""
    purpose: str = ""
    form_wanted: str = ""
    delivery_method: str = ""


class SubmissionIn(ApplicationIn):
    organisation: str


class ReceiptOut(Schema):
    receipt_no: str
    query_code: str | None
    organisation: str
    organisation_name: str
    status: str
    status_label: str
    arrived_at: datetime
    receipt_date: date | None
    due_date: date | None
    due_provisional: bool
    due_explanation: list[str]


class TimelineOut(Schema):
    date: date
    kind: str
    label: str
    note: str


class PaymentReportOut(Schema):
    reported_on: date
    reference: str
    state: str
    state_label: str
    reject_reason: str


class FeeTrackOut(Schema):
    """收费通知 as the applicant sees it: ``payment_due`` comes from the replayed clock (20 working
    days from receiving the notice, 国办函〔2020〕109号)."""

    method: str
    method_label: str
    amount: int
    explanation: list[str]
    noticed_on: date
    payment_due: date | None
    paid_on: date | None
    payment_instructions: str
    can_report_payment: bool
    reports: list[PaymentReportOut]


class PaymentReportIn(Schema):
    """我已缴费: the 查询码 (as for tracking), the 交易流水号 and optionally the receipt file."""

    code: str
    reference: str
    receipt_name: str = ""
    receipt_base64: str = ""


class TrackOut(Schema):
    receipt_no: str
    organisation_name: str
    status: str
    status_label: str
    receipt_date: date | None
    due_date: date | None
    due_provisional: bool
    overdue: bool
    outcome: str
    outcome_label: str
    closed_on: date | None
    due_explanation: list[str]
    timeline: list[TimelineOut]
    fee: FeeTrackOut | None = None


class QueueItemOut(Schema):
    uid: str
    receipt_no: str
    organisation: str
    handling_department: str | None
    status: str
    status_label: str
    channel: str
    applicant_type: str
    applicant_name: str
    description: str
    received_on: date | None
    due_date: date | None
    due_soon: bool
    overdue: bool
    outcome: str
    version: int


class StaffEventOut(TimelineOut):
    actor: str
    visible_to_applicant: bool


class ConsultationOut(Schema):
    id: int
    kind: str
    party: str
    issued_on: date
    delivered_on: date | None
    reply_due: date | None
    reply_received_on: date | None
    decision: str


class FeeNoticeOut(Schema):
    method: str
    amount: int
    noticed_on: date
    payment_due: date
    paid_on: date | None
    explanation: list[str]


class ReplyOut(Schema):
    id: int
    state: str
    outcome: str
    outcome_label: str
    article: str
    reasons: str
    drafted_by: str
    needs_legal_review: bool
    version: int


class RequestDetailOut(QueueItemOut):
    channel_label: str
    arrived_at: datetime
    confirmed_at: datetime | None
    organisation_kind: str
    contact_person: str
    id_type: str
    id_number_masked: str
    credit_code: str
    phone_masked: str
    email: str
    address_masked: str
    postcode: str
    purpose: str
    form_wanted: str
    delivery_method: str
    outcome_label: str
    closed_on: date | None
    due_provisional: bool
    clock_paused: bool
    due_explanation: list[str]
    consultations: list[ConsultationOut]
    fee_notice: FeeNoticeOut | None
    reply: ReplyOut | None
    timeline: list[StaffEventOut]


class RegisterIn(Schema):
    organisation: str
    channel: str
    arrived_at: datetime
    confirmed_at: datetime | None = None
    application: ApplicationIn


class VersionIn(Schema):
    expected_version: int


class ConfirmIn(VersionIn):
    confirmed_at: datetime


class AssignIn(VersionIn):
    department: str
    note: str = ""


class CorrectionAskIn(VersionIn):
    items: list[str]
    period_days: int = 15
    on: date | None = None


class CorrectionReceiveIn(VersionIn):
    on: date | None = None
    note: str = ""
    description: str | None = None


class OnIn(VersionIn):
    on: date | None = None


class AbandonIn(OnIn):
    note: str = ""


class ConsultationStartIn(VersionIn):
    party: str
    kind: str = "third_party"
    on: date | None = None
    note: str = ""


class ConsultationEndIn(OnIn):
    reply_text: str = ""
    decision: str


class ExtendIn(OnIn):
    days: int
    reason: str


class FeeNoticeIn(OnIn):
    method: str
    pages: int | None = None
    received_on: date | None = None


class ReplyDraftIn(VersionIn):
    outcome: str
    reasons: str
    article: str | None = None
    public_location: str = ""
    responsible_agency: str = ""
    responsible_agency_contact: str = ""


class DecisionIn(VersionIn):
    approve: bool
    comment: str = ""


class DeliverIn(OnIn):
    method: str
    tracking_no: str = ""


class WithdrawIn(OnIn):
    reason: str


class ReopenIn(OnIn):
    reason: str
    days: int = 20


class NoteIn(Schema):
    text: str
    visible_to_applicant: bool = False


class RevealIn(Schema):
    field: str


class RevealOut(Schema):
    field: str
    value: str


ERRORS: dict[int | str, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- Helpers ---------------------------------------------------------------------------------------


def _error_body(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        errors = {field: "；".join(msgs) for field, msgs in exc.message_dict.items()}
        return {"detail": "；".join(errors.values()), "errors": errors}
    return {"detail": "；".join(exc.messages), "errors": {}}


def _is_conflict(exc: ValidationError) -> bool:
    return any(getattr(e, "code", None) == "conflict" for e in getattr(exc, "error_list", [exc]))


class _Refused(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["detail"])
        self.status = status
        self.body = body


def _call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a service; its ``ValidationError`` becomes a Chinese 422 (409 for a stale version).
    ``PermissionDenied`` and ``Http404`` reach the API's own 403/404 handlers."""
    try:
        return fn(**kwargs)
    except ValidationError as exc:
        raise _Refused(409 if _is_conflict(exc) else 422, _error_body(exc)) from None


def _guard(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ``_Refused`` into its status (ninja resolves the response schema per status)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except _Refused as refused:
            return Status(refused.status, refused.body)

    return wrapper


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _organisation(slug: str, field: str = "organisation") -> Organisation:
    org = Organisation.objects.filter(slug=slug, is_active=True).first()
    if org is None:
        raise _Refused(422, {"detail": f"未知的机关“{slug[:40]}”。", "errors": {field: "请填写有效的机关网址标识。"}})
    return org


def _explanation(obj: DisclosureRequest) -> list[str]:
    return list(selectors.receipt_explanation(obj))


def _outcome_label(obj: DisclosureRequest) -> str:
    return OUTCOMES[Outcome(obj.outcome)].label if obj.outcome else ""


def _receipt(sub: submission.Submission) -> dict[str, Any]:
    obj = sub.request
    return {
        "receipt_no": obj.receipt_no, "query_code": sub.query_code, "organisation": obj.organisation.slug,
        "organisation_name": obj.organisation.name, "status": obj.status, "status_label": obj.status_label,
        "arrived_at": obj.arrived_at, "receipt_date": obj.received_on, "due_date": obj.due_date,
        "due_provisional": obj.due_provisional, "due_explanation": _explanation(obj),
    }


def _event(e: RequestEvent) -> dict[str, Any]:
    return {"date": e.occurred_on, "kind": e.kind, "label": EVENT_LABELS.get(e.kind, e.kind), "note": e.note}


def _queue_item(obj: DisclosureRequest) -> dict[str, Any]:
    return {
        "uid": str(obj.uid), "receipt_no": obj.receipt_no, "organisation": obj.organisation.slug,
        "handling_department": obj.handling_department.slug if obj.handling_department else None,
        "status": obj.status, "status_label": obj.status_label, "channel": obj.channel,
        "applicant_type": obj.applicant_type, "applicant_name": obj.applicant_name,
        "description": obj.description, "received_on": obj.received_on, "due_date": obj.due_date,
        "due_soon": obj.due_soon, "overdue": obj.overdue, "outcome": obj.outcome, "version": obj.version,
    }


def _detail(obj: DisclosureRequest) -> dict[str, Any]:
    obj = DisclosureRequest.objects.select_related("organisation", "handling_department").get(pk=obj.pk)
    reply = workflow.current_reply(obj)
    notice = FeeNotice.objects.filter(request=obj).first()
    return {
        **_queue_item(obj),
        "channel_label": obj.get_channel_display(), "arrived_at": obj.arrived_at, "confirmed_at": obj.confirmed_at,
        "organisation_kind": obj.organisation_kind, "contact_person": obj.contact_person, "id_type": obj.id_type,
        "id_number_masked": obj.id_number_masked, "credit_code": obj.credit_code,
        "phone_masked": obj.phone_masked, "email": obj.email, "address_masked": obj.address_masked,
        "postcode": obj.postcode, "purpose": obj.purpose, "form_wanted": obj.form_wanted,
        "delivery_method": obj.delivery_method, "outcome_label": _outcome_label(obj), "closed_on": obj.closed_on,
        "due_provisional": obj.due_provisional, "clock_paused": obj.clock_paused,
        "due_explanation": _explanation(obj),
        "consultations": [
            {"id": c.pk, "kind": c.kind, "party": c.party, "issued_on": c.issued_on, "delivered_on": c.delivered_on,
             "reply_due": c.reply_due, "reply_received_on": c.reply_received_on, "decision": c.decision}
            for c in Consultation.objects.filter(request=obj)
        ],
        "fee_notice": None if notice is None else {
            "method": notice.method, "amount": notice.amount, "noticed_on": notice.noticed_on,
            "payment_due": notice.payment_due, "paid_on": notice.paid_on, "explanation": list(notice.explanation),
        },
        "reply": None if reply is None else {
            "id": reply.pk, "state": reply.state, "outcome": reply.outcome, "outcome_label": reply.outcome_label,
            "article": reply.article, "reasons": reply.reasons, "drafted_by": reply.drafted_by.display_name
            or reply.drafted_by.username, "needs_legal_review": reply.needs_legal_review, "version": reply.version,
        },
        "timeline": [
            {**_event(e), "actor": (e.actor.display_name or e.actor.username) if e.actor else "",
             "visible_to_applicant": e.visible_to_applicant}
            for e in selectors.timeline(obj)
        ],
    }


def _rate_limited(request: HttpRequest, *, now: datetime | None = None) -> bool:
    """Fixed one-minute window per client IP, counted in the shared cache (every process and node
    sees the same count, ``gongkai.core.cache``); over the limit nothing is written."""
    minute = int((now or timezone.now()).timestamp() // 60)
    key = f"disclosure:api-submit:{client_ip(request) or '-'}:{minute}"
    return count_hit(key, 120) > SUBMIT_RATE_PER_MINUTE


# --- Public endpoints --------------------------------------------------------------------------------


@router.post("/requests", auth=None, response={200: ReceiptOut, 201: ReceiptOut, 422: ErrorOut, 429: ErrorOut},
             summary="提交政府信息公开申请（网上申请）")
@_guard
def disclosure_submit(request: HttpRequest, payload: SubmissionIn,
           idempotency_key: str = Header("", alias="Idempotency-Key")) -> Any:
    """网上申请。请求头 `Idempotency-Key`（16–64 位字母、数字、`-` 或 `_`，每份申请随机生成一次）必填：
    同一标识重复提交返回同一受理编号和查询码（状态码 200），不会重复受理。查询码请妥善保存。
    网上申请待登记员与申请人确认后确定“收到申请之日”（条例第三十一条第（三）项），此前答复期限为空。"""
    key = (idempotency_key or "").strip()
    if not key:
        return Status(422, {"detail": "缺少请求头 Idempotency-Key（每份申请随机生成一次的提交标识）。",
                            "errors": {"Idempotency-Key": "必填"}})
    if _rate_limited(request):
        return Status(429, {"detail": "提交过于频繁，请稍后再试。", "errors": {}})
    org = _organisation(payload.organisation)
    data = payload.dict(exclude={"organisation"})
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    result = _call(submission.request_submit_online, organisation=org, data=data, idempotency_key=key, user=user,
                   http_request=request)
    return Status(201 if result.created else 200, _receipt(result))


@router.get("/requests/{receipt_no}", auth=None, response={200: TrackOut, 404: ErrorOut},
            summary="凭受理编号和查询码查询办理进度")
def disclosure_track(request: HttpRequest, receipt_no: str, code: str = "") -> Any:
    """受理编号或查询码不正确一律返回 404（同一受理编号多次输错后暂时锁定）。只返回申请人可见的办理记录。"""
    obj = access_request_by_receipt(receipt_no, code, request=request)
    return _track(obj)


@router.post("/requests/{receipt_no}/payment", auth=None, response={200: TrackOut, 404: ErrorOut, 422: ErrorOut},
             summary="报告已缴纳信息处理费（凭受理编号和查询码）")
@_guard
def disclosure_report_payment(request: HttpRequest, receipt_no: str, payload: PaymentReportIn) -> Any:
    """我已缴费：请求体带查询码（与查询办理进度相同，错误一律 404）、交易流水号，可附缴费凭证
    （`receipt_base64`，按文件内容检查类型）。机关核实到账后才恢复计算答复期限；机关因逾期未缴费不再处理后，
    报告一律拒绝（422）。"""
    obj = access_request_by_receipt(receipt_no, payload.code, request=request)
    receipt = None
    if payload.receipt_base64:
        try:
            data = base64.b64decode(payload.receipt_base64, validate=True)
        except (binascii.Error, ValueError):
            return Status(422, {"detail": "缴费凭证应为 Base64 编码的文件内容。", "errors": {"receipt_base64": "格式不正确"}})
        receipt = (payload.receipt_name or "缴费凭证", data)
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    _call(payments.applicant_report_payment, request=obj, reference=payload.reference, receipt=receipt, user=user,
          http_request=request)
    return _track(DisclosureRequest.objects.select_related("organisation").get(pk=obj.pk))


def _track(obj: DisclosureRequest) -> dict[str, Any]:
    return {
        "receipt_no": obj.receipt_no, "organisation_name": obj.organisation.name, "status": obj.status,
        "status_label": obj.status_label, "receipt_date": obj.received_on, "due_date": obj.due_date,
        "due_provisional": obj.due_provisional, "overdue": obj.overdue, "outcome": obj.outcome,
        "outcome_label": _outcome_label(obj), "closed_on": obj.closed_on, "due_explanation": _explanation(obj),
        "timeline": [_event(e) for e in selectors.timeline(obj, applicant_view=True)],
        "fee": _fee_track(obj),
    }


def _fee_track(obj: DisclosureRequest) -> dict[str, Any] | None:
    notice = FeeNotice.objects.filter(request=obj).first()
    if notice is None:
        return None
    state = deadline_state(obj)
    reports = payments.payment_reports(obj)
    awaiting = obj.status == "awaiting_fee" and notice.paid_on is None
    return {
        "method": notice.method, "method_label": notice.get_method_display(), "amount": notice.amount,
        "explanation": list(notice.explanation), "noticed_on": notice.noticed_on,
        "payment_due": state.fee_payment_due if state is not None else None, "paid_on": notice.paid_on,
        "payment_instructions": (payments.payment_instructions_for(obj.organisation)
                                 or payments.DEFAULT_PAYMENT_INSTRUCTIONS),
        "can_report_payment": awaiting and not any(r.is_pending for r in reports),
        "reports": [{"reported_on": r.reported_on, "reference": r.reference, "state": r.state,
                     "state_label": r.get_state_display(), "reject_reason": r.reject_reason} for r in reports],
    }


# --- Staff: queue, detail, registration ----------------------------------------------------------------


@router.post("/staff/requests", auth=STAFF_AUTH, response={200: RequestDetailOut, 201: RequestDetailOut, **ERRORS},
             summary="登记申请（当面、邮寄、平常信函、传真、电子邮件）")
@_guard
def disclosure_register(request: HttpRequest, payload: RegisterIn,
             idempotency_key: str = Header("", alias="Idempotency-Key")) -> Any:
    """登记员登记。`Idempotency-Key` 可选：同一标识重复登记只生成一件申请。"""
    org = _organisation(payload.organisation)
    result = _call(submission.request_register, actor=_user(request), organisation=org, channel=payload.channel,
                   arrived_at=payload.arrived_at, confirmed_at=payload.confirmed_at,
                   data=payload.application.dict(), idempotency_key=idempotency_key.strip() or None,
                   http_request=request)
    return Status(201 if result.created else 200, _detail(result.request))


@router.get("/staff/requests", auth=STAFF_AUTH, response=list[QueueItemOut], summary="工作台申请队列")
@paginate(PageNumberPagination, page_size=50)
def disclosure_queue(request: HttpRequest, scope: str = "organisation", status: str = "", open: bool = False,
          outcome: str = "", channel: str = "", applicant_type: str = "", overdue: bool = False,
          due_soon: bool = False, q: str = "") -> Any:
    """本人可见的申请，按答复期限排列。`scope`：mine（分办给我部门的）/ organisation（默认，我可见的全部）；
    `status`、`outcome`、`channel`、`applicant_type` 按取值筛选；`open`、`overdue`、`due_soon` 为 true 时只列
    未办结、已超期、即将到期的；`q` 为受理编号前缀或描述中的文字。"""
    filters = {"scope": scope, "status": status, "open": open, "outcome": outcome, "channel": channel,
               "applicant_type": applicant_type, "overdue": overdue, "due_soon": due_soon, "q": q}
    return [_queue_item(r) for r in selectors.queue(_user(request), filters)]


@router.get("/staff/requests/{uid}", auth=STAFF_AUTH, response={200: RequestDetailOut, 404: ErrorOut},
            summary="申请详情（个人信息已脱敏）")
def disclosure_detail(request: HttpRequest, uid: str) -> Any:
    return _detail(access_request(_user(request), uid, request=request))


# --- Staff: one POST per workflow service ------------------------------------------------------------------


def _load(request: HttpRequest, uid: str) -> DisclosureRequest:
    return access_request(_user(request), uid, request=request)


def _consultation(obj: DisclosureRequest, consultation_id: int) -> Consultation:
    found = Consultation.objects.filter(pk=consultation_id, request=obj).first()
    if found is None:
        raise Http404
    return found


def _action(path: str, summary: str, body: type[Schema] | None,
            run: Callable[[HttpRequest, DisclosureRequest, Any], Any]) -> None:
    """Register ``POST /staff/requests/{uid}/<path>``: load with ``access_request`` (404 for
    anyone who may not open it), run the service, answer with the fresh detail."""

    if body is None:
        def view_plain(request: HttpRequest, uid: str) -> Any:
            obj = _load(request, uid)
            run(request, obj, None)
            return _detail(obj)
        view: Callable[..., Any] = view_plain
    else:
        def view_body(request: HttpRequest, uid: str, payload: Any) -> Any:
            obj = _load(request, uid)
            run(request, obj, payload)
            return _detail(obj)
        # The body schema differs per action; ninja reads it from the annotation.
        view_body.__annotations__["payload"] = body
        view = view_body
    view.__name__ = "disclosure_action_" + path.replace("/", "_").replace("-", "_").replace("{", "").replace("}", "")
    router.post(f"/staff/requests/{{uid}}/{path}", auth=STAFF_AUTH, response={200: RequestDetailOut, **ERRORS},
                summary=summary)(_guard(view))


def _svc(fn: Callable[..., Any], **fixed: Any) -> Callable[[HttpRequest, DisclosureRequest, Any], Any]:
    """A ``run`` that passes the payload's fields (and ``expected_version``) to ``fn``."""

    def run(request: HttpRequest, obj: DisclosureRequest, payload: Any) -> Any:
        kwargs = payload.dict() if payload is not None else {}
        return _call(fn, actor=_user(request), request=obj, http_request=request, **fixed, **kwargs)

    return run


def _assign(request: HttpRequest, obj: DisclosureRequest, p: AssignIn) -> Any:
    return _call(workflow.request_assign, actor=_user(request), request=obj,
                 department=_organisation(p.department, "department"), note=p.note,
                 expected_version=p.expected_version, http_request=request)


def _consultation_action(fn: Callable[..., Any]) -> Callable[[HttpRequest, DisclosureRequest, Any], Any]:
    def run(request: HttpRequest, obj: DisclosureRequest, payload: Any) -> Any:
        kwargs = payload.dict()
        consultation = _consultation(obj, kwargs.pop("consultation_id"))
        return _call(fn, actor=_user(request), consultation=consultation, http_request=request, **kwargs)

    return run


class ConsultationDeliverIn(OnIn):
    consultation_id: int


class ConsultationEndByIdIn(ConsultationEndIn):
    consultation_id: int


_action("confirm-receipt", "确认收到（网上、电子邮件、传真、平常信函）", ConfirmIn,
        _svc(submission.request_confirm_receipt))
_action("assign", "分办 / 转办", AssignIn, _assign)
_action("correction/ask", "一次性补正告知", CorrectionAskIn, _svc(letters.ask_correction_and_notify))
_action("correction/receive", "登记收到补正", CorrectionReceiveIn, _svc(workflow.request_receive_correction))
_action("abandon", "逾期不补正，视为放弃申请", AbandonIn, _svc(workflow.request_mark_abandoned))
_action("consultations/start", "发出征求意见书", ConsultationStartIn, _svc(letters.consultation_start_and_notify))
_action("consultations/deliver", "征求意见书送达", ConsultationDeliverIn,
        _consultation_action(workflow.consultation_deliver))
_action("consultations/end", "收到意见 / 结束征求意见", ConsultationEndByIdIn,
        _consultation_action(workflow.consultation_end))
_action("extend", "延期答复（公开办负责人）", ExtendIn, _svc(letters.extend_and_notify))
_action("fee/notice", "收费通知", FeeNoticeIn, _svc(letters.fee_notice_and_notify))
_action("fee/paid", "登记缴费", OnIn, _svc(workflow.fee_paid))
_action("stop", "逾期未缴费，不再处理", OnIn, _svc(workflow.request_mark_stopped))
_action("reply/draft", "拟定答复", ReplyDraftIn, _svc(workflow.reply_draft))
_action("reply/submit", "提交审核", VersionIn, _svc(workflow.reply_submit_for_review))
_action("reply/legal-review", "法制审核", DecisionIn, _svc(workflow.reply_legal_review))
_action("reply/approve", "审批答复", DecisionIn, _svc(letters.approve_reply_and_issue_letter))
_action("deliver", "送达答复", DeliverIn, _svc(workflow.request_deliver))
_action("archive", "归档", VersionIn, _svc(workflow.request_archive))
_action("withdraw", "登记申请人撤回", WithdrawIn, _svc(workflow.request_withdraw))
_action("reopen", "重新办理（复议或诉讼后）", ReopenIn, _svc(workflow.request_reopen))
_action("notes", "内部备注或告知申请人", NoteIn, _svc(workflow.request_add_note))


class RejectReportIn(VersionIn):
    reason: str


class PublishAnswerIn(VersionIn):
    title: str
    summary: str


_action("fee/reject-report", "退回申请人的缴费报告（理由申请人可见）", RejectReportIn,
        _svc(payments.payment_report_reject))
_action("answer/publish", "公开此答复（匿名摘要，予以公开或部分公开且已送达）", PublishAnswerIn,
        _svc(past_answers.past_answer_publish))
_action("answer/withdraw", "撤下公开的答复", VersionIn, _svc(past_answers.past_answer_withdraw))


@router.post("/staff/requests/{uid}/reveal", auth=STAFF_AUTH, response={200: RevealOut, **ERRORS},
             summary="查看完整个人信息（仅承办人，记入审计）")
@_guard
def disclosure_reveal(request: HttpRequest, uid: str, payload: RevealIn) -> Any:
    obj = _load(request, uid)
    value = _call(personal_data.reveal_personal_data, actor=_user(request), request=obj, field=payload.field,
                  http_request=request)
    return {"field": payload.field, "value": value}
