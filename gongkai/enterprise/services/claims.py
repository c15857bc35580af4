"""Claims (企业认领): an enterprise account claims its profile by 统一社会信用代码 + name; staff of
the enterprise's area (企业服务专员) verify it against the business licence or reject it with a
reason. Only one account holds a verified claim on an enterprise; a second claimant is refused
while it stands (a dispute goes to the office, which can revoke the claim). An account has at
most one pending or verified claim at a time."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongkai.core.audit import record
from gongkai.enterprise import access
from gongkai.enterprise.models import Enterprise, EnterpriseClaim
from gongkai.enterprise.services.profiles import ProfileError, normalise_name, parse_credit_code, text

# 手机 1[3-9]xxxxxxxxx or 固定电话 0区号-号码(-分机).
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
NO_MATCH = ("统一社会信用代码与企业名称不匹配，或该企业尚未建档。请按营业执照核对；如仍无法认领，"
            "请联系所在地企业服务部门。")
TAKEN = "该企业已由其他账号认领。如有异议，请联系所在地企业服务部门核实。"


def _refresh_claim_status(enterprise: Enterprise) -> None:
    verified = enterprise.claims.filter(status=EnterpriseClaim.Status.VERIFIED).select_related("user").first()
    if verified is not None:
        status, user = Enterprise.ClaimStatus.VERIFIED, verified.user
    elif enterprise.claims.filter(status=EnterpriseClaim.Status.PENDING).exists():
        status, user = Enterprise.ClaimStatus.PENDING, None
    else:
        status, user = Enterprise.ClaimStatus.UNCLAIMED, None
    if (enterprise.claim_status, enterprise.claimed_by_id) != (status, user.pk if user else None):
        enterprise.claim_status, enterprise.claimed_by = status, user
        enterprise.save(update_fields=["claim_status", "claimed_by", "updated_at"])


@transaction.atomic
def claim_submit(*, actor: Any, credit_code: str, name: str, contact_name: str, contact_phone: str,
                 note: str = "", request: HttpRequest | None = None) -> EnterpriseClaim:
    """认领企业 (an enterprise account). The same message answers a wrong code, a wrong name and
    a profile that does not exist, so the form cannot be used to probe the register."""
    if not access.is_enterprise_account(actor):
        raise PermissionDenied("只有“法人或其他组织”账号可以认领企业。")
    errors: dict[str, list[str]] = {}
    try:
        code = parse_credit_code(credit_code)
    except ProfileError as exc:
        errors["credit_code"] = [str(exc)]
        code = ""
    wanted_name = normalise_name(name)
    if not wanted_name:
        errors["name"] = ["请填写企业名称（与营业执照一致）。"]
    contact_name = text(contact_name)
    if not contact_name:
        errors["contact_name"] = ["请填写联系人姓名。"]
    elif len(contact_name) > 50:
        errors["contact_name"] = ["联系人姓名不能超过50个字。"]
    phone = re.sub(r"\s+", "", text(contact_phone))
    if not _PHONE.match(phone):
        errors["contact_phone"] = ["联系电话应为11位手机号码或带区号的固定电话，如 0731-88888888。"]
    note = text(note)
    if len(note) > 300:
        errors["note"] = ["说明不能超过300个字。"]
    if errors:
        raise ValidationError(errors)
    if actor.credit_code and actor.credit_code != code:
        raise ValidationError({"credit_code": ["认领的企业与本账号注册时填写的统一社会信用代码不一致。"]})
    enterprise = Enterprise.objects.select_for_update().filter(credit_code=code).first()
    if enterprise is None or normalise_name(enterprise.name) != wanted_name:
        raise ValidationError(NO_MATCH)
    mine = access.open_claim(actor)
    if mine is not None:
        if mine.enterprise_id == enterprise.pk:
            raise ValidationError("您已认领该企业（或认领正在核验中），无需重复提交。")
        raise ValidationError(f"您已有一项认领（{mine.enterprise.name}，{mine.get_status_display()}）。"
                              "一个账号同时只能认领一家企业，请先撤回或联系企业服务部门解除。")
    if enterprise.claim_status == Enterprise.ClaimStatus.VERIFIED:
        raise ValidationError(TAKEN)
    try:
        with transaction.atomic():
            claim = EnterpriseClaim.objects.create(enterprise=enterprise, user=actor, contact_name=contact_name,
                                                   contact_phone=phone, note=note)
    except IntegrityError:
        raise ValidationError("您已有一项待核验的认领，请勿重复提交。") from None
    _refresh_claim_status(enterprise)
    # Personal data (the phone) never enters the audit trail.
    record("enterprise.claim_submit", request=request, actor=actor, obj=claim,
           after={"enterprise": enterprise.credit_code, "status": claim.status})
    return claim


def _decide(actor: Any, claim: EnterpriseClaim) -> tuple[EnterpriseClaim, Enterprise]:
    enterprise = Enterprise.objects.select_for_update().get(pk=claim.enterprise_id)
    if actor is not None and not access.can_manage(actor, enterprise):
        raise PermissionDenied("您无权处理该企业的认领。")
    locked = EnterpriseClaim.objects.select_for_update(of=("self",)).select_related("user").get(pk=claim.pk)
    return locked, enterprise


def _reason(reason: str) -> str:
    reason = text(reason)
    if not reason:
        raise ValidationError({"reason": ["请填写理由，申请人会看到。"]})
    if len(reason) > 300:
        raise ValidationError({"reason": ["理由不能超过300个字。"]})
    return reason


@transaction.atomic
def claim_verify(*, actor: Any, claim: EnterpriseClaim, request: HttpRequest | None = None) -> EnterpriseClaim:
    """核验通过: the claimant becomes the enterprise's account; other pending claims on the same
    enterprise are rejected (one verified claimant)."""
    locked, enterprise = _decide(actor, claim)
    if locked.status != EnterpriseClaim.Status.PENDING:
        raise ValidationError(f"该认领{locked.get_status_display()}，不能再核验。")
    if enterprise.claims.filter(status=EnterpriseClaim.Status.VERIFIED).exists():
        raise ValidationError(TAKEN)
    now = timezone.now()
    locked.status, locked.decided_at, locked.decided_by = EnterpriseClaim.Status.VERIFIED, now, actor
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "decided_at", "decided_by"])
    except IntegrityError:
        raise ValidationError(TAKEN) from None
    org = access.organisation_for_region(actor, enterprise.region_code) if actor is not None else None
    record("enterprise.claim_verify", request=request, actor=actor, organisation=org, obj=locked,
           after={"enterprise": enterprise.credit_code, "user": locked.user.username})
    for other in enterprise.claims.select_for_update().filter(status=EnterpriseClaim.Status.PENDING):
        other.status, other.decided_at, other.decided_by = EnterpriseClaim.Status.REJECTED, now, actor
        other.reason = "该企业已由其他账号认领。"
        other.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        record("enterprise.claim_reject", request=request, actor=actor, organisation=org, obj=other,
               after={"enterprise": enterprise.credit_code, "reason": other.reason})
    _refresh_claim_status(enterprise)
    claim.status = locked.status
    return locked


@transaction.atomic
def claim_reject(*, actor: Any, claim: EnterpriseClaim, reason: str,
                 request: HttpRequest | None = None) -> EnterpriseClaim:
    """驳回认领 with a reason the claimant sees."""
    reason = _reason(reason)
    locked, enterprise = _decide(actor, claim)
    if locked.status != EnterpriseClaim.Status.PENDING:
        raise ValidationError(f"该认领{locked.get_status_display()}，不能驳回。")
    locked.status, locked.decided_at, locked.decided_by, locked.reason = (
        EnterpriseClaim.Status.REJECTED, timezone.now(), actor, reason)
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    org = access.organisation_for_region(actor, enterprise.region_code) if actor is not None else None
    record("enterprise.claim_reject", request=request, actor=actor, organisation=org, obj=locked,
           after={"enterprise": enterprise.credit_code, "reason": reason})
    _refresh_claim_status(enterprise)
    claim.status = locked.status
    return locked


@transaction.atomic
def claim_revoke(*, actor: Any, claim: EnterpriseClaim, reason: str,
                 request: HttpRequest | None = None) -> EnterpriseClaim:
    """解除认领 (e.g. the account no longer speaks for the enterprise), with a reason."""
    reason = _reason(reason)
    locked, enterprise = _decide(actor, claim)
    if locked.status != EnterpriseClaim.Status.VERIFIED:
        raise ValidationError("只有已核验的认领可以解除。")
    locked.status, locked.decided_at, locked.decided_by, locked.reason = (
        EnterpriseClaim.Status.REVOKED, timezone.now(), actor, reason)
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    org = access.organisation_for_region(actor, enterprise.region_code) if actor is not None else None
    record("enterprise.claim_revoke", request=request, actor=actor, organisation=org, obj=locked,
           after={"enterprise": enterprise.credit_code, "user": locked.user.username, "reason": reason})
    _refresh_claim_status(enterprise)
    claim.status = locked.status
    return locked


@transaction.atomic
def claim_withdraw(*, actor: Any, claim: EnterpriseClaim, request: HttpRequest | None = None) -> EnterpriseClaim:
    """撤回认领 (the claimant, while it is pending)."""
    locked = EnterpriseClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能撤回本账号提交的认领。")
    if locked.status != EnterpriseClaim.Status.PENDING:
        raise ValidationError(f"该认领{locked.get_status_display()}，不能撤回。")
    locked.status, locked.decided_at = EnterpriseClaim.Status.WITHDRAWN, timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    enterprise = Enterprise.objects.select_for_update().get(pk=locked.enterprise_id)
    record("enterprise.claim_withdraw", request=request, actor=actor, obj=locked,
           after={"enterprise": enterprise.credit_code})
    _refresh_claim_status(enterprise)
    claim.status = locked.status
    return locked
