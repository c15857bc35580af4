"""Publishing workflow (发布流程) and disclosure-attribute approvals (公开属性审批).

Documents move draft → submitted → secrecy_review (保密审查, 条例第十七条) → published →
withdrawn → draft, and only along ``DOC_TRANSITIONS``. Each transition is one function that
checks the actor's role, locks the row, checks the optimistic version, saves, audits and logs a
search change — all in one transaction.

Rule on publishing and the disclosure attribute: only 主动公开 documents can be published. A
document set to 依申请公开 or 不予公开 stays unpublished (it is provided on request, or not at
all); to publish it, first change its attribute back to 主动公开 through the two-approval chain.
A document with an open attribute-change request cannot be published until the request is
decided, so a pending "withhold" request cannot be overtaken by publication.

Setting 依申请公开/不予公开 (and going back to 主动公开) needs two independent approvals in order:
the head of the drafting department (部门负责人), then the disclosure office (公开办负责人). The
requester approves nothing of their own request and one person cannot give both approvals.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.accounts.access import user_has_org_perm
from gongkai.accounts.roles import Perm
from gongkai.core.audit import record
from gongkai.domain.documents import (
    DISCLOSURE_LABELS,
    Disclosure,
    DocStatus,
    DocumentError,
    WithholdingGround,
    assert_can_transition,
    check_ground,
)
from gongkai.policies.models import DisclosureChange, Document, Interpretation
from gongkai.policies.services.documents import log_search_change

# A publication time this far in the past is treated as "now" (clock skew between form and save);
# anything older would back-date the 发布日期, which the record must never do.
PUBLISH_BACKDATE_TOLERANCE = timedelta(minutes=5)
MIN_REASON_LENGTH = 5
OPEN_CHANGE_STATUSES = (DisclosureChange.Status.PENDING_DEPARTMENT, DisclosureChange.Status.PENDING_OFFICE)


def _require(actor: Any, document: Document, perm: str, message: str) -> None:
    if actor is None or not user_has_org_perm(actor, document.organisation, perm):
        raise PermissionDenied(message)


def _required_text(value: str, label: str, minimum: int = MIN_REASON_LENGTH) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ValidationError(f"请填写{label}（不少于{minimum}个字）。")
    return text


def _lock(document: Document, expected_version: int | None) -> Document:
    locked = Document.objects.select_for_update().select_related("organisation").get(pk=document.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError("该文件已被他人修改，请刷新后重试。")
    return locked


def _transition(
    *, action: str, actor: Any, document: Document, dst: DocStatus, perm: str, denied: str,
    expected_version: int | None, request: HttpRequest | None, extra: dict[str, Any] | None = None,
    detail: str = "", check: Any = None,
) -> Document:
    """The common body of every status change (runs inside the caller's transaction)."""
    locked = _lock(document, expected_version)
    _require(actor, locked, perm, denied)
    try:
        assert_can_transition(DocStatus(locked.status), dst)
    except DocumentError as exc:
        raise ValidationError(str(exc)) from None
    if check is not None:
        check(locked)
    extra = extra or {}
    before = {"status": locked.status, **{k: getattr(locked, k) for k in extra}}
    locked.status = dst
    for name, value in extra.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=["status", *extra, "version", "updated_at"])
    record(action, request=request, actor=actor, organisation=locked.organisation, obj=locked,
           before=before, after={"status": dst, **extra}, detail=detail)
    log_search_change(locked.pk)
    return locked


@transaction.atomic
def document_submit(*, actor: Any, document: Document, expected_version: int | None = None,
                    request: HttpRequest | None = None) -> Document:
    """提交审核: the publisher (信息发布员) of the organisation hands a draft over."""
    return _transition(action="document.submit", actor=actor, document=document, dst=DocStatus.SUBMITTED,
                       perm=Perm.PUBLISH, denied="只有本机关的信息发布员可以提交文件。",
                       expected_version=expected_version, request=request)


