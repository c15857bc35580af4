"""Reply outcomes of a disclosure request (答复类型) and how they are counted in the annual
report (年度报告表三): 条例第三十~三十九条, regulation.md §1.7, §3.4 and §6 cases 14–15.

Pure Python, no Django. Every outcome maps to exactly one table-3 row; several outcomes can share
a row (已主动公开 and 可以公开 both count in 三(一)). ``confirmed`` is False where the
outcome → row mapping or the cited article is marked [M] in regulation.md: usable, but it needs
sign-off from a lawyer or the local 政务公开办.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final


class OutcomeError(ValueError):
    """Bad outcome or applicant data; ``str(error)`` is a Chinese message."""


# --- Table 3 rows ---------------------------------------------------------------------------

ROW_NEW: Final = "一"
ROW_CARRIED_OVER: Final = "二"
ROW_TOTAL: Final = "三(七)"
ROW_CARRIED_FORWARD: Final = "四"

# Labels exactly as printed in the 〔2021〕30号 format (regulation.md §3.4), in table order.
TABLE3_ROWS: Final[Mapping[str, str]] = {
    "一": "一、本年新收政府信息公开申请数量",
    "二": "二、上年结转政府信息公开申请数量",
    "三(一)": "（一）予以公开",
    "三(二)": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "三(三)1": "1.属于国家秘密",
    "三(三)2": "2.其他法律行政法规禁止公开",
    "三(三)3": "3.危及“三安全一稳定”",
    "三(三)4": "4.保护第三方合法权益",
    "三(三)5": "5.属于三类内部事务信息",
    "三(三)6": "6.属于四类过程性信息",
    "三(三)7": "7.属于行政执法案卷",
    "三(三)8": "8.属于行政查询事项",
    "三(四)1": "1.本机关不掌握相关政府信息",
    "三(四)2": "2.没有现成信息需要另行制作",
    "三(四)3": "3.补正后申请内容仍不明确",
    "三(五)1": "1.信访举报投诉类申请",
    "三(五)2": "2.重复申请",
    "三(五)3": "3.要求提供公开出版物",
    "三(五)4": "4.无正当理由大量反复申请",
    "三(五)5": "5.要求行政机关确认或重新出具已获取信息",
    "三(六)1": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "三(六)2": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "三(六)3": "3.其他",
    "三(七)": "（七）总计",
    "四": "四、结转下年度继续办理",
}

RESULT_ROWS: Final = tuple(code for code in TABLE3_ROWS if code.startswith("三(") and code != ROW_TOTAL)

GROUP_HEADINGS: Final[Mapping[str, str]] = {
    "三": "三、本年度办理结果",
    "三(三)": "（三）不予公开",
    "三(四)": "（四）无法提供",
    "三(五)": "（五）不予处理",
    "三(六)": "（六）其他处理",
}


class OutcomeGroup(StrEnum):
    DISCLOSED = "disclosed"  # 予以公开
    PARTIAL = "partial"  # 部分公开
    WITHHELD = "withheld"  # 不予公开
    UNABLE = "unable"  # 无法提供
    NOT_PROCESSED = "not_processed"  # 不予处理
    OTHER = "other"  # 其他处理

    @property
    def label(self) -> str:
        return GROUP_LABELS[self]


GROUP_LABELS: Final = {
    OutcomeGroup.DISCLOSED: "予以公开",
    OutcomeGroup.PARTIAL: "部分公开",
    OutcomeGroup.WITHHELD: "不予公开",
    OutcomeGroup.UNABLE: "无法提供",
    OutcomeGroup.NOT_PROCESSED: "不予处理",
    OutcomeGroup.OTHER: "其他处理",
}


class Outcome(StrEnum):
    """One closing result of a request (答复类型 / 办理结果)."""

    DISCLOSED = "disclosed"
    ALREADY_PUBLIC = "already_public"
    PARTIAL = "partial"
    WITHHELD_STATE_SECRET = "withheld_state_secret"
    WITHHELD_PROHIBITED_BY_LAW = "withheld_prohibited_by_law"
    WITHHELD_SECURITY_STABILITY = "withheld_security_stability"
    WITHHELD_THIRD_PARTY = "withheld_third_party"
    WITHHELD_INTERNAL_AFFAIRS = "withheld_internal_affairs"
    WITHHELD_PROCESS_INFO = "withheld_process_info"
    WITHHELD_ENFORCEMENT_FILE = "withheld_enforcement_file"
    WITHHELD_ADMIN_QUERY = "withheld_admin_query"
    UNABLE_NOT_HELD = "unable_not_held"
    UNABLE_NOT_THIS_AGENCY = "unable_not_this_agency"
    UNABLE_NEEDS_CREATION = "unable_needs_creation"
    UNABLE_STILL_UNCLEAR = "unable_still_unclear"
    NOT_PROCESSED_PETITION = "not_processed_petition"
    NOT_PROCESSED_REPEAT = "not_processed_repeat"
    NOT_PROCESSED_PUBLICATION = "not_processed_publication"
    NOT_PROCESSED_EXCESSIVE = "not_processed_excessive"
    NOT_PROCESSED_CONFIRM_OR_REISSUE = "not_processed_confirm_or_reissue"
    OTHER_NO_CORRECTION = "other_no_correction"
    OTHER_FEE_UNPAID = "other_fee_unpaid"
    OTHER = "other"
    WITHDRAWN = "withdrawn"

    @property
    def info(self) -> OutcomeInfo:
        return OUTCOMES[self]

    @property
    def label(self) -> str:
        return OUTCOMES[self].label

    @property
    def row(self) -> str:
        return OUTCOMES[self].row


@dataclass(frozen=True)
class OutcomeInfo:
    """``label``: the reply type in Chinese; ``article``: what the letter cites; ``row``: the
    table-3 row; ``is_reply``: a reply letter drafted by a handler (False for the closings the
    workflow records itself: 视为放弃, 逾期未缴费, 撤回); ``confirmed``: False where [M]."""

    outcome: Outcome
    group: OutcomeGroup
    label: str
    article: str
    row: str
    is_reply: bool = True
    confirmed: bool = True

    @property
    def row_label(self) -> str:
        return TABLE3_ROWS[self.row]

    @property
    def is_full_disclosure(self) -> bool:
        return self.row == "三(一)"


def _info(outcome: Outcome, group: OutcomeGroup, label: str, article: str, row: str, *,
          is_reply: bool = True, confirmed: bool = True) -> OutcomeInfo:
    return OutcomeInfo(outcome, group, label, article, row, is_reply, confirmed)


_D, _P, _W, _U, _N, _O = (OutcomeGroup.DISCLOSED, OutcomeGroup.PARTIAL, OutcomeGroup.WITHHELD,
                          OutcomeGroup.UNABLE, OutcomeGroup.NOT_PROCESSED, OutcomeGroup.OTHER)

OUTCOMES: Final[Mapping[Outcome, OutcomeInfo]] = {
    i.outcome: i
    for i in (
        _info(Outcome.DISCLOSED, _D, "予以公开", "条例第三十六条第（二）项", "三(一)"),
        _info(Outcome.ALREADY_PUBLIC, _D, "已主动公开，告知获取的方式和途径", "条例第三十六条第（一）项",
              "三(一)", confirmed=False),
        _info(Outcome.PARTIAL, _P, "部分公开", "条例第三十七条", "三(二)"),
        _info(Outcome.WITHHELD_STATE_SECRET, _W, "不予公开：属于国家秘密",
              "条例第十四条、第三十六条第（三）项", "三(三)1"),
        _info(Outcome.WITHHELD_PROHIBITED_BY_LAW, _W, "不予公开：其他法律行政法规禁止公开",
              "条例第十四条、第三十六条第（三）项", "三(三)2"),
        _info(Outcome.WITHHELD_SECURITY_STABILITY, _W, "不予公开：危及“三安全一稳定”",
              "条例第十四条、第三十六条第（三）项", "三(三)3"),
        _info(Outcome.WITHHELD_THIRD_PARTY, _W, "不予公开：保护第三方合法权益",
              "条例第十五条、第三十二条、第三十六条第（三）项", "三(三)4"),
        _info(Outcome.WITHHELD_INTERNAL_AFFAIRS, _W, "不予公开：属于三类内部事务信息",
              "条例第十六条第一款、第三十六条第（三）项", "三(三)5"),
        _info(Outcome.WITHHELD_PROCESS_INFO, _W, "不予公开：属于四类过程性信息",
              "条例第十六条第二款、第三十六条第（三）项", "三(三)6"),
        _info(Outcome.WITHHELD_ENFORCEMENT_FILE, _W, "不予公开：属于行政执法案卷",
              "条例第十六条第二款、第三十六条第（三）项", "三(三)7"),
        _info(Outcome.WITHHELD_ADMIN_QUERY, _W, "不予公开：属于行政查询事项",
              "条例第三十六条第（七）项", "三(三)8", confirmed=False),
        _info(Outcome.UNABLE_NOT_HELD, _U, "无法提供：本机关不掌握相关政府信息（经检索没有所申请公开信息）",
              "条例第三十六条第（四）项", "三(四)1", confirmed=False),
        _info(Outcome.UNABLE_NOT_THIS_AGENCY, _U, "无法提供：不属于本机关负责公开",
              "条例第三十六条第（五）项", "三(四)1", confirmed=False),
        _info(Outcome.UNABLE_NEEDS_CREATION, _U, "无法提供：没有现成信息需要另行制作",
              "条例第三十八条", "三(四)2"),
        _info(Outcome.UNABLE_STILL_UNCLEAR, _U, "无法提供：补正后申请内容仍不明确",
              "条例第三十条", "三(四)3", confirmed=False),
        _info(Outcome.NOT_PROCESSED_PETITION, _N, "不予处理：信访举报投诉类申请", "条例第三十九条第一款",
              "三(五)1"),
        _info(Outcome.NOT_PROCESSED_REPEAT, _N, "不予处理：重复申请", "条例第三十六条第（六）项", "三(五)2"),
        _info(Outcome.NOT_PROCESSED_PUBLICATION, _N, "不予处理：要求提供公开出版物", "条例第三十九条第二款",
              "三(五)3"),
        _info(Outcome.NOT_PROCESSED_EXCESSIVE, _N, "不予处理：无正当理由大量反复申请", "条例第三十五条",
              "三(五)4"),
        # [M] The regulation has no item of its own for this row; 第三十九条第一款 (not a
        # disclosure application) is the usual citation. Needs legal sign-off.
        _info(Outcome.NOT_PROCESSED_CONFIRM_OR_REISSUE, _N, "不予处理：要求行政机关确认或重新出具已获取信息",
              "条例第三十九条第一款", "三(五)5", confirmed=False),
        _info(Outcome.OTHER_NO_CORRECTION, _O, "其他处理：申请人无正当理由逾期不补正，视为放弃申请",
              "条例第三十条", "三(六)1", is_reply=False, confirmed=False),
        _info(Outcome.OTHER_FEE_UNPAID, _O, "其他处理：申请人逾期未按收费通知要求缴纳费用，不再处理",
              "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）", "三(六)2", is_reply=False,
              confirmed=False),
        _info(Outcome.OTHER, _O, "其他处理：其他", "", "三(六)3", confirmed=False),
        # [M] A withdrawn request was received (row 一) so it must close in some result row.
        _info(Outcome.WITHDRAWN, _O, "其他处理：申请人撤回申请", "", "三(六)3", is_reply=False, confirmed=False),
    )
}


def outcomes_for_row(row: str) -> tuple[Outcome, ...]:
    if row not in TABLE3_ROWS:
        raise OutcomeError(f"表三没有“{row}”这一行。")
    return tuple(o for o, i in OUTCOMES.items() if i.row == row)


def reply_outcomes() -> tuple[Outcome, ...]:
    """The outcomes a handler can choose for a reply letter (the others are set by the workflow)."""
    return tuple(o for o, i in OUTCOMES.items() if i.is_reply)


# --- Remedies (救济途径) -------------------------------------------------------------------------

REVIEW_DAYS: Final = 60  # 行政复议: 60 days from knowing of the decision
LITIGATION_MONTHS: Final = 6  # 行政诉讼: 6 months from knowing of the decision


def needs_remedies(outcome: Outcome) -> bool:
    """Every reply that is not a full disclosure tells the applicant how to challenge it."""
    return not OUTCOMES[Outcome(outcome)].is_full_disclosure


def remedies_text(review_body: str = "", court: str = "") -> str:
    """The remedies paragraph of a reply letter (告知权利救济途径)."""
    body = review_body.strip() or "有权受理的行政复议机关"
    where = court.strip() or "有管辖权的人民法院"
    return (
        f"申请人如对本答复不服，可以自收到本答复之日起{REVIEW_DAYS}日内依法向{body}申请行政复议，"
        f"或者自收到本答复之日起{LITIGATION_MONTHS}个月内依法向{where}提起行政诉讼。"
    )


# --- Applicants and report columns --------------------------------------------------------------


class ApplicantType(StrEnum):
    NATURAL_PERSON = "natural_person"  # 自然人
    ORGANISATION = "organisation"  # 法人或其他组织

    @property
    def label(self) -> str:
        return "自然人" if self is ApplicantType.NATURAL_PERSON else "法人或其他组织"


class OrganisationKind(StrEnum):
    """The five legal-person sub-types table 3 counts."""

    BUSINESS = "business"  # 商业企业
    RESEARCH = "research"  # 科研机构
    PUBLIC_INTEREST = "public_interest"  # 社会公益组织
    LEGAL_SERVICE = "legal_service"  # 法律服务机构
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS: Final = {
    OrganisationKind.BUSINESS: "商业企业",
    OrganisationKind.RESEARCH: "科研机构",
    OrganisationKind.PUBLIC_INTEREST: "社会公益组织",
    OrganisationKind.LEGAL_SERVICE: "法律服务机构",
    OrganisationKind.OTHER: "其他",
}


class ReportColumn(StrEnum):
    """Table 3 columns, in order; there is no legal-person subtotal (regulation.md §3.4)."""

    NATURAL_PERSON = "natural_person"
    BUSINESS = "business"
    RESEARCH = "research"
    PUBLIC_INTEREST = "public_interest"
    LEGAL_SERVICE = "legal_service"
    OTHER_ORGANISATION = "other_organisation"
    TOTAL = "total"

    @property
    def label(self) -> str:
        return REPORT_COLUMN_LABELS[self]


REPORT_COLUMN_LABELS: Final = {
    ReportColumn.NATURAL_PERSON: "自然人",
    ReportColumn.BUSINESS: "商业企业",
    ReportColumn.RESEARCH: "科研机构",
    ReportColumn.PUBLIC_INTEREST: "社会公益组织",
    ReportColumn.LEGAL_SERVICE: "法律服务机构",
    ReportColumn.OTHER_ORGANISATION: "其他",
    ReportColumn.TOTAL: "总计",
}

_KIND_COLUMNS: Final = {
    OrganisationKind.BUSINESS: ReportColumn.BUSINESS,
    OrganisationKind.RESEARCH: ReportColumn.RESEARCH,
    OrganisationKind.PUBLIC_INTEREST: ReportColumn.PUBLIC_INTEREST,
    OrganisationKind.LEGAL_SERVICE: ReportColumn.LEGAL_SERVICE,
    OrganisationKind.OTHER: ReportColumn.OTHER_ORGANISATION,
}


def report_column(applicant_type: ApplicantType, organisation_kind: OrganisationKind | None = None) -> ReportColumn:
    """The table-3 column an applicant is counted in (besides 总计)."""
    applicant_type = ApplicantType(applicant_type)
    if applicant_type is ApplicantType.NATURAL_PERSON:
        if organisation_kind is not None:
            raise OutcomeError("自然人申请人不应选择法人或其他组织类型。")
        return ReportColumn.NATURAL_PERSON
    if organisation_kind is None:
        raise OutcomeError("法人或其他组织申请人须选择类型：商业企业、科研机构、社会公益组织、法律服务机构或其他。")
    return _KIND_COLUMNS[OrganisationKind(organisation_kind)]


# --- Which report year counts a request (regulation.md §6 case 14) ------------------------------


def counts_as_new(received_on: date, year: int) -> bool:
    """一、本年新收: the year of the receipt date (收到申请之日)."""
    return received_on.year == year


def counts_as_carried_over(received_on: date, closed_on: date | None, year: int) -> bool:
    """二、上年结转: received before ``year`` and not closed by 12-31 of the year before."""
    return received_on.year < year and (closed_on is None or closed_on.year >= year)


def counts_as_carried_forward(received_on: date, closed_on: date | None, year: int) -> bool:
    """四、结转下年度继续办理: received by 12-31 of ``year`` and still open on that day."""
    return received_on.year <= year and (closed_on is None or closed_on.year > year)


def counts_in_result(closed_on: date | None, year: int) -> bool:
    """三、本年度办理结果: the year the request was closed."""
    return closed_on is not None and closed_on.year == year


def report_rows(received_on: date, closed_on: date | None, outcome: Outcome | None, year: int) -> tuple[str, ...]:
    """The table-3 rows one request adds 1 to in ``year``'s report (in its column and 总计).

    The per-request identity 一 + 二 = 三(七) + 四 holds by construction: a request counted in
    the year either closes in it (one result row and 三(七)) or is carried forward (四).
    """
    if closed_on is not None and closed_on < received_on:
        raise OutcomeError("办结日期不能早于收到申请之日。")
    if closed_on is not None and outcome is None:
        raise OutcomeError("已办结的申请必须有且只有一个办理结果。")
    rows: list[str] = []
    if counts_as_new(received_on, year):
        rows.append(ROW_NEW)
    if counts_as_carried_over(received_on, closed_on, year):
        rows.append(ROW_CARRIED_OVER)
    if counts_in_result(closed_on, year):
        assert outcome is not None
        rows.append(OUTCOMES[Outcome(outcome)].row)
        rows.append(ROW_TOTAL)
    if counts_as_carried_forward(received_on, closed_on, year):
        rows.append(ROW_CARRIED_FORWARD)
    return tuple(rows)


def tally(requests: Iterable[tuple[date, date | None, Outcome | None, ReportColumn]], year: int) -> dict[str, dict[ReportColumn, int]]:
    """Table 3 of ``year`` from (received_on, closed_on, outcome, column) tuples: every row
    of ``TABLE3_ROWS`` × every column, 总计 column included."""
    table = {row: dict.fromkeys(ReportColumn, 0) for row in TABLE3_ROWS}
    for received_on, closed_on, outcome, column in requests:
        if column is ReportColumn.TOTAL:
            raise OutcomeError("申请人所在列不能是“总计”。")
        for row in report_rows(received_on, closed_on, outcome, year):
            table[row][column] += 1
            table[row][ReportColumn.TOTAL] += 1
    return table
