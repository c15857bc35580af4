"""``gongkai scheduler --once``: scheduled publications and lapsing documents reach the index."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongkai.core.scheduler import run_once
from gongkai.policies.models import Document, SearchChange
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db


def changes(doc):
    return SearchChange.objects.filter(document_id=doc.pk).count()


def test_scheduled_publication_is_logged_once_when_its_time_passes(org_tree, taxonomy):
    now = timezone.now()
    due = make_document(org_tree.dept_a, published=False, title="一分钟前到点的定时发布")
    waiting = make_document(org_tree.dept_a, published=False, title="一小时后才发布")
    # As document_publish left them an hour ago: published with a future 发布日期 (定时发布),
    # the publication's change row written then.
    Document.objects.filter(pk=due.pk).update(status="published", published_at=now - timedelta(minutes=1))
    Document.objects.filter(pk=waiting.pk).update(status="published", published_at=now + timedelta(hours=1))
    SearchChange.objects.update(created_at=now - timedelta(hours=1))
    before = changes(due)
    result = run_once(now)
    assert result.scheduled_published == [due.pk]
    assert changes(due) == before + 1 and changes(waiting) == before
    # Idempotent: the next round sees the change already logged.
    assert run_once(now + timedelta(minutes=1)).scheduled_published == []
    assert changes(due) == before + 1


def test_documents_lapsing_today_are_logged(org_tree, taxonomy):
    today = timezone.localdate()
    lapsing = make_document(org_tree.dept_a, written_on=today - timedelta(days=400),
                            effective_on=today - timedelta(days=399), repeal_on=today)
    future = make_document(org_tree.dept_a, written_on=today - timedelta(days=400),
                           effective_on=today - timedelta(days=399), repeal_on=today + timedelta(days=1))
    # Published and indexed two days ago; nothing has been logged since.
    two_days_ago = timezone.now() - timedelta(days=2)
    Document.objects.filter(pk__in=[lapsing.pk, future.pk]).update(published_at=two_days_ago - timedelta(hours=1))
    SearchChange.objects.filter(document_id__in=[lapsing.pk, future.pk]).update(created_at=two_days_ago)
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "定时发布生效：0 份；到期失效：1 份" in out.getvalue()
    assert changes(lapsing) == 2 and changes(future) == 1
    call_command("scheduler", "--once", stdout=StringIO())
    assert changes(lapsing) == 2


def test_missing_task_module_is_skipped_not_fatal(org_tree, taxonomy):
    from gongkai.core.scheduler import PERIODIC_TASKS

    result = run_once()
    # Every periodic task is either enqueued or skipped (when its module is missing), in order.
    assert result.enqueued + result.skipped == list(PERIODIC_TASKS)
    assert PERIODIC_TASKS[:2] == ("gongkai.policies.tasks.apply_search_changes",
                                  "gongkai.disclosure.tasks.refresh_deadline_flags")
