"""The applicant side of 依申请公开 (issue 4 §1, §5): the guide, the online form with its
check-answers page and confirmation, the 回执 PDF, tracking by 受理编号 + 查询码 and 我的申请.

Access: a request is reachable only after ``access_request_by_receipt`` succeeded in this session
(its uid is then kept in the session, so later pages carry no code in their URLs), right after the
session submitted it, or by the signed-in applicant who submitted it
(``access_request_for_applicant``). Anything else is the same 404.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gongkai.disclosure import crypto
from gongkai.disclosure.access import access_request_by_receipt, access_request_for_applicant
from gongkai.disclosure.crypto import mask_id_number, mask_phone_number
from gongkai.disclosure.models import (
    DeliveryMethod,
    DisclosureRequest,
    FeeNotice,
    FormWanted,
    IdType,
    RequestAttachment,
)
from gongkai.disclosure.public_forms import (
    ApplicationForm,
    CorrectionForm,
    LookupForm,
    MessageForm,
    PaymentReportForm,
    WithdrawForm,
    organisations_accepting,
    read_uploads,
)
from gongkai.disclosure.public_receipt import receipt_pdf
from gongkai.disclosure.selectors import applicant_requests, receipt_explanation, timeline
from gongkai.disclosure.services import past_answers, payments
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.disclosure.services.submission import clean_application, request_submit_online
from gongkai.disclosure.services.workflow import (
    applicant_add_message,
    applicant_submit_correction,
    request_withdraw,
)
from gongkai.domain.disclosure_outcomes import ORGANISATION_KIND_LABELS, ApplicantType, OrganisationKind
from gongkai.domain.disclosure_workflow import RequestStatus

DRAFT_KEY = "disclosure_public_draft"
CONFIRM_KEY = "disclosure_public_confirm"
ACCESS_KEY = "disclosure_public_access"
MAX_ACCESS = 20

S = RequestStatus
# What each status means for the applicant, in plain words.
STATUS_HELP: dict[RequestStatus, str] = {
    S.SUBMITTED: "申请已提交，等待机关确认收到。确认收到后开始计算答复期限。",
    S.REGISTERED: "机关已收到并登记您的申请，正在分送承办部门。",
    S.AWAITING_CORRECTION: "机关请您补正申请内容。请按下方补正告知的要求在期限内提交补正；逾期不补正的，视为放弃申请。",
    S.IN_HANDLING: "承办部门正在办理您的申请。",
    S.CONSULTING: "机关正在征求第三方或其他机关的意见，征求意见的时间不计入答复期限。",
    S.AWAITING_FEE: "机关已发出收费通知，等待缴费；缴费期间不计入答复期限。",
    S.LEGAL_REVIEW: "答复已拟定，正在进行法制审核。",
    S.AWAITING_APPROVAL: "答复已拟定，等待负责人审批。",
    S.APPROVED: "答复已审批，等待送达。",
    S.DELIVERED: "机关已作出答复。",
    S.ARCHIVED: "申请已办结归档。",
    S.WITHDRAWN: "您已撤回这件申请。",
    S.ABANDONED: "您未在补正期限内补正，视为放弃申请。",
    S.STOPPED: "您未在期限内缴纳信息处理费，机关不再处理这件申请。",
}
WITHDRAWABLE = frozenset({S.SUBMITTED, S.REGISTERED, S.AWAITING_CORRECTION, S.IN_HANDLING, S.CONSULTING,
                          S.AWAITING_FEE, S.LEGAL_REVIEW, S.AWAITING_APPROVAL, S.APPROVED})
EVENT_LABELS = {
    "submitted": "提交申请",
    "received": "确认收到申请，开始计算答复期限",
    "correction_requested": "补正告知",
    "correction_received": "收到补正",
    "consultation_started": "征求意见",
    "consultation_delivered": "征求意见书送达",
    "consultation_ended": "征求意见结束",
    "extended": "延期答复",
    "fee_noticed": "收费通知",
    "fee_paid": "机关确认已缴费，答复期限恢复计算",
    "payment_reported": "您报告已缴费",
    "payment_report_rejected": "缴费报告未通过核实",
    "closed": "办结",
    "reopened": "重新办理",
    "applicant_message": "您的留言",
    "message": "机关留言",
    "archived": "归档",
}


# --- Access ----------------------------------------------------------------------------------------


def _grant(http_request: HttpRequest, req: DisclosureRequest) -> None:
    granted = [u for u in http_request.session.get(ACCESS_KEY, []) if u != str(req.uid)]
    http_request.session[ACCESS_KEY] = [*granted, str(req.uid)][-MAX_ACCESS:]


def applicant_access(http_request: HttpRequest, uid: Any) -> DisclosureRequest:
    """The request ``uid`` when this visitor may see it as its applicant (looked up with the code in
    this session, submitted in this session, or submitted by the signed-in user); else 404."""
    if str(uid) in http_request.session.get(ACCESS_KEY, []):
        obj = DisclosureRequest.objects.select_related("organisation").filter(uid=uid).first()
        if obj is not None:
            return obj
    if getattr(http_request.user, "is_authenticated", False):
        return access_request_for_applicant(http_request.user, uid)
    raise Http404("未找到该申请。")


def _user(http_request: HttpRequest) -> Any:
    return http_request.user if getattr(http_request.user, "is_authenticated", False) else None


# --- Guide and form --------------------------------------------------------------------------------


@login_not_required
def guide(request: HttpRequest) -> HttpResponse:
    """依申请公开 start page: how to apply, what to write, time limits, fees and other channels."""
    return render(request, "disclosure/public/guide.html", {"organisations": organisations_accepting()})


def _draft(request: HttpRequest) -> dict[str, Any] | None:
    """The answers so far. They wait in the session until submission, sealed with the same SM4-GCM
    field key as the stored requests (the session table is not a place for plaintext ID numbers);
    once submitted only the key and the request's uid remain."""
    draft = request.session.get(DRAFT_KEY)
    if not isinstance(draft, dict):
        return None
    if draft.get("submitted"):
        return {**draft, "data": None, "files": []}
    try:
        sealed = json.loads(crypto.decrypt(draft.get("sealed", "")) or "{}")
    except (crypto.DecryptionError, ValueError):
        return None
    if "data" not in sealed:
        return None
    return {**draft, "data": sealed["data"], "files": sealed.get("files", [])}