@transaction.atomic
def document_start_secrecy_review(*, actor: Any, document: Document, expected_version: int | None = None,
                                  request: HttpRequest | None = None) -> Document:
    """开始保密审查 (条例第十七条): the head of the disclosure office takes the document up."""
    return _transition(action="document.secrecy_review", actor=actor, document=document,
                       dst=DocStatus.SECRECY_REVIEW, perm=Perm.APPROVE,
                       denied="只有公开办负责人可以进行保密审查。",
                       expected_version=expected_version, request=request)


@transaction.atomic
def document_return(*, actor: Any, document: Document, comment: str, expected_version: int | None = None,
                    request: HttpRequest | None = None) -> Document:
    """退回修改: back to draft with the reviewer's comment (from 已提交 or 保密审查中)."""
    text = _required_text(comment, "退回意见")
    return _transition(action="document.return", actor=actor, document=document, dst=DocStatus.DRAFT,
                       perm=Perm.APPROVE, denied="只有公开办负责人可以退回文件。",
                       expected_version=expected_version, request=request, detail=text)


def _check_publishable(document: Document) -> None:
    if document.disclosure != Disclosure.PROACTIVE:
        raise ValidationError(
            f"该文件的公开属性为“{DISCLOSURE_LABELS[Disclosure(document.disclosure)]}”，不能主动发布；"
            "如需发布，请先申请将公开属性变更为“主动公开”。"
        )
    if DisclosureChange.objects.filter(document=document, status__in=OPEN_CHANGE_STATUSES).exists():
        raise ValidationError("该文件有待审批的公开属性变更申请，审批完成前不能发布。")
    if document.needs_interpretation and not document.interpretation_override.strip():
        has_interpretation = Interpretation.objects.filter(documents=document).exclude(
            status=Interpretation.Status.WITHDRAWN).exists()
        if not has_interpretation:
            raise ValidationError(
                "该文件需要政策解读，应同步组织、同步审签、同步部署：请先关联解读，"
                "或由公开办负责人说明理由后准予无解读发布。"
            )


@transaction.atomic
def document_publish(*, actor: Any, document: Document, published_at: datetime | None = None,
                     expected_version: int | None = None, request: HttpRequest | None = None) -> Document:
    """发布: after 保密审查, by the head of the disclosure office. ``published_at`` in the future
    schedules the publication (定时发布); the public sees it from then on."""
    now = timezone.now()
    if published_at is None:
        published_at = now
    elif timezone.is_naive(published_at):
        raise ValidationError("发布时间须包含时区。")
    elif published_at < now - PUBLISH_BACKDATE_TOLERANCE:
        raise ValidationError("发布时间不能早于当前时间。")
    elif published_at < now:
        published_at = now
    published = _transition(action="document.publish", actor=actor, document=document, dst=DocStatus.PUBLISHED,
                            perm=Perm.APPROVE, denied="只有公开办负责人可以批准发布。",
                            expected_version=expected_version, request=request,
                            extra={"published_at": published_at}, check=_check_publishable,
                            detail="定时发布" if published_at > now else "")
    from gongkai.push.services import create_push_for_document  # 精准推送: outbox rows in this transaction

    create_push_for_document(published, actor=actor, request=request)
    return published


@transaction.atomic
def document_override_interpretation(*, actor: Any, document: Document, reason: str,
                                     expected_version: int | None = None,
                                     request: HttpRequest | None = None) -> Document:
    """准予无解读发布: the head of the disclosure office records why a document that needs an
    interpretation may be published without one."""
    text = _required_text(reason, "无解读发布的理由", 10)
    locked = _lock(document, expected_version)
    _require(actor, locked, Perm.APPROVE, "只有公开办负责人可以准予无解读发布。")
    if not locked.needs_interpretation:
        raise ValidationError("该文件未标记为需要解读，无需准予。")
    if locked.status in (DocStatus.PUBLISHED, DocStatus.WITHDRAWN):
        raise ValidationError("该文件已发布或已撤回，不能再修改解读要求。")
    before = {"interpretation_override": locked.interpretation_override}
    locked.interpretation_override = text
    locked.version += 1
    locked.save(update_fields=["interpretation_override", "version", "updated_at"])
    record("document.interpretation_override", request=request, actor=actor, organisation=locked.organisation,
           obj=locked, before=before, after={"interpretation_override": text})
    log_search_change(locked.pk)
    return locked


