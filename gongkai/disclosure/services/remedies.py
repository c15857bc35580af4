"""行政复议 and 行政诉讼 records against a reply (issue 4 §6): the input of the annual report's
table 4 (``after_selectors.table4_counts``).

Who: the 登记员 or the 公开办负责人 of the request's organisation (the office that receives the
复议决定书 and the court papers). Each service locks, validates, writes one audit row and an
internal timeline row in one transaction; bad input is a Chinese ``ValidationError`` and changes
nothing. A 纠正 result offers 重新办理 (``remedy_reopen`` → ``workflow.request_reopen``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.roles import Perm
from gongkai.core.audit import model_snapshot, record
from gongkai.disclosure.access import can
from gongkai.disclosure.after_models import Litigation, Reconsideration, RemedyResult
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import workflow
from gongkai.disclosure.services.common import add_event
from gongkai.domain.disclosure_deadlines import REPLY_DAYS
from gongkai.domain.disclosure_workflow import CLOSED_STATES, RequestStatus

Remedy = Reconsideration | Litigation
R = TypeVar("R", Reconsideration, Litigation)
AUDIT_FIELDS = ["request", "reconsideration", "filed_on", "review_body", "court", "case_number", "result",
                "decided_on", "note", "reopened_on", "version"]
RECORD_PERMS = (Perm.REGISTER_REQUEST, Perm.APPROVE)
NO_PERMISSION = "只有本机关的登记员或公开办负责人可以登记行政复议、行政诉讼情况。"


def can_record(user: Any, request: DisclosureRequest) -> bool:
    """Whether ``user`` may record or update remedies of ``request``."""
    return any(can(user, request, p) for p in RECORD_PERMS)


def _require(actor: Any, request: DisclosureRequest) -> None:
    if actor is None or not can_record(actor, request):
        raise PermissionDenied(NO_PERMISSION)


def _text(value: str | None, label: str, *, required: bool, limit: int) -> str:
    text = " ".join((value or "").split())
    if required and len(text) < 2:
        raise ValidationError(f"请填写{label}。")
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过{limit}个字。")
    return text


def _date(value: Any, label: str) -> date:
    if not isinstance(value, date):
        raise ValidationError(f"请填写{label}（格式如 2026-03-01）。")
    if value > clock.today():
        raise ValidationError(f"{label} {value.isoformat()} 晚于今天，请核对。")
    return value


def _result(value: Any) -> RemedyResult:
    try:
        return RemedyResult(value)
    except ValueError:
        raise ValidationError("请选择结果：结果维持、结果纠正、其他结果或尚未审结。") from None


def _check_against_a_reply(request: DisclosureRequest, filed_on: date, what: str) -> None:
    """复议/诉讼 lies against a reply (or against not replying in time)."""
    replied = request.deliveries.exists() or RequestStatus(request.status) in CLOSED_STATES
    if not (replied or request.overdue):
        raise ValidationError(f"该申请尚未答复，也未超过答复期限，不能登记{what}。")
    if request.received_on is not None and filed_on < request.received_on:
        raise ValidationError(f"{what}日期不能早于收到申请之日（{request.received_on.isoformat()}）。")


def _lock_request(request: DisclosureRequest) -> DisclosureRequest:
    return (DisclosureRequest.objects.select_for_update(of=("self",))
            .select_related("organisation", "handling_department").get(pk=request.pk))


def _audit(action: str, *, actor: Any, obj: Remedy, http_request: HttpRequest | None,
           before: dict[str, Any] | None = None) -> None:
    after = model_snapshot(obj, AUDIT_FIELDS)
    if before is not None:
        changed = [k for k in after if before.get(k) != after[k]]
        before, after = {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
    record(action, request=http_request, actor=actor, organisation=obj.request.organisation, obj=obj,
           before=before, after=after)


# --- 行政复议 --------------------------------------------------------------------------------------------


@transaction.atomic
def reconsideration_record(*, actor: Any, request: DisclosureRequest, filed_on: date, review_body: str,
                           case_number: str = "", note: str = "",
                           http_request: HttpRequest | None = None) -> Reconsideration:
    """登记行政复议 (result 尚未审结 until ``reconsideration_update_result``)."""
    obj = _lock_request(request)
    _require(actor, obj)
    day = _date(filed_on, "申请复议日期")
    body = _text(review_body, "复议机关", required=True, limit=200)
    number = _text(case_number, "复议案号", required=False, limit=100)
    text = (note or "").strip()[:2000]
    _check_against_a_reply(obj, day, "行政复议")
    recon = Reconsideration.objects.create(request=obj, filed_on=day, review_body=body, case_number=number,
                                           note=text, created_by=actor)
    add_event(obj, "reconsideration", on=day, actor=actor,
              payload={"reconsideration": recon.pk, "review_body": body, "case_number": number},
              note=f"申请人向{body}申请行政复议")
    _audit("disclosure.reconsideration_record", actor=actor, obj=recon, http_request=http_request)
    return recon


@transaction.atomic
def reconsideration_update_result(*, actor: Any, reconsideration: Reconsideration, result: str,
                                  decided_on: date | None = None, case_number: str | None = None,
                                  note: str | None = None, expected_version: int | None = None,
                                  http_request: HttpRequest | None = None) -> Reconsideration:
    """登记复议结果 (维持/纠正/其他结果), or back to 尚未审结."""
    locked = Reconsideration.objects.select_for_update().get(pk=reconsideration.pk)
    return _update_result(locked, actor=actor, result=result, decided_on=decided_on, case_number=case_number,
                          note=note, expected_version=expected_version, http_request=http_request,
                          action="disclosure.reconsideration_result", what="复议决定")


# --- 行政诉讼 --------------------------------------------------------------------------------------------


@transaction.atomic
def litigation_record(*, actor: Any, request: DisclosureRequest, filed_on: date, court: str,
                      case_number: str = "", reconsideration: Reconsideration | None = None, note: str = "",
                      http_request: HttpRequest | None = None) -> Litigation:
    """登记行政诉讼: directly (``reconsideration=None``) or after the given reconsideration of the
    same request."""
    obj = _lock_request(request)
    _require(actor, obj)
    day = _date(filed_on, "起诉日期")
    court_name = _text(court, "受理法院", required=True, limit=200)
    number = _text(case_number, "案号", required=False, limit=100)
    text = (note or "").strip()[:2000]
    _check_against_a_reply(obj, day, "行政诉讼")
    if reconsideration is not None:
        if reconsideration.request_id != obj.pk:
            raise ValidationError("所选行政复议不属于该申请。")
        if day < reconsideration.filed_on:
            raise ValidationError("复议后起诉的起诉日期不能早于申请复议日期。")
    case = Litigation.objects.create(request=obj, reconsideration=reconsideration, filed_on=day, court=court_name,
                                     case_number=number, note=text, created_by=actor)
    add_event(obj, "litigation", on=day, actor=actor,
              payload={"litigation": case.pk, "court": court_name, "case_number": number,
                       "reconsideration": reconsideration.pk if reconsideration else None},
              note=f"申请人向{court_name}提起行政诉讼（{case.route_label}）")
    _audit("disclosure.litigation_record", actor=actor, obj=case, http_request=http_request)
    return case


@transaction.atomic
def litigation_update_result(*, actor: Any, litigation: Litigation, result: str, decided_on: date | None = None,
                             case_number: str | None = None, note: str | None = None,
                             expected_version: int | None = None,
                             http_request: HttpRequest | None = None) -> Litigation:
    """登记诉讼结果 (维持/纠正/其他结果), or back to 尚未审结."""
    locked = Litigation.objects.select_for_update().get(pk=litigation.pk)
    return _update_result(locked, actor=actor, result=result, decided_on=decided_on, case_number=case_number,
                          note=note, expected_version=expected_version, http_request=http_request,
                          action="disclosure.litigation_result", what="裁判")


def _update_result(
    remedy: R, *, actor: Any, result: str, decided_on: date | None, case_number: str | None, note: str | None,
    expected_version: int | None, http_request: HttpRequest | None, action: str, what: str,
) -> R:
    request = remedy.request
    _require(actor, request)
    if expected_version is not None and remedy.version != expected_version:
        raise ValidationError("该记录已被他人修改，请刷新后重试。", code="conflict")
    outcome = _result(result)
    before = model_snapshot(remedy, AUDIT_FIELDS)
    if outcome is RemedyResult.PENDING:
        if decided_on is not None:
            raise ValidationError(f"尚未审结的案件不应填写{what}日期。")
        day = None
    else:
        day = _date(decided_on, f"{what}日期")
        if day < remedy.filed_on:
            raise ValidationError(f"{what}日期不能早于{'申请复议' if isinstance(remedy, Reconsideration) else '起诉'}日期。")
    if remedy.reopened_on is not None and outcome is not RemedyResult.CORRECTED:
        raise ValidationError("已根据纠正结果重新办理，结果不能再改为其他结果。")
    remedy.result = outcome.value
    remedy.decided_on = day
    if case_number is not None:
        remedy.case_number = _text(case_number, "案号", required=False, limit=100)
    if note is not None:
        remedy.note = note.strip()[:2000]
    remedy.version += 1
    remedy.save()
    add_event(request, f"{remedy._meta.model_name}_result", on=day or clock.today(), actor=actor,
              payload={remedy._meta.model_name or "remedy": remedy.pk, "result": outcome.value},
              note=f"{remedy.kind_label}：{outcome.label}")
    _audit(action, actor=actor, obj=remedy, http_request=http_request, before=before)
    return remedy


# --- 纠正 → 重新办理 --------------------------------------------------------------------------------------


def can_reopen(remedy: Remedy) -> bool:
    """A 纠正 result that has not been acted on yet, on a closed request."""
    return (remedy.result == RemedyResult.CORRECTED and remedy.reopened_on is None
            and RequestStatus(remedy.request.status) in CLOSED_STATES)


@transaction.atomic
def remedy_reopen(*, actor: Any, remedy: Remedy, days: int = REPLY_DAYS, on: date | None = None,
                  reason: str = "", http_request: HttpRequest | None = None) -> DisclosureRequest:
    """重新办理 after a 纠正 decision: ``workflow.request_reopen`` with the decision as its ground,
    and the record remembers that it was acted on."""
    locked: Remedy
    if isinstance(remedy, Reconsideration):
        locked = Reconsideration.objects.select_for_update().select_related("request").get(pk=remedy.pk)
        ground = f"行政复议决定纠正原答复（{locked.review_body}{' ' + locked.case_number if locked.case_number else ''}）"
    else:
        locked = Litigation.objects.select_for_update().select_related("request").get(pk=remedy.pk)
        ground = f"人民法院裁判纠正原答复（{locked.court}{' ' + locked.case_number if locked.case_number else ''}）"
    _require(actor, locked.request)
    if locked.result != RemedyResult.CORRECTED:
        raise ValidationError("只有结果为纠正的案件才能据此重新办理。")
    if locked.reopened_on is not None:
        raise ValidationError(f"已于 {locked.reopened_on.isoformat()} 据此重新办理。")
    extra = (reason or "").strip()
    request = workflow.request_reopen(actor=actor, request=locked.request, reason=f"{ground}{'：' + extra if extra else ''}",
                                      days=days, on=on, http_request=http_request)
    before = model_snapshot(locked, AUDIT_FIELDS)
    locked.reopened_on = on or clock.today()
    locked.version += 1
    locked.save(update_fields=["reopened_on", "version", "updated_at"])
    _audit("disclosure.remedy_reopen", actor=actor, obj=locked, http_request=http_request, before=before)
    return request
