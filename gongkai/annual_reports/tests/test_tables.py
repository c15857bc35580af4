"""Tables 2, 3 and 4 computed in SQL from the stored records, checked cell by cell against known
counts and against the pure reference ``disclosure_outcomes.tally`` on random data
(regulation.md §3.3–§3.5, §6 cases 14 and 15)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from gongkai.annual_reports import selectors
from gongkai.annual_reports.tests.conftest import add_request
from gongkai.disclosure.after_models import Litigation, Reconsideration
from gongkai.disclosure.after_selectors import table4_counts
from gongkai.disclosure.models import DisclosureRequest
from gongkai.disclosure.services import submission, workflow
from gongkai.domain import annual_report as rules
from gongkai.domain.disclosure_outcomes import (
    OUTCOMES,
    TABLE3_ROWS,
    Outcome,
    ReportColumn,
    report_column,
    tally,
)
from gongkai.policies.models import Document, DocumentRelation
from gongkai.policies.services.documents import document_create, document_relate

pytestmark = pytest.mark.django_db

C = ReportColumn
NP, BUS, RES, PUB, LAW, OTH, TOT = (C.NATURAL_PERSON, C.BUSINESS, C.RESEARCH, C.PUBLIC_INTEREST, C.LEGAL_SERVICE,
                                    C.OTHER_ORGANISATION, C.TOTAL)


def _nonzero(table: dict[str, dict[ReportColumn, int]]) -> dict[tuple[str, ReportColumn], int]:
    return {(row, col): n for row, cells in table.items() for col, n in cells.items() if n}


def test_known_dataset_every_cell_of_2025(w) -> None:
    """One request per result row closed in 2025 (21 rows, one outcome each, columns rotating), plus
    carry-overs in and out of 2025: every cell of table 3 is known in advance."""
    org = w.edu
    columns = [NP, BUS, RES, PUB, LAW, OTH]
    expected: dict[tuple[str, ReportColumn], int] = {}

    def bump(row: str, col: ReportColumn, n: int = 1) -> None:
        expected[(row, col)] = expected.get((row, col), 0) + n
        expected[(row, TOT)] = expected.get((row, TOT), 0) + n

    # One request for every result row, received and closed in 2025 (一, the row, 三(七)).
    rows = {info.row: outcome for outcome, info in reversed(list(OUTCOMES.items()))}
    for i, (row, outcome) in enumerate(sorted(rows.items())):
        col = columns[i % 6]
        add_request(org, date(2025, 2, 1) + timedelta(days=i), date(2025, 3, 1) + timedelta(days=i), outcome, col)
        bump("一", col)
        bump(row, col)
        bump("三(七)", col)
    # Received in 2024, closed in 2025: 二, its row, 三(七).
    add_request(org, date(2024, 12, 30), date(2025, 1, 8), Outcome.PARTIAL, LAW)
    bump("二", LAW), bump("三(二)", LAW), bump("三(七)", LAW)
    # Received in 2024, still open: 二 and 四.
    add_request(org, date(2024, 11, 3), None, None, RES)
    bump("二", RES), bump("四", RES)
    # Received in 2025, closed in 2026: 一 and 四.
    add_request(org, date(2025, 12, 29), date(2026, 1, 15), Outcome.PARTIAL, LAW)
    bump("一", LAW), bump("四", LAW)
    # Received in 2025, open: 一 and 四.
    add_request(org, date(2025, 7, 1), None, None, NP)
    bump("一", NP), bump("四", NP)
    # Not counted in 2025: closed in 2024; received 2026; never confirmed (no receipt date); another organisation.
    add_request(org, date(2024, 3, 1), date(2024, 4, 1), Outcome.DISCLOSED, NP)
    add_request(org, date(2026, 1, 5), None, None, NP)
    add_request(org, None, None, None, NP)
    add_request(w.fin, date(2025, 5, 5), date(2025, 5, 6), Outcome.DISCLOSED, NP)

    table = selectors.table3(org, 2025)
    assert set(table) == set(TABLE3_ROWS) and all(set(cells) == set(C) for cells in table.values())
    assert _nonzero(table) == expected
    assert len({row for row, _ in expected}) == len(TABLE3_ROWS)  # every row of the table is exercised
    assert table["三(七)"][TOT] == 22 and table["一"][TOT] == 23 and table["二"][TOT] == 2 and table["四"][TOT] == 3
    content = selectors.build_content(org, 2025)
    results = rules.run_checks(content)
    assert [r.code for r in rules.failed(results)] == ["table2", "texts"]  # nothing entered yet; tables balance


def test_case14_law_firm_counted_in_2025_and_2026_through_the_services(w) -> None:
    """regulation.md §6 case 14: a law firm applies 2025-12-29; on 2026-01-15 the agency discloses
    the file with personal data redacted (条例第三十七条、第十五条). 2025 report, column 法律服务机构:
    一 +1 and 四 +1. 2026: 二 +1 and 三(二) +1, and not 三(三)4."""
    data = {"applicant_type": "organisation", "organisation_kind": "legal_service", "applicant_name": "某律师事务所",
            "credit_code": "914400001234567886", "contact_person": "李律师", "phone": "020-12345678",
            "address": "广东省广州市天河区", "description": "某项目环境影响评价批复文件",
            "form_wanted": "paper", "delivery_method": "post"}
    req = submission.request_register(actor=w.registrar, organisation=w.edu, channel="in_person",
                                      arrived_at=date(2025, 12, 29), data=data).request
    req = workflow.request_assign(actor=w.registrar, request=req, department=w.edu)
    workflow.reply_draft(actor=w.edu_handler, request=req, outcome="partial",
                         reasons="涉及个人信息的部分已作区分处理，其余部分予以公开。")
    req = workflow.reply_submit_for_review(actor=w.edu_handler, request=req)
    if req.status == "legal_review":
        req = workflow.reply_legal_review(actor=w.reviewer, request=req, approve=True)
    req = workflow.reply_approve(actor=w.edu_head, request=req, approve=True)
    workflow.request_deliver(actor=w.edu_handler, request=req, method="post", tracking_no="EMS1", on=date(2026, 1, 15))

    t2025, t2026 = selectors.table3(w.edu, 2025), selectors.table3(w.edu, 2026)
    assert _nonzero(t2025) == {("一", LAW): 1, ("一", TOT): 1, ("四", LAW): 1, ("四", TOT): 1}
    assert _nonzero(t2026) == {("二", LAW): 1, ("二", TOT): 1, ("三(二)", LAW): 1, ("三(二)", TOT): 1,
                               ("三(七)", LAW): 1, ("三(七)", TOT): 1}
    assert t2026["三(三)4"][TOT] == 0


def test_case15_outcome_rows(w) -> None:
    """regulation.md §6 case 15: a complaint about a neighbour → 三(五)1; information not held →
    三(四)1; an unpaid fee notice → 三(六)2 (条例第三十九条、第三十六条; 国办函〔2020〕109号)."""
    add_request(w.edu, date(2026, 5, 6), date(2026, 5, 20), Outcome.NOT_PROCESSED_PETITION)
    add_request(w.edu, date(2026, 5, 6), date(2026, 5, 21), Outcome.UNABLE_NOT_HELD)
    add_request(w.edu, date(2026, 5, 6), date(2026, 7, 1), Outcome.OTHER_FEE_UNPAID)
    table = selectors.table3(w.edu, 2026)
    assert (table["三(五)1"][NP], table["三(四)1"][NP], table["三(六)2"][NP]) == (1, 1, 1)
    assert table["三(七)"][TOT] == 3


def test_case15_report_deadlines_from_the_working_calendar(w) -> None:
    """条例第四十九条, regulation.md §6 case 15: 2025 reports — a county-level department by Sat
    2026-01-31, so the alert is due by Fri 2026-01-30; the county government's 主管部门 by Tue 2026-03-31."""
    department = selectors.deadline_for(w.edu, 2025)
    assert (department.due, department.alert_on) == (date(2026, 1, 31), date(2026, 1, 30))
    government = selectors.deadline_for(w.gov, 2025)
    assert (government.due, government.alert_on) == (date(2026, 3, 31), date(2026, 3, 31))