def _save_draft(request: HttpRequest, *, org: int, data: dict[str, Any], files: list[list[str]]) -> None:
    request.session[DRAFT_KEY] = {
        "org": org, "sealed": crypto.encrypt(json.dumps({"data": data, "files": files}, ensure_ascii=False)),
        # A fresh key for every version of the answers: a double-click on the check page repeats
        # the key, an edited application gets a new one.
        "key": secrets.token_urlsafe(24), "submitted": None,
    }


def _copy_service_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """网上申请表 (one page, grouped in fieldsets); continues to the check-answers page."""
    draft = _draft(request)
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            data = {name: form.cleaned_data.get(name) or "" for name in ApplicationForm.SERVICE_FIELDS}
            try:
                cleaned = clean_application(data)
            except ValidationError as exc:
                _copy_service_errors(form, exc)
            else:
                files, file_errors = read_uploads(form.cleaned_data["attachments"])
                for message in file_errors:
                    form.add_error("attachments", message)
                if not file_errors:
                    if files:
                        stored = [[n, base64.b64encode(b).decode("ascii")] for n, b in files]
                    elif form.cleaned_data["remove_attachments"] or not draft or draft.get("submitted"):
                        stored = []
                    else:
                        stored = draft.get("files", [])
                    _save_draft(request, org=form.cleaned_data["organisation"].pk, data=cleaned, files=stored)
                    return redirect("disclosure_public:check")
        status = 400
    else:
        initial: dict[str, Any] = {"applicant_type": ApplicantType.NATURAL_PERSON, "id_type": IdType.RESIDENT_ID,
                                   "form_wanted": FormWanted.ELECTRONIC, "delivery_method": DeliveryMethod.ONLINE}
        if draft and not draft.get("submitted"):
            initial.update(draft["data"], organisation=draft["org"])
        elif request.GET.get("org", "").isdigit():
            initial["organisation"] = int(request.GET["org"])
        form = ApplicationForm(initial=initial)
        status = 200
    existing = [name for name, _ in (draft or {}).get("files", [])] if draft and not draft.get("submitted") else []
    return render(request, "disclosure/public/apply.html", {"form": form, "existing_files": existing}, status=status)


def _deflection(description: str) -> list[Any]:
    """Published documents that may already answer the request (这些信息可能已经公开)."""
    try:
        from gongkai.policies.search.api import SearchQuery, search

        results = search(SearchQuery(text=description[:200], page_size=5, with_facets=False))
        return list(results.hits)
    except Exception:  # noqa: BLE001 — the search is a courtesy; the application must go on without it
        return []


