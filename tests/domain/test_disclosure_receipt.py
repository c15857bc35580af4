"""Receipt date (收到申请之日): 条例第三十一条, regulation.md §1.2 and §6 cases 1–6. Pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain.calendar import WorkingCalendar
from gongkai.domain.disclosure_deadlines import Received, replay
from gongkai.domain.disclosure_receipt import (
    CHINA_TZ,
    Channel,
    ReceiptError,
    confirmation_day_for,
    determine_receipt,
    local_date,
)

CAL = WorkingCalendar.from_library()


def due_for(received_on: date) -> date:
    state = replay(CAL, [Received(received_on)], as_of=received_on)
    assert state.due is not None and not state.provisional
    return state.due


def test_case1_in_person_is_the_day_of_submission() -> None:
    """条例第三十一条第（一）项、第三十三条第二款: 当面 Mon 2026-01-05 → received that day, due 2026-02-02."""
    r = determine_receipt(Channel.IN_PERSON, datetime(2026, 1, 5, 10, 30))
    assert r.received_on == date(2026, 1, 5)
    assert r.article == "条例第三十一条第（一）项"
    assert "以提交之日为收到申请之日" in r.rule_text
    assert not r.same_day_breach
    assert due_for(r.received_on) == date(2026, 2, 2)


def test_case2_online_on_saturday_is_received_on_confirmation_monday() -> None:
    """条例第三十一条第（三）项: online form sent Sat 2026-03-07, agency confirms Mon 2026-03-09 →
    received 2026-03-09, due Tue 2026-04-07."""
    r = determine_receipt(Channel.ONLINE, datetime(2026, 3, 7, 21, 0), datetime(2026, 3, 9, 9, 0))
    assert r.received_on == date(2026, 3, 9)
    assert r.article == "条例第三十一条第（三）项"
    assert "双方确认之日" in r.rule_text
    assert due_for(r.received_on) == date(2026, 4, 7)


def test_case2_online_without_confirmation_has_no_receipt_date_yet() -> None:
    """条例第三十一条第（三）项: before both sides confirm there is no 收到申请之日 and no clock."""
    r = determine_receipt(Channel.ONLINE, datetime(2026, 3, 7, 21, 0), as_of=date(2026, 3, 8))
    assert r.received_on is None
    assert r.awaiting_confirmation
    assert "尚待与申请人确认" in r.explanation[-1]


def test_case2_first_confirmation_day_after_a_weekend_submission() -> None:
    """条例第三十一条第（三）项 [I]: the office confirms on its first working day — Mon 2026-03-09
    for a Saturday submission; the make-up Saturday 2026-02-14 is itself a working day."""
    assert confirmation_day_for(CAL, datetime(2026, 3, 7, 21, 0)) == date(2026, 3, 9)
    assert confirmation_day_for(CAL, date(2026, 2, 14)) == date(2026, 2, 14)
    assert confirmation_day_for(CAL, date(2026, 9, 30)) == date(2026, 9, 30)
    assert confirmation_day_for(CAL, date(2026, 10, 1)) == date(2026, 10, 8)


def test_case3_online_confirmed_on_makeup_saturday() -> None:
    """条例第三十一条第（三）项: submitted and confirmed Sat 2026-02-14 (调休上班) → received that day,
    due Fri 2026-03-20."""
    r = determine_receipt(Channel.ONLINE, datetime(2026, 2, 14, 9), datetime(2026, 2, 14, 11))
    assert r.received_on == date(2026, 2, 14)
    assert due_for(r.received_on) == date(2026, 3, 20)


def test_case4_registered_post_is_the_signing_day() -> None:
    """条例第三十一条第（二）项: 邮寄 signed for Fri 2026-04-03 → received that day, due Thu 2026-05-07."""
    r = determine_receipt(Channel.REGISTERED_POST, datetime(2026, 4, 3, 15))
    assert r.received_on == date(2026, 4, 3)
    assert "签收之日" in r.rule_text
    assert due_for(r.received_on) == date(2026, 5, 7)


def test_case5_ordinary_letter_confirmed_same_day() -> None:
    """条例第三十一条第（二）项: 平常信函 arrives and is confirmed by phone Mon 2026-09-21 → received that
    day, no breach, due Mon 2026-10-26."""
    r = determine_receipt(Channel.ORDINARY_LETTER, datetime(2026, 9, 21, 9), datetime(2026, 9, 21, 16))
    assert r.received_on == date(2026, 9, 21)
    assert not r.same_day_breach
    assert due_for(r.received_on) == date(2026, 10, 26)


def test_case5_ordinary_letter_confirmed_later_is_a_breach() -> None:
    """条例第三十一条第（二）项: confirmed a day after arrival → the confirmation day counts and the
    same-day duty is flagged."""
    r = determine_receipt(Channel.ORDINARY_LETTER, date(2026, 9, 21), date(2026, 9, 22))
    assert r.received_on == date(2026, 9, 22)
    assert r.same_day_breach
    assert any("违反条例第三十一条第（二）项" in line for line in r.explanation)


def test_case5_ordinary_letter_unconfirmed_after_arrival_day_is_a_breach() -> None:
    """条例第三十一条第（二）项: still unconfirmed the day after arrival → breach already, no receipt date."""
    same_day = determine_receipt(Channel.ORDINARY_LETTER, date(2026, 9, 21), as_of=date(2026, 9, 21))
    assert not same_day.same_day_breach
    next_day = determine_receipt(Channel.ORDINARY_LETTER, date(2026, 9, 21), as_of=date(2026, 9, 22))
    assert next_day.same_day_breach and next_day.received_on is None


def test_case6_fax_is_the_day_both_sides_confirm() -> None:
    """条例第三十一条第（三）项: 传真 confirmed Thu 2026-04-30 → due Mon 2026-06-01."""
    r = determine_receipt(Channel.FAX, datetime(2026, 4, 29, 18), datetime(2026, 4, 30, 9))
    assert r.received_on == date(2026, 4, 30)
    assert "传真" in r.rule_text
    assert not r.same_day_breach  # the same-day duty is written for ordinary letters only
    assert due_for(r.received_on) == date(2026, 6, 1)


def test_email_uses_the_internet_rule() -> None:
    """条例第三十一条第（三）项: e-mail is an 互联网渠道; receipt = confirmation day."""
    r = determine_receipt(Channel.EMAIL, date(2026, 5, 6), date(2026, 5, 7))
    assert r.received_on == date(2026, 5, 7)
    assert r.article == "条例第三十一条第（三）项"


def test_confirmation_before_arrival_is_rejected() -> None:
    """条例第三十一条: a confirmation cannot precede the arrival; nothing is derived."""
    with pytest.raises(ReceiptError, match="早于申请到达日期"):
        determine_receipt(Channel.FAX, date(2026, 4, 30), date(2026, 4, 29))


def test_arrival_in_the_future_is_rejected() -> None:
    """条例第三十一条: an arrival after today is a typing error."""
    with pytest.raises(ReceiptError, match="晚于今天"):
        determine_receipt(Channel.IN_PERSON, date(2026, 5, 1), as_of=date(2026, 4, 30))


def test_aware_datetimes_are_read_in_china_time() -> None:
    """条例第三十一条: 2026-01-04 17:00 UTC is already Monday 2026-01-05 in Beijing."""
    utc = datetime(2026, 1, 4, 17, 0, tzinfo=UTC)
    assert local_date(utc) == date(2026, 1, 5)
    assert determine_receipt(Channel.IN_PERSON, utc).received_on == date(2026, 1, 5)
    assert local_date(datetime(2026, 1, 5, 0, 30, tzinfo=CHINA_TZ)) == date(2026, 1, 5)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(list(Channel)),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 1)),
    st.integers(0, 10),
)
def test_receipt_never_before_arrival(channel: Channel, arrived: date, delay: int) -> None:
    """条例第三十一条: the receipt date is never before arrival, and the breach flag only concerns
    ordinary letters confirmed after their arrival day."""
    r = determine_receipt(channel, arrived, arrived + timedelta(days=delay))
    assert r.received_on is not None and r.received_on >= arrived
    assert r.same_day_breach == (channel is Channel.ORDINARY_LETTER and delay > 0)
