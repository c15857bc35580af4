"""Staff lists: 条例第二十六条 deadlines, 条例第十八条 reassessment, the non-public share."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.accounts.roles import OrgRole
from gongkai.accounts.services import membership_grant
from gongkai.accounts.tests.factories import StaffUserFactory
from gongkai.policies.models import Document
from gongkai.policies.staff_selectors import art26_due_list, nonpublic_share, reassessment_due
from gongkai.policies.tests.fixtures import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(org_tree, taxonomy):
    user = StaffUserFactory()
    membership_grant(actor=None, user=user, organisation=org_tree.dept_a, role=OrgRole.PUBLISHER)
    return user


def test_art26_deadline_follows_the_working_day_calendar(org_tree, publisher):
    """条例第二十六条: publish within 20 working days of forming. regulation.md §6 case 11: formed
    Mon 2026-09-28 → publish by Fri 2026-10-30 (国庆 and 中秋 2026 are not working days)."""
    doc = make_document(org_tree.dept_a, published=False, written_on=date(2026, 9, 28))
    # Far from the deadline: not listed.
    assert art26_due_list(publisher, date(2026, 10, 9)) == []
    # Five working days left (Mon 26 → Fri 30 Oct: 27, 28, 29, 30 … 26 itself is today): listed.
    [item] = art26_due_list(publisher, date(2026, 10, 23))
    assert item.document == doc and item.due == date(2026, 10, 30)
    assert item.remaining == 5 and not item.overdue
    [item] = art26_due_list(publisher, date(2026, 10, 30))
    assert item.remaining == 0 and not item.overdue
    [item] = art26_due_list(publisher, date(2026, 11, 2))
    assert item.overdue and item.remaining == -1


def test_art26_leaves_out_published_non_public_and_other_organisations(org_tree, publisher):
    written = date(2026, 3, 2)
    make_document(org_tree.dept_a, published=True, written_on=written)
    withheld = make_document(org_tree.dept_a, published=False, written_on=written, title="内部文件")
    Document.objects.filter(pk=withheld.pk).update(disclosure="withheld")
    make_document(org_tree.dept_b, published=False, written_on=written)
    due = make_document(org_tree.dept_a, published=False, written_on=written, title="逾期未发布")
    assert [i.document.pk for i in art26_due_list(publisher, date(2026, 6, 1))] == [due.pk]


def test_reassessment_list(org_tree, publisher):
    today = date(2026, 6, 1)
    soon = make_document(org_tree.dept_a, title="三十天内复核")
    later = make_document(org_tree.dept_a, title="明年复核")
    never = make_document(org_tree.dept_a, title="从未评估")
    make_document(org_tree.dept_a, title="主动公开")
    other = make_document(org_tree.dept_b, title="他机关")
    Document.objects.filter(pk=soon.pk).update(disclosure="withheld", disclosure_review_on=today + timedelta(days=30))
    Document.objects.filter(pk=later.pk).update(disclosure="on_request", disclosure_review_on=today + timedelta(days=31))
    Document.objects.filter(pk__in=[never.pk, other.pk]).update(disclosure="withheld")
    assert list(reassessment_due(publisher, today)) == [never, soon]


def test_nonpublic_share_is_one_query(org_tree, taxonomy):
    for n in range(4):
        make_document(org_tree.dept_a, written_on=date(2025, 5, 1 + n))
    hidden = make_document(org_tree.dept_a, written_on=date(2025, 12, 31))
    Document.objects.filter(pk=hidden.pk).update(disclosure="on_request")
    make_document(org_tree.dept_a, written_on=date(2026, 1, 1))
    make_document(org_tree.dept_b, written_on=date(2025, 6, 1))
    with CaptureQueriesContext(connection) as queries:
        share = nonpublic_share(org_tree.dept_a, 2025)
    assert len(queries) == 1
    assert (share.nonpublic, share.total, share.ratio) == (1, 5, 0.2)
    assert nonpublic_share(org_tree.dept_a, 2019).ratio is None
