"""The statutory clock of a disclosure request (答复期限): 条例第三十~三十四条, regulation.md §1.3–§1.5,
§2.2.

Pure Python, no Django. The deadline is never stored or typed in: it is replayed from the
request's events (``Received``, ``CorrectionRequested`` …) with the working-day calendar. A
Django model stores one row per event (``event_kind(e)`` / ``event_fields(e)`` and back with
``make_event``) and calls ``replay(calendar, events, as_of=today)``; a new event is validated by
replaying the list with it appended (``DeadlineError`` carries the Chinese reason).

Counting conventions (regulation.md §1.6, §6):
- the start day is never counted; the N-th working day after it is the last day;
- a pause (不计算的期间) is the span (start, end]: from the day a consultation letter or fee notice
  is issued (excluded) to the day the reply or payment arrives (included);
- a pause still open on ``as_of`` is counted up to ``as_of``: the due date shown is the one that
  applies if the clock resumes tomorrow, and ``paused`` is True.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, Final

from gongkai.domain.calendar import CalendarError, PauseSpan, WorkingCalendar, format_day

REPLY_DAYS: Final = 20  # 条例第三十三条第二款
MAX_EXTENSION_DAYS: Final = 20  # 条例第三十三条第二款
CORRECTION_NOTICE_DAYS: Final = 7  # 条例第三十条
CONSULTATION_REPLY_DAYS: Final = 15  # 条例第三十二条、第三十四条
FEE_PAYMENT_DAYS: Final = 20  # 国办函〔2020〕109号 [M]
DUE_SOON_DAYS: Final = 3
# [I] The law only asks for a 合理的补正期限; this is the form's default, the agency may change it.
DEFAULT_CORRECTION_PERIOD_DAYS: Final = 15


class DeadlineError(ValueError):
    """An event that does not fit the request's history; ``str(error)`` is a Chinese message."""


class ConsultationKind(StrEnum):
    THIRD_PARTY = "third_party"  # 征求第三方意见（条例第三十二条）
    OTHER_AGENCY = "other_agency"  # 征求其他机关意见（条例第三十四条）

    @property
    def label(self) -> str:
        return CONSULTATION_LABELS[self]

    @property
    def article(self) -> str:
        return "条例第三十二条" if self is ConsultationKind.THIRD_PARTY else "条例第三十四条"


CONSULTATION_LABELS: Final = {
    ConsultationKind.THIRD_PARTY: "征求第三方意见",
    ConsultationKind.OTHER_AGENCY: "征求其他机关意见",
}


class Risk(StrEnum):
    """Risk colour of a request on the workbench."""

    CLOSED = "closed"  # 已办结
    OVERDUE = "overdue"  # 已超期
    DUE_SOON = "due_soon"  # 即将到期（≤3个工作日）
    PAUSED = "paused"  # 暂停计算
    NORMAL = "normal"  # 正常
    NONE = "none"  # 无答复期限（当场答复、待补正、待确认收到）


