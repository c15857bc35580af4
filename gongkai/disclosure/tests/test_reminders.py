"""期限提醒: reminders for requests due soon (≤ 3 working days left) or overdue.

The reply period is 条例第三十三条 (20 working days from receipt, one extension of at most 20
working days with the office head's consent, 第三十三条第二款); the clock pauses while a third
party is consulted (第三十二条). The due dates here come from the services, never typed in.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.accounts.roles import OrgRole
from gongkai.core.models import AuditEvent
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import deadlines as clock
from gongkai.disclosure.services import workflow
from gongkai.disclosure.services.reminders import KIND_DUE_SOON, KIND_OVERDUE, send_deadline_reminders
from gongkai.disclosure.tasks import refresh_deadline_flags
from gongkai.disclosure.tests.conftest import ID_NUMBER, PHONE, member, register
from gongkai.notifications.models import Notification
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

RECEIVED = date(2026, 6, 1)  # a Monday


def set_today(monkeypatch: Any, day: date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


@pytest.fixture
def scene(world: SimpleNamespace, monkeypatch: Any) -> SimpleNamespace:
    """A request of the city government assigned to its education bureau (dept_a), an
    unassigned request of another city, a department head of dept_a, and e-mail addresses."""
    set_today(monkeypatch, RECEIVED)
    world.dept_head = member(world.dept_a, OrgRole.DEPARTMENT_HEAD, "d_dept_head")
    for user, address in ((world.handler, "handler@example.gov.cn"), (world.head, "head@example.gov.cn"),
                          (world.handler_b, "handler_b@example.gov.cn")):
        user.email = address
        user.save(update_fields=["email"])
    req = register(world, arrived=RECEIVED).request
    world.req = workflow.request_assign(actor=world.registrar, request=req, department=world.dept_a)
    world.other_req = register(world, arrived=RECEIVED, org=world.other, actor=world.outsider).request
    assert world.req.due_date is not None and world.req.due_date == world.other_req.due_date
    return world


def recipients_of(req: DisclosureRequest, kind: str | None = None) -> set[str]:
    rows = Notification.objects.filter(dedupe_key__contains=f":{req.pk}:")
    if kind:
        rows = rows.filter(kind=kind)
    return set(rows.values_list("recipient__username", flat=True))


def test_nothing_is_sent_while_the_deadline_is_far(scene, monkeypatch) -> None:
    set_today(monkeypatch, RECEIVED + timedelta(days=1))
    run = send_deadline_reminders()
    assert (run.requests, run.notifications) == (0, 0)
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="disclosure.reminders").exists()


def test_due_soon_goes_to_handlers_and_heads_of_the_request_only(scene, monkeypatch,
                                                                 django_capture_on_commit_callbacks,
                                                                 mailoutbox) -> None:
    """条例第三十三条: on the due date itself 0 working days are left — due soon, not yet overdue."""
    set_today(monkeypatch, scene.req.due_date)
    with django_capture_on_commit_callbacks(execute=True):
        run = send_deadline_reminders()
    assert run.requests == 2 and run.overdue == 0
    # Assigned to dept_a: its two handlers, its department head, and the city's office head.
    assert recipients_of(scene.req) == {"d_handler", "d_handler2", "d_dept_head", "d_head"}
    # Not assigned yet: the other city's registrar (who must assign it) and its office head.
    assert recipients_of(scene.other_req) == {"d_outsider", "d_outsider_head"}
    assert run.due_soon == 6
    assert set(Notification.objects.values_list("kind", flat=True)) == {KIND_DUE_SOON}

    note = Notification.objects.get(recipient=scene.handler, dedupe_key__contains=f":{scene.req.pk}:")
    assert scene.req.receipt_no in note.title and "即将到期" in note.title
    assert note.link == reverse("disclosure_staff:detail", args=[scene.req.uid])
    assert note.organisation == scene.org
    assert "第三十三条" in note.body
    # The department head has no request permission of their own: no link that would 404.
    assert Notification.objects.get(recipient=scene.dept_head).link == ""
    for row in Notification.objects.all():  # no personal data, ever
        for text in (row.title, row.body):
            assert "张三" not in text and PHONE not in text and ID_NUMBER not in text

    # E-mail after commit, one message per recipient who has an address.
    assert sorted(m.to[0] for m in mailoutbox) == ["handler@example.gov.cn", "head@example.gov.cn"]
    mail = next(m for m in mailoutbox if m.to == ["handler@example.gov.cn"])
    assert scene.req.receipt_no in mail.subject and "张三" not in mail.body and PHONE not in mail.body
    assert f"/staff/disclosure/{scene.req.uid}/" in mail.body

    audit = AuditEvent.objects.get(action="disclosure.reminders")
    assert audit.after["due_soon"] == 6 and audit.after["overdue"] == 0 and audit.actor is None


def test_the_handler_finds_the_reminder_in_the_inbox_and_opens_the_request(scene, monkeypatch) -> None:
    set_today(monkeypatch, scene.req.due_date)
    send_deadline_reminders()
    client = Client()
    login_verified(client, scene.handler)
    html = client.get(reverse("notifications:inbox")).content.decode()
    detail = reverse("disclosure_staff:detail", args=[scene.req.uid])
    assert f'<a href="{detail}">依申请公开：申请 {scene.req.receipt_no} 即将到期</a>' in html
    assert "张三" not in html and PHONE not in html and scene.other_req.receipt_no not in html
    assert client.get(detail).status_code == 200
    # The other city's staff got only their own request's reminder.
    outsider = Client()
    login_verified(outsider, scene.outsider)
    html = outsider.get(reverse("notifications:inbox")).content.decode()
    assert scene.other_req.receipt_no in html and scene.req.receipt_no not in html


def test_a_second_run_creates_nothing(scene, monkeypatch, django_capture_on_commit_callbacks, mailoutbox) -> None:
    set_today(monkeypatch, scene.req.due_date)
    with django_capture_on_commit_callbacks(execute=True):
        first = send_deadline_reminders()
    count, mails = Notification.objects.count(), len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = send_deadline_reminders()
    assert first.notifications == count == 6 and mails == 2
    assert second.notifications == 0
    assert Notification.objects.count() == count and len(mailoutbox) == mails
    assert AuditEvent.objects.filter(action="disclosure.reminders").count() == 1


def test_overdue_is_a_new_reminder_after_due_soon(scene, monkeypatch) -> None:
    set_today(monkeypatch, scene.req.due_date)
    send_deadline_reminders()
    set_today(monkeypatch, scene.req.due_date + timedelta(days=1))
    run = send_deadline_reminders()
    assert run.overdue == 6 and run.due_soon == 0
    assert recipients_of(scene.req, KIND_OVERDUE) == {"d_handler", "d_handler2", "d_dept_head", "d_head"}
    note = Notification.objects.get(recipient=scene.handler, kind=KIND_OVERDUE)
    assert "已超过答复期限" in note.title and scene.req.receipt_no in note.title
    assert Notification.objects.filter(recipient=scene.handler).count() == 2
    assert AuditEvent.objects.filter(action="disclosure.reminders").count() == 2


def test_extension_moves_the_due_date_and_a_new_reminder_is_due(scene, monkeypatch) -> None:
    """条例第三十三条第二款: an extension (office head's consent) moves the due date; the reminder
    for the old date does not cover the new one."""
    old_due = scene.req.due_date
    set_today(monkeypatch, old_due)
    send_deadline_reminders()
    extended = workflow.request_extend(actor=scene.head, request=scene.req, days=20, reason="需要协调多个部门检索")
    assert extended.due_date > old_due and not extended.due_soon
    assert send_deadline_reminders().notifications == 0  # the same day: nothing new is due

    set_today(monkeypatch, extended.due_date)
    run = send_deadline_reminders()
    assert run.due_soon == 4 and run.overdue == 2  # the other city's request is overdue by now
    keys = set(Notification.objects.filter(recipient=scene.handler, kind=KIND_DUE_SOON)
               .values_list("dedupe_key", flat=True))
    assert keys == {f"{KIND_DUE_SOON}:{scene.req.pk}:{old_due.isoformat()}",
                    f"{KIND_DUE_SOON}:{scene.req.pk}:{extended.due_date.isoformat()}"}


def test_paused_clock_is_not_reminded(scene, monkeypatch) -> None:
    """条例第三十二条: while a third party is consulted the clock does not run — nothing to remind."""
    set_today(monkeypatch, scene.req.due_date - timedelta(days=3))
    workflow.consultation_start(actor=scene.handler, request=scene.req, party="某公司")
    set_today(monkeypatch, scene.req.due_date)
    send_deadline_reminders()
    assert recipients_of(scene.req) == set()
    assert recipients_of(scene.other_req) == {"d_outsider", "d_outsider_head"}


def test_daily_refresh_task_sends_the_reminders(scene, monkeypatch) -> None:
    set_today(monkeypatch, scene.req.due_date + timedelta(days=1))
    assert refresh_deadline_flags.call() == 2
    assert recipients_of(scene.req, KIND_OVERDUE) == {"d_handler", "d_handler2", "d_dept_head", "d_head"}
    assert refresh_deadline_flags.call() == 0
    assert Notification.objects.count() == 6
