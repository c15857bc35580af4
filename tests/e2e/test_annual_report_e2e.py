"""Browser test of the annual report (issue 5 §1): the office head opens the 2025 report of the
provincial general office and sees table 3 with its official header and the counted cells; axe-core
finds nothing on the page."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from gongkai.accounts.models import Organisation
from gongkai.annual_reports.tests.conftest import add_request
from gongkai.core.demo import load_demo
from gongkai.domain.disclosure_outcomes import Outcome, ReportColumn

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def office(transactional_db: None) -> Organisation:
    load_demo()
    office = Organisation.objects.get(slug="hunan-office")
    add_request(office, date(2025, 3, 2), date(2025, 3, 20), Outcome.DISCLOSED)
    add_request(office, date(2025, 4, 2), date(2025, 4, 28), Outcome.PARTIAL, ReportColumn.LEGAL_SERVICE)
    add_request(office, date(2025, 12, 29), None, None, ReportColumn.LEGAL_SERVICE)
    return office


def test_report_page_shows_table3_header_and_cells(page: Page, live_server, login_as, office, screenshot_dir):
    login_as(page, live_server.url, "hn_head")
    page.goto(f"{live_server.url}/staff/reports/{office.pk}/2025/")
    expect(page.get_by_role("heading", level=1)).to_have_text("湖南省人民政府办公厅2025年政府信息公开工作年度报告")
    table = page.get_by_role("table", name="三、收到和处理政府信息公开申请情况")
    expect(table.get_by_role("columnheader", name="申请人情况")).to_be_visible()
    expect(table.get_by_role("columnheader", name="法律服务机构")).to_be_visible()
    new_row = table.get_by_role("row", name="一、本年新收政府信息公开申请数量")
    # 自然人 1, 商业企业 0, 科研机构 0, 社会公益组织 0, 法律服务机构 2, 其他 0, 总计 3.
    expect(new_row.locator("td")).to_have_text(["1", "0", "0", "0", "2", "0", "3"])
    expect(page.get_by_text("“一、总体情况”尚未填写。")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "annual-report-staff.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
