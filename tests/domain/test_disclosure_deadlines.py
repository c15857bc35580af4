"""The statutory clock replayed from events: 条例第三十~三十四条, regulation.md §1.3–§1.5, §2.2 and
§6 cases 1–10 and 15. Pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.disclosure_deadlines import (
    Closed,
    ConsultationDelivered,
    ConsultationEnded,
    ConsultationKind,
    ConsultationStarted,
    CorrectionReceived,
    CorrectionRequested,
    DeadlineError,
    DeadlineState,
    Event,
    Extended,
    FeeNoticed,
    FeePaid,
    Received,
    Reopened,
    Risk,
    check_event,
    consultation_reply_due,
    correction_notice_latest,
    event_fields,
    event_kind,
    fee_payment_due,
    make_event,
    replay,
    reply_due,
)

CAL = WorkingCalendar.from_library()
D = date


def state(events: list[Event], as_of: date | None = None) -> DeadlineState:
    return replay(CAL, events, as_of=as_of or max(e.on for e in events))


# --- §6 cases 1–6, 10: plain 20 working days ----------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2026, 1, 5), D(2026, 2, 2)),  # case 1
        (D(2026, 3, 9), D(2026, 4, 7)),  # case 2
        (D(2026, 2, 14), D(2026, 3, 20)),  # case 3
        (D(2026, 4, 3), D(2026, 5, 7)),  # case 4
        (D(2026, 9, 21), D(2026, 10, 26)),  # case 5
        (D(2026, 4, 30), D(2026, 6, 1)),  # case 6
        (D(2025, 12, 22), D(2026, 1, 20)),  # case 10
    ],
)
def test_cases_1_to_6_and_10_reply_due_in_20_working_days(received: date, due: date) -> None:
    """条例第三十三条第二款: 自收到申请之日起20个工作日内予以答复 (regulation.md §6 cases 1–6, 10)."""
    s = state([Received(received)])
    assert s.due == due == reply_due(CAL, received)
    assert not s.provisional and not s.paused and not s.extended
    assert s.days_used == 0 and s.days_remaining == 20
    assert s.risk is Risk.NORMAL


def test_case2_explanation_names_the_receipt_rule_and_the_holiday() -> None:
    """条例第三十一条第（三）项、第三十三条第二款: the page explains the receipt date, the skipped
    清明 and the due date."""
    rule = "条例第三十一条第（三）项：通过互联网渠道（网上申请平台）提交的，以双方确认之日为收到申请之日"
    s = state([Received(D(2026, 3, 9), rule=rule)])
    assert s.explanation[0] == f"收到申请之日 2026-03-09（星期一）（{rule}）"
    assert "2026-04-04 至 2026-04-06 清明节放假，不计算" in s.explanation
    assert s.explanation[-1] == "答复期限：2026-04-07（星期二）"


def test_case10_year_boundary_explained() -> None:
    """条例第三十三条第二款: 2025-12-22 → 2026-01-20, 元旦 skipped and Sun 1/4 counted."""
    s = state([Received(D(2025, 12, 22))])
    assert "2026-01-01 至 2026-01-03 元旦放假，不计算" in s.explanation
    assert "2026-01-04（星期日）元旦调休上班，计入" in s.explanation


def test_on_the_spot_reply_has_nothing_due() -> None:
    """条例第三十三条第一款: 能够当场答复的，应当当场予以答复 — no due date, no flags."""
    s = state([Received(D(2026, 1, 5), on_the_spot=True), Closed(D(2026, 1, 5))])
    assert s.due is None and not s.overdue and not s.due_soon
    assert s.risk is Risk.CLOSED
    assert "当场答复（条例第三十三条第一款），不另计答复期限" in s.explanation
    with pytest.raises(DeadlineError, match="当场答复"):
        state([Received(D(2026, 1, 5), on_the_spot=True), Extended(D(2026, 1, 6), 5)])


# --- §6 case 7: correction --------------------------------------------------------------------


def test_case7_correction_notice_latest_date() -> None:
    """条例第三十条: received Mon 2026-03-02 → one-time 补正 notice by Wed 2026-03-11."""
    assert correction_notice_latest(CAL, D(2026, 3, 2)) == D(2026, 3, 11)
    assert state([Received(D(2026, 3, 2))]).correction_notice_latest == D(2026, 3, 11)


def test_case7_correction_restarts_the_clock() -> None:
    """条例第三十条: 答复期限自行政机关收到补正的申请之日起计算 — corrected Fri 2026-03-20 → due Mon
    2026-04-20."""
    events: list[Event] = [Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 11), 10)]
    waiting = state(events, D(2026, 3, 16))
    assert waiting.due is None and waiting.awaiting_correction and waiting.paused
    assert waiting.correction_due == D(2026, 3, 25)
    assert waiting.risk is Risk.NONE
    done = state([*events, CorrectionReceived(D(2026, 3, 20))])
    assert done.due == D(2026, 4, 20)
    assert done.clock_start == D(2026, 3, 20)
    assert not done.awaiting_correction and not done.paused
    assert "2026-03-20（星期五） 收到补正后的申请，答复期限自该日重新计算（条例第三十条）" in done.explanation


def test_case7_no_correction_in_time_is_flagged_for_abandonment() -> None:
    """条例第三十条: 申请人无正当理由逾期不补正的，视为放弃申请 — the flag rises the day after the period."""
    events: list[Event] = [Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 11), 10)]
    assert not state(events, D(2026, 3, 25)).correction_overdue
    assert state(events, D(2026, 3, 26)).correction_overdue


def test_case7_late_correction_is_accepted_but_marked() -> None:
    """条例第三十条: a correction after the period (with 正当理由) restarts the clock and is marked late."""
    s = state([Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 11), 5), CorrectionReceived(D(2026, 3, 20))])
    assert s.correction_received_late
    assert s.due == D(2026, 4, 20)


def test_case7_correction_notice_after_seven_working_days_is_refused() -> None:
    """条例第三十条: the notice must go out within 7 working days (by 2026-03-11)."""
    with pytest.raises(DeadlineError, match="最迟为 2026-03-11"):
        state([Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 12), 10)])


def test_case7_correction_notice_only_once() -> None:
    """条例第三十条: 一次性告知 — a second notice is refused."""
    with pytest.raises(DeadlineError, match="一次性"):
        state([
            Received(D(2026, 3, 2)), CorrectionRequested(D(2026, 3, 3), 5), CorrectionReceived(D(2026, 3, 5)),
            CorrectionRequested(D(2026, 3, 6), 5),
        ])


# --- §6 case 8: extension ---------------------------------------------------------------------


def test_case8_extension_by_20_working_days() -> None:
    """条例第三十三条第二款: received Mon 2026-06-01, due Tue 6/30; extended before then → Tue 2026-07-28."""
    normal = state([Received(D(2026, 6, 1))])
    assert normal.due == D(2026, 6, 30)
    s = state([Received(D(2026, 6, 1)), Extended(D(2026, 6, 25), 20)])
    assert s.due == D(2026, 7, 28)
    assert s.extended and s.extension_days == 20
    assert any("经政府信息公开工作机构负责人同意延长答复期限20个工作日" in line for line in s.explanation)
    assert "答复期限 = 20个工作日 + 延长20个工作日 = 40个工作日" in s.explanation


def test_case8_extension_on_the_due_day_is_still_in_time() -> None:
    """条例第三十三条第二款: the due date is the last day of the period; approving on 6/30 is in time."""
    assert state([Received(D(2026, 6, 1)), Extended(D(2026, 6, 30), 20)]).due == D(2026, 7, 28)


def test_case8_extension_recorded_after_the_due_date_is_refused() -> None:
    """条例第三十三条第二款 [I]: an extension first recorded on 2026-07-01 is rejected as late."""
    with pytest.raises(DeadlineError, match="已于 2026-06-30 届满"):
        state([Received(D(2026, 6, 1)), Extended(D(2026, 7, 1), 20)])


@pytest.mark.parametrize("days", [0, 21, -1])
def test_case8_extension_longer_than_20_working_days_is_refused(days: int) -> None:
    """条例第三十三条第二款: 延长的期限最长不得超过20个工作日."""
    with pytest.raises(DeadlineError, match="1至20个工作日"):
        state([Received(D(2026, 6, 1)), Extended(D(2026, 6, 10), days)])


def test_case8_extension_only_once() -> None:
    """条例第三十三条第二款: one extension per request."""
    with pytest.raises(DeadlineError, match="只能延长一次"):
        state([Received(D(2026, 6, 1)), Extended(D(2026, 6, 10), 5), Extended(D(2026, 6, 12), 5)])


def test_case8_extension_deadline_counts_pauses_before_it() -> None:
    """条例第三十三条第二、三款: after a consultation pause the due date moved to 7/9; an extension
    on 7/1 is still in time."""
    events: list[Event] = [
        Received(D(2026, 6, 1)),
        ConsultationStarted(D(2026, 6, 10)),
        ConsultationEnded(D(2026, 6, 17)),  # 5 working days excluded
        Extended(D(2026, 7, 1), 10),
    ]
    s = state(events)
    assert s.due == CAL.add_working_days(D(2026, 6, 1), 30, [(D(2026, 6, 10), D(2026, 6, 17))]).due


# --- §6 case 9: consultation ------------------------------------------------------------------


def test_case9_third_party_consultation_time_not_counted() -> None:
    """条例第三十二条、第三十三条第三款: received Wed 2026-07-01, letter Fri 7/3, reply Tue 7/14 →
    due Fri 2026-08-07 instead of 2026-07-29."""
    events: list[Event] = [
        Received(D(2026, 7, 1)),
        ConsultationStarted(D(2026, 7, 3), ConsultationKind.THIRD_PARTY, "甲公司"),
        ConsultationDelivered(D(2026, 7, 6), "甲公司"),
        ConsultationEnded(D(2026, 7, 14), "甲公司"),
    ]
    s = state(events)
    assert s.due == D(2026, 8, 7)
    assert not s.paused
    assert any(
        line.startswith("2026-07-03（不含）至 2026-07-14 征求第三方意见") and "其间7个工作日不计算" in line
        for line in s.explanation
    )
    (c,) = s.consultations
    assert c.reply_due == D(2026, 7, 27) and not c.expired


def test_case9_third_party_has_15_working_days_from_receiving_the_letter() -> None:
    """条例第三十二条: letter received Mon 2026-07-06 → the third party may reply until 2026-07-27."""
    assert consultation_reply_due(CAL, D(2026, 7, 6)) == D(2026, 7, 27)


def test_case9_open_consultation_pauses_the_clock() -> None:
    """条例第三十三条第三款: while the consultation is open the clock is paused; the due date shown
    assumes it resumes after ``as_of``."""
    events: list[Event] = [Received(D(2026, 7, 1)), ConsultationStarted(D(2026, 7, 3), ConsultationKind.THIRD_PARTY)]
    s = state(events, D(2026, 7, 14))
    assert s.paused and s.due == D(2026, 8, 7)
    assert s.risk is Risk.PAUSED
    assert any("征求第三方意见" in r for r in s.pause_reasons)
    assert s.days_used == 2  # 7/2 and 7/3


def test_case9_silence_after_15_working_days_resumes_the_clock() -> None:
    """条例第三十二条 [I]: 第三方逾期未提出意见的，由行政机关依照本条例的规定决定 — the excluded time
    ends on the third party's last day (7/27), even if nobody records the end."""
    events: list[Event] = [
        Received(D(2026, 7, 1)),
        ConsultationStarted(D(2026, 7, 3)),
        ConsultationDelivered(D(2026, 7, 6)),
    ]
    s = state(events, D(2026, 8, 3))
    assert not s.paused
    assert s.consultations[0].expired
    # 7/3 (excl.)–7/27 = 16 working days excluded: 7/29 + 16 working days.
    assert s.due == CAL.add_working_days(D(2026, 7, 1), 20, [(D(2026, 7, 3), D(2026, 7, 27))]).due == D(2026, 8, 20)


