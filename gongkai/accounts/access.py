"""Access functions: the only way views and the API load organisation data.

``access_<thing>(user, id)`` returns the object when the user may see it and raises ``Http404``
otherwise — another organisation's object looks exactly like a missing one (ASVS 8.2.2), and the
denial is written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import ORG_ROLE_PERMS, SYSTEM_ROLE_PERMS, Perm


def system_perms(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return SYSTEM_ROLE_PERMS.get(user.system_role, frozenset())


def has_system_perm(user: Any, perm: str) -> bool:
    return perm in system_perms(user)


def _grants(user: Any, perm: str) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or user.account_type != User.AccountType.STAFF:
        return []
    roles = [role for role, perms in ORG_ROLE_PERMS.items() if perm in perms]
    return list(
        Membership.objects.filter(user=user, role__in=roles, organisation__is_active=True).select_related(
            "organisation"
        )
    )


def organisations_for(user: Any, perm: str = Perm.VIEW_RECORDS) -> QuerySet[Organisation]:
    """Organisations whose records ``user`` may act on with ``perm``: one indexed query."""
    condition = Q(pk__in=[])
    for membership in _grants(user, perm):
        org = membership.organisation
        condition |= Q(pk=org.pk)
        if membership.includes_subordinates:
            condition |= Q(tree_path__startswith=org.tree_path)
    return Organisation.objects.filter(condition, is_active=True)


def user_has_org_perm(user: Any, organisation: Organisation, perm: str) -> bool:
    return any(membership.covers(organisation) for membership in _grants(user, perm))


def deny(request: HttpRequest | None, user: Any, *, object_type: str, object_id: Any, detail: str = "") -> Http404:
    from gongkai.core.audit import record
    from gongkai.core.models import AuditEvent

    record(
        "access.denied",
        request=request,
        actor=user if getattr(user, "is_authenticated", False) else None,
        object_type=object_type,
        object_id=str(object_id),
        result=AuditEvent.Result.DENIED,
        detail=detail,
    )
    return Http404("未找到该记录。")


def access_organisation(
    user: Any, organisation_id: Any, perm: str = Perm.VIEW_RECORDS, *, request: HttpRequest | None = None
) -> Organisation:
    try:
        org = Organisation.objects.get(pk=int(organisation_id), is_active=True)
    except (Organisation.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该机关。") from None
    if user_has_org_perm(user, org, perm):
        return org
    raise deny(request, user, object_type="accounts.Organisation", object_id=organisation_id, detail=perm)


def access_membership(
    user: Any, membership_id: Any, perm: str = Perm.MANAGE_MEMBERS, *, request: HttpRequest | None = None
) -> Membership:
    try:
        membership = Membership.objects.select_related("organisation", "user").get(pk=int(membership_id))
    except (Membership.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该任职记录。") from None
    if user_has_org_perm(user, membership.organisation, perm):
        return membership
    raise deny(request, user, object_type="accounts.Membership", object_id=membership_id, detail=perm)
