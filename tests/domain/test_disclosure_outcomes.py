"""Reply outcomes and annual-report counting: 条例第三十~三十九条, regulation.md §1.7, §3.4 and §6
cases 14–15. Pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.domain.disclosure_outcomes import (
    OUTCOMES,
    RESULT_ROWS,
    TABLE3_ROWS,
    ApplicantType,
    OrganisationKind,
    Outcome,
    OutcomeError,
    OutcomeGroup,
    ReportColumn,
    needs_remedies,
    outcomes_for_row,
    remedies_text,
    report_column,
    report_rows,
    tally,
)


def test_every_result_row_has_an_outcome_and_every_outcome_one_row() -> None:
    """条例第三十六~三十九条 and 〔2021〕30号 table 3: the 21 result rows (2 + 8 + 3 + 5 + 3) are all reachable, and each
    outcome is counted in exactly one of them."""
    assert len(RESULT_ROWS) == 21
    for row in RESULT_ROWS:
        assert outcomes_for_row(row), row
    for outcome, info in OUTCOMES.items():
        assert info.outcome is outcome
        assert info.row in RESULT_ROWS
    assert set(OUTCOMES) == set(Outcome)


@pytest.mark.parametrize(
    ("group", "count"),
    [
        (OutcomeGroup.WITHHELD, 8),  # 不予公开 with 8 grounds
        (OutcomeGroup.NOT_PROCESSED, 5),
    ],
)
def test_group_sizes(group: OutcomeGroup, count: int) -> None:
    """条例第十四~十六条、第三十五条、第三十六条、第三十九条: 8 refusal grounds, 5 不予处理 kinds."""
    assert sum(1 for i in OUTCOMES.values() if i.group is group) == count


def test_unable_and_other_cover_three_rows_each() -> None:
    """条例第三十条、第三十六条第（四）(五)项、第三十八条: 无法提供 ×3 rows, 其他处理 ×3 rows."""
    assert {i.row for i in OUTCOMES.values() if i.group is OutcomeGroup.UNABLE} == {"三(四)1", "三(四)2", "三(四)3"}
    assert {i.row for i in OUTCOMES.values() if i.group is OutcomeGroup.OTHER} == {"三(六)1", "三(六)2", "三(六)3"}


def test_labels_are_the_printed_row_labels() -> None:
    """〔2021〕30号 (regulation.md §3.4): labels verbatim."""
    assert TABLE3_ROWS["三(二)"] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert TABLE3_ROWS["三(三)3"] == "3.危及“三安全一稳定”"
    assert Outcome.WITHHELD_THIRD_PARTY.info.row_label == "4.保护第三方合法权益"
    assert Outcome.NOT_PROCESSED_CONFIRM_OR_REISSUE.info.row_label == "5.要求行政机关确认或重新出具已获取信息"


@pytest.mark.parametrize(
    ("outcome", "row", "article"),
    [
        (Outcome.DISCLOSED, "三(一)", "条例第三十六条第（二）项"),
        (Outcome.ALREADY_PUBLIC, "三(一)", "条例第三十六条第（一）项"),
        (Outcome.PARTIAL, "三(二)", "条例第三十七条"),
        (Outcome.WITHHELD_STATE_SECRET, "三(三)1", "条例第十四条"),
        (Outcome.WITHHELD_THIRD_PARTY, "三(三)4", "条例第十五条"),
        (Outcome.WITHHELD_INTERNAL_AFFAIRS, "三(三)5", "条例第十六条第一款"),
        (Outcome.WITHHELD_PROCESS_INFO, "三(三)6", "条例第十六条第二款"),
        (Outcome.WITHHELD_ADMIN_QUERY, "三(三)8", "条例第三十六条第（七）项"),
        (Outcome.UNABLE_NOT_HELD, "三(四)1", "条例第三十六条第（四）项"),
        (Outcome.UNABLE_NOT_THIS_AGENCY, "三(四)1", "条例第三十六条第（五）项"),
        (Outcome.UNABLE_NEEDS_CREATION, "三(四)2", "条例第三十八条"),
        (Outcome.UNABLE_STILL_UNCLEAR, "三(四)3", "条例第三十条"),
        (Outcome.NOT_PROCESSED_PETITION, "三(五)1", "条例第三十九条第一款"),
        (Outcome.NOT_PROCESSED_REPEAT, "三(五)2", "条例第三十六条第（六）项"),
        (Outcome.NOT_PROCESSED_PUBLICATION, "三(五)3", "条例第三十九条第二款"),
        (Outcome.NOT_PROCESSED_EXCESSIVE, "三(五)4", "条例第三十五条"),
        (Outcome.OTHER_NO_CORRECTION, "三(六)1", "条例第三十条"),
        (Outcome.OTHER_FEE_UNPAID, "三(六)2", "国办函〔2020〕109号"),
    ],
)
def test_outcome_row_and_article(outcome: Outcome, row: str, article: str) -> None:
    """条例第十四~十六条、第三十~三十九条 (regulation.md §1.7): each outcome's row and cited article."""
    assert outcome.row == row
    assert article in outcome.info.article


