"""``gongkai calendar``: working-day deadlines and holiday arrangements (工作日历).

    gongkai calendar deadline --from 2026-09-21 --days 20 [--pause 2026-07-03,2026-07-14]
    gongkai calendar import FILE.csv [--title …] [--number …] [--published YYYY-MM-DD]
    gongkai calendar show 2026
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.domain.calendar import CalendarError, PauseSpan, format_day
from gongkai.workcalendar import selectors, services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{value}”无效，应为 YYYY-MM-DD") from None


def _pause(value: str) -> PauseSpan:
    parts = value.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"暂停区间“{value}”无效，应为 开始日,结束日")
    try:
        return PauseSpan(_date(parts[0]), _date(parts[1]))
    except CalendarError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year(value: str) -> int:
    if not value.isdigit() or len(value) != 4:
        raise argparse.ArgumentTypeError(f"年份“{value}”无效，应为四位数字")
    return int(value)


class Command(BaseCommand):
    help = "工作日历：计算工作日期限、载入国办节假日安排、查看某年的安排。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=CommandParser)
        deadline = sub.add_parser("deadline", help="计算第 N 个工作日（起算日当日不计入）")
        deadline.add_argument("--from", dest="start", type=_date, required=True, help="起算日 YYYY-MM-DD")
        deadline.add_argument("--days", type=int, required=True, help="工作日数，例如 20")
        deadline.add_argument("--pause", type=_pause, action="append", default=[],
                              help="不计算的区间 开始日,结束日（开始日当日仍计入），可重复")
        load = sub.add_parser("import", help="从 CSV（表头 date,kind,name）载入节假日安排")
        load.add_argument("file", help="CSV 文件路径（UTF-8）")
        load.add_argument("--title", default="", help="通知标题（默认：国务院办公厅关于YYYY年部分节假日安排的通知）")
        load.add_argument("--number", default="", help="文号，例如 国办发明电〔2025〕7号")
        load.add_argument("--published", type=_date, default=None, help="通知发布日期 YYYY-MM-DD")
        show = sub.add_parser("show", help="列出某年的放假和调休上班日")
        show.add_argument("year", type=_year)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(**options)

    def do_deadline(self, *, start: date, days: int, pause: list[PauseSpan], **_: Any) -> None:
        try:
            result = selectors.deadline(start, days, pause)
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"期限届满日：{format_day(result.due)}" + ("（待确认）" if result.provisional else ""))
        self.stdout.write("计算过程：")
        for line in result.explanation:
            self.stdout.write(f"  {line}")
        if result.provisional:
            years = "、".join(f"{y}年" for y in result.provisional_years)
            self.stderr.write(self.style.WARNING(
                f"警告：{years}节假日安排尚未载入，此日期按周末和法定节日暂算，待确认；"
                "载入该年安排后将自动重算。"
            ))

    def do_import(self, *, file: str, title: str, number: str, published: date | None, **_: Any) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from None
        try:
            loaded = services.arrangement_import(
                actor=None, file=data, notice_title=title, notice_number=number, published_on=published
            )
        except ValidationError as exc:
            raise CommandError("载入失败，未做任何修改：\n" + "\n".join(f"  {m}" for m in exc.messages)) from None
        for arrangement in loaded:
            count = arrangement.days.count()
            self.stdout.write(self.style.SUCCESS(
                f"已载入{arrangement.year}年节假日安排（{count}个日期），涉及该年的期限将重新计算。"
            ))

    def do_show(self, *, year: int, **_: Any) -> None:
        try:
            arrangement = selectors.working_calendar().arrangement(year)
        except CalendarError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{year}年节假日安排 — 来源：{arrangement.source_label}")
        if arrangement.provisional:
            self.stdout.write(self.style.WARNING(f"{year}年安排尚未载入，以下为法定节日，期限均待确认。"))
        for d in sorted(arrangement.holidays | arrangement.makeup_workdays):
            kind = "休" if d in arrangement.holidays else "班"
            self.stdout.write(f"  {format_day(d)} {kind} {arrangement.name_of(d)}")
        calendar = selectors.working_calendar()
        total = calendar.working_days_between(date(year, 1, 1) - timedelta(days=1), date(year, 12, 31))
        self.stdout.write(f"全年工作日：{total}天" + ("（暂算）" if arrangement.provisional else ""))
