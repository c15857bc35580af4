"""Every dashboard aggregate against the known dataset of ``conftest.py`` (built through the real
services), and scope isolation: another organisation's requests and documents are never counted."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.domain.disclosure_deadlines import reply_due
from gongkai.statistics import selectors
from gongkai.statistics.access import statistics_scope
from gongkai.statistics.selectors import Period
from gongkai.statistics.tests.conftest import period
from gongkai.workcalendar.selectors import working_calendar

pytestmark = pytest.mark.django_db


def test_the_dataset_is_what_the_docstring_says(dataset):
    """条例第三十三条第二款: the reply is due 20 working days after receipt."""
    cal = working_calendar()
    assert reply_due(cal, date(2026, 3, 3)) == date(2026, 3, 31) == dataset.r2.due_date
    assert dataset.r2.closed_on == date(2026, 4, 2) and dataset.r1.closed_on <= dataset.r1.due_date
    dataset.r4.refresh_from_db()
    assert dataset.r4.overdue and dataset.r4.status == "in_handling"
    assert dataset.r5.received_on == date(2026, 6, 29) and dataset.r6.outcome == "withdrawn"


def test_requests_per_month(city_scope):
    rows = selectors.requests_per_month(city_scope, period())
    assert [n for _, n in rows[:12]] == [0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0]
    assert rows[0][0] == date(2026, 1, 1) and rows[11][0] == date(2026, 12, 1)


def test_outcome_distribution_uses_the_table3_groups(city_scope):
    """年报表三: 已主动公开 and 予以公开 share 三(一); a withdrawal closes in 三(六)."""
    assert dict(selectors.outcome_distribution(city_scope, period())) == {
        "予以公开": 2, "部分公开": 1, "不予公开": 0, "无法提供": 0, "不予处理": 0, "其他处理": 1}


def test_on_time_rate_per_department(city_scope):
    rows, total = selectors.on_time_by_department(city_scope, period())
    assert [(r.label, r.replied, r.on_time) for r in rows] == [("测试市教育局", 2, 1), ("测试市财政局", 1, 1)]
    assert (total.replied, total.on_time) == (3, 2)
    assert rows[0].rate == 0.5 and total.rate == pytest.approx(2 / 3)


def test_working_days_to_acknowledge_and_reply(city_scope):
    """Median and nearest-rank 90th percentile, in working days (条例第三十一条 receipt day to
    delivery)."""
    rows = {r.label: r for r in selectors.durations_by_department(city_scope, period(), working_calendar())}
    edu, fin, city, total = rows["测试市教育局"], rows["测试市财政局"], rows["测试市人民政府"], rows["合计"]
    assert (edu.reply_count, edu.reply_median, edu.reply_p90) == (2, 12.0, 22.0)
    assert (fin.reply_count, fin.reply_median, fin.reply_p90) == (1, 2.0, 2.0)
    assert (city.reply_count, city.reply_median) == (0, None)
    # The ordinary letter arrived on Friday and was confirmed on Monday: 1 working day.
    assert (city.ack_count, city.ack_median, city.ack_p90) == (2, 0.5, 1.0)
    assert (total.ack_count, total.ack_median, total.ack_p90) == (6, 0.0, 1.0)
    assert (total.reply_count, total.reply_median, total.reply_p90) == (3, 2.0, 22.0)


def test_overdue_list_and_per_department(dataset, city_scope):
    assert list(selectors.overdue_requests(city_scope)) == [dataset.r4]
    assert selectors.overdue_by_department(city_scope) == [("测试市财政局", 1)]


def test_requested_topics_from_subject_names(city_scope):
    assert selectors.requested_topics(city_scope, period()) == [
        ("教育", 2), ("财政", 2), ("住房保障", 1), ("统计", 1)]


def test_disclosure_share(city_scope):
    rows, total = selectors.disclosure_share(city_scope, period())
    assert [(r.label, r.proactive, r.on_request, r.withheld) for r in rows] == [
        ("测试市人民政府", 0, 0, 1), ("测试市教育局", 1, 0, 0), ("测试市财政局", 1, 0, 0)]
    assert (total.total, total.nonpublic, total.share) == (3, 1, pytest.approx(1 / 3))


def test_library_growth_by_level_and_theme(dataset, city_scope):
    from gongkai.policies.models import Tag

    dataset.d1.tags.add(Tag.objects.get(kind="theme", name="办事服务"))
    table = selectors.published_by_month_and_level(city_scope, period())
    assert table["市级"][:12] == [0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert sum(table["省级"]) == 0  # the withheld draft is not published
    assert selectors.published_by_theme(city_scope, period()) == [("办事服务", 1)]


def test_views_and_downloads_are_summed_per_month(dataset, city_scope):
    from gongkai.statistics.models import DocumentDailyCount

    DocumentDailyCount.objects.create(document=dataset.d1, day=date(2026, 3, 11), views=5, downloads=2)
    DocumentDailyCount.objects.create(document=dataset.d1, day=date(2026, 3, 12), views=3, downloads=0)
    DocumentDailyCount.objects.create(document=dataset.d2, day=date(2026, 4, 1), views=1, downloads=1)
    DocumentDailyCount.objects.create(document=dataset.d4, day=date(2026, 3, 11), views=100, downloads=100)
    rows = selectors.views_by_month(city_scope, period())
    assert rows[2] == (date(2026, 3, 1), 8, 2) and rows[3] == (date(2026, 4, 1), 1, 1)
    assert sum(v for _, v, _ in rows) == 9
    assert selectors.top_documents(city_scope, period()) == [
        (dataset.d1.pk, "关于义务教育招生工作的通知", 8, 2), (dataset.d2.pk, "关于财政专项资金管理的办法", 1, 1)]


def test_a_period_outside_the_data_counts_nothing(city_scope):
    empty = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert sum(n for _, n in selectors.requests_per_month(city_scope, empty)) == 0
    assert selectors.on_time_by_department(city_scope, empty)[1].replied == 0


# --- Scope isolation ---------------------------------------------------------------------------------------


def test_another_organisation_sees_only_its_own_figures(dataset):
    scope = statistics_scope(dataset.other_head)
    assert [o.name for o in scope.organisations] == ["另一市人民政府"]
    assert sum(n for _, n in selectors.requests_per_month(scope, period())) == 2
    rows, total = selectors.on_time_by_department(scope, period())
    assert [(r.label, r.replied, r.on_time) for r in rows] == [("另一市人民政府", 1, 0)]
    assert list(selectors.overdue_requests(scope)) == [dataset.x1]
    assert selectors.requested_topics(scope, period()) == [("教育", 1), ("财政", 1)]
    assert selectors.disclosure_share(scope, period())[1].total == 1


def test_the_city_never_counts_the_other_city(dataset, city_scope):
    assert dataset.other.pk not in city_scope.ids
    assert dataset.x1 not in selectors.requests_in(city_scope)
    assert dataset.x2 not in selectors.requests_in(city_scope)
    assert selectors.requests_in(city_scope).count() == 6


def test_a_department_sees_what_it_handles(dataset):
    scope = statistics_scope(dataset.handler_a)
    assert [o.name for o in scope.organisations] == ["测试市教育局"]
    assert set(selectors.requests_in(scope)) == {dataset.r1, dataset.r2}
    rows, total = selectors.on_time_by_department(scope, period())
    assert (total.replied, total.on_time) == (2, 1)
    assert selectors.disclosure_share(scope, period())[1].total == 1  # only its own document


def test_choosing_a_subordinate_narrows_the_scope(dataset):
    scope = statistics_scope(dataset.head, dataset.dept_b.pk)
    assert [o.name for o in scope.organisations] == ["测试市财政局"] and scope.root == dataset.dept_b
    assert set(selectors.requests_in(scope)) == {dataset.r3, dataset.r4}


def test_choosing_another_organisation_is_a_404_and_audited(dataset):
    from django.http import Http404

    from gongkai.core.models import AuditEvent

    with pytest.raises(Http404):
        statistics_scope(dataset.head, dataset.other.pk)
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(dataset.other.pk),
                                     actor=dataset.head).exists()


def test_staff_without_an_organisation_have_no_statistics(db):
    from django.core.exceptions import PermissionDenied

    from gongkai.accounts.roles import SystemRole
    from gongkai.accounts.tests.factories import StaffUserFactory

    auditor = StaffUserFactory(username="s_auditor", system_role=SystemRole.AUDITOR)
    with pytest.raises(PermissionDenied):
        statistics_scope(auditor)