@transaction.atomic
def document_withdraw(*, actor: Any, document: Document, reason: str, expected_version: int | None = None,
                      request: HttpRequest | None = None) -> Document:
    """撤回: a published document is taken down, with the reason on record."""
    text = _required_text(reason, "撤回原因")
    return _transition(action="document.withdraw", actor=actor, document=document, dst=DocStatus.WITHDRAWN,
                       perm=Perm.APPROVE, denied="只有公开办负责人可以撤回已发布的文件。",
                       expected_version=expected_version, request=request,
                       extra={"withdrawn_reason": text[:500]})


@transaction.atomic
def document_reopen(*, actor: Any, document: Document, expected_version: int | None = None,
                    request: HttpRequest | None = None) -> Document:
    """重新编辑: a withdrawn document goes back to draft (and through review again)."""
    return _transition(action="document.reopen", actor=actor, document=document, dst=DocStatus.DRAFT,
                       perm=Perm.PUBLISH, denied="只有本机关的信息发布员可以重新编辑文件。",
                       expected_version=expected_version, request=request)


# --- Disclosure attribute (公开属性) -------------------------------------------------------------

def _change_snapshot(change: DisclosureChange) -> dict[str, Any]:
    return {"status": change.status, "requested_attribute": change.requested_attribute, "ground": change.ground}


def _lock_change(change: DisclosureChange) -> DisclosureChange:
    return DisclosureChange.objects.select_for_update().select_related(
        "document", "document__organisation").get(pk=change.pk)


def _review_date(today: date) -> date:
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


@transaction.atomic
def disclosure_change_request(
    *, actor: Any, document: Document, attribute: str, ground: str = "", explanation: str = "",
    request: HttpRequest | None = None,
) -> DisclosureChange:
    """申请变更公开属性: by the publisher or the department head of the document's organisation."""
    locked = _lock(document, None)
    if actor is None or not (user_has_org_perm(actor, locked.organisation, Perm.PUBLISH)
                             or user_has_org_perm(actor, locked.organisation, Perm.APPROVE_DEPARTMENT)):
        raise PermissionDenied("只有本机关的信息发布员或部门负责人可以申请变更公开属性。")
    try:
        target = Disclosure(attribute)
    except ValueError:
        raise ValidationError("请选择公开属性。") from None
    if target == locked.disclosure:
        raise ValidationError(f"该文件已是“{DISCLOSURE_LABELS[target]}”。")
    ground_value: WithholdingGround | None = None
    if target == Disclosure.PROACTIVE:
        if ground:
            raise ValidationError("变更为“主动公开”不需要选择不公开理由。")
    else:
        if ground:
            try:
                ground_value = WithholdingGround(ground)
            except ValueError:
                raise ValidationError("不公开理由无效。") from None
        try:
            check_ground(target, ground_value, explanation)
        except DocumentError as exc:
            raise ValidationError(str(exc)) from None
    if DisclosureChange.objects.filter(document=locked, status__in=OPEN_CHANGE_STATUSES).exists():
        raise ValidationError("该文件已有待审批的公开属性变更申请，请等待审批完成或撤销后再申请。")
    try:
        with transaction.atomic():
            change = DisclosureChange.objects.create(
                document=locked, requested_attribute=target, ground=ground_value or "",
                explanation=explanation.strip(), requested_by=actor,
            )
    except IntegrityError:
        raise ValidationError("该文件已有待审批的公开属性变更申请，请等待审批完成或撤销后再申请。") from None
    record("disclosure.request", request=request, actor=actor, organisation=locked.organisation, obj=change,
           before={"disclosure": locked.disclosure}, after=_change_snapshot(change),
           detail=change.explanation)
    return change


