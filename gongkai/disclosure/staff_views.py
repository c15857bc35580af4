"""Staff workbench for requests (依申请公开工作台): the queue, registration, the request page with
its action panel, personal-data reveal and the organisation setting.

Views are thin: ``access_request`` loads every request (another organisation's is a 404), forms
parse input and each action view calls exactly one service, which checks the role, the state and
the version. A failed action re-renders the request page with the Chinese error summary and
changes nothing (the services run in one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gongkai.accounts.access import access_organisation, organisations_for
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm
from gongkai.core.permissions import staff_required
from gongkai.disclosure import forms as f
from gongkai.disclosure import selectors
from gongkai.disclosure.access import access_request, can
from gongkai.disclosure.models import (
    APPLICANT_TYPE_CHOICES,
    CHANNEL_CHOICES,
    OUTCOME_CHOICES,
    STATUS_CHOICES,
    Consultation,
    DisclosureRequest,
    FeeNotice,
    PublishedAnswer,
    Reply,
    RequestAttachment,
)
from gongkai.disclosure.services import attachments as attachment_services
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import letters, past_answers, payments, submission, workflow
from gongkai.disclosure.services.deadlines import deadline_state
from gongkai.disclosure.services.personal_data import REVEALABLE, reveal_personal_data
from gongkai.domain.disclosure_deadlines import DeadlineState
from gongkai.domain.disclosure_workflow import CLOSED_STATES, OPEN_STATES, RequestStatus
from gongkai.workcalendar.selectors import working_calendar

S = RequestStatus
PAGE_SIZE = 30
CONFLICT_MESSAGE = "该申请已被他人更新，请刷新后重试"
REQUEST_PERMS = (Perm.REGISTER_REQUEST, Perm.HANDLE_REQUEST, Perm.APPROVE, Perm.LEGAL_REVIEW)

EVENT_LABELS = {
    "submitted": "提交申请", "received": "确定收到申请之日", "assigned": "分办", "transferred": "转办",
    "correction_requested": "补正告知", "correction_received": "收到补正",
    "consultation_started": "发出征求意见书", "consultation_delivered": "征求意见书送达",
    "consultation_ended": "征求意见结束", "extended": "延期答复", "fee_noticed": "收费通知",
    "fee_paid": "缴费", "reply_drafted": "拟定答复", "reply_submitted": "提交审核", "legal_review": "法制审核",
    "approval": "负责人审批", "closed": "办结", "archived": "归档", "reopened": "重新办理",
    "note": "内部备注", "message": "给申请人的留言", "applicant_message": "申请人留言",
    "payment_reported": "申请人报告已缴费", "payment_report_rejected": "退回缴费报告",
    "answer_published": "公开答复摘要", "answer_withdrawn": "撤下公开的答复",
}
NOTE_KINDS = ("note",)
MESSAGE_KINDS = ("message", "applicant_message")


def _any_org(user: Any, *perms: str) -> QuerySet[Organisation]:
    condition = Q(pk__in=[])
    for perm in perms:
        condition |= Q(pk__in=organisations_for(user, perm).values("pk"))
    return Organisation.objects.filter(condition, is_active=True)


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field errors where the form has the field;
    a version conflict gets the one message the brief prescribes."""
    if getattr(exc, "code", None) == "conflict" or any(
        getattr(e, "code", None) == "conflict" for e in getattr(exc, "error_list", [])
    ):
        form.add_error(None, CONFLICT_MESSAGE)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        form.add_error(None, exc.messages)


def _is_conflict(form: forms.Form) -> bool:
    return CONFLICT_MESSAGE in form.non_field_errors()