def test_other_agency_consultation_is_also_excluded() -> None:
    """条例第三十四条、第三十三条第三款: consulting another agency pauses the clock the same way."""
    events: list[Event] = [
        Received(D(2026, 7, 1)),
        ConsultationStarted(D(2026, 7, 3), ConsultationKind.OTHER_AGENCY, "市财政局"),
        ConsultationEnded(D(2026, 7, 14), "市财政局"),
    ]
    s = state(events)
    assert s.due == D(2026, 8, 7)
    assert any("征求其他机关意见（条例第三十四条" in line for line in s.explanation)


def test_parallel_consultations_overlap_without_double_counting() -> None:
    """条例第三十三条第三款: two third parties consulted at once: the union of the spans is excluded."""
    events: list[Event] = [
        Received(D(2026, 7, 1)),
        ConsultationStarted(D(2026, 7, 3), ref="甲"),
        ConsultationStarted(D(2026, 7, 6), ref="乙"),
        ConsultationEnded(D(2026, 7, 10), ref="乙"),
        ConsultationEnded(D(2026, 7, 14), ref="甲"),
    ]
    assert state(events).due == D(2026, 8, 7)


def test_ending_an_unknown_consultation_is_refused() -> None:
    """条例第三十二条: only an open consultation can end."""
    with pytest.raises(DeadlineError, match="没有进行中的征求意见"):
        state([Received(D(2026, 7, 1)), ConsultationEnded(D(2026, 7, 3))])


