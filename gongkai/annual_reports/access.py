"""Who may do what with an organisation's annual report. Views load the organisation only through
``access_report_organisation``: another organisation's report — published or not — is a 404 on
the staff pages, and the denial is audited (the public sees published versions only, on the
public pages).

- see the report (tables, checks, drafts, versions): every role of the organisation
  (``Perm.VIEW_RECORDS``), per membership including subordinates when it says 含下级机关 — so a
  government's disclosure office sees its departments' reports;
- write sections 一、五、六 and the table-2 figures: 信息发布员 (``Perm.PUBLISH``) and 公开办负责人
  (``Perm.APPROVE``);
- publish a version: 公开办负责人 (``Perm.APPROVE``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from gongkai.accounts.access import access_organisation, organisations_for, user_has_org_perm
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm

VIEW = Perm.VIEW_RECORDS
EDIT_PERMS = (Perm.PUBLISH, Perm.APPROVE)
PUBLISH_PERM = Perm.APPROVE


def can_view(user: Any, organisation: Organisation) -> bool:
    return user_has_org_perm(user, organisation, VIEW)


def can_edit(user: Any, organisation: Organisation) -> bool:
    return any(user_has_org_perm(user, organisation, p) for p in EDIT_PERMS)


def can_publish(user: Any, organisation: Organisation) -> bool:
    return user_has_org_perm(user, organisation, PUBLISH_PERM)


def report_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose reports ``user`` may see (one query)."""
    return organisations_for(user, VIEW)


def access_report_organisation(user: Any, organisation_id: Any, *,
                               request: HttpRequest | None = None) -> Organisation:
    """The organisation when ``user`` may see its reports; otherwise ``Http404`` (audited)."""
    return access_organisation(user, organisation_id, VIEW, request=request)
