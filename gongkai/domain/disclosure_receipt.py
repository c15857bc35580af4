"""Receipt date of a disclosure request (收到申请之日): 条例第三十一条, regulation.md §1.2.

Pure Python, no Django. Staff (or the online form) record the channel, the raw arrival time and,
where the article requires it, the confirmation time; the receipt date is always derived here,
never typed in. An ordinary letter (平常信函) must be confirmed with the applicant on the day it
arrives; a later confirmation still fixes the receipt date but is flagged as a breach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Final

from gongkai.domain.calendar import WorkingCalendar, format_day

# China has one civil time zone and no daylight saving; aware datetimes are read in it.
CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


class ReceiptError(ValueError):
    """Inconsistent receipt data; ``str(error)`` is a Chinese message."""


class Channel(StrEnum):
    """How the application reached the agency (提交方式)."""

    IN_PERSON = "in_person"  # 当面提交
    REGISTERED_POST = "registered_post"  # 邮寄（需签收）
    ORDINARY_LETTER = "ordinary_letter"  # 平常信函等无需签收的邮寄
    FAX = "fax"  # 传真
    EMAIL = "email"  # 电子邮件
    ONLINE = "online"  # 网上申请平台

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]

    @property
    def needs_confirmation(self) -> bool:
        """The receipt date is the confirmation day (确认之日), not the arrival day."""
        return self in CONFIRMED_CHANNELS


CHANNEL_LABELS: Final = {
    Channel.IN_PERSON: "当面提交",
    Channel.REGISTERED_POST: "邮寄（签收）",
    Channel.ORDINARY_LETTER: "平常信函",
    Channel.FAX: "传真",
    Channel.EMAIL: "电子邮件",
    Channel.ONLINE: "网上申请",
}

CONFIRMED_CHANNELS: Final = frozenset({Channel.ORDINARY_LETTER, Channel.FAX, Channel.EMAIL, Channel.ONLINE})

ARTICLE_ITEMS: Final = {
    Channel.IN_PERSON: "条例第三十一条第（一）项",
    Channel.REGISTERED_POST: "条例第三十一条第（二）项",
    Channel.ORDINARY_LETTER: "条例第三十一条第（二）项",
    Channel.FAX: "条例第三十一条第（三）项",
    Channel.EMAIL: "条例第三十一条第（三）项",
    Channel.ONLINE: "条例第三十一条第（三）项",
}

RULES: Final = {
    Channel.IN_PERSON: "申请人当面提交政府信息公开申请的，以提交之日为收到申请之日",
    Channel.REGISTERED_POST: "申请人以邮寄方式提交政府信息公开申请的，以行政机关签收之日为收到申请之日",
    Channel.ORDINARY_LETTER: (
        "以平常信函等无需签收的邮寄方式提交的，政府信息公开工作机构应当于收到申请的当日"
        "与申请人确认，确认之日为收到申请之日"
    ),
    Channel.FAX: "通过政府信息公开工作机构的传真提交的，以双方确认之日为收到申请之日",
    Channel.EMAIL: "通过互联网渠道（电子邮件）提交的，以双方确认之日为收到申请之日",
    Channel.ONLINE: "通过互联网渠道（网上申请平台）提交的，以双方确认之日为收到申请之日",
}


def local_date(value: datetime | date) -> date:
    """The calendar day in China of a date or datetime (naive datetimes are taken as local)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(CHINA_TZ).date()
        return value.date()
    return value


@dataclass(frozen=True)
class Receipt:
    """The derived receipt date with the rule applied.

    ``received_on`` is None while a confirmation the article requires is still missing.
    ``same_day_breach``: an ordinary letter confirmed (or, as of ``as_of``, still unconfirmed)
    after the day it arrived — a breach of the same-day duty (条例第三十一条第（二）项).
    """

    channel: Channel
    arrived_on: date
    confirmed_on: date | None
    received_on: date | None
    article: str
    rule: str
    same_day_breach: bool = False

    @property
    def awaiting_confirmation(self) -> bool:
        return self.received_on is None

    @property
    def rule_text(self) -> str:
        """One Chinese line citing the article and item, for the 回执 and the request page."""
        return f"{self.article}：{self.rule}"

    @property
    def explanation(self) -> tuple[str, ...]:
        lines = [f"提交方式：{self.channel.label}；到达 {format_day(self.arrived_on)}"]
        if self.confirmed_on is not None and self.channel.needs_confirmation:
            lines.append(f"确认日期 {format_day(self.confirmed_on)}")
        lines.append(self.rule_text)
        if self.received_on is None:
            lines.append("尚待与申请人确认，收到申请之日暂未确定")
        else:
            lines.append(f"收到申请之日：{format_day(self.received_on)}")
        if self.same_day_breach:
            lines.append(
                f"警示：平常信函于 {self.arrived_on.isoformat()} 收到，未在当日与申请人确认，"
                "违反条例第三十一条第（二）项的当日确认要求"
            )
        return tuple(lines)


def determine_receipt(
    channel: Channel,
    arrived_at: datetime | date,
    confirmed_at: datetime | date | None = None,
    *,
    as_of: date | None = None,
) -> Receipt:
    """收到申请之日 per 条例第三十一条 from channel, arrival and confirmation.

    - 当面: the day of submission (``arrived_at``); confirmation is ignored.
    - 邮寄（签收）: the day the agency signs for it — ``arrived_at`` is the signing time.
    - 平常信函: the confirmation day; confirmation later than arrival (or none yet when
      ``as_of`` is past the arrival day) sets ``same_day_breach``.
    - 传真, 电子邮件, 网上: the day both sides confirm (``confirmed_at``); an online form sent on
      a Saturday and confirmed on Monday is received on Monday (regulation.md §6 case 2).
    """
    channel = Channel(channel)
    arrived_on = local_date(arrived_at)
    confirmed_on = local_date(confirmed_at) if confirmed_at is not None else None
    if confirmed_on is not None and confirmed_on < arrived_on:
        raise ReceiptError(
            f"确认日期 {confirmed_on.isoformat()} 早于申请到达日期 {arrived_on.isoformat()}，请核对。"
        )
    if as_of is not None and as_of < arrived_on:
        raise ReceiptError(f"申请到达日期 {arrived_on.isoformat()} 晚于今天，请核对。")
    article = ARTICLE_ITEMS[channel]
    rule = RULES[channel]
    if not channel.needs_confirmation:
        return Receipt(channel, arrived_on, confirmed_on, arrived_on, article, rule)
    breach = False
    if channel is Channel.ORDINARY_LETTER:
        if confirmed_on is not None:
            breach = confirmed_on > arrived_on
        elif as_of is not None:
            breach = as_of > arrived_on
    return Receipt(channel, arrived_on, confirmed_on, confirmed_on, article, rule, breach)


def confirmation_day_for(calendar: WorkingCalendar, arrived_at: datetime | date) -> date:
    """[I] The day the office confirms an online/e-mail/fax submission when it confirms on its
    first working day: the arrival day if that is a working day, else the next working day.
    An automatic acknowledgement sent on a weekend is not 双方确认 (regulation.md §6 case 2)."""
    d = local_date(arrived_at)
    while not calendar.is_working_day(d):
        d += timedelta(days=1)
    return d