# --- Fees pause the clock (regulation.md §2.2) ----------------------------------------------------


def test_fee_notice_pauses_until_payment() -> None:
    """国办函〔2020〕109号 [M]: the time from the 收费通知 to payment is not counted."""
    events: list[Event] = [Received(D(2026, 6, 1)), FeeNoticed(D(2026, 6, 8))]
    waiting = state(events, D(2026, 6, 15))
    assert waiting.paused and waiting.awaiting_fee
    assert waiting.fee_payment_due == fee_payment_due(CAL, D(2026, 6, 8)) == D(2026, 7, 7)
    paid = state([*events, FeePaid(D(2026, 6, 15))])
    assert not paid.paused
    assert paid.due == CAL.add_working_days(D(2026, 6, 1), 20, [(D(2026, 6, 8), D(2026, 6, 15))]).due
    assert paid.due == D(2026, 7, 7)


def test_fee_unpaid_after_20_working_days_is_flagged_for_stopping() -> None:
    """国办函〔2020〕109号 [M]: unpaid 20 working days after the notice was received → 三(六)2."""
    events: list[Event] = [Received(D(2026, 6, 1)), FeeNoticed(D(2026, 6, 8), received_on=D(2026, 6, 10))]
    assert state(events, D(2026, 7, 9)).fee_payment_due == D(2026, 7, 9)
    assert not state(events, D(2026, 7, 9)).fee_overdue
    assert state(events, D(2026, 7, 10)).fee_overdue