# --- Events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """收到申请 (the derived Art. 31 receipt date). ``rule`` is the receipt rule text for the
    explanation; ``on_the_spot``: answered 当场 (条例第三十三条第一款), nothing is due."""

    kind: ClassVar[str] = "received"
    on: date
    rule: str = ""
    on_the_spot: bool = False


@dataclass(frozen=True)
class CorrectionRequested:
    """一次性补正告知 issued on ``on`` with a correction period of ``period_days`` working days."""

    kind: ClassVar[str] = "correction_requested"
    on: date
    period_days: int = DEFAULT_CORRECTION_PERIOD_DAYS


@dataclass(frozen=True)
class CorrectionReceived:
    """收到补正后的申请: the reply period restarts from this day (条例第三十条)."""

    kind: ClassVar[str] = "correction_received"
    on: date


@dataclass(frozen=True)
class ConsultationStarted:
    """征求意见书 issued. ``ref`` tells parallel consultations apart (e.g. one per third party)."""

    kind: ClassVar[str] = "consultation_started"
    on: date
    consultation: ConsultationKind = ConsultationKind.THIRD_PARTY
    ref: str = ""


@dataclass(frozen=True)
class ConsultationDelivered:
    """The third party / other agency received the 征求意见书: its 15 working days start."""

    kind: ClassVar[str] = "consultation_delivered"
    on: date
    ref: str = ""


@dataclass(frozen=True)
class ConsultationEnded:
    """The opinion was received (or the agency closed the consultation)."""

    kind: ClassVar[str] = "consultation_ended"
    on: date
    ref: str = ""


@dataclass(frozen=True)
class Extended:
    """延期答复 approved on ``on`` by the head of the disclosure office (条例第三十三条第二款)."""

    kind: ClassVar[str] = "extended"
    on: date
    days: int = MAX_EXTENSION_DAYS


@dataclass(frozen=True)
class FeeNoticed:
    """收费通知 issued on ``on``; ``received_on``: the day the applicant received it (defaults
    to ``on``), from which the 20 working days to pay run."""

    kind: ClassVar[str] = "fee_noticed"
    on: date
    received_on: date | None = None


@dataclass(frozen=True)
class FeePaid:
    kind: ClassVar[str] = "fee_paid"
    on: date


@dataclass(frozen=True)
class Closed:
    """The request left the clock: reply delivered, withdrawn, 视为放弃 or stopped."""

    kind: ClassVar[str] = "closed"
    on: date


@dataclass(frozen=True)
class Reopened:
    """[I] 重新办理 after a reconsideration or court decision: a fresh clock of ``days``
    working days from ``on`` (the decision may set its own period)."""

    kind: ClassVar[str] = "reopened"
    on: date
    days: int = REPLY_DAYS


Event = (
    Received
    | CorrectionRequested
    | CorrectionReceived
    | ConsultationStarted
    | ConsultationDelivered
    | ConsultationEnded
    | Extended
    | FeeNoticed
    | FeePaid
    | Closed
    | Reopened
)

EVENT_TYPES: Final[Mapping[str, type[Event]]] = {
    cls.kind: cls
    for cls in (
        Received, CorrectionRequested, CorrectionReceived, ConsultationStarted, ConsultationDelivered,
        ConsultationEnded, Extended, FeeNoticed, FeePaid, Closed, Reopened,
    )
}


def event_kind(event: Event) -> str:
    return event.kind


def event_fields(event: Event) -> dict[str, Any]:
    """The event's fields as plain values (dates stay ``date``), for storing as a row."""
    return {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}


def make_event(kind: str, **fields: Any) -> Event:
    """Rebuild an event from a stored row; unknown kinds and fields are rejected."""
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise DeadlineError(f"未知的事件类型“{kind}”。")
    names = {f.name for f in dataclasses.fields(cls)}
    extra = set(fields) - names
    if extra:
        raise DeadlineError(f"事件“{kind}”不包含字段：{'、'.join(sorted(extra))}。")
    if "consultation" in fields and fields["consultation"] is not None:
        fields["consultation"] = ConsultationKind(fields["consultation"])
    return cls(**fields)


# --- Plain deadline helpers -------------------------------------------------------------------


def reply_due(calendar: WorkingCalendar, received_on: date) -> date:
    """条例第三十三条第二款: the 20th working day after receipt (no pauses, no extension)."""
    return calendar.add_working_days(received_on, REPLY_DAYS).due


def correction_notice_latest(calendar: WorkingCalendar, received_on: date) -> date:
    """条例第三十条: the one-time 补正 notice must go out within 7 working days of receipt."""
    return calendar.add_working_days(received_on, CORRECTION_NOTICE_DAYS).due


def consultation_reply_due(calendar: WorkingCalendar, delivered_on: date) -> date:
    """条例第三十二条/第三十四条: 15 working days from the day the letter is received."""
    return calendar.add_working_days(delivered_on, CONSULTATION_REPLY_DAYS).due


def fee_payment_due(calendar: WorkingCalendar, notice_received_on: date) -> date:
    """国办函〔2020〕109号 [M]: payment within 20 working days of receiving the 收费通知."""
    return calendar.add_working_days(notice_received_on, FEE_PAYMENT_DAYS).due


# --- State ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsultationState:
    ref: str
    consultation: ConsultationKind
    started_on: date
    delivered_on: date | None
    reply_due: date | None  # 15 working days from delivery; None until delivery is known
    ended_on: date | None
    expired: bool  # the period ran out without an opinion: the agency decides alone

    @property
    def open(self) -> bool:
        return self.ended_on is None and not self.expired


