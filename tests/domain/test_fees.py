"""信息处理费: 国办函〔2020〕109号, regulation.md §2 and §6 cases 12–13. Pure, no database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain.fees import (
    FeeError,
    FeeMethod,
    assert_single_method,
    monthly_ordinal,
    per_request_fee,
    per_request_total,
    per_volume_fee,
    quote_fee,
    quote_per_request,
    quote_per_volume,
)


def test_case12_per_request_45_in_one_month() -> None:
    """国办函〔2020〕109号第四条: 45 applications in 2026-03 → #1–10 0, #11–30 100, #31–40 200,
    #41–45 300: total 5,500 元; #45 alone 300 元."""
    assert [per_request_fee(k) for k in (1, 10, 11, 30, 31, 40, 41, 45)] == [0, 0, 100, 100, 200, 200, 300, 300]
    assert per_request_total(45) == 5500
    assert per_request_fee(45) == 300
    q = quote_per_request(45)
    assert q.amount == 300 and q.method is FeeMethod.PER_REQUEST
    assert "第41–50件每件300元" in q.explanation[1]
    assert q.explanation[-1] == "应收 300元"
    assert q.basis.endswith("第四条")


def test_case12_bands_continue_beyond_50() -> None:
    """国办函〔2020〕109号第四条 [I]: for k ≥ 31, fee = 100 × (2 + ⌊(k−31)/10⌋)."""
    for k in range(31, 200):
        assert per_request_fee(k) == 100 * (2 + (k - 31) // 10)


def test_case12_count_restarts_each_calendar_month() -> None:
    """国办函〔2020〕109号第四条 一个自然月内累计: an application on 2026-04-01 is #1 again, costing 0."""
    march = [date(2026, 3, d) for d in range(1, 31)] + [date(2026, 3, 31)] * 14
    assert monthly_ordinal(march, date(2026, 3, 31)) == 45
    assert monthly_ordinal(march, date(2026, 4, 1)) == 1
    assert per_request_fee(monthly_ordinal(march, date(2026, 4, 1))) == 0
    assert monthly_ordinal([date(2025, 3, 5)], date(2026, 3, 5)) == 1  # same month, other year


def test_case12_never_both_methods() -> None:
    """国办函〔2020〕109号第三条: the same application must never also be charged 按量."""
    with pytest.raises(FeeError, match="不能同时计收"):
        quote_fee(FeeMethod.PER_REQUEST, ordinal=45, pages=250)
    with pytest.raises(FeeError, match="按件和按量不能同时计收"):
        assert_single_method([FeeMethod.PER_REQUEST], FeeMethod.PER_VOLUME)
    with pytest.raises(FeeError, match="不能重复计收"):
        assert_single_method([FeeMethod.PER_VOLUME], FeeMethod.PER_VOLUME)
    assert_single_method([], FeeMethod.PER_VOLUME)


@pytest.mark.parametrize(("pages", "fee"), [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (250, 4700)])
def test_case13_per_volume(pages: int, fee: int) -> None:
    """国办函〔2020〕109号第五条: 30 pages 0; 31 pages 10; 100 pages 700; 250 pages = 70×10 + 100×20
    + 50×40 = 4,700 元."""
    assert per_volume_fee(pages) == fee


def test_case13_explanation_shows_each_bracket() -> None:
    """国办函〔2020〕109号第五条: the 收费通知 lists the computation."""
    q = quote_fee(FeeMethod.PER_VOLUME, pages=250)
    assert q.explanation == (
        "按量计收（《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）第五条）：共250页",
        "第1–30页不收费",
        "第31–100页 70页×10元 = 700元",
        "第101–200页 100页×20元 = 2000元",
        "第201–250页 50页×40元 = 2000元",
        "应收 4700元",
    )
    assert q.chargeable and not quote_per_volume(30).chargeable


@pytest.mark.parametrize("bad", [0, -1, True])
def test_bad_quantities_are_refused(bad: int) -> None:
    """国办函〔2020〕109号第四条: the ordinal is a positive integer."""
    with pytest.raises(FeeError):
        per_request_fee(bad)
    with pytest.raises(FeeError):
        per_volume_fee(-1)
    with pytest.raises(FeeError, match="须提供页数"):
        quote_fee(FeeMethod.PER_VOLUME)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 500))
def test_per_request_fee_is_monotonic_in_ordinal(k: int) -> None:
    """国办函〔2020〕109号第三条 超额累进: a later application in the month never costs less."""
    assert per_request_fee(k + 1) >= per_request_fee(k)
    assert per_request_total(k + 1) - per_request_total(k) == per_request_fee(k + 1)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000))
def test_per_volume_fee_is_monotonic_in_pages(p: int) -> None:
    """国办函〔2020〕109号第五条 超额累进: one more page never costs less, and adds that page's rate."""
    step = per_volume_fee(p + 1) - per_volume_fee(p)
    assert step in (0, 10, 20, 40)
    assert step == (0 if p + 1 <= 30 else 10 if p + 1 <= 100 else 20 if p + 1 <= 200 else 40)