def test_case15_outcome_rows() -> None:
    """条例第三十九条第一款、第三十六条第（四）项, 国办函〔2020〕109号: a complaint about a neighbour →
    三(五)1; information not held → 三(四)1; an unpaid fee notice → 三(六)2."""
    assert Outcome.NOT_PROCESSED_PETITION.row == "三(五)1"
    assert Outcome.UNABLE_NOT_HELD.row == "三(四)1"
    assert Outcome.OTHER_FEE_UNPAID.row == "三(六)2"


def test_case7_abandonment_counts_in_row_6_1() -> None:
    """条例第三十条: 视为放弃申请 → 三(六)1, recorded by the workflow, not a drafted reply."""
    assert Outcome.OTHER_NO_CORRECTION.row == "三(六)1"
    assert not Outcome.OTHER_NO_CORRECTION.info.is_reply


def test_unconfirmed_mappings_are_marked() -> None:
    """regulation.md §1.7: the [M] mappings carry ``confirmed=False`` so the UI can say so."""
    unconfirmed = {o for o, i in OUTCOMES.items() if not i.confirmed}
    assert {Outcome.ALREADY_PUBLIC, Outcome.UNABLE_NOT_HELD, Outcome.WITHHELD_ADMIN_QUERY,
            Outcome.UNABLE_STILL_UNCLEAR, Outcome.OTHER_FEE_UNPAID} <= unconfirmed
    assert Outcome.PARTIAL not in unconfirmed and Outcome.DISCLOSED not in unconfirmed


def test_remedies_for_every_reply_but_full_disclosure() -> None:
    """行政复议 within 60 days, 行政诉讼 within 6 months for every reply that is not a full disclosure."""
    assert not needs_remedies(Outcome.DISCLOSED)
    assert not needs_remedies(Outcome.ALREADY_PUBLIC)
    assert needs_remedies(Outcome.PARTIAL)
    assert needs_remedies(Outcome.NOT_PROCESSED_REPEAT)
    text = remedies_text("某某区人民政府", "某某区人民法院")
    assert "60日内依法向某某区人民政府申请行政复议" in text
    assert "6个月内依法向某某区人民法院提起行政诉讼" in text
    assert "有权受理的行政复议机关" in remedies_text()


@pytest.mark.parametrize(
    ("kind", "column", "label"),
    [
        (OrganisationKind.BUSINESS, ReportColumn.BUSINESS, "商业企业"),
        (OrganisationKind.RESEARCH, ReportColumn.RESEARCH, "科研机构"),
        (OrganisationKind.PUBLIC_INTEREST, ReportColumn.PUBLIC_INTEREST, "社会公益组织"),
        (OrganisationKind.LEGAL_SERVICE, ReportColumn.LEGAL_SERVICE, "法律服务机构"),
        (OrganisationKind.OTHER, ReportColumn.OTHER_ORGANISATION, "其他"),
    ],
)
def test_organisation_columns(kind: OrganisationKind, column: ReportColumn, label: str) -> None:
    """〔2021〕30号 table 3: five legal-person columns, no subtotal."""
    assert report_column(ApplicantType.ORGANISATION, kind) is column
    assert column.label == label == kind.label