def _check_independent(actor: Any, change: DisclosureChange) -> None:
    if change.requested_by_id == actor.pk:
        raise PermissionDenied("不能审批自己提出的申请。")
    if change.department_approver_id == actor.pk:
        raise PermissionDenied("同一人不能同时作出两级审批。")


@transaction.atomic
def disclosure_change_approve_department(
    *, actor: Any, change: DisclosureChange, comment: str = "", request: HttpRequest | None = None,
) -> DisclosureChange:
    """第一级审批: the head of the drafting department (部门负责人)."""
    locked = _lock_change(change)
    _require(actor, locked.document, Perm.APPROVE_DEPARTMENT, "只有起草部门负责人可以作出第一级审批。")
    if locked.status != DisclosureChange.Status.PENDING_DEPARTMENT:
        raise ValidationError(f"该申请当前状态为“{locked.get_status_display()}”，不能作出部门审批。")
    _check_independent(actor, locked)
    before = _change_snapshot(locked)
    locked.status = DisclosureChange.Status.PENDING_OFFICE
    locked.department_approver = actor
    locked.department_decided_at = timezone.now()
    if comment.strip():
        locked.comment = comment.strip()
    locked.save(update_fields=["status", "department_approver", "department_decided_at", "comment"])
    record("disclosure.approve_department", request=request, actor=actor,
           organisation=locked.document.organisation, obj=locked, before=before, after=_change_snapshot(locked),
           detail=comment.strip())
    return locked


@transaction.atomic
def disclosure_change_approve_office(
    *, actor: Any, change: DisclosureChange, comment: str = "", review_on: date | None = None,
    request: HttpRequest | None = None,
) -> DisclosureChange:
    """第二级审批: the disclosure office (公开办负责人). The document takes the new attribute;
    non-public documents get a reassessment date (条例第十八条, a year by default)."""
    locked = _lock_change(change)
    _require(actor, locked.document, Perm.APPROVE, "只有公开办负责人可以作出第二级审批。")
    if locked.status != DisclosureChange.Status.PENDING_OFFICE:
        raise ValidationError(f"该申请当前状态为“{locked.get_status_display()}”，不能作出公开办审批。")
    _check_independent(actor, locked)
    today = timezone.localdate()
    if review_on is not None and review_on <= today:
        raise ValidationError("复核日期应晚于今天。")
    before = _change_snapshot(locked)
    locked.status = DisclosureChange.Status.APPROVED
    locked.office_approver = actor
    locked.office_decided_at = timezone.now()
    if comment.strip():
        locked.comment = comment.strip()
    locked.save(update_fields=["status", "office_approver", "office_decided_at", "comment"])

    document = _lock(locked.document, None)
    fields = ["disclosure", "disclosure_ground", "disclosure_explanation", "disclosure_review_on"]
    doc_before = {f: getattr(document, f) for f in fields}
    document.disclosure = locked.requested_attribute
    if locked.requested_attribute == Disclosure.PROACTIVE:
        document.disclosure_ground = ""
        document.disclosure_explanation = ""
        document.disclosure_review_on = None
    else:
        document.disclosure_ground = locked.ground
        document.disclosure_explanation = locked.explanation
        document.disclosure_review_on = review_on or _review_date(today)
    document.version += 1
    document.save(update_fields=[*fields, "version", "updated_at"])
    record("disclosure.approve_office", request=request, actor=actor, organisation=document.organisation,
           obj=locked, before=before, after=_change_snapshot(locked), detail=comment.strip())
    record("document.disclosure_change", request=request, actor=actor, organisation=document.organisation,
           obj=document, before=doc_before, after={f: getattr(document, f) for f in fields})
    log_search_change(document.pk)
    return locked


