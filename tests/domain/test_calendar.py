"""Working-day calendar (工作日历): regulation.md §4 and the date cases of §6. Pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar as cc
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain.calendar import (
    SOURCE_NOTICE,
    CalendarError,
    PauseSpan,
    WorkingCalendar,
    YearArrangement,
    chinese_new_years_eve,
    library_arrangement,
    qingming,
    statutory_arrangement,
)

CAL = WorkingCalendar.from_library()


def due(start: date, n: int, pauses: tuple[tuple[date, date], ...] = ()) -> date:
    result = CAL.add_working_days(start, n, pauses)
    assert not result.provisional, "2025–2026 are loaded, nothing here may be provisional"
    return result.due


# --- §6 cases 1–11 ---------------------------------------------------------------------------


def test_case1_in_person_reply_due_in_20_working_days() -> None:
    """条例第三十一条第一项、第三十三条第二款: 当面提交 Mon 2026-01-05 → due Mon 2026-02-02."""
    assert due(date(2026, 1, 5), 20) == date(2026, 2, 2)


def test_case2_online_receipt_is_confirmation_day_and_qingming_is_skipped() -> None:
    """条例第三十一条第三项、第三十三条第二款: confirmed Mon 2026-03-09 → due Tue 2026-04-07,
    skipping 清明 4/4–4/6."""
    result = CAL.add_working_days(date(2026, 3, 9), 20)
    assert result.due == date(2026, 4, 7)
    assert "2026-04-04 至 2026-04-06 清明节放假，不计算" in result.explanation


def test_case3_received_on_makeup_saturday() -> None:
    """条例第三十一条第三项、第三十三条第二款: received on make-up Sat 2026-02-14 → due Fri
    2026-03-20; 2/15–2/23 skipped, Sat 2/28 counted."""
    result = CAL.add_working_days(date(2026, 2, 14), 20)
    assert result.due == date(2026, 3, 20)
    assert "2026-02-15 至 2026-02-23 春节放假，不计算" in result.explanation
    assert "2026-02-28（星期六）春节调休上班，计入" in result.explanation


def test_case4_registered_post_signed_for_friday() -> None:
    """条例第三十一条第二项、第三十三条第二款: signed for Fri 2026-04-03 → due Thu 2026-05-07."""
    assert due(date(2026, 4, 3), 20) == date(2026, 5, 7)


def test_case5_ordinary_letter_confirmed_same_day_explained() -> None:
    """条例第三十一条第二项、第三十三条第二款: confirmed Mon 2026-09-21 → due Mon 2026-10-26:
    9/25–27 and 10/1–7 skipped, Sat 10/10 counted."""
    result = CAL.add_working_days(date(2026, 9, 21), 20)
    assert result.due == date(2026, 10, 26)
    assert result.explanation == (
        "起算日 2026-09-21（星期一），当日不计入，从次日起计算20个工作日",
        "2026-09-25 至 2026-09-27 中秋节放假，不计算",
        "2026-10-01 至 2026-10-07 国庆节放假，不计算",
        "2026-10-10（星期六）国庆节调休上班，计入",
        "第20个工作日为 2026-10-26（星期一）",
    )


def test_case6_fax_confirmed_before_labour_day() -> None:
    """条例第三十一条第三项、第三十三条第二款: fax confirmed Thu 2026-04-30 → due Mon 2026-06-01."""
    result = CAL.add_working_days(date(2026, 4, 30), 20)
    assert result.due == date(2026, 6, 1)
    assert "2026-05-09（星期六）劳动节调休上班，计入" in result.explanation


def test_case7_correction_notice_within_7_working_days() -> None:
    """条例第三十条: received Mon 2026-03-02 → one-time 补正 notice by Wed 2026-03-11."""
    assert due(date(2026, 3, 2), 7) == date(2026, 3, 11)


def test_case7_corrected_application_restarts_the_clock() -> None:
    """条例第三十条、第三十三条第二款: corrected application Fri 2026-03-20 → new due Mon 2026-04-20."""
    assert due(date(2026, 3, 20), 20) == date(2026, 4, 20)


def test_case8_normal_due_date_skips_dragon_boat() -> None:
    """条例第三十三条第二款: received Mon 2026-06-01 → due Tue 2026-06-30 (6/19 skipped)."""
    assert due(date(2026, 6, 1), 20) == date(2026, 6, 30)


def test_case8_extension_adds_at_most_20_working_days() -> None:
    """条例第三十三条第二款 (延长答复期限最长不得超过20个工作日): latest reply Tue 2026-07-28."""
    normal = due(date(2026, 6, 1), 20)
    assert due(normal, 20) == date(2026, 7, 28)
    assert due(date(2026, 6, 1), 40) == date(2026, 7, 28)


def test_case9_third_party_consultation_time_not_counted() -> None:
    """条例第三十三条第三款: received Wed 2026-07-01, letter 7/3, reply 7/14 → the 7 working days in
    (7/3, 7/14] are not counted: due Fri 2026-08-07 instead of 2026-07-29."""
    assert due(date(2026, 7, 1), 20) == date(2026, 7, 29)
    result = CAL.add_working_days(date(2026, 7, 1), 20, [PauseSpan(date(2026, 7, 3), date(2026, 7, 14), "征求第三方意见")])
    assert result.due == date(2026, 8, 7)
    assert "2026-07-03（不含）至 2026-07-14 征求第三方意见，其间7个工作日不计算" in result.explanation
    assert CAL.working_days_between(date(2026, 7, 3), date(2026, 7, 14)) == 7


def test_case9_third_party_has_15_working_days() -> None:
    """条例第三十二条: third party received the 征求意见书 Mon 2026-07-06 → may reply until 2026-07-27."""
    assert due(date(2026, 7, 6), 15) == date(2026, 7, 27)


def test_case10_across_the_year_boundary() -> None:
    """条例第三十三条第二款: received Mon 2025-12-22 → due Tue 2026-01-20; 1/1–1/3 skipped, Sun 1/4
    counted."""
    result = CAL.add_working_days(date(2025, 12, 22), 20)
    assert result.due == date(2026, 1, 20)
    assert "2026-01-01 至 2026-01-03 元旦放假，不计算" in result.explanation
    assert "2026-01-04（星期日）元旦调休上班，计入" in result.explanation


def test_case11_proactive_disclosure_within_20_working_days() -> None:
    """条例第二十六条: formed Mon 2026-09-28 → publish by Fri 2026-10-30."""
    assert due(date(2026, 9, 28), 20) == date(2026, 10, 30)


# --- §6 case 15: a year without an arrangement is provisional -----------------------------


def test_case15_2027_without_arrangement_is_provisional() -> None:
    """条例第三十三条第二款 with regulation.md §4.1 (product decision): 2027-01-04 gets a
    provisional (待确认) date from weekends and statutory holidays only."""
    result = CAL.add_working_days(date(2027, 1, 4), 20)
    assert result.provisional
    assert result.status_label == "待确认"
    assert result.provisional_years == (2027,)
    assert result.due == date(2027, 2, 1)
    assert any("2027年节假日安排尚未载入" in line and "待确认" in line for line in result.explanation)


def test_span_reaching_into_unloaded_year_is_provisional() -> None:
    """条例第三十三条第二款: a 2026 receipt whose count runs into 2027 is provisional too, and the
    statutory 元旦 is skipped."""
    result = CAL.add_working_days(date(2026, 12, 20), 20)
    assert result.provisional
    assert result.due == date(2027, 1, 18)
    assert "2027-01-01 元旦放假，不计算" in result.explanation


def test_span_ending_on_last_day_of_loaded_year_is_final() -> None:
    """条例第三十三条第二款: the counted span is (start, due]; it is final when it stays in 2026."""
    result = CAL.add_working_days(date(2026, 11, 30), 20)
    assert result.due <= date(2026, 12, 31)
    assert not result.provisional


def test_loading_2027_makes_it_final_and_moves_the_date() -> None:
    """条例第三十三条第二款 with regulation.md §4.1: once a 2027 notice is loaded the result is
    final and follows the notice (a hypothetical day off on 2027-01-25)."""
    holidays = frozenset({date(2027, 1, 1), date(2027, 1, 25)})
    notice = YearArrangement(2027, holidays, frozenset(), SOURCE_NOTICE, dict.fromkeys(holidays, "测试"))
    loaded = WorkingCalendar.from_library({2027: notice})
    result = loaded.add_working_days(date(2027, 1, 4), 20)
    assert not result.provisional
    assert result.due == date(2027, 2, 2)


# --- The calendar itself ------------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_year_has_248_working_days(year: int) -> None:
    """regulation.md §4.2/§4.3: 2025 and 2026 each have 248 working days."""
    assert CAL.working_days_in_year(year) == 248


def test_2026_weekday_days_off_match_the_notice() -> None:
    """regulation.md §4.2: the 19 weekday days off of 2026."""
    days_off = [d for d in _days(2026) if d.weekday() < 5 and not CAL.is_working_day(d)]
    expected = [date(2026, 1, 1), date(2026, 1, 2), *(date(2026, 2, d) for d in range(16, 21)),
                date(2026, 2, 23), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5),
                date(2026, 6, 19), date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 2),
                date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)]
    assert days_off == expected


def test_library_years_agree_with_chinese_calendar_every_day() -> None:
    """regulation.md §4.4: for 2004–2026 the calendar is exactly chinese_calendar's is_workday."""
    for year in range(2004, 2027):
        for d in _days(year):
            assert CAL.is_working_day(d) == cc.is_workday(d), d