@dataclass(frozen=True)
class DeadlineState:
    """Everything the request page and the workbench show about the clock, as of ``as_of``.

    ``due`` is None when nothing is due: not yet received, answered on the spot, or waiting for a
    correction (the period restarts from its receipt). ``days_used``/``days_remaining`` count
    working days of the current period (20 + extension) up to ``as_of`` or the closing day.
    """

    as_of: date
    received_on: date | None
    clock_start: date | None
    period_days: int
    extension_days: int
    due: date | None
    provisional: bool
    provisional_years: tuple[int, ...]
    paused: bool
    pause_reasons: tuple[str, ...]
    days_used: int | None
    days_remaining: int | None
    days_overdue: int
    due_soon: bool
    overdue: bool
    closed_on: date | None
    replied_late: bool
    on_the_spot: bool
    correction_notice_latest: date | None
    correction_requested_on: date | None
    correction_due: date | None
    awaiting_correction: bool
    correction_overdue: bool
    correction_received_late: bool
    consultations: tuple[ConsultationState, ...]
    fee_noticed_on: date | None
    fee_payment_due: date | None
    awaiting_fee: bool
    fee_overdue: bool
    fee_paid_late: bool
    pauses: tuple[PauseSpan, ...]
    explanation: tuple[str, ...]

    @property
    def extended(self) -> bool:
        return self.extension_days > 0

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    @property
    def risk(self) -> Risk:
        if self.closed:
            return Risk.CLOSED
        if self.due is None:
            return Risk.NONE
        if self.overdue:
            return Risk.OVERDUE
        if self.due_soon:
            return Risk.DUE_SOON
        if self.paused:
            return Risk.PAUSED
        return Risk.NORMAL

    @property
    def status_label(self) -> str:
        """已确定 / 待确认 (the calendar of a year in the span is not loaded)."""
        return "待确认" if self.provisional else "已确定"


@dataclass
class _Consultation:
    ref: str
    consultation: ConsultationKind
    started_on: date
    delivered_on: date | None = None
    reply_due: date | None = None
    ended_on: date | None = None


