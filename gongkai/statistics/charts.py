"""The dashboards (统计图表): every chart as one plain value that three outputs share — the ECharts
data (``payload``, passed with ``json_script``), the HTML table with the same numbers (the
accessible table view) and the xlsx sheet. The numbers come from ``selectors``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse

from gongkai.domain.calendar import CalendarError, WorkingCalendar
from gongkai.statistics import selectors
from gongkai.statistics.access import Scope
from gongkai.statistics.selectors import Period, month_label

Value = int | float | str | None

CHART_KINDS = ("bar", "hbar", "stacked", "line", "pie", "table")


@dataclass(frozen=True)
class Series:
    """One column of the table (and one series of the chart unless ``in_chart`` is False)."""

    name: str
    values: tuple[Value, ...]
    unit: str = "件"
    in_chart: bool = True

    @property
    def header(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def numeric(self) -> bool:
        return all(v is None or isinstance(v, int | float) for v in self.values)


def format_value(value: Value) -> str:
    """How a number is printed in the table, the xlsx file and the DOCX report."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Value, ...]
    link: str = ""
    numeric: tuple[bool, ...] = ()

    @property
    def cells(self) -> list[str]:
        return [format_value(v) for v in self.values]

    @property
    def pairs(self) -> list[tuple[str, bool]]:
        """(text, right-aligned number?) per cell."""
        numeric = self.numeric or (True,) * len(self.values)
        return list(zip(self.cells, numeric, strict=True))


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str
    category_label: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    summary: str
    note: str = ""
    total: tuple[Value, ...] | None = None  # the 合计 row of the table (not drawn)
    links: tuple[str, ...] = ()
    tall: bool = False

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"未知的图表类型：{self.kind}")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"“{self.title}”的“{s.name}”数据个数与分类个数不一致。")
        if self.total is not None and len(self.total) != len(self.series):
            raise ValueError(f"“{self.title}”的合计行与列数不一致。")

    @property
    def headers(self) -> list[Series]:
        return list(self.series)

    @property
    def rows(self) -> list[Row]:
        links = self.links or ("",) * len(self.categories)
        numeric = tuple(s.numeric for s in self.series)
        return [Row(c, tuple(s.values[i] for s in self.series), links[i], numeric)
                for i, c in enumerate(self.categories)]

    @property
    def total_row(self) -> Row | None:
        if self.total is None:
            return None
        return Row("合计", self.total, numeric=tuple(s.numeric for s in self.series))

    @property
    def drawn(self) -> bool:
        """Whether there is a chart to draw (a table-only view or no data draws nothing)."""
        return self.kind != "table" and bool(self.categories) and any(s.in_chart for s in self.series)

    @property
    def payload(self) -> dict[str, Any]:
        """What ``static/statistics/charts.js`` draws (numbers only, same as the table)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "description": f"{self.title}：{self.summary}",
            "categoryLabel": self.category_label,
            "categories": list(self.categories),
            "series": [{"name": s.name, "unit": s.unit, "data": list(s.values)} for s in self.series if s.in_chart],
        }


@dataclass(frozen=True)
class Context:
    user: Any
    scope: Scope
    period: Period
    today: date
    calendar: WorkingCalendar = field(repr=False)


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _share_text(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


# --- Builders -----------------------------------------------------------------------------------------------


def requests_per_month(ctx: Context) -> Chart:
    rows = selectors.requests_per_month(ctx.scope, ctx.period)
    total = sum(n for _, n in rows)
    if total:
        month, most = max(rows, key=lambda r: (r[1], -r[0].toordinal()))
        summary = f"统计期间共收到申请{total}件，最多的是{month_label(month)}（{most}件）。"
    else:
        summary = "统计期间没有收到申请。"
    return Chart("requests_per_month", "每月申请数量", "bar", "月份", tuple(month_label(m) for m, _ in rows),
                 (Series("申请数量", tuple(n for _, n in rows)),), summary,
                 note="按收到申请之日（条例第三十一条）所在月份计；尚未确认收到的申请不计。",
                 total=(total,))


def outcomes(ctx: Context) -> Chart:
    rows = selectors.outcome_distribution(ctx.scope, ctx.period)
    total = sum(n for _, n in rows)
    disclosed = dict(rows).get("予以公开", 0)
    summary = (f"统计期间办结{total}件，其中予以公开{disclosed}件，占{_share_text(disclosed, total)}。" if total
               else "统计期间没有办结的申请。")
    return Chart("outcomes", "办理结果分布", "pie", "办理结果", tuple(label for label, _ in rows),
                 (Series("办结件数", tuple(n for _, n in rows)),), summary,
                 note="按办结日期计入统计期间；分类与年度报告表三一致（予以公开含已主动公开的告知）。",
                 total=(total,))


def on_time(ctx: Context) -> Chart:
    rows, total = selectors.on_time_by_department(ctx.scope, ctx.period)
    summary = (f"统计期间答复{total.replied}件，按时答复{total.on_time}件，按时答复率"
               f"{_share_text(total.on_time, total.replied)}。" if total.replied else "统计期间没有答复的申请。")
    return Chart(
        "on_time", "按时答复率（按承办部门）", "bar", "承办部门", tuple(r.label for r in rows),
        (Series("按时答复率", tuple(_pct(r.rate) for r in rows), "%"),
         Series("答复件数", tuple(r.replied for r in rows), in_chart=False),
         Series("按时答复件数", tuple(r.on_time for r in rows), in_chart=False)),
        summary, total=(_pct(total.rate), total.replied, total.on_time),
        note="答复送达日期在统计期间内的申请；在答复期限（含依法延长，不含条例规定不计算的期间）内送达为按时。"
             "未分办的申请计入受理机关。")


def durations(ctx: Context) -> Chart:
    rows = selectors.durations_by_department(ctx.scope, ctx.period, ctx.calendar)
    *departments, total = rows
    if total.reply_count:
        summary = (f"答复用时中位数为{format_value(total.reply_median)}个工作日，第90百分位为"
                   f"{format_value(total.reply_p90)}个工作日；确认收到用时中位数为"
                   f"{format_value(total.ack_median)}个工作日。")
    elif total.ack_count:
        summary = f"确认收到用时中位数为{format_value(total.ack_median)}个工作日；统计期间没有答复的申请。"
    else:
        summary = "统计期间没有收到或答复的申请。"
    unit = "个工作日"

    def col(name: str, attr: str, *, in_chart: bool = True, u: str = unit) -> Series:
        return Series(name, tuple(getattr(r, attr) for r in departments), u, in_chart)

    return Chart(
        "durations", "确认收到和答复用时（按承办部门）", "bar", "承办部门", tuple(r.label for r in departments),
        (col("确认收到用时中位数", "ack_median"), col("确认收到用时第90百分位", "ack_p90"),
         col("答复用时中位数", "reply_median"), col("答复用时第90百分位", "reply_p90"),
         col("确认收到件数", "ack_count", in_chart=False, u="件"),
         col("答复件数", "reply_count", in_chart=False, u="件")),
        summary,
        total=(total.ack_median, total.ack_p90, total.reply_median, total.reply_p90, total.ack_count,
               total.reply_count),
        note="确认收到用时：自申请到达（提交、签收）之日至收到申请之日；答复用时：自收到申请之日至答复送达之日；"
             "均按工作日历计算工作日（不含起算日）。中位数为居中的数（偶数个时取中间两个的平均），"
             "第90百分位按最近秩法取排序后第⌈0.9n⌉个值。")


def overdue_by_department(ctx: Context) -> Chart:
    rows = selectors.overdue_by_department(ctx.scope)
    total = sum(n for _, n in rows)
    summary = f"目前有{total}件申请已超过答复期限仍未答复。" if total else "目前没有超期未答复的申请。"
    return Chart("overdue_by_department", "超期未答复的申请（按承办部门）", "hbar", "承办部门",
                 tuple(label for label, _ in rows), (Series("超期件数", tuple(n for _, n in rows)),), summary,
                 total=(total,), note="截至今日，按每日更新的期限标记计；不受统计期间限制。")


def overdue_list(ctx: Context) -> Chart:
    items = list(selectors.overdue_requests(ctx.scope)[:selectors.OVERDUE_LIST_LIMIT])
    days: list[Value] = []
    for r in items:
        try:
            days.append(ctx.calendar.working_days_between(r.due_date, ctx.today) if r.due_date else None)
        except CalendarError:
            days.append(None)
    summary = f"共{len(items)}件，按答复期限先后排列。" if items else "目前没有超期未答复的申请。"
    return Chart(
        "overdue_list", "超期申请清单", "table", "受理编号", tuple(r.receipt_no for r in items),
        (Series("受理机关", tuple(r.organisation.name for r in items), ""),
         Series("承办部门", tuple(r.handling_department.name if r.handling_department else "未分办" for r in items), ""),
         Series("收到申请之日", tuple(r.received_on.isoformat() if r.received_on else "—" for r in items), ""),
         Series("答复期限", tuple(r.due_date.isoformat() if r.due_date else "—" for r in items), ""),
         Series("已超期", tuple(days), "个工作日"),
         Series("状态", tuple(r.status_label for r in items), "")),
        summary, links=tuple(reverse("disclosure_staff:detail", kwargs={"uid": r.uid}) for r in items),
        note=f"最多列出{selectors.OVERDUE_LIST_LIMIT}件；不显示申请人信息。")


def disclosure_share(ctx: Context) -> Chart:
    rows, total = selectors.disclosure_share(ctx.scope, ctx.period)
    summary = (f"统计期间成文的{total.total}件文件中，不主动公开（依申请公开或不予公开）{total.nonpublic}件，"
               f"占{_share_text(total.nonpublic, total.total)}。" if total.total else "统计期间没有成文的文件。")
    return Chart(
        "disclosure_share", "不主动公开文件占比（按机关）", "stacked", "机关", tuple(r.label for r in rows),
        (Series("主动公开", tuple(r.proactive for r in rows)),
         Series("依申请公开", tuple(r.on_request for r in rows)),
         Series("不予公开", tuple(r.withheld for r in rows)),
         Series("不主动公开占比", tuple(_pct(r.share) for r in rows), "%", in_chart=False)),
        summary, total=(total.proactive, total.on_request, total.withheld, _pct(total.share)),
        note="按成文日期计入统计期间，与年度报告所用的不主动公开文件占比口径一致。")


def topics(ctx: Context) -> Chart:
    rows = selectors.requested_topics(ctx.scope, ctx.period)
    summary = (f"申请最多的主题是“{rows[0][0]}”（{rows[0][1]}件）。" if rows
               else "统计期间的申请没有提到主题分类中的主题。")
    return Chart("topics", "申请最多的主题", "hbar", "主题", tuple(label for label, _ in rows),
                 (Series("申请件数", tuple(n for _, n in rows)),), summary,
                 note="按申请内容描述中出现的主题分类名称（二级）计，一件申请提到多个主题的分别计入；列出前10个。")


def art44(ctx: Context) -> Chart:
    from gongkai.disclosure.services.art44 import art44_candidates

    ids = set(ctx.scope.ids)
    groups = [g for g in art44_candidates(ctx.user) if g.organisation.pk in ids][:10]
    summary = (f"有{len(groups)}组信息被多个申请人申请，可依条例第四十四条纳入主动公开。" if groups
               else "目前没有多个申请人申请相同信息的情况。")
    return Chart(
        "art44", "多个申请人申请的相同信息（条例第四十四条）", "hbar", "信息",
        tuple(g.suggested_title for g in groups),
        (Series("申请人数", tuple(g.applicants for g in groups), "个"),
         Series("申请件数", tuple(len(g.requests) for g in groups)),
         Series("受理机关", tuple(g.organisation.name for g in groups), "", in_chart=False)),
        summary, links=tuple(reverse("disclosure_after:art44") for _ in groups),
        note="只统计登记员、公开办负责人或法制审核员可查看的机关，不受统计期间限制；在“拟转为主动公开”页面提出建议。")


def library_by_level(ctx: Context) -> Chart:
    table = selectors.published_by_month_and_level(ctx.scope, ctx.period)
    months = ctx.period.months()
    levels = [(label, counts) for label, counts in table.items() if any(counts)]
    per_month = [sum(c[i] for _, c in levels) for i in range(len(months))]
    total = sum(per_month)
    summary = f"统计期间新发布文件{total}件。" if total else "统计期间没有新发布的文件。"
    if levels:
        biggest = max(levels, key=lambda lc: sum(lc[1]))
        summary = f"统计期间新发布文件{total}件，{biggest[0]}文件最多（{sum(biggest[1])}件）。"
    return Chart(
        "library_by_level", "政策文件库增长（按层级）", "stacked", "月份", tuple(month_label(m) for m in months),
        (*(Series(label, tuple(counts)) for label, counts in levels),
         Series("合计", tuple(per_month), in_chart=False)),
        summary, total=(*(sum(c) for _, c in levels), total),
        note="按发布日期计入统计期间（含已撤回的文件，不含定时发布尚未到期的文件）。")


def library_by_theme(ctx: Context) -> Chart:
    rows = selectors.published_by_theme(ctx.scope, ctx.period)
    summary = (f"新发布文件中“{rows[0][0]}”主题最多（{rows[0][1]}件）。" if rows
               else "统计期间新发布的文件没有标注政策主题。")
    return Chart("library_by_theme", "新发布文件的政策主题", "hbar", "政策主题", tuple(n for n, _ in rows),
                 (Series("文件数", tuple(c for _, c in rows)),), summary,
                 note="一件文件标注多个政策主题的分别计入。")


def views(ctx: Context) -> Chart:
    rows = selectors.views_by_month(ctx.scope, ctx.period)
    total_views, total_downloads = sum(v for _, v, _ in rows), sum(d for _, _, d in rows)
    summary = (f"统计期间文件页浏览{total_views}次，附件下载{total_downloads}次。" if total_views or total_downloads
               else "统计期间没有浏览或下载记录。")
    return Chart("views", "文件浏览和下载（每月）", "line", "月份", tuple(month_label(m) for m, _, _ in rows),
                 (Series("浏览次数", tuple(v for _, v, _ in rows), "次"),
                  Series("下载次数", tuple(d for _, _, d in rows), "次")),
                 summary, total=(total_views, total_downloads),
                 note="公众打开文件页计一次浏览，下载附件计一次下载（按北京时间的日期汇总）。")


def top_documents(ctx: Context) -> Chart:
    rows = selectors.top_documents(ctx.scope, ctx.period)
    summary = f"浏览最多的文件是“{rows[0][1]}”（{rows[0][2]}次）。" if rows else "统计期间没有浏览记录。"
    return Chart("top_documents", "浏览最多的文件", "hbar", "文件", tuple(title for _, title, _, _ in rows),
                 (Series("浏览次数", tuple(v for _, _, v, _ in rows), "次"),
                  Series("下载次数", tuple(d for _, _, _, d in rows), "次")),
                 summary, links=tuple(reverse("policies:document", args=[pk]) for pk, _, _, _ in rows),
                 note="列出前10件。", tall=True)


# The dashboards, in page order: (section heading, charts).
SECTIONS: tuple[tuple[str, tuple[tuple[str, Callable[[Context], Chart]], ...]], ...] = (
    ("依申请公开", (
        ("requests_per_month", requests_per_month),
        ("outcomes", outcomes),
        ("on_time", on_time),
        ("durations", durations),
        ("overdue_by_department", overdue_by_department),
        ("overdue_list", overdue_list),
        ("topics", topics),
        ("art44", art44),
    )),
    ("主动公开和政策文件库", (
        ("disclosure_share", disclosure_share),
        ("library_by_level", library_by_level),
        ("library_by_theme", library_by_theme),
        ("views", views),
        ("top_documents", top_documents),
    )),
)
BUILDERS: dict[str, Callable[[Context], Chart]] = {key: fn for _, charts in SECTIONS for key, fn in charts}


def build(ctx: Context, key: str) -> Chart:
    return BUILDERS[key](ctx)


def build_sections(ctx: Context) -> list[tuple[str, list[Chart]]]:
    return [(heading, [fn(ctx) for _, fn in charts]) for heading, charts in SECTIONS]
