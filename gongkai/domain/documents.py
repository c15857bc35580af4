"""Rules for government documents (政府信息/政策文件): 发文字号, 索引号, validity, publishing states.

Pure Python, no Django. regulation.md §5.2, platforms.md §1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DocumentError(ValueError):
    """A document field failed validation; ``str(error)`` is a Chinese message."""


# --- 发文字号 ---------------------------------------------------------------------------------
# 机关代字 + 〔year〕 + 序号 + 号. GB/T 9704-2012 uses U+3014/U+3015; people type [] () ［］ （）.
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "［": "〔", "］": "〕",
                           "（": "〔", "）": "〕", "【": "〔", "】": "〕", "{": "〔", "}": "〕"})
_DOC_NUMBER = re.compile(r"^(?P<agency>[^\s〔〕]{1,30}?)\s*〔\s*(?P<year>\d{4})\s*〕\s*(?P<seq>\d{1,6})\s*号?$")


@dataclass(frozen=True)
class DocNumber:
    agency: str  # 机关代字, e.g. 国办发
    year: int
    seq: int

    def __str__(self) -> str:
        return f"{self.agency}〔{self.year}〕{self.seq}号"


def parse_doc_number(raw: str) -> DocNumber:
    """Parse and normalise a 发文字号: ``国办发[2020] 27 号`` → 国办发〔2020〕27号."""
    text = raw.strip().translate(_BRACKETS).replace("　", "")
    match = _DOC_NUMBER.match(text)
    if match is None:
        raise DocumentError(f"发文字号“{raw.strip()}”格式不正确，应为“机关代字〔年份〕序号号”，如 国办发〔2020〕27号。")
    year = int(match["year"])
    if not 1949 <= year <= 2100:
        raise DocumentError(f"发文字号中的年份 {year} 不在合理范围内。")
    seq = int(match["seq"])
    if seq == 0:
        raise DocumentError("发文字号中的序号不能为0。")
    return DocNumber(agency=match["agency"], year=year, seq=seq)


def normalise_doc_number(raw: str) -> str:
    """Empty stays empty (many documents have no 发文字号); anything else must parse."""
    if not raw.strip():
        return ""
    return str(parse_doc_number(raw))


# --- 索引号 -------------------------------------------------------------------------------------

def index_number(org_code: str, year: int, seq: int) -> str:
    """索引号 as on gov.cn: organisation code / year-sequence, e.g. ``000014349/2018-00222``."""
    if not org_code:
        raise DocumentError("机关代码为空，无法生成索引号。")
    if seq < 1 or seq > 99999:
        raise DocumentError("索引号序号超出范围（1–99999）。")
    return f"{org_code}/{year}-{seq:05d}"


_INDEX_NO = re.compile(r"^[0-9A-Z]{1,18}/\d{4}-\d{5}$")


def validate_index_number(raw: str) -> str:
    value = raw.strip().upper()
    if not _INDEX_NO.match(value):
        raise DocumentError(f"索引号“{raw.strip()}”格式不正确，应为“机关代码/年份-五位序号”，如 000014349/2018-00222。")
    return value


# --- Validity (有效性) ------------------------------------------------------------------------

class Validity(StrEnum):
    VALID = "valid"  # 有效
    EXPIRED = "expired"  # 失效
    REPEALED = "repealed"  # 废止
    AMENDED = "amended"  # 已修改

    @property
    def label(self) -> str:
        return VALIDITY_LABELS[self]


VALIDITY_LABELS = {
    Validity.VALID: "有效",
    Validity.EXPIRED: "失效",
    Validity.REPEALED: "废止",
    Validity.AMENDED: "已修改",
}


def effective_validity(stored: Validity, repeal_on: date | None, today: date) -> Validity:
    """废止日期 reached → the document has lapsed (失效) unless it was explicitly repealed or
    amended; the stored value is what staff set, this is what the public sees on ``today``."""
    if stored == Validity.VALID and repeal_on is not None and repeal_on <= today:
        return Validity.EXPIRED
    return stored


# --- Publishing workflow ----------------------------------------------------------------------

class DocStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已提交
    SECRECY_REVIEW = "secrecy_review"  # 保密审查（条例第十七条）
    PUBLISHED = "published"  # 已发布（含定时发布）
    WITHDRAWN = "withdrawn"  # 已撤回


DOC_STATUS_LABELS = {
    DocStatus.DRAFT: "草稿",
    DocStatus.SUBMITTED: "已提交",
    DocStatus.SECRECY_REVIEW: "保密审查中",
    DocStatus.PUBLISHED: "已发布",
    DocStatus.WITHDRAWN: "已撤回",
}

DOC_TRANSITIONS: dict[DocStatus, frozenset[DocStatus]] = {
    DocStatus.DRAFT: frozenset({DocStatus.SUBMITTED}),
    DocStatus.SUBMITTED: frozenset({DocStatus.SECRECY_REVIEW, DocStatus.DRAFT}),
    DocStatus.SECRECY_REVIEW: frozenset({DocStatus.PUBLISHED, DocStatus.DRAFT}),
    DocStatus.PUBLISHED: frozenset({DocStatus.WITHDRAWN}),
    DocStatus.WITHDRAWN: frozenset({DocStatus.DRAFT}),
}


def assert_can_transition(src: DocStatus, dst: DocStatus) -> None:
    if dst not in DOC_TRANSITIONS[src]:
        raise DocumentError(
            f"文件当前状态为“{DOC_STATUS_LABELS[src]}”，不能变更为“{DOC_STATUS_LABELS[dst]}”。"
        )


# --- Disclosure attribute (公开属性) -----------------------------------------------------------

class Disclosure(StrEnum):
    PROACTIVE = "proactive"  # 主动公开
    ON_REQUEST = "on_request"  # 依申请公开
    WITHHELD = "withheld"  # 不予公开


DISCLOSURE_LABELS = {
    Disclosure.PROACTIVE: "主动公开",
    Disclosure.ON_REQUEST: "依申请公开",
    Disclosure.WITHHELD: "不予公开",
}


class WithholdingGround(StrEnum):
    """Legal grounds for not disclosing proactively (条例第十四条至第十六条)."""

    STATE_SECRET = "art14_secret"
    LAW_FORBIDS = "art14_law"
    SECURITY_STABILITY = "art14_security"
    TRADE_SECRET = "art15_trade_secret"
    PRIVACY = "art15_privacy"
    INTERNAL_AFFAIRS = "art16_internal"
    PROCESS_INFO = "art16_process"
    ENFORCEMENT_FILE = "art16_enforcement"


WITHHOLDING_GROUND_LABELS = {
    WithholdingGround.STATE_SECRET: "第十四条：国家秘密",
    WithholdingGround.LAW_FORBIDS: "第十四条：法律、行政法规禁止公开",
    WithholdingGround.SECURITY_STABILITY: "第十四条：公开后可能危及国家安全、公共安全、经济安全、社会稳定",
    WithholdingGround.TRADE_SECRET: "第十五条：涉及商业秘密，公开会对第三方合法权益造成损害",
    WithholdingGround.PRIVACY: "第十五条：涉及个人隐私，公开会对第三方合法权益造成损害",
    WithholdingGround.INTERNAL_AFFAIRS: "第十六条第一款：内部事务信息（人事管理、后勤管理、内部工作流程等）",
    WithholdingGround.PROCESS_INFO: "第十六条第二款：过程性信息（讨论记录、过程稿、磋商信函、请示报告等）",
    WithholdingGround.ENFORCEMENT_FILE: "第十六条第二款：行政执法案卷信息",
}

# 不予公开 (withheld entirely) may rest on Arts. 14–16; 依申请公开 is for information that is public
# in principle but not of the Art. 19–21 kinds, or that touches Arts. 15–16 case by case.
ALLOWED_GROUNDS: dict[Disclosure, frozenset[WithholdingGround]] = {
    Disclosure.WITHHELD: frozenset(WithholdingGround),
    Disclosure.ON_REQUEST: frozenset({
        WithholdingGround.TRADE_SECRET, WithholdingGround.PRIVACY, WithholdingGround.INTERNAL_AFFAIRS,
        WithholdingGround.PROCESS_INFO, WithholdingGround.ENFORCEMENT_FILE,
    }),
    Disclosure.PROACTIVE: frozenset(),
}


def check_ground(attribute: Disclosure, ground: WithholdingGround | None, explanation: str) -> None:
    """Non-proactive attributes need a legal ground that fits and a written explanation."""
    if attribute == Disclosure.PROACTIVE:
        return
    if ground is None:
        raise DocumentError(f"设为“{DISCLOSURE_LABELS[attribute]}”必须选择条例第十四条至第十六条规定的理由。")
    if ground not in ALLOWED_GROUNDS[attribute]:
        raise DocumentError(
            f"“{WITHHOLDING_GROUND_LABELS[ground]}”不能作为“{DISCLOSURE_LABELS[attribute]}”的理由。"
        )
    if len(explanation.strip()) < 10:
        raise DocumentError("请写明不主动公开的具体理由（不少于10个字）。")
