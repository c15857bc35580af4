"""The scheduler enqueues ``refresh_deadline_flags`` every round; the task moves the 即将到期 /
已超期 flags of requests computed on an earlier day and leaves today's alone."""

from __future__ import annotations

from datetime import date

import pytest
from django_tasks_db.models import DBTaskResult

from gongkai.core.scheduler import PERIODIC_TASKS, run_once
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import deadlines
from gongkai.disclosure.tasks import refresh_deadline_flags
from gongkai.disclosure.tests.conftest import register

pytestmark = pytest.mark.django_db

TASK = "gongkai.disclosure.tasks.refresh_deadline_flags"


def test_scheduler_enqueues_the_refresh_and_the_task_moves_stale_flags(world, monkeypatch):
    # Registered while the clock said 2026-06-02: due in June, neither due soon nor overdue then.
    monkeypatch.setattr(deadlines, "today", lambda: date(2026, 6, 2))
    req = register(world, arrived=date(2026, 6, 1)).request
    assert (req.overdue, req.deadline_as_of) == (False, date(2026, 6, 2))
    monkeypatch.undo()

    assert TASK in PERIODIC_TASKS
    result = run_once()
    assert TASK in result.enqueued
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1

    assert refresh_deadline_flags.call() == 1
    req = DisclosureRequest.objects.get(pk=req.pk)
    assert req.overdue is True and req.deadline_as_of == deadlines.today()
    # Already computed today: the next run (a minute later) touches nothing.
    assert refresh_deadline_flags.call() == 0
