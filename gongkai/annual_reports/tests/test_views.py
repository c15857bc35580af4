"""The staff report pages (/staff/reports/), the public 政府信息公开年报 pages and the exports."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as DocxDocument
from openpyxl import load_workbook

from gongkai.annual_reports import services
from gongkai.annual_reports.models import AnnualReport, AnnualReportVersion
from gongkai.annual_reports.tests.conftest import add_request
from gongkai.core.models import AuditEvent
from gongkai.domain.disclosure_outcomes import Outcome, ReportColumn
from gongkai.portal.tests.helpers import login_verified

pytestmark = pytest.mark.django_db

FORM = {"overview": "总体情况。", "problems": "问题。", "other_matters": "无。", "licensing_count": "12",
        "licensing_source": "审批系统", "penalty_count": "3", "penalty_source": "执法系统",
        "enforcement_count": "0", "enforcement_source": "执法系统", "fee_amount": "1.5", "fee_source": "财务台账"}


def _client(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def _data(w) -> None:
    add_request(w.edu, date(2025, 3, 2), date(2025, 3, 20), Outcome.DISCLOSED)
    add_request(w.edu, date(2025, 12, 29), None, None, ReportColumn.LEGAL_SERVICE)


def _published(w):
    _data(w)
    services.report_update(actor=w.edu_head, organisation=w.edu, year=2025, overview="总体情况。",
                           problems="问题。", other_matters="无。", licensing_count=1, licensing_source="a",
                           penalty_count=0, penalty_source="b", enforcement_count=0, enforcement_source="c",
                           fee_amount=Decimal("0"), fee_source="d")
    return services.report_publish(actor=w.edu_head, organisation=w.edu, year=2025)


def test_list_shows_only_the_users_organisations_with_status(w) -> None:
    html = _client(w.edu_publisher).get(reverse("annual_reports:list") + "?year=2025").content.decode()
    assert "示例县教育局" in html and "未开始" in html and "2026年1月31日" in html
    assert "财政局" not in html and "另一县" not in html
    head = _client(w.head).get(reverse("annual_reports:list") + "?year=2025").content.decode()
    assert "示例县教育局" in head and "示例县财政局" in head and "2026年3月31日" in head


def test_detail_shows_the_official_table_and_failed_checks(w) -> None:
    _data(w)
    response = _client(w.edu_handler).get(reverse("annual_reports:detail", args=[w.edu.pk, 2025]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" in html
    assert '<th scope="colgroup" colspan="7">申请人情况</th>' in html
    assert '<th scope="row" colspan="3">一、本年新收政府信息公开申请数量</th><td class="num">1</td>' in html
    assert "“一、总体情况”尚未填写。" in html and "2 项检查未通过" in html
    for title in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert f">{title}</h2>" in html
    assert "编写正文和表二数字" not in html  # a handler may read, not write
    assert 'action="/staff/reports/' not in html  # nor publish


def test_another_organisations_report_is_a_404_published_or_not(w) -> None:
    """Staff only see their own organisation's records; the denial is audited."""
    client = _client(w.outsider)
    for name in ("detail", "edit", "rollup"):
        assert client.get(reverse(f"annual_reports:{name}", args=[w.edu.pk, 2025])).status_code == 404
    assert client.get(reverse("annual_reports:export", args=[w.edu.pk, 2025, "xlsx"])).status_code == 404
    assert client.post(reverse("annual_reports:publish", args=[w.edu.pk, 2025])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=w.outsider).count() == 5
    _published(w)
    assert client.get(reverse("annual_reports:detail", args=[w.edu.pk, 2025]) + "?v=1").status_code == 404
    # Another department of the same government is another organisation too.
    fin_staff = _client(_member(w.fin, "handler", "ar_fin_handler"))
    assert fin_staff.get(reverse("annual_reports:detail", args=[w.edu.pk, 2025])).status_code == 404


def _member(org, role, username):
    from gongkai.annual_reports.tests.conftest import member

    return member(org, role, username)


def test_edit_saves_and_shows_errors_in_chinese(w) -> None:
    client = _client(w.edu_publisher)
    url = reverse("annual_reports:edit", args=[w.edu.pk, 2025])
    assert client.get(url).status_code == 200
    bad = client.post(url, {**FORM, "penalty_count": "-1", "fee_source": ""})
    html = bad.content.decode()
    assert bad.status_code == 200 and "<title>错误：" in html and "存在以下问题" in html
    assert "数字不能为负数。" in html
    assert not AnnualReport.objects.exists()
    missing_source = client.post(url, {**FORM, "fee_source": ""})
    assert "须注明数据来源" in missing_source.content.decode()
    ok = client.post(url, FORM)
    assert ok.status_code == 302 and ok.headers["Location"] == reverse("annual_reports:detail", args=[w.edu.pk, 2025])
    report = AnnualReport.objects.get()
    assert (report.overview, report.fee_amount, report.penalty_count) == ("总体情况。", Decimal("1.5"), 3)
    facts = client.post(reverse("annual_reports:facts", args=[w.edu.pk, 2025]))
    assert facts.status_code == 302
    assert "2025年，本机关新收政府信息公开申请0件" in AnnualReport.objects.get().overview
    assert _client(w.edu_handler).get(url).status_code == 403


