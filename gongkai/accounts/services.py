"""Services: the only code that changes organisations, users and memberships.

Each function runs in one transaction and writes an audit row with before/after.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.access import has_system_perm, user_has_org_perm
from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import OrgRole, Perm, SystemRole
from gongkai.core.audit import model_snapshot, record

ORG_PROFILE_FIELDS = [
    "short_name", "office_name", "office_address", "office_hours", "phone", "fax", "email", "postcode",
    "website",
]


def _set_tree_path(org: Organisation) -> None:
    parent_path = org.parent.tree_path if org.parent_id and org.parent else "/"
    org.tree_path = f"{parent_path}{org.pk}/"


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
    changed_before = {k: v for k, v in before.items() if after.get(k) != v}
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
