"""一次联办期限提醒 (issue 6 §5 “time limits in working days with due-soon and overdue flags”): the
department that holds an open joint task is reminded when ≤ 3 working days remain and again when
it is overdue (then its head too), once per task, kind and due date; decided tasks are quiet. The
flags are the same ones the task pages show (``selectors.flags_for``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.notifications.models import Notification
from gongkai.things import selectors, services
from gongkai.things.reminders import KIND_DUE_SOON, KIND_OVERDUE, send_task_reminders
from gongkai.things.tests.helpers import GOOD_FILES, GOOD_FORM, make_world
from gongkai.workcalendar.selectors import working_calendar

pytestmark = pytest.mark.django_db


def _accepted(w, on=date(2026, 9, 21)):
    app = services.application_start(actor=w.applicant, thing=w.thing, enterprise=w.enterprise)
    app = services.application_save(actor=w.applicant, application=app, data=GOOD_FORM, files=GOOD_FILES,
                                     submit=True)
    return services.application_accept(actor=w.registrar, application=app, on=on)


def _day_with_remaining(due: date, remaining: int) -> date:
    """A day from which exactly ``remaining`` working days are left until ``due``."""
    calendar = working_calendar()
    day = due - timedelta(days=1)
    while calendar.working_days_between(day, due) < remaining:
        day -= timedelta(days=1)
    return day


def test_due_soon_then_overdue_reminders_reach_the_department_once() -> None:
    w = make_world()
    app = _accepted(w)
    tax_task = app.tasks.get(department=w.tax)
    finance_task = app.tasks.get(department=w.finance)
    assert finance_task.due_date > tax_task.due_date  # 10 vs 5 working days
    today = _day_with_remaining(tax_task.due_date, 3)
    calendar = working_calendar()
    assert selectors.flags_for(tax_task, calendar, today).due_soon
    assert not selectors.flags_for(finance_task, calendar, today).due_soon

    run = send_task_reminders(today)
    assert (run.due_soon, run.overdue) == (1, 0)
    message = Notification.objects.get(recipient=w.tax_handler)
    assert message.kind == KIND_DUE_SOON and "即将到期" in message.title
    assert app.receipt_no in message.title and "李四" not in message.body and "13812345678" not in message.body
    assert message.link == reverse("things_staff:task", args=[tax_task.pk])
    assert not Notification.objects.filter(recipient__in=[w.finance_handler, w.tax_head]).exists()
    assert AuditEvent.objects.filter(action="things.task_reminders").count() == 1

    assert send_task_reminders(today).notifications == 0  # every minute: nothing new

    overdue_day = tax_task.due_date + timedelta(days=1)
    run = send_task_reminders(overdue_day)
    assert run.overdue >= 2
    assert Notification.objects.filter(recipient=w.tax_handler, kind=KIND_OVERDUE).count() == 1
    head_message = Notification.objects.get(recipient=w.tax_head, kind=KIND_OVERDUE)
    assert head_message.link == ""  # the head cannot open the task page; told, not linked


def test_a_decided_task_is_not_reminded() -> None:
    w = make_world()
    app = _accepted(w)
    tax_task = app.tasks.get(department=w.tax)
    services.task_decide(actor=w.tax_handler, task=tax_task, approve=True)
    run = send_task_reminders(tax_task.due_date + timedelta(days=1))
    assert not Notification.objects.filter(recipient__in=[w.tax_handler, w.tax_head]).exists()
    assert run.notifications == Notification.objects.count()
