"""The annual report's pure rules: the six sections of 国办公开办函〔2021〕30号, the cross-checks
(勾稽关系) that block publishing, the 条例第四十九条 deadlines and the generated facts.
regulation.md §1.10, §3 and §6 case 15. Pure, no database."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain import annual_report as rules
from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.disclosure_outcomes import RESULT_ROWS, TABLE3_ROWS, Outcome, ReportColumn, tally

CALENDAR = WorkingCalendar.from_library()
NP, LS, TOTAL = ReportColumn.NATURAL_PERSON.value, ReportColumn.LEGAL_SERVICE.value, ReportColumn.TOTAL.value


def _json3(table: dict[str, dict[ReportColumn, int]]) -> dict[str, dict[str, int]]:
    return {row: {c.value: n for c, n in cells.items()} for row, cells in table.items()}


def _content(**overrides: Any) -> dict[str, Any]:
    """A complete, consistent report: two requests of 2025 (one closed, one carried forward)."""
    t3 = _json3(tally([(date(2025, 3, 2), date(2025, 3, 20), Outcome.DISCLOSED, ReportColumn.NATURAL_PERSON),
                       (date(2025, 12, 29), None, None, ReportColumn.LEGAL_SERVICE)], 2025))
    content: dict[str, Any] = {
        "year": 2025,
        "table3": t3,
        "table4": [1, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0],
        "table2": {
            "regulation": {"issued": 1, "repealed": 0, "valid": 3},
            "normative": {"issued": 4, "repealed": 1, "valid": 12},
            "licensing": {"value": 120, "source": "审批系统"},
            "penalty": {"value": 8, "source": "执法系统"},
            "enforcement": {"value": 0, "source": "执法系统"},
            "fees": {"value": "1.25", "source": "财务台账"},
        },
        "texts": {"overview": "总体情况。", "problems": "存在的问题。", "other_matters": "无。"},
        "previous_carried_forward": None,
        "previous_source": "",
    }
    content.update(overrides)
    return content


def test_six_sections_in_fixed_order_and_wording() -> None:
    """条例第五十条; 〔2021〕30号 (regulation.md §3.2)."""
    assert rules.SECTIONS == (
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项",
    )
    assert [rules.TEXT_SECTIONS[k] for k in ("overview", "problems", "other_matters")] == [
        rules.SECTIONS[0], rules.SECTIONS[4], rules.SECTIONS[5]]


def test_table2_and_table4_labels_follow_the_format() -> None:
    """Table 2 blocks of 条例第二十条 items (一), (五), (六), (八); table 4's three groups of five (§3.3, §3.5)."""
    assert [b.caption for b in rules.TABLE2_BLOCKS] == [
        "第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]
    assert rules.TABLE2_BLOCKS[0].columns == ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")
    assert [label for b in rules.TABLE2_BLOCKS for _, label in b.rows] == [
        "规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费"]
    assert rules.TABLE2_BLOCKS[3].columns[1] == "本年收费金额（单位：万元）"
    assert rules.TABLE4_COLUMNS == ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    assert rules.TABLE4_SIZE == 15


def test_a_consistent_report_passes_every_check() -> None:
    results = rules.run_checks(_content())
    assert [r.code for r in results] == ["balance", "total_column", "result_total", "carry_over", "table4",
                                         "table2", "texts"]
    assert all(r.ok for r in results), rules.check_messages(results)
    carry = results[3]
    assert carry.note.startswith("本平台没有上一年度")


def test_balance_failure_names_the_column_and_its_four_cells() -> None:
    """Header note of table 3: 第一项加第二项之和，等于第三项加第四项之和 (per column)."""
    content = _content()
    content["table3"]["一"][NP] += 1
    content["table3"]["一"][TOTAL] += 1
    result = rules.check_balance(content["table3"])
    assert not result.ok
    columns = {p.message.split("”")[0].lstrip("“") for p in result.problems}
    assert columns == {"自然人", "总计"}
    assert rules.cell3("一", NP) in result.cells and rules.cell3("四", NP) in result.cells
    assert "一（2）加二（0）等于 2" in result.problems[0].message


def test_total_column_must_be_the_sum_of_the_six_applicant_columns() -> None:
    content = _content()
    content["table3"]["三(一)"][TOTAL] = 5
    result = rules.check_total_column(content["table3"])
    assert [p.message for p in result.problems] == [
        "“（一）予以公开”行：总计列为 5，而自然人和五类法人或其他组织之和为 1。"]
    assert rules.cell3("三(一)", TOTAL) in result.cells


def test_result_total_must_be_the_sum_of_every_result_row() -> None:
    content = _content()
    content["table3"]["三(七)"][NP] += 1
    result = rules.check_result_total(content["table3"])
    assert len(result.problems) == 1
    assert "“自然人”列：三（七）总计为 2，而（一）至（六）各项办理结果之和为 1" in result.problems[0].message
    assert {rules.cell3(r, NP) for r in RESULT_ROWS} <= result.cells


def test_carried_over_must_equal_last_years_carried_forward() -> None:
    """二 of this year = 四 of last year's report (regulation.md §3.4 counting rule, §6 case 14)."""
    t3 = _json3(tally([(date(2025, 12, 29), date(2026, 1, 15), Outcome.PARTIAL, ReportColumn.LEGAL_SERVICE)], 2026))
    previous = {c.value: 0 for c in ReportColumn} | {LS: 1, TOTAL: 1}
    assert rules.check_carry_over(t3, previous, "2025年度报告").ok
    previous[LS] = 0
    result = rules.check_carry_over(t3, previous, "2025年度报告（已发布第1版）")
    assert not result.ok
    assert result.cells == {rules.cell3("二", LS)}
    assert "2025年度报告（已发布第1版）的四（结转下年度继续办理）为 0" in result.problems[0].message


def test_table4_group_total_must_be_the_sum_of_its_four_results() -> None:
    """regulation.md §3.5: in each group 总计 = the sum of the other four."""
    numbers = [1, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    assert rules.check_table4(numbers).ok
    numbers[9] = 3
    result = rules.check_table4(numbers)
    assert [p.message for p in result.problems] == ["行政诉讼（未经复议直接起诉）：总计为 3，而四项结果之和为 1。"]
    assert result.cells == {rules.cell4(i) for i in range(5, 10)}
    with pytest.raises(rules.ReportError, match="15 个数字"):
        rules.check_table4(numbers[:14])


def test_staff_figures_need_a_value_a_source_and_whole_numbers() -> None:
    """Table 2 figures no module records yet are entered by staff with a source note (issue 5 §1)."""
    content = _content()
    t2 = content["table2"]
    t2["licensing"] = {"value": None, "source": "审批系统"}
    t2["penalty"] = {"value": 3, "source": " "}
    t2["enforcement"] = {"value": "1.5", "source": "执法系统"}
    t2["fees"] = {"value": "-2", "source": "财务"}
    messages = [p.message for p in rules.check_table2(t2).problems]
    assert messages == [
        "表二“行政许可本年处理决定数量”尚未填写（没有的填 0）。",
        "表二“行政处罚本年处理决定数量”须注明数据来源。",
        "表二“行政强制本年处理决定数量”应为整数。",
        "表二“行政事业性收费本年收费金额（万元）”：数字不能为负数。",
    ]


def test_sections_one_five_six_must_be_written() -> None:
    """条例第五十条 requires 一 to 六; 一、五、六 are written by staff."""
    result = rules.check_texts({"overview": "有内容", "problems": "", "other_matters": "  "})
    assert [p.message for p in result.problems] == ["“五、存在的主要问题及改进情况”尚未填写。",
                                                     "“六、其他需要报告的事项”尚未填写。"]


def test_each_broken_rule_fails_exactly_its_own_check() -> None:
    base = _content()
    cases = {
        "balance": lambda c: c["table3"]["四"].update({NP: 5}),
        "carry_over": lambda c: c.update(previous_carried_forward={NP: 1}),
        "table4": lambda c: c["table4"].__setitem__(4, 9),
        "table2": lambda c: c["table2"]["fees"].update(source=""),
        "texts": lambda c: c["texts"].update(overview=""),
    }
    for code, breaks in cases.items():
        content = copy.deepcopy(base)
        breaks(content)
        failed = {r.code for r in rules.failed(rules.run_checks(content))}
        assert code in failed, code
        assert failed <= {code, "balance", "total_column"}, (code, failed)


records = st.lists(st.tuples(
    st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
    st.sampled_from(list(Outcome)),
    st.sampled_from([c for c in ReportColumn if c is not ReportColumn.TOTAL]),
), max_size=40)


@settings(max_examples=150, deadline=None)
@given(records, st.integers(min_value=2023, max_value=2026))
def test_tables_counted_by_the_rules_always_pass_the_table3_checks(data, year) -> None:
    """Whatever the requests, a table built with disclosure_outcomes.report_rows balances, and its
    二 equals last year's 四 (the identity the carry-over check relies on)."""
    requests = [(received, None if days is None else received + timedelta(days=days), outcome, column)
                for received, days, outcome, column in data]
    rows = [(r, c, o if c is not None else None, col) for r, c, o, col in requests]
    this_year, last_year = _json3(tally(rows, year)), _json3(tally(rows, year - 1))
    assert rules.check_balance(this_year).ok
    assert rules.check_total_column(this_year).ok
    assert rules.check_result_total(this_year).ok
    assert rules.check_carry_over(this_year, last_year["四"]).ok


# --- 条例第四十九条 deadlines (regulation.md §6 case 15) --------------------------------------------


def test_case15_department_report_due_31_january_alert_by_friday_30_january() -> None:
    """Art 49: 县级以上人民政府部门 by 31 January; 2026-01-31 is a Saturday, so the system asks for
    the 2025 report by Fri 2026-01-30 [I]."""
    kind = rules.deadline_kind("department", "county")
    assert kind is rules.DeadlineKind.DEPARTMENT
    deadline = rules.report_deadline(2025, kind, CALENDAR.is_working_day)
    assert deadline.due == date(2026, 1, 31)
    assert deadline.alert_on == date(2026, 1, 30)
    assert deadline.remind_from == date(2026, 1, 16)  # 10 working days before
    assert "第四十九条" in deadline.basis


def test_case15_government_report_due_31_march_a_tuesday() -> None:
    """Art 49: the 主管部门 of a 县级以上地方人民政府 publishes by 31 March; 2026-03-31 is a Tuesday."""
    kind = rules.deadline_kind("government", "county")
    assert kind is rules.DeadlineKind.GOVERNMENT
    deadline = rules.report_deadline(2025, kind, CALENDAR.is_working_day)
    assert deadline.due == deadline.alert_on == date(2026, 3, 31)
    # [I] a 乡镇 government reports with the departments.
    assert rules.deadline_kind("government", "township") is rules.DeadlineKind.DEPARTMENT


def test_alert_day_skips_a_holiday_run_with_any_calendar_function() -> None:
    holidays = {date(2030, 1, 31), date(2030, 1, 30)}
    deadline = rules.report_deadline(2029, rules.DeadlineKind.DEPARTMENT,
                                     lambda d: d.weekday() < 5 and d not in holidays)
    assert deadline.due == date(2030, 1, 31) and deadline.alert_on == date(2030, 1, 29)


def test_reminder_stages_around_the_deadline() -> None:
    deadline = rules.report_deadline(2025, rules.DeadlineKind.DEPARTMENT, CALENDAR.is_working_day)
    stage = rules.reminder_stage
    assert stage(deadline, date(2026, 1, 15)) is None
    assert stage(deadline, date(2026, 1, 16)) is rules.ReminderStage.UPCOMING
    assert stage(deadline, date(2026, 1, 30)) is rules.ReminderStage.FINAL
    assert stage(deadline, date(2026, 1, 31)) is rules.ReminderStage.FINAL
    assert stage(deadline, date(2026, 2, 1)) is rules.ReminderStage.OVERDUE
    assert stage(deadline, date(2026, 4, 2)) is None


# --- Facts --------------------------------------------------------------------------------------------


def test_facts_state_totals_rate_fees_and_change_against_last_year() -> None:
    content = _content()
    previous = {"table3": _json3(tally([], 2024))}
    lines = rules.facts_text(content, rules.Facts(answered=4, on_time=3, fees_collected=300), previous)
    assert lines[0] == "2025年，本机关新收政府信息公开申请2件，上年结转0件；本年度办结1件，结转下年度继续办理1件。"
    assert "自然人提出1件，法人或其他组织提出1件" in lines[1]
    assert "予以公开1件，部分公开0件" in lines[2]
    assert "按期办结率75.0%" in lines[3]
    assert "全年收取政府信息公开信息处理费300元。" in lines
    assert any("本年制发规章1件、行政规范性文件4件" in line for line in lines)
    assert any("被申请行政复议2件，被提起行政诉讼1件（其中复议后起诉0件）" in line for line in lines)
    assert lines[-1] == "与2024年相比，新收申请增加2件，办结申请增加1件。"
    same = rules.facts_text(content, rules.Facts(), {"table3": content["table3"]})
    assert same[-1] == "与2024年相比，新收申请持平，办结申请持平。"
    assert "全年未收取政府信息公开信息处理费。" in same


def test_parse_amount() -> None:
    assert rules.parse_amount(" 12.50 ") == rules.Decimal("12.50")
    assert rules.parse_amount("") is None and rules.parse_amount(None) is None
    with pytest.raises(rules.ReportError, match="不是数字"):
        rules.parse_amount("十二")
    assert set(TABLE3_ROWS) == set(rules.empty_table3())