def test_second_fee_notice_is_refused() -> None:
    """国办函〔2020〕109号第三条: one fee per application."""
    with pytest.raises(DeadlineError, match="已发出过收费通知"):
        state([Received(D(2026, 6, 1)), FeeNoticed(D(2026, 6, 8)), FeePaid(D(2026, 6, 9)), FeeNoticed(D(2026, 6, 10))])


# --- Flags, closing, reopening ---------------------------------------------------------------------


def test_due_soon_and_overdue_flags() -> None:
    """条例第三十三条第二款: due Mon 2026-02-02 → due-soon from 3 working days before, overdue after."""
    events: list[Event] = [Received(D(2026, 1, 5))]
    assert not state(events, D(2026, 1, 27)).due_soon  # 4 left
    soon = state(events, D(2026, 1, 28))
    assert soon.due_soon and soon.days_remaining == 3 and soon.risk is Risk.DUE_SOON
    today = state(events, D(2026, 2, 2))
    assert today.due_soon and not today.overdue and today.days_remaining == 0
    late = state(events, D(2026, 2, 4))
    assert late.overdue and not late.due_soon and late.days_overdue == 2 and late.risk is Risk.OVERDUE


def test_closed_request_records_whether_it_was_late() -> None:
    """条例第三十三条第二款: a closed request has no running flags; a reply after the due date is late."""
    on_time = state([Received(D(2026, 1, 5)), Closed(D(2026, 2, 2))], D(2026, 3, 1))
    assert not on_time.overdue and not on_time.replied_late and on_time.days_used == 20
    late = state([Received(D(2026, 1, 5)), Closed(D(2026, 2, 3))], D(2026, 3, 1))
    assert late.replied_late and late.risk is Risk.CLOSED


