"""Reading the working-day calendar (工作日历): the adapter from database rows to the pure
``gongkai.domain.calendar`` objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from gongkai.domain.calendar import (
    LIBRARY_FIRST_YEAR,
    LIBRARY_LAST_YEAR,
    SOURCE_LABELS,
    SOURCE_LIBRARY,
    SOURCE_NOTICE,
    SOURCE_STATUTORY,
    DeadlineResult,
    PauseLike,
    WorkingCalendar,
    YearArrangement,
    library_arrangement,
    statutory_arrangement,
)
from gongkai.workcalendar.models import HolidayArrangement, HolidayArrangementDay


def loaded_arrangements() -> dict[int, YearArrangement]:
    """The years loaded from 国办 notices (two queries)."""
    result: dict[int, YearArrangement] = {}
    for arrangement in HolidayArrangement.objects.prefetch_related("days"):
        days = list(arrangement.days.all())
        result[arrangement.year] = YearArrangement(
            year=arrangement.year,
            holidays=frozenset(d.date for d in days if d.kind == HolidayArrangementDay.Kind.HOLIDAY),
            makeup_workdays=frozenset(d.date for d in days if d.kind == HolidayArrangementDay.Kind.WORKDAY),
            source=SOURCE_NOTICE,
            names={d.date: d.name for d in days},
        )
    return result


def working_calendar() -> WorkingCalendar:
    """chinese_calendar for 2004–2026, each loaded year replacing the library's data entirely."""
    return WorkingCalendar.from_library(loaded_arrangements())


def deadline(start: date, days: int, pauses: Iterable[PauseLike] = ()) -> DeadlineResult:
    """The ``days``-th working day after ``start`` (see ``WorkingCalendar.add_working_days``)."""
    return working_calendar().add_working_days(start, days, pauses)


@dataclass(frozen=True)
class YearInfo:
    year: int
    source: str
    source_label: str
    holiday_count: int
    workday_count: int
    notice_title: str = ""
    notice_number: str = ""
    published_on: date | None = None
    loaded_at: datetime | None = None
    loaded_by: str = ""


def year_overview(today: date | None = None) -> list[YearInfo]:
    """Every year with data, newest first: loaded notices and chinese_calendar's years, plus this
    year and next year when neither covers them (shown as provisional)."""
    years: dict[int, YearInfo] = {}
    today = today or timezone.localdate()
    for y in (today.year, today.year + 1):
        stat = statutory_arrangement(y)
        years[y] = YearInfo(y, SOURCE_STATUTORY, SOURCE_LABELS[SOURCE_STATUTORY], len(stat.holidays), 0)
    for y in range(LIBRARY_FIRST_YEAR, LIBRARY_LAST_YEAR + 1):
        lib = library_arrangement(y)
        years[y] = YearInfo(y, SOURCE_LIBRARY, SOURCE_LABELS[SOURCE_LIBRARY], len(lib.holidays),
                            len(lib.makeup_workdays))
    for a in HolidayArrangement.objects.select_related("loaded_by").prefetch_related("days"):
        days = list(a.days.all())
        holidays = sum(1 for d in days if d.kind == HolidayArrangementDay.Kind.HOLIDAY)
        years[a.year] = YearInfo(
            a.year, SOURCE_NOTICE, SOURCE_LABELS[SOURCE_NOTICE], holidays, len(days) - holidays,
            a.notice_title, a.notice_number, a.published_on, a.loaded_at,
            a.loaded_by.username if a.loaded_by else "命令行",
        )
    return [years[y] for y in sorted(years, reverse=True)]


def missing_years(today: date | None = None) -> list[int]:
    """This year and next year, where neither a notice nor chinese_calendar covers them."""
    today = today or timezone.localdate()
    calendar = working_calendar()
    return [y for y in (today.year, today.year + 1) if not calendar.is_loaded(y)]


def calendar_warnings(today: date | None = None) -> list[str]:
    """Warnings for staff (工作台): deadlines in these years are provisional (待确认)."""
    return [
        f"{year}年节假日安排尚未载入：涉及{year}年的期限按周末和法定节日暂算，标记为“待确认”。"
        for year in missing_years(today)
    ]