@transaction.atomic
def disclosure_change_reject(
    *, actor: Any, change: DisclosureChange, comment: str, request: HttpRequest | None = None,
) -> DisclosureChange:
    """退回申请: the approver at the current step sends it back with comments."""
    text = _required_text(comment, "退回意见")
    locked = _lock_change(change)
    if locked.status == DisclosureChange.Status.PENDING_DEPARTMENT:
        _require(actor, locked.document, Perm.APPROVE_DEPARTMENT, "只有起草部门负责人可以退回该申请。")
    elif locked.status == DisclosureChange.Status.PENDING_OFFICE:
        _require(actor, locked.document, Perm.APPROVE, "只有公开办负责人可以退回该申请。")
    else:
        raise ValidationError(f"该申请当前状态为“{locked.get_status_display()}”，不能退回。")
    if locked.requested_by_id == actor.pk:
        raise PermissionDenied("不能审批自己提出的申请；如需放弃，请撤销申请。")
    before = _change_snapshot(locked)
    now = timezone.now()
    if locked.status == DisclosureChange.Status.PENDING_DEPARTMENT:
        locked.department_approver, locked.department_decided_at = actor, now
    else:
        locked.office_approver, locked.office_decided_at = actor, now
    locked.status = DisclosureChange.Status.REJECTED
    locked.comment = text
    locked.save(update_fields=["status", "department_approver", "department_decided_at", "office_approver",
                               "office_decided_at", "comment"])
    record("disclosure.reject", request=request, actor=actor, organisation=locked.document.organisation,
           obj=locked, before=before, after=_change_snapshot(locked), detail=text)
    return locked


@transaction.atomic
def disclosure_change_cancel(*, actor: Any, change: DisclosureChange,
                             request: HttpRequest | None = None) -> DisclosureChange:
    """撤销申请: only the requester, while it is still open."""
    locked = _lock_change(change)
    if actor is None or locked.requested_by_id != actor.pk:
        raise PermissionDenied("只有申请人可以撤销申请。")
    if locked.status not in OPEN_CHANGE_STATUSES:
        raise ValidationError(f"该申请当前状态为“{locked.get_status_display()}”，不能撤销。")
    before = _change_snapshot(locked)
    locked.status = DisclosureChange.Status.CANCELLED
    locked.save(update_fields=["status"])
    record("disclosure.cancel", request=request, actor=actor, organisation=locked.document.organisation,
           obj=locked, before=before, after=_change_snapshot(locked))
    return locked


@transaction.atomic
def disclosure_confirm_review(*, actor: Any, document: Document, note: str, review_on: date | None = None,
                              request: HttpRequest | None = None) -> Document:
    """定期评估 (条例第十八条): the disclosure office confirms that a non-public document stays
    non-public and sets the next reassessment date. To disclose it instead, request a change."""
    text = _required_text(note, "评估意见")
    locked = _lock(document, None)
    _require(actor, locked, Perm.APPROVE, "只有公开办负责人可以作出定期评估。")
    if locked.disclosure == Disclosure.PROACTIVE:
        raise ValidationError("该文件为主动公开，无需评估。")
    today = timezone.localdate()
    next_review = review_on or _review_date(today)
    if next_review <= today:
        raise ValidationError("下次复核日期应晚于今天。")
    before = {"disclosure_review_on": locked.disclosure_review_on}
    locked.disclosure_review_on = next_review
    locked.version += 1
    locked.save(update_fields=["disclosure_review_on", "version", "updated_at"])
    record("document.disclosure_review", request=request, actor=actor, organisation=locked.organisation,
           obj=locked, before=before, after={"disclosure_review_on": next_review}, detail=text)
    return locked
