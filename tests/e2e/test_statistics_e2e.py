"""Browser test of the statistics dashboard (issue 5 §2): with the vendored Apache ECharts the page
draws a canvas for every chart, with no console error and no CSP violation (``script-src 'self'``
plus nonce, ``style-src 'self'``), and the chart shows the same numbers as its table. axe-core
finds nothing on the dashboard and the assessment page."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from gongkai.accounts.models import Organisation, User
from gongkai.core.demo import load_demo
from gongkai.disclosure.services import submission, workflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

APPLICANT = {
    "applicant_type": "natural_person", "applicant_name": "王五", "id_type": "resident_id",
    "id_number": "11010519491231002X", "phone": "13912345678", "address": "湖南省长沙市芙蓉区示例路8号",
    "form_wanted": "electronic", "delivery_method": "pickup",
}


@pytest.fixture
def demo_requests(transactional_db: None) -> None:
    """The demo accounts plus two requests to 湖南省人民政府办公厅 received today: one answered
    (予以公开), one still open."""
    load_demo()
    office = Organisation.objects.get(slug="hunan-office")
    registrar, handler, head = (User.objects.get(username=u) for u in ("hn_registrar", "hn_handler", "hn_head"))
    today = timezone.localdate()
    answered = submission.request_register(
        actor=registrar, organisation=office, channel="in_person", arrived_at=today,
        data={**APPLICANT, "description": "2025年湖南省义务教育招生计划"}).request
    answered = workflow.request_assign(actor=registrar, request=answered, department=office)
    workflow.reply_draft(actor=handler, request=answered, outcome="disclosed", reasons="经查，该信息可以公开。")
    answered = workflow.reply_submit_for_review(actor=handler, request=answered)
    answered = workflow.reply_approve(actor=head, request=answered, approve=True)
    workflow.request_deliver(actor=handler, request=answered, method="pickup", on=today)
    submission.request_register(actor=registrar, organisation=office, channel="in_person", arrived_at=today,
                                data={**APPLICANT, "description": "湖南省财政预算执行情况"})


def axe_report(page: Page) -> str:
    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


def test_dashboard_draws_the_charts_with_the_vendored_echarts(page: Page, live_server, demo_requests, login_as,
                                                              screenshot_dir: Path):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.add_init_script(CSP_LISTENER)
    login_as(page, live_server.url, "hn_head")

    page.goto(live_server.url + "/staff/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("统计分析")
    chart = page.locator("#chart-requests_per_month")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    assert page.evaluate("window.echarts.version") == "5.6.0"
    assert all(url.startswith(live_server.url) for url in scripts), scripts  # no CDN
    assert any(url.endswith("/static/statistics/vendor/echarts.min.js") for url in scripts)
    drawn = page.locator("[data-chart]")
    assert drawn.count() >= 5  # charts without data show only their table
    for i in range(drawn.count()):
        expect(drawn.nth(i)).to_have_attribute("data-rendered", "true")
        expect(drawn.nth(i).locator("canvas")).to_have_count(1)
    # ECharts' aria module describes the chart (ui.md §4: aria.enabled with our own description).
    assert "每月申请数量" in (chart.get_attribute("aria-label") or "")

    # The chart's numbers are the table's numbers.
    series = page.evaluate(
        "window.echarts.getInstanceByDom(document.getElementById('chart-requests_per_month'))"
        ".getOption().series[0].data")
    cells = page.locator("#table-requests_per_month tbody tr td").all_inner_texts()
    assert [str(v) for v in series] == cells
    month = timezone.localdate().month
    assert series[month - 1] == 2 and sum(series) == 2
    outcomes = page.evaluate(
        "window.echarts.getInstanceByDom(document.getElementById('chart-outcomes'))"
        ".getOption().series[0].data.map(function (d) { return [d.name, d.value]; })")
    table = [row.split("\t") for row in page.locator("#table-outcomes tbody tr").all_inner_texts()]
    assert [[name, str(value)] for name, value in outcomes] == table
    assert ["予以公开", 1] in outcomes

    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
    assert axe_report(page) == ""
    page.screenshot(path=str(screenshot_dir / "statistics-dashboard.png"), full_page=True)

    page.goto(live_server.url + "/staff/assessment/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("考核和通报")
    expect(page.locator("#ranking-dept tbody")).to_contain_text("湖南省人民政府办公厅")
    assert axe_report(page) == ""
    assert errors == [] and page.evaluate("window.__cspViolations") == []
    page.screenshot(path=str(screenshot_dir / "statistics-assessment.png"), full_page=True)