def test_chinese_calendar_has_no_2027_data() -> None:
    """regulation.md §4.4: chinese_calendar raises for 2027, so the fallback is needed."""
    with pytest.raises(NotImplementedError):
        cc.is_workday(date(2027, 1, 4))
    with pytest.raises(CalendarError):
        library_arrangement(2027)


def test_qingming_formula_matches_solar_terms_and_holidays() -> None:
    """regulation.md §4.1: 清明 is the solar-term day; checked against chinese_calendar 2004–2026
    (the term, and from 2008 when 清明 became a holiday, the day off)."""
    for year in range(2004, 2027):
        terms = cc.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
        assert [d for d, _ in terms][0] == qingming(year), year
        if year >= 2008:
            qm_days = {d for d, name in constants.holidays.items() if d.year == year and name == "Tomb-sweeping Day"}
            assert qingming(year) in qm_days, year


def test_lunar_festivals_match_chinese_calendar() -> None:
    """regulation.md §4.1: 除夕 (春节 starts), 端午 and 中秋 from lunardate agree with the library's
    holidays where the statutory day itself was off."""
    for year in range(2008, 2027):
        holidays = constants.holidays
        assert holidays.get(chinese_new_years_eve(year) + timedelta(days=1)) == "Spring Festival", year
        stat = statutory_arrangement(year)
        duanwu = next(d for d, n in stat.names.items() if n == "端午节")
        zhongqiu = next(d for d, n in stat.names.items() if n == "中秋节")
        # The library omits some weekend days inside a break (2012-06-23), so check the day is
        # off and the library names the festival within a day of it.
        for day, names in ((duanwu, {"Dragon Boat Festival"}), (zhongqiu, {"Mid-autumn Festival", "National Day"})):
            assert cc.is_holiday(day), (year, day)
            near = {holidays.get(day + timedelta(days=k)) for k in (-1, 0, 1)}
            assert near & names, (year, day)


