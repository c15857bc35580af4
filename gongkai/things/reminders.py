"""一次联办期限提醒: 站内消息 (and e-mail) to each department's people when one of its joint tasks
(联办任务) is due soon (≤ ``DUE_SOON_DAYS`` working days left) or overdue.

The due date is stored on the task when the application is accepted (the item's promised working
days, counted with the official calendar); the flags are the pure ``things_workflow.task_flags``
of the same calendar the pages use (``selectors.flags_for``), so a reminder and a page never
disagree. Candidates are found on the indexed (status, due_date) columns: an open task due before
the (DUE_SOON_DAYS + 1)-th working day after today.

Who is reminded: the department's handlers (承办人, ``Perm.HANDLE_REQUEST``), who decide the task;
for an overdue task also the department head (部门负责人). One message per recipient and (task,
kind, due date), so the job may run every minute. Titles carry the receipt number only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongkai.accounts.models import Membership, User
from gongkai.accounts.roles import ORG_ROLE_PERMS, OrgRole, Perm
from gongkai.core.audit import record
from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.things_workflow import DUE_SOON_DAYS, TaskStatus
from gongkai.notifications.services import notify
from gongkai.things.models import JointTask
from gongkai.things.selectors import flags_for
from gongkai.workcalendar.selectors import working_calendar

KIND_DUE_SOON = "things.task_due_soon"
KIND_OVERDUE = "things.task_overdue"
HANDLER_ROLES = {str(role) for role, perms in ORG_ROLE_PERMS.items() if Perm.HANDLE_REQUEST in perms}
HEAD_ROLES = {str(OrgRole.DEPARTMENT_HEAD)}


@dataclass(frozen=True)
class TaskReminderRun:
    tasks: int
    due_soon: int
    overdue: int

    @property
    def notifications(self) -> int:
        return self.due_soon + self.overdue


def candidate_tasks(today: date, calendar: WorkingCalendar) -> list[JointTask]:
    """Open tasks due before the (DUE_SOON_DAYS + 1)-th working day after ``today``."""
    limit = calendar.add_working_days(today, DUE_SOON_DAYS + 1).due
    return list(JointTask.objects.filter(status=TaskStatus.PENDING, due_date__lt=limit)
                .select_related("department", "application", "item").order_by("due_date", "pk"))


def _message(task: JointTask, overdue: bool) -> tuple[str, str]:
    receipt = task.application.receipt_no or ""
    due = f"{task.due_date.year}年{task.due_date.month}月{task.due_date.day}日"
    provisional = "（待确认）" if task.due_provisional else ""
    if overdue:
        title = f"一件事联办：{receipt} 的“{task.item.title}”已超过办理时限"
        lead = f"该联办任务的办理期限为 {due}{provisional}，已经超期，请立即办理。"
    else:
        title = f"一件事联办：{receipt} 的“{task.item.title}”即将到期"
        lead = f"该联办任务的办理期限为 {due}{provisional}，剩余不超过 {DUE_SOON_DAYS} 个工作日，请抓紧办理。"
    body = "\n".join([lead, f"受理编号：{receipt}", f"事项：{task.item.title}", f"承办部门：{task.department.name}",
                      f"承诺时限：{task.days} 个工作日"])
    return title[:200], body


def send_task_reminders(today: date | None = None) -> TaskReminderRun:
    """Remind the departments of every open joint task due soon or overdue. A system job (no
    actor); one transaction and one audit row when any message was created."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    tasks = [(t, flags_for(t, calendar, today)) for t in candidate_tasks(today, calendar)]
    tasks = [(t, f) for t, f in tasks if f.due_soon or f.overdue]
    if not tasks:
        return TaskReminderRun(0, 0, 0)
    org_ids = {i for t, _ in tasks for i in t.department.path_ids()}
    memberships = list(
        Membership.objects.filter(organisation_id__in=org_ids, role__in=HANDLER_ROLES | HEAD_ROLES,
                                  organisation__is_active=True, user__is_active=True,
                                  user__account_type=User.AccountType.STAFF).select_related("organisation", "user"))
    due_soon = overdue = 0
    with transaction.atomic():
        for task, flags in tasks:
            kind = KIND_OVERDUE if flags.overdue else KIND_DUE_SOON
            handlers = {m.user.pk: m.user for m in memberships
                        if m.role in HANDLER_ROLES and m.covers(task.department)}
            heads = {m.user.pk: m.user for m in memberships if m.role in HEAD_ROLES and m.covers(task.department)
                     and m.user.pk not in handlers} if flags.overdue else {}
            title, body = _message(task, flags.overdue)
            key = f"{kind}:{task.pk}:{task.due_date.isoformat()}"
            rows = notify(handlers.values(), kind=kind, title=title, body=body, dedupe_key=key,
                          link=reverse("things_staff:task", args=[task.pk]), organisation=task.department)
            rows += notify(heads.values(), kind=kind, title=title, body=body, dedupe_key=key,
                           organisation=task.department)
            if flags.overdue:
                overdue += len(rows)
            else:
                due_soon += len(rows)
        run = TaskReminderRun(len(tasks), due_soon, overdue)
        if run.notifications:
            record("things.task_reminders", object_type="things.JointTask",
                   detail=f"联办期限提醒：即将到期 {due_soon} 条，已超期 {overdue} 条",
                   after={"as_of": today, "tasks": run.tasks, "due_soon": due_soon, "overdue": overdue})
    return run