def test_natural_person_column_and_bad_combinations() -> None:
    """条例第二十九条: an applicant is a 自然人 or a 法人或其他组织 of one of five types."""
    assert report_column(ApplicantType.NATURAL_PERSON) is ReportColumn.NATURAL_PERSON
    with pytest.raises(OutcomeError, match="须选择类型"):
        report_column(ApplicantType.ORGANISATION)
    with pytest.raises(OutcomeError, match="自然人"):
        report_column(ApplicantType.NATURAL_PERSON, OrganisationKind.BUSINESS)
    assert len(ReportColumn) == 7  # 6 + 总计


def test_case14_law_firm_across_the_year_end() -> None:
    """条例第三十七条、第十五条 with 〔2021〕30号: a law firm applies 2025-12-29, partial disclosure on
    2026-01-15 → 2025: 一 and 四; 2026: 二 and 三(二) — never 三(三)4."""
    received, closed = date(2025, 12, 29), date(2026, 1, 15)
    assert report_rows(received, closed, Outcome.PARTIAL, 2025) == ("一", "四")
    assert report_rows(received, closed, Outcome.PARTIAL, 2026) == ("二", "三(二)", "三(七)")
    column = report_column(ApplicantType.ORGANISATION, OrganisationKind.LEGAL_SERVICE)
    t2025 = tally([(received, closed, Outcome.PARTIAL, column)], 2025)
    t2026 = tally([(received, closed, Outcome.PARTIAL, column)], 2026)
    assert t2025["一"][ReportColumn.LEGAL_SERVICE] == 1 and t2025["四"][ReportColumn.LEGAL_SERVICE] == 1
    assert t2026["二"][ReportColumn.LEGAL_SERVICE] == 1 and t2026["三(二)"][ReportColumn.LEGAL_SERVICE] == 1
    assert t2026["三(三)4"][ReportColumn.LEGAL_SERVICE] == 0
    assert t2026["三(二)"][ReportColumn.TOTAL] == 1 and t2026["三(二)"][ReportColumn.NATURAL_PERSON] == 0


def test_request_open_two_year_ends_is_carried_twice() -> None:
    """〔2021〕30号 table 3: received 2024, closed 2026 → 2025 counts it in 二 and 四."""
    assert report_rows(date(2024, 11, 1), date(2026, 2, 1), Outcome.DISCLOSED, 2025) == ("二", "四")
    assert report_rows(date(2024, 11, 1), None, None, 2027) == ("二", "四")
    assert report_rows(date(2024, 11, 1), date(2026, 2, 1), Outcome.DISCLOSED, 2027) == ()


def test_closed_request_needs_an_outcome_and_a_sane_date() -> None:
    """〔2021〕30号 [M counting unit]: a closed request has exactly one outcome."""
    with pytest.raises(OutcomeError, match="有且只有一个办理结果"):
        report_rows(date(2025, 3, 1), date(2025, 4, 1), None, 2025)
    with pytest.raises(OutcomeError, match="早于"):
        report_rows(date(2025, 3, 1), date(2025, 2, 1), Outcome.DISCLOSED, 2025)


requests = st.lists(
    st.tuples(
        st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)),
        st.one_of(st.none(), st.integers(0, 500)),
        st.sampled_from(list(Outcome)),
        st.sampled_from([c for c in ReportColumn if c is not ReportColumn.TOTAL]),
    ).map(lambda t: (t[0], None if t[1] is None else t[0] + timedelta(days=t[1]), t[2], t[3])),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(requests, st.integers(2023, 2027))
def test_table3_cross_checks_hold(rows: list[tuple[date, date | None, Outcome, ReportColumn]], year: int) -> None:
    """〔2021〕30号 勾稽关系 (regulation.md §3.4): per column 一 + 二 = (七)总计 + 四; (七) = Σ result
    rows; 总计 column = the six columns."""
    prepared = [(r, c, o if c is not None else None, col) for r, c, o, col in rows]
    table = tally(prepared, year)
    for column in ReportColumn:
        assert table["一"][column] + table["二"][column] == table["三(七)"][column] + table["四"][column]
        assert table["三(七)"][column] == sum(table[row][column] for row in RESULT_ROWS)
    for row, counts in table.items():
        assert counts[ReportColumn.TOTAL] == sum(v for c, v in counts.items() if c is not ReportColumn.TOTAL), row