def test_statutory_2027_has_13_days_and_is_provisional() -> None:
    """全国年节及纪念日放假办法 (2024 amendment), regulation.md §4.1: 13 statutory days."""
    stat = statutory_arrangement(2027)
    assert stat.provisional
    assert len(stat.holidays) == 13
    assert sorted(stat.holidays)[:5] == [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6),
                                         date(2027, 2, 7), date(2027, 2, 8)]
    assert qingming(2027) == date(2027, 4, 5)
    assert not stat.makeup_workdays


def test_arrangement_rejects_day_of_other_year_and_double_kind() -> None:
    """regulation.md §4.1: an arrangement lists days of its own year, each once."""
    with pytest.raises(CalendarError, match="不属于2027年"):
        YearArrangement(2027, frozenset({date(2026, 1, 1)}), frozenset(), SOURCE_NOTICE)
    with pytest.raises(CalendarError, match="既是放假日又是调休上班日"):
        YearArrangement(2027, frozenset({date(2027, 1, 2)}), frozenset({date(2027, 1, 2)}), SOURCE_NOTICE)


@pytest.mark.parametrize("n", [0, -1])
def test_non_positive_days_rejected(n: int) -> None:
    """民法典第二百零一条: a period counts at least one day after the start."""
    with pytest.raises(CalendarError, match="正整数"):
        CAL.add_working_days(date(2026, 1, 5), n)


