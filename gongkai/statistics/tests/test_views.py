"""The dashboard and assessment pages through HTTP: charts with their tables and json_script data,
xlsx and DOCX downloads that open and contain the figures, the weights form, the period form's
errors and scope isolation (another organisation's numbers never reach the page)."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document as DocxDocument
from openpyxl import load_workbook

from gongkai.core.models import AuditEvent
from gongkai.portal.tests.helpers import login_verified
from gongkai.statistics.models import AssessmentWeights
from gongkai.statistics.tests.conftest import period

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("statistics:dashboard")
ASSESSMENT = reverse("statistics:assessment")


def client_for(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def query(**extra: str) -> str:
    p = period()
    return "?" + urlencode({"start": p.start.isoformat(), "end": p.end.isoformat(), **extra})


def chart_data(body: str, key: str) -> dict:
    match = re.search(rf'<script id="data-{key}" type="application/json">(.*?)</script>', body, re.S)
    assert match, f"no json_script for {key}"
    return json.loads(match.group(1))


def table_rows(body: str, key: str) -> list[list[str]]:
    table = re.search(rf'<table class="table stat-table" id="table-{key}">(.*?)</table>', body, re.S)
    assert table, f"no table for {key}"
    tbody = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    assert tbody
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S):
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)])
    return rows


def test_dashboard_draws_every_chart_with_the_same_numbers_as_its_table(dataset):
    response = client_for(dataset.head).get(DASHBOARD + query())
    assert response.status_code == 200
    body = response.content.decode()
    assert '<script src="/static/statistics/vendor/echarts.min.js" defer></script>' in body
    assert "<script>" not in body and "style=" not in body  # CSP: no inline script or style
    data = chart_data(body, "requests_per_month")
    assert data["series"][0]["data"][:12] == [0, 0, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0]
    rows = table_rows(body, "requests_per_month")
    assert [r[1] for r in rows[:12]] == ["0", "0", "2", "1", "1", "2", "0", "0", "0", "0", "0", "0"]
    assert rows[2][0] == "2026年3月"
    on_time = chart_data(body, "on_time")
    assert on_time["categories"] == ["测试市教育局", "测试市财政局"]
    assert on_time["series"] == [{"name": "按时答复率", "unit": "%", "data": [50.0, 100.0]}]
    assert table_rows(body, "on_time") == [["测试市教育局", "50.0", "2", "1"], ["测试市财政局", "100.0", "1", "1"]]
    assert "统计期间答复3件，按时答复2件，按时答复率66.7%。" in body
    durations = {r[0]: r[1:] for r in table_rows(body, "durations")}
    assert durations["测试市教育局"] == ["0.0", "0.0", "12.0", "22.0", "2", "2"]
    assert table_rows(body, "overdue_list")[0][:3] == [dataset.r4.receipt_no, "测试市人民政府", "测试市财政局"]
    assert f'href="/staff/disclosure/{dataset.r4.uid}/"' in body
    for key in ("outcomes", "durations", "topics", "disclosure_share", "library_by_level", "views"):
        assert f'id="table-{key}"' in body
    assert "另一市" not in body and dataset.x1.receipt_no not in body
    assert "张三" not in body and "13812345678" not in body  # no applicant data on statistics pages


def test_dashboard_xlsx_download_contains_the_figures(dataset):
    client = client_for(dataset.head)
    response = client.get(DASHBOARD + query(export="xlsx", chart="on_time"))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[0]]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "按时答复率（按承办部门）"
    assert rows[2] == ["承办部门", "按时答复率（%）", "答复件数（件）", "按时答复件数（件）"]
    assert rows[3] == ["测试市教育局", 50.0, 2, 1] and rows[4] == ["测试市财政局", 100.0, 1, 1]
    assert rows[5] == ["合计", 66.7, 3, 2]

    everything = load_workbook(io.BytesIO(client.get(DASHBOARD + query(export="xlsx")).content))
    assert len(everything.sheetnames) == 13 and "每月申请数量" in everything.sheetnames
    month_rows = list(everything["每月申请数量"].iter_rows(values_only=True))
    assert month_rows[5] == ("2026年3月", 2)
    assert client.get(DASHBOARD + query(export="xlsx", chart="nope")).status_code == 404
    assert client.get(DASHBOARD + query(export="pdf")).status_code == 404


def test_period_errors_are_shown_in_chinese_and_the_default_is_used(dataset):
    response = client_for(dataset.head).get(DASHBOARD + "?start=2026-06-01&end=2026-01-01")
    body = response.content.decode()
    assert response.status_code == 200 and "<title>错误：" in body
    assert "结束日期不能早于开始日期。" in body and 'href="#id_end"' in body
    assert "2026年1月1日至2026年6月30日" in body  # the default period, up to the service's today


def test_another_organisation_gets_a_404_for_the_city(dataset):
    client = client_for(dataset.other_head)
    for url in (DASHBOARD, ASSESSMENT):
        assert client.get(url + query(org=str(dataset.city.pk))).status_code == 404
        assert client.get(url + query(org=str(dataset.city.pk), export="xlsx")).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=dataset.other_head).count() == 4
    body = client.get(DASHBOARD + query()).content.decode()
    assert "测试市" not in body and dataset.x1.receipt_no in body


def test_staff_without_membership_are_refused(db):
    from gongkai.accounts.roles import SystemRole
    from gongkai.accounts.tests.factories import StaffUserFactory

    client = client_for(StaffUserFactory(username="s_sysadmin", system_role=SystemRole.SYSTEM_ADMIN))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(ASSESSMENT).status_code == 403
    assert Client().get(DASHBOARD).status_code == 302  # anonymous: to the login page


def test_assessment_page_ranks_and_shows_the_weights(dataset):
    client = client_for(dataset.head)
    body = client.get(ASSESSMENT + query()).content.decode()
    assert "系统默认权重" in body and "按时答复率" in body and "权重 30" in body
    rows = table_rows_ranking(body, "dept")
    assert [r[:3] for r in rows] == [["1", "测试市人民政府", "100.0"], ["2", "测试市财政局", "55.0"],
                                     ["3", "测试市教育局", "40.0"]]
    assert [r[:3] for r in table_rows_ranking(body, "handler")] == [["1", "s_handler_b", "100.0"],
                                                                    ["2", "s_handler_a", "20.0"]]
    assert reverse("statistics:weights", args=[dataset.city.pk]) in body  # the office head may change them


def table_rows_ranking(body: str, key: str) -> list[list[str]]:
    table = re.search(rf'<table class="table stat-table" id="ranking-{key}">(.*?)</table>', body, re.S)
    assert table
    tbody = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    assert tbody
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S)]


def test_assessment_exports_open_and_contain_the_ranking(dataset):
    client = client_for(dataset.head)
    xlsx = client.get(ASSESSMENT + query(export="xlsx"))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["部门排名", "承办人排名", "权重和计分规则"]
    rows = list(book["部门排名"].iter_rows(values_only=True))
    assert rows[2][:4] == ("名次", "部门", "综合得分", "按时答复率（权重30）")
    assert rows[3][:3] == ("1", "测试市人民政府", "100.0") and rows[5][:4] == ("3", "测试市教育局", "40.0",
                                                                            "50.0%（1/2）")
    weights = list(book["权重和计分规则"].iter_rows(values_only=True))
    assert weights[1][:2] == ("按时答复率", 30)

    docx = client.get(ASSESSMENT + query(export="docx"))
    assert docx.status_code == 200
    document = DocxDocument(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "政府信息公开工作考核通报" in text and "二、部门排名" in text
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["1", "测试市人民政府", "100.0", "—", "0", "0", "0", "—", "—"] in cells
    assert ["2", "s_handler_a", "20.0", "50.0%（1/2）", "1", "1", "1", "—", "—"] in cells
    assert client.get(ASSESSMENT + query(export="pdf")).status_code == 404


def test_weights_form_for_the_office_head(dataset):
    client = client_for(dataset.head)
    url = reverse("statistics:weights", args=[dataset.city.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"on_time_rate": 50, "overdue": 50, "corrected": 10, "legal_rejections": 0,
                            "interpretation_coverage": 0, "art26_timeliness": 0})
    assert bad.status_code == 400 and "各项权重之和应为100，现为110。" in bad.content.decode()
    assert "<title>错误：" in bad.content.decode() and not AssessmentWeights.objects.exists()
    good = client.post(url, {"on_time_rate": 0, "overdue": 0, "corrected": 0, "legal_rejections": 0,
                             "interpretation_coverage": 50, "art26_timeliness": 50})
    assert good.status_code == 302 and good["Location"] == f"{ASSESSMENT}?org={dataset.city.pk}"
    body = client.get(good["Location"] + "&" + query()[1:]).content.decode()
    assert "测试市人民政府设置" in body and "已保存测试市人民政府的考核权重。" in body
    assert [r[:2] for r in table_rows_ranking(body, "dept")][:2] == [["1", "测试市教育局"], ["2", "测试市财政局"]]


def test_weights_form_is_refused_to_others(dataset):
    url = reverse("statistics:weights", args=[dataset.city.pk])
    assert client_for(dataset.registrar).get(url).status_code == 403  # same organisation, not the head
    assert client_for(dataset.other_head).get(url).status_code == 404  # another organisation
    response = client_for(dataset.registrar).post(url, {"on_time_rate": 100, "overdue": 0, "corrected": 0,
                                                        "legal_rejections": 0, "interpretation_coverage": 0,
                                                        "art26_timeliness": 0})
    assert response.status_code == 403 and not AssessmentWeights.objects.exists()


def test_workbench_links_to_the_dashboards(dataset):
    body = client_for(dataset.handler_a).get(reverse("staff:workbench")).content.decode()
    assert DASHBOARD in body and ASSESSMENT in body