def _past_answers(description: str) -> list[Any]:
    """以往答复 (published, anonymised summaries of earlier replies) sharing the description's words."""
    return past_answers.matching_past_answers(description)


def _summary(draft: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, field id) rows of the check-answers page; empty answers read 未填写. The ID
    and phone numbers are masked here too (the page may be seen over the shoulder or cached)."""
    data = draft["data"]
    org = organisations_accepting().filter(pk=draft["org"]).first()
    person = data["applicant_type"] == ApplicantType.NATURAL_PERSON
    rows = [
        ("受理机关", org.name if org else "", "id_organisation"),
        ("申请人类型", ApplicantType(data["applicant_type"]).label
         + ("" if person else f"（{ORGANISATION_KIND_LABELS[OrganisationKind(data['organisation_kind'])]}）"),
         "id_applicant_type_0"),
        ("姓名或名称", data["applicant_name"], "id_applicant_name"),
    ]
    if person or data["id_number"]:
        rows.append(("证件", f"{IdType(data['id_type']).label} {mask_id_number(data['id_number'])}"
                     if data["id_number"] else "",
                     "id_id_number"))
    if not person:
        rows += [("统一社会信用代码", data["credit_code"], "id_credit_code"),
                 ("联系人", data["contact_person"], "id_contact_person")]
    rows += [
        ("联系电话", mask_phone_number(data["phone"]), "id_phone"),
        ("电子邮箱", data["email"], "id_email"),
        ("通信地址", data["address"], "id_address"),
        ("邮政编码", data["postcode"], "id_postcode"),
        ("所需政府信息", data["description"], "id_description"),
        ("用途", data["purpose"], "id_purpose"),
        ("信息的提供形式", FormWanted(data["form_wanted"]).label, "id_form_wanted_0"),
        ("获取信息的方式", DeliveryMethod(data["delivery_method"]).label, "id_delivery_method_0"),
        ("附件", "、".join(name for name, _ in draft.get("files", [])), "id_attachments"),
    ]
    return rows


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """核对信息, then 提交申请 with the server-generated idempotency key embedded in the form."""
    draft = _draft(request)
    if draft is None:
        messages.info(request, "请先填写申请表。")
        return redirect("disclosure_public:apply")
    errors: list[str] = []
    if request.method == "POST":
        key = request.POST.get("idempotency_key", "")
        if not secrets.compare_digest(key.encode(), str(draft["key"]).encode()):
            messages.error(request, "申请内容已修改或页面已过期，请核对后再提交。")
            return redirect("disclosure_public:check")
        if draft.get("submitted"):
            # The same form sent again (double click, back and resubmit): already submitted once.
            return redirect("disclosure_public:done")
        organisation = organisations_accepting().filter(pk=draft["org"]).first()
        if organisation is None:
            errors.append("该机关暂不受理网上申请，请重新选择受理机关。")
        else:
            files = [(name, base64.b64decode(b64)) for name, b64 in draft.get("files", [])]
            try:
                result = request_submit_online(organisation=organisation, data=draft["data"], idempotency_key=key,
                                               user=_user(request), attachments=files, http_request=request)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                _grant(request, result.request)
                confirm = request.session.get(CONFIRM_KEY) or {}
                if result.query_code is not None or confirm.get("uid") != str(result.request.uid):
                    confirm = {"uid": str(result.request.uid), "code": result.query_code}
                request.session[CONFIRM_KEY] = confirm
                request.session[DRAFT_KEY] = {"org": draft["org"], "key": draft["key"],
                                              "submitted": str(result.request.uid)}
                return redirect("disclosure_public:done")
    elif draft.get("submitted"):
        return redirect("disclosure_public:done")
    context = {"rows": _summary(draft), "key": draft["key"], "errors": errors,
               "matches": _deflection(draft["data"]["description"]),
               "past_answers": _past_answers(draft["data"]["description"])}
    return render(request, "disclosure/public/check.html", context, status=400 if errors else 200)


@login_not_required
@never_cache
def done(request: HttpRequest) -> HttpResponse:
    """申请已提交: receipt number, the 查询码 (shown once), receipt and due dates with the explanation."""
    confirm = request.session.get(CONFIRM_KEY)
    if not confirm:
        return redirect("portal:gongkai_ysqgk")
    req = applicant_access(request, confirm["uid"])
    code = confirm.get("code")
    if code:
        # Shown once: a reload or a later visit no longer has it.
        request.session[CONFIRM_KEY] = {"uid": confirm["uid"], "code": None}
    context = {"req": req, "code": code, "code_groups": [code[:5], code[5:]] if code else [],
               "explanation": receipt_explanation(req), "status_help": STATUS_HELP[S(req.status)]}
    response = render(request, "disclosure/public/done.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- Receipt PDF -----------------------------------------------------------------------------------


def _tracking_url(request: HttpRequest, req: DisclosureRequest) -> str:
    return request.build_absolute_uri(reverse("disclosure_public:lookup")) + f"?no={req.receipt_no}"


@login_not_required
@never_cache
def receipt(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    req = applicant_access(request, uid)
    data = receipt_pdf(req, tracking_url=_tracking_url(request, req), explanation=receipt_explanation(req))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="huizhi-{req.receipt_no}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- Tracking --------------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """查询办理进度: 受理编号 + 查询码. A wrong code and a missing number give the same 404 page."""
    status = 200
    not_found = False
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                req = access_request_by_receipt(form.cleaned_data["receipt_no"], form.cleaned_data["query_code"],
                                                request=request)
            except Http404:
                not_found = True
                status = 404
            else:
                request.session.cycle_key()  # the session now grants access: a fresh id
                _grant(request, req)
                return redirect("disclosure_public:status", uid=req.uid)
        else:
            status = 400
    else:
        form = LookupForm(initial={"receipt_no": request.GET.get("no", "")[:40]})
    return render(request, "disclosure/public/lookup.html", {"form": form, "not_found": not_found}, status=status)


def _letters(req: DisclosureRequest) -> list[dict[str, Any]]:
    """The frozen letters addressed to the applicant with their PDF and DOCX downloads."""
    try:
        from gongkai.disclosure.letters.selectors import applicant_letters
    except ImportError:
        return []
    out = []
    for letter in applicant_letters(req):
        try:
            out.append({"letter": letter,
                        "pdf": reverse("disclosure_letters:public_download",
                                       kwargs={"uid": req.uid, "letter_id": letter.pk, "fmt": "pdf"}),
                        "docx": reverse("disclosure_letters:public_download",
                                        kwargs={"uid": req.uid, "letter_id": letter.pk, "fmt": "docx"})})
        except NoReverseMatch:
            return []
    return out


def _correction_items(req: DisclosureRequest) -> str:
    event = req.events.filter(kind="correction_requested").order_by("-occurred_on", "-id").first()
    return event.note if event else ""


def _status_context(request: HttpRequest, req: DisclosureRequest, **extra: Any) -> dict[str, Any]:
    status = S(req.status)
    state = deadline_state(req)
    events = [{"event": e, "label": EVENT_LABELS.get(e.kind, "办理进展"),
               "mine": e.kind == "applicant_message"} for e in timeline(req, applicant_view=True)]
    files = req.attachments.filter(visible_to_applicant=True).filter(
        Q(kind=RequestAttachment.Kind.RELEASED) | Q(kind=RequestAttachment.Kind.APPLICANT)
        | Q(kind=RequestAttachment.Kind.CORRECTION) | Q(kind=RequestAttachment.Kind.PAYMENT))
    context = {
        "req": req, "status_help": STATUS_HELP[status], "state": state,
        "explanation": receipt_explanation(req), "events": events,
        "released": [f for f in files if f.kind == RequestAttachment.Kind.RELEASED],
        "own_files": [f for f in files if f.kind != RequestAttachment.Kind.RELEASED],
        "letters": _letters(req),
        "can_correct": status is S.AWAITING_CORRECTION, "correction_items": _correction_items(req),
        "can_withdraw": status in WITHDRAWABLE,
        "correction_form": CorrectionForm(initial={"description": req.description}),
        "message_form": MessageForm(),
        **_fee_context(req, status, state),
    }
    context.update(extra)
    return context


def _fee_context(req: DisclosureRequest, status: RequestStatus, state: Any) -> dict[str, Any]:
    """The 信息处理费 box: the notice (amount, method, how it was computed), the payment deadline as
    the replayed clock derives it (国办函〔2020〕109号: 20 working days from receiving the notice),
    the organisation's payment instructions and the applicant's reports."""
    notice = FeeNotice.objects.filter(request=req).first()
    if notice is None:
        return {"fee": None}
    reports = payments.payment_reports(req)
    pending = next((r for r in reports if r.is_pending), None)
    awaiting = status is S.AWAITING_FEE and notice.paid_on is None
    return {
        "fee": notice,
        "fee_due": state.fee_payment_due if state is not None else None,
        "fee_overdue": bool(state is not None and state.fee_overdue),
        "fee_awaiting": awaiting,
        "payment_instructions": (payments.payment_instructions_for(req.organisation)
                                 or payments.DEFAULT_PAYMENT_INSTRUCTIONS),
        "payment_reports": reports,
        "payment_pending": pending,
        "can_report_payment": awaiting and pending is None,
        "payment_form": PaymentReportForm(),
    }


@login_not_required
@never_cache
def status(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    req = applicant_access(request, uid)
    return render(request, "disclosure/public/status.html", _status_context(request, req))


@login_not_required
@require_POST
def correction(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """提交补正 (only while a correction is requested)."""
    req = applicant_access(request, uid)
    form = CorrectionForm(request.POST, request.FILES)
    if form.is_valid():
        files, file_errors = read_uploads(form.cleaned_data["attachments"])
        for message in file_errors:
            form.add_error("attachments", message)
        if not file_errors:
            description = form.cleaned_data["description"].strip()
            try:
                applicant_submit_correction(
                    request=req, description=description if description and description != req.description else None,
                    note=form.cleaned_data["note"], attachments=files, user=_user(request), http_request=request)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "补正已提交，答复期限自今日起重新计算。")
                return redirect("disclosure_public:status", uid=req.uid)
    return render(request, "disclosure/public/status.html",
                  _status_context(request, req, correction_form=form), status=400)


@login_not_required
@require_POST
def payment(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """我已缴费: the transaction reference and an optional receipt; staff then confirm or reject."""
    req = applicant_access(request, uid)
    form = PaymentReportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("receipt")
        files, file_errors = read_uploads([upload] if upload else [])
        for text in file_errors:
            form.add_error("receipt", text)
        if not file_errors:
            try:
                payments.applicant_report_payment(request=req, reference=form.cleaned_data["reference"],
                                                  receipt=files[0] if files else None, user=_user(request),
                                                  http_request=request)
            except ValidationError as exc:
                _copy_service_errors(form, exc)
            else:
                messages.success(request, "已收到您的缴费报告。机关核实到账后恢复计算答复期限，核实结果将在本页显示。")
                return redirect("disclosure_public:status", uid=req.uid)
    return render(request, "disclosure/public/status.html",
                  _status_context(request, req, payment_form=form), status=400)


@login_not_required
@require_POST
def message(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """留言 to the handling office."""
    req = applicant_access(request, uid)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            applicant_add_message(request=req, text=form.cleaned_data["text"], user=_user(request),
                                  http_request=request)
        except ValidationError as exc:
            for text in exc.messages:
                form.add_error("text", text)
        else:
            messages.success(request, "留言已发送。")
            return redirect("disclosure_public:status", uid=req.uid)
    return render(request, "disclosure/public/status.html",
                  _status_context(request, req, message_form=form), status=400)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """撤回申请, after an explicit confirmation."""
    req = applicant_access(request, uid)
    if S(req.status) not in WITHDRAWABLE:
        messages.error(request, "这件申请已答复或已办结，不能撤回。")
        return redirect("disclosure_public:status", uid=req.uid)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                request_withdraw(request=req, actor=_user(request), by_applicant=True,
                                 reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"],
                                 http_request=request)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, "；".join(getattr(exc, "messages", None) or [str(exc)]))
            else:
                messages.success(request, "申请已撤回。")
                return redirect("disclosure_public:status", uid=req.uid)
        status_code = 400
    else:
        form = WithdrawForm(initial={"version": req.version})
        status_code = 200
    return render(request, "disclosure/public/withdraw.html", {"req": req, "form": form}, status=status_code)


@login_not_required
def attachment(request: HttpRequest, uid: uuid.UUID, attachment_id: int) -> FileResponse:
    """The applicant's own files and the released information (公开的政府信息)."""
    req = applicant_access(request, uid)
    item = req.attachments.filter(pk=attachment_id, visible_to_applicant=True).exclude(
        kind=RequestAttachment.Kind.INTERNAL).first()
    if item is None:
        raise Http404("未找到该文件。")
    response = FileResponse(item.file.open("rb"), as_attachment=True,
                            filename=f"{item.original_name.rsplit('.', 1)[0]}.{item.extension}",
                            content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 我的申请 ----------------------------------------------------------------------------------------


def mine(request: HttpRequest) -> HttpResponse:
    """我的申请 of the signed-in applicant (login required by the middleware)."""
    return render(request, "disclosure/public/mine.html", {"requests": applicant_requests(request.user)})