def _random_requests(orgs, rng: random.Random, n: int) -> list[DisclosureRequest]:
    outcomes = list(Outcome)
    columns = [c for c in C if c is not TOT]
    made = []
    for _ in range(n):
        received = date(2023, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        if rng.random() < 0.15:
            closed, outcome = None, None
        else:
            closed, outcome = received + timedelta(days=rng.randint(0, 400)), rng.choice(outcomes)
        made.append(add_request(rng.choice(orgs), received, closed, outcome, rng.choice(columns)))
    return made


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_matches_the_pure_tally_on_random_data(w, seed) -> None:
    """The SQL aggregation equals ``disclosure_outcomes.tally`` for every organisation and year,
    and the government-wide roll-up equals the tally of all their requests."""
    rng = random.Random(seed)
    orgs = [w.gov, w.edu, w.fin]
    _random_requests(orgs, rng, 120)
    stored = list(DisclosureRequest.objects.filter(organisation__in=orgs))

    def oracle(org_ids, year):
        return tally([(r.received_on, r.closed_on, Outcome(r.outcome) if r.outcome else None,
                       report_column(r.applicant_type, r.organisation_kind or None))
                      for r in stored if r.organisation_id in org_ids], year)

    ids = [o.pk for o in orgs]
    for year in range(2022, 2028):
        by_org = selectors.table3_by_organisation(ids, year)
        for org in orgs:
            assert selectors.table3(org, year) == oracle({org.pk}, year) == by_org[org.pk], (org.slug, year)
        assert selectors.table3(selectors.subtree_ids(w.gov), year) == oracle(set(ids), year)
        assert selectors.table3(ids, year)["二"] == selectors.table3(ids, year - 1)["四"]


def test_records_that_break_the_rules_surface_as_failed_checks(w) -> None:
    """A closing day without an outcome, or a legal person without its sub-type, is not silently
    dropped: 三(七) and the 总计 column are counted on their own, so the checks fail."""
    add_request(w.edu, date(2025, 3, 1), date(2025, 3, 5), Outcome.DISCLOSED)
    odd = add_request(w.edu, date(2025, 4, 1), None, None)
    DisclosureRequest.objects.filter(pk=odd.pk).update(closed_on=date(2025, 4, 9))  # legacy import
    add_request(w.edu, date(2025, 6, 1), date(2025, 6, 2), Outcome.DISCLOSED, BUS, organisation_kind="")
    content = selectors.build_content(w.edu, 2025)
    failed = {r.code: r for r in rules.failed(rules.run_checks(content))}
    assert {"result_total", "total_column"} <= set(failed)
    assert any("三（七）总计为 2，而（一）至（六）各项办理结果之和为 1" in p.message
               for p in failed["result_total"].problems)
    assert rules.cell3("一", TOT) in failed["total_column"].cells


def test_table4_by_organisation_equals_table4_counts(w) -> None:
    """Table 4 (regulation.md §3.5): the grouped roll-up query gives each organisation exactly the
    15 numbers of ``after_selectors.table4_counts``."""
    a = add_request(w.edu, date(2025, 1, 6), date(2025, 1, 20), Outcome.WITHHELD_THIRD_PARTY)
    b = add_request(w.fin, date(2025, 2, 6), date(2025, 2, 20), Outcome.UNABLE_NOT_HELD)
    r1 = Reconsideration.objects.create(request=a, filed_on=date(2025, 3, 1), review_body="示例县人民政府",
                                        result="upheld", decided_on=date(2025, 5, 1))
    Reconsideration.objects.create(request=b, filed_on=date(2025, 12, 20), review_body="示例县人民政府",
                                   result="corrected", decided_on=date(2026, 1, 10))
    Litigation.objects.create(request=a, reconsideration=r1, filed_on=date(2025, 6, 1), court="示例县人民法院")
    Litigation.objects.create(request=b, filed_on=date(2025, 4, 1), court="示例县人民法院", result="other",
                              decided_on=date(2025, 9, 1))
    Litigation.objects.create(request=b, filed_on=date(2024, 4, 1), court="示例县人民法院")  # other year
    grouped = selectors.table4_by_organisation([w.edu, w.fin, w.gov], 2025)
    for org in (w.edu, w.fin, w.gov):
        assert grouped[org.pk] == list(table4_counts(org, 2025).numbers) == selectors.table4(org, 2025)
    assert grouped[w.edu.pk] == [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert grouped[w.fin.pk] == [0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]
    assert rules.check_table4(grouped[w.fin.pk]).ok


def _doc(org, category, written, **fields):
    return document_create(actor=None, organisation=org, status="published",
                           published_at=selectors_now(), title=f"{category}{written}", issuers=[org.name],
                           written_on=written, category=category, level="county", **fields)


def selectors_now():
    from django.utils import timezone

    return timezone.now()


def test_table2_regulations_and_normative_documents_from_the_library(w) -> None:
    """Table 2, 第二十条第（一）项 (regulation.md §3.3): 本年制发 by 成文日期, 本年废止 by 废止日期 or the
    repealing document, 现行有效 at 31 December."""
    _doc(w.edu, "normative", date(2025, 3, 1))  # issued 2025, valid
    _doc(w.edu, "normative", date(2023, 3, 1), repeal_on=date(2025, 6, 30))  # repealed in 2025
    old = _doc(w.edu, "normative", date(2022, 3, 1))  # repealed by a 2025 document
    new = _doc(w.edu, "normative", date(2025, 9, 1), effective_on=date(2025, 10, 1))
    document_relate(actor=None, source=new, target=old, kind=DocumentRelation.Kind.REPEALS)
    _doc(w.edu, "regulation", date(2024, 5, 1))  # valid, issued earlier
    _doc(w.edu, "regulation", date(2026, 2, 1))  # not yet written at the end of 2025
    _doc(w.edu, "other_policy", date(2025, 3, 1))  # not in table 2
    draft = _doc(w.edu, "normative", date(2025, 4, 1))
    Document.objects.filter(pk=draft.pk).update(status="draft")  # drafts are not counted
    _doc(w.fin, "normative", date(2025, 3, 1))  # another organisation
    assert selectors.table2_library(w.edu, 2025) == {
        "regulation": {"issued": 0, "repealed": 0, "valid": 1},
        "normative": {"issued": 2, "repealed": 2, "valid": 2},
    }
    assert selectors.table2_library(w.edu, 2024)["normative"] == {"issued": 0, "repealed": 0, "valid": 2}
    assert selectors.table2_library([w.edu, w.fin], 2025)["normative"]["issued"] == 3
