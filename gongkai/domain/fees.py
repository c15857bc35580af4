"""信息处理费 (information processing fee): 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号),
regulation.md §2 and §6 cases 12–13.

Pure Python, no Django. Two methods, both 超额累进 (progressive, like tax brackets); the agency
picks one per application and never charges both (第三条). Amounts are whole 元.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

BASIS: Final = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"

# 第四条 按件: k-th application of the applicant in one calendar month.
PER_REQUEST_FREE: Final = 10
PER_REQUEST_FIRST_BAND_END: Final = 30
PER_REQUEST_FIRST_BAND_FEE: Final = 100
PER_REQUEST_BAND_SIZE: Final = 10
PER_REQUEST_BAND_STEP: Final = 100

# 第五条 按量: (first page, last page or None, 元 per page).
PER_VOLUME_BRACKETS: Final = ((1, 30, 0), (31, 100, 10), (101, 200, 20), (201, None, 40))


class FeeError(ValueError):
    """Bad fee input; ``str(error)`` is a Chinese message."""


class FeeMethod(StrEnum):
    PER_REQUEST = "per_request"  # 按件计收
    PER_VOLUME = "per_volume"  # 按量计收

    @property
    def label(self) -> str:
        return "按件计收" if self is FeeMethod.PER_REQUEST else "按量计收"

    @property
    def article(self) -> str:
        return "第四条" if self is FeeMethod.PER_REQUEST else "第五条"


@dataclass(frozen=True)
class FeeQuote:
    """The fee of one application with the lines of its computation (for the 收费通知)."""

    method: FeeMethod
    amount: int  # 元
    quantity: int  # the monthly ordinal (按件) or the number of pages (按量)
    explanation: tuple[str, ...]

    @property
    def basis(self) -> str:
        return f"{BASIS}{self.method.article}"

    @property
    def chargeable(self) -> bool:
        return self.amount > 0


def _positive(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FeeError(f"{what}必须是正整数。")
    return value


def _non_negative(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FeeError(f"{what}不能为负数。")
    return value


# --- 按件 ---------------------------------------------------------------------------------------


def per_request_fee(ordinal: int) -> int:
    """Fee of the applicant's ``ordinal``-th application in a calendar month: 1–10 free,
    11–30 100 元, then each band of 10 costs 100 元 more (31–40 200, 41–50 300 …)."""
    k = _positive(ordinal, "本月申请序号")
    if k <= PER_REQUEST_FREE:
        return 0
    if k <= PER_REQUEST_FIRST_BAND_END:
        return PER_REQUEST_FIRST_BAND_FEE
    band = (k - PER_REQUEST_FIRST_BAND_END - 1) // PER_REQUEST_BAND_SIZE
    return PER_REQUEST_FIRST_BAND_FEE + PER_REQUEST_BAND_STEP * (band + 1)


def per_request_total(count: int) -> int:
    """Total fee of ``count`` applications by one applicant in one calendar month."""
    _non_negative(count, "申请件数")
    return sum(per_request_fee(k) for k in range(1, count + 1))


def monthly_ordinal(earlier_receipts: Iterable[date], received_on: date) -> int:
    """第四条 一个自然月内累计: 1 + the applicant's earlier applications received in the same
    calendar month as ``received_on`` (an application on the 1st of the next month is #1)."""
    return 1 + sum(
        1 for d in earlier_receipts if (d.year, d.month) == (received_on.year, received_on.month) and d <= received_on
    )


def quote_per_request(ordinal: int) -> FeeQuote:
    amount = per_request_fee(ordinal)
    lines = [f"按件计收（{BASIS}第四条）：本申请为该申请人本自然月内第{ordinal}件"]
    if ordinal <= PER_REQUEST_FREE:
        lines.append(f"同一申请人一个自然月内前{PER_REQUEST_FREE}件不收费")
    elif ordinal <= PER_REQUEST_FIRST_BAND_END:
        lines.append(f"第{PER_REQUEST_FREE + 1}–{PER_REQUEST_FIRST_BAND_END}件每件{PER_REQUEST_FIRST_BAND_FEE}元")
    else:
        band = (ordinal - PER_REQUEST_FIRST_BAND_END - 1) // PER_REQUEST_BAND_SIZE
        first = PER_REQUEST_FIRST_BAND_END + 1 + band * PER_REQUEST_BAND_SIZE
        last = first + PER_REQUEST_BAND_SIZE - 1
        lines.append(
            f"第{PER_REQUEST_FIRST_BAND_END + 1}件起每{PER_REQUEST_BAND_SIZE}件为一档，每档每件加收"
            f"{PER_REQUEST_BAND_STEP}元；第{first}–{last}件每件{amount}元"
        )
    lines.append(f"应收 {amount}元")
    return FeeQuote(FeeMethod.PER_REQUEST, amount, ordinal, tuple(lines))


# --- 按量 ---------------------------------------------------------------------------------------


def per_volume_fee(pages: int) -> int:
    """第五条: 1–30 pages free, 31–100 10 元/page, 101–200 20 元/page, 201+ 40 元/page,
    each rate only on the pages inside its bracket."""
    p = _non_negative(pages, "页数")
    total = 0
    for first, last, rate in PER_VOLUME_BRACKETS:
        top = p if last is None else min(p, last)
        if top >= first:
            total += (top - first + 1) * rate
    return total


def quote_per_volume(pages: int) -> FeeQuote:
    amount = per_volume_fee(pages)
    lines = [f"按量计收（{BASIS}第五条）：共{pages}页"]
    for first, last, rate in PER_VOLUME_BRACKETS:
        top = pages if last is None else min(pages, last)
        if top < first:
            break
        count = top - first + 1
        span = f"第{first}–{top}页" if top != first else f"第{first}页"
        if rate == 0:
            lines.append(f"{span}不收费")
        else:
            lines.append(f"{span} {count}页×{rate}元 = {count * rate}元")
    lines.append(f"应收 {amount}元")
    return FeeQuote(FeeMethod.PER_VOLUME, amount, pages, tuple(lines))


# --- One method per application ---------------------------------------------------------------


def quote_fee(method: FeeMethod, *, ordinal: int | None = None, pages: int | None = None) -> FeeQuote:
    """The fee of one application by exactly one method; giving both quantities is refused
    because the same application must never be charged both ways (第三条)."""
    method = FeeMethod(method)
    if ordinal is not None and pages is not None:
        raise FeeError("同一申请只能选择按件或按量一种方式计收，不能同时计收。")
    if method is FeeMethod.PER_REQUEST:
        if ordinal is None:
            raise FeeError("按件计收须提供该申请人本自然月内的申请序号。")
        return quote_per_request(ordinal)
    if pages is None:
        raise FeeError("按量计收须提供页数。")
    return quote_per_volume(pages)


def assert_single_method(existing: Iterable[FeeMethod], new: FeeMethod) -> None:
    """Refuse a second fee on an application already charged (by either method)."""
    methods = {FeeMethod(m) for m in existing}
    if not methods:
        return
    if FeeMethod(new) in methods:
        raise FeeError("本申请已计收过信息处理费，不能重复计收。")
    raise FeeError("本申请已按另一种方式计收信息处理费，按件和按量不能同时计收。")