def test_pause_with_end_before_start_rejected() -> None:
    """条例第三十三条第三款: a pause span must run forwards."""
    with pytest.raises(CalendarError, match="早于开始日"):
        PauseSpan(date(2026, 7, 14), date(2026, 7, 3))


def test_between_is_zero_for_empty_or_backward_span() -> None:
    """民法典第二百零一条: (a, a] holds no day."""
    assert CAL.working_days_between(date(2026, 7, 1), date(2026, 7, 1)) == 0
    assert CAL.working_days_between(date(2026, 7, 10), date(2026, 7, 1)) == 0


# --- Properties -----------------------------------------------------------------------------

starts = st.dates(min_value=date(2003, 1, 1), max_value=date(2030, 12, 31))
counts = st.integers(min_value=1, max_value=60)
pause_spans = st.lists(
    st.tuples(st.dates(min_value=date(2003, 1, 1), max_value=date(2031, 6, 30)), st.integers(0, 30)).map(
        lambda t: (t[0], t[0] + timedelta(days=t[1]))
    ),
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_result_is_a_working_day_after_start(start: date, n: int) -> None:
    """民法典第二百零一条, 条例第三十三条: the due date is a working day strictly after start."""
    result = CAL.add_working_days(start, n)
    assert result.due > start
    assert CAL.is_working_day(result.due)


@settings(max_examples=200, deadline=None)
@given(starts, counts)
def test_strictly_monotonic_in_n(start: date, n: int) -> None:
    """条例第三十三条第二款: one more working day is always a later date."""
    assert CAL.add_working_days(start, n + 1).due > CAL.add_working_days(start, n).due


@settings(max_examples=200, deadline=None)
@given(starts, counts, pause_spans)
def test_pauses_never_move_the_date_earlier(start: date, n: int, pauses: list[tuple[date, date]]) -> None:
    """条例第三十三条第三款: time not counted can only postpone a deadline."""
    assert CAL.add_working_days(start, n, pauses).due >= CAL.add_working_days(start, n).due


@settings(max_examples=200, deadline=None)
@given(starts, counts, pause_spans)
def test_between_inverts_add(start: date, n: int, pauses: list[tuple[date, date]]) -> None:
    """民法典第二百零一条: working_days_between(start, add_working_days(start, n)) == n."""
    result = CAL.add_working_days(start, n, pauses)
    assert CAL.working_days_between(start, result.due, pauses) == n


def _days(year: int) -> list[date]:
    d = date(year, 1, 1)
    out = []
    while d.year == year:
        out.append(d)
        d += timedelta(days=1)
    return out
