"""Services: the only code that changes organisations, users and memberships.

Each function runs in one transaction and writes an audit row with before/after.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongkai.accounts.access import has_system_perm, user_has_org_perm
from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, Perm, SystemRole
from gongkai.core.audit import model_snapshot, record
from gongkai.domain.identifiers import IdentifierError, validate_credit_code

USER_AUDIT_FIELDS = ["username", "account_type", "system_role", "display_name", "email", "credit_code",
                     "is_active"]
BACKUP_CODE_COUNT = 10

ORG_PROFILE_FIELDS = [
    "short_name", "office_name", "office_address", "office_hours", "phone", "fax", "email", "postcode",
    "website",
]


def _set_tree_path(org: Organisation) -> None:
    parent_path = org.parent.tree_path if org.parent_id and org.parent else "/"
    org.tree_path = parent_path + Organisation.path_segment(org.pk)


@transaction.atomic
def organisation_create(*, actor: Any, request: HttpRequest | None = None, **fields: Any) -> Organisation:
    """新建机关 (system administrators, or the demo loader with ``actor=None``)."""
    if actor is not None and not has_system_perm(actor, Perm.MANAGE_ORGS):
        raise PermissionDenied("只有系统管理员可以新建机关。")
    org = Organisation(**fields)
    org.full_clean(exclude=["tree_path"])
    org.save()
    _set_tree_path(org)
    org.save(update_fields=["tree_path"])
    record("organisation.create", request=request, actor=actor, organisation=org, obj=org,
           after=model_snapshot(org))
    return org


@transaction.atomic
def organisation_update(
    *, actor: Any, organisation: Organisation, request: HttpRequest | None = None, **changes: Any
) -> Organisation:
    """修改机关信息. Organisation admins may change the 指南 contact data of their own organisation;
    system administrators may change everything, including the parent (subtree paths follow)."""
    is_sysadmin = actor is None or has_system_perm(actor, Perm.MANAGE_ORGS)
    if not is_sysadmin:
        if not user_has_org_perm(actor, organisation, Perm.EDIT_PROFILE):
            raise PermissionDenied("您无权修改该机关的信息。")
        extra = set(changes) - set(ORG_PROFILE_FIELDS)
        if extra:
            raise PermissionDenied("机关管理员只能修改联系信息。")
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = model_snapshot(org)
    old_path = org.tree_path
    for name, value in changes.items():
        setattr(org, name, value)
    org.full_clean(exclude=["tree_path"])
    org.save()
    if "parent" in changes or "parent_id" in changes:
        _set_tree_path(org)
        org.save(update_fields=["tree_path"])
        for child in Organisation.objects.filter(tree_path__startswith=old_path).exclude(pk=org.pk):
            child.tree_path = org.tree_path + child.tree_path[len(old_path):]
            child.save(update_fields=["tree_path"])
    after = model_snapshot(org)
    changed_before = {k: v for k, v in before.items() if after.get(k) != v and k != "updated_at"}
    changed_after = {k: after[k] for k in changed_before}
    record("organisation.update", request=request, actor=actor, organisation=org, obj=org,
           before=changed_before, after=changed_after)
    return org


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str | None, account_type: str, display_name: str = "",
    system_role: str = SystemRole.NONE, email: str = "", request: HttpRequest | None = None,
) -> User:
    if actor is not None and not has_system_perm(actor, Perm.MANAGE_USERS):
        raise PermissionDenied("只有系统管理员可以新建用户。")
    if system_role and account_type != User.AccountType.STAFF:
        raise ValidationError("系统角色只能授予工作人员账号。")
    user = User(username=username, account_type=account_type, display_name=display_name,
                system_role=system_role, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record("user.create", request=request, actor=actor, obj=user,
           after=model_snapshot(user, ["username", "account_type", "system_role", "display_name"]))
    return user


@transaction.atomic
def membership_grant(
    *, actor: Any, user: User, organisation: Organisation, role: str, includes_subordinates: bool = False,
    request: HttpRequest | None = None,
) -> Membership:
    """授予角色. 三权分立: holders of a system role cannot also hold organisation roles."""
    if actor is not None and not (
        has_system_perm(actor, Perm.MANAGE_USERS) or user_has_org_perm(actor, organisation, Perm.MANAGE_MEMBERS)
    ):
        raise PermissionDenied("您无权为该机关授予角色。")
    if role not in OrgRole.values:
        raise ValidationError("未知的角色。")
    if user.account_type != User.AccountType.STAFF:
        raise ValidationError("只有工作人员账号可以担任机关角色。")
    if user.system_role:
        raise ValidationError("系统管理员、安全管理员和审计员不能同时担任机关业务角色（三权分立）。")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role,
        defaults={"includes_subordinates": includes_subordinates},
    )
    if created:
        record("membership.grant", request=request, actor=actor, organisation=organisation, obj=membership,
               after={"user": user.username, "role": role, "includes_subordinates": includes_subordinates})
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership, request: HttpRequest | None = None) -> None:
    if actor is not None and not (
        has_system_perm(actor, Perm.MANAGE_USERS)
        or user_has_org_perm(actor, membership.organisation, Perm.MANAGE_MEMBERS)
    ):
        raise PermissionDenied("您无权撤销该角色。")
    record("membership.revoke", request=request, actor=actor, organisation=membership.organisation,
           obj=membership, before={"user": membership.user.username, "role": membership.role})
    membership.delete()


@transaction.atomic
def user_update(
    *, actor: Any, user: User, request: HttpRequest | None = None, password: str | None = None,
    **changes: Any,
) -> User:
    """修改用户 (system administrators). The password is set through ``set_password`` and never
    appears in the audit row; only the fact that it changed does."""
    if actor is not None and not has_system_perm(actor, Perm.MANAGE_USERS):
        raise PermissionDenied("只有系统管理员可以修改用户。")
    forbidden = set(changes) & {"is_superuser", "is_staff", "password", "groups", "user_permissions"}
    if forbidden:
        raise PermissionDenied("这些字段不能修改：" + "、".join(sorted(forbidden)))
    target = User.objects.select_for_update().get(pk=user.pk)
    before = model_snapshot(target, USER_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(target, name, value)
    if target.system_role and target.account_type != User.AccountType.STAFF:
        raise ValidationError("系统角色只能授予工作人员账号。")
    if target.system_role and target.memberships.exists():
        raise ValidationError("该用户已担任机关业务角色，不能再授予系统角色（三权分立）。")
    if password:
        validate_password(password, target)
        target.set_password(password)
    target.full_clean(exclude=["password"])
    target.save()
    after = model_snapshot(target, USER_AUDIT_FIELDS)
    changed_before = {k: v for k, v in before.items() if after.get(k) != v and k != "updated_at"}
    changed_after = {k: after[k] for k in changed_before}
    if password:
        changed_after["password_changed"] = True
    record("user.update", request=request, actor=actor, obj=target, before=changed_before,
           after=changed_after)
    return target


@transaction.atomic
def membership_update(
    *, actor: Any, membership: Membership, includes_subordinates: bool, request: HttpRequest | None = None,
) -> Membership:
    if actor is not None and not (
        has_system_perm(actor, Perm.MANAGE_USERS)
        or user_has_org_perm(actor, membership.organisation, Perm.MANAGE_MEMBERS)
    ):
        raise PermissionDenied("您无权修改该角色。")
    row = Membership.objects.select_for_update().get(pk=membership.pk)
    before = {"includes_subordinates": row.includes_subordinates}
    row.includes_subordinates = includes_subordinates
    row.save(update_fields=["includes_subordinates"])
    record("membership.update", request=request, actor=actor, organisation=row.organisation, obj=row,
           before=before, after={"includes_subordinates": includes_subordinates})
    return row


@transaction.atomic
def public_user_register(
    *, username: str, password: str, account_type: str, display_name: str, credit_code: str = "",
    email: str = "", request: HttpRequest | None = None,
) -> User:
    """公众注册: 公民 or 法人或其他组织. Staff accounts are never self-registered."""
    if account_type not in (User.AccountType.PERSON, User.AccountType.ENTERPRISE):
        raise ValidationError({"account_type": "只能注册公民或法人或其他组织账号。"})
    if account_type == User.AccountType.ENTERPRISE:
        try:
            credit_code = validate_credit_code(credit_code)
        except IdentifierError as exc:
            raise ValidationError({"credit_code": str(exc)}) from None
    else:
        credit_code = ""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已被使用，请换一个。"})
    user = User(username=username, account_type=account_type, display_name=display_name,
                credit_code=credit_code, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record("user.register", request=request, actor=user, obj=user,
           after=model_snapshot(user, ["username", "account_type", "display_name", "credit_code"]))
    return user


def totp_matches(key_hex: str, token: str, *, tolerance: int = 1) -> bool:
    """Whether ``token`` is the current code for a not yet saved TOTP key (enrolment)."""
    token = token.strip().replace(" ", "")
    if not token.isdigit():
        return False
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)
    return bool(totp.verify(int(token), tolerance))


@transaction.atomic
def otp_enrol(
    *, actor: Any, user: User, key_hex: str, token: str, request: HttpRequest | None = None,
) -> list[str]:
    """绑定动态验证码: save a confirmed TOTP device for ``user`` once they proved they can read it,
    replace any old devices, and return fresh one-time backup codes (shown once)."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("只能为自己的账号绑定动态验证码。")
    if not totp_matches(key_hex, token):
        raise ValidationError({"otp_token": "动态验证码不正确，请确认手机时间准确后重新输入。"})
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="身份验证器", key=key_hex, confirmed=True)
    # The code just used to confirm must not log in a second time (ASVS 6.5.1).
    device.verify_token(token.strip().replace(" ", ""))
    static = StaticDevice.objects.create(user=user, name="备用码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    record("security.otp_enrolled", request=request, actor=actor, obj=user,
           after={"devices": ["totp", "static"], "backup_codes": BACKUP_CODE_COUNT})
    return codes


