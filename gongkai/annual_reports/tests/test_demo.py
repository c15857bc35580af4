"""Demo reports (``gongkai demo``): for 2025 and 2026 the reports of the demo organisations with
requests pass every check; the 2025 ones are published and shown in the 政府信息公开年报 栏目;
loading twice changes nothing."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.accounts.models import Organisation
from gongkai.annual_reports import selectors
from gongkai.annual_reports.demo import PUBLISHERS, load_demo_reports
from gongkai.annual_reports.models import AnnualReportVersion
from gongkai.core.demo import load_demo
from gongkai.disclosure.demo import load_demo_requests
from gongkai.domain import annual_report as rules

pytestmark = pytest.mark.django_db


def test_demo_reports_pass_every_check_and_2025_is_published() -> None:
    load_demo()
    load_demo_requests()
    out = io.StringIO()
    result = load_demo_reports(out)
    assert (result.written, result.published) == (8, 4)
    assert "发布 4 份" in out.getvalue()
    for org in Organisation.objects.filter(slug__in=PUBLISHERS):
        for year in (2025, 2026):
            content = selectors.build_content(org, year, selectors.report_for(org, year))
            results = rules.run_checks(content)
            assert not rules.failed(results), (org.slug, year, rules.check_messages(results))
            assert content["table3"]["一"]["total"] > 0
        assert content["previous_source"] == "2025年度报告（已发布第1版）"
        version = selectors.latest_version(org, 2025)
        assert version is not None and version.intact and version.document is not None
    column = Client().get(reverse("portal:gongkai_nianbao")).content.decode()
    assert "湖南省人民政府办公厅2025年政府信息公开工作年度报告" in column
    again = load_demo_reports()
    assert (again.written, again.published) == (0, 0)
    assert AnnualReportVersion.objects.count() == 4
