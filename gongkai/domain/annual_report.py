"""The annual report (政府信息公开工作年度报告): the fixed format of 国办公开办函〔2021〕30号, the
cross-checks (勾稽关系) a report must pass before it is published, the 条例第四十九条 deadlines
and the generated facts staff may insert into sections 一、五、六.

regulation.md §1.10 (Arts 49–50), §3 (sections and tables 2–4), §6 cases 14–15.

Pure Python, no Django. A report is a plain dict (``content``), the same dict that is frozen as
JSON when a version is published:

- ``table3``: {row code of ``disclosure_outcomes.TABLE3_ROWS``: {``ReportColumn`` value: count}};
- ``table4``: the 15 numbers of table 4 (three groups of 结果维持, 结果纠正, 其他结果, 尚未审结, 总计);
- ``table2``: the library counts of 规章 and 行政规范性文件 ({"issued", "repealed", "valid"}) and the
  four figures staff enter with a source note ({"value", "source"});
- ``texts``: sections 一、五、六 written by staff;
- ``previous_carried_forward``: last year's row 四 by column, or None when Gongkai has no last year.

Every check returns a ``CheckResult`` whose problems name the cells involved, in Chinese.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Final

from gongkai.domain.disclosure_outcomes import (
    RESULT_ROWS,
    ROW_CARRIED_FORWARD,
    ROW_CARRIED_OVER,
    ROW_NEW,
    ROW_TOTAL,
    TABLE3_ROWS,
    ReportColumn,
)


class ReportError(ValueError):
    """Bad report data; ``str(error)`` is a Chinese message."""


# --- The format (国办公开办函〔2021〕30号, regulation.md §3) ------------------------------------------

FORMAT_NAME: Final = "国办公开办函〔2021〕30号"
SCHEMA: Final = 1

SECTIONS: Final = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)

# The sections written by staff: key in ``content["texts"]`` → section title.
TEXT_SECTIONS: Final[Mapping[str, str]] = {
    "overview": SECTIONS[0],
    "problems": SECTIONS[4],
    "other_matters": SECTIONS[5],
}

TABLE3_NOTE: Final = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_COLUMNS: Final = tuple(c for c in ReportColumn if c is not ReportColumn.TOTAL)
ORGANISATION_COLUMNS: Final = APPLICANT_COLUMNS[1:]


@dataclass(frozen=True)
class Table2Block:
    """One block of table 2: a caption (the item of 条例第二十条), its columns and its rows."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]  # (key in content["table2"], label)


