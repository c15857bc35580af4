"""Public deadline API (工作日期限查询): applicants check when a reply is due.

Mounted by the API module at ``/api/v1/calendar/``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Router, Schema, Status

from gongkai.domain.calendar import CalendarError
from gongkai.workcalendar import selectors

router = Router(tags=["工作日历"])

MAX_DAYS = 250


class DeadlineOut(Schema):
    start: date
    days: int
    due: date
    provisional: bool
    explanation: list[str]


class ErrorOut(Schema):
    detail: str


def _reply(status: int, body: dict[str, Any]) -> Any:
    return Status(status, body)


@router.get(
    "/deadline",
    auth=None,
    response={200: DeadlineOut, 422: ErrorOut},
    summary="计算工作日期限",
    description="起算日当日不计入，返回其后第 days 个工作日。provisional 为 true 表示涉及尚未载入节假日安排的年份，日期待确认。",
)
def deadline(request: Any, start: str = "", days: str = "") -> Any:
    # Parameters are taken as text so that bad input gets a Chinese message, not pydantic's.
    start = start.strip()
    days = days.strip()
    if not start:
        return _reply(422, {"detail": "缺少参数 start（起算日，格式 YYYY-MM-DD）。"})
    try:
        if len(start) != 10:
            raise ValueError
        start_date = date.fromisoformat(start)
    except ValueError:
        return _reply(422, {"detail": f"start “{start[:20]}” 不是有效日期，应为 YYYY-MM-DD，例如 2026-09-21。"})
    if not days:
        return _reply(422, {"detail": "缺少参数 days（工作日数，例如 20）。"})
    if not days.isdigit() or not days.isascii() or not 1 <= int(days) <= MAX_DAYS:
        return _reply(422, {"detail": f"days 应为 1 到 {MAX_DAYS} 之间的整数。"})
    try:
        result = selectors.deadline(start_date, int(days))
    except CalendarError as exc:
        return _reply(422, {"detail": str(exc)})
    return _reply(200, {
        "start": result.start,
        "days": result.days,
        "due": result.due,
        "provisional": result.provisional,
        "explanation": list(result.explanation),
    })