@dataclass
class _Replay:
    """Mutable scratch state while events are replayed in date order."""

    calendar: WorkingCalendar
    received_on: date | None = None
    receipt_rule: str = ""
    on_the_spot: bool = False
    clock_start: date | None = None
    period_days: int = REPLY_DAYS
    extension_days: int = 0
    extension_on: date | None = None
    correction_on: date | None = None
    correction_period: int = 0
    correction_due: date | None = None
    correction_received_on: date | None = None
    correction_received_late: bool = False
    consultations: list[_Consultation] = field(default_factory=list)
    fee_on: date | None = None
    fee_received_on: date | None = None
    fee_due: date | None = None
    fee_paid_on: date | None = None
    closed_on: date | None = None
    lines: list[str] = field(default_factory=list)

    # -- queries ---------------------------------------------------------------------------

    @property
    def awaiting_correction(self) -> bool:
        return self.correction_on is not None and self.correction_received_on is None

    def _consultation_end(self, c: _Consultation, as_of: date) -> date:
        end = c.ended_on if c.ended_on is not None else as_of
        # [I] After the 15 working days the opinion is no longer "needed" (条例第三十三条第三款
        # 所需时间): the agency decides alone and the clock runs again.
        if c.reply_due is not None and end > c.reply_due:
            end = c.reply_due
        if self.closed_on is not None and end > self.closed_on:
            end = self.closed_on
        return max(end, c.started_on)

    def pauses(self, as_of: date) -> tuple[PauseSpan, ...]:
        spans: list[PauseSpan] = []
        for c in self.consultations:
            end = self._consultation_end(c, as_of)
            spans.append(PauseSpan(c.started_on, end, f"{c.consultation.label}（{c.consultation.article}、第三十三条第三款）"))
        if self.fee_on is not None:
            end = self.fee_paid_on if self.fee_paid_on is not None else (self.closed_on or as_of)
            spans.append(PauseSpan(self.fee_on, max(end, self.fee_on), "收费通知至缴费（国办函〔2020〕109号）"))
        start = self.clock_start
        # Spans that ended before the current period started (e.g. before a correction) no
        # longer matter.
        return tuple(s for s in spans if start is None or s.end > start)

    def open_pause_reasons(self, as_of: date) -> list[str]:
        reasons: list[str] = []
        if self.closed_on is not None:
            return reasons
        if self.awaiting_correction:
            reasons.append("等待申请人补正（条例第三十条），答复期限自收到补正之日起重新计算")
        for c in self.consultations:
            if c.ended_on is None and not (c.reply_due is not None and as_of > c.reply_due):
                name = f"（{c.ref}）" if c.ref else ""
                reasons.append(f"{c.consultation.label}{name}，所需时间不计入答复期限")
        if self.fee_on is not None and self.fee_paid_on is None:
            reasons.append("已发出收费通知，待申请人缴费")
        return reasons

    def due_as_of(self, as_of: date) -> date | None:
        if self.clock_start is None or self.on_the_spot or self.awaiting_correction:
            return None
        return self.calendar.add_working_days(
            self.clock_start, self.period_days + self.extension_days, self.pauses(as_of)
        ).due

    # -- applying events -----------------------------------------------------------------------

    def _require_open(self, what: str) -> None:
        if self.received_on is None:
            raise DeadlineError(f"尚未收到申请，不能{what}。")
        if self.closed_on is not None:
            raise DeadlineError(f"申请已于 {self.closed_on.isoformat()} 办结，不能{what}。")
        if self.on_the_spot:
            raise DeadlineError(f"申请已当场答复，不能{what}。")

    def _find(self, ref: str, what: str) -> _Consultation:
        for c in self.consultations:
            if c.ref == ref and c.ended_on is None:
                return c
        name = f"“{ref}”" if ref else ""
        raise DeadlineError(f"没有进行中的征求意见{name}，不能{what}。")

    def apply(self, e: Event) -> None:
        cal = self.calendar
        if isinstance(e, Received):
            if self.received_on is not None:
                raise DeadlineError("同一申请只能登记一次收到日期。")
            self.received_on = self.clock_start = e.on
            self.receipt_rule = e.rule
            self.on_the_spot = e.on_the_spot
            line = f"收到申请之日 {format_day(e.on)}"
            if e.rule:
                line += f"（{e.rule}）"
            self.lines.append(line)
            if e.on_the_spot:
                self.lines.append("当场答复（条例第三十三条第一款），不另计答复期限")
        elif isinstance(e, CorrectionRequested):
            self._require_open("发出补正告知")
            assert self.received_on is not None
            if self.correction_on is not None:
                raise DeadlineError("补正告知只能一次性发出（条例第三十条），本申请已发出过补正告知。")
            latest = correction_notice_latest(cal, self.received_on)
            if e.on > latest:
                raise DeadlineError(
                    f"补正告知须自收到申请之日起7个工作日内发出（条例第三十条），最迟为 {latest.isoformat()}。"
                )
            if isinstance(e.period_days, bool) or e.period_days < 1:
                raise DeadlineError("补正期限必须至少为1个工作日。")
            self.correction_on = e.on
            self.correction_period = e.period_days
            self.correction_due = cal.add_working_days(e.on, e.period_days).due
            self.lines.append(
                f"{format_day(e.on)} 一次性告知申请人补正（条例第三十条），补正期限{e.period_days}个工作日，"
                f"至 {format_day(self.correction_due)}"
            )
        elif isinstance(e, CorrectionReceived):
            self._require_open("登记补正")
            if not self.awaiting_correction:
                raise DeadlineError("本申请没有待补正的告知，不能登记补正。")
            assert self.correction_due is not None
            self.correction_received_on = e.on
            self.correction_received_late = e.on > self.correction_due
            # 条例第三十条: 答复期限自行政机关收到补正的申请之日起计算 — a fresh period.
            self.clock_start = e.on
            self.extension_days = 0
            self.extension_on = None
            late = "（逾期补正，须有正当理由）" if self.correction_received_late else ""
            self.lines.append(
                f"{format_day(e.on)} 收到补正后的申请{late}，答复期限自该日重新计算（条例第三十条）"
            )
        elif isinstance(e, ConsultationStarted):
            self._require_open("征求意见")
            if self.awaiting_correction:
                raise DeadlineError("申请正在等待补正，补正后才能征求意见。")
            if any(c.ref == e.ref and c.ended_on is None for c in self.consultations):
                name = f"“{e.ref}”" if e.ref else ""
                raise DeadlineError(f"征求意见{name}尚未结束，不能重复发起。")
            self.consultations.append(_Consultation(e.ref, ConsultationKind(e.consultation), e.on))
            self.lines.append(f"{format_day(e.on)} 发出征求意见书：{ConsultationKind(e.consultation).label}")
        elif isinstance(e, ConsultationDelivered):
            self._require_open("登记征求意见书送达")
            c = self._find(e.ref, "登记送达")
            if c.delivered_on is not None:
                raise DeadlineError("该征求意见书已登记送达。")
            c.delivered_on = e.on
            c.reply_due = consultation_reply_due(cal, e.on)
            self.lines.append(
                f"{format_day(e.on)} 征求意见书送达，对方应自收到之日起15个工作日内提出意见（{c.consultation.article}），"
                f"最迟 {format_day(c.reply_due)}；逾期未提出的由本机关依法决定"
            )
        elif isinstance(e, ConsultationEnded):
            self._require_open("结束征求意见")
            c = self._find(e.ref, "结束征求意见")
            c.ended_on = e.on
            self.lines.append(f"{format_day(e.on)} 收到意见，征求意见结束")
        elif isinstance(e, Extended):
            self._require_open("延期答复")
            if self.awaiting_correction:
                raise DeadlineError("申请正在等待补正，没有可以延长的答复期限。")
            if self.extension_on is not None:
                raise DeadlineError("答复期限只能延长一次（条例第三十三条第二款）。")
            if isinstance(e.days, bool) or not 1 <= e.days <= MAX_EXTENSION_DAYS:
                raise DeadlineError("延长的期限应为1至20个工作日（条例第三十三条第二款）。")
            current = self.due_as_of(e.on)
            assert current is not None
            if e.on > current:
                raise DeadlineError(
                    f"答复期限已于 {current.isoformat()} 届满，延期须在期限届满前经批准并告知申请人"
                    "（条例第三十三条第二款）。"
                )
            self.extension_days = e.days
            self.extension_on = e.on
            self.lines.append(
                f"{format_day(e.on)} 经政府信息公开工作机构负责人同意延长答复期限{e.days}个工作日"
                "（条例第三十三条第二款）"
            )
        elif isinstance(e, FeeNoticed):
            self._require_open("发出收费通知")
            if self.awaiting_correction:
                raise DeadlineError("申请正在等待补正，补正后才能发出收费通知。")
            if self.fee_on is not None:
                raise DeadlineError("本申请已发出过收费通知，不能再次收费。")
            received = e.received_on or e.on
            if received < e.on:
                raise DeadlineError("申请人收到收费通知的日期不能早于通知发出日期。")
            self.fee_on = e.on
            self.fee_received_on = received
            self.fee_due = fee_payment_due(cal, received)
            self.lines.append(
                f"{format_day(e.on)} 发出收费通知，申请人最迟应于 {format_day(self.fee_due)} 缴费；"
                "通知至缴费期间不计入答复期限（国办函〔2020〕109号）"
            )
        elif isinstance(e, FeePaid):
            self._require_open("登记缴费")
            if self.fee_on is None or self.fee_paid_on is not None:
                raise DeadlineError("本申请没有待缴费的收费通知。")
            assert self.fee_due is not None
            self.fee_paid_on = e.on
            self.lines.append(f"{format_day(e.on)} 申请人缴费，恢复计算答复期限")
        elif isinstance(e, Closed):
            if self.received_on is None:
                raise DeadlineError("尚未收到申请，不能办结。")
            if self.closed_on is not None:
                raise DeadlineError(f"申请已于 {self.closed_on.isoformat()} 办结。")
            self.closed_on = e.on
        elif isinstance(e, Reopened):
            if self.closed_on is None:
                raise DeadlineError("申请尚未办结，不能重新办理。")
            if isinstance(e.days, bool) or e.days < 1:
                raise DeadlineError("重新办理的期限必须至少为1个工作日。")
            self.closed_on = None
            self.on_the_spot = False
            self.clock_start = e.on
            self.period_days = e.days
            self.extension_days = 0
            self.extension_on = None
            self.correction_on = self.correction_due = self.correction_received_on = None
            self.correction_received_late = False
            self.consultations = []
            self.fee_on = self.fee_received_on = self.fee_due = self.fee_paid_on = None
            self.lines.append(f"{format_day(e.on)} 依复议决定或判决重新办理，自该日起计算{e.days}个工作日")
        else:  # pragma: no cover - the union is closed
            raise DeadlineError(f"未知的事件：{e!r}")