# --- Queue ----------------------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    scope = forms.ChoiceField(label="范围", required=False, choices=[
        ("organisation", "本机关全部（我可查看的）"), ("department", "本部门"), ("mine", "我承办的")])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("open", "未办结"), *STATUS_CHOICES])
    outcome = forms.ChoiceField(label="办理结果", required=False, choices=[("", "全部"), *OUTCOME_CHOICES])
    channel = forms.ChoiceField(label="提交方式", required=False, choices=[("", "全部"), *CHANNEL_CHOICES])
    applicant_type = forms.ChoiceField(label="申请人类型", required=False,
                                       choices=[("", "全部"), *APPLICANT_TYPE_CHOICES])
    overdue = forms.BooleanField(label="只看已超期", required=False)
    due_soon = forms.BooleanField(label="只看即将到期（3个工作日内）", required=False)
    q = forms.CharField(label="受理编号或信息描述", required=False, max_length=100)


def _queue_filters(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    filters = {k: v for k, v in data.items() if v and k != "scope"}
    if filters.get("status") == "open":
        filters.pop("status")
        filters["open"] = True
    filters["scope"] = data.get("scope") or "organisation"
    return filters


def _department_scope(user: Any, qs: QuerySet[DisclosureRequest]) -> QuerySet[DisclosureRequest]:
    """本部门: requests received by, or assigned to, an organisation the user is a member of
    (without the subordinates a membership may include)."""
    direct = user.memberships.filter(organisation__is_active=True).values("organisation_id")
    return qs.filter(Q(organisation__in=direct) | Q(handling_department__in=direct))


def working_days_left(due: date | None, as_of: date, calendar: Any) -> int | None:
    if due is None:
        return None
    # Non-negative: days left, or days overdue when the request is flagged overdue.
    if due >= as_of:
        return int(calendar.working_days_between(as_of, due))
    return int(calendar.working_days_between(due, as_of))


def assignable_departments(user: Any) -> QuerySet[Organisation]:
    return f.subtree(_any_org(user, Perm.REGISTER_REQUEST, Perm.APPROVE))


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """申请办理队列: earliest due date first, with risk tags, filters and bulk assignment."""
    user: Any = request.user
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if not data.get("scope"):
        default = "organisation" if _any_org(user, Perm.REGISTER_REQUEST, Perm.APPROVE,
                                             Perm.LEGAL_REVIEW).exists() else "mine"
        data = {**data, "scope": default}
    scope = data["scope"]
    qs = selectors.queue(user, _queue_filters(user, {**data, "scope": "mine" if scope == "mine" else "organisation"}))
    if scope == "department":
        qs = _department_scope(user, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    as_of, calendar = clock.today(), working_calendar()
    rows = [{"req": r, "left": working_days_left(r.due_date, as_of, calendar) if not r.is_closed else None}
            for r in page]
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    departments = assignable_departments(user)
    can_assign = departments.exists()
    return render(request, "disclosure/staff/queue.html", {
        "form": form, "page": page, "rows": rows, "scope": scope, "query_prefix": urlencode(params),
        "can_assign": can_assign, "departments": f.department_choices(departments) if can_assign else [],
        "settings_orgs": organisations_for(user, Perm.APPROVE).order_by("tree_path"),
        "can_register": organisations_for(user, Perm.REGISTER_REQUEST).exists(),
        "full_path": request.get_full_path(),
    })


@staff_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """批量分办: one POST, ``request_assign`` for each ticked request; each failure is reported
    with its receipt number and nothing of that request changes."""
    user: Any = request.user
    back = request.POST.get("next", "")
    if not back.startswith(reverse("disclosure_staff:queue")):
        back = reverse("disclosure_staff:queue")
    uids = request.POST.getlist("uids")
    department = assignable_departments(user).filter(pk=request.POST.get("department") or 0).first()
    if not uids:
        messages.error(request, "请勾选要分办的申请。")
        return redirect(back)
    if department is None:
        messages.error(request, "请选择承办部门。")
        return redirect(back)
    note = request.POST.get("note", "")
    done = 0
    for uid in uids:
        try:
            obj = access_request(user, uid, request=request)
        except Http404:
            messages.error(request, f"未找到申请 {uid[:40]}。")
            continue
        try:
            workflow.request_assign(actor=user, request=obj, department=department, note=note, http_request=request)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"{obj.receipt_no}：{text}")
        else:
            done += 1
    if done:
        messages.success(request, f"已将 {done} 件申请分办至{department.name}。")
    return redirect(back)


# --- Registration ----------------------------------------------------------------------------------------------


@staff_required
def register(request: HttpRequest) -> HttpResponse:
    """登记 an application received in person, by post, letter, fax or e-mail."""
    user: Any = request.user
    organisations = organisations_for(user, Perm.REGISTER_REQUEST)
    if not organisations.exists():
        raise PermissionDenied("只有登记员可以登记申请。")
    form = f.RegistrationForm(request.POST or None, request.FILES or None, organisations=organisations)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = submission.request_register(
                    actor=user, organisation=data["organisation"], channel=data["channel"],
                    arrived_at=data["arrived_at"], confirmed_at=data["confirmed_at"], data=form.application_data(),
                    idempotency_key=data["idempotency_key"] or None,
                    attachments=f.read_files(data["attachments"]), http_request=request)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                response = render(request, "disclosure/staff/registered.html", {
                    "req": result.request, "query_code": result.query_code, "created": result.created,
                    "explanation": selectors.receipt_explanation(result.request),
                })
                response["Cache-Control"] = "no-store"
                return response
        status = 400
    return render(request, "disclosure/staff/register.html", {"form": form}, status=status)


# --- The request page --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One entry of the action panel: its form and the one service it calls."""

    name: str
    title: str
    form: type[f.ActionForm]
    run: Callable[[HttpRequest, DisclosureRequest, dict[str, Any], Any], str]
    button: str = "提交"
    multipart: bool = False
    preview: str = ""


def _version(data: dict[str, Any]) -> int | None:
    value = data.get("expected_version")
    return int(value) if value is not None else None


def _svc(data: dict[str, Any], http: HttpRequest) -> dict[str, Any]:
    return {"actor": http.user, "expected_version": _version(data), "http_request": http}


def _run_confirm(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    submission.request_confirm_receipt(request=obj, confirmed_at=d["confirmed_at"], **_svc(d, http))
    return "已确认收到申请，答复期限开始计算。"


def _run_assign(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_assign(request=obj, department=d["department"], note=d["note"], **_svc(d, http))
    return f"已分办至{d['department'].name}。"


def _run_ask_correction(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    letters.ask_correction_and_notify(request=obj, items=d["items"], period_days=d["period_days"], on=d["on"],
                                      **_svc(d, http))
    return "已发出补正告知，答复期限暂停计算。"


def _run_receive_correction(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_receive_correction(request=obj, on=d["on"], note=d["note"],
                                        description=d["description"] or None,
                                        attachments=f.read_files(d["attachments"]), **_svc(d, http))
    return "已登记补正，答复期限自收到补正之日起重新计算。"


def _run_abandon(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_mark_abandoned(request=obj, on=d["on"], **_svc(d, http))
    return "已记录为视为放弃申请。"


def _run_consultation_start(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    letters.consultation_start_and_notify(request=obj, party=d["party"], kind=d["kind"], on=d["on"],
                                          note=d["note"], **_svc(d, http))
    return "已发出征求意见书，征求意见期间不计算在答复期限内。"


def _run_consultation_deliver(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], c: Any) -> str:
    workflow.consultation_deliver(consultation=c, on=d["on"], **_svc(d, http))
    return "已登记征求意见书送达。"


def _run_consultation_end(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], c: Any) -> str:
    workflow.consultation_end(consultation=c, on=d["on"], reply_text=d["reply_text"], decision=d["decision"],
                              **_svc(d, http))
    return "已结束征求意见。"


def _run_extend(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    letters.extend_and_notify(request=obj, days=d["days"], reason=d["reason"], on=d["on"], **_svc(d, http))
    return f"已同意延期 {d['days']} 个工作日，已告知申请人。"


def _run_fee(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    notice = letters.fee_notice_and_notify(request=obj, method=d["method"], pages=d["pages"] or None, on=d["on"],
                                           received_on=d["received_on"], **_svc(d, http))
    return f"已发出收费通知：{notice.amount} 元，缴费期限 {notice.payment_due.isoformat()}。"


def _run_fee_paid(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.fee_paid(request=obj, on=d["on"], **_svc(d, http))
    return "已登记缴费，答复期限恢复计算。"


def _run_reject_payment(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    payments.payment_report_reject(request=obj, reason=d["reason"], **_svc(d, http))
    return "已退回缴费报告，申请人可以看到理由。"


def _run_publish_answer(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    past_answers.past_answer_publish(request=obj, title=d["title"], summary=d["summary"], **_svc(d, http))
    return "已公开答复摘要，申请人提交新申请前可以在“以往答复”中看到。"


def _run_withdraw_answer(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    past_answers.past_answer_withdraw(request=obj, **_svc(d, http))
    return "已撤下公开的答复摘要。"


def _run_stop(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_mark_stopped(request=obj, on=d["on"], **_svc(d, http))
    return "申请人逾期未缴费，已终止处理。"


def _run_draft(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.reply_draft(request=obj, outcome=d["outcome"], reasons=d["reasons"], article=d["article"] or None,
                         public_location=d["public_location"], responsible_agency=d["responsible_agency"],
                         responsible_agency_contact=d["responsible_agency_contact"], **_svc(d, http))
    return "已保存答复草稿。"


def _run_submit_review(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    updated = workflow.reply_submit_for_review(request=obj, **_svc(d, http))
    return f"答复已提交，当前环节：{updated.status_label}。"


def _run_legal_review(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    approve = d["decision"] == "approve"
    workflow.reply_legal_review(request=obj, approve=approve, comment=d["comment"], **_svc(d, http))
    return "法制审核通过，已送负责人审批。" if approve else "已退回承办人修改。"


def _run_approve(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    approve = d["decision"] == "approve"
    letters.approve_reply_and_issue_letter(request=obj, approve=approve, comment=d["comment"], **_svc(d, http))
    return "已审批同意，可以送达。" if approve else "已退回承办人修改。"


def _run_deliver(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_deliver(request=obj, method=d["method"], on=d["on"], tracking_no=d["tracking_no"],
                             **_svc(d, http))
    return "已登记送达，申请办结。"


def _run_archive(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_archive(request=obj, **_svc(d, http))
    return "已归档。"


def _run_withdraw(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_withdraw(request=obj, reason=d["reason"], on=d["on"], **_svc(d, http))
    return "已登记申请人撤回申请。"


def _run_reopen(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    workflow.request_reopen(request=obj, reason=d["reason"], days=d["days"], on=d["on"], **_svc(d, http))
    return "已重新办理。"


def _run_note(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    visible = d["audience"] == "applicant"
    workflow.request_add_note(actor=http.user, request=obj, text=d["text"], visible_to_applicant=visible,
                              http_request=http)
    return "已发送给申请人。" if visible else "已添加内部备注。"


def _run_attachment(http: HttpRequest, obj: DisclosureRequest, d: dict[str, Any], _: Any) -> str:
    upload = d["file"]
    attachment_services.attachment_add(actor=http.user, request=obj, name=upload.name, data=upload.read(),
                                       kind=d["kind"], http_request=http)
    return f"已上传文件“{upload.name}”。"


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("confirm_receipt", "确认收到申请", f.ConfirmReceiptForm, _run_confirm, "确认收到"),
    Action("assign", "分办或转办", f.AssignForm, _run_assign, "分办"),
    Action("ask_correction", "补正告知", f.AskCorrectionForm, _run_ask_correction, "发出补正告知"),
    Action("receive_correction", "收到补正", f.ReceiveCorrectionForm, _run_receive_correction, "登记补正",
           multipart=True),
    Action("abandon", "视为放弃申请（逾期未补正）", f.OnForm, _run_abandon, "视为放弃申请"),
    Action("consultation_start", "征求意见", f.ConsultationStartForm, _run_consultation_start, "发出征求意见书"),
    Action("consultation_deliver", "征求意见书送达", f.OnForm, _run_consultation_deliver, "登记送达"),
    Action("consultation_end", "结束征求意见", f.ConsultationEndForm, _run_consultation_end, "结束征求意见"),
    Action("extend", "延期答复", f.ExtendForm, _run_extend, "同意延期"),
    Action("fee_notice", "收费通知", f.FeeForm, _run_fee, "发出收费通知", preview="试算费用"),
    Action("fee_paid", "登记缴费", f.OnForm, _run_fee_paid, "登记缴费"),
    Action("reject_payment", "退回缴费报告", f.RejectPaymentForm, _run_reject_payment, "退回缴费报告"),
    Action("stop", "逾期未缴费，终止处理", f.OnForm, _run_stop, "终止处理"),
    Action("draft", "拟定答复", f.DraftForm, _run_draft, "保存答复草稿"),
    Action("submit_review", "提交审核", f.ActionForm, _run_submit_review, "提交审核"),
    Action("legal_review", "法制审核", f.DecisionForm, _run_legal_review, "提交审核意见"),
    Action("approve", "负责人审批", f.DecisionForm, _run_approve, "提交审批意见"),
    Action("deliver", "送达", f.DeliverForm, _run_deliver, "登记送达"),
    Action("archive", "归档", f.ActionForm, _run_archive, "归档"),
    Action("withdraw", "申请人撤回", f.WithdrawForm, _run_withdraw, "登记撤回"),
    Action("reopen", "重新办理", f.ReopenForm, _run_reopen, "重新办理"),
    Action("note", "备注与留言", f.NoteForm, _run_note, "保存"),
    Action("attachment", "上传文件", f.AttachmentForm, _run_attachment, "上传", multipart=True),
    Action("publish_answer", "公开此答复", f.PublishAnswerForm, _run_publish_answer, "公开答复摘要"),
    Action("withdraw_answer", "撤下公开的答复", f.ActionForm, _run_withdraw_answer, "撤下"),
)}
CONSULTATION_ACTIONS = ("consultation_deliver", "consultation_end")


@dataclass(frozen=True)
class Roles:
    register: bool
    handle: bool
    approve: bool
    legal: bool

    @classmethod
    def of(cls, user: Any, obj: DisclosureRequest) -> Roles:
        return cls(can(user, obj, Perm.REGISTER_REQUEST), can(user, obj, Perm.HANDLE_REQUEST),
                   can(user, obj, Perm.APPROVE), can(user, obj, Perm.LEGAL_REVIEW))


def available_actions(user: Any, obj: DisclosureRequest, state: DeadlineState | None,
                      reply: Reply | None) -> list[str]:
    """The actions ``user`` may take on ``obj`` in its current state (the services re-check)."""
    r = Roles.of(user, obj)
    status = S(obj.status)
    out: list[str] = []
    transferable = status in workflow.TRANSFERABLE
    if status is S.SUBMITTED and r.register:
        out.append("confirm_receipt")
    if (r.register or r.approve) and (status is S.REGISTERED or transferable):
        out.append("assign")
    corrected_before = state is not None and state.correction_requested_on is not None
    if (r.register or r.handle) and status in (S.REGISTERED, S.IN_HANDLING) and not corrected_before:
        out.append("ask_correction")
    if (r.register or r.handle) and status is S.AWAITING_CORRECTION:
        out.append("receive_correction")
        if state is not None and state.correction_overdue:
            out.append("abandon")
    if r.handle and status in (S.IN_HANDLING, S.CONSULTING):
        out.append("consultation_start")
    if (r.approve and status in OPEN_STATES and status is not S.SUBMITTED and state is not None
            and not state.extended and not state.overdue):
        out.append("extend")
    if r.handle and status is S.IN_HANDLING and not FeeNotice.objects.filter(request=obj).exists():
        out.append("fee_notice")
    if (r.handle or r.register) and status is S.AWAITING_FEE:
        out.append("fee_paid")
        reported = payments.pending_report(obj) is not None
        if reported:
            out.append("reject_payment")
        if state is not None and state.fee_overdue and not reported:
            out.append("stop")
    if r.handle and status is S.IN_HANDLING:
        out.append("draft")
        if reply is not None and reply.state == Reply.State.DRAFT:
            out.append("submit_review")
    if r.legal and status is S.LEGAL_REVIEW and reply is not None and reply.drafted_by_id != user.pk:
        out.append("legal_review")
    if r.approve and status is S.AWAITING_APPROVAL and reply is not None and reply.drafted_by_id != user.pk:
        out.append("approve")
    if (r.handle or r.register) and status is S.APPROVED:
        out.append("deliver")
    if (r.register or r.handle) and status in CLOSED_STATES and status is not S.ARCHIVED:
        out.append("archive")
    if (r.register or r.handle) and status in OPEN_STATES:
        out.append("withdraw")
    if ((r.approve or r.register) and status in (S.DELIVERED, S.ARCHIVED)
            and obj.handling_department_id is not None):
        out.append("reopen")
    if r.register or r.handle:
        out.append("attachment")
    if (r.handle or r.approve) and past_answers.can_publish(obj):
        out.append("publish_answer")
        if PublishedAnswer.objects.filter(request=obj, is_public=True).exists():
            out.append("withdraw_answer")
    out.append("note")
    return out


def _action_url(name: str, obj: DisclosureRequest, consultation: Consultation | None = None) -> str:
    if consultation is not None:
        return reverse(f"disclosure_staff:{name}", kwargs={"uid": obj.uid, "consultation_id": consultation.pk})
    return reverse(f"disclosure_staff:{name}", kwargs={"uid": obj.uid})


def _make_form(action: Action, obj: DisclosureRequest, data: Any = None, files: Any = None,
               suffix: str = "") -> f.ActionForm:
    form = action.form(data, files, request_obj=obj, auto_id=f"id_{action.name}{suffix}_%s",
                       initial={"expected_version": obj.version})
    return form


def _panel(user: Any, obj: DisclosureRequest, state: DeadlineState | None, reply: Reply | None,
           consultations: list[Consultation], failed: tuple[str, int | None, f.ActionForm] | None) -> list[dict[str, Any]]:
    names = available_actions(user, obj, state, reply)
    panel: list[dict[str, Any]] = []
    for name in names:
        action = ACTIONS[name]
        form = failed[2] if failed and failed[0] == name else _make_form(action, obj)
        panel.append({"action": action, "form": form, "url": _action_url(name, obj), "open": bool(failed and
                      failed[0] == name)})
    if can(user, obj, Perm.HANDLE_REQUEST):
        for c in consultations:
            if not c.is_open:
                continue
            for name in CONSULTATION_ACTIONS:
                if name == "consultation_deliver" and c.delivered_on is not None:
                    continue
                action = ACTIONS[name]
                is_failed = bool(failed and failed[0] == name and failed[1] == c.pk)
                form = failed[2] if is_failed and failed else _make_form(action, obj, suffix=f"_{c.pk}")
                panel.append({"action": action, "form": form, "url": _action_url(name, obj, c), "open": is_failed,
                              "consultation": c})
    return panel


def _status_label(value: str) -> str:
    try:
        return S(value).label if value else ""
    except ValueError:
        return value


def _detail_context(request: HttpRequest, obj: DisclosureRequest,
                    failed: tuple[str, int | None, f.ActionForm] | None = None) -> dict[str, Any]:
    user: Any = request.user
    state = deadline_state(obj)
    reply = workflow.current_reply(obj)
    consultations = list(Consultation.objects.filter(request=obj))
    events = list(selectors.timeline(obj))
    for e in events:
        e.label = EVENT_LABELS.get(e.kind, e.kind)  # type: ignore[attr-defined]
        e.from_label = _status_label(e.status_from)  # type: ignore[attr-defined]
        e.to_label = _status_label(e.status_to)  # type: ignore[attr-defined]
    duplicates = [d for d in selectors.possible_duplicates(obj) if can(user, d.request)]
    left = working_days_left(obj.due_date, clock.today(), working_calendar()) if not obj.is_closed else None
    return {
        "req": obj, "state": state, "reply": reply, "consultations": consultations,
        "explanation": selectors.receipt_explanation(obj), "left": left,
        "timeline": [e for e in events if e.kind not in NOTE_KINDS + MESSAGE_KINDS],
        "notes": [e for e in events if e.kind in NOTE_KINDS],
        "messages_": [e for e in events if e.kind in MESSAGE_KINDS],
        "history": list(selectors.applicant_history(obj, user)[:20]),
        "duplicates": duplicates,
        "attachments": list(RequestAttachment.objects.filter(request=obj)),
        "replies": list(Reply.objects.filter(request=obj).select_related("drafted_by", "approved_by",
                                                                            "legal_reviewed_by")),
        "fee": FeeNotice.objects.filter(request=obj).first(),
        "payment_reports": payments.payment_reports(obj),
        "published_answer": PublishedAnswer.objects.filter(request=obj).first(),
        "deliveries": list(obj.deliveries.all()),
        "panel": _panel(user, obj, state, reply, consultations, failed),
        "failed_form": failed[2] if failed else None,
        "can_reveal": can(user, obj, Perm.HANDLE_REQUEST),
        "revealable": REVEALABLE,
        "suggest_repeat": bool(duplicates) and not obj.is_closed,
    }


@staff_required
def detail(request: HttpRequest, uid: str) -> HttpResponse:
    obj = access_request(request.user, uid, request=request)
    return render(request, "disclosure/staff/detail.html", _detail_context(request, obj))


def _perform(request: HttpRequest, uid: str, name: str, consultation_id: int | None = None) -> HttpResponse:
    obj = access_request(request.user, uid, request=request)
    consultation = None
    if consultation_id is not None:
        consultation = Consultation.objects.filter(request=obj, pk=consultation_id).first()
        if consultation is None:
            raise Http404("未找到该征求意见。")
    if request.method != "POST":
        return redirect(reverse("disclosure_staff:detail", kwargs={"uid": obj.uid}) + f"#action-{name}")
    action = ACTIONS[name]
    suffix = f"_{consultation.pk}" if consultation is not None else ""
    form = _make_form(action, obj, request.POST, request.FILES, suffix=suffix)
    if form.is_valid() and name == "fee_notice" and "preview" in request.POST:
        return _fee_preview(request, obj, form)
    if form.is_valid():
        try:
            message = action.run(request, obj, form.cleaned_data, consultation)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect("disclosure_staff:detail", uid=obj.uid)
    fresh = access_request(request.user, obj.pk, request=request)
    context = _detail_context(request, fresh, (name, consultation.pk if consultation else None, form))
    context["failed_action"] = action
    return render(request, "disclosure/staff/detail.html", context, status=409 if _is_conflict(form) else 400)


def _fee_preview(request: HttpRequest, obj: DisclosureRequest, form: f.ActionForm) -> HttpResponse:
    """试算: the fee by the chosen method, computed and shown, nothing written."""
    data = form.cleaned_data
    try:
        quote = workflow.fee_quote(obj, data["method"], pages=data["pages"] or None)
    except ValidationError as exc:
        add_service_errors(form, exc)
        context = _detail_context(request, obj, ("fee_notice", None, form))
        context["failed_action"] = ACTIONS["fee_notice"]
        return render(request, "disclosure/staff/detail.html", context, status=400)
    context = _detail_context(request, obj)
    for item in context["panel"]:
        if item["action"].name == "fee_notice":
            item["form"], item["open"], item["quote"] = form, True, quote
    return render(request, "disclosure/staff/detail.html", context)


def action_view(name: str, *, consultation: bool = False) -> Callable[..., HttpResponse]:
    """The view of one action: POST runs its one service; GET goes back to the request page."""
    if consultation:
        def view(request: HttpRequest, uid: str, consultation_id: int) -> HttpResponse:
            return _perform(request, uid, name, consultation_id)
    else:
        def view(request: HttpRequest, uid: str) -> HttpResponse:  # type: ignore[misc]
            return _perform(request, uid, name)
    view.__name__ = f"action_{name}"
    view.__doc__ = f"{ACTIONS[name].title}: POST calls its service."
    return staff_required(view)


@staff_required
def reveal(request: HttpRequest, uid: str) -> HttpResponse:
    """显示完整信息: one field, for the assigned handler only, audited; the value is shown on
    this response alone (never cached, never in the request page)."""
    obj = access_request(request.user, uid, request=request)
    if request.method != "POST":
        return redirect("disclosure_staff:detail", uid=obj.uid)
    field = request.POST.get("field", "")
    try:
        value = reveal_personal_data(actor=request.user, request=obj, field=field, http_request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("disclosure_staff:detail", uid=obj.uid)
    response = render(request, "disclosure/staff/reveal.html",
                      {"req": obj, "label": REVEALABLE[field], "value": value})
    response["Cache-Control"] = "no-store"
    return response


@staff_required
def attachment_download(request: HttpRequest, uid: str, file_id: int) -> Any:
    # Any: a FileResponse streams, and staff_required is typed for HttpResponse.
    obj = access_request(request.user, uid, request=request)
    attachment = RequestAttachment.objects.filter(request=obj, pk=file_id).first()
    if attachment is None:
        raise Http404("未找到该文件。")
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Organisation setting -------------------------------------------------------------------------------------


@staff_required
def settings_view(request: HttpRequest, org_id: int) -> HttpResponse:
    """依申请公开设置 (公开办负责人): legal review for every reply, not only non-full disclosures."""
    org = access_organisation(request.user, org_id, Perm.APPROVE, request=request)
    current = workflow.legal_review_for_all(org)
    own = payments.own_payment_instructions(org)
    inherited = payments.payment_instructions_for(org)
    form = f.SettingsForm(request.POST or None, initial={"legal_review_all_replies": current,
                                                          "payment_instructions": own or ""})
    if request.method == "POST" and form.is_valid():
        try:
            workflow.disclosure_settings_update(actor=request.user, organisation=org, http_request=request,
                                                legal_review_all_replies=form.cleaned_data["legal_review_all_replies"],
                                                payment_instructions=form.cleaned_data["payment_instructions"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存依申请公开设置。")
            return redirect("disclosure_staff:settings", org_id=org.pk)
    return render(request, "disclosure/staff/settings.html",
                  {"org": org, "form": form, "current": current,
                   "inherited_instructions": inherited if not own else ""},
                  status=400 if form.errors else 200)


# --- Workbench counts --------------------------------------------------------------------------------------------


def workbench_counts(user: Any) -> dict[str, Any] | None:
    """The 依申请公开 part of the 工作台: None when the user has no request role."""
    if not _any_org(user, *REQUEST_PERMS).exists():
        return None
    open_values = [s.value for s in OPEN_STATES]
    visible = selectors.queue(user, {"open": True})
    registrar = organisations_for(user, Perm.REGISTER_REQUEST).exists()
    return {
        "awaiting_registration": (selectors.queue(user, {"status": S.SUBMITTED.value}).filter(
            organisation__in=organisations_for(user, Perm.REGISTER_REQUEST)).count() if registrar else None),
        "mine": selectors.queue(user, {"scope": "mine", "status": open_values}).count(),
        "due_soon": visible.filter(due_soon=True).count(),
        "overdue": visible.filter(overdue=True).count(),
        "registrar": registrar,
    }
