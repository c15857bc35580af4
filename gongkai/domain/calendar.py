"""Working-day calendar (工作日历) and working-day deadlines (regulation.md §1.6, §4).

Pure Python, no Django. A ``WorkingCalendar`` holds one ``YearArrangement`` per year: the days
off (放假) and weekend make-up working days (调休上班) of that year's 国务院办公厅 notice. A year
without an arrangement falls back to weekends plus the 13 fixed statutory holidays
(``statutory_arrangement``) and every result that touches it is provisional (待确认): the law
gives no final answer until the notice is published (§4.1, product decision).

Day counting follows 民法典第二百零一条: the start day is never counted; the N-th working day
strictly after it is the last day (``add_working_days``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

SOURCE_LIBRARY: Final = "chinese_calendar"
SOURCE_NOTICE: Final = "国办通知"
SOURCE_STATUTORY: Final = "法定节日暂算"

SOURCE_LABELS: Final[Mapping[str, str]] = {
    SOURCE_LIBRARY: "chinese_calendar 数据包（依据国办通知整理）",
    SOURCE_NOTICE: "国务院办公厅节假日安排通知（管理员载入）",
    SOURCE_STATUTORY: "未载入：按周末和法定节日暂算（待确认）",
}

LIBRARY_FIRST_YEAR: Final = 2004
LIBRARY_LAST_YEAR: Final = 2026
# lunardate's tables and the 清明 formula below both cover 1900–2099.
MIN_YEAR: Final = 1901
MAX_YEAR: Final = 2099

WEEKDAY_NAMES: Final = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# chinese_calendar names its holidays in English; explanations are shown to Chinese readers.
LIBRARY_HOLIDAY_NAMES: Final[Mapping[str, str]] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CalendarError(ValueError):
    """Bad input to a calendar function; ``str(error)`` is a Chinese message."""


def weekday_name(d: date) -> str:
    return WEEKDAY_NAMES[d.weekday()]


def format_day(d: date) -> str:
    """``2026-10-10（星期六）``."""
    return f"{d.isoformat()}（{weekday_name(d)}）"


@dataclass(frozen=True)
class YearArrangement:
    """One year's holiday arrangement (节假日安排).

    ``holidays`` are days off (放假, weekends inside a break included); ``makeup_workdays`` are
    weekend days that are working days (调休上班). ``names`` gives the festival for a date, for
    explanations. ``provisional`` marks the statutory-only fallback of a year without a notice.
    """

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    source: str
    names: Mapping[date, str] = field(default_factory=dict, compare=False, hash=False)
    provisional: bool = False

    def __post_init__(self) -> None:
        for d in self.holidays | self.makeup_workdays:
            if d.year != self.year:
                raise CalendarError(f"{d.isoformat()} 不属于{self.year}年。")
        both = self.holidays & self.makeup_workdays
        if both:
            first = min(both).isoformat()
            raise CalendarError(f"{first} 不能既是放假日又是调休上班日。")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    def name_of(self, d: date) -> str:
        return self.names.get(d, "节假日")


# --- Lunar dates and 清明 -------------------------------------------------------------------


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"只支持{MIN_YEAR}年至{MAX_YEAR}年之间的日期（收到{year}年）。")


def lunar_to_solar(year: int, month: int, day: int) -> date:
    """The Gregorian date of lunar ``year``-``month``-``day`` (never a leap month)."""
    from lunardate import LunarDate

    solar = LunarDate(year, month, day, False).to_solar_date()
    return date(solar.year, solar.month, solar.day)


def chinese_new_years_eve(year: int) -> date:
    """除夕 of the lunar year that begins in Gregorian ``year`` (the day before 正月初一)."""
    return lunar_to_solar(year, 1, 1) - timedelta(days=1)


def qingming(year: int) -> date:
    """清明 solar term: 寿星公式 ``int(Y*D + C) - int(Y/4)`` with D = 0.2422, C = 4.81 (2000s)
    or 5.59 (1900s). Checked against chinese_calendar's solar terms and 清明 holidays 2004–2026.

    (For the January/February terms the leap correction is ``int((Y-1)/4)``; 清明 is in April,
    after the leap day, so it is ``int(Y/4)`` — the other form is wrong for e.g. 2012 and 2016.)
    """
    _check_year(year)
    y = year % 100
    c = 4.81 if year >= 2000 else 5.59
    return date(year, 4, int(y * 0.2422 + c) - y // 4)


@lru_cache(maxsize=256)
def statutory_arrangement(year: int) -> YearArrangement:
    """The 13 fixed statutory days off (全国年节及纪念日放假办法, from 2025), no swaps: the
    fallback for a year whose notice is not loaded. Always provisional."""
    _check_year(year)
    names: dict[date, str] = {date(year, 1, 1): "元旦"}
    eve = chinese_new_years_eve(year)
    for offset in range(4):
        names[eve + timedelta(days=offset)] = "春节"
    names[qingming(year)] = "清明节"
    names[date(year, 5, 1)] = "劳动节"
    names[date(year, 5, 2)] = "劳动节"
    names[lunar_to_solar(year, 5, 5)] = "端午节"
    names[lunar_to_solar(year, 8, 15)] = "中秋节"
    for day in (1, 2, 3):
        # 中秋 can fall inside 国庆 (e.g. 2025-10-06); the day keeps its festival's name.
        names.setdefault(date(year, 10, day), "国庆节")
    return YearArrangement(
        year=year,
        holidays=frozenset(names),
        makeup_workdays=frozenset(),
        source=SOURCE_STATUTORY,
        names=names,
        provisional=True,
    )


@lru_cache(maxsize=64)
def library_arrangement(year: int) -> YearArrangement:
    """The arrangement chinese_calendar (pinned 1.11.0) holds for ``year`` (2004–2026)."""
    if not LIBRARY_FIRST_YEAR <= year <= LIBRARY_LAST_YEAR:
        raise CalendarError(f"chinese_calendar 不包含{year}年的数据。")
    from chinese_calendar import constants

    names: dict[date, str] = {}
    holidays: set[date] = set()
    workdays: set[date] = set()
    for d, label in constants.holidays.items():
        if d.year == year:
            holidays.add(d)
            names[d] = LIBRARY_HOLIDAY_NAMES.get(str(label), str(label))
    for d, label in constants.workdays.items():
        if d.year == year:
            workdays.add(d)
            names[d] = LIBRARY_HOLIDAY_NAMES.get(str(label), str(label))
    return YearArrangement(
        year=year,
        holidays=frozenset(holidays),
        makeup_workdays=frozenset(workdays),
        source=SOURCE_LIBRARY,
        names=names,
    )


def library_arrangements() -> dict[int, YearArrangement]:
    return {y: library_arrangement(y) for y in range(LIBRARY_FIRST_YEAR, LIBRARY_LAST_YEAR + 1)}


# --- Deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PauseSpan:
    """A span (start, end] whose working days are not counted (不计算): e.g. third-party
    consultation from the day the letter is issued to the day the reply arrives (条例第三十三条
    第三款)."""

    start: date
    end: date
    reason: str = "暂停计算"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(
                f"暂停区间的结束日 {self.end.isoformat()} 早于开始日 {self.start.isoformat()}。"
            )

    def contains(self, d: date) -> bool:
        return self.start < d <= self.end


PauseLike = PauseSpan | tuple[date, date]


def _pauses(pauses: Iterable[PauseLike]) -> tuple[PauseSpan, ...]:
    result = []
    for p in pauses:
        result.append(p if isinstance(p, PauseSpan) else PauseSpan(p[0], p[1]))
    return tuple(sorted(result, key=lambda p: (p.start, p.end)))


@dataclass(frozen=True)
class DeadlineResult:
    """A computed due date (期限届满日) with its explanation.

    ``provisional`` (待确认): the counted span touches a year whose holiday notice is not
    loaded; the date will move when it is.
    """

    start: date
    days: int
    due: date
    provisional: bool
    explanation: tuple[str, ...]
    provisional_years: tuple[int, ...] = ()

    @property
    def status_label(self) -> str:
        return "待确认" if self.provisional else "已确定"


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days = Mon–Fri minus days off plus make-up working days (regulation.md §1.6)."""

    arrangements: Mapping[int, YearArrangement] = field(default_factory=dict)

    @classmethod
    def from_library(cls, overrides: Mapping[int, YearArrangement] | None = None) -> WorkingCalendar:
        """chinese_calendar's years, with each year in ``overrides`` replacing the library's."""
        merged = library_arrangements()
        merged.update(overrides or {})
        return cls(arrangements=merged)

    def arrangement(self, year: int) -> YearArrangement:
        loaded = self.arrangements.get(year)
        return loaded if loaded is not None else statutory_arrangement(year)

    def is_loaded(self, year: int) -> bool:
        return year in self.arrangements and not self.arrangements[year].provisional

    def is_working_day(self, d: date) -> bool:
        arrangement = self.arrangement(d.year)
        if d in arrangement.holidays:
            return False
        if d in arrangement.makeup_workdays:
            return True
        return d.weekday() < 5

    def _walk(self, start: date, pauses: Sequence[PauseSpan]) -> Iterator[tuple[date, bool, bool]]:
        """Days after ``start``: (day, is working day, inside a pause)."""
        d = start
        while True:
            d += timedelta(days=1)
            if d.year > MAX_YEAR:
                raise CalendarError(f"期限超出了可计算的范围（{MAX_YEAR}年以后）。")
            yield d, self.is_working_day(d), any(p.contains(d) for p in pauses)

    def add_working_days(self, start: date, n: int, pauses: Iterable[PauseLike] = ()) -> DeadlineResult:
        """The N-th working day strictly after ``start`` (the start day is never counted),
        skipping the working days inside pause spans."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise CalendarError("工作日数必须是正整数。")
        _check_year(start.year)
        spans = _pauses(pauses)
        explanation = _Explainer(self, start, spans)
        counted = 0
        due = start
        for d, working, paused in self._walk(start, spans):
            explanation.see(d, working, paused)
            if working and not paused:
                counted += 1
                if counted == n:
                    due = d
                    break
        first_counted = start + timedelta(days=1)
        years = tuple(y for y in range(first_counted.year, due.year + 1) if not self.is_loaded(y))
        lines = explanation.lines(due, n, years)
        return DeadlineResult(
            start=start, days=n, due=due, provisional=bool(years), explanation=tuple(lines),
            provisional_years=years,
        )

    def working_days_between(self, a: date, b: date, pauses: Iterable[PauseLike] = ()) -> int:
        """Working days in (a, b], not counting those inside pause spans; 0 when b <= a."""
        spans = _pauses(pauses)
        count = 0
        d = a
        while d < b:
            d += timedelta(days=1)
            if self.is_working_day(d) and not any(p.contains(d) for p in spans):
                count += 1
        return count

    def working_days_in_year(self, year: int) -> int:
        return self.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))


class _Explainer:
    """Collects the explanation lines while a deadline is counted."""

    def __init__(self, calendar: WorkingCalendar, start: date, pauses: Sequence[PauseSpan]) -> None:
        self.calendar = calendar
        self.start = start
        self.pauses = pauses
        self.events: list[str] = []
        self._run: list[date] = []
        self._run_names: list[str] = []
        self._paused_working: dict[PauseSpan, int] = {}

    def _flush(self) -> None:
        if not self._run:
            return
        first, last = self._run[0], self._run[-1]
        span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
        self.events.append(f"{span} {'、'.join(self._run_names)}放假，不计算")
        self._run = []
        self._run_names = []

    def see(self, d: date, working: bool, paused: bool) -> None:
        arrangement = self.calendar.arrangement(d.year)
        if d in arrangement.holidays:
            name = arrangement.name_of(d)
            if name not in self._run_names:
                self._run_names.append(name)
            self._run.append(d)
            return
        self._flush()
        if paused:
            if working:
                for span in self.pauses:
                    if span.contains(d):
                        self._paused_working[span] = self._paused_working.get(span, 0) + 1
                        break
            return
        if d in arrangement.makeup_workdays:
            self.events.append(f"{format_day(d)}{arrangement.name_of(d)}调休上班，计入")

    def lines(self, due: date, n: int, provisional_years: Sequence[int]) -> list[str]:
        self._flush()
        lines = [f"起算日 {format_day(self.start)}，当日不计入，从次日起计算{n}个工作日"]
        lines.extend(self.events)
        for span in self.pauses:
            if span.start >= due:
                continue
            skipped = self._paused_working.get(span, 0)
            lines.append(
                f"{span.start.isoformat()}（不含）至 {span.end.isoformat()} {span.reason}，"
                f"其间{skipped}个工作日不计算"
            )
        for year in provisional_years:
            lines.append(
                f"{year}年节假日安排尚未载入：按周末和法定节日暂算，结果待确认"
            )
        lines.append(f"第{n}个工作日为 {format_day(due)}")
        return lines