def test_publish_from_the_page_blocked_then_published(w) -> None:
    _data(w)
    client = _client(w.edu_head)
    url = reverse("annual_reports:publish", args=[w.edu.pk, 2025])
    blocked = client.post(url)
    html = blocked.content.decode()
    assert blocked.status_code == 400 and "<title>错误：" in html and "发布前检查未通过" in html
    assert "“五、存在的主要问题及改进情况”尚未填写。" in html and "报告未发布。" in html
    client.post(reverse("annual_reports:edit", args=[w.edu.pk, 2025]), FORM)
    assert 'action="/staff/reports/' in client.get(reverse("annual_reports:detail", args=[w.edu.pk, 2025])).content.decode()
    done = client.post(url)
    assert done.status_code == 302
    version = AnnualReportVersion.objects.get()
    page = client.get(reverse("annual_reports:detail", args=[w.edu.pk, 2025]) + "?v=1").content.decode()
    assert "这是已发布的第1版" in page and version.sha256 in page
    assert client.get(url).status_code == 405


def test_exports_of_the_draft_and_of_a_version(w) -> None:
    version = _published(w)
    client = _client(w.edu_handler)
    xlsx = client.get(reverse("annual_reports:export", args=[w.edu.pk, 2025, "xlsx"]) + "?v=1")
    assert xlsx["Content-Disposition"] == 'attachment; filename="annual-report-ar-edu-2025-v1.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["表三 依申请公开"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["一、本年新收政府信息公开申请数量", None, None, 1, 0, 0, 0, 1, 0, 2] in values
    assert values[2][3] == "申请人情况"
    docx = client.get(reverse("annual_reports:export", args=[w.edu.pk, 2025, "docx"]))
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(docx.content)).paragraphs)
    assert version.content["title"] in text and "六、其他需要报告的事项" in text
    pdf = client.get(reverse("annual_reports:export", args=[w.edu.pk, 2025, "pdf"]))
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    assert client.get(reverse("annual_reports:export", args=[w.edu.pk, 2025, "exe"])).status_code == 404


def test_public_pages_show_published_versions_only(w) -> None:
    anon = Client()
    assert anon.get(reverse("annual_reports_public:report", args=["ar-edu", 2025])).status_code == 404
    column = anon.get(reverse("portal:gongkai_nianbao")).content.decode()
    assert "本栏目正在建设中" in column  # nothing published yet
    version = _published(w)
    column = anon.get(reverse("portal:gongkai_nianbao")).content.decode()
    assert "示例县教育局2025年政府信息公开工作年度报告" in column and 'aria-current="page">政府信息公开年报' in column
    html = anon.get(reverse("annual_reports_public:report", args=["ar-edu", 2025])).content.decode()
    assert "<h1 id=\"report-title\">示例县教育局2025年政府信息公开工作年度报告</h1>" in html
    assert "申请人情况" in html and version.sha256 in html
    assert 'aria-current="true">政府信息公开年报' in html
    # Later records and edits do not change the public page.
    add_request(w.edu, date(2025, 9, 9), date(2025, 9, 10), Outcome.DISCLOSED)
    services.report_update(actor=w.edu_head, organisation=w.edu, year=2025, overview="未发布的新文字。")
    again = anon.get(reverse("annual_reports_public:report", args=["ar-edu", 2025])).content.decode()
    assert "未发布的新文字" not in again and "总体情况。" in again
    listing = anon.get(reverse("annual_reports_public:organisation", args=["ar-edu"])).content.decode()
    assert "2025年政府信息公开工作年度报告" in listing
    download = anon.get(reverse("annual_reports_public:download", args=["ar-edu", 2025, "docx"]) + "?v=1")
    assert download.status_code == 200
    assert anon.get(reverse("annual_reports_public:report", args=["ar-edu", 2025]) + "?v=2").status_code == 404
    assert anon.get(reverse("annual_reports_public:report", args=["ar-fin", 2025])).status_code == 404


def test_rollup_puts_the_departments_side_by_side_with_totals(w) -> None:
    _data(w)
    add_request(w.fin, date(2025, 2, 2), date(2025, 2, 9), Outcome.UNABLE_NOT_HELD)
    html = _client(w.head).get(reverse("annual_reports:rollup", args=[w.gov.pk, 2025])).content.decode()
    assert html.count("<th scope=\"row\"><a href=\"/staff/reports/") == 3  # the government and both departments
    row = html[html.index("一、本年新收政府信息公开申请数量</th>"):]
    row = row[:row.index("</tr>")]
    assert row.count('<td class="num">') == 3 and '<td class="num total">3</td>' in row
    assert "（四）无法提供：1.本机关不掌握相关政府信息" in html
    # A department's own staff see only their department.
    own = _client(w.edu_publisher).get(reverse("annual_reports:rollup", args=[w.edu.pk, 2025])).content.decode()
    assert "示例县财政局" not in own


def test_workbench_shows_the_art49_reminder(w, monkeypatch) -> None:
    monkeypatch.setattr(services, "today", lambda: date(2026, 1, 20))
    html = _client(w.edu_publisher).get(reverse("staff:workbench")).content.decode()
    assert "政府信息公开工作年度报告" in html
    assert "即将到期：</strong>示例县教育局2025年度报告尚未发布" in html and "2026年1月30日" in html
