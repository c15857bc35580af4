"""Access functions for enterprise profiles (一企一档): the only way views and the API load them.

Who sees what:
- 企业服务专员 (``Perm.MANAGE_ENTERPRISES``, role ``enterprise_service``) of an organisation see and
  manage the enterprises registered in that organisation's 行政区划: a province-level body (代码
  ``xx0000``) the whole province, a city (``xxxx00``) the city, a county the county; a national
  body every enterprise. Enterprises are not owned by an organisation, so "own records" means
  "in our area". Import jobs are seen by the managers of the organisation they were run for.
- An enterprise account sees the profile it has a verified claim on (and the state of its own
  claims), never anyone else's.
Anyone else gets a 404 (an audited ``access.denied``), as for every other organisation record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from gongkai.accounts.access import deny, organisations_for, user_has_org_perm
from gongkai.accounts.models import Organisation, User
from gongkai.accounts.roles import Perm
from gongkai.enterprise.models import Enterprise, EnterpriseClaim, ImportJob

MANAGE = Perm.MANAGE_ENTERPRISES


def region_prefix(organisation: Organisation) -> str:
    """The 行政区划代码 prefix an organisation serves: ``43`` for 430000, ``4301`` for 430100,
    ``341023`` for a county, ``""`` (everywhere) for a national body."""
    if organisation.level == Organisation.Level.NATIONAL:
        return ""
    code = organisation.division_code or ""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def managing_organisations(user: Any) -> QuerySet[Organisation]:
    """Organisations in which ``user`` may manage enterprises."""
    return organisations_for(user, MANAGE)


def region_prefixes_for(user: Any) -> list[str]:
    """The distinct region prefixes ``user`` manages (``[""]`` = everywhere, ``[]`` = none)."""
    prefixes = sorted({region_prefix(org) for org in managing_organisations(user)})
    if "" in prefixes:
        return [""]
    # Drop prefixes covered by a shorter one (a province covers its cities).
    return [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]


def region_condition(prefixes: list[str], field: str = "region_code") -> Q:
    if prefixes == [""]:
        return Q()
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(**{f"{field}__startswith": prefix})
    return condition


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    """The enterprises ``user`` may manage: one query on the indexed ``region_code``."""
    prefixes = region_prefixes_for(user)
    if not prefixes:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(region_condition(prefixes))


def covers_region(user: Any, region_code: str) -> bool:
    """May ``user`` manage an enterprise registered in ``region_code``?"""
    prefixes = region_prefixes_for(user)
    if prefixes == [""]:
        return True
    return bool(region_code) and any(region_code.startswith(p) for p in prefixes)


def can_manage(user: Any, enterprise: Enterprise) -> bool:
    return covers_region(user, enterprise.region_code)


def organisation_for_region(user: Any, region_code: str) -> Organisation | None:
    """The most local organisation through which ``user`` manages ``region_code`` (for the audit
    trail's organisation column)."""
    best: Organisation | None = None
    for org in managing_organisations(user):
        prefix = region_prefix(org)
        if region_code.startswith(prefix) and (best is None or len(prefix) > len(region_prefix(best))):
            best = org
    return best


def _lookup(enterprise_id: Any) -> Enterprise:
    try:
        return Enterprise.objects.select_related("industry", "claimed_by").get(pk=int(enterprise_id))
    except (Enterprise.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该企业。") from None


def access_enterprise(user: Any, enterprise_id: Any, *, request: HttpRequest | None = None) -> Enterprise:
    """The enterprise when ``user`` may manage it (staff of its area); otherwise an audited 404."""
    enterprise = _lookup(enterprise_id)
    if can_manage(user, enterprise):
        return enterprise
    raise deny(request, user, object_type="enterprise.Enterprise", object_id=enterprise_id, detail=MANAGE)


def access_claim(user: Any, claim_id: Any, *, request: HttpRequest | None = None) -> EnterpriseClaim:
    """A claim, for the staff who manage its enterprise."""
    try:
        claim = EnterpriseClaim.objects.select_related("enterprise", "user", "decided_by").get(pk=int(claim_id))
    except (EnterpriseClaim.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该认领申请。") from None
    if can_manage(user, claim.enterprise):
        return claim
    raise deny(request, user, object_type="enterprise.EnterpriseClaim", object_id=claim_id, detail=MANAGE)


def claims_for(user: Any) -> QuerySet[EnterpriseClaim]:
    """Claims on the enterprises ``user`` manages."""
    prefixes = region_prefixes_for(user)
    if not prefixes:
        return EnterpriseClaim.objects.none()
    return EnterpriseClaim.objects.filter(region_condition(prefixes, "enterprise__region_code"))


def import_jobs_for(user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(organisation__in=managing_organisations(user))


def access_import_job(user: Any, job_id: Any, *, request: HttpRequest | None = None) -> ImportJob:
    try:
        job = ImportJob.objects.select_related("organisation", "created_by").defer("data").get(pk=int(job_id))
    except (ImportJob.DoesNotExist, TypeError, ValueError):
        raise Http404("未找到该导入任务。") from None
    if user_has_org_perm(user, job.organisation, MANAGE):
        return job
    raise deny(request, user, object_type="enterprise.ImportJob", object_id=job_id, detail=MANAGE)


# --- The enterprise's own account ------------------------------------------------------------------

def is_enterprise_account(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.account_type == User.AccountType.ENTERPRISE


def own_enterprise(user: Any) -> Enterprise | None:
    """The enterprise ``user`` holds a verified claim on (one at most)."""
    if not is_enterprise_account(user):
        return None
    return (Enterprise.objects.select_related("industry")
            .filter(claimed_by=user, claim_status=Enterprise.ClaimStatus.VERIFIED).first())


def open_claim(user: Any) -> EnterpriseClaim | None:
    """The user's pending or verified claim (at most one, by constraint)."""
    if not is_enterprise_account(user):
        return None
    return (EnterpriseClaim.objects.select_related("enterprise")
            .filter(user=user, status__in=[EnterpriseClaim.Status.PENDING, EnterpriseClaim.Status.VERIFIED]).first())