@transaction.atomic
def security_reset_otp(*, actor: Any, user: User, request: HttpRequest | None = None) -> int:
    """重置动态验证码 (安全管理员): delete every OTP device of ``user``; they enrol again at next login."""
    if not has_system_perm(actor, Perm.RESET_OTP):
        raise PermissionDenied("只有安全管理员可以重置动态验证码。")
    before = {
        "totp_devices": TOTPDevice.objects.filter(user=user).count(),
        "static_devices": StaticDevice.objects.filter(user=user).count(),
    }
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record("security.otp_reset", request=request, actor=actor, obj=user, before=before,
           after={"totp_devices": 0, "static_devices": 0})
    return int(before["totp_devices"] + before["static_devices"])


@transaction.atomic
def security_unlock(*, actor: Any, username: str = "", ip_address: str = "",
                    request: HttpRequest | None = None) -> int:
    """解除锁定 (安全管理员): remove django-axes failure records for a username or an address."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    if not has_system_perm(actor, Perm.UNLOCK_ACCOUNTS):
        raise PermissionDenied("只有安全管理员可以解除账号锁定。")
    if not username and not ip_address:
        raise ValidationError("请指定要解除锁定的用户名或 IP 地址。")
    attempts = AccessAttempt.objects.all()
    attempts = attempts.filter(username=username) if username else attempts.filter(ip_address=ip_address)
    before = [
        {"username": a.username, "ip_address": a.ip_address, "failures": a.failures_since_start}
        for a in attempts
    ]
    removed = reset(username=username) if username else reset(ip=ip_address)
    record("security.unlock", request=request, actor=actor, object_type="axes.AccessAttempt",
           object_repr=username or ip_address, before={"attempts": before}, after={"removed": removed})
    return int(removed)