def test_closing_ends_an_open_pause() -> None:
    """条例第三十三条第三款: withdrawing during a consultation closes the pause on that day."""
    s = state([Received(D(2026, 7, 1)), ConsultationStarted(D(2026, 7, 3)), Closed(D(2026, 7, 8))], D(2026, 8, 1))
    assert not s.paused
    assert s.pauses[0].end == D(2026, 7, 8)


def test_events_after_closing_are_refused_until_reopened() -> None:
    """[I] 重新办理: after a reconsideration decision a fresh period starts."""
    closed: list[Event] = [Received(D(2026, 1, 5)), Closed(D(2026, 1, 20))]
    with pytest.raises(DeadlineError, match="已于 2026-01-20 办结"):
        state([*closed, Extended(D(2026, 1, 21), 5)])
    s = state([*closed, Reopened(D(2026, 3, 2))])
    assert s.due == D(2026, 3, 30) and not s.closed


def test_first_event_must_be_received_and_future_events_are_refused() -> None:
    """条例第三十一条: the clock starts at receipt; nothing is dated after ``as_of``."""
    with pytest.raises(DeadlineError, match="第一个事件必须是收到申请"):
        state([Closed(D(2026, 1, 5))])
    with pytest.raises(DeadlineError, match="晚于计算日期"):
        replay(CAL, [Received(D(2026, 1, 5)), Closed(D(2026, 1, 9))], as_of=D(2026, 1, 8))


def test_events_replay_in_date_order_whatever_the_recording_order() -> None:
    """条例第三十三条第三款: a consultation reply recorded late is still placed on its own day."""
    a = state([Received(D(2026, 7, 1)), ConsultationStarted(D(2026, 7, 3)), ConsultationEnded(D(2026, 7, 14))])
    b = state([Received(D(2026, 7, 1)), ConsultationEnded(D(2026, 7, 14)), ConsultationStarted(D(2026, 7, 3))])
    assert a == b


def test_check_event_validates_a_new_event() -> None:
    """条例第三十三条第二款: what a service does before saving an extension row."""
    history: list[Event] = [Received(D(2026, 6, 1))]
    assert check_event(CAL, history, Extended(D(2026, 6, 2), 20), as_of=D(2026, 6, 2)).due == D(2026, 7, 28)
    with pytest.raises(DeadlineError):
        check_event(CAL, history, Extended(D(2026, 7, 1), 20), as_of=D(2026, 7, 1))


def test_events_round_trip_through_rows() -> None:
    """Storage: every event survives ``event_kind``/``event_fields`` → ``make_event``."""
    events: list[Event] = [
        Received(D(2026, 7, 1), rule="条例第三十一条第（一）项"),
        CorrectionRequested(D(2026, 7, 2), 10),
        CorrectionReceived(D(2026, 7, 6)),
        ConsultationStarted(D(2026, 7, 7), ConsultationKind.OTHER_AGENCY, "市财政局"),
        ConsultationDelivered(D(2026, 7, 8), "市财政局"),
        ConsultationEnded(D(2026, 7, 9), "市财政局"),
        Extended(D(2026, 7, 10), 15),
        FeeNoticed(D(2026, 7, 13), D(2026, 7, 14)),
        FeePaid(D(2026, 7, 15)),
        Closed(D(2026, 8, 1)),
        Reopened(D(2026, 9, 1), 15),
    ]
    rows = [(event_kind(e), {**event_fields(e), "consultation": "other_agency"} if isinstance(e, ConsultationStarted) else event_fields(e)) for e in events]
    assert [make_event(kind, **fields) for kind, fields in rows] == events
    assert state(events).due == CAL.add_working_days(D(2026, 9, 1), 15).due
    with pytest.raises(DeadlineError, match="未知的事件类型"):
        make_event("bogus", on=D(2026, 1, 1))
    with pytest.raises(DeadlineError, match="不包含字段"):
        make_event("closed", on=D(2026, 1, 1), days=3)


# --- §6 case 15: unknown year ----------------------------------------------------------------------


