"""The database adapter of the working-day calendar and the staff warnings."""

from __future__ import annotations

from datetime import date

import pytest

from gongkai.workcalendar import selectors, services
from gongkai.workcalendar.tests.helpers import CSV_2027

pytestmark = pytest.mark.django_db


def test_warnings_for_unloaded_next_year():
    """regulation.md §4.1: staff are warned while next year's arrangement is missing."""
    assert selectors.calendar_warnings(date(2026, 11, 27)) == [
        "2027年节假日安排尚未载入：涉及2027年的期限按周末和法定节日暂算，标记为“待确认”。"
    ]


def test_warnings_for_current_and_next_year():
    """regulation.md §4.1: both years are flagged when neither is loaded."""
    warnings = selectors.calendar_warnings(date(2027, 3, 1))
    assert [w[:5] for w in warnings] == ["2027年", "2028年"]


def test_no_warning_once_loaded():
    """regulation.md §4.1: loading 2027 clears the warning."""
    services.arrangement_import(actor=None, file=CSV_2027)
    assert selectors.calendar_warnings(date(2026, 11, 27)) == []


def test_year_overview_shows_source(django_assert_max_num_queries):
    """Years carry their source: chinese_calendar or the loaded 国办 notice."""
    services.arrangement_import(actor=None, file=CSV_2027, notice_number="国办发明电〔2026〕1号")
    with django_assert_max_num_queries(3):
        years = selectors.year_overview(date(2026, 11, 27))
    assert years[0].year == 2027 and years[0].source == "国办通知"
    assert years[0].holiday_count == 9 and years[0].workday_count == 1
    assert years[0].loaded_by == "命令行"
    assert years[1].year == 2026 and years[1].source == "chinese_calendar"
    assert years[-1].year == 2004


def test_working_calendar_uses_two_queries(django_assert_num_queries):
    """The adapter reads all loaded years in two queries."""
    services.arrangement_import(actor=None, file=CSV_2027)
    with django_assert_num_queries(2):
        cal = selectors.working_calendar()
    assert not cal.is_working_day(date(2027, 2, 10))
    assert cal.is_working_day(date(2027, 2, 20))


def test_year_overview_lists_unloaded_next_year_as_provisional():
    """regulation.md §4.1: a missing next year is listed with the statutory fallback."""
    years = selectors.year_overview(date(2026, 11, 27))
    assert years[0].year == 2027
    assert years[0].source == "法定节日暂算"
    assert years[0].source_label == "未载入：按周末和法定节日暂算（待确认）"
    assert years[0].holiday_count == 13