def _ordered(events: Iterable[Event]) -> list[Event]:
    # Stable: events of one day keep the order in which they were recorded.
    return sorted(events, key=lambda e: e.on)


def replay(calendar: WorkingCalendar, events: Iterable[Event], *, as_of: date) -> DeadlineState:
    """Replay ``events`` (any order; sorted by date, stable within a day) and derive the clock
    as of ``as_of``. Raises ``DeadlineError`` for an event that contradicts the history and for
    events dated after ``as_of``."""
    ordered = _ordered(events)
    if not ordered:
        raise DeadlineError("没有任何事件，无法计算期限。")
    if not isinstance(ordered[0], Received):
        raise DeadlineError("第一个事件必须是收到申请。")
    if ordered[-1].on > as_of:
        raise DeadlineError(f"事件日期 {ordered[-1].on.isoformat()} 晚于计算日期 {as_of.isoformat()}。")
    r = _Replay(calendar)
    for e in ordered:
        try:
            r.apply(e)
        except CalendarError as exc:
            raise DeadlineError(str(exc)) from exc
    return _state(r, as_of)


def _state(r: _Replay, as_of: date) -> DeadlineState:
    cal = r.calendar
    assert r.received_on is not None
    pauses = r.pauses(as_of)
    due: date | None = None
    provisional = False
    years: tuple[int, ...] = ()
    explanation = list(r.lines)
    total = r.period_days + r.extension_days
    if r.clock_start is not None and not r.on_the_spot and not r.awaiting_correction:
        result = cal.add_working_days(r.clock_start, total, pauses)
        due, provisional, years = result.due, result.provisional, result.provisional_years
        if r.extension_days:
            explanation.append(
                f"答复期限 = {r.period_days}个工作日 + 延长{r.extension_days}个工作日 = {total}个工作日"
            )
        explanation.extend(result.explanation)
        label = "（待确认）" if provisional else ""
        explanation.append(f"答复期限：{format_day(due)}{label}")

    end = r.closed_on if r.closed_on is not None else as_of
    days_used: int | None = None
    days_remaining: int | None = None
    days_overdue = 0
    overdue = due_soon = replied_late = False
    if due is not None and r.clock_start is not None:
        days_used = cal.working_days_between(r.clock_start, end, pauses)
        days_remaining = max(0, total - days_used)
        days_overdue = max(0, days_used - total)
        if r.closed_on is not None:
            replied_late = r.closed_on > due
        else:
            overdue = as_of > due
            due_soon = not overdue and days_remaining <= DUE_SOON_DAYS
    reasons = r.open_pause_reasons(as_of)
    if r.closed_on is None and r.awaiting_correction:
        explanation.append("当前等待申请人补正：答复期限自收到补正的申请之日起重新计算20个工作日（条例第三十条）")
    if due is not None and r.closed_on is None:
        for reason in reasons:
            explanation.append(f"当前暂停计算：{reason}；以上期限按暂停至 {as_of.isoformat()} 计算，恢复后顺延")

    consultations = tuple(
        ConsultationState(
            ref=c.ref,
            consultation=c.consultation,
            started_on=c.started_on,
            delivered_on=c.delivered_on,
            reply_due=c.reply_due,
            ended_on=c.ended_on,
            expired=c.reply_due is not None
            and ((c.ended_on is None and as_of > c.reply_due) or (c.ended_on is not None and c.ended_on > c.reply_due)),
        )
        for c in r.consultations
    )
    open_ = r.closed_on is None
    awaiting_fee = open_ and r.fee_on is not None and r.fee_paid_on is None
    return DeadlineState(
        as_of=as_of,
        received_on=r.received_on,
        clock_start=r.clock_start,
        period_days=r.period_days,
        extension_days=r.extension_days,
        due=due,
        provisional=provisional,
        provisional_years=years,
        paused=bool(reasons),
        pause_reasons=tuple(reasons),
        days_used=days_used,
        days_remaining=days_remaining,
        days_overdue=days_overdue,
        due_soon=due_soon,
        overdue=overdue,
        closed_on=r.closed_on,
        replied_late=replied_late,
        on_the_spot=r.on_the_spot,
        correction_notice_latest=None if r.on_the_spot else correction_notice_latest(cal, r.received_on),
        correction_requested_on=r.correction_on,
        correction_due=r.correction_due,
        awaiting_correction=open_ and r.awaiting_correction,
        correction_overdue=open_ and r.awaiting_correction and r.correction_due is not None and as_of > r.correction_due,
        correction_received_late=r.correction_received_late,
        consultations=consultations,
        fee_noticed_on=r.fee_on,
        fee_payment_due=r.fee_due,
        awaiting_fee=awaiting_fee,
        fee_overdue=awaiting_fee and r.fee_due is not None and as_of > r.fee_due,
        fee_paid_late=r.fee_paid_on is not None and r.fee_due is not None and r.fee_paid_on > r.fee_due,
        pauses=pauses,
        explanation=tuple(explanation),
    )


def check_event(calendar: WorkingCalendar, events: Sequence[Event], new: Event, *, as_of: date) -> DeadlineState:
    """Validate ``new`` against the history (raises ``DeadlineError``) and return the state
    with it applied: what a service calls before saving the event row."""
    return replay(calendar, [*events, new], as_of=as_of)