def test_case15_2027_request_is_provisional() -> None:
    """条例第三十三条第二款, regulation.md §4.1: 2027-01-04 has no final due date — a provisional
    (待确认) one from weekends and statutory holidays, flagged wherever it shows."""
    s = state([Received(D(2027, 1, 4))])
    assert s.provisional and s.provisional_years == (2027,)
    assert s.status_label == "待确认"
    assert s.due == D(2027, 2, 1)
    assert s.explanation[-1] == "答复期限：2027-02-01（星期一）（待确认）"


# --- Properties ------------------------------------------------------------------------------------

receipts = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 10, 31))
spans = st.lists(st.tuples(st.integers(0, 25), st.integers(0, 20)), max_size=3)


def _consulted(received: date, raw: list[tuple[int, int]]) -> list[Event]:
    events: list[Event] = [Received(received)]
    for i, (offset, length) in enumerate(raw):
        start = received + timedelta(days=offset)
        events += [ConsultationStarted(start, ref=str(i)), ConsultationEnded(start + timedelta(days=length), ref=str(i))]
    return events


@settings(max_examples=150, deadline=None)
@given(receipts, spans)
def test_due_never_before_receipt(received: date, raw: list[tuple[int, int]]) -> None:
    """条例第三十三条第二款: the due date is always strictly after the receipt date."""
    s = state(_consulted(received, raw))
    assert s.due is not None and s.due > received


@settings(max_examples=150, deadline=None)
@given(receipts, spans)
def test_pauses_only_move_the_due_date_later(received: date, raw: list[tuple[int, int]]) -> None:
    """条例第三十三条第三款: excluded consultation time can only postpone the reply."""
    plain = state([Received(received)]).due
    paused = state(_consulted(received, raw)).due
    assert plain is not None and paused is not None and paused >= plain


@settings(max_examples=150, deadline=None)
@given(receipts, st.integers(1, 20), st.integers(0, 19))
def test_extension_adds_exactly_its_working_days(received: date, days: int, when: int) -> None:
    """条例第三十三条第二款: without pauses an extension of N moves the due date N working days later."""
    due = reply_due(CAL, received)
    approved = min(received + timedelta(days=when), due)
    s = state([Received(received), Extended(approved, days)])
    assert s.due == CAL.add_working_days(due, days).due
    assert CAL.working_days_between(due, s.due) == days


@settings(max_examples=100, deadline=None)
@given(receipts, st.integers(0, 40))
def test_used_plus_remaining_is_the_period_until_overdue(received: date, offset: int) -> None:
    """条例第三十三条第二款: days used + days remaining = 20 while not overdue."""
    s = state([Received(received)], received + timedelta(days=offset))
    assert s.days_used is not None and s.days_remaining is not None
    if not s.overdue:
        assert s.days_used + s.days_remaining == 20
    else:
        assert s.days_remaining == 0


def _random_event(draw: st.DrawFn, received: date) -> Event:
    on = received + timedelta(days=draw(st.integers(0, 60)))
    ref = draw(st.sampled_from(["", "甲"]))
    return draw(
        st.sampled_from([
            CorrectionRequested(on, draw(st.integers(1, 20))),
            CorrectionReceived(on),
            ConsultationStarted(on, ref=ref),
            ConsultationDelivered(on, ref=ref),
            ConsultationEnded(on, ref=ref),
            Extended(on, draw(st.integers(1, 20))),
            FeeNoticed(on),
            FeePaid(on),
            Closed(on),
            Reopened(on),
        ])
    )


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    received = draw(receipts)
    return [Received(received), *(_random_event(draw, received) for _ in range(draw(st.integers(0, 8))))]


@settings(max_examples=300, deadline=None)
@given(histories())
def test_any_history_is_either_refused_in_chinese_or_consistent(events: list[Event]) -> None:
    """条例第三十~三十四条: a random history is refused with a DeadlineError, or its state is
    consistent: the due date after the clock start, flags exclusive, a closed request not running."""
    try:
        s = state(events, max(e.on for e in events) + timedelta(days=10))
    except DeadlineError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
        return
    assert s.received_on is not None
    if s.due is not None:
        assert s.clock_start is not None and s.due > s.clock_start >= s.received_on
    assert not (s.overdue and s.due_soon)
    if s.closed:
        assert not s.overdue and not s.due_soon and not s.paused and not s.awaiting_fee
