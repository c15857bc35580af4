"""Access functions for disclosure requests: the only way views and the API load them.

Who sees what (issue 4 §2):
- 登记员 (``Perm.REGISTER_REQUEST``), 公开办负责人 (``Perm.APPROVE``) and 法制审核员
  (``Perm.LEGAL_REVIEW``): every request of their organisation, and of its subordinates when the
  membership says 含下级机关;
- 承办人 (``Perm.HANDLE_REQUEST``): the requests assigned to their department (the handling
  organisation), per membership the same way.
Anyone else — other organisations, publishers, org admins, system roles — gets a 404, never a
403 (ASVS 8.2.2), and the denial is audited. The applicant reaches a request only through
``access_request_by_receipt`` (receipt number + query code) or their own account.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from gongkai.accounts.access import deny, organisations_for, user_has_org_perm
from gongkai.accounts.roles import Perm
from gongkai.core.cache import count_hit, hits
from gongkai.disclosure import crypto
from gongkai.disclosure.models import DisclosureRequest

# Pseudo-permission: may open the request at all (any of the four request roles, as above).
VIEW = "request.view"
ORG_WIDE_PERMS = (Perm.REGISTER_REQUEST, Perm.APPROVE, Perm.LEGAL_REVIEW)
LOOKUP_MAX_FAILURES = 10
LOOKUP_WINDOW_SECONDS = 15 * 60


def can(user: Any, request: DisclosureRequest, perm: str = VIEW) -> bool:
    """Whether ``user`` may act on ``request`` with ``perm`` (or just open it, ``VIEW``)."""
    if perm == VIEW:
        return any(can(user, request, p) for p in (*ORG_WIDE_PERMS, Perm.HANDLE_REQUEST))
    if perm == Perm.HANDLE_REQUEST:
        department = request.handling_department
        return department is not None and user_has_org_perm(user, department, Perm.HANDLE_REQUEST)
    if perm in ORG_WIDE_PERMS:
        return user_has_org_perm(user, request.organisation, perm)
    return False


def requests_for(user: Any, perm: str = VIEW) -> QuerySet[DisclosureRequest]:
    """The requests ``user`` may open (or act on with ``perm``): one query, index-friendly."""
    condition = Q(pk__in=[])
    perms = (*ORG_WIDE_PERMS, Perm.HANDLE_REQUEST) if perm == VIEW else (perm,)
    for p in perms:
        orgs = organisations_for(user, p)
        if p == Perm.HANDLE_REQUEST:
            condition |= Q(handling_department__in=orgs)
        elif p in ORG_WIDE_PERMS:
            condition |= Q(organisation__in=orgs)
    return DisclosureRequest.objects.filter(condition)


def _lookup(request_id: Any) -> DisclosureRequest:
    qs = DisclosureRequest.objects.select_related("organisation", "handling_department")
    try:
        if isinstance(request_id, uuid.UUID):
            return qs.get(uid=request_id)
        text = str(request_id)
        if text.isdigit():
            return qs.get(pk=int(text))
        return qs.get(uid=uuid.UUID(text))
    except (DisclosureRequest.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该申请。") from None


def access_request(user: Any, request_id: Any, perm: str = VIEW, *,
                   request: HttpRequest | None = None) -> DisclosureRequest:
    """The request by its ``uid`` (use this in URLs) or primary key, when ``user`` may act on
    it with ``perm``; otherwise ``Http404`` (audited as ``access.denied``)."""
    obj = _lookup(request_id)
    if can(user, obj, perm):
        return obj
    raise deny(request, user, object_type="disclosure.DisclosureRequest", object_id=request_id, detail=perm)


def access_request_for_applicant(user: Any, request_id: Any) -> DisclosureRequest:
    """A signed-in applicant's own request (``submitted_by``); anyone else's is a 404."""
    obj = _lookup(request_id)
    if getattr(user, "is_authenticated", False) and obj.submitted_by_id == user.pk:
        return obj
    raise Http404("未找到该申请。")


def _throttle_key(receipt_no: str) -> str:
    return f"disclosure:lookup-fail:{crypto.blind_index(receipt_no, purpose='receipt')[:32]}"


def access_request_by_receipt(receipt_no: str, query_code: str, *,
                              request: HttpRequest | None = None) -> DisclosureRequest:
    """Public lookup by 受理编号 + 查询码. A wrong code, a missing number and a throttled number
    all raise the same ``Http404``; the check is constant-time (a missing number costs the same
    hash work). After ``LOOKUP_MAX_FAILURES`` wrong codes in ``LOOKUP_WINDOW_SECONDS`` the number
    is locked for the rest of the window. The failures are counted in the shared cache
    (``gongkai.core.cache``), so every web process and node sees the same count."""
    receipt_no = (receipt_no or "").strip().upper()
    key = _throttle_key(receipt_no)
    failures = hits(key)
    obj = DisclosureRequest.objects.select_related("organisation").filter(receipt_no=receipt_no).first()
    ok = crypto.check_query_code(query_code or "", obj.query_code_hash if obj else None)
    if failures >= LOOKUP_MAX_FAILURES or obj is None or not ok:
        # Atomic: exactly one process sees the count reach the limit and writes the audit row.
        if count_hit(key, LOOKUP_WINDOW_SECONDS) == LOOKUP_MAX_FAILURES:
            from gongkai.core.audit import record
            from gongkai.core.models import AuditEvent

            record("disclosure.lookup_throttled", request=request, object_type="disclosure.DisclosureRequest",
                   object_id=receipt_no[:64], result=AuditEvent.Result.DENIED)
        raise Http404("受理编号或查询码不正确。")
    return obj