TABLE2_BLOCKS: Final = (
    Table2Block("第二十条第（一）项", ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
                (("regulation", "规章"), ("normative", "行政规范性文件"))),
    Table2Block("第二十条第（五）项", ("信息内容", "本年处理决定数量"), (("licensing", "行政许可"),)),
    Table2Block("第二十条第（六）项", ("信息内容", "本年处理决定数量"),
                (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
    Table2Block("第二十条第（八）项", ("信息内容", "本年收费金额（单位：万元）"), (("fees", "行政事业性收费"),)),
)
LIBRARY_ROWS: Final[Mapping[str, str]] = {"regulation": "规章", "normative": "行政规范性文件"}
LIBRARY_COLUMNS: Final = ("issued", "repealed", "valid")
# Entered by staff with a source note until a module records them: key → label.
STAFF_FIGURES: Final[Mapping[str, str]] = {
    "licensing": "行政许可本年处理决定数量",
    "penalty": "行政处罚本年处理决定数量",
    "enforcement": "行政强制本年处理决定数量",
    "fees": "行政事业性收费本年收费金额（万元）",
}

TABLE4_GROUPS: Final = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
TABLE4_COLUMNS: Final = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
TABLE4_SIZE: Final = len(TABLE4_GROUPS) * len(TABLE4_COLUMNS)


def empty_table3() -> dict[str, dict[str, int]]:
    return {row: dict.fromkeys((c.value for c in ReportColumn), 0) for row in TABLE3_ROWS}


def cell3(row: str, column: str) -> str:
    """The key of a table-3 cell in check results (``t3:一:natural_person``)."""
    return f"t3:{row}:{ReportColumn(column).value}"


def cell4(index: int) -> str:
    return f"t4:{index}"


def cell2(key: str) -> str:
    return f"t2:{key}"


def _col_label(column: str) -> str:
    return ReportColumn(column).label


def _get3(table3: Mapping[str, Mapping[str, int]], row: str, column: str) -> int:
    try:
        return int(table3[row][column])
    except KeyError:
        raise ReportError(f"表三缺少“{row}”行“{_col_label(column)}”列的数字。") from None


# --- Checks (勾稽关系) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    message: str
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """One check: ``ok`` unless it found problems; ``note`` explains a check that did not apply."""

    code: str
    title: str
    problems: tuple[Problem, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def cells(self) -> frozenset[str]:
        return frozenset(c for p in self.problems for c in p.cells)


def check_balance(table3: Mapping[str, Mapping[str, int]]) -> CheckResult:
    """Every column: 一 + 二 = 三(七)总计 + 四 (the note printed in the table's header)."""
    problems = []
    for column in ReportColumn:
        new, over = _get3(table3, ROW_NEW, column), _get3(table3, ROW_CARRIED_OVER, column)
        total, forward = _get3(table3, ROW_TOTAL, column), _get3(table3, ROW_CARRIED_FORWARD, column)
        if new + over != total + forward:
            problems.append(Problem(
                f"“{column.label}”列：一（{new}）加二（{over}）等于 {new + over}，"
                f"而三（七）总计（{total}）加四（{forward}）等于 {total + forward}，两者应当相等。",
                tuple(cell3(r, column) for r in (ROW_NEW, ROW_CARRIED_OVER, ROW_TOTAL, ROW_CARRIED_FORWARD)),
            ))
    return CheckResult("balance", "各列：第一项加第二项之和等于第三项（七）总计加第四项之和", tuple(problems))


def check_total_column(table3: Mapping[str, Mapping[str, int]]) -> CheckResult:
    """Every row: the 总计 column = 自然人 + the five 法人或其他组织 columns."""
    problems = []
    for row, label in TABLE3_ROWS.items():
        parts = [_get3(table3, row, c) for c in APPLICANT_COLUMNS]
        total = _get3(table3, row, ReportColumn.TOTAL)
        if sum(parts) != total:
            problems.append(Problem(
                f"“{label}”行：总计列为 {total}，而自然人和五类法人或其他组织之和为 {sum(parts)}。",
                tuple(cell3(row, c) for c in ReportColumn),
            ))
    return CheckResult("total_column", "各行：总计列等于自然人列与五类法人或其他组织列之和", tuple(problems))


def check_result_total(table3: Mapping[str, Mapping[str, int]]) -> CheckResult:
    """Every column: 三(七)总计 = the sum of all result rows 三(一) … 三(六)3."""
    problems = []
    for column in ReportColumn:
        parts = sum(_get3(table3, row, column) for row in RESULT_ROWS)
        total = _get3(table3, ROW_TOTAL, column)
        if parts != total:
            problems.append(Problem(
                f"“{column.label}”列：三（七）总计为 {total}，而（一）至（六）各项办理结果之和为 {parts}。",
                tuple(cell3(r, column) for r in (*RESULT_ROWS, ROW_TOTAL)),
            ))
    return CheckResult("result_total", "各列：第三项（七）总计等于（一）至（六）各项办理结果之和", tuple(problems))


def check_carry_over(table3: Mapping[str, Mapping[str, int]], previous: Mapping[str, int] | None,
                     source: str = "") -> CheckResult:
    """Every column: 二 (上年结转) = last year's 四 (结转下年度继续办理), when Gongkai has last year
    (``previous`` is its row 四 by column; ``source`` says where it comes from)."""
    title = "第二项（上年结转）等于上年报告的第四项（结转下年度继续办理）"
    if previous is None:
        return CheckResult("carry_over", title, note="本平台没有上一年度的报告或申请记录，此项不适用。")
    problems = []
    for column in ReportColumn:
        now = _get3(table3, ROW_CARRIED_OVER, column)
        before = int(previous.get(column.value, 0))
        if now != before:
            problems.append(Problem(
                f"“{column.label}”列：本年二（上年结转）为 {now}，而{source or '上年报告'}的四（结转下年度继续办理）为 "
                f"{before}。若上年已办结的申请被重新办理或上年数据有更正，请先发布上年报告的更正版本。",
                (cell3(ROW_CARRIED_OVER, column),),
            ))
    return CheckResult("carry_over", title, tuple(problems), note=f"对照：{source}" if source else "")


def check_table4(numbers: Sequence[int]) -> CheckResult:
    """Each of the three groups: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结 (regulation.md §3.5)."""
    title = "表四：每组总计等于结果维持、结果纠正、其他结果、尚未审结之和"
    if len(numbers) != TABLE4_SIZE:
        raise ReportError(f"表四应有 {TABLE4_SIZE} 个数字，实际为 {len(numbers)} 个。")
    problems = []
    width = len(TABLE4_COLUMNS)
    for g, label in enumerate(TABLE4_GROUPS):
        cells = [int(n) for n in numbers[g * width:(g + 1) * width]]
        if sum(cells[:-1]) != cells[-1]:
            problems.append(Problem(
                f"{label}：总计为 {cells[-1]}，而四项结果之和为 {sum(cells[:-1])}。",
                tuple(cell4(g * width + i) for i in range(width)),
            ))
    return CheckResult("table4", title, tuple(problems))


def parse_amount(value: Any) -> Decimal | None:
    """A staff-entered figure as a Decimal (None when empty); raises ``ReportError`` when it is not
    a non-negative number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ReportError(f"“{value}”不是数字。") from None
    if not amount.is_finite() or amount < 0:
        raise ReportError("数字不能为负数。")
    return amount


def check_table2(table2: Mapping[str, Mapping[str, Any]]) -> CheckResult:
    """Table 2: every figure staff enter is filled in, not negative, a whole number where it counts
    decisions, and carries a note of where it comes from (until a module records it)."""
    problems = []
    for key, label in STAFF_FIGURES.items():
        entry = table2.get(key) or {}
        try:
            amount = parse_amount(entry.get("value"))
        except ReportError as exc:
            problems.append(Problem(f"表二“{label}”：{exc}", (cell2(key),)))
            continue
        if amount is None:
            problems.append(Problem(f"表二“{label}”尚未填写（没有的填 0）。", (cell2(key),)))
        elif key != "fees" and amount != amount.to_integral_value():
            problems.append(Problem(f"表二“{label}”应为整数。", (cell2(key),)))
        if not str(entry.get("source") or "").strip():
            problems.append(Problem(f"表二“{label}”须注明数据来源。", (cell2(key),)))
    for key, label in LIBRARY_ROWS.items():
        entry = table2.get(key) or {}
        if any(int(entry.get(column, 0)) < 0 for column in LIBRARY_COLUMNS):
            problems.append(Problem(f"表二“{label}”的数字不能为负数。", (cell2(key),)))
    return CheckResult("table2", "表二：工作人员填写的数字齐全并注明数据来源", tuple(problems))


def check_texts(texts: Mapping[str, str]) -> CheckResult:
    """Sections 一、五、六 are written (条例第五十条 requires each of them)."""
    problems = tuple(Problem(f"“{title}”尚未填写。", (f"text:{key}",))
                     for key, title in TEXT_SECTIONS.items() if not str(texts.get(key) or "").strip())
    return CheckResult("texts", "正文：一、五、六部分均已填写（条例第五十条）", problems)


def run_checks(content: Mapping[str, Any]) -> tuple[CheckResult, ...]:
    """Every check a report must pass before it is published, in the order they are shown."""
    table3 = content["table3"]
    return (
        check_balance(table3),
        check_total_column(table3),
        check_result_total(table3),
        check_carry_over(table3, content.get("previous_carried_forward"), str(content.get("previous_source") or "")),
        check_table4(content["table4"]),
        check_table2(content["table2"]),
        check_texts(content.get("texts") or {}),
    )


def failed(results: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(r for r in results if not r.ok)


def failing_cells(results: Sequence[CheckResult]) -> frozenset[str]:
    return frozenset(c for r in results for c in r.cells)


def check_messages(results: Sequence[CheckResult]) -> list[str]:
    """The Chinese messages of every problem, for a ValidationError that blocks publishing."""
    return [p.message for r in results for p in r.problems]


# --- Art. 49 deadlines (regulation.md §1.10, §6 case 15) --------------------------------------------


class DeadlineKind(StrEnum):
    DEPARTMENT = "department"  # 县级以上人民政府部门: 1月31日前
    GOVERNMENT = "government"  # 县级以上地方人民政府的政府信息公开工作主管部门: 3月31日前

    @property
    def label(self) -> str:
        return DEADLINE_LABELS[self]


DEADLINE_LABELS: Final = {
    DeadlineKind.DEPARTMENT: "县级以上人民政府部门：每年1月31日前向本级政府信息公开工作主管部门提交并向社会公布",
    DeadlineKind.GOVERNMENT: "县级以上地方人民政府的政府信息公开工作主管部门：每年3月31日前向社会公布本级政府年度报告",
}
ART49: Final = "《中华人民共和国政府信息公开条例》第四十九条"
REMIND_WORKING_DAYS: Final = 10  # reminders start this many working days before the alert day
OVERDUE_REMINDER_DAYS: Final = 60  # after the deadline, unpublished reports are flagged this long


def deadline_kind(organisation_kind: str, organisation_level: str) -> DeadlineKind:
    """A 人民政府 at county level or above publishes by 31 March (its 主管部门 does); every other
    body by 31 January. [I] A 乡镇 government is treated as a department: its report feeds the
    county report, so it is due with the departments'."""
    if organisation_kind == "government" and organisation_level != "township":
        return DeadlineKind.GOVERNMENT
    return DeadlineKind.DEPARTMENT


@dataclass(frozen=True)
class ReportDeadline:
    """The deadline for ``year``'s report (``due``) and the last working day on or before it
    (``alert_on``, the day the system asks for it by: [I] regulation.md §6 case 15)."""

    year: int
    kind: DeadlineKind
    due: date
    alert_on: date
    remind_from: date

    @property
    def basis(self) -> str:
        return f"{ART49}（{self.kind.label}）"


def last_working_day_on_or_before(day: date, is_working_day: Callable[[date], bool]) -> date:
    d = day
    for _ in range(60):
        if is_working_day(d):
            return d
        d -= timedelta(days=1)
    raise ReportError(f"{day.isoformat()} 前60天内没有工作日，请检查工作日历。")


def report_deadline(year: int, kind: DeadlineKind, is_working_day: Callable[[date], bool],
                    *, remind_working_days: int = REMIND_WORKING_DAYS) -> ReportDeadline:
    """The Art. 49 deadline of ``year``'s report: 31 January (departments) or 31 March
    (governments) of the next year; when that day is not a working day, the alert day is the
    working day before it (2026-01-31 is a Saturday → 2026-01-30)."""
    due = date(year + 1, 1, 31) if kind is DeadlineKind.DEPARTMENT else date(year + 1, 3, 31)
    alert_on = last_working_day_on_or_before(due, is_working_day)
    start, counted = alert_on, 0
    while counted < remind_working_days:
        start -= timedelta(days=1)
        if is_working_day(start):
            counted += 1
    return ReportDeadline(year, kind, due, alert_on, start)


class ReminderStage(StrEnum):
    UPCOMING = "upcoming"  # within the reminder window before the alert day
    FINAL = "final"  # the alert day up to the deadline itself
    OVERDUE = "overdue"  # the deadline has passed and the report is not published

    @property
    def label(self) -> str:
        return {"upcoming": "即将到期", "final": "今日须发布", "overdue": "已超过法定期限"}[self.value]


def reminder_stage(deadline: ReportDeadline, today: date) -> ReminderStage | None:
    """Where ``today`` stands against an unpublished report's deadline (None: nothing to say)."""
    if today < deadline.remind_from:
        return None
    if today < deadline.alert_on:
        return ReminderStage.UPCOMING
    if today <= deadline.due:
        return ReminderStage.FINAL
    if today <= deadline.due + timedelta(days=OVERDUE_REMINDER_DAYS):
        return ReminderStage.OVERDUE
    return None


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- Facts offered for sections 一、五、六 --------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the records say about a year, beyond the tables: ``on_time`` of ``answered`` requests
    closed within their statutory period, and the 信息处理费 collected (元)."""

    answered: int = 0
    on_time: int = 0
    fees_collected: int = 0
    extra: Mapping[str, int] = field(default_factory=dict)


def _sum_rows(table3: Mapping[str, Mapping[str, int]], prefix: str) -> int:
    return sum(int(table3[r][ReportColumn.TOTAL.value]) for r in RESULT_ROWS if r.startswith(prefix))


def _change(now: int, before: int) -> str:
    if now == before:
        return "持平"
    word = "增加" if now > before else "减少"
    if before == 0:
        return f"{word}{abs(now - before)}件"
    pct = Decimal(abs(now - before) * 100) / Decimal(before)
    return f"{word}{abs(now - before)}件（{pct.quantize(Decimal('0.1'))}%）"


def facts_text(content: Mapping[str, Any], facts: Facts, previous: Mapping[str, Any] | None = None) -> list[str]:
    """Sentences staff may insert into 一、总体情况 (totals, on-time rate, fees collected, changes
    against last year), computed from the same tables as the report."""
    year = int(content["year"])
    t3 = content["table3"]
    total = ReportColumn.TOTAL.value

    def n(row: str, column: str = total) -> int:
        return int(t3[row][column])

    lines = [
        f"{year}年，本机关新收政府信息公开申请{n(ROW_NEW)}件，上年结转{n(ROW_CARRIED_OVER)}件；"
        f"本年度办结{n(ROW_TOTAL)}件，结转下年度继续办理{n(ROW_CARRIED_FORWARD)}件。",
    ]
    people = n(ROW_NEW, ReportColumn.NATURAL_PERSON.value)
    lines.append(f"新收申请中，自然人提出{people}件，法人或其他组织提出{n(ROW_NEW) - people}件。")
    if n(ROW_TOTAL):
        lines.append(
            f"办结的申请中，予以公开{n('三(一)')}件，部分公开{n('三(二)')}件，不予公开{_sum_rows(t3, '三(三)')}件，"
            f"无法提供{_sum_rows(t3, '三(四)')}件，不予处理{_sum_rows(t3, '三(五)')}件，其他处理{_sum_rows(t3, '三(六)')}件。"
        )
    if facts.answered:
        rate = (Decimal(facts.on_time * 100) / Decimal(facts.answered)).quantize(Decimal("0.1"))
        lines.append(f"有答复期限的{facts.answered}件申请中，在法定期限内办结{facts.on_time}件，按期办结率{rate}%。")
    if facts.fees_collected:
        lines.append(f"全年收取政府信息公开信息处理费{facts.fees_collected}元。")
    else:
        lines.append("全年未收取政府信息公开信息处理费。")
    t2 = content["table2"]
    reg, norm = t2.get("regulation", {}), t2.get("normative", {})
    lines.append(
        f"本年制发规章{int(reg.get('issued', 0))}件、行政规范性文件{int(norm.get('issued', 0))}件，"
        f"废止规章{int(reg.get('repealed', 0))}件、行政规范性文件{int(norm.get('repealed', 0))}件；"
        f"截至年底，现行有效规章{int(reg.get('valid', 0))}件、行政规范性文件{int(norm.get('valid', 0))}件。"
    )
    t4 = [int(x) for x in content["table4"]]
    width = len(TABLE4_COLUMNS)
    recon, direct, after = t4[width - 1], t4[2 * width - 1], t4[3 * width - 1]
    lines.append(f"因政府信息公开工作被申请行政复议{recon}件，被提起行政诉讼{direct + after}件"
                 f"（其中复议后起诉{after}件）。")
    if previous is not None:
        p3 = previous["table3"]
        before_new, before_closed = int(p3[ROW_NEW][total]), int(p3[ROW_TOTAL][total])
        lines.append(f"与{year - 1}年相比，新收申请{_change(n(ROW_NEW), before_new)}，"
                     f"办结申请{_change(n(ROW_TOTAL), before_closed)}。")
    return lines
