"""Whose figures a staff member sees (统计范围): the organisations of their memberships (any
organisation role), with the subordinates where the membership says 含下级机关 — exactly
``accounts.access.organisations_for``. Choosing one organisation narrows the scope to it and its
subordinates *within* that set; asking for any other organisation is a 404 and an audit row
(``access_organisation``). Another organisation's figures are never included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from gongkai.accounts.access import access_organisation, organisations_for
from gongkai.accounts.models import Organisation
from gongkai.accounts.roles import Perm

NO_SCOPE = "统计分析仅供机关工作人员查看本机关（及其下级机关）的数据。"


@dataclass(frozen=True)
class Scope:
    """The organisations whose figures are counted. ``root``: the chosen organisation (None when
    the viewer looks at everything they may see)."""

    organisations: tuple[Organisation, ...]
    root: Organisation | None = None

    @property
    def ids(self) -> list[int]:
        return [o.pk for o in self.organisations]

    @property
    def label(self) -> str:
        if self.root is not None:
            below = len(self.organisations) - 1
            return f"{self.root.name}（含下级机关 {below} 个）" if below else self.root.name
        if len(self.organisations) == 1:
            return self.organisations[0].name
        return f"本人可查看的全部机关（{len(self.organisations)} 个）"

    @property
    def top(self) -> Organisation:
        """The organisation whose assessment weights apply: the chosen one, else the highest of
        the scope (shortest tree path, then the first created)."""
        if self.root is not None:
            return self.root
        return min(self.organisations, key=lambda o: (o.tree_path.count("/"), o.tree_path))

    def request_filter(self, prefix: str = "") -> Q:
        """Requests received by an organisation of the scope or assigned to one of its
        departments (a department sees what it handles)."""
        ids = self.ids
        return Q(**{f"{prefix}organisation__in": ids}) | Q(**{f"{prefix}handling_department__in": ids})


def statistics_organisations(user: Any) -> list[Organisation]:
    """Every organisation whose figures ``user`` may see, in tree order."""
    return sorted(organisations_for(user, Perm.VIEW_RECORDS), key=lambda o: (o.tree_path, o.name))


def statistics_scope(user: Any, organisation_id: Any = None, *, request: HttpRequest | None = None) -> Scope:
    """The scope for ``user``; ``organisation_id`` (optional) narrows it to that organisation and
    its subordinates. No organisation at all → ``PermissionDenied``; an organisation outside the
    user's set → ``Http404`` (audited)."""
    orgs = statistics_organisations(user)
    if not orgs:
        raise PermissionDenied(NO_SCOPE)
    if organisation_id in (None, ""):
        return Scope(tuple(orgs))
    chosen = access_organisation(user, organisation_id, Perm.VIEW_RECORDS, request=request)
    inside = tuple(o for o in orgs if o.tree_path.startswith(chosen.tree_path))
    return Scope(inside, root=chosen)
