"""期限提醒: 站内消息 (and e-mail) to the people who must act on a request that is due soon
(≤ 3 working days left, ``DUE_SOON_DAYS``) or overdue.

The deadline itself is the statutory clock of the request — 条例第三十三条 (20 working days from
receipt, extendable once by at most 20) with the pauses of 第三十条, 第三十二条 and the fee notice —
replayed by ``services.deadlines``; this module never counts days. It refreshes stale cached flags
through ``recompute_open_requests`` and then reads the cached columns (``due_soon``, ``overdue``,
``due_date``), filtered in the database on the indexed ``status``/``due_date`` columns.

Who is reminded, per request (the same grants as ``disclosure.access``, including memberships
that cover subordinate organisations):
- the handlers (承办人, ``Perm.HANDLE_REQUEST``) of the assigned handling department;
- the department head (部门负责人) of the assigned handling department;
- the head of the disclosure office (公开办负责人, ``Perm.APPROVE``) of the receiving organisation;
- while the request is not yet assigned, its registrars (登记员), who must assign it.
Requests whose clock is paused (补正, 征求意见, 缴费) are skipped: nobody can act on the clock.

One message per recipient and (request, kind, due date) — the ``dedupe_key`` — so the job may run
every minute; when the due date moves (an extension, a pause) a new reminder is due. Titles carry
the receipt number only, never the applicant's name or contact data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from gongkai.accounts.models import Membership, Organisation, User
from gongkai.accounts.roles import ORG_ROLE_PERMS, OrgRole, Perm
from gongkai.core.audit import record
from gongkai.disclosure.access import can
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import deadlines as clock
from gongkai.domain.disclosure_deadlines import DUE_SOON_DAYS
from gongkai.domain.disclosure_workflow import OPEN_STATES
from gongkai.notifications.models import Notification
from gongkai.notifications.services import notify

KIND_DUE_SOON = "disclosure.due_soon"
KIND_OVERDUE = "disclosure.overdue"
LEGAL_BASIS = "《中华人民共和国政府信息公开条例》第三十三条"


@dataclass(frozen=True)
class ReminderRun:
    """What one run did: candidate requests and the messages created, by kind."""

    requests: int
    due_soon: int
    overdue: int

    @property
    def notifications(self) -> int:
        return self.due_soon + self.overdue


def _roles(perm: str) -> set[str]:
    return {str(role) for role, perms in ORG_ROLE_PERMS.items() if perm in perms}


HANDLER_ROLES = _roles(Perm.HANDLE_REQUEST)
OFFICE_HEAD_ROLES = _roles(Perm.APPROVE)
REGISTRAR_ROLES = _roles(Perm.REGISTER_REQUEST)
DEPARTMENT_HEAD_ROLES = {str(OrgRole.DEPARTMENT_HEAD)}


def candidate_requests() -> list[DisclosureRequest]:
    """Open requests flagged due soon or overdue with the clock running (the cached flags, as of
    the last refresh): filtered in the database on index ``dreq_status_due``."""
    return list(
        DisclosureRequest.objects.filter(status__in=sorted(s.value for s in OPEN_STATES), due_date__isnull=False,
                                         clock_paused=False)
        .filter(Q(due_soon=True) | Q(overdue=True))
        .select_related("organisation", "handling_department")
        .order_by("due_date", "pk")
    )


def _memberships(requests: list[DisclosureRequest]) -> list[Membership]:
    """Every membership that could grant one of the roles above on these requests: one query."""
    org_ids: set[int] = set()
    for req in requests:
        org_ids.update(req.organisation.path_ids())
        if req.handling_department is not None:
            org_ids.update(req.handling_department.path_ids())
    roles = HANDLER_ROLES | OFFICE_HEAD_ROLES | REGISTRAR_ROLES | DEPARTMENT_HEAD_ROLES
    return list(
        Membership.objects.filter(organisation_id__in=org_ids, role__in=roles, organisation__is_active=True,
                                  user__is_active=True, user__account_type=User.AccountType.STAFF)
        .select_related("organisation", "user")
    )


def _holders(memberships: list[Membership], org: Organisation | None, roles: set[str]) -> dict[int, User]:
    if org is None:
        return {}
    return {m.user.pk: m.user for m in memberships if m.role in roles and m.covers(org)}


def recipients(request: DisclosureRequest, memberships: list[Membership]) -> tuple[list[User], list[User]]:
    """(users who may open the request, other users to remind) — the department head holds no
    request permission of its own, so their message has no link unless another role gives one."""
    department = request.handling_department
    viewers = {**_holders(memberships, department, HANDLER_ROLES),
               **_holders(memberships, request.organisation, OFFICE_HEAD_ROLES)}
    if department is None:
        viewers.update(_holders(memberships, request.organisation, REGISTRAR_ROLES))
    others: dict[int, User] = {}
    for pk, user in _holders(memberships, department, DEPARTMENT_HEAD_ROLES).items():
        if pk in viewers:
            continue
        if can(user, request):
            viewers[pk] = user
        else:
            others[pk] = user
    return list(viewers.values()), list(others.values())


def dedupe_key(request: DisclosureRequest, kind: str) -> str:
    assert request.due_date is not None
    return f"{kind}:{request.pk}:{request.due_date.isoformat()}"


def _message(request: DisclosureRequest, kind: str) -> tuple[str, str]:
    assert request.due_date is not None
    due = f"{request.due_date.year}年{request.due_date.month}月{request.due_date.day}日"
    provisional = "（待确认）" if request.due_provisional else ""
    if kind == KIND_OVERDUE:
        title = f"依申请公开：申请 {request.receipt_no} 已超过答复期限"
        lead = f"该申请的答复期限为 {due}{provisional}，已经超期，请立即办理并答复申请人。"
    else:
        title = f"依申请公开：申请 {request.receipt_no} 即将到期"
        lead = f"该申请的答复期限为 {due}{provisional}，剩余不超过 {DUE_SOON_DAYS} 个工作日，请抓紧办理。"
    department = request.handling_department.name if request.handling_department else "未分办"
    body = "\n".join([
        lead,
        f"受理编号：{request.receipt_no}",
        f"受理机关：{request.organisation.name}",
        f"承办部门：{department}",
        f"当前状态：{request.status_label}",
        f"依据：{LEGAL_BASIS}，行政机关应在规定期限内答复。",
    ])
    return title, body


def send_deadline_reminders(today: date | None = None) -> ReminderRun:
    """Remind the people responsible for every open request due soon or overdue (see the module
    docstring). A system job: no actor. One transaction; one audit row
    (``disclosure.reminders``) when it created any message; e-mails go out after commit."""
    today = today or clock.today()
    clock.recompute_open_requests(as_of=today, stale_only=True)
    requests = candidate_requests()
    if not requests:
        return ReminderRun(0, 0, 0)
    memberships = _memberships(requests)
    plans: list[tuple[DisclosureRequest, str, list[User], list[User]]] = []
    for req in requests:
        viewers, others = recipients(req, memberships)
        if viewers or others:
            plans.append((req, KIND_OVERDUE if req.overdue else KIND_DUE_SOON, viewers, others))
    # Steady state (every minute after the first reminder): one query finds nothing is missing.
    keys = {dedupe_key(req, kind) for req, kind, _, _ in plans}
    user_ids = {u.pk for _, _, viewers, others in plans for u in (*viewers, *others)}
    have = set(Notification.objects.filter(recipient_id__in=user_ids, dedupe_key__in=keys)
               .values_list("recipient_id", "dedupe_key"))
    created: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for req, kind, viewers, others in plans:
            key = dedupe_key(req, kind)
            title, body = _message(req, kind)
            link = reverse("disclosure_staff:detail", args=[req.uid])
            for group, group_link in ((viewers, link), (others, "")):
                missing = [u for u in group if (u.pk, key) not in have]
                if missing:
                    rows = notify(missing, kind=kind, title=title, body=body, link=group_link, dedupe_key=key,
                                  organisation=req.organisation)
                    created[kind] += len(rows)
        run = ReminderRun(len(requests), created[KIND_DUE_SOON], created[KIND_OVERDUE])
        if run.notifications:
            record("disclosure.reminders", object_type="disclosure.DisclosureRequest",
                   detail=f"期限提醒：即将到期 {run.due_soon} 条，已超期 {run.overdue} 条",
                   after={"as_of": today, "requests": run.requests, "due_soon": run.due_soon,
                          "overdue": run.overdue, "notifications": run.notifications})
    return run
