"""Writing holiday arrangements (节假日安排): the only code that changes them.

``arrangement_import`` loads one or more years from CSV (header ``date,kind,name``). The whole
file is validated first; any error changes nothing. Each year in the file replaces that year's
arrangement entirely, the change is audited, and the provisional deadlines of the year are
recomputed after commit (regulation.md §4.1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from gongkai.accounts.access import has_system_perm
from gongkai.accounts.roles import Perm
from gongkai.core.audit import model_snapshot, record
from gongkai.core.models import AuditEvent
from gongkai.domain.calendar import MAX_YEAR, MIN_YEAR, format_day
from gongkai.workcalendar.models import HolidayArrangement, HolidayArrangementDay

HEADER = ("date", "kind", "name")
KIND_ALIASES: Mapping[str, str] = {
    "休": HolidayArrangementDay.Kind.HOLIDAY,
    "holiday": HolidayArrangementDay.Kind.HOLIDAY,
    "班": HolidayArrangementDay.Kind.WORKDAY,
    "workday": HolidayArrangementDay.Kind.WORKDAY,
}
KIND_SHORT: dict[str, str] = {HolidayArrangementDay.Kind.HOLIDAY: "休", HolidayArrangementDay.Kind.WORKDAY: "班"}
NAME_MAX = HolidayArrangementDay._meta.get_field("name").max_length or 60


def default_notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


@dataclass(frozen=True)
class ParsedDay:
    line: int
    date: date
    kind: str
    name: str


def day_problem(year: int | None, day: date, kind: str) -> str | None:
    """Why ``day`` cannot be in an arrangement (Chinese), or None. Shared by CSV and admin."""
    if year is not None and day.year != year:
        return f"{day.isoformat()} 不属于{year}年"
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return f"{day.isoformat()} 超出可支持的年份范围（{MIN_YEAR}—{MAX_YEAR}年）"
    if kind == HolidayArrangementDay.Kind.WORKDAY and day.weekday() < 5:
        return f"{format_day(day)}不是周末，不能作为调休上班日"
    return None


def _parse_date(raw: str) -> date | None:
    parts = raw.split("-")
    if len(raw) != 10 or [len(p) for p in parts] != [4, 2, 2] or not all(p.isdigit() and p.isascii() for p in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def parse_rows(rows: Iterable[tuple[int, Sequence[str]]]) -> dict[int, list[ParsedDay]]:
    """Validate numbered rows (line, [date, kind, name]); raise one ValidationError listing every
    problem with its line number (第N行), or return the days grouped by year."""
    errors: list[str] = []
    seen: dict[date, int] = {}
    by_year: dict[int, list[ParsedDay]] = {}
    for line, raw in rows:
        cells = [c.strip() for c in raw]
        if not any(cells):
            continue
        if len(cells) != 3:
            errors.append(f"第{line}行：应有 3 列（date,kind,name），实际 {len(cells)} 列")
            continue
        raw_date, raw_kind, name = cells
        day = _parse_date(raw_date)
        kind = KIND_ALIASES.get(raw_kind.lower())
        row_errors = []
        if day is None:
            row_errors.append(f"第{line}行：日期“{raw_date}”无效，应为 YYYY-MM-DD 格式的真实日期")
        if kind is None:
            row_errors.append(f"第{line}行：类型“{raw_kind}”无效，应为“休”或“班”（或 holiday / workday）")
        if not name:
            row_errors.append(f"第{line}行：缺少节日名称")
        elif len(name) > NAME_MAX:
            row_errors.append(f"第{line}行：节日名称过长（最多{NAME_MAX}个字）")
        if day is not None and kind is not None:
            problem = day_problem(None, day, kind)
            if problem:
                row_errors.append(f"第{line}行：{problem}")
        if day is not None and day in seen:
            row_errors.append(f"第{line}行：{day.isoformat()} 重复，已在第{seen[day]}行列出")
        if row_errors:
            errors.extend(row_errors)
            continue
        assert day is not None and kind is not None
        seen[day] = line
        by_year.setdefault(day.year, []).append(ParsedDay(line, day, kind, name))
    if not errors and not by_year:
        errors.append("文件中没有任何日期。")
    for year, days in sorted(by_year.items()):
        if not any(d.kind == HolidayArrangementDay.Kind.HOLIDAY for d in days):
            errors.append(f"{year}年没有任何放假日（休），请检查文件是否完整")
    if errors:
        raise ValidationError(errors)
    return by_year


def parse_csv(data: bytes | str | IO[bytes] | IO[str]) -> dict[int, list[ParsedDay]]:
    """Parse a UTF-8 CSV (with or without BOM) with header ``date,kind,name``."""
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("文件不是 UTF-8 编码，请另存为 UTF-8 后重试。")
    else:
        text = str(data).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError("文件是空的。")
    except csv.Error as exc:
        raise ValidationError(f"第1行：无法读取 CSV（{exc}）")
    if tuple(c.strip().lower() for c in header) != HEADER:
        raise ValidationError(f"第1行：表头应为 date,kind,name，实际为“{','.join(header)}”")
    numbered: list[tuple[int, Sequence[str]]] = []
    try:
        for row in reader:
            numbered.append((reader.line_num, row))
    except csv.Error as exc:
        raise ValidationError(f"第{reader.line_num}行：无法读取 CSV（{exc}）")
    return parse_rows(numbered)


def _check_perm(actor: Any, request: HttpRequest | None, action: str) -> None:
    """CLI callers pass actor=None (whoever runs the command has the server); people need
    系统管理员 (MANAGE_CALENDAR)."""
    if actor is None or has_system_perm(actor, Perm.MANAGE_CALENDAR):
        return
    record(action, request=request, actor=actor, object_type=HolidayArrangement._meta.label,
           result=AuditEvent.Result.DENIED, detail="缺少管理节假日安排的权限")
    raise PermissionDenied("只有系统管理员可以修改节假日安排。")


def arrangement_days_snapshot(arrangement: HolidayArrangement | None) -> dict[str, Any] | None:
    if arrangement is None or arrangement.pk is None:
        return None
    data = model_snapshot(arrangement)
    data["days"] = [
        f"{d.date.isoformat()},{KIND_SHORT.get(d.kind, d.kind)},{d.name}"
        for d in HolidayArrangementDay.objects.filter(arrangement=arrangement).order_by("date")
    ]
    return data


def _enqueue_recompute(year: int) -> None:
    from gongkai.workcalendar.tasks import recompute_provisional_deadlines

    transaction.on_commit(lambda: recompute_provisional_deadlines.enqueue(year))


def arrangement_import(
    *,
    actor: Any,
    rows: Iterable[Sequence[str]] | None = None,
    file: bytes | str | IO[bytes] | IO[str] | None = None,
    request: HttpRequest | None = None,
    notice_title: str = "",
    notice_number: str = "",
    published_on: date | None = None,
) -> list[HolidayArrangement]:
    """载入节假日安排: validate everything, then replace each year in one transaction.

    ``file`` is CSV with a header; ``rows`` are [date, kind, name] rows without a header,
    numbered from 1 in error messages. ``notice_title`` defaults to the usual 国办 title.
    """
    action = "workcalendar.arrangement.import"
    _check_perm(actor, request, action)
    if (rows is None) == (file is None):
        raise ValueError("pass exactly one of rows= or file=")
    by_year = parse_csv(file) if file is not None else parse_rows(enumerate(rows or [], start=1))
    if len(notice_title) > 200 or len(notice_number) > 60:
        raise ValidationError("通知标题或文号过长。")
    loaded: list[HolidayArrangement] = []
    with transaction.atomic():
        for year, days in sorted(by_year.items()):
            existing = HolidayArrangement.objects.select_for_update().filter(year=year).first()
            before = arrangement_days_snapshot(existing)
            arrangement = existing or HolidayArrangement(year=year)
            arrangement.notice_title = notice_title or arrangement.notice_title or default_notice_title(year)
            arrangement.notice_number = notice_number or arrangement.notice_number
            arrangement.published_on = published_on or arrangement.published_on
            arrangement.loaded_by = actor
            arrangement.save()
            HolidayArrangementDay.objects.filter(arrangement=arrangement).delete()
            HolidayArrangementDay.objects.bulk_create(
                HolidayArrangementDay(arrangement=arrangement, date=d.date, kind=d.kind, name=d.name)
                for d in days
            )
            record(
                action, request=request, actor=actor, obj=arrangement,
                before=before, after=arrangement_days_snapshot(arrangement),
                detail=f"载入{year}年节假日安排：{len(days)}个日期" + ("（替换原有安排）" if existing else ""),
            )
            _enqueue_recompute(year)
            loaded.append(arrangement)
    return loaded


def arrangement_record_admin_change(
    *, actor: Any, arrangement: HolidayArrangement, before: dict[str, Any] | None,
    request: HttpRequest | None = None,
) -> None:
    """Audit and recompute after an edit through the admin site (its own transaction wraps the
    form save; this runs inside it)."""
    action = "workcalendar.arrangement.admin_change" if before else "workcalendar.arrangement.admin_create"
    _check_perm(actor, request, action)
    with transaction.atomic():
        record(action, request=request, actor=actor, obj=arrangement, before=before,
               after=arrangement_days_snapshot(arrangement))
        _enqueue_recompute(arrangement.year)


def arrangement_delete(*, actor: Any, arrangement: HolidayArrangement, request: HttpRequest | None = None) -> None:
    """Remove a loaded year: it falls back to chinese_calendar (2004–2026) or to the provisional
    statutory days."""
    action = "workcalendar.arrangement.delete"
    _check_perm(actor, request, action)
    with transaction.atomic():
        locked = HolidayArrangement.objects.select_for_update().get(pk=arrangement.pk)
        before = arrangement_days_snapshot(locked)
        year = locked.year
        record(action, request=request, actor=actor, obj=locked, before=before,
               detail=f"删除{year}年节假日安排")
        locked.delete()
        _enqueue_recompute(year)
